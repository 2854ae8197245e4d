"""The measurements beside the ingest comparison: render, serving, dedupe cost, scale.

Each returns a Markdown table; ``benchmarks.bench --extras render,serve,dedupe,scale``
runs them after the main comparison and adds their tables to the report.

- render: the newest 100 of the merged feed (Atom), cold (a fresh store
  connection, so SQLite's page cache is empty; the OS cache is warm) and
  from the output cache, with 10,000 and 1,000,000 entries stored (seeded as
  ``benchmarks.dedupe_cost`` seeds them).  Target: cold at 1M <= 1.5x at 10k.
- serve: req/s and p99 of a cached ``/feed.atom`` from ``aggregator run``,
  with and without ``If-None-Match``, by ``wrk`` on loopback, against the
  same uvicorn serving a Starlette app that answers the same bytes as a
  constant (``benchmarks.constant_app``).  Target: >= 0.8x the constant body.
- dedupe and scale: ``benchmarks.dedupe_cost`` and ``benchmarks.scale`` as
  they are, their tables included verbatim.

    python -m benchmarks.extras render|serve|dedupe|scale [--sizes ...]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRK_SECONDS = 10
WRK_CONNECTIONS = 16


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(folder: Path, port: int = 8080) -> Path:
    path = folder / "feeds.toml"
    path.write_text(f"""[settings]
database = "bench.db"
interval = "1d"
parse_workers = 1

[server]
port = {port}

[output]
base_url = "http://127.0.0.1:{port}/"
max_entries = 100

