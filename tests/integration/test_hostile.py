"""No feed can hurt the service: hostile servers on loopback, real `aggregator fetch` cycles.

Each hostile server path sits in a config beside the good fixture feed
``rss20.xml``.  For every case we check (a) the stable reason recorded
against the hostile feed (``feeds.last_reason`` and ``fetches.reason``), (b)
that the time taken is bounded, (c) where a body could blow up memory, the
peak RSS of the ``aggregator fetch`` subprocess (its own VmHWM, polled, so it is
that child's own peak, not the maximum over every child the test run ever
had), and (d) that ``rss20.xml`` was still stored.

Cycles that only need (a), (b) and (d) (redirects to private addresses,
HTTP statuses, an unchanged body) run in-process through ``main``: fast, and
a connection spy sees every address the fetcher dials.  The ones that
measure memory run as a subprocess.  Bodies stay small on our side: the gzip
bomb is a few hundred KiB on the wire, built in milliseconds.

A bug found here becomes a strict xfail naming the place in ``aggregator/`` until fixed.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpcore
import pytest

from aggregator.cli import main
from aggregator.models import from_iso
from tests.conftest import FEEDS_DIR
from tests.feedserver import FeedServer
from tests.hostile_server import RawServer, canned, endless_headers, never_answer
from tests.integration.conftest import ConfigWriter

pytestmark = pytest.mark.slow

TIMEOUT_S = 2.0
MAX_BODY_BYTES = 1 << 20  # 1 MiB
LIMITS = (f'timeout = "{TIMEOUT_S:g}s"\nmax_body_bytes = {MAX_BODY_BYTES}\n'
          # Every server here is 127.0.0.1: let the hostile feeds run side by side, so
          # the cycle is as long as its slowest feed, not the sum of them.
          "per_host = 32\nconcurrency = 32\n"
          # Parse in a thread of the one process: the peak RSS measured is then the
          # fetcher's and the parser's together (pool workers are not our children),
          # and no pool start holds the event loop while the timings are taken.
          "parse_workers = 1")
SLACK_S = 1.0  # for a loaded machine, on top of what a cycle must take
CYCLE_LIMIT_S = TIMEOUT_S + 2.0  # an in-process cycle, whatever its feeds do
MEMORY_CAP_MB = 400.0  # absolute: no cycle here may need more
# Over the baseline cycle.  Loose on purpose: today one 64 KiB read of a gzip bomb
# decodes to 64 MiB before the limit is checked (~120 MB peak, see the xfail below);
# a bomb decoded whole would need 200 MiB and more.
MEMORY_OVER_BASELINE_MB = 180.0
MEMORY_NEAR_LIMIT_MB = 32.0  # what bounded decoding should cost over the baseline
SECRET = "root:"  # the first line of /etc/passwd


# --------------------------------------------------------------------------- helpers


def gzip_zeros(size_mib: int) -> bytes:
    """A valid gzip stream of ``size_mib`` MiB of zeros, built in milliseconds.

    zlib needs about a second per 200 MiB even of zeros.  Instead one MiB is
    deflated once and its bytes repeated: a full flush ends the deflate
    blocks on a byte boundary and later blocks never refer back across it,
    so copies of it can be concatenated; a final empty block and the trailer
    (CRC-32 and size of the whole) close the stream.
    """
    chunk = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    crc = 0
    for _ in range(size_mib):
        crc = zlib.crc32(chunk, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # no name, mtime 0, unix
    trailer = struct.pack("<II", crc, (size_mib << 20) & 0xFFFFFFFF)
    return header + block * size_mib + final + trailer


def billion_laughs() -> bytes:
    """An RSS document whose entity, expanded, would be 10**9 'lol's (3 GB)."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(entities) + "\n]>\n"
        '<rss version="2.0"><channel><title>&lol9;</title><link>http://example.com/</link>'
        "<description>laughs</description>"
        "<item><title>lol &lol9;</title><guid>lol-1</guid><description>&lol9;</description>"
        "</item></channel></rss>").encode()


