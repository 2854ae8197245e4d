"""A fast loopback feed server for benchmarks, run as its own process.

Two modes:

- generated (the original one, used by ``benchmarks.scale``): every path
  ``/feed/N.xml`` serves a small RSS feed with ``ENTRIES`` items;
- ``--dir CORPUS``: serves the files ``benchmarks.corpus`` wrote, ``/feed/N.xml``
  from ``CORPUS/N.xml``, all loaded into memory (with their gzip versions)
  before the port opens.

Both answer with an ``ETag`` and a ``Last-Modified``; a request whose
``If-None-Match`` matches (or, without it, whose ``If-Modified-Since`` is not
older) gets a ``304``.  With ``Accept-Encoding: gzip`` the body is sent
gzipped.  ``--latency-ms`` delays every answer.  ``GET /_stats`` answers the
counts of each status served so far as JSON (``POST``-free, so any client can
read it); ``/_stats?reset=1`` also resets them.  Written on bare asyncio
streams so the server, not the client under test, is never the bottleneck.

    python -m benchmarks.corpus_server PORT [ENTRIES]
    python -m benchmarks.corpus_server PORT --dir CORPUS [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import gzip
import hashlib
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ENTRY = ("<item><title>Story {n}-{i}</title><link>https://news.example.org/{n}/{i}</link>"
         "<guid isPermaLink=\"false\">{n}-{i}</guid>"
         "<pubDate>Thu, 26 Nov 2026 0{h}:00:00 +0000</pubDate>"
         "<description>&lt;p&gt;Body of story {i} in feed {n}.&lt;/p&gt;</description></item>")
LAST_MODIFIED = "Thu, 26 Nov 2026 00:00:00 GMT"
CONTENT_TYPES = {"rss2": "application/rss+xml", "atom": "application/atom+xml",
                 "rss1": "application/rdf+xml"}


def feed_body(n: int, entries: int) -> bytes:
    items = "".join(ENTRY.format(n=n, i=i, h=i % 10) for i in range(entries))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed {n}</title><link>https://news.example.org/{n}/</link>"
            f"<description>d</description>{items}</channel></rss>").encode()


@dataclass(frozen=True)
class Document:
    body: bytes
    gzipped: bytes | None
    etag: str
    last_modified: str
    content_type: str


class Documents:
    """The documents served, by feed number: from a corpus folder or generated."""

    def __init__(self, entries: int, folder: Path | None) -> None:
        self.entries = entries
        self.by_number: dict[int, Document] = {}
        self.generated = folder is None
        if folder is not None:
            manifest = json.loads((folder / "manifest.json").read_text())
            last_modified = manifest["last_modified"]
            for n, fmt in enumerate(manifest["formats"]):
                body = (folder / f"{n}.xml").read_bytes()
                packed = folder / f"{n}.xml.gz"
                gzipped = packed.read_bytes() if packed.exists() else gzip.compress(body)
                self.by_number[n] = Document(body, gzipped, _etag(body), last_modified,
                                             CONTENT_TYPES[fmt])

    def get(self, n: int) -> Document | None:
        if not self.generated:
            return self.by_number.get(n)
        body = feed_body(n, self.entries)
        return Document(body, None, _etag(body), LAST_MODIFIED, "application/rss+xml")


def _etag(body: bytes) -> str:
    return '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'


def _not_modified(doc: Document, headers: dict[str, str]) -> bool:
    match = headers.get("if-none-match")
    if match is not None:
        tags = [t.strip().removeprefix("W/") for t in match.split(",")]
        return doc.etag in tags or "*" in tags
    since = headers.get("if-modified-since")
    if since is None:
        return False
    try:
        asked = email.utils.parsedate_to_datetime(since)
        changed = email.utils.parsedate_to_datetime(doc.last_modified)
    except (TypeError, ValueError):
        return False
    return changed <= asked


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 docs: Documents, latency_s: float, stats: Counter[str]) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, version = lines[0].split(" ", 2)
            pairs = (line.partition(":") for line in lines[1:] if line)
            headers = {k.strip().lower(): v.strip() for k, _, v in pairs}
            close = (headers.get("connection", "").lower() == "close"
                     or version == "HTTP/1.0")
            if latency_s:
                await asyncio.sleep(latency_s)
            response = respond(method, path, headers, docs, stats)
            if close:
                response = response.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
            writer.write(response)
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError,
            IndexError, ValueError):
        pass
    finally:
        writer.close()


def respond(method: str, path: str, headers: dict[str, str], docs: Documents,
            stats: Counter[str]) -> bytes:
    if path.startswith("/_stats"):
        body = json.dumps(dict(stats)).encode()
        if "reset=1" in path:
            stats.clear()
        return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body)) + body
    try:
        number = int(path.split("?", 1)[0].rsplit("/", 1)[-1].split(".", 1)[0] or 0)
    except ValueError:
        number = -1
    doc = docs.get(number)
    if doc is None:
        stats["404"] += 1
        return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    common = (f"ETag: {doc.etag}\r\nLast-Modified: {doc.last_modified}\r\n"
              "Cache-Control: max-age=60\r\n")
    if _not_modified(doc, headers):
        stats["304"] += 1
        return f"HTTP/1.1 304 Not Modified\r\n{common}\r\n".encode()
    stats["200"] += 1
    body, encoding = doc.body, ""
    if doc.gzipped is not None and "gzip" in headers.get("accept-encoding", ""):
        body, encoding = doc.gzipped, "Content-Encoding: gzip\r\n"
        stats["gzip"] += 1
    stats["bytes"] += len(body)
    head = (f"HTTP/1.1 200 OK\r\n{common}Content-Type: {doc.content_type}\r\n"
            f"Vary: Accept-Encoding\r\n{encoding}Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + (body if method != "HEAD" else b"")


async def main(port: int, entries: int, folder: Path | None = None,
               latency_ms: float = 0.0) -> None:
    docs = Documents(entries, folder)
    stats: Counter[str] = Counter()
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, docs, latency_ms / 1000, stats), "127.0.0.1", port,
        backlog=4096, limit=1 << 16)
    print(f"serving on 127.0.0.1:{port}", file=sys.stderr, flush=True)
    async with server:
        await server.serve_forever()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("port", type=int)
    parser.add_argument("entries", type=int, nargs="?", default=5,
                        help="items per generated feed (without --dir)")
    parser.add_argument("--dir", type=Path, default=None, help="a benchmarks.corpus folder")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="delay before every answer")
    args = parser.parse_args()
    asyncio.run(main(args.port, args.entries, args.dir, args.latency_ms))


if __name__ == "__main__":
    cli()
