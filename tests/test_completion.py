"""Shell completion through the real shell scripts (issue 11).

bash: the script from `tindex --show-completion`, sourced in `bash --norc`, its function
called with COMP_WORDS/COMP_CWORD set as readline would. fish: `complete -C`, fish's own
completion of a command line. zsh: the function runs for real, with compadd and
_path_files replaced by recorders (they only work inside zsh's line editor). Each shell
answers every case in one process; the cases share a small data directory in the new
layout (countries.csv, index_levels.csv, components.csv).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from conftest import Result
from tindex.completion import bash_quote, fold, install, matching, script

Run = Callable[..., Result]

BIN = Path(sys.executable).parent  # where the tindex console script is installed
END = "\x1e"  # between the answers of two cases

FILES = {
    "countries.csv": """iso3,name,kind,note
KGZ,Kyrgyzstan,name,
KGZ,Kyrgyz Republic,alias,
SLV,El Salvador,name,
TUR,Türkiye,name,
TUR,Turkey,alias,
TKM,Turkmenistan,name,
CIV,Côte d'Ivoire,name,
""",
    "indices.csv": """index,kind,better,minimum,maximum,name,publisher,description,source_id
csp,score,higher,,,CSP Index on Torture,CSP,Scores.,s1
gti,level,lower,,,OMCT Global Torture Index,OMCT,Levels.,s1
""",
    "index_scores.csv": """index,iso3,year,score,release,source_id
csp,KGZ,2019,50,2020,s1
csp,KGZ,2020,60,2021,s1
csp,TKM,2024,70,2025,s1
""",
    "index_levels.csv": """index,iso3,year,component,level,source_id
gti,SLV,2025,overall,High,s1
""",
    "components.csv": """index,component,name,description,source_id