def external_entity() -> bytes:
    """An RSS document that includes /etc/passwd through an external entity (XXE)."""
    return (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<rss version="2.0"><channel><title>&xxe;</title><link>http://example.com/</link>'
        b"<description>xxe</description>"
        b"<item><title>leak &xxe;</title><guid>xxe-1</guid><description>&xxe;</description>"
        b"</item></channel></rss>")


def write_config(config_file: ConfigWriter, names: Sequence[str], *, settings: str = "",
                 extra_urls: Sequence[str] = ()) -> Path:
    """feeds.toml for ``names`` on the feed server plus ``extra_urls``, with our limits.

    The fixture writes ``timeout = "5s"``; ours replaces it (a key may appear once).
    """
    path = config_file(names=tuple(names), extra_settings=f"{LIMITS}\n{settings}")
    text = path.read_text(encoding="utf-8").replace('timeout = "5s"\n', "")
    text += "".join(f'\n[[feeds]]\nurl = "{url}"\n' for url in extra_urls)
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Cycle:
    """One `aggregator fetch` subprocess: exit code, wall time, its own peak RSS, output."""

    returncode: int
    seconds: float
    peak_rss_mb: float
    output: str


def run_cycle(config: Path, *args: str, limit_s: float = 60.0) -> Cycle:
    """Run `aggregator fetch` as a child; its peak RSS is its own ``VmHWM``, polled.

    Not ``ru_maxrss``: Linux carries a process's maxrss across fork and exec,
    so a child would report this pytest process's size at fork time. The
    high-water mark in /proc belongs to the child's own address space.
    """
    log = config.parent / f"cycle-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", "--config", str(config), "fetch", *args],
            stdout=out, stderr=subprocess.STDOUT)
        peak_kib = 0
        while process.poll() is None:
            peak_kib = max(peak_kib, _vm_hwm_kib(process.pid))
            if time.monotonic() - started > limit_s:
                process.kill()
                process.wait()
                break
            time.sleep(0.01)
        seconds = time.monotonic() - started
    return Cycle(process.returncode, seconds, peak_kib / 1024,
                 log.read_text(encoding="utf-8", errors="replace"))


def _vm_hwm_kib(pid: int) -> int:
    """The peak resident size of ``pid`` so far (KiB), 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def fetch_cycle(config: Path, *args: str) -> None:
    """One in-process `aggregator fetch`: it must exit 0 within CYCLE_LIMIT_S."""
    started = time.monotonic()
    assert main(["--config", str(config), "fetch", *args]) == 0
    elapsed = time.monotonic() - started
    assert elapsed < CYCLE_LIMIT_S, elapsed


def query(db: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@dataclass(frozen=True)
class Attempt:
    """A feed's state and its latest row in ``fetches``."""

    last_reason: str | None
    last_error: str | None
    error_streak: int
    reason: str | None
    error: str | None
    outcome: str
    status: int | None
    duration_s: float
    fetch_url: str


def latest(db: Path) -> dict[str, Attempt]:
    """Every feed's latest attempt, by configured URL."""
    found = query(db, """
        SELECT f.config_url, f.last_reason, f.last_error, f.error_streak, x.reason, x.error,
               x.outcome, x.status, x.duration_ms / 1000.0, x.url
        FROM feeds f JOIN fetches x
          ON x.id = (SELECT max(id) FROM fetches WHERE feed_id = f.id)""")
    return {row[0]: Attempt(*row[1:]) for row in found}


def entry_count(db: Path, url: str) -> int:
    return int(query(db, "SELECT count(*) FROM entries e JOIN feeds f ON f.id = e.feed_id "
                         "WHERE f.config_url = ?", (url,))[0][0])


