"""The floor under a first ingest: feedparser alone on the corpus bytes, and a raw SQLite insert.

- ``feedparser.parse`` with its defaults (sanitizing and resolving relative
  URIs, as reader uses it) over the corpus files, in 1 process or a pool of
  ``--procs`` processes (started before the clock starts);
- ``executemany`` of the parsed entries into a table with a unique
  (feed, key) index, one transaction per feed, WAL and synchronous=NORMAL
  (the pragmas of our store).

Reports entries/s as JSON lines.  Runs in our venv (feedparser is ours too).

    python -m benchmarks.floor --corpus DIR [--procs 1] [--max-feeds 200]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import feedparser

from benchmarks.measure import emit


def parse_file(path: str) -> list[tuple[str, str, str, str, str]]:
    result: Any = feedparser.parse(Path(path).read_bytes())
    rows = []
    for entry in result.entries:
        content = entry.get("content")
        body = content[0].get("value", "") if content else entry.get("summary", "")
        rows.append((entry.get("id") or entry.get("link", ""), entry.get("title", ""),
                     entry.get("link", ""), entry.get("published", ""), body))
    return rows


def insert_rows(parsed: list[list[tuple[str, str, str, str, str]]]) -> float:
    """Seconds to store every parsed entry, one transaction per feed."""
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(Path(tmp) / "floor.db", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, feed INTEGER, key TEXT, "
                     "title TEXT, url TEXT, published TEXT, content TEXT)")
        conn.execute("CREATE UNIQUE INDEX entries_key ON entries (feed, key)")
        started = time.perf_counter()
        for feed, rows in enumerate(parsed):
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO entries (feed, key, title, url, published, content) "
                             "VALUES (?, ?, ?, ?, ?, ?)", [(feed, *row) for row in rows])
            conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", required=True, type=Path)
    parser.add_argument("--procs", type=int, default=1)
    parser.add_argument("--max-feeds", type=int, default=200)
    args = parser.parse_args()
    feeds = len(json.loads((args.corpus / "manifest.json").read_text())["formats"])
    paths = [str(args.corpus / f"{n}.xml") for n in range(min(feeds, args.max_feeds))]
    if args.procs > 1:
        with multiprocessing.get_context("fork").Pool(args.procs) as pool:
            pool.map(abs, range(args.procs))  # the workers are up before the clock starts
            started = time.perf_counter()
            parsed = pool.map(parse_file, paths, chunksize=1)
            seconds = time.perf_counter() - started
    else:
        started = time.perf_counter()
        parsed = [parse_file(path) for path in paths]
        seconds = time.perf_counter() - started
    entries = sum(map(len, parsed))
    emit("parse_done", procs=args.procs, feeds=len(paths), entries=entries, seconds=seconds)
    if args.procs == 1:
        emit("insert_done", entries=entries, seconds=insert_rows(parsed))
    emit("done")


if __name__ == "__main__":
    main()
