"""Our aggregator against lemon24's ``reader``: same corpus, same machine, same run.

    python -m benchmarks.bench --size small|medium|full [--runs N] [--no-write]

1. builds reader's own virtual environment if it is missing
   (``benchmarks/.venv-reader``: reader 3.26 and the sgmllib3k its vendored
   feedparser needs, on the same interpreter as ours; reader is never a
   dependency of ours), and ours as users install it
   (``benchmarks/.venv-ours``: runtime dependencies only, no test tools);
2. generates the corpus (``benchmarks.corpus``, seeded, cached under
   ``benchmarks/.work/``) and starts the loopback server
   (``benchmarks.corpus_server``, its own process, never measured);
3. runs each system ``--runs`` times, alternating, each run a fresh process
   with a fresh store (``benchmarks.run_ours``, ``benchmarks.run_reader``)
   measured from outside by ``benchmarks.measure``: the first ingest (process
   start to every entry stored), then ``--cycles`` cycles where every feed
   answers 304;
4. runs the references: a bare httpx conditional-GET loop
   (``benchmarks.httpx_loop``) and the floor (``benchmarks.floor``);
5. at the full size, also the peak memory of the first ingest at 100, 1,000
   and 5,000 feeds;
6. prints the table (medians of the runs) and writes it, with the machine
   description, to ``docs/benchmarks.md`` (one section per size).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import corpus as corpus_mod
from benchmarks import extras as extras_mod
from benchmarks import measure

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks"
WORK = HERE / ".work"
READER_VENV = HERE / ".venv-reader"
OURS_VENV = HERE / ".venv-ours"
READER_PACKAGES = ("reader==3.26", "sgmllib3k")
DOC = ROOT / "docs" / "benchmarks.md"


@dataclass(frozen=True)
class Size:
    feeds: int
    entries: int
    runs: int
    cycles: int
    memory_sizes: tuple[int, ...] = ()


SIZES = {
    "small": Size(20, 20, runs=1, cycles=3),
    "medium": Size(200, 50, runs=3, cycles=10),
    "full": Size(1000, 50, runs=3, cycles=10, memory_sizes=(100, 1000, 5000)),
}


# --- environments ------------------------------------------------------------------------

def reader_python(log: Callable[[str], None] = print) -> Path:
    """reader's interpreter, building its venv first if needed."""
    python = READER_VENV / "bin" / "python"
    probe = [str(python), "-c", "import reader, sgmllib; print(reader.__version__)"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return python
    log(f"building {READER_VENV.relative_to(ROOT)} ({', '.join(READER_PACKAGES)})")
    shutil.rmtree(READER_VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(READER_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    *READER_PACKAGES], check=True)
    subprocess.run(probe, check=True, capture_output=True)
    return python


def ours_python(log: Callable[[str], None] = print) -> Path:
    """Our interpreter as users install it: runtime dependencies only, building it if needed.

    Not the development venv: its test tools (selenium brings trio, which
    httpcore then imports) would add memory that a user's install does not
    have.  An editable install, so it always runs the code of this checkout.
    """
    python = OURS_VENV / "bin" / "python"
    probe = [str(python), "-c", "import aggregator.cli"]
    marker = OURS_VENV / "pyproject.toml"
    wanted = (ROOT / "pyproject.toml").read_bytes()
    if python.exists() and marker.exists() and marker.read_bytes() == wanted and \
            subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return python
    log(f"building {OURS_VENV.relative_to(ROOT)} (aggregator, runtime dependencies only)")
    shutil.rmtree(OURS_VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(OURS_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "-e", str(ROOT)], check=True)
    subprocess.run(probe, check=True, capture_output=True)
    marker.write_bytes(wanted)
    return python


def code_version() -> str:
    """The commit of our code now, "+dirty" when aggregator/ has uncommitted changes."""
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "aggregator"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def package_versions(python: Path | str, names: Sequence[str]) -> dict[str, str]:
    code = ("import importlib.metadata as m, json, sys\n"
            "out = {}\n"
            "for n in sys.argv[1:]:\n"
            "    try: out[n] = m.version(n)\n"
            "    except m.PackageNotFoundError: out[n] = '-'\n"
            "print(json.dumps(out))")
    done = subprocess.run([str(python), "-c", code, *names], capture_output=True, text=True,
                          check=True)
    return dict(json.loads(done.stdout))


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])  # type: ignore[index]
    return {"cpu": cpu, "cores": str(os.cpu_count()), "memory": f"{mem_kib / 1024 / 1024:.1f} GiB",
            "kernel": platform.release(), "sqlite": sqlite3.sqlite_version}


