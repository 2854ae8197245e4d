"""A store that cannot be opened says why, not only "unable to open database file"."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.errors import StoreError
from aggregator.store import Store

NOBODY = 65534


def test_a_directory_is_named(tmp_path: Path) -> None:
    (tmp_path / "store.db").mkdir()
    with pytest.raises(StoreError, match="unable to open database file: it is a directory"):
        Store.open(tmp_path / "store.db")


def test_a_file_where_the_folder_should_be_is_named(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("")
    with pytest.raises(StoreError) as info:
        Store.open(tmp_path / "data" / "store.db")
    assert f"cannot create its folder {tmp_path / 'data'}" in str(info.value)
    assert "is not a directory" in str(info.value)


def test_a_missing_folder_is_made(tmp_path: Path) -> None:
    Store.open(tmp_path / "new" / "folder" / "store.db").close()
    assert (tmp_path / "new" / "folder" / "store.db").is_file()


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder another user may enter (pytest's tmp_path is private to its owner)."""
    folder = Path(tempfile.mkdtemp(prefix="aggregator-open-"))
    folder.chmod(0o755)
    yield folder
    for path in (folder, *folder.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(folder)


def open_as_someone_else(path: Path) -> str:
    """Store.open(path) by an unprivileged user (root may write anything), its error text."""
    code = ("import sys\nfrom aggregator.store import Store\n"
            "try:\n    Store.open(sys.argv[1]).close()\nexcept Exception as exc:\n"
            "    print(exc)\n")
    command = [sys.executable, "-c", code, str(path)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root, and no setpriv to drop privileges with")
        command[:0] = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    if "ModuleNotFoundError" in done.stderr or "Permission denied: '" in done.stderr:
        pytest.skip("the unprivileged user cannot run this checkout's Python")
    assert done.returncode == 0, done.stderr
    return str(done.stdout)


def test_permission_problems_are_named(shared: Path) -> None:
    for name in ("readonly.db", "unreadable.db", "locked/store.db"):
        (shared / name).parent.mkdir(exist_ok=True)
        Store.open(shared / name).close()
    (shared / "readonly.db").chmod(0o444)
    (shared / "unreadable.db").chmod(0o000)
    (shared / "locked" / "store.db").chmod(0o666)
    (shared / "locked").chmod(0o555)
    (shared / "closed").mkdir(mode=0o555)
    expected = {
        "readonly.db": "it is read-only (mode 0444",
        "unreadable.db": "no permission to read it (mode 0000",
        "locked/store.db": f"no permission to create files in {shared / 'locked'} (mode 0555",
        "closed/new.db": f"no permission to create files in {shared / 'closed'} (mode 0555",
    }
    for name, reason in expected.items():
        message = open_as_someone_else(shared / name)
        assert f"{shared / name}: open: " in message
        assert reason in message, message
