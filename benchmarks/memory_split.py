"""Where our first ingest's memory and CPU go, process by process.

Runs ``benchmarks.run_ours`` (first ingest only) from the runtime-only venv
on a generated corpus served from loopback, samples every process of its
tree every 50 ms, and prints each one's peak PSS and CPU seconds next to the
tree's peak: the writer (the main process) and the parser processes apart.
``--parse-workers`` overrides the setting (0 = the default, 1 = parse in a
thread), to measure the trade-off.

    python -m benchmarks.memory_split [--feeds 200] [--entries 50] [--parse-workers 0]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from pathlib import Path

from benchmarks.bench import ROOT, ours_python, served_corpus
from benchmarks.measure import tree_pids


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _role(pid: int, main: int) -> str:
    if pid == main:
        return "main process (fetch, match, store)"
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"
    for needle, role in (("resource_tracker", "resource tracker"),
                         ("forkserver", "forkserver or its parser process"),
                         ("run_ours", "parser process (forked)")):
        if needle in cmd:
            return role
    return cmd[:60]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--parse-workers", type=int, default=0)
    args = parser.parse_args()
    with served_corpus(args.feeds, args.entries, "memory-") as (_, config):
        text = config.read_text().replace(
            "[settings]\n", f"[settings]\nparse_workers = {args.parse_workers}\n", 1)
        config.write_text(text)
        started = time.monotonic()
        child = subprocess.Popen([str(ours_python()), "-m", "benchmarks.run_ours", "--config",
                                  str(config), "--cycles", "0"], cwd=ROOT,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peaks: dict[int, int] = {}
        cpu: dict[int, float] = {}
        roles: dict[int, str] = {}
        tree_peak = 0
        while child.poll() is None:
            pids = tree_pids(child.pid)
            sizes = {pid: _pss_kib(pid) for pid in pids}
            tree_peak = max(tree_peak, sum(sizes.values()))
            for pid, size in sizes.items():
                roles.setdefault(pid, _role(pid, child.pid))  # while the process still exists
                peaks[pid] = max(peaks.get(pid, 0), size)
                cpu[pid] = max(cpu.get(pid, 0.0), _cpu_s(pid))
            time.sleep(0.05)
        wall = time.monotonic() - started
    entries = args.feeds * args.entries
    print("| process | peak PSS MiB | CPU s | CPU ms per entry |\n|---|---:|---:|---:|")
    for pid in sorted(peaks, key=lambda p: -peaks[p]):
        if peaks[pid]:
            print(f"| {roles[pid]} | {peaks[pid] / 1024:.1f} | {cpu[pid]:.1f} | "
                  f"{cpu[pid] / entries * 1000:.2f} |")
    print(f"| **tree** (peak of the sum) | {tree_peak / 1024:.1f} | | |")
    print(f"\n{entries:,} entries in {wall:.1f} s ({entries / wall:,.0f} entries/s), "
          f"parse_workers = {args.parse_workers}")


if __name__ == "__main__":
    main()
