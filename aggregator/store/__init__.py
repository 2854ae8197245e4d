"""The SQLite store: the only place with SQL.

``Store`` opens the file (WAL, a busy timeout, foreign keys), runs the
migrations, and offers one method per question or write the other stages
need.  The methods live in one mixin per table (``feeds.py``, ``entries.py``,
``fetches.py``); this module holds the connection and the transaction.

A fetch's writes happen inside one ``transaction()``: a kill mid-way leaves
the store as it was before the fetch or as after it, never in between.
The connection is not shared between threads: the service uses it only from
its event loop thread.  sqlite-utils' ``Database`` (``Store.db``) wraps the
same connection for schema introspection and for people exploring the store
from Python; it is made on first use, since importing sqlite-utils costs the
service ~13 MiB that it does not otherwise need.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from aggregator.errors import StoreError
from aggregator.store.checkpoint import BACKSTOP_PAGES, Checkpointer
from aggregator.store.entries import EntriesMixin
from aggregator.store.feeds import FeedsMixin
from aggregator.store.fetches import FetchesMixin
from aggregator.store.matching import MatchingMixin, WordCounts
from aggregator.store.schema import SCHEMA_VERSION, migrate
from aggregator.store.select import SelectMixin
from aggregator.store.stories import StoriesMixin

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 10_000

__all__ = ["SCHEMA_VERSION", "Store"]


class Store(FeedsMixin, EntriesMixin, MatchingMixin, FetchesMixin, StoriesMixin, SelectMixin):
    """One connection to the store; open with ``Store.open(path)``."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._depth = 0
        self._checkpointer: Checkpointer | None = None
        self.word_counts = WordCounts()  # see ``MatchingMixin``: kept for one transaction

    def checkpoint_in_background(self) -> None:
        """Checkpoint the WAL from a thread instead of inside the writer's commits.

        For the one process that writes a lot (the fetcher); idempotent.
        """
        if self._checkpointer is None and self.path != ":memory:":
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
            self._checkpointer = Checkpointer(self.path)

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils' view of the same connection."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    @classmethod
    def open(cls, path: str | Path, *, migrate_schema: bool = True) -> Store:
        """Open (creating if needed) and migrate the store at ``path``."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            problem = (f"{exc.filename} is not a directory"
                       if isinstance(exc, FileExistsError | NotADirectoryError)
                       else f"{exc.strerror or exc}: {exc.filename}")
            raise StoreError(str(path), "open",
                             f"cannot create its folder {path.parent}: {problem}") from None
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except (OSError, sqlite3.Error) as exc:
            reason = why_unopenable(path)
            message = f"{exc}: {reason}" if reason else str(exc)
            raise StoreError(str(path), "open", message) from exc
        if mode.lower() != "wal":
            conn.close()
            raise StoreError(str(path), "open", f"cannot use WAL mode (got {mode!r})")
        store = cls(conn, str(path))
        if migrate_schema:
            migrate(conn, str(path))
        return store

    def close(self) -> None:
        """Close the connection; a checkpoint folds the WAL back into the file."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        with suppress(sqlite3.Error):
            self.conn.execute("PRAGMA optimize")
        self.conn.close()

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[None]:
        """All writes inside commit together or not at all; nesting joins the outer one.

        ``commit=False`` rolls back even on success: a dry run that sees its own writes.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(self.path, "begin", str(exc)) from exc
        self._depth = 1
        self.word_counts.reset()
        try:
            yield
            if commit:
                self.write_word_counts()
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT" if commit else "ROLLBACK")
        finally:
            self._depth = 0
            self.word_counts.reset()

    def schema_version(self) -> int:
        """The version the store's schema is at."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])


def why_unopenable(path: Path) -> str | None:
    """Why SQLite cannot open ``path`` for writing, in words; None if nothing is seen.

    SQLite says only "unable to open database file" or "attempt to write a
    readonly database"; the user needs to know which of the usual causes it is.
    """
    folder = path.parent
    if path.is_dir():
        return "it is a directory"
    if os.statvfs(folder).f_flag & os.ST_RDONLY:
        return f"{folder} is on a read-only file system"
    if path.exists() and not os.access(path, os.R_OK):
        return f"no permission to read it ({_owner_mode(path)})"
    if path.exists() and not os.access(path, os.W_OK):
        return f"it is read-only ({_owner_mode(path)})"
    if not os.access(folder, os.W_OK | os.X_OK):
        return (f"no permission to create files in {folder} ({_owner_mode(folder)}); "
                "the store keeps its -wal and -shm files beside it")
    return None


def _owner_mode(path: Path) -> str:
    """"mode 0444, owner uid 0": enough to see whose file it is and what to chmod."""
    info = path.stat()
    return f"mode {info.st_mode & 0o777:04o}, owner uid {info.st_uid}"

