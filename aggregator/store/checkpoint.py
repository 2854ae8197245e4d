"""Folding the WAL back into the database from a thread of its own.

SQLite's automatic checkpoint runs inside the COMMIT that crosses its
threshold: the writer waits while pages are copied and the files synced.
During a first ingest that was a fifth of the writer's time.  Here a daemon
thread with its own connection runs a PASSIVE checkpoint whenever the WAL
has grown past ``wal_bytes``; the sqlite3 module releases the GIL while
SQLite works, so the writer goes on meanwhile.  The writer's automatic
checkpoint stays on at a much higher threshold, as a backstop should this
thread fall behind or die.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading

log = logging.getLogger(__name__)
BACKSTOP_PAGES = 25_000  # ~100 MB of WAL at 4 KiB pages before the writer checkpoints itself


class Checkpointer:
    """A thread that checkpoints the WAL of ``path`` when it grows; ``stop`` joins it."""

    def __init__(self, path: str, wal_bytes: int = 8 << 20, interval_s: float = 0.25) -> None:
        self.path = path
        self.wal_bytes = wal_bytes
        self.interval_s = interval_s
        self.checkpoints = 0  # done so far
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the checkpoint under way, if any, and end the thread."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            log.warning("background checkpoints off for %s: %s", self.path, exc)
            return
        try:
            while not self._stop.wait(self.interval_s):
                if self._wal_size() >= self.wal_bytes:
                    self._checkpoint(conn)
        finally:
            conn.close()

    def _wal_size(self) -> int:
        try:
            return os.stat(self.path + "-wal").st_size
        except OSError:
            return 0

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.checkpoints += 1
        except sqlite3.Error as exc:  # busy or locked: the next round tries again
            log.debug("checkpoint of %s skipped: %s", self.path, exc)
