"""The test harness's own helpers that need neither a store nor a server."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from tests.support.backends import remove_at_exit


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
