"""What a user types, as a query FTS5 accepts: the one way text reaches ``MATCH``.

FTS5 has a query language (AND/OR/NOT, "phrases", prefix*, column:), and
ordinary words break it: ``covid-19`` reads as a column filter, ``C++``,
``don't``, ``U.S.`` and ``50%`` are syntax errors.  So a query is first
parsed as FTS5 syntax, against an empty table shaped like ``entries_fts``,
and if SQLite refuses it, each whitespace-separated term is quoted instead:
a phrase is always valid, and FTS5's tokenizer then splits it as it splits
the stored text.  Plain text always works; the syntax keeps working for
those who use it.
"""

from __future__ import annotations

import sqlite3
import threading
from functools import lru_cache

# Mirrors entries_fts in schema.py (same columns, same tokenizer): a column
# filter is valid here exactly when it is valid there.
_PROBE_TABLE = """CREATE VIRTUAL TABLE entries_fts USING fts5 (
    title, body, tokenize = 'unicode61 remove_diacritics 2'
)"""

_lock = threading.Lock()
_probe: sqlite3.Connection | None = None


def fts_query(text: str) -> str | None:
    """``text`` as an FTS5 query: as written if FTS5 parses it, else every term quoted.

    None when there is nothing to search for (empty or only whitespace).
    """
    text = text.replace("\x00", " ").strip()  # FTS5 reads a NUL as the end of the query
    if not text:
        return None
    return text if _parses(text) else quote_terms(text)


def quote_terms(text: str) -> str:
    """Every whitespace-separated term as an FTS5 phrase, all of them required."""
    terms = text.replace("\x00", " ").split()
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


@lru_cache(maxsize=1024)
def _parses(query: str) -> bool:
    """True if FTS5 accepts ``query``: it parses a query only when it runs one."""
    global _probe  # noqa: PLW0603 - one private connection, made on first use
    with _lock:
        if _probe is None:
            _probe = sqlite3.connect(":memory:", check_same_thread=False)
            _probe.execute(_PROBE_TABLE)
        try:
            _probe.execute("SELECT 1 FROM entries_fts WHERE entries_fts MATCH ?",
                           (query,)).fetchall()
        except sqlite3.Error:
            return False
    return True
