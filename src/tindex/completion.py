"""Shell completion: what TAB offers, and the bash, zsh and fish scripts that ask for it.

Every TAB starts a fresh tindex process, so this module reads the data files with the csv
module (never pandas, numpy or rich) and imports only typer's vendored click besides the
standard library.

Typer's own completion does not serve tindex: it keeps only candidates that start with the
typed text exactly (so `kyrg` never becomes Kyrgyzstan), its bash script inserts
`El Salvador` as two words and falls back to file names (`complete -o default`) when
nothing matches. tindex therefore builds its app with `add_completion=False` and registers
its own completion classes here (click's documented `add_completion_class`), with their own
`--show-completion` / `--install-completion` options for the main callback.

Protocol between a script and `_TINDEX_COMPLETE=complete_SHELL tindex`: the script passes
the words typed so far, one per line, in COMP_WORDS (the word being completed last, also
counted by COMP_CWORD). The answer is one candidate per line, `plain,VALUE` (`\\tHELP` may
follow for zsh and fish), or `dir,` / `file,` where a path belongs: only then does the
shell list file names.
"""

# No `from __future__ import annotations`: typer reads the completers' signatures on every
# run, and string annotations would cost an eval() each.

import csv
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.core import Command, Context, Parameter, ParameterSource
from typer._click.shell_completion import (
    CompletionItem,
    ShellComplete,
    _resolve_context,
    _resolve_incomplete,
    add_completion_class,
    split_arg_string,
)
from typer.core import TyperCommand

from tindex.errors import UNSAFE_CHARACTERS, TindexError, UsageError, printable
from tindex.locate import choose_data_dir, country_names, overlay_dirs
from tindex.render.formats import OutputFormat

PROG = "tindex"
COMPLETE_VAR = "_TINDEX_COMPLETE"
SHELLS = ("bash", "zsh", "fish")

# The typed word, as the shell class hands it to a completer through ctx.meta. The
# completer matches it itself; typer's wrapper is given "" so that it filters nothing.
_TYPED = "tindex.completion.typed"

Candidate = str | tuple[str, str]  # a value, or a value and a short description (zsh, fish)


# -- matching -----------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case- and accent-blind form for matching: "Türkiye" and "turk" share a prefix."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matching(pairs: Iterable[tuple[str, Candidate]], typed: str) -> list[Candidate]:
    """Candidates whose key starts with the typed text (folded), each offered once, in order.

    A key is what may be typed (a name, an alias, a code); the candidate is what is
    offered for it, so an alias completes to the display name.
    """
    wanted = fold(typed)
    seen: set[str] = set()
    found: list[Candidate] = []
    for key, candidate in pairs:
        value = candidate if isinstance(candidate, str) else candidate[0]
        if value in seen or not fold(key).startswith(wanted) or UNSAFE_CHARACTERS.search(value):
            continue
        seen.add(value)
        found.append(candidate)
    return found


# -- the data files (csv module only; a missing or broken file offers nothing) ------------


@cache
def _rows(directory: Path, stem: str) -> tuple[dict[str, str], ...]:
    try:
        with (directory / f"{stem}.csv").open(encoding="utf-8-sig", newline="") as handle:
            return tuple(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error):
        return ()


def _layered_rows(directory: Path, stem: str) -> list[dict[str, str]]:
    """The table's rows in the data directory, then in each of the user's imports (which the
    commands layer over it, so they complete what the commands accept; over a directory that
    is not data, as the commands refuse it, nothing of theirs)."""
    layers = (directory, *overlay_dirs()) if _rows(directory, "indices") else (directory,)
    return [row for layer in layers for row in _rows(layer, stem)]


def _of_index(row: dict[str, str], index: str | None) -> bool:
    """The row belongs to the index typed (any index when none was), regardless of case, as
    --index is read."""
    return index is None or (row.get("index") or "").casefold() == index.strip().casefold()


