"""Write the outputs as static files (``aggregator publish --all -o DIR``), each atomically.

A web server or a sync job may read DIR at any moment, and feed readers may
fetch a file while it is being rewritten.  So no file is ever written in
place: the bytes go to a temporary file in the target's own directory (same
file system, so the rename is atomic), are fsynced, and ``os.replace`` swaps
the new file in; the directory is fsynced too so the rename survives a power
cut.  A reader sees the old file or the new one, never a mix.  Each file is
atomic; the set is not (a reader may see the new feed.atom with the old
feed.rss for a moment).

A file whose bytes are unchanged is left alone, keeping its mtime: static
servers derive Last-Modified and ETag from it, and a republish every few
minutes must not turn every conditional GET of feed readers into a 200.

File names come from our own code and from config (output names), so they
are checked before anything is written: relative POSIX paths that stay
inside DIR, else ValueError.  A symlinked directory inside DIR is followed,
as the operator made it; a symlinked file is replaced by a regular file.
I/O failures propagate as ``OSError`` after the temporary file is removed;
``cli`` turns them into one line.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

_NEW_FILE_MODE = 0o666  # before the umask, as open() would create it


def _relative(name: str) -> PurePosixPath:
    """``name`` as a path inside the output directory; ValueError if it could escape."""
    path = PurePosixPath(name)
    if (not path.parts or path.is_absolute() or ".." in path.parts or name.endswith("/")
            or "\\" in name or "\x00" in name):
        raise ValueError(f"output file name {name!r} is not a relative file path inside "
                         "the output directory (no leading '/', no '..', no '\\')")
    return path


def _unchanged(target: Path, body: bytes) -> bool:
    """True if ``target`` is a regular file holding exactly ``body``."""
    try:
        if target.stat().st_size != len(body):
            return False
        return target.read_bytes() == body
    except FileNotFoundError:
        return False


def _fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX; a no-op where dirs cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows: directories cannot be opened
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(target: Path, body: bytes) -> None:
    """Replace ``target`` with ``body`` atomically; no temporary file survives an error.

    The temporary file is created with O_EXCL under a random name (never
    someone else's file), with the mode a plain ``open()`` would give (the
    umask applies: ``mkstemp``'s 0600 would hide the feed from the web
    server), or the existing file's mode, which the operator may have set.
    """
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _NEW_FILE_MODE)
    try:
        try:
            with contextlib.suppress(FileNotFoundError):
                os.fchmod(fd, stat.S_IMODE(target.stat().st_mode))
            view = memoryview(body)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    _fsync_directory(target.parent)


def write_outputs(directory: Path, documents: Mapping[str, bytes]) -> list[Path]:
    """Write each ``documents[name]`` to ``directory / name``; return the paths written.

    Names are relative POSIX paths ("feed.atom", "o/asia.atom"); all are
    checked first, so a bad one (ValueError) writes nothing.  Directories
    are created as needed.  Files are written in the mapping's order, each
    atomically; files whose bytes are unchanged are skipped and not listed,
    so the result is what changed (e.g. the topics to ping a WebSub hub for).
    On an OSError the files before it are complete, the rest untouched.
    """
    targets = [(directory / _relative(name), body) for name, body in documents.items()]
    written: list[Path] = []
    for target, body in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        if _unchanged(target, body):
            continue
        write_file(target, body)
        written.append(target)
    return written