[[feeds]]
url = "http://127.0.0.1:9/rss"
""")
    return path


def seed_store(folder: Path, entries: int) -> Path:
    """A store with ``entries`` entries (one feed), as ``benchmarks.dedupe_cost`` seeds it."""
    from aggregator.config import load_config
    from aggregator.models import utc_now
    from aggregator.store import Store
    from benchmarks.dedupe_cost import seed

    config_path = _config(folder)
    config = load_config(config_path)
    store = Store.open(config.settings.database)
    store.sync_feeds(config.feeds, config.settings.interval_s, utc_now())
    seed(store, entries, random.Random(entries))
    store.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                       "WHERE key = 'content_version'")
    store.close()
    return config_path


def render(sizes: Sequence[int], repeats: int = 15) -> str:
    """Cold and cached renders of each size's store, the sizes measured in turns.

    All the stores are seeded first and then rendered one after the other,
    round by round: on a shared machine whose speed drifts over minutes, a
    size measured minutes after another compares the machine, not the store.
    """
    from aggregator.config import load_config
    from aggregator.serve import render_merged
    from aggregator.serve.app import OutputCache
    from aggregator.serve.outputs import Params, views_for
    from aggregator.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        configs, seeded = [], []
        for size in sizes:
            folder = Path(tmp) / str(size)
            folder.mkdir()
            started = time.perf_counter()
            configs.append(load_config(seed_store(folder, size)))
            seeded.append(time.perf_counter() - started)
        cold: list[list[float]] = [[] for _ in sizes]
        bodies = [b""] * len(sizes)
        for _ in range(repeats):
            for n, config in enumerate(configs):
                store = Store.open(config.settings.database)
                begin = time.perf_counter()
                bodies[n] = render_merged(store, config, "atom")
                cold[n].append(time.perf_counter() - begin)
                store.close()
        cached: list[float] = []
        for config in configs:
            store = Store.open(config.settings.database)
            cache = OutputCache(store, config)
            view = views_for(config)["/feed"]
            cache.get(view, "atom", Params())
            times = []
            for _ in range(repeats * 10):
                begin = time.perf_counter()
                cache.get(view, "atom", Params())
                times.append(time.perf_counter() - begin)
            cached.append(statistics.median(times))
            store.close()
    results = [(size, seeded[n], statistics.median(cold[n]), cached[n], len(bodies[n]))
               for n, size in enumerate(sizes)]
    base = results[0][2]
    lines = ["| stored entries | seed s | cold render, median ms | vs first | from cache, "
             "median ms | body KB |", "|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {size:,} | {seed_s:.0f} | {cold_s * 1000:.1f} | {cold_s / base:.2f}x | "
              f"{cached_s * 1000:.3f} | {length / 1000:.0f} |"
              for size, seed_s, cold_s, cached_s, length in results]
    return "\n".join(lines) + ("\n\nTarget: cold at 1M <= 1.5x cold at 10k. The stores are "
                               f"rendered in turns, {repeats} rounds; medians.")


def _wait_http(port: int, path: str, timeout_s: float = 60) -> bytes:
    import httpx

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            response = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5)
            if response.status_code == 200:
                return response.content
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def _wrk(url: str, headers: Sequence[str] = ()) -> tuple[float, float]:
    """(requests/s, p99 ms) from ``wrk --latency``."""
    argv = ["wrk", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{WRK_SECONDS}s", "--latency"]
    for header in headers:
        argv += ["-H", header]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rate, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def serve(entries: int = 10_000, rounds: int = 3) -> str:
    """wrk against ``aggregator run`` and the constant-body app, alternating, ``rounds`` times.

    The two servers are measured in turns, not one after the other, so a burst
    of other load on the machine hits both alike; each figure is the median.
    Both run from the runtime-only venv (``benchmarks.bench.ours_python``).
    """
    import httpx

    from benchmarks.bench import ours_python

    if shutil.which("wrk") is None:
        return "wrk is not installed (`apt-get install -y wrk`): serving not measured."
    python = str(ours_python())
    samples: dict[str, list[tuple[float, float, float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        app_port, const_port = _free_port(), _free_port()
        config = seed_store(folder, entries)
        _config(folder, app_port)
        service = subprocess.Popen([python, "-m", "aggregator.cli", "--log-level",
                                    "warning", "--config", str(config), "run"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            body = _wait_http(app_port, "/feed.atom")
            etag = httpx.get(f"http://127.0.0.1:{app_port}/feed.atom").headers["etag"]
            (folder / "body.xml").write_bytes(body)
            constant = subprocess.Popen(
                [python, "-m", "benchmarks.constant_app", str(const_port),
                 str(folder / "body.xml"), etag], cwd=ROOT,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                _wait_http(const_port, "/feed.atom")
                for _ in range(rounds):
                    for label, port in (("aggregator run", app_port),
                                        ("constant body", const_port)):
                        url = f"http://127.0.0.1:{port}/feed.atom"
                        samples.setdefault(label, []).append(
                            (*_wrk(url), *_wrk(url, [f"If-None-Match: {etag}"])))
            finally:
                constant.send_signal(signal.SIGTERM)
                constant.wait(timeout=10)
        finally:
            service.send_signal(signal.SIGTERM)
            service.wait(timeout=15)
    rows = [(label, *(statistics.median(s[i] for s in runs) for i in range(4)))
            for label, runs in samples.items()]
    ours, const = rows
    lines = ["| server | 200 req/s | 200 p99 ms | 304 req/s | 304 p99 ms |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {label} | {r2:,.0f} | {p2:.1f} | {r3:,.0f} | {p3:.1f} |"
              for label, r2, p2, r3, p3 in rows]
    lines.append(f"| ratio | {ours[1] / const[1]:.2f}x | | {ours[3] / const[3]:.2f}x | |")
    return ("\n".join(lines) + f"\n\n`/feed.atom` with {entries:,} entries stored ("
            f"{len(body) / 1000:.0f} KB, uncompressed: wrk sends no Accept-Encoding); wrk "
            f"-t1 -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s on loopback, the two servers in turns, "
            f"{rounds} rounds, medians; the constant-body app answers the same bytes and the "
            "same ETag from the same uvicorn. Target: >= 0.8x the constant body.")


def _module_table(argv: Sequence[str], timeout_s: float = 3600) -> str:
    done = subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout_s, check=False)
    if done.returncode != 0:
        return f"`{' '.join(argv)}` failed (exit {done.returncode}): {done.stderr[-500:]}"
    return done.stdout.strip()


def dedupe(sizes: str = "10000,100000,1000000", new: int = 400) -> str:
    return (_module_table(["benchmarks.dedupe_cost", "--sizes", sizes, "--new", str(new)])
            + "\n\nTarget: 1M <= 1.5x 10k (`python -m benchmarks.dedupe_cost`).")


def scale(sizes: str = "1000,100000", seconds: float = 30) -> str:
    return (_module_table(["benchmarks.scale", "--sizes", sizes, "--seconds", str(seconds)])
            + "\n\nTargets at 100,000 feeds: start-up <= 10 s; memory <= the 1,000-feed figure "
            "+ 30 MB; throughput no lower than at 1,000 feeds (`python -m benchmarks.scale`).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("render", "serve", "dedupe", "scale"))
    parser.add_argument("--sizes", default=None)
    args = parser.parse_args()
    if args.what == "render":
        print(render([int(s) for s in (args.sizes or "10000,1000000").split(",")]))
    elif args.what == "serve":
        print(serve(int(args.sizes or 10_000)))
    elif args.what == "dedupe":
        print(dedupe(args.sizes or "10000,100000,1000000"))
    else:
        print(scale(args.sizes or "1000,100000"))


if __name__ == "__main__":
    main()
