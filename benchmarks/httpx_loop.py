"""The bare baseline for a polling cycle: an httpx conditional-GET loop, nothing else.

Pass 0 GETs every URL (bodies read, not parsed) and keeps each ETag and
Last-Modified; each later pass sends them back (every answer a 304 from
``benchmarks.corpus_server``) with ``concurrency`` requests in flight over
one ``httpx.AsyncClient``.  Reports each pass as a JSON line, like
``benchmarks.run_ours``.

    python -m benchmarks.httpx_loop --urls urls.txt [--concurrency 16] [--passes 3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from pathlib import Path

import httpx

from benchmarks.measure import emit


async def one_pass(client: httpx.AsyncClient, urls: list[str],
                   validators: dict[str, dict[str, str]], concurrency: int) -> Counter[int]:
    pending = iter(urls)
    statuses: Counter[int] = Counter()

    async def worker() -> None:
        for url in pending:
            response = await client.get(url, headers=validators.get(url, {}))
            statuses[response.status_code] += 1
            if response.status_code == 200:
                kept = {}
                if "etag" in response.headers:
                    kept["If-None-Match"] = response.headers["etag"]
                if "last-modified" in response.headers:
                    kept["If-Modified-Since"] = response.headers["last-modified"]
                validators[url] = kept

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
    return statuses


async def loop(urls: list[str], concurrency: int, passes: int) -> None:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    validators: dict[str, dict[str, str]] = {}
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:
        for number in range(passes + 1):
            started = time.perf_counter()
            statuses = await one_pass(client, urls, validators, concurrency)
            emit("pass_done", cycle=number, seconds=time.perf_counter() - started,
                 statuses={str(k): v for k, v in statuses.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--urls", required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--passes", type=int, default=3, help="conditional passes after the first")
    args = parser.parse_args()
    asyncio.run(loop(Path(args.urls).read_text().split(), args.concurrency, args.passes))
    emit("done")


if __name__ == "__main__":
    main()