def stored_text(db: Path) -> str:
    """Every value of every row of the tables a feed can write to, as one string."""
    return "\n".join(repr(row) for table in ("entries", "fetches", "feeds")
                     for row in query(db, f"SELECT * FROM {table}"))


def feeds_json(config: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    """`aggregator feeds --json`, by URL."""
    capsys.readouterr()
    assert main(["--config", str(config), "feeds", "--json"]) == 0
    return {row["url"]: row for row in json.loads(capsys.readouterr().out)}


def seconds_until(iso: str) -> float:
    return (from_iso(iso) - datetime.now(UTC)).total_seconds()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    """A subprocess cycle over one good feed: the time and memory hostile cycles are held to."""
    directory = tmp_path_factory.mktemp("baseline")
    with FeedServer(FEEDS_DIR) as server:
        config = directory / "feeds.toml"
        config.write_text(f"""
[settings]
database = "store.db"
jitter = 0.0
min_interval = "1s"
host_delay = "0s"
{LIMITS}

[[feeds]]
url = "{server.url("rss20.xml")}"
""", encoding="utf-8")
        cycle = run_cycle(config)
    assert cycle.returncode == 0, cycle.output
    return cycle


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address the fetcher opens a TCP connection to (in-process cycles only).

    The guarded backend resolves and checks a host, then asks httpcore's
    AnyIO backend to connect to the address it checked: that is the call
    spied on, so an address here was really dialled.
    """
    dialled: list[str] = []
    original = httpcore.AnyIOBackend.connect_tcp

    async def spy(self: httpcore.AnyIOBackend, host: str, port: int, *args: Any,
                  **kwargs: Any) -> httpcore.AsyncNetworkStream:
        dialled.append(host)
        return await original(self, host, port, *args, **kwargs)

    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", spy)
    return dialled


def test_gzip_zeros_is_a_valid_gzip_stream() -> None:
    """The bomb builder's trick holds: a real gzip reader gets exactly the zeros."""
    assert gzip.decompress(gzip_zeros(3)) == bytes(3 << 20)


# --------------------------------------------------------------------------- one cycle, many


def serve_hostile_paths(feed_server: FeedServer) -> dict[str, str]:
    """Script every hostile path the FeedServer can express; returns path -> expected reason."""
    big = b"<" * (2 * MAX_BODY_BYTES)
    feed_server.set_response("big.xml", body=big)  # Content-Length: 2 MiB
    # 50 MiB, chunked; the tiny gap lets the server see the hang-up and stop sending.
    feed_server.set_response("chunked.xml", chunks=[b"<" * 65536] * 800, chunk_delay=0.001,
                             headers={"content-length": None})
    feed_server.set_response("bomb.xml", body=gzip_zeros(200),  # 200 MiB of zeros, ~200 KiB sent
                             headers={"content-encoding": "gzip"})
    rss = (FEEDS_DIR / "rss20.xml").read_bytes()
    feed_server.set_response("drip.xml", chunks=[rss[i:i + 1] for i in range(60)],
                             chunk_delay=1.0)  # headers at once, then one byte a second
    feed_server.set_response("loop-a.xml", status=302, headers={"location": "/loop-b.xml"})
    feed_server.set_response("loop-b.xml", status=302, headers={"location": "/loop-a.xml"})
    for hop in range(10):
        feed_server.set_response(f"hop{hop}.xml", status=302,
                                 headers={"location": f"/hop{hop + 1}.xml"})
    feed_server.set_response("to-ftp.xml", status=302,
                             headers={"location": "ftp://127.0.0.1/feed.xml"})
    feed_server.set_response("to-file.xml", status=301,
                             headers={"location": "file:///etc/passwd"})
    feed_server.set_file("laughs.xml", billion_laughs(), "application/rss+xml")
    feed_server.set_file("xxe.xml", external_entity(), "application/rss+xml")
    return {
        "big.xml": "too_large",
        "chunked.xml": "too_large",
        "bomb.xml": "too_large",
        "drip.xml": "timeout",
        "loop-a.xml": "redirect_loop",
        "hop0.xml": "redirects",
        "to-ftp.xml": "scheme",
        "to-file.xml": "scheme",
        "not_a_feed.html": "html_page",
    }


def test_hostile_servers_cannot_hurt_the_cycle(
        config_file: ConfigWriter, feed_server: FeedServer, tmp_path: Path,
        baseline: Cycle) -> None:
    """Cases 1-8, 11, 12 (and endless headers) in one subprocess cycle beside rss20.xml."""
    paths = serve_hostile_paths(feed_server)
    expected = {feed_server.url(path): reason for path, reason in paths.items()}
    harmless = [feed_server.url("laughs.xml"), feed_server.url("xxe.xml")]
    good = feed_server.url("rss20.xml")
    with RawServer(never_answer) as silent, RawServer(endless_headers) as chatty:
        expected[silent.url("never.xml")] = "timeout"  # accepts, never answers
        expected[chatty.url("headers.xml")] = "protocol"  # header lines for ever
        config = write_config(config_file, ("rss20.xml", *paths, "laughs.xml", "xxe.xml"),
                              extra_urls=[silent.url("never.xml"), chatty.url("headers.xml")])
        cycle = run_cycle(config)
    db = tmp_path / "store.db"
    assert cycle.returncode == 0, cycle.output
    found = latest(db)

    # (a) one stable reason per case, in the feed's status and in its fetch log row.
    assert {url: found[url].last_reason for url in expected} == expected, cycle.output
    assert {url: found[url].reason for url in expected} == expected
    assert all(found[url].error and found[url].last_error for url in expected)
    loop = [feed_server.url(p) for p in ("loop-a.xml", "loop-b.xml", "loop-a.xml")]
    assert " -> ".join(loop) in str(found[loop[0]].last_error)
    hops = found[feed_server.url("hop0.xml")]
    assert "more than 5 redirects" in str(hops.last_error)
    assert (feed_server.hits("hop5.xml"), feed_server.hits("hop6.xml")) == (1, 0)
    assert "ftp://127.0.0.1/feed.xml" in str(found[feed_server.url("to-ftp.xml")].last_error)
    # Case 12: the page links to /rss20.xml, and the error offers it to the user.
    assert good in str(found[feed_server.url("not_a_feed.html")].last_error)

    # (b) time: the two slow ones end at the total timeout (the drip would take a
    # minute if only each read were timed), the others before it could fire; the
    # whole cycle takes one timeout longer than a cycle over the good feed alone.
    durations = {url: found[url].duration_s for url in expected}
    slow = {feed_server.url("drip.xml"), silent.url("never.xml")}
    for url, seconds in durations.items():
        if url in slow:
            assert TIMEOUT_S - 0.1 <= seconds <= TIMEOUT_S + SLACK_S, (url, seconds)
        else:
            assert seconds < TIMEOUT_S, (url, seconds)
    assert cycle.seconds < baseline.seconds + TIMEOUT_S + SLACK_S, (cycle.seconds, baseline)

    # (c) memory: nothing was buffered whole, neither the 50 MiB stream nor the bomb.
    assert cycle.peak_rss_mb < MEMORY_CAP_MB
    assert cycle.peak_rss_mb < baseline.peak_rss_mb + MEMORY_OVER_BASELINE_MB, (
        cycle.peak_rss_mb, baseline.peak_rss_mb)

    # (d) the good feed was stored; and nothing hostile got in.
    assert found[good].outcome == "ok"
    assert entry_count(db, good) > 0
    for url in expected:
        assert entry_count(db, url) == 0, url

    # Case 11: entities are a harmless parse or an error (either is fine), but never
    # expanded and never read from disk.
    assert all(url in found for url in harmless)
    text = stored_text(db)
    assert SECRET not in text
    assert "lol" * 100 not in text


# --------------------------------------------------------------------------- private addresses


def test_redirects_to_private_addresses_are_refused_before_connecting(
        config_file: ConfigWriter, feed_server: FeedServer, tmp_path: Path,
        connections: list[str]) -> None:
    """Cases 9 and 10: another host name on loopback, and cloud metadata, are never dialled."""
    assert feed_server.directory is not None
    with FeedServer(feed_server.directory, host="127.0.0.2") as other:
        targets = {
            "to-localhost.xml": f"http://localhost:{feed_server.port}/rss20.xml",
            "to-ipv6.xml": f"http://[::1]:{feed_server.port}/rss20.xml",
            "to-other-loopback.xml": other.url("rss20.xml"),
            "to-metadata.xml": "http://169.254.169.254/latest/meta-data/",
        }
        for path, target in targets.items():
            feed_server.set_response(path, status=302, headers={"location": target})
        config = write_config(config_file, ("rss20.xml", *targets))
        fetch_cycle(config)
        db = tmp_path / "store.db"
        found = latest(db)
        for path, target in targets.items():
            attempt = found[feed_server.url(path)]
            assert (attempt.last_reason, attempt.reason) == ("private_address",) * 2, attempt
            assert attempt.duration_s < 1.0, attempt  # nothing dialled, nothing waited for
            assert str(urlsplit(target).hostname) in str(attempt.last_error), attempt
        assert not {"127.0.0.2", "::1", "169.254.169.254"} & set(connections), connections
        assert other.hits("rss20.xml") == 0
        assert feed_server.hits("rss20.xml") == 1  # the feed itself; no redirect got there
        assert entry_count(db, feed_server.url("rss20.xml")) > 0

        # With allow_private_redirects the same redirect is followed and stored.
        config = write_config(config_file, ("rss20.xml", "to-other-loopback.xml"),
                              settings="allow_private_redirects = true")
        fetch_cycle(config, "--force")
        followed = latest(db)[feed_server.url("to-other-loopback.xml")]
        assert (followed.outcome, followed.status) == ("ok", 200), followed
        assert followed.fetch_url == other.url("rss20.xml")
        assert other.hits("rss20.xml") == 1
        assert "127.0.0.2" in connections
        assert entry_count(db, feed_server.url("to-other-loopback.xml")) > 0


def test_redirect_cannot_ride_a_pooled_connection_to_a_private_host(
        config_file: ConfigWriter, feed_server: FeedServer, tmp_path: Path) -> None:
    """The user configured one intranet feed; another feed's redirect must not reach that host."""
    assert feed_server.directory is not None
    with FeedServer(feed_server.directory, host="127.0.0.2") as intranet:
        # Answered late, so the intranet feed's connection is idle in the pool by then.
        feed_server.set_response("sneaky.xml", status=302, delay=1.0,
                                 headers={"location": intranet.url("rss20.xml")})
        config = write_config(config_file, ("rss20.xml", "sneaky.xml"),
                              extra_urls=[intranet.url("atom10.xml")])
        fetch_cycle(config)
        db = tmp_path / "store.db"
        found = latest(db)
        assert entry_count(db, intranet.url("atom10.xml")) > 0
        assert entry_count(db, feed_server.url("rss20.xml")) > 0
        assert intranet.hits("rss20.xml") == 0
        assert found[feed_server.url("sneaky.xml")].last_reason == "private_address"


# --------------------------------------------------------------------------- memory


def bomb_cycle(config_file: ConfigWriter, feed_server: FeedServer, body: bytes,
               encoding: str) -> tuple[Cycle, Attempt, int]:
    """A subprocess cycle over rss20.xml and /bomb.xml: the bomb's attempt, rss20's entries."""
    feed_server.set_response("bomb.xml", body=body, headers={"content-encoding": encoding})
    config = write_config(config_file, ("rss20.xml", "bomb.xml"))
    cycle = run_cycle(config)
    assert cycle.returncode == 0, cycle.output
    db = config.parent / "store.db"  # the fixture's `database = "store.db"`
    return (cycle, latest(db)[feed_server.url("bomb.xml")],
            entry_count(db, feed_server.url("rss20.xml")))


def test_gzip_bomb_costs_memory_near_the_limit(
        config_file: ConfigWriter, feed_server: FeedServer, baseline: Cycle) -> None:
    """Case 3, strictly: with a 1 MiB limit, a bomb should cost a few MiB, not 100+."""
    cycle, attempt, good_entries = bomb_cycle(config_file, feed_server, gzip_zeros(200), "gzip")
    assert cycle.peak_rss_mb < baseline.peak_rss_mb + MEMORY_NEAR_LIMIT_MB, (
        cycle.peak_rss_mb, baseline.peak_rss_mb)
    assert attempt.last_reason == "too_large"
    assert good_entries > 0


def test_nested_gzip_bomb_is_stopped_before_it_is_decoded(
        config_file: ConfigWriter, feed_server: FeedServer, baseline: Cycle) -> None:
    """512 MiB of zeros gzipped twice is about 1 KiB on the wire: memory must stay bounded.

    Today the decoding also holds the event loop for seconds, so the other
    feed in flight may time out too: that is checked after memory.
    """
    nested = gzip.compress(gzip_zeros(512), mtime=0)
    assert len(nested) < 4096
    cycle, attempt, good_entries = bomb_cycle(config_file, feed_server, nested, "gzip, gzip")
    assert cycle.peak_rss_mb < MEMORY_CAP_MB, (cycle.peak_rss_mb, attempt)
    assert cycle.peak_rss_mb < baseline.peak_rss_mb + MEMORY_OVER_BASELINE_MB
    assert attempt.last_reason in ("too_large", "decoding"), attempt
    assert attempt.duration_s < TIMEOUT_S, attempt
    assert cycle.seconds < baseline.seconds + SLACK_S
    assert good_entries > 0


# --------------------------------------------------------------------------- HTTP statuses


def test_gone_feed_is_not_requested_until_enabled(
        config_file: ConfigWriter, feed_server: FeedServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Case 13: 410 marks the feed gone; no cycle asks again until `aggregator enable`."""
    feed_server.set_response("gone.xml", status=410, body="gone")
    config = write_config(config_file, ("rss20.xml", "gone.xml"))
    url = feed_server.url("gone.xml")
    fetch_cycle(config)
    db = tmp_path / "store.db"
    assert latest(db)[url].last_reason == "gone"
    assert entry_count(db, feed_server.url("rss20.xml")) > 0
    listed = feeds_json(config, capsys)[url]
    assert listed["status"] == "gone"
    assert listed["gone_since"]
    assert feed_server.hits("gone.xml") == 1

    fetch_cycle(config)
    fetch_cycle(config, "--force")
    assert feed_server.hits("gone.xml") == 1

    assert main(["--config", str(config), "enable", url]) == 0
    fetch_cycle(config)
    assert feed_server.hits("gone.xml") == 2


def test_not_found_backs_off_but_is_never_gone(
        config_file: ConfigWriter, feed_server: FeedServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Case 14: 404 is an ordinary error: the streak grows and the wait doubles."""
    feed_server.set_response("missing.xml", status=404, body="not here")
    config = write_config(config_file, ("rss20.xml", "missing.xml"))
    url = feed_server.url("missing.xml")
    db = tmp_path / "store.db"
    for streak in (1, 2):
        fetch_cycle(config, "--force")  # without --force the second would wait out the backoff
        attempt = latest(db)[url]
        assert (attempt.last_reason, attempt.reason, attempt.status) == (
            "http_status", "http_status", 404)
        assert attempt.error_streak == streak
    assert entry_count(db, feed_server.url("rss20.xml")) > 0
    listed = feeds_json(config, capsys)[url]
    assert listed["status"] != "gone"
    assert listed["gone_since"] is None
    assert listed["error_streak"] == 2
    assert listed["next_fetch_reason"].startswith("backoff"), listed["next_fetch_reason"]
    assert feed_server.hits("missing.xml") == 2


def test_retry_after_is_honoured_in_seconds_and_as_a_date(
        config_file: ConfigWriter, feed_server: FeedServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Case 15: 429 + Retry-After: 120, and 503 + an HTTP date 120 s after the response's Date.

    The Date we send is a day behind the clock: counted from the clock, the
    date would be long past; counted from Date, as it must be, it is 120 s.
    uvicorn adds its own Date header, so the 503 comes from a raw server.
    """
    feed_server.set_response("limited.xml", status=429, body="slow down",
                             headers={"retry-after": "120"})
    sent = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    response = (
        "HTTP/1.1 503 Service Unavailable\r\n"
        f"Date: {format_datetime(sent, usegmt=True)}\r\n"
        f"Retry-After: {format_datetime(sent + timedelta(seconds=120), usegmt=True)}\r\n"
        "Content-Length: 0\r\nConnection: close\r\n\r\n").encode()
    with RawServer(canned(response)) as busy:
        config = write_config(config_file, ("rss20.xml", "limited.xml"),
                              extra_urls=[busy.url("busy.xml")])
        limited, unavailable = feed_server.url("limited.xml"), busy.url("busy.xml")
        fetch_cycle(config)
        db = tmp_path / "store.db"
        found = latest(db)
        assert (found[limited].status, found[unavailable].status) == (429, 503)
        assert entry_count(db, feed_server.url("rss20.xml")) > 0
        listed = feeds_json(config, capsys)
        for url in (limited, unavailable):
            assert 110 <= seconds_until(listed[url]["next_fetch"]) <= 125, listed[url]
            assert "Retry-After" in listed[url]["next_fetch_reason"], listed[url]
            assert listed[url]["retry_until"], listed[url]
        assert (feed_server.hits("limited.xml"), busy.accepted) == (1, 1)

        fetch_cycle(config)  # both are waiting out their Retry-After: not asked
        summary = capsys.readouterr().out
        assert (feed_server.hits("limited.xml"), busy.accepted) == (1, 1)
        assert "2 skipped" in summary, summary

        fetch_cycle(config, "--force")
        assert (feed_server.hits("limited.xml"), busy.accepted) == (2, 2)


def test_identical_body_without_conditional_get_writes_nothing(
        config_file: ConfigWriter, feed_server: FeedServer, tmp_path: Path) -> None:
    """Case 16: a server that ignores If-None-Match and resends the same bytes: a 304 to us."""
    feed_server.set_file("same.xml", (FEEDS_DIR / "atom10.xml").read_bytes())
    feed_server.set_options("same.xml", conditional=False)
    config = write_config(config_file, ("rss20.xml", "same.xml"))
    url = feed_server.url("same.xml")
    db = tmp_path / "store.db"
    fetch_cycle(config)
    assert latest(db)[url].outcome == "ok"
    count = entry_count(db, url)
    assert count > 0
    before = query(db, "SELECT max(last_changed), sum(update_count) FROM entries")
    version = query(db, "SELECT value FROM meta WHERE key = 'content_version'")

    fetch_cycle(config)
    second = [r for r in feed_server.requests if r.path == "/same.xml"][-1]
    assert second.headers["if-none-match"] == feed_server.etag("same.xml")  # and it was ignored
    attempt = latest(db)[url]
    assert (attempt.outcome, attempt.status) == ("not_modified", 200), attempt
    assert feed_server.hits("same.xml") == 2
    assert entry_count(db, url) == count
    assert query(db, "SELECT max(last_changed), sum(update_count) FROM entries") == before
    assert query(db, "SELECT value FROM meta WHERE key = 'content_version'") == version
    assert entry_count(db, feed_server.url("rss20.xml")) > 0
