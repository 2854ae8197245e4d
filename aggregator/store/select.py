"""SQL for what an output shows: filters, paging cursors, full-text search.

Filters that SQL can answer (tags, feeds, full-text query, age) become
WHERE clauses; keyword/regex include and exclude rules are applied to the
rows SQL returns, reading more until the page is full (bounded).  Pages are
cut by a cursor ``(sort_at, id)`` so a reader can walk back through history
(RFC 5005) and a new story never shifts the pages behind it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from aggregator.errors import StoreError
from aggregator.models import Filters, StoredEntry, plain_text, to_iso
from aggregator.store.base import StoreBase
from aggregator.store.entries import ENTRY_COLUMNS, stored_entry
from aggregator.store.fts import fts_query
from aggregator.store.stories import sightings_of

MAX_SCAN_ROUNDS = 10  # include/exclude rules read at most this many pages of candidates


class QueryError(StoreError):
    """A full-text query SQLite cannot parse: the user's mistake, not the store's."""

    def __init__(self, path: str, operation: str, problem: str) -> None:
        self.problem = problem  # what to tell the user, without the store's path
        super().__init__(path, operation, problem)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of an output, newest first, with the cursors around it."""

    items: tuple[StoredEntry, ...]
    first: tuple[str, int] | None  # cursor of the first (newest) item
    last: tuple[str, int] | None  # cursor of the last (oldest) item
    more: bool  # there may be older items


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One full-text search result."""

    entry: StoredEntry
    snippet: str


def _conditions(all_filters: Sequence[Filters], now: datetime,
                ) -> tuple[list[str], list[object]]:
    """WHERE clauses (over entries e, feeds f) and their parameters; every filter applies."""
    where, params = ["f.in_config = 1"], list[object]()
    for filters in all_filters:
        _add_conditions(filters, now, where, params)
    return where, params


def _add_conditions(filters: Filters, now: datetime, where: list[str],
                    params: list[object]) -> None:
    if filters.tags:
        marks = ",".join("?" * len(filters.tags))
        if filters.tags_mode == "all":
            where.append(f"(SELECT count(DISTINCT value) FROM json_each(f.tags) "  # noqa: S608
                         f"WHERE value IN ({marks})) = ?")  # only '?' marks are inserted
            params += [*filters.tags, len(set(filters.tags))]
        else:
            where.append(  # only '?' marks are inserted
                f"EXISTS (SELECT 1 FROM json_each(f.tags) WHERE value IN ({marks}))")  # noqa: S608
            params += filters.tags
    if filters.feeds:
        marks = ",".join("?" * len(filters.feeds))
        where.append(f"(f.config_url IN ({marks}) OR f.url IN ({marks}))")
        params += [*filters.feeds, *filters.feeds]
    query = fts_query(filters.query) if filters.query else None
    if query is not None:
        where.append("e.id IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)")
        params.append(query)
    if filters.since_s is not None:
        where.append("e.first_seen >= ?")
        params.append(to_iso(now - timedelta(seconds=filters.since_s)))


def rule_matcher(filters: Filters, compile_rule: Callable[[str], re.Pattern[str]],
                 ) -> Callable[[StoredEntry], bool] | None:
    """A predicate for the include/exclude rules, or None when there are none."""
    if not filters.include and not filters.exclude:
        return None
    include = [compile_rule(r) for r in filters.include]
    exclude = [compile_rule(r) for r in filters.exclude]

    def keep(entry: StoredEntry) -> bool:
        text = f"{entry.title or ''}\n{plain_text(entry.summary)}\n{plain_text(entry.content)}"
        if include and not any(p.search(text) for p in include):
            return False
        return not any(p.search(text) for p in exclude)

    return keep


class SelectMixin:
    """Pages of entries or stories for outputs, and full-text search."""

    def select_page(self: StoreBase, filters: Sequence[Filters], *, dedupe: bool, limit: int,
                    now: datetime,
                    before: tuple[str, int] | None = None, after: tuple[str, int] | None = None,
                    keep: Callable[[StoredEntry], bool] | None = None) -> Page:
        """The newest ``limit`` items matching ``filters``, older than ``before`` or newer
        than ``after``; a full-text query goes through ``fts_query``."""
        where, params = _conditions(filters, now)
        newer = after is not None
        cursor = after if newer else before
        items: list[tuple[str, int, StoredEntry]] = []
        for _ in range(MAX_SCAN_ROUNDS):
            try:
                batch = _fetch(self.conn, where, params, dedupe=dedupe, limit=limit + 1,
                               cursor=cursor, newer=newer)
            except sqlite3.OperationalError as exc:
                if not any(f.query for f in filters):
                    raise
                # fts_query made it parse; a limit of FTS5 itself could still refuse it
                raise QueryError(self.path, "query", f"not a valid full-text query: {exc}",
                                 ) from None
            items += [row for row in batch if keep is None or keep(row[2])]
            if len(batch) <= limit or len(items) > limit:
                break
            cursor = batch[-1][:2]
        more = len(items) > limit
        items = items[:limit]
        if newer:
            items.reverse()  # fetched oldest first, shown newest first
        return Page(items=tuple(entry for _, _, entry in items),
                    first=items[0][:2] if items else None,
                    last=items[-1][:2] if items else None,
                    more=more or newer)

    def search(self: StoreBase, query: str, limit: int, offset: int) -> list[SearchHit]:
        """Entries matching a full-text ``query`` (see ``fts_query``), best first, with a
        snippet each; none for a query with nothing to search for."""
        match = fts_query(query)
        if match is None:
            return []
        try:
            rows = self.conn.execute(
                f"""SELECT {ENTRY_COLUMNS},
                      snippet(entries_fts, 1, '[', ']', '…', 24)
                    FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid
                    JOIN feeds f ON f.id = e.feed_id
                    WHERE entries_fts MATCH ? AND f.in_config = 1
                    ORDER BY rank LIMIT ? OFFSET ?""",  # noqa: S608 - constants only
                (match, limit, offset)).fetchall()
        except sqlite3.OperationalError as exc:
            raise QueryError(self.path, "search", f"not a valid query: {exc}") from None
        return [SearchHit(stored_entry(row[:-1]), str(row[-1])) for row in rows]

    def all_tags(self: StoreBase) -> list[str]:
        """Every tag of the configured feeds, sorted."""
        return [row[0] for row in self.conn.execute(
            "SELECT DISTINCT value FROM feeds, json_each(feeds.tags) WHERE in_config = 1 "
            "ORDER BY value")]


def _fetch(conn: sqlite3.Connection, where: Sequence[str], params: Sequence[object], *,
           dedupe: bool, limit: int, cursor: tuple[str, int] | None,
           newer: bool) -> list[tuple[str, int, StoredEntry]]:
    """One batch of (sort_at, id, item) in page order (newest first, or oldest first if newer)."""
    op, order = (">", "ASC") if newer else ("<", "DESC")
    page_where = f" AND (x.sort_at, x.id) {op} (?, ?)" if cursor else ""
    page_params = list(cursor) if cursor else []
    conds = " AND ".join(where)
    if not dedupe:
        rows = conn.execute(
            f"""SELECT e.sort_at, e.id, {ENTRY_COLUMNS} FROM entries e
                JOIN feeds f ON f.id = e.feed_id
                WHERE {conds}{page_where.replace("x.", "e.")}
                ORDER BY e.sort_at {order}, e.id {order} LIMIT ?""",  # noqa: S608
            (*params, *page_params, limit)).fetchall()
        return [(r[0], r[1], stored_entry(r[2:])) for r in rows]
    story_rows = conn.execute(
        f"""SELECT x.sort_at, x.id, x.representative_id, x.uid FROM stories x
            WHERE EXISTS (SELECT 1 FROM entries e JOIN feeds f ON f.id = e.feed_id
                          WHERE e.story_id = x.id AND {conds}){page_where}
            ORDER BY x.sort_at {order}, x.id {order} LIMIT ?""",  # noqa: S608
        (*params, *page_params, limit)).fetchall()
    return _stories(conn, story_rows)


def _stories(conn: sqlite3.Connection, rows: Sequence[tuple[str, int, int, str]],
             ) -> list[tuple[str, int, StoredEntry]]:
    """Stories as their representative entries with their other sightings."""
    if not rows:
        return []
    marks = ",".join("?" * len(rows))
    found = {r[0]: r[1:] for r in conn.execute(
        f"""SELECT e.id, {ENTRY_COLUMNS} FROM entries e JOIN feeds f ON f.id = e.feed_id
            WHERE e.id IN ({marks})""", [r[2] for r in rows])}  # noqa: S608
    sightings = sightings_of(conn, [r[1] for r in rows])
    result = []
    for sort_at, story_id, rep_id, uid in rows:
        row = found.get(rep_id)
        if row is None:
            continue
        also = tuple(s for s in sightings.get(story_id, ())
                     if not (s.url == row[5] and s.feed_url == row[1]))
        result.append((sort_at, story_id, stored_entry(row, also, uid)))
    return result
