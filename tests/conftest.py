"""Shared helpers: run the CLI in-process the way the console script does.

Checked reads of data files are shared across the session when the files are byte-identical
(see `_share_checked_reads`): most tests read the bundled data, or a copy with one file broken.
"""

from __future__ import annotations

import gc
import hashlib
import io
import itertools
import os
import pickle
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import pandas as pd
    import typer

    from tindex.core.model import Model
    from tindex.data import Problem
    from tindex.data.reader import TableReader
    from tindex.schema import TableSpec

# Bytecode for tindex (in the git-ignored __pycache__ folders), even where the machine sets
# PYTHONDONTWRITEBYTECODE: without it every tindex process the tests start compiles tindex
# from source again (0.16 s of a 0.6 s run).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"


def pytest_configure(config: pytest.Config) -> None:
    """Property tests: a quick run by default, a thorough one in CI (HYPOTHESIS_PROFILE=thorough).

    pandas, hypothesis and tindex are imported where tests run, not here at the top: under
    xdist the controlling process runs no test, and those imports (0.6 s) only delayed the
    start of the workers.
    """
    if (getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput")
            and not getattr(config.option, "hypothesis_profile", None)):
        return  # xdist's controller, unless hypothesis's own option names a profile to load
    from hypothesis import HealthCheck, settings

    for name, examples in (("quick", 10), ("thorough", 200)):
        settings.register_profile(name, max_examples=examples, deadline=None,
                                  suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))


@dataclass(frozen=True)
class _Stored:
    """One checked read of a table, and the bytes of every file it consulted."""

    needs: tuple[tuple[str, str | None], ...]  # (file name, digest or None when absent)
    label: str
    frame: pd.DataFrame
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class _FileRead:
    """One TableReader.read of a file: what it returned (None: it refused the file, raising
    TableProblems with `problems`) and the state it left behind."""

    label: str
    frame: pd.DataFrame | None
    problems: tuple[Problem, ...]
    one_record_per_line: bool


_READS: dict[tuple[str, str | None], list[_Stored]] = {}
_FILE_READS: dict[tuple[str, str | None], _FileRead] = {}
_NEEDS: dict[str, set[str]] = {}  # table name -> files its check consulted (learned)
_RECORDING: list[set[str]] = []


def _digest(path: Path) -> str | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except FileNotFoundError:
        return None


@pytest.fixture(autouse=True, scope="session")
def _share_checked_reads() -> Iterator[None]:
    """Reuse Dataset.read across the session when the files it depends on are byte-identical.

    A CLI run builds a new Dataset, so without this every in-process command re-reads and
    re-checks the bundled data (and every test's private copy of it) from scratch. A read is a
    function of the table's file and of the files its cross-table check consults (recorded
    through Dataset.table and Dataset.has while it runs), so it is reused only when all of them
    hold the same bytes; problems, which name the directory, are reused only under the same
    label. Each caller gets a deep copy. Test-only: the code under test is unchanged.

    Below that, one file's own read and checks (TableReader.read) are a function of its bytes
    alone: a copy of the data with one file edited, or the base data under a user's import,
    re-reads only the edited file and re-runs every cross-table check.
    """
    from tindex.data import Dataset
    from tindex.data.reader import TableProblems, TableReader

    original_read, original_table, original_has = Dataset.read, Dataset.table, Dataset.has
    original_file_read = TableReader.read

    def note(spec: TableSpec) -> None:
        for consulted in _RECORDING:
            consulted.add(spec.filename)
            consulted.update(_NEEDS.get(spec.name, ()))

    def table(self: Dataset, spec: TableSpec, purpose: str = "") -> pd.DataFrame:
        note(spec)
        return original_table(self, spec, purpose)

    def has(self: Dataset, spec: TableSpec) -> bool:
        note(spec)
        return original_has(self, spec)

    def digest(self: Dataset, name: str) -> str | None:
        """A file's digest, taken once per Dataset: one command's run (no command writes to
        its data directory; tests/test_hostile.py checks that)."""
        taken: dict[str, str | None] = self.__dict__.setdefault("_test_digests", {})
        if name not in taken:
            taken[name] = _digest(self.data_dir / name)
        return taken[name]

    def read(self: Dataset, spec: TableSpec) -> tuple[pd.DataFrame, list[Problem]]:
        if self.overlays:  # the user's imports: read as they are, never shared
            return original_read(self, spec)
        own = digest(self, spec.filename)
        for stored in _READS.get((spec.name, own), []):
            if (not stored.problems or stored.label == self.label_prefix) and all(
                    digest(self, name) == wanted for name, wanted in stored.needs):
                return stored.frame.copy(deep=True), list(stored.problems)
        _RECORDING.append(set())
        try:
            frame, problems = original_read(self, spec)
        finally:
            consulted = _RECORDING.pop() - {spec.filename}
        _NEEDS[spec.name] = consulted
        needs = tuple((name, digest(self, name)) for name in sorted(consulted))
        _READS.setdefault((spec.name, own), []).append(
            _Stored(needs, self.label_prefix, frame.copy(deep=True), tuple(problems)))
        return frame, problems

    def file_read(self: TableReader) -> pd.DataFrame:
        key = (self.spec.name, _digest(self.path))
        stored = _FILE_READS.get(key)
        if stored is not None and (not stored.problems or stored.label == self.label):
            self.problems = list(stored.problems)
            self._one_record_per_line = stored.one_record_per_line
            if stored.frame is None:  # a file the reader refused
                raise TableProblems(list(stored.problems))
            return stored.frame.copy(deep=True)
        try:
            frame = original_file_read(self)
        except TableProblems as refused:  # the whole answer is the problems it names
            _FILE_READS[key] = _FileRead(self.label, None, tuple(refused.problems),
                                         self._one_record_per_line)
            raise
        _FILE_READS[key] = _FileRead(self.label, frame.copy(deep=True), tuple(self.problems),
                                     self._one_record_per_line)
        return frame

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TableReader, "read", file_read)
        patch.setattr(Dataset, "read", read)
        patch.setattr(Dataset, "table", table)
        patch.setattr(Dataset, "has", has)
        yield