def _column(directory: Path, stem: str, column: str, index: str | None = None) -> list[str]:
    """Distinct non-empty values of a column, in file order; only one index's rows if given."""
    values = (row.get(column) or "" for row in _layered_rows(directory, stem)
              if _of_index(row, index))
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def country_pairs(directory: Path) -> list[tuple[str, Candidate]]:
    """(what may be typed, display name): display names, then ISO codes and aliases."""
    if not _rows(directory, "countries"):  # a data directory in the layout before countries.csv
        return [(name, name) for name in country_names(directory)]
    rows = _layered_rows(directory, "countries")
    display: dict[str, str] = {}
    for row in rows:  # the data's own name first, as the commands show it
        if row.get("kind") == "name" and row.get("iso3") and row.get("name"):
            display.setdefault(row["iso3"], row["name"])
    pairs: list[tuple[str, Candidate]] = [(name, name) for name in sorted(display.values(), key=fold)]
    pairs += [(code, name) for code, name in sorted(display.items())]
    pairs += [(row["name"], display[row["iso3"]]) for row in rows
              if row.get("kind") == "alias" and row.get("name") and row.get("iso3") in display]
    return pairs


def default_index(directory: Path) -> str | None:
    """The index a command uses without --index, as the commands choose it: the first score
    index declared, else the first index."""
    rows = [row for row in _layered_rows(directory, "indices") if row.get("index")]
    scores = [row for row in rows if row.get("kind") == "score"]
    return (scores or rows)[0]["index"] if rows else None


def years(directory: Path, index: str | None = None) -> list[str]:
    """Years with scores or levels (a level index's edition year) of one index (by default
    the one the commands use), newest first."""
    index = index if index is not None else default_index(directory)
    found = set(_column(directory, "index_scores", "year", index))
    found |= set(_column(directory, "index_levels", "year", index))
    return sorted((y for y in found if y.isdigit()), reverse=True)


def index_ids(directory: Path) -> list[tuple[str, str]]:
    """Index ids with their names, as indices.csv lists them (the imports' after the data's)."""
    return [(row["index"], row.get("name") or "") for row in _layered_rows(directory, "indices")
            if row.get("index")]


def components(directory: Path, index: str | None = None) -> list[tuple[str, str]]:
    """(number, name) of each pillar/component, from components.csv."""
    rows = [row for row in _rows(directory, "components") if _of_index(row, index)]
    pairs = [(row.get("component") or "", row.get("name") or "") for row in rows]
    return list(dict.fromkeys((number, name) for number, name in pairs if number))


# -- the completers, given to typer as autocompletion= -------------------------------------


def _typed(ctx: Context, incomplete: str) -> str:
    return str(ctx.meta.pop(_TYPED, incomplete))


def _given(ctx: Context, name: str) -> str | None:
    """An option's value typed earlier on the command line (this command or the group's)."""
    current: Context | None = ctx
    while current is not None:
        if name in current.params and current.get_parameter_source(name) is ParameterSource.COMMANDLINE:
            value = current.params[name]
            return None if value is None else str(value)
        current = current.parent
    return None


def _data_dir(ctx: Context) -> Path | None:
    """--data-dir if typed already, else $TINDEX_DATA_DIR or the bundled data; None if unusable."""
    try:
        return choose_data_dir(_given(ctx, "data_dir"))
    except TindexError:
        return None


def _with_data(ctx: Context, incomplete: str,
               pairs: Callable[[Path], Iterable[tuple[str, Candidate]]]) -> list[Candidate]:
    typed = _typed(ctx, incomplete)
    directory = _data_dir(ctx)
    return [] if directory is None else matching(pairs(directory), typed)


