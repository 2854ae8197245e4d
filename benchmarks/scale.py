"""Scale: `aggregator run` with 1,000 and 100,000 configured feeds on a loopback server.

Measures, from outside the process: start-up (until /healthz answers), memory
of the service's process tree (sum of PSS, so pages shared with forked parser
workers count once; peak sampled every 0.2 s), scheduler ticks staying cheap,
and fetch throughput over the run window.  Prints a table.

    python -m benchmarks.scale [--sizes 1000,100000] [--seconds 30]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.bench import ours_python

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_pss_kib(pid: int) -> int:
    """Sum of PSS over the process and its descendants (KiB)."""
    total = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            text = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += next(int(line.split()[1]) for line in text.splitlines()
                          if line.startswith("Pss:"))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pids.extend(int(c) for c in children)
        except (OSError, StopIteration):
            continue
    return total


def write_config(folder: Path, feeds: int, server_port: int, app_port: int) -> Path:
    lines = [f"""[settings]
database = "bench.db"
interval = "1h"
concurrency = 32
per_host = 32
host_delay = "0s"
jitter = 0.0

[server]
port = {app_port}

[output]
base_url = "http://127.0.0.1:{app_port}/"
"""]
    lines += [f'[[feeds]]\nurl = "http://127.0.0.1:{server_port}/feed/{n}.xml"\n'
              for n in range(feeds)]
    path = folder / "feeds.toml"
    path.write_text("\n".join(lines))
    return path


def run_size(feeds: int, seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server_port, app_port = free_port(), free_port()
        server = subprocess.Popen([sys.executable, "-m", "benchmarks.corpus_server",
                                   str(server_port)], cwd=ROOT)
        config = write_config(folder, feeds, server_port, app_port)
        started = time.monotonic()
        service = subprocess.Popen([str(ours_python()), "-m", "aggregator.cli", "--log-level",
                                    "warning", "--config", str(config), "run"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        startup = None
        peak = 0
        try:
            while time.monotonic() - started < seconds:
                peak = max(peak, tree_pss_kib(service.pid))
                if startup is None:
                    try:
                        if httpx.get(f"http://127.0.0.1:{app_port}/healthz").status_code == 200:
                            startup = time.monotonic() - started
                    except httpx.HTTPError:
                        pass
                time.sleep(0.2)
            end_pss = tree_pss_kib(service.pid)
        finally:
            service.send_signal(signal.SIGTERM)
            service.wait(timeout=15)
            server.terminate()
            server.wait()
        conn = sqlite3.connect(folder / "bench.db")
        fetched, first, last = conn.execute(
            "SELECT count(*), min(julianday(started)), max(julianday(started)) FROM fetches"
        ).fetchone()
        conn.close()
        window = max((last - first) * 86400, 1.0) if fetched else 0.0
        return {"feeds": feeds, "startup_s": startup or float("nan"),
                "peak_mib": peak / 1024, "end_mib": end_pss / 1024,
                "fetched": fetched, "feeds_per_s": fetched / window if window else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    os.chdir(ROOT)
    results = [run_size(int(n), args.seconds) for n in args.sizes.split(",")]
    print(f"| feeds | start-up s | peak PSS MiB | PSS at end MiB | fetched in {args.seconds:g}s "
          "| feeds/s while fetching |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['feeds']:,} | {r['startup_s']:.2f} | {r['peak_mib']:.1f} | "
              f"{r['end_mib']:.1f} | {r['fetched']:,} | {r['feeds_per_s']:.0f} |")


if __name__ == "__main__":
    main()