class SharedModels:
    """The shared Models of the bundled data, by label, and which test was last handed each,
    so that a failed check can say where to look. check_each: compare a Model with a fresh
    one each time it is handed out again, which names the test that changed it (about 1 ms
    a command; set TINDEX_CHECK_SHARED_MODEL=each to turn it on)."""

    def __init__(self, check_each: bool = False) -> None:
        self.models: dict[str, Model] = {}
        self.last_user: dict[str, str] = {}
        self.check_each = check_each

    def hand_out(self, built: Model, test: str) -> Model:
        """The shared Model for what `built` was built from, or `built`, now shared."""
        label = built.dataset.label_prefix
        kept = self.models.get(label)
        if kept is None or kept.dataset.warnings:
            kept = self.models[label] = built
        elif self.check_each and (changes := model_changes(kept)):
            raise AssertionError(f"{self.last_user[label]} changed the shared Model: {changes}")
        self.last_user[label] = test
        return kept

    def check(self) -> None:
        """The end-of-session check: every shared Model still equals a fresh one."""
        changed = {label: model_changes(kept) for label, kept in self.models.items()}
        if any(changed.values()):
            last = {label: self.last_user[label] for label, changes in changed.items() if changes}
            raise AssertionError(
                f"a command changed the shared Model: {changed}; the last test handed it: {last}; "
                "TINDEX_CHECK_SHARED_MODEL=each names the test that changed it")


@pytest.fixture(autouse=True, scope="session")
def shared_models() -> Iterator[dict[str, Model]]:
    """One Model of the bundled data per test process (by the label commands give it), shared
    by every in-process command that reads the bundled data without imports: one loaded
    bundled dataset, whose views (latest releases, names, levels) are built once.

    Sound because nothing changes the bundled data during a session (tests/test_hostile.py
    checks that no command writes to its data directory) and no command changes a Model it
    reads: at the end of the session each shared Model is compared with a fresh one
    (`model_changes`), and a difference fails the run (`SharedModels`). A Model that has gathered
    plausibility warnings is not shared: a command prints only the warnings of the tables
    it loaded itself. Any other directory, or the bundled one under the user's imports, gets
    a Model of its own per command. So a test that patches the Model's or Dataset's code (or
    a constant they use) must run its commands on a copy of the data (`data_copy`): on the
    bundled data it would be handed a Model built before the patch.
    """
    from tindex import cli
    from tindex.locate import bundled_data_dir

    original = cli._model
    bundled = bundled_data_dir()
    shared = SharedModels(check_each=os.environ.get("TINDEX_CHECK_SHARED_MODEL") == "each")

    def model(ctx: typer.Context, data_dir: str | None) -> Model:
        built = original(ctx, data_dir)
        if built.dataset.overlays or built.dataset.data_dir != bundled:
            return built
        return shared.hand_out(built, os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "_model", model)
        yield shared.models
    shared.check()