gti,1,Political commitment,Treaties.,s1
gti,2,Ending impunity,Prosecution.,s1
""",
}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("data")
    for name, text in FILES.items():
        (directory / name).write_text(text, encoding="utf-8")
    other = directory / "other"  # for --data-dir on the command line
    other.mkdir()
    (other / "countries.csv").write_text("iso3,name,kind,note\nKEN,Kenya,name,\n", encoding="utf-8")
    (directory / "empty").mkdir()
    stored = directory / "xdg" / "tindex" / "imports" / "pts"  # the user's imports
    stored.mkdir(parents=True)
    (stored / "manifest.json").write_text("{}", encoding="utf-8")
    return directory


def environment(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TINDEX_", "_TINDEX_", "COMP_"))}
    env.update(TINDEX_DATA_DIR=str(data), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", HOME=str(data),
               XDG_DATA_HOME=str(data / "xdg"))
    return env


def shell(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (apt-get install -y zsh fish)")
    return found


def run(argv: Sequence[str], data: Path, script: str = "") -> str:
    done = subprocess.run(argv, input=script, capture_output=True, text=True, env=environment(data),
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def answers(output: str) -> list[list[str]]:
    return [[line for line in block.split("\n") if line] for block in output.split(END + "\n")]


# (words typed, the last one being completed as typed) -> what the shell receives
BASH = [
    (["delta", "kyrg"], ["Kyrgyzstan"]),
    (["delta", "KGZ"], ["Kyrgyzstan"]),  # ISO code
    (["delta", "Kyrgyz\\ R"], ["Kyrgyzstan"]),  # an alias completes to the display name
    (["explain", "turk"], ["Türkiye", "Turkmenistan"]),  # accents and alias "Turkey" folded
    (["explain", "El"], ["El\\ Salvador"]),
    (["compare", "cote"], ["Côte\\ d\\'Ivoire"]),
    (["explain", '"El Sal'], ["El Salvador"]),  # inside a quote readline closes
    (["explain", "'Cô"], ["Côte d'\\''Ivoire"]),
    (["explain", "g"], ["gti"]),
    (["rank", "20"], ["2024", "2020", "2019"]),  # the default index's years (csp), not gti's
    (["rank", "--index", "gti", ""], ["2025"]),
    (["rank", "--index", "GTI", ""], ["2025"]),  # --index is read regardless of case
    (["delta", "Kyrgyzstan", "--from", "201"], ["2019"]),
    (["compare", "--to", ""], ["2024", "2020", "2019"]),
    (["rank", "--format", "cs"], ["csv"]),
    (["rank", "--format", "=", "c"], ["csv", "colon_grid"]),  # --format=c, split by bash
    (["rank", "--index", "gti", "--pillar", ""], ["1", "2", "overall"]),
    (["rank", "--pillar", "end"], ["Ending\\ impunity"]),
    (["rank", "--index", "G"], ["gti"]),
    (["delta", "zzz"], []),
    (["rank", "--top", ""], []),
    (["--data-dir", "DATA/other", "delta", "ke"], ["Kenya"]),
    (["--data-dir", "DATA/empty", "delta", "k"], []),
    (["--data-dir", "DATA/missing", "delta", "k"], []),
    (["Ra"], ["rank"]),
    (["validate", ""], ["compopt -o dirnames"]),
    (["import", ""], ["vdem", "pts", "cirights", "hrmi"]),
    (["import", "--remove", ""], ["pts"]),
    (["chart", "Kyrgyzstan", "-o", ""], ["compopt -o default"]),
    (["--show-completion", ""], ["bash", "zsh", "fish"]),
    (["--show-completion", "Z"], ["zsh"]),
]


@pytest.fixture(scope="module")
def bash_answers(data: Path) -> tuple[list[list[str]], str]:
    source = run([shell("bash"), "--norc", "--noprofile", "-c", "tindex --show-completion; true"], data)
    lines = [source,
             # compopt works only under readline: record what the function asks of it
             "compopt() { local IFS=' '; printf 'compopt %s\\n' \"$*\"; }",
             "ask() { COMP_WORDS=(tindex \"$@\"); COMP_CWORD=$#; COMP_LINE=\"${COMP_WORDS[*]}\";"
             " COMP_POINT=${#COMP_LINE}; COMPREPLY=();"
             " _tindex_completion tindex \"${COMP_WORDS[-1]}\" \"${COMP_WORDS[-2]}\";"
             f" printf '%s\\n' \"${{COMPREPLY[@]}}\"; printf '{END}\\n'; }}"]
    for words, _ in BASH:
        lines.append("ask " + " ".join(shlex.quote(w.replace("DATA", str(data))) for w in words))
    lines.append("complete -p tindex")
    output = run([shell("bash"), "--norc", "--noprofile"], data, "\n".join(lines) + "\n")
    *replies, spec = answers(output)
    return replies, " ".join(spec)


@pytest.mark.e2e
@pytest.mark.parametrize(("case", "expected"), [(i, e) for i, (_, e) in enumerate(BASH)],
                         ids=[" ".join(w) or "empty" for w, _ in BASH])
def test_bash(bash_answers: tuple[list[list[str]], str], case: int, expected: list[str]) -> None:
    assert bash_answers[0][case] == expected


@pytest.mark.e2e
def test_bash_inserts_a_multi_word_name_as_one_word(bash_answers: tuple[list[list[str]], str]) -> None:
    replies = bash_answers[0]
    assert shlex.split(replies[4][0]) == ["El Salvador"]  # unquoted: backslashes
    assert shlex.split(replies[5][0]) == ["Côte d'Ivoire"]
    assert shlex.split('"' + replies[6][0] + '"') == ["El Salvador"]  # after an opening quote
    assert shlex.split("'" + replies[7][0] + "'") == ["Côte d'Ivoire"]


@pytest.mark.e2e
def test_bash_never_falls_back_to_file_names(bash_answers: tuple[list[list[str]], str]) -> None:
    assert bash_answers[1] == "complete -o nosort -F _tindex_completion tindex"


SHORT = [  # (command line up to the cursor, answers)
    ("tindex delta kyrg", ["Kyrgyzstan"]),
    ("tindex explain El", ["El Salvador"]),
    ("tindex rank 20", ["2024", "2020", "2019"]),
    ("tindex rank --format=cs", ["--format=csv"]),
    ("tindex delta zzz", []),
]


@pytest.mark.e2e
def test_fish(data: Path) -> None:
    fish = shell("fish")
    source = run([fish, "--no-config", "-c", "tindex --show-completion; true"], data)
    assert source.startswith("function _tindex_completion\n")
    lines = [source] + [f"complete -C {shlex.quote(line)}; printf '{END}\\n'" for line, _ in SHORT]
    lines.append(f"complete -C {shlex.quote('tindex explain turk')}")
    output = run([fish, "--no-config"], data, "\n".join(lines) + "\n")
    *replies, turk = answers(output)
    assert replies == [expected for _, expected in SHORT]
    assert turk == ["Turkmenistan"]  # fish filters out Türkiye itself: it does not fold accents


@pytest.mark.e2e
def test_zsh(data: Path) -> None:
    zsh = shell("zsh")
    source = run([zsh, "-f", "-c", "tindex --show-completion; true"], data)
    assert source.startswith("#compdef tindex\n")
    recorders = [
        "compdef() { }",
        "compadd() { local i; for (( i = 1; i <= $#; i++ )); do"
        " [[ ${@[i]} == -a ]] && print -rl -- \"${(@P)@[i+1]}\"; done; print -r -- \"compadd ${@[1]}\" }",
        "_path_files() { print -r -- \"_path_files $*\" }",
    ]
    ask = f"ask() {{ words=(tindex \"$@\"); CURRENT=${{#words}}; _tindex_completion; print '{END}' }}"
    cases = [(line.split()[1:], expected + (["compadd -U"] if expected else [])) for line, expected in SHORT]
    cases += [(["explain", '"El Sal'], ["El Salvador", "compadd -U"]), (["validate", ""], ["_path_files -/"])]
    lines = [*recorders, source, ask]
    lines += ["ask " + " ".join(shlex.quote(w) for w in words) for words, _ in cases]
    output = run([zsh, "-f"], data, "\n".join(lines) + "\n")
    assert answers(output)[:-1] == [expected for _, expected in cases]


@pytest.mark.e2e
def test_python_side_formats_per_shell(data: Path) -> None:
    """What each script receives: bash quoted values, zsh and fish raw values with descriptions."""
    env = environment(data) | {"COMP_WORDS": "tindex\nrank\n--pillar\n", "COMP_CWORD": "3"}
    outputs = {}
    for name in ("bash", "zsh", "fish"):
        done = subprocess.run([str(BIN / "tindex")], env=env | {"_TINDEX_COMPLETE": f"complete_{name}"},
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        outputs[name] = done.stdout.splitlines()
    assert outputs["bash"] == ["plain,1", "plain,2", "plain,overall"]
    assert outputs["zsh"] == outputs["fish"] == [
        "plain,1\tPolitical commitment", "plain,2\tEnding impunity", "plain,overall"]


def test_matching_folds_case_and_accents() -> None:
    assert fold("Türkiye") == "turkiye"
    assert matching([("Turkey", "Türkiye"), ("Türkiye", "Türkiye"), ("Tonga", "Tonga")], "TUR") == ["Türkiye"]
    assert matching([("Evil\x1b[2J", "Evil\x1b[2J")], "e") == []  # never offer control characters


def test_bash_quote() -> None:
    assert bash_quote("El Salvador", "El") == "El\\ Salvador"
    assert bash_quote('a"$b', '"a') == 'a\\"\\$b'
    assert bash_quote("d'I", "'d") == "d'\\''I"


def test_install_writes_the_script_and_one_rc_line(tmp_path: Path) -> None:
    for _ in range(2):
        path = install("bash", tmp_path)
    assert path == tmp_path / ".bash_completions" / "tindex.sh"
    assert "complete -o nosort -F _tindex_completion tindex" in path.read_text(encoding="utf-8")
    assert (tmp_path / ".bashrc").read_text(encoding="utf-8") == f"source '{path}'\n"
    assert install("zsh", tmp_path).read_text(encoding="utf-8").startswith("#compdef tindex")
    assert install("fish", tmp_path) == tmp_path / ".config" / "fish" / "completions" / "tindex.fish"


def test_the_users_imports_complete_like_the_data(data: Path, user_data_home: Path) -> None:
    """Commands layer the imports over the data; completion offers what they accept."""
    from tindex.completion import country_pairs, index_ids, years

    stored = user_data_home / "tindex" / "imports" / "pts"
    stored.mkdir(parents=True)
    (stored / "manifest.json").write_text("{}", encoding="utf-8")
    (stored / "indices.csv").write_text(
        "index,kind,better,minimum,maximum,name,publisher,description,source_id\n"
        "pts_a,score,lower,1,5,Political Terror Scale (Amnesty),PTS,Terror.,import-pts\n",
        encoding="utf-8")
    (stored / "countries.csv").write_text(
        "iso3,name,kind,note\nAND,Andorra,name,\nKGZ,Kyrgyz Republic (PTS),name,\n",
        encoding="utf-8")
    (stored / "index_scores.csv").write_text(
        "index,iso3,year,score,source_id\npts_a,AND,1976,1,import-pts\n", encoding="utf-8")
    assert [i for i, _ in index_ids(data)] == ["csp", "gti", "pts_a"]
    assert years(data, "pts_a") == years(data, "PTS_A") == ["1976"]
    assert index_ids(data / "empty") == []  # not data: the commands refuse it, imports and all
    assert years(data) == ["2024", "2020", "2019"]  # without --index: the default index's
    pairs = country_pairs(data)
    assert ("Andorra", "Andorra") in pairs and ("AND", "Andorra") in pairs
    assert ("KGZ", "Kyrgyzstan") in pairs  # the data's own name wins
    assert matching(pairs, "and") == ["Andorra"]


def test_import_sources_complete_as_the_importers_name_them() -> None:
    from tindex.completion import import_sources
    from tindex.importers import SOURCES

    assert [source for source, _ in import_sources()] == list(SOURCES)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize("words", [
    ("--show-completion", "SHELL"), ("--data-dir", ".", "--show-completion", "SHELL"),
    ("--show-completion", "SHELL", "--data-dir", "."), ("--show-completion", "--data-dir", ".", "SHELL"),
    ("--show-completion", "--data-dir=.", "SHELL")], ids=" ".join)
def test_show_completion_prints_the_script_of_the_shell_named(
        shell: str, words: tuple[str, ...], tindex: Run) -> None:
    """The shell is the word after the flag that is neither an option nor an option's value."""
    shown = tindex(*[shell if word == "SHELL" else word for word in words])
    assert (shown.code, shown.err) == (0, ""), shown.err
    assert shown.out == script(shell)
    assert shown.out.startswith({"bash": "_tindex_completion() {", "zsh": "#compdef tindex",
                                 "fish": "function _tindex_completion"}[shell])


@pytest.mark.parametrize("named", [("tcsh",), ("bash", "zsh"), ("rank",)])
def test_show_completion_refuses_what_it_cannot_serve(named: tuple[str, ...], tindex: Run) -> None:
    refused = tindex("--show-completion", *named)
    assert (refused.code, refused.out) == (2, "")
    assert refused.err == ("tindex: error: --show-completion: completion works in bash, zsh and "
                           f"fish, not '{' '.join(named)}'\n")
