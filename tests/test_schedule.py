"""The next-fetch decision: interval, posting rate, publisher hints, bounds, failures."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.config import MAX_DURATION_S
from aggregator.models import FeedConfig, FeedTiming, FetchOutcome, Settings, to_iso
from aggregator.schedule import next_fetch_after
from aggregator.store import Store

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
SETTINGS = Settings(database=Path("x.db"), jitter=0.0, min_interval_s=600,
                    max_interval_s=86400, max_backoff_s=3 * 86400, max_retry_after_s=8 * 3600)
OK = FetchOutcome(url="u", outcome="ok", status=200)
ERROR = FetchOutcome(url="u", outcome="error", reason="http_status", status=500)


def delay(outcome: FetchOutcome, timing: FeedTiming,
          settings: Settings = SETTINGS) -> tuple[float, str]:
    when, reason = next_fetch_after(outcome, timing, settings, NOW, random.Random(1))
    return (when - NOW).total_seconds(), reason


def test_plain_interval() -> None:
    assert delay(OK, FeedTiming(interval_s=1800, error_streak=0)) == (1800, "interval")


def test_posting_rate_overrides_interval_when_adaptive() -> None:
    hourly = FeedTiming(interval_s=1800, error_streak=0, post_gap_s=3600)
    weekly = FeedTiming(interval_s=1800, error_streak=0, post_gap_s=7 * 86400)
    assert delay(OK, hourly) == (3600, "posting rate")
    assert delay(OK, weekly) == (86400, "posting rate, lowered to max_interval")
    assert delay(OK, hourly, replace(SETTINGS, adaptive=False)) == (1800, "interval")


@pytest.mark.parametrize(("field", "name"), [
    ("max_age_s", "Cache-Control"), ("ttl_s", "ttl"), ("update_period_s", "sy:updatePeriod"),
])
def test_publisher_hints_are_minimums(field: str, name: str) -> None:
    timing = replace(FeedTiming(interval_s=1800, error_streak=0), **{field: 7200})
    assert delay(OK, timing) == (7200, name)
    shorter = replace(FeedTiming(interval_s=1800, error_streak=0), **{field: 60})
    assert delay(OK, shorter) == (1800, "interval")


def test_floor_and_ceiling() -> None:
    assert delay(OK, FeedTiming(interval_s=5, error_streak=0)) == (
        600, "interval, raised to min_interval")
    assert delay(OK, FeedTiming(interval_s=5 * 86400, error_streak=0)) == (
        86400, "interval, lowered to max_interval")


def test_backoff_doubles_and_is_capped() -> None:
    delays = [delay(ERROR, FeedTiming(interval_s=3600, error_streak=n))[0] for n in (1, 2, 3)]
    assert delays == [3600, 7200, 14400]
    capped, reason = delay(ERROR, FeedTiming(interval_s=3600, error_streak=40))
    assert capped == 3 * 86400
    assert reason == "backoff (40 failures)"


def test_retry_after_wins_and_network_down_does_not_back_off() -> None:
    limited = replace(ERROR, status=429, retry_after_s=120)
    assert delay(limited, FeedTiming(interval_s=3600, error_streak=1)) == (
        120, "Retry-After (120s)")
    down = replace(ERROR, reason="connect", network_down=True)
    assert delay(down, FeedTiming(interval_s=3600, error_streak=5)) == (3600, "network down")


def test_jitter_spreads_within_its_fraction() -> None:
    settings = replace(SETTINGS, jitter=0.1)
    rng = random.Random(7)
    seen = {(next_fetch_after(OK, FeedTiming(interval_s=1000, error_streak=0), settings, NOW,
                              rng)[0] - NOW).total_seconds() for _ in range(50)}
    assert min(seen) >= 1000
    assert max(seen) <= 1100
    assert len(seen) > 10


HUGE = (1e16, 1e300, float("inf"))  # 1e16 s is past timedelta's limit, inf a "max-age" of 1e400


@pytest.mark.parametrize("huge", HUGE)
def test_huge_delays_saturate_instead_of_overflowing(huge: float) -> None:
    """Issue 13: interval = "99999999999d" made every fetch die with an OverflowError."""
    limit = MAX_DURATION_S
    wide = replace(SETTINGS, max_interval_s=huge, max_backoff_s=huge, max_retry_after_s=huge)
    timing = FeedTiming(interval_s=huge, error_streak=3, max_age_s=huge, ttl_s=huge,
                        update_period_s=huge, post_gap_s=huge)
    outcomes = (OK, ERROR, replace(ERROR, status=429, retry_after_s=huge),
                replace(ERROR, reason="connect", network_down=True),
                replace(ERROR, reason="internal"))
    for outcome in outcomes:
        assert delay(outcome, timing, wide)[0] == limit
    assert delay(replace(ERROR, retry_after_s=huge), FeedTiming(3600, 1))[0] == limit


def test_a_huge_stored_interval_still_leases_the_feed(tmp_path: Path) -> None:
    """Issue 13: with "3000000d" the lease was NULL: IntegrityError every tick, no fetching."""
    store = Store.open(tmp_path / "s.db")
    try:
        feeds = [FeedConfig(url="https://a.example/f", interval_s=3_000_000 * 86400.0),
                 FeedConfig(url="https://b.example/f")]
        store.sync_feeds(feeds, 3600, NOW)
        jobs = store.claim_due(NOW, 10)
        assert [job.url for job in jobs] == ["https://a.example/f", "https://b.example/f"]
        due = dict(store.conn.execute("SELECT url, next_fetch FROM feeds").fetchall())
        assert due["https://a.example/f"] == "9999-12-31T23:59:59Z"
        assert due["https://b.example/f"] == to_iso(NOW + timedelta(hours=1))
    finally:
        store.close()