# --- the corpus server -------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_corpus(feeds: int, entries: int, prefix: str) -> Iterator[tuple[Path, Path]]:
    """The seeded corpus served from loopback, and a feeds.toml for it in a new run folder.

    Yields (run folder, config path); for the tools that study one run of ours.
    """
    folder = WORK / f"corpus-{feeds}x{entries}-s1"
    corpus_mod.generate(folder, feeds, entries, 1)
    run_dir = Path(tempfile.mkdtemp(prefix=prefix, dir=WORK))
    with corpus_server(folder, 0.0, run_dir / "server.log") as port:
        yield run_dir, write_config(run_dir, corpus_urls(port, feeds), 16)


@contextmanager
def corpus_server(folder: Path, latency_ms: float, log_path: Path) -> Iterator[int]:
    """The loopback server for ``folder``, in its own process; yields its port."""
    port = free_port()
    argv = [sys.executable, "-m", "benchmarks.corpus_server", str(port), "--dir", str(folder),
            "--latency-ms", str(latency_ms)]
    with log_path.open("w") as log_file, subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log_file) as server:
        try:
            deadline = time.monotonic() + 600
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"corpus server exited: {log_path.read_text()[-2000:]}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=10)


def corpus_urls(port: int, feeds: int) -> list[str]:
    """The feed URLs of the corpus server on ``port``, one per feed of the corpus."""
    return [f"http://127.0.0.1:{port}/feed/{n}.xml" for n in range(feeds)]


