"""A fast loopback feed server for benchmarks, run as its own process.

Every path ``/feed/N.xml`` serves a small RSS feed with an ETag; a request
carrying that ETag in If-None-Match gets a 304.  Written on bare asyncio
streams so the server, not our aggregator, is never the bottleneck.

    python -m benchmarks.corpus_server PORT [ENTRIES]
"""

from __future__ import annotations

import asyncio
import hashlib
import sys

ENTRY = ("<item><title>Story {n}-{i}</title><link>https://news.example.org/{n}/{i}</link>"
         "<guid isPermaLink=\"false\">{n}-{i}</guid>"
         "<pubDate>Thu, 26 Nov 2026 0{h}:00:00 +0000</pubDate>"
         "<description>&lt;p&gt;Body of story {i} in feed {n}.&lt;/p&gt;</description></item>")


def feed_body(n: int, entries: int) -> bytes:
    items = "".join(ENTRY.format(n=n, i=i, h=i % 10) for i in range(entries))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed {n}</title><link>https://news.example.org/{n}/</link>"
            f"<description>d</description>{items}</channel></rss>").encode()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 entries: int) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            pairs = (line.partition(":") for line in lines[1:] if line)
            headers = {k.lower(): v.strip() for k, _, v in pairs}
            number = int(path.rsplit("/", 1)[-1].split(".")[0] or 0)
            body = feed_body(number, entries)
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            if headers.get("if-none-match") == etag:
                writer.write(f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n"
                             "Content-Length: 0\r\n\r\n".encode())
            else:
                writer.write(f"HTTP/1.1 200 OK\r\nETag: {etag}\r\n"
                             f"Content-Type: application/rss+xml\r\n"
                             f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, IndexError, ValueError):
        pass
    finally:
        writer.close()


async def main(port: int, entries: int) -> None:
    server = await asyncio.start_server(lambda r, w: handle(r, w, entries), "127.0.0.1", port,
                                        backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5))
