"""What every table mixin of ``Store`` may rely on."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Protocol


class StoreBase(Protocol):
    """The connection, the file's path, and the one transaction helper."""

    conn: sqlite3.Connection
    path: str

    def transaction(self, *, commit: bool = True) -> AbstractContextManager[None]:
        """See ``Store.transaction``."""
        ...


def chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """Slices of at most ``size`` items: SQLite bounds the number of ``?`` in a query."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
