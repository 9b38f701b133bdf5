"""The test harness itself: the guard that keeps `-m "not e2e"` free of processes, and the
shared Model of the bundled data."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable

import pytest

from conftest import REPO, SharedModels, model_changes
from tindex import schema
from tindex.core.model import Model
from tindex.data import Dataset

sys.path.insert(0, str(REPO / "scripts"))
try:
    from refresh_golden import COMMANDS, produce
finally:
    sys.path.pop(0)


@pytest.mark.parametrize("start", [
    lambda: subprocess.run([sys.executable, "-c", "1"], check=False),
    lambda: subprocess.run(f"{sys.executable} -c 1 | head -1", shell=True, check=False),
    lambda: subprocess.run(["env", "tindex", "--version"], check=False),
    lambda: subprocess.run("tindex", capture_output=True, check=False),
    lambda: os.system("true"),
    pty.fork,
], ids=["python", "shell", "env", "tindex", "os.system", "pty.fork"])
def test_an_unmarked_test_cannot_start_a_program(start: Callable[[], object]) -> None:
    with pytest.raises(AssertionError, match=re.escape("mark it @pytest.mark.e2e")):
        start()


def test_an_unmarked_test_may_use_other_tools_and_popen_itself() -> None:
    done = subprocess.run(["true"], check=False)
    assert done.returncode == 0

    class Logged(subprocess.Popen[bytes]):
        pass

    assert issubclass(Logged, subprocess.Popen)


@pytest.mark.e2e
def test_an_e2e_test_may_start_tindex() -> None:
    done = subprocess.run([sys.executable, "-m", "tindex", "--version"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("tindex "), done.stderr


def test_a_change_to_a_shared_model_is_found(shared_models: dict[str, Model]) -> None:
    """The end-of-session check behind conftest's shared Model of the bundled data: after
    every golden command has run on it, nothing differs from a fresh Model; a view or a
    table changed in place is named."""
    for name in COMMANDS:
        code, _, err = produce(name, "csv")
        assert code == 0 and err == "", err
    shared = shared_models["data/"]
    assert model_changes(shared) == []
    assert {"indices", "names", "caveats", "_sources_by_id"} <= set(vars(shared))
    changed = Model(Dataset(shared.dataset.data_dir, "data/"))
    changed.indices.pop("gti")
    scores = changed.dataset.table(schema.INDEX_SCORES)
    scores.loc[scores.index[0], "score"] = 1000.0
    assert model_changes(changed) == ["indices", "index_scores.csv"]


@pytest.mark.parametrize("check_each", [True, False])
def test_a_failed_shared_model_check_names_the_test_to_look_at(
        shared_models: dict[str, Model], check_each: bool) -> None:
    """Checked at each hand-out, the test that changed the Model is named; checked only at
    the end, the last test handed it, and how to find the one that changed it."""
    data_dir = shared_models["data/"].dataset.data_dir
    models = SharedModels(check_each=check_each)
    first = Model(Dataset(data_dir, "data/"))
    assert models.hand_out(first, "tests/a.py::test_changes_it") is first
    first.indices.pop("gti")
    again = Model(Dataset(data_dir, "data/"))
    if check_each:
        with pytest.raises(AssertionError, match=re.escape(
                "tests/a.py::test_changes_it changed the shared Model: ['indices']")):
            models.hand_out(again, "tests/b.py::test_reads_it")
        return
    assert models.hand_out(again, "tests/b.py::test_reads_it") is first
    with pytest.raises(AssertionError) as failed:
        models.check()
    assert str(failed.value) == (
        "a command changed the shared Model: {'data/': ['indices']}; the last test handed it: "
        "{'data/': 'tests/b.py::test_reads_it'}; TINDEX_CHECK_SHARED_MODEL=each names the test "
        "that changed it")
