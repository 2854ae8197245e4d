"""Measure a command from outside: wall time and the memory of its whole process tree.

The command runs as a child; every ``INTERVAL_S`` (50 ms) the PSS of the
child and all its descendants (found through
``/proc/PID/task/TID/children``) is summed from ``/proc/PID/smaps_rollup``.
PSS counts a page shared by N processes as 1/N in each, so a forked worker
pool costs what it really adds.  Nothing else is counted: a server the
command talks to is a separate process, not a descendant.

The child may print JSON lines on stdout (``{"event": ..., "t": time.time()}``);
they come back with the samples, so the caller can split the run into phases
("the peak during the first ingest", "the PSS after cycle 3").

Standard library only: ``run_reader`` imports this in reader's own venv.

    python -m benchmarks.measure -- COMMAND ARGS...
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

INTERVAL_S = 0.05


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            found += [int(c) for c in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
        except OSError:
            continue
    return found


def _field_kib(path: str, name: str) -> int:
    try:
        with open(path, "rb") as handle:
            for line in handle:
                if line.startswith(name):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return 0


def tree_pids(pid: int) -> list[int]:
    """``pid`` and all its descendants alive now."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo.extend(_children(current))
    return pids


def tree_pss_kib(pid: int) -> int:
    """Sum of PSS (KiB) over ``pid`` and its descendants."""
    return sum(_field_kib(f"/proc/{p}/smaps_rollup", b"Pss:") for p in tree_pids(pid))


_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) * _TICK_S


def tree_rss_kib(pid: int) -> int:
    """Sum of RSS (KiB) over ``pid`` and its descendants (shared pages counted in each)."""
    return sum(_field_kib(f"/proc/{p}/status", b"VmRSS:") for p in tree_pids(pid))


@dataclass
class Measurement:
    """What a run of a command gave: times are ``time.time()`` (comparable with events)."""

    argv: list[str]
    started: float
    ended: float
    returncode: int
    samples: list[tuple[float, int]] = field(default_factory=list)   # (time, tree PSS KiB)
    # (time, CPU seconds used so far by the tree, the processes that ended included)
    cpu: list[tuple[float, float]] = field(default_factory=list)
    events: list[dict[str, object]] = field(default_factory=list)
    stderr: str = ""

    @property
    def wall_s(self) -> float:
        return self.ended - self.started

    @property
    def peak_pss_kib(self) -> int:
        return max((kib for _, kib in self.samples), default=0)

    def event(self, name: str) -> dict[str, object]:
        """The last event called ``name`` (KeyError if the child never sent it)."""
        for found in reversed(self.events):
            if found.get("event") == name:
                return found
        raise KeyError(f"{name!r} not reported by {' '.join(self.argv)}: {self.stderr[-2000:]}")

    def cpu_until(self, moment: float) -> float:
        """CPU seconds the tree had used at the last sample before ``moment``."""
        return max((used for t, used in self.cpu if t <= moment), default=0.0)

    def peak_between(self, start: float, end: float) -> int:
        """Peak tree PSS (KiB) among the samples taken in [start, end]."""
        return max((kib for t, kib in self.samples if start <= t <= end), default=0)


def run(argv: list[str], *, cwd: str | Path | None = None, env: dict[str, str] | None = None,
        timeout_s: float = 3600.0, interval_s: float = INTERVAL_S) -> Measurement:
    """Run ``argv`` to its end, sampling its tree's PSS; collect its JSON-line events."""
    events: list[dict[str, object]] = []
    started = time.time()
    err_chunks: list[str] = []
    samples: list[tuple[float, int]] = []
    cpu: list[tuple[float, float]] = []
    used: dict[int, float] = {}  # pid -> CPU seconds at its last sample
    with subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as child:

        def read_stdout() -> None:
            assert child.stdout is not None
            for raw in child.stdout:
                line = raw.strip()
                if line.startswith("{"):
                    try:
                        events.append(json.loads(line))
                    except json.JSONDecodeError:
                        continue

        def read_stderr() -> None:
            assert child.stderr is not None
            err_chunks.extend(child.stderr)

        readers = [threading.Thread(target=read_stdout, daemon=True),
                   threading.Thread(target=read_stderr, daemon=True)]
        for thread in readers:
            thread.start()
        deadline = time.monotonic() + timeout_s
        while child.poll() is None:
            now = time.time()
            pids = tree_pids(child.pid)
            kib = sum(_field_kib(f"/proc/{p}/smaps_rollup", b"Pss:") for p in pids)
            if kib:
                samples.append((now, kib))
            for p in pids:
                used[p] = max(used.get(p, 0.0), cpu_s(p))
            cpu.append((now, sum(used.values())))
            if time.monotonic() > deadline:
                child.kill()
                break
            time.sleep(interval_s)
        child.wait()
        ended = time.time()
        for thread in readers:
            thread.join(timeout=5)
    return Measurement(argv=argv, started=started, ended=ended, returncode=child.returncode,
                       samples=samples, cpu=cpu, events=events, stderr="".join(err_chunks))


def emit(event: str, **extra: object) -> None:
    """For a measured child: report an event with the current time."""
    print(json.dumps({"event": event, "t": time.time(), **extra}), flush=True)


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.exit("usage: python -m benchmarks.measure -- COMMAND ARGS...")
    m = run(argv)
    print(f"wall {m.wall_s:.2f} s, CPU {m.cpu_until(m.ended):.2f} s, "
          f"peak PSS {m.peak_pss_kib / 1024:.1f} MiB, "
          f"exit {m.returncode}, {len(m.samples)} samples, {len(m.events)} events")


if __name__ == "__main__":
    main()
