"""The test harness's own helpers that need neither a store nor a server: the demo template's clean-up at exit,
and when ``UPDATE_GOLDEN`` rewrites golden files."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from tests.support.backends import remove_at_exit
from tests.support.golden import check_golden, update_golden


def test_the_exit_clean_up_removes_the_folder_in_the_process_that_made_it(tmp_path: Path) -> None:
    folder = tmp_path / "template"
    folder.mkdir()
    (folder / "loyalty.db").write_bytes(b"x")
    remove_at_exit(folder, os.getpid() + 1)  # as a forked child would run it: another process's folder
    assert (folder / "loyalty.db").is_file()
    remove_at_exit(folder, os.getpid())
    assert not folder.exists()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_leaves_its_parents_folder(tmp_path: Path) -> None:
    folder = tmp_path / "template"
    folder.mkdir()
    owner = os.getpid()
    with warnings.catch_warnings():
        # Python 3.12 warns about forking a process with threads; the child only runs one function and leaves.
        warnings.simplefilter("ignore", DeprecationWarning)
        child = os.fork()
    if child == 0:  # the child runs the handler it inherited, as its exit would, and leaves at once
        try:
            remove_at_exit(folder, owner)
        finally:
            os._exit(0)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert folder.is_dir()


@pytest.mark.parametrize("value", ["1", "true", "YES", " y ", "on"])
def test_update_golden_asks_for_rewriting_with_an_explicit_yes(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", value)
    assert update_golden() is True


@pytest.mark.parametrize("value", [None, "", "0", "no", "false", "off", "2", "update"])
def test_update_golden_otherwise_compares_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("UPDATE_GOLDEN", raising=False)
    else:
        monkeypatch.setenv("UPDATE_GOLDEN", value)
    assert update_golden() is False
    golden = tmp_path / "answer.xml"
    golden.write_bytes(b"<old/>")
    with pytest.raises(AssertionError):
        check_golden(golden, b"<new/>")
    assert golden.read_bytes() == b"<old/>"


def test_update_golden_1_rewrites_a_golden_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    golden = tmp_path / "new" / "answer.xml"
    check_golden(golden, b"<new/>")
    assert golden.read_bytes() == b"<new/>"