def server_stats(port: int, reset: bool = False) -> dict[str, int]:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        path = "/_stats?reset=1" if reset else "/_stats"
        sock.sendall(f"GET {path} HTTP/1.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return dict(json.loads(data.split(b"\r\n\r\n", 1)[1]))


# --- one run of one system ---------------------------------------------------------------

@dataclass
class Run:
    """What one measured process of one system gave."""

    system: str
    feeds: int
    ingest_wall_s: float           # process start -> every entry stored
    ingest_cycle_s: float          # the fetch cycle alone (inside the process)
    peak_pss_kib: int              # tree PSS, during the first ingest
    ingest_cpu_s: float            # CPU seconds of the tree, process start -> all stored
    entries: int
    db_bytes: int
    cycle_s: list[float] = field(default_factory=list)        # each all-304 cycle
    cycle_rss_kib: list[int] = field(default_factory=list)    # tree RSS after each cycle
    cycle_pss_kib: list[int] = field(default_factory=list)
    outcomes: list[dict[str, int]] = field(default_factory=list)
    wall_s: float = 0.0
    commit: str = ""               # our code's commit when the run started

    @property
    def entries_per_s(self) -> float:
        return self.entries / self.ingest_wall_s

    @property
    def feeds_per_s(self) -> float:
        return statistics.median(self.feeds / s for s in self.cycle_s) if self.cycle_s else 0.0


def write_config(folder: Path, urls: Sequence[str], concurrency: int) -> Path:
    """Our feeds.toml: no politeness delay and high limits (every feed is on 127.0.0.1)."""
    head = f"""[settings]
database = "ours.db"
interval = "1h"
min_interval = "1s"
concurrency = {concurrency}
per_host = {concurrency}
host_delay = "0s"
jitter = 0.0
timeout = "300s"

[server]
port = {free_port()}
"""
    path = folder / "feeds.toml"
    path.write_text(head + "".join(f'\n[[feeds]]\nurl = "{url}"\n' for url in urls))
    return path


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


def run_system(system: str, folder: Path, urls: Sequence[str], concurrency: int,
               cycles: int) -> Run:
    commit = code_version()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "urls.txt").write_text("\n".join(urls) + "\n")
    if system == "ours":
        config = write_config(folder, urls, concurrency)
        argv = [str(ours_python()), "-m", "benchmarks.run_ours", "--config", str(config),
                "--cycles", str(cycles)]
        db = folder / "ours.db"
    else:
        db = folder / "reader.db"
        argv = [str(reader_python()), "-m", "benchmarks.run_reader", "--db", str(db),
                "--urls", str(folder / "urls.txt"), "--workers", str(concurrency),
                "--cycles", str(cycles)]
    m = measure.run(argv, cwd=ROOT)
    (folder / "stderr.log").write_text(m.stderr)
    if m.returncode != 0:
        raise RuntimeError(f"{system} exited {m.returncode}: {m.stderr[-3000:]}")
    ingest = m.event("ingest_done")
    cycle_events = [e for e in m.events if e.get("event") == "cycle_done"]
    ingest_t = float(str(ingest["t"]))
    return Run(system=system, feeds=len(urls), ingest_wall_s=ingest_t - m.started,
               ingest_cycle_s=float(str(ingest["seconds"])),
               peak_pss_kib=m.peak_between(m.started, ingest_t),
               ingest_cpu_s=m.cpu_until(ingest_t),
               entries=int(str(m.event("done")["entries"])), db_bytes=db_bytes(db),
               cycle_s=[float(str(e["seconds"])) for e in cycle_events],
               cycle_rss_kib=[int(str(e["rss_kib"])) for e in cycle_events],
               cycle_pss_kib=[int(str(e["pss_kib"])) for e in cycle_events],
               outcomes=[dict(e["outcomes"]) for e in [ingest, *cycle_events]],  # type: ignore[call-overload]
               wall_s=m.wall_s, commit=commit)