def complete_country(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """Country display names by name, alias or ISO code: `kyrg`, `KGZ` -> Kyrgyzstan."""
    return _with_data(ctx, incomplete, country_pairs)


def complete_subject(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """For explain: index ids, then countries."""
    return _with_data(ctx, incomplete, lambda d: [(i, (i, name)) for i, name in index_ids(d)]
                      + country_pairs(d))


def complete_index(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """Index ids from indices.csv."""
    return _with_data(ctx, incomplete, lambda d: [(i, (i, name)) for i, name in index_ids(d)])


def complete_year(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """Years in the data; only the chosen index's if --index was typed."""
    index = _given(ctx, "index")
    return _with_data(ctx, incomplete, lambda d: [(y, y) for y in years(d, index)])


def complete_pillar(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """Pillar numbers (the name as description) or names, and `overall`."""
    index = _given(ctx, "index")
    typed = str(ctx.meta.get(_TYPED, incomplete))

    def pairs(directory: Path) -> Iterator[tuple[str, Candidate]]:
        found = components(directory, index)
        yield from ((number, (number, name)) for number, name in found)
        yield ("overall", "overall")
        if typed:  # names only once something is typed: a bare TAB lists the numbers
            yield from ((name, name) for _, name in found if name)

    return _with_data(ctx, incomplete, pairs)


def import_sources() -> list[tuple[str, str]]:
    """The sources `tindex import` reads, with their dataset names, from the importers'
    citations.csv (read directly: importing the importers would load pandas)."""
    return [(row["source"], row.get("title") or "")
            for row in _rows(Path(__file__).with_name("importers"), "citations") if row.get("source")]


def complete_import_source(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """vdem, pts, cirights, hrmi."""
    return matching(((source, (source, title)) for source, title in import_sources()),
                    _typed(ctx, incomplete))


def complete_import_id(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """The ids of the stored imports (for --remove)."""
    return matching(((path.name, path.name) for path in overlay_dirs()), _typed(ctx, incomplete))


def complete_format(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """Output format names."""
    return matching(((f.value, f.value) for f in OutputFormat), _typed(ctx, incomplete))


def complete_directory(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """A directory: the shell lists them itself."""
    ctx.meta[_PATH_KIND] = "dir"
    return []


def complete_file(ctx: typer.Context, incomplete: str) -> list[Candidate]:
    """A file name: the shell lists them itself."""
    ctx.meta[_PATH_KIND] = "file"
    return []


_PATH_KIND = "tindex.completion.path"


# -- the shells ----------------------------------------------------------------------------


def _words() -> tuple[list[str], str, str]:
    """(complete words after the program name, the word being completed, that word as typed).

    Words come one per line (from tindex's scripts) or space-separated (an older script).
    Each is unquoted as the shell would; a lone "=" (bash splits `--format=c` at it) goes.
    """
    joined = os.environ.get("COMP_WORDS", "")
    raw = joined.split("\n") if "\n" in joined else joined.split(" ")
    cword = int(os.environ.get("COMP_CWORD", str(len(raw) - 1)))
    raw = raw[:cword + 1] + [""] * (cword + 1 - len(raw))
    words = [" ".join(split_arg_string(word)) for word in raw]
    args = [w for i, w in enumerate(words[1:-1], 1) if not (w == "=" and words[i - 1].startswith("-"))]
    current = "" if words[-1] == "=" else words[-1]
    return args, current, raw[-1]


class _TindexComplete(ShellComplete):
    """Shared by the three shells: tindex's matching, and paths only where a path belongs."""

    typed_raw = ""
    keeps_option_name = True  # zsh and fish replace all of `--format=c`; bash only the `c`

    def source_vars(self) -> dict[str, Any]:
        return {"complete_func": self.func_name, "complete_var": self.complete_var,
                "prog_name": self.prog_name}

    def get_completion_args(self) -> tuple[list[str], str]:
        args, current, self.typed_raw = _words()
        return args, current

    def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        items = self._items(args, incomplete)
        name, equals, _ = incomplete.partition("=")
        if self.keeps_option_name and equals and name.startswith("-"):
            for item in items:
                item.value = f"{name}={item.value}" if item.type == "plain" else item.value
        return items

    def _items(self, args: list[str], incomplete: str) -> list[CompletionItem]:
        if args and args[-1] == "--show-completion":  # the shell it may name (a flag to click)
            return [CompletionItem(shell) for shell in SHELLS if shell.startswith(fold(incomplete))]
        ctx = _resolve_context(self.cli, self.ctx_args, self.prog_name, args)
        obj, incomplete = _resolve_incomplete(ctx, args, incomplete)
        if not isinstance(obj, Parameter):
            return command_items(obj, ctx, incomplete)
        ctx.meta[_TYPED] = incomplete
        items = obj.shell_complete(ctx, "")
        if _TYPED in ctx.meta:  # no tindex completer ran (a choice, say): match here
            del ctx.meta[_TYPED]
            items = [i for i in items if fold(str(i.value)).startswith(fold(incomplete))]
        kind = ctx.meta.pop(_PATH_KIND, None)
        return [CompletionItem("", type=kind)] if kind else items


def command_items(command: Command, ctx: Context, incomplete: str) -> list[CompletionItem]:
    """Subcommand and option names (all lower case): `Ra` still finds rank."""
    return command.shell_complete(ctx, incomplete) or command.shell_complete(ctx, incomplete.lower())


class BashComplete(_TindexComplete):
    """bash inserts replies verbatim, so each is quoted here to stay one word."""

    name = "bash"
    keeps_option_name = False
    source_template = """\
%(complete_func)s() {
    local IFS=$'\\n' line
    local -a response
    mapfile -t response < <(env COMP_WORDS="${COMP_WORDS[*]:0:COMP_CWORD+1}" \\
        COMP_CWORD="$COMP_CWORD" %(complete_var)s=complete_bash "$1" 2>/dev/null)
    COMPREPLY=()
    for line in "${response[@]}"; do
        case $line in
            plain,*) COMPREPLY+=("${line#plain,}") ;;
            dir,*) compopt -o dirnames ;;
            file,*) compopt -o default ;;
        esac
    done
    return 0
}

complete -o nosort -F %(complete_func)s %(prog_name)s
"""

    def format_completion(self, item: CompletionItem) -> str:
        if item.type != "plain":
            return f"{item.type},"
        return "plain," + bash_quote(str(item.value), self.typed_raw)


def bash_quote(value: str, typed: str) -> str:
    """The text bash must insert for `value` where the word so far is `typed` (as typed).

    After an opening quote readline replaces only what follows it (and closes the quote),
    so the value is escaped for inside that quote; otherwise each special character gets a
    backslash: `El Salvador` -> `El\\ Salvador`.
    """
    if typed.startswith("'"):
        return value.replace("'", "'\\''")
    if typed.startswith('"'):
        return "".join("\\" + c if c in '"$`\\' else c for c in value)
    return "".join(c if c.isalnum() or c in "-_./,+@%^:" else "\\" + c for c in value)


class ZshComplete(_TindexComplete):
    """zsh's compadd quotes what it inserts; -U lets `kyrg` become Kyrgyzstan."""

    name = "zsh"
    source_template = """\
#compdef %(prog_name)s

%(complete_func)s() {
    local -a response values shown
    local line value description
    response=("${(@f)$(env COMP_WORDS="${(pj:\\n:)words[1,CURRENT]}" COMP_CWORD=$((CURRENT - 1)) \\
        %(complete_var)s=complete_zsh %(prog_name)s 2>/dev/null)}")
    for line in $response; do
        case $line in
            plain,*)
                value=${${line#plain,}%%%%$'\\t'*}
                description=${${line#plain,}#"$value"}
                values+=("$value")
                shown+=("$value${description:+  --${description/$'\\t'/ }}") ;;
            dir,*) _path_files -/ ;;
            file,*) _path_files -f ;;
        esac
    done
    (( ${#values} )) && compadd -U -V unsorted -l -d shown -a values
    return 0
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    %(complete_func)s "$@"
else
    compdef %(complete_func)s %(prog_name)s
fi
"""

    def format_completion(self, item: CompletionItem) -> str:
        return _plain_with_help(item)


class FishComplete(_TindexComplete):
    """fish escapes what it inserts and shows the text after a tab as a description."""

    name = "fish"
    source_template = """\
function %(complete_func)s
    set -l words (commandline -opc) (commandline -ct)
    set -lx COMP_WORDS (string join \\n -- $words | string collect)
    set -lx COMP_CWORD (math (count $words) - 1)
    set -lx %(complete_var)s complete_fish
    for line in (%(prog_name)s 2>/dev/null)
        switch $line
            case 'plain,*'
                string sub --start 7 -- $line
            case 'dir,*'
                __fish_complete_directories (commandline -ct)
            case 'file,*'
                __fish_complete_path (commandline -ct)
        end
    end
end

complete --command %(prog_name)s --no-files --keep-order --arguments '(%(complete_func)s)'
"""

    def format_completion(self, item: CompletionItem) -> str:
        return _plain_with_help(item)


def _plain_with_help(item: CompletionItem) -> str:
    if item.type != "plain":
        return f"{item.type},"
    described = " ".join(item.help.split()) if item.help else ""
    return f"plain,{item.value}" + (f"\t{described}" if described else "")


for _shell in (BashComplete, ZshComplete, FishComplete):
    add_completion_class(_shell, _shell.name)


# -- --show-completion and --install-completion ---------------------------------------------


def detect_shell(option: str) -> str:
    """The shell tindex runs under (as typer finds it), else $SHELL's name; `option` names
    the flag that asked, for the message when it is not one tindex serves."""
    try:
        import shellingham  # type: ignore[import-untyped]  # typer's dependency

        shell = str(shellingham.detect_shell()[0])
    except Exception:  # shellingham.ShellDetectionFailure, or no process information
        shell = Path(os.environ.get("SHELL", "")).name
    if shell not in SHELLS:
        raise UsageError(f"{option}: completion works in bash, zsh and fish, not "
                         + (printable(shell) if shell else "this shell"))
    return shell


def script(shell: str) -> str:
    """The completion script for bash, zsh or fish."""
    classes: dict[str, type[_TindexComplete]] = {"bash": BashComplete, "zsh": ZshComplete,
                                                 "fish": FishComplete}
    return classes[shell](TyperCommand(PROG), {}, PROG, COMPLETE_VAR).source()


def show(named: list[str]) -> None:
    """Print the script for the shell named (`--show-completion zsh`), else for this one."""
    if len(named) > 1 or (named and named[0] not in SHELLS):
        raise UsageError("--show-completion: completion works in bash, zsh and fish, not "
                         + printable(" ".join(named)))
    sys.stdout.write(script(named[0] if named else detect_shell("--show-completion")))


def _append_once(rc: Path, line: str) -> None:
    text = rc.read_text(encoding="utf-8") if rc.is_file() else ""
    if line not in text.splitlines():
        rc.parent.mkdir(parents=True, exist_ok=True)
        rc.write_text(text + ("" if not text or text.endswith("\n") else "\n") + line + "\n",
                      encoding="utf-8")


def install(shell: str, home: Path) -> Path:
    """Write the script where the shell finds it (where typer would) and return its path."""
    if shell == "bash":
        path = home / ".bash_completions" / f"{PROG}.sh"
        _append_once(home / ".bashrc", f"source '{path}'")
    elif shell == "zsh":
        path = home / ".zfunc" / f"_{PROG}"
        _append_once(home / ".zshrc", "fpath+=~/.zfunc; autoload -Uz compinit; compinit")
    else:
        path = home / ".config" / "fish" / "completions" / f"{PROG}.fish"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script(shell), encoding="utf-8")
    return path


def _install(ctx: typer.Context, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    shell = detect_shell("--install-completion")
    path = install(shell, Path.home())
    sys.stderr.write(f"tindex: {shell} completion installed in {path}; it works in new shells\n")
    raise typer.Exit()


# A flag, as typer's was: the shell is the one tindex runs under.
InstallCompletionOption = Annotated[bool, typer.Option(
    "--install-completion", callback=_install, is_eager=True, expose_value=False,
    help="Install completion for this shell (bash, zsh or fish).")]