def model_changes(model: Model) -> list[str]:
    """What differs between a Model that commands have used and a fresh Model of the same
    data: each view the Model has built (compared pickled) and each table its Dataset has
    loaded (compared exactly)."""
    from pandas.testing import assert_frame_equal

    from tindex.core.model import Model
    from tindex.data import Dataset
    from tindex.schema import ALL_TABLES

    dataset = model.dataset
    fresh = Model(Dataset(dataset.data_dir, dataset.label_prefix, dataset.overlays))
    changes = [name for name, view in vars(model).items()
               if name != "dataset" and pickle.dumps(view) != pickle.dumps(getattr(fresh, name))]
    specs = {spec.name: spec for spec in ALL_TABLES}
    for name, table in dataset._tables.items():
        try:
            assert_frame_equal(table, fresh.dataset.table(specs[name]), check_exact=True)
        except AssertionError:
            changes.append(name + ".csv")
    return changes


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Spare each test process the interpreter's last collection, which walks every object
    the session made (most of a second for an xdist worker); nothing is left to finalise."""
    gc.freeze()


_PROGRAMS = frozenset({"sh", "bash", "dash", "zsh", "fish", "tindex", "env", "timeout", "nice",
                       "script"})  # shells, tindex, and what runs another program
_FORKS = frozenset({"os.fork", "os.forkpty", "os.system", "os.exec", "os.posix_spawn",
                    "os.spawn"})


class _ProcessGuard:
    """Refuses, through an audit hook (which sees every way Python starts a process), a test
    not marked e2e that runs an interpreter, a shell or tindex. Libraries may still start
    helpers of their own (matplotlib asks fc-list for fonts once)."""

    test: str | None = None  # the running test when it is not marked e2e

    @classmethod
    def hook(cls, event: str, arguments: tuple[object, ...]) -> None:
        if cls.test is None:
            return
        if event == "subprocess.Popen":
            executable, args = arguments[0], arguments[1]
            words = shlex.split(args) if isinstance(args, str) else \
                [str(word) for word in args] if isinstance(args, (list, tuple)) else [str(args)]
            if any(_is_program(word) for word in [str(executable or ""), *words[:1]]):
                raise AssertionError(f"{cls.test} starts {words[:1]}: mark it @pytest.mark.e2e")
        elif event in _FORKS:
            raise AssertionError(f"{cls.test} calls {event}: mark it @pytest.mark.e2e")


def _is_program(word: str) -> bool:
    name = Path(word).name
    return name in _PROGRAMS or name.startswith("python")


sys.addaudithook(_ProcessGuard.hook)


@pytest.fixture(autouse=True)
def _only_e2e_starts_processes(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that runs a program (tindex, a shell, an interpreter) must be marked e2e, so that
    `-m "not e2e"` stays the fast in-process loop."""
    if request.node.get_closest_marker("e2e") is None:
        _ProcessGuard.test = request.node.nodeid
    try:
        yield
    finally:
        _ProcessGuard.test = None


@pytest.fixture(scope="session")
def _user_data_homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Names in one folder made once (a generator would make a numbered folder per name)."""
    base = tmp_path_factory.mktemp("xdg-data")
    return (base / str(n) for n in itertools.count())


@pytest.fixture(autouse=True)
def user_data_home(_user_data_homes: Iterator[Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own XDG_DATA_HOME, not yet created (as on a new machine): no test
    reads or writes the real home's imports (subprocesses inherit it through os.environ).
    A name, not a directory: most tests never import, and a directory each cost more than
    a thousand mkdirs and their clean-up."""
    home = next(_user_data_homes)
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def tindex(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
           ) -> Callable[..., Result]:
    """Call tindex.cli.run (the console script's error handling included), capture output."""
    from tindex.cli import run

    monkeypatch.delenv("TINDEX_DATA_DIR", raising=False)

    def call(*args: str) -> Result:
        capsys.readouterr()
        code = run(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return call


# What decides colour and data for a screen, beyond TERM and COLUMNS: unset for both the
# in-process screen and the pseudo-terminal unless a test sets them.
_SCREEN_SETTINGS = ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLORTERM",
                    "TINDEX_DATA_DIR")


class _TerminalStdout(io.StringIO):
    """Standard output that says it is a terminal, as a pseudo-terminal's does."""

    def isatty(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


Terminal = Callable[..., tuple[int, str]]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """Run tindex in-process with stdout answering isatty() like a terminal's, in the
    environment `on_terminal` gives the real console script; return (exit code, stdout).
    tests/test_screens.py checks that both print the same bytes."""
    from tindex.cli import run

    def call(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
        environment = {"TERM": "xterm-256color", "COLUMNS": "120", **(env or {})}
        assert not {"PYTHONIOENCODING", "LANG", "LC_ALL", "LC_CTYPE"} & set(environment), \
            "the in-process screen is always UTF-8: use on_terminal for another encoding"
        with monkeypatch.context() as patch:
            for name in _SCREEN_SETTINGS:
                patch.delenv(name, raising=False)
            for name, value in environment.items():
                patch.setenv(name, value)
            screen = _TerminalStdout()
            patch.setattr(sys, "stdout", screen)
            code = run(list(args))
        return code, screen.getvalue()

    return call


def console_script(*args: str, env: dict[str, str] | None = None,
                   cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in a subprocess (stdout is a pipe, not a terminal)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TINDEX_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tindex", *args],
        capture_output=True, text=True, env=environment, cwd=cwd, timeout=120, check=False,
    )


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled CSV files that a test may break."""
    target = tmp_path / "data"
    target.mkdir()
    for source in DATA.glob("*.csv"):
        shutil.copyfile(source, target / source.name)
    return target


def on_terminal(*args: str, env: dict[str, str] | None = None,
                stderr_too: bool = False) -> tuple[int, str]:
    """Run `python -m tindex ARGS` with stdout (and stderr if asked) on a pseudo-terminal;
    return (exit code, what the terminal received)."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from readme_examples import run_on_pty
    finally:
        sys.path.pop(0)
    environment = {k: v for k, v in os.environ.items() if k not in _SCREEN_SETTINGS}
    environment.update({"TERM": "xterm-256color", "COLUMNS": "120"})
    environment.update(env or {})
    return run_on_pty([sys.executable, "-m", "tindex", *args], environment, stderr_too=stderr_too)