def run_httpx(folder: Path, urls: Sequence[str], concurrency: int, passes: int) -> list[float]:
    """Feeds/s of each conditional pass of the bare httpx loop."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "urls.txt").write_text("\n".join(urls) + "\n")
    m = measure.run([str(ours_python()), "-m", "benchmarks.httpx_loop", "--urls",
                     str(folder / "urls.txt"), "--concurrency", str(concurrency),
                     "--passes", str(passes)], cwd=ROOT)
    if m.returncode != 0:
        raise RuntimeError(f"httpx loop exited {m.returncode}: {m.stderr[-3000:]}")
    return [len(urls) / float(str(e["seconds"])) for e in m.events
            if e.get("event") == "pass_done" and e.get("cycle") != 0]


def run_floor(corpus_dir: Path, procs: int, max_feeds: int) -> dict[str, float]:
    m = measure.run([str(ours_python()), "-m", "benchmarks.floor", "--corpus", str(corpus_dir),
                     "--procs", str(procs), "--max-feeds", str(max_feeds)], cwd=ROOT)
    if m.returncode != 0:
        raise RuntimeError(f"floor exited {m.returncode}: {m.stderr[-3000:]}")
    parsed = m.event("parse_done")
    out = {"parse_per_s": int(str(parsed["entries"])) / float(str(parsed["seconds"]))}
    if procs == 1:
        inserted = m.event("insert_done")
        out["insert_per_s"] = int(str(inserted["entries"])) / float(str(inserted["seconds"]))
    return out


# --- the whole benchmark -----------------------------------------------------------------

@dataclass
class Results:
    size: str
    spec: Size
    manifest: dict[str, object]
    runs: dict[str, list[Run]]
    httpx_per_s: list[float]
    floor: dict[str, float]
    memory: dict[str, dict[int, int]]           # system -> feeds -> peak PSS KiB
    extras: dict[str, str] = field(default_factory=dict)   # name -> Markdown table
    load: tuple[float, float] = (0.0, 0.0)      # 1-minute load average at start and end
    seconds: float = 0.0
    command: str = ""


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def bench(size: str, runs: int | None = None, concurrency: int = 16, latency_ms: float = 0.0,
          seed: int = 1, memory_sizes: Sequence[int] | None = None,
          extras: Sequence[str] = (), log: Callable[[str], None] = print) -> Results:
    spec = SIZES[size]
    runs = runs or spec.runs
    memory_sizes = spec.memory_sizes if memory_sizes is None else memory_sizes
    started = time.monotonic()
    load_start = os.getloadavg()[0]
    reader_python(log)
    WORK.mkdir(parents=True, exist_ok=True)

    def corpus_for(feeds: int) -> tuple[Path, dict[str, object]]:
        folder = WORK / f"corpus-{feeds}x{spec.entries}-s{seed}"
        log(f"corpus: {feeds} feeds x {spec.entries} entries in {folder.relative_to(ROOT)}")
        return folder, corpus_mod.generate(folder, feeds, spec.entries, seed)

    folder, manifest = corpus_for(spec.feeds)
    # This invocation's own stores and logs: two benchmarks at once must not share them.
    scratch = Path(tempfile.mkdtemp(prefix=f"{size}-", dir=WORK))
    all_runs: dict[str, list[Run]] = {"ours": [], "reader": []}
    with corpus_server(folder, latency_ms, scratch / "server.log") as port:
        urls = corpus_urls(port, spec.feeds)
        for number in range(runs):
            order = ("ours", "reader") if number % 2 == 0 else ("reader", "ours")
            for system in order:
                server_stats(port, reset=True)
                run = run_system(system, scratch / system, urls, concurrency, spec.cycles)
                stats = server_stats(port)
                all_runs[system].append(run)
                log(f"{system} run {number + 1}/{runs} ({run.commit}): {run.entries} entries, "
                    f"ingest "
                    f"{run.ingest_wall_s:.2f}s ({run.entries_per_s:.0f}/s), 304 cycle "
                    f"{run.feeds_per_s:.0f} feeds/s, peak {run.peak_pss_kib / 1024:.0f} MiB; "
                    f"server: {stats}")
        log("bare httpx conditional-GET loop")
        httpx_rates = run_httpx(scratch / "httpx", urls, concurrency, max(3, spec.cycles))
    log("floor: feedparser alone, SQLite executemany")
    floor = run_floor(folder, 1, 200)
    floor["parse2_per_s"] = run_floor(folder, 2, 200)["parse_per_s"]
    extra_tables = {}
    for name in extras:
        log(f"extra: {name}")
        extra_tables[name] = EXTRAS[name]()
    memory: dict[str, dict[int, int]] = {"ours": {}, "reader": {}}
    for feeds in memory_sizes:
        if feeds == spec.feeds:
            for system, peaks in memory.items():
                peaks[feeds] = int(median([r.peak_pss_kib for r in all_runs[system]]))
            continue
        mem_folder, _ = corpus_for(feeds)
        with corpus_server(mem_folder, latency_ms, scratch / "server.log") as port:
            urls = corpus_urls(port, feeds)
            for system, peaks in memory.items():
                run = run_system(system, scratch / system, urls, concurrency, 1)
                peaks[feeds] = run.peak_pss_kib
                log(f"memory at {feeds} feeds, {system}: peak {run.peak_pss_kib / 1024:.0f} MiB "
                    f"({run.entries} entries, {run.ingest_wall_s:.0f}s)")
    shutil.rmtree(scratch, ignore_errors=True)  # kept only when a run failed, for its logs
    return Results(size=size, spec=spec, manifest=manifest, runs=all_runs,
                   httpx_per_s=httpx_rates, floor=floor, memory=memory, extras=extra_tables,
                   load=(load_start, os.getloadavg()[0]), seconds=time.monotonic() - started)


EXTRAS: dict[str, Callable[[], str]] = {
    "render": lambda: extras_mod.render([10_000, 1_000_000]),
    "serve": lambda: extras_mod.serve(10_000),
    "dedupe": lambda: extras_mod.dedupe("10000,100000,1000000"),
    "scale": lambda: extras_mod.scale("1000,100000", 30),
}
EXTRA_TITLES = {"render": "Render: the newest 100 of the merged feed",
                "serve": "Serving a cached /feed.atom (wrk)",
                "dedupe": "Dedupe cost per new entry",
                "scale": "Scale: `aggregator run` with 1,000 and 100,000 configured feeds"}


# --- the table ---------------------------------------------------------------------------

def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def _mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def table(res: Results) -> str:
    ours, reader = res.runs["ours"], res.runs["reader"]
    rows: list[tuple[str, str, str, str, str]] = []

    def both(metric: str, get: Callable[[Run], float], fmt: Callable[[float], str],
             target: str) -> tuple[float, float]:
        a, b = median([get(r) for r in ours]), median([get(r) for r in reader])
        rows.append((metric, fmt(a), fmt(b), _ratio(a, b), target))
        return a, b

    count = res.spec.feeds * res.spec.entries
    both("first ingest, entries/s (process start to all stored)", lambda r: r.entries_per_s,
         lambda v: f"{v:,.0f}", ">= 3x reader")
    both("first ingest, wall s", lambda r: r.ingest_wall_s, lambda v: f"{v:.2f}", "")
    both("first ingest, fetch cycle alone, entries/s", lambda r: r.entries / r.ingest_cycle_s,
         lambda v: f"{v:,.0f}", "")
    both("first ingest, CPU seconds of the process tree", lambda r: r.ingest_cpu_s,
         lambda v: f"{v:.1f}", "")
    both("first ingest, entries per CPU second", lambda r: r.entries / r.ingest_cpu_s,
         lambda v: f"{v:,.0f}", "")
    both("entries stored", lambda r: r.entries, lambda v: f"{v:,.0f}", f"= {count:,}")
    ours_poll, _ = both("steady cycle (every feed 304), feeds/s", lambda r: r.feeds_per_s,
                        lambda v: f"{v:,.0f}", ">= 2x reader")
    httpx_rate = median(res.httpx_per_s)
    rows.append(("steady cycle vs a bare httpx conditional-GET loop, feeds/s",
                 f"{ours_poll:,.0f}", f"httpx: {httpx_rate:,.0f}", _ratio(ours_poll, httpx_rate),
                 ">= 0.8x httpx"))
    both("peak PSS of the process tree during first ingest, MiB", lambda r: r.peak_pss_kib,
         _mib, "<= reader")
    for feeds, _ in sorted(res.memory["ours"].items()):
        if feeds == res.spec.feeds:
            continue
        a, b = res.memory["ours"][feeds], res.memory["reader"][feeds]
        rows.append((f"peak PSS during first ingest at {feeds:,} feeds, MiB", _mib(a), _mib(b),
                     _ratio(a, b), "<= reader"))
    if len(res.memory["ours"]) >= 2:
        low, high = min(res.memory["ours"]), max(res.memory["ours"])
        grow = {s: res.memory[s][high] - res.memory[s][low] for s in res.memory}
        rows.append((f"peak PSS growth from {low:,} to {high:,} feeds, MiB",
                     f"+{_mib(grow['ours'])}", f"+{_mib(grow['reader'])}", "",
                     "<= +20 MiB (ours)"))
    both("RSS of the process tree after the 1st steady cycle, MiB",
         lambda r: r.cycle_rss_kib[0] if r.cycle_rss_kib else 0, _mib, "")
    both(f"RSS growth from steady cycle 1 to {res.spec.cycles}, MiB",
         lambda r: r.cycle_rss_kib[-1] - r.cycle_rss_kib[0] if r.cycle_rss_kib else 0,
         lambda v: f"{v / 1024:+.1f}", "no growth")
    both("database size after the run, MB", lambda r: r.db_bytes, lambda v: f"{v / 1e6:.1f}",
         "")
    ingest = median([r.entries_per_s for r in ours])
    for label, key in (("1 process", "parse_per_s"), ("2 processes", "parse2_per_s")):
        rows.append((f"floor: feedparser alone (defaults), {label}, entries/s",
                     f"{res.floor[key]:,.0f}", "", f"ours {_ratio(ingest, res.floor[key])}",
                     "reported"))
    rows.append(("floor: raw executemany into an indexed SQLite table, rows/s",
                 f"{res.floor['insert_per_s']:,.0f}", "", "", "reported"))
    lines = ["| metric | ours | reader | ratio | target |", "|---|---:|---:|---:|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def describe(res: Results, ours_py: str, reader_py: Path) -> str:
    info = machine()
    ours_pkgs = package_versions(ours_py, ("aggregator", "feedparser", "httpx", "nh3", "lxml",
                                               "uvicorn", "starlette", "apscheduler"))
    reader_pkgs = package_versions(reader_py, ("reader", "requests", "feedparser", "sgmllib3k"))
    py_ours = subprocess.run([ours_py, "--version"], capture_output=True, text=True,
                             check=True).stdout.strip()
    py_reader = subprocess.run([str(reader_py), "--version"], capture_output=True, text=True,
                               check=True).stdout.strip()
    m = res.manifest
    spec = res.spec
    runs = len(res.runs["ours"])
    commits = sorted({r.commit for r in res.runs["ours"]})
    return "\n".join([
        f"- command: `{res.command}`",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}, "
        f"{res.seconds / 60:.1f} minutes in all",
        f"- machine: {info['cpu']}, {info['cores']} cores, {info['memory']}, "
        f"Linux {info['kernel']}, SQLite {info['sqlite']}; 1-minute load average "
        f"{res.load[0]:.2f} at the start, {res.load[1]:.2f} at the end (other work on the "
        "machine shows here: the CPU-seconds rows are less sensitive to it than the rates)",
        f"- ours: {py_ours}, " + ", ".join(f"{k} {v}" for k, v in ours_pkgs.items())
        + f"; code at commit {', '.join(commits)}"
        + (" (it changed between runs: the medians mix them)" if len(commits) > 1 else ""),
        f"- reader: {py_reader}, " + ", ".join(f"{k} {v}" for k, v in reader_pkgs.items())
        + " (reader uses its vendored feedparser)",
        f"- corpus: {spec.feeds:,} feeds x {spec.entries} entries, seed {m['seed']}, "
        f"{int(str(m['bytes'])) / 1e6:.0f} MB of XML (served gzipped), "
        f"{m['syndicated_entries']} syndicated copies "
        f"({int(str(m['syndicated_entries'])) / (spec.feeds * spec.entries):.0%}) "
        f"of {m['wire_stories']} wire stories",
        f"- {runs} run(s) of each system, alternating, each a fresh process and store; "
        f"medians shown. Each run: the first ingest, then {spec.cycles} cycles where every "
        "feed answers 304. Ours: concurrency = per_host = 16, host_delay 0s; reader: "
        "update_feeds(scheduled=False, workers=16); httpx loop: 16 in flight.",
    ])


NOTES = """Ratio is ours / reader (for the httpx row ours / httpx; for the floor rows our
first-ingest rate / the floor's). Memory is the sum of PSS over the process and
its descendants (our parser processes included), sampled every 50 ms from
outside; the corpus server is a separate process and is not counted. Entries/s
for the first ingest counts from the process start (interpreter start-up,
imports, opening the store and adding the feeds included) until every entry is
stored; feeds/s for the steady cycle times the cycle alone, inside the process.
"""


NOTES = ("<!-- notes -->", "<!-- /notes -->")  # written by hand: kept as they are


def write_doc(res: Results, text: str, path: Path = DOC) -> None:
    """Rewrite the header and this size's section of ``docs/benchmarks.md``.

    Keeps the other sizes' sections, and the hand-written analysis between
    the ``NOTES`` markers (placed after the header).
    """
    begin, end = f"<!-- size:{res.size} -->", f"<!-- /size:{res.size} -->"
    section = f"{begin}\n## {res.size}\n\n{text}\n{end}"
    existing = path.read_text() if path.exists() else ""
    if begin in existing and end in existing:
        head, rest = existing.split(begin, 1)
        existing = head + section + rest.split(end, 1)[1]
    else:
        existing = existing.rstrip("\n") + "\n\n" + section + "\n"
    notes = ""
    if NOTES[0] in existing and NOTES[1] in existing:
        kept = existing.split(NOTES[0], 1)[1].split(NOTES[1], 1)[0]
        notes = NOTES[0] + kept + NOTES[1] + "\n\n"
    first = existing.find("<!-- size:")
    path.write_text(HEADER.rstrip("\n") + "\n\n" + notes + existing[first:].lstrip("\n"))


HEADER = """# Benchmarks: aggregator against reader

Our aggregator measured against lemon24's [reader](https://pypi.org/project/reader/),
the main Python peer, on the same seeded corpus, on the same machine, in the
same run, on the same interpreter (reader 3.26, the last release for Python
3.11). One command runs it all and rewrites this file's section for its size:

```sh
make bench               # full: 1,000 feeds x 50 entries, memory at 100/1,000/5,000 feeds,
                         #       render, serving, dedupe cost and scale (about 45 minutes)
make bench SIZE=medium   # 200 x 50, about 5 minutes
make bench SIZE=small    # 20 x 20, under a minute (CI runs it through benchmarks/smoke.py)
.venv/bin/python -m benchmarks.bench --size medium --runs 5 --extras render,serve
```

It builds reader's own virtual environment (`benchmarks/.venv-reader`, reader
3.26 + sgmllib3k) on first use; reader is never a dependency of ours. The
serving rows need `wrk` (`apt-get install -y wrk`). Corpora, stores and logs go
to `benchmarks/.work/` (ignored by git). What each step does is in
`benchmarks/bench.py`'s docstring; the corpus in `benchmarks/corpus.py`'s.

