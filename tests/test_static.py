"""Static outputs: every file written atomically, nothing half-written, nothing outside DIR."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.serve.static import write_file, write_outputs

DOCUMENTS = {
    "feed.atom": b"<feed>atom</feed>\n",
    "feed.rss": b"<rss>rss</rss>\n",
    "feed.json": b'{"version": "https://jsonfeed.org/version/1.1"}\n',
    "o/asia.atom": b"<feed>asia</feed>\n",
    "feed.xsl": b"<xsl/>\n",
    "index.html": "<p>caf\u00e9</p>\n".encode(),
}


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (hidden ones too) by relative POSIX name."""
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in directory.rglob("*") if p.is_file()}


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_writes_every_file_with_its_bytes(tmp_path: Path, umask_022: None) -> None:
    out = tmp_path / "public"  # created on demand, like o/
    written = write_outputs(out, DOCUMENTS)
    assert written == [out / name for name in DOCUMENTS]
    assert tree(out) == DOCUMENTS  # and no temporary file anywhere
    # Readable by a web server running as another user, as open() would create it.
    assert stat.S_IMODE((out / "feed.atom").stat().st_mode) == 0o644


def test_unchanged_files_are_left_alone(tmp_path: Path) -> None:
    write_outputs(tmp_path, DOCUMENTS)
    before = {name: (tmp_path / name).stat() for name in DOCUMENTS}
    changed = dict(DOCUMENTS, **{"feed.rss": b"<rss>new</rss>\n"})
    assert write_outputs(tmp_path, changed) == [tmp_path / "feed.rss"]
    for name, old in before.items():
        now = (tmp_path / name).stat()
        same = (now.st_ino, now.st_mtime_ns) == (old.st_ino, old.st_mtime_ns)
        assert same is (name != "feed.rss"), name
    assert tree(tmp_path) == changed


def test_a_failure_midway_leaves_earlier_files_complete_and_no_temporary_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace
    calls: list[str] = []

    def failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls.append(str(dst))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        write_outputs(tmp_path, DOCUMENTS)
    assert tree(tmp_path) == {"feed.atom": DOCUMENTS["feed.atom"]}
    assert len(calls) == 2  # nothing was attempted after the failure


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "feed.atom").write_bytes(b"old")

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output"):
        write_outputs(tmp_path, {"feed.atom": b"new"})
    assert tree(tmp_path) == {"feed.atom": b"old"}


def test_an_existing_file_is_replaced_atomically(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "feed.atom"
    old, new = b"<feed>old</feed>\n", b"<feed>new</feed>\n" * 1000
    target.write_bytes(old)
    old_inode = target.stat().st_ino
    real_replace = os.replace
    seen_just_before_replace: list[tuple[bytes, bytes]] = []

    def watching_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        # The new bytes are complete in their own file; the target still has the old ones.
        seen_just_before_replace.append((Path(src).read_bytes(), Path(dst).read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching_replace)
    with target.open("rb") as reader:  # a reader that opened the file before the write
        write_outputs(tmp_path, {"feed.atom": new})
        assert reader.read() == old  # it keeps the whole old file
    assert seen_just_before_replace == [(new, old)]
    assert target.stat().st_ino != old_inode  # a new file swapped in, not a rewrite
    assert tree(tmp_path) == {"feed.atom": new}


def test_an_existing_file_keeps_its_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "feed.atom"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_file(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_bytes() == b"new"


@pytest.mark.parametrize("name", [
    "../feed.atom", "o/../../feed.atom", "/etc/passwd", "", ".", "o/", "o\\..\\x", "a\x00b",
])
def test_names_that_could_escape_are_refused_before_anything_is_written(
        tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="relative file path"):
        write_outputs(out, {"feed.atom": b"x", name: b"y"})
    assert not out.exists()
    assert tree(tmp_path) == {}


def test_temporary_files_live_beside_their_target(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same directory, so same file system: os.replace is a rename, never a copy."""
    sources: list[Path] = []
    real_replace = os.replace

    def recording_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        sources.append(Path(src))
        assert Path(src).parent == Path(dst).parent
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recording_replace)
    write_outputs(tmp_path, {"o/asia.atom": b"a"})
    assert sources[0].name.startswith(".asia.atom.") and sources[0].suffix == ".tmp"