The figures are noisy (2 cores, shared with whatever else runs): each is the
median of several runs, and the CPU-seconds rows say what the work cost when
the wall-clock rates were disturbed. To see where our first ingest spends its
time:

```sh
python3 -m venv /tmp/spy && /tmp/spy/bin/pip install py-spy
.venv/bin/python -m benchmarks.corpus_server 8999 --dir benchmarks/.work/corpus-200x50-s1 &
# a feeds.toml as benchmarks.bench.write_config writes it, then:
/tmp/spy/bin/py-spy record --subprocesses -f raw -o ours.raw -- \\
    .venv/bin/python -m benchmarks.run_ours --config feeds.toml --cycles 0
```
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--runs", type=int, default=None, help="runs of each system")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="server delay before every answer")
    parser.add_argument("--memory-sizes", default=None,
                        help="comma-separated feed counts for the memory rows")
    parser.add_argument("--extras", default=None,
                        help="comma-separated, of render,serve,dedupe,scale (default: all of "
                             "them at the full size, none otherwise)")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args()
    memory_sizes = (None if args.memory_sizes is None
                    else [int(n) for n in args.memory_sizes.split(",") if n])
    extras = ([e for e in args.extras.split(",") if e] if args.extras is not None
              else list(EXTRAS) if args.size == "full" else [])
    res = bench(args.size, args.runs, latency_ms=args.latency_ms, memory_sizes=memory_sizes,
                extras=extras, log=lambda line: print(line, file=sys.stderr, flush=True))
    res.command = "python -m benchmarks.bench " + " ".join(sys.argv[1:])
    main_table = table(res)
    extra_text = "".join(f"\n\n### {EXTRA_TITLES[name]}\n\n{extra}"
                         for name, extra in res.extras.items())
    print(main_table + extra_text)
    if not args.no_write:
        write_doc(res, describe(res, str(ours_python()), reader_python()) + "\n\n" + main_table
                  + "\n\n" + NOTES + extra_text + "\n")
        print(f"written to {DOC.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
