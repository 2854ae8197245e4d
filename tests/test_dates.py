"""Bad dates from feeds and old stores: stored in one form, never ordered or published as is.

Issue 13: one entry dated year 1 (Go's and Hugo's zero time) was stored as
'1-01-01T00:00:00Z' and from then on every merged output failed.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from aggregator import dedupe
from aggregator import pipeline as pipeline_module
from aggregator.errors import PublishError
from aggregator.models import (
    EPOCH_ISO,
    Candidate,
    DedupeSettings,
    FeedConfig,
    ParsedEntry,
    Settings,
    from_iso,
    plausible_time,
    read_iso,
    seconds_apart,
    to_iso,
    utc_now,
)
from aggregator.parse import parse_feed
from aggregator.pipeline import own_iso, sort_time
from aggregator.publish import FORMATS, LEFT_OUT, render
from aggregator.serve.page import IndexView, render_index
from aggregator.store import Store
from tests.feedcheck import assert_valid_feed
from tests.feedserver import FeedServer
from tests.test_pipeline import cycle
from tests.test_publish import BLOG_A, NEWS_B, SUFFIX, make_entry, meta_for, uid

CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
ATOM = "{http://www.w3.org/2005/Atom}"

# --- the store's form ---------------------------------------------------------------------


@pytest.mark.parametrize(("moment", "expected"), [
    (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
    (datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC), "0999-12-31T23:59:59Z"),
    (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), "9999-12-31T23:59:59Z"),
    # not representable in UTC: the first or last second that is
    (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))), "0001-01-01T00:00:00Z"),
    (datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),
     "9999-12-31T23:59:59Z"),
    (datetime(2024, 5, 3, 12, 0, 30, 999, tzinfo=timezone(timedelta(hours=2))),
     "2024-05-03T10:00:30Z"),
])
def test_to_iso_always_writes_four_digit_years(moment: datetime, expected: str) -> None:
    assert to_iso(moment) == expected


def test_from_iso_reads_the_unpadded_rows_of_old_stores() -> None:
    assert from_iso("1-01-01T00:00:00Z") == datetime(1, 1, 1, tzinfo=UTC)
    assert from_iso("999-12-31T23:59:59Z") == datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert from_iso("0001-01-01T00:00:00Z") == datetime(1, 1, 1, tzinfo=UTC)
    for bad in ("garbage", "", "2024-13-01T00:00:00Z", "1-01-01T00:00:00", "12345-01-01T00:00:00Z"):
        with pytest.raises(ValueError, match="ISO|month|day|range"):
            from_iso(bad)
        assert read_iso(bad) is None


aware = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59),
                     timezones=st.builds(timezone, st.timedeltas(min_value=timedelta(hours=-23),
                                                                 max_value=timedelta(hours=23))))


@given(aware)
def test_normalized_times_are_canonical_and_read_back(moment: datetime) -> None:
    text = to_iso(moment)
    assert CANONICAL.fullmatch(text), text
    back = from_iso(text)
    try:
        exact = moment.astimezone(UTC).replace(microsecond=0)
    except OverflowError:  # not representable in UTC: clamped to the nearest end
        assert text in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z")
    else:
        assert back == exact
    assert to_iso(back) == text


@given(aware, aware)
def test_text_order_is_time_order(a: datetime, b: datetime) -> None:
    """SQLite orders the strings: that must be the order of the moments."""
    first, second = from_iso(to_iso(a)), from_iso(to_iso(b))
    assert (to_iso(a) < to_iso(b)) == (first < second)


@given(st.one_of(st.text(max_size=30), aware.map(to_iso)))
def test_readers_never_raise_on_any_stored_text(text: str) -> None:
    now = datetime(2026, 12, 5, tzinfo=UTC)
    moment = plausible_time(text, now)
    assert moment is None or datetime(1970, 1, 1, tzinfo=UTC) <= moment <= now + timedelta(days=1)
    assert seconds_apart(text, "2026-12-05T00:00:00Z") >= 0


def test_plausible_time_bounds() -> None:
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    assert plausible_time("0001-01-01T00:00:00Z", now) is None
    assert plausible_time("1-01-01T00:00:00Z", now) is None
    assert plausible_time("1969-12-31T23:59:59Z", now) is None
    assert plausible_time(EPOCH_ISO, now) == datetime(1970, 1, 1, tzinfo=UTC)
    assert plausible_time("2026-12-06T12:00:00Z", now) is not None  # a day of slack
    assert plausible_time("2026-12-06T12:00:01Z", now) is None
    assert plausible_time("9999-12-31T23:59:59Z", now) is None
    assert plausible_time("2005-03-01T00:00:00Z", datetime(9999, 12, 31, tzinfo=UTC))
    assert plausible_time(None, now) is None


# --- parsing ---------------------------------------------------------------------------


def rss(*dates: str) -> bytes:
    items = "".join(f"<item><title>T{i}</title><link>https://e.example/{i}</link>"
                    f"<guid>g{i}</guid><pubDate>{d}</pubDate></item>"
                    for i, d in enumerate(dates))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
            f"<link>https://e.example/</link><description>d</description>{items}"
            f"</channel></rss>").encode()


def atom(*dates: str) -> bytes:
    entries = "".join(f'<entry><title>T{i}</title><id>urn:e:{i}</id>'
                      f'<link href="https://e.example/{i}"/><updated>{d}</updated></entry>'
                      for i, d in enumerate(dates))
    return (f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>'
            f"<id>urn:f</id><updated>2024-01-01T00:00:00Z</updated>{entries}</feed>").encode()


def test_rss_dates_are_stored_canonical() -> None:
    parsed = parse_feed(rss("Mon, 01 Jan 0001 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
                            "Fri, 31 Dec 2021 23:59:59 +2500", "Fri, 31 Dec 2021 23:59:59",
                            "not a date"), "https://e.example/feed", {})
    assert [e.published for e in parsed.entries] == [
        "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "2021-12-30T22:59:59Z",  # feedparser applies the +25:00 it was given
        "2021-12-31T23:59:59Z",  # no zone: UTC (feedparser alone drops it)
        None]


def test_atom_dates_are_stored_canonical() -> None:
    parsed = parse_feed(atom("0001-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00",
                             "2021-12-31T23:59:59+25:00", "2021-12-31T23:59:59",
                             "0001-01-01T00:00:00+01:00"), "https://e.example/feed", {})
    updated = [e.updated for e in parsed.entries]
    assert updated[0] == "0001-01-01T00:00:00Z"
    assert updated[3] == "2021-12-31T23:59:59Z"
    assert all(u is None or CANONICAL.fullmatch(u) for u in updated), updated


# --- ordering and matching -------------------------------------------------------------


def entry(published: str | None = None, updated: str | None = None) -> ParsedEntry:
    return ParsedEntry(key="k", guid="k", url=None, title="t", author=None, summary=None,
                       content=None, published=published, updated=updated)


@pytest.mark.parametrize(("published", "updated", "expected"), [
    ("0001-01-01T00:00:00Z", None, EPOCH_ISO),  # at the bottom, not on top
    ("1-01-01T00:00:00Z", None, EPOCH_ISO),
    ("9999-12-31T23:59:59Z", None, "2026-12-05T12:00:00Z"),  # never above "now"
    ("9999-12-31T23:59:59Z", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
    ("2026-12-05T18:00:00Z", None, "2026-12-05T12:00:00Z"),
    ("2005-03-01T00:00:00Z", None, "2005-03-01T00:00:00Z"),
    (None, None, "2026-12-05T12:00:00Z"),
])
def test_first_fetch_places_entries_by_sane_dates(published: str | None, updated: str | None,
                                                  expected: str) -> None:
    now_iso = "2026-12-05T12:00:00Z"
    assert sort_time(entry(published, updated), now_iso, never_fetched=True) == expected
    assert sort_time(entry(published, updated), now_iso, never_fetched=False) == now_iso


def test_matcher_survives_bad_and_old_times() -> None:
    settings = DedupeSettings()
    text = "a story about the harbour bridge that opened again after repairs " * 4
    new = entry()
    new = replace(new, title="Harbour bridge opens", summary=text, url="https://a.example/s")
    found = dedupe.features(new, settings)
    candidate = Candidate(entry_id=1, story_id=1, layer="url", when="1-01-01T00:00:00Z",
                          title="Harbour bridge opens", summary=text, content=None)
    now = datetime(2026, 12, 5, tzinfo=UTC)
    for when, other in (("2026-12-05T00:00:00Z", "1-01-01T00:00:00Z"),
                        ("garbage", "2026-12-05T00:00:00Z"),
                        (own_iso(new, now) or "2026-12-05T00:00:00Z", "2026-12-04T00:00:00Z")):
        stored = replace(candidate, when=other)
        lookups = dedupe.Lookups(rarity=dedupe.Rarity(1, lambda terms: {}),
                                 members=lambda _story, c=stored: [c], headline_uses=(0, 0))
        match = dedupe.match_story(found, when, [stored], lookups, settings)
        assert (match is not None) == (other == "2026-12-04T00:00:00Z"), (when, other)


# --- publishing ------------------------------------------------------------------------

GOOD = make_entry("good", BLOG_A, url="https://blog-a.example.com/good", title="Good one",
                  published="2024-05-03T10:00:00Z", first_seen="2024-05-03T10:05:00Z")
BAD_DATES = (
    make_entry("year-1", BLOG_A, title="Year one", published="0001-01-01T00:00:00Z",
               updated="0001-01-01T00:00:00Z", first_seen="2024-05-02T10:00:00Z"),
    make_entry("old-store", NEWS_B, title="Old unpadded row", published="1-01-01T00:00:00Z",
               first_seen="2024-05-02T09:00:00Z", sort_at="1-01-01T00:00:00Z"),
    make_entry("year-9999", NEWS_B, title="Far future", published="9999-12-31T23:59:59Z",
               updated="9999-12-31T23:59:59Z", first_seen="2024-05-02T08:00:00Z"),
    make_entry("garbage", NEWS_B, title="Garbage dates", published="yesterday",
               updated="2024-99-99T00:00:00Z", first_seen="2024-05-02T07:00:00Z"),
)
SEEN = {e.uid: e.first_seen for e in BAD_DATES}


def _rfc3339(text: str | None) -> str | None:
    return None if text is None else to_iso(datetime.fromisoformat(text))


def titles(fmt: str, body: bytes) -> list[str]:
    if fmt == "json":
        return [i.get("title") for i in json.loads(body)["items"]]
    return [e.title for e in feedparser.parse(body).entries]


def item_dates(fmt: str, body: bytes) -> dict[str, list[str]]:
    """Each item's published-like and updated-like dates, in the format's own words."""
    if fmt == "json":
        return {i["id"]: [i["date_published"], i.get("date_modified")]
                for i in json.loads(body)["items"]}
    root = etree.fromstring(body)
    if fmt == "atom":
        return {e.findtext(f"{ATOM}id"): [_rfc3339(e.findtext(f"{ATOM}published")),
                                          _rfc3339(e.findtext(f"{ATOM}updated"))]
                for e in root.iter(f"{ATOM}entry")}
    return {i.findtext("guid"): [to_iso(parsedate_to_datetime(i.findtext("pubDate") or "")),
                                 None] for i in root.iter("item")}


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_dates_never_fail_an_output_and_are_not_published(fmt: str, tmp_path: Path) -> None:
    body = render(fmt, (GOOD, *BAD_DATES), meta_for(fmt))
    path = tmp_path / f"feed.{SUFFIX[fmt]}"
    path.write_bytes(body)
    assert_valid_feed(path)
    dates = item_dates(fmt, body)
    assert list(dates) == [GOOD.uid, *SEEN]  # every entry, in the order given
    for uid_, values in dates.items():
        for value in filter(None, values):
            assert "2024-05-01" <= value[:10] <= "2024-05-04", (uid_, value)  # nothing odd
        if uid_ in SEEN:
            assert SEEN[uid_] in values  # first seen stands in for the date
    assert titles(fmt, body)[0] == "Good one"


def test_items_carry_their_own_dates_not_first_seen() -> None:
    """An item published in 2005 and first seen today reads as published in 2005."""
    published = make_entry("p", BLOG_A, title="Old post", published="2005-03-01T00:00:00Z",
                           first_seen="2024-05-03T10:00:00Z")
    only_updated = make_entry("u", BLOG_A, title="Old, updated only",
                              updated="2005-03-02T00:00:00Z", first_seen="2024-05-03T10:00:00Z")
    undated = make_entry("n", BLOG_A, title="Undated", first_seen="2024-05-03T10:00:00Z")
    entries = (published, only_updated, undated)
    rss_dates = item_dates("rss", render("rss", entries, meta_for("rss")))
    assert [v[0] for v in rss_dates.values()] == ["2005-03-01T00:00:00Z",
                                                  "2005-03-02T00:00:00Z",
                                                  "2024-05-03T10:00:00Z"]
    json_dates = item_dates("json", render("json", entries, meta_for("json")))
    assert list(json_dates.values()) == [["2005-03-01T00:00:00Z", None],
                                         ["2005-03-02T00:00:00Z", "2005-03-02T00:00:00Z"],
                                         ["2024-05-03T10:00:00Z", None]]
    atom_dates = item_dates("atom", render("atom", entries, meta_for("atom")))
    assert list(atom_dates.values()) == [["2005-03-01T00:00:00Z", "2005-03-01T00:00:00Z"],
                                         [None, "2005-03-02T00:00:00Z"],
                                         [None, "2024-05-03T10:00:00Z"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unrenderable_entry_is_left_out_logged_and_counted(
        fmt: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    broken = make_entry("broken", NEWS_B, uid=" ", title="No id")
    unreadable = make_entry("unreadable", NEWS_B, title="No time at all",
                            first_seen="garbage", sort_at="garbage")
    before = LEFT_OUT[fmt]
    with caplog.at_level(logging.WARNING, logger="aggregator.publish"):
        body = render(fmt, (broken, GOOD, unreadable), meta_for(fmt))
    assert LEFT_OUT[fmt] == before + 2
    assert titles(fmt, body) == ["Good one"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2 and all("left out entry" in w for w in warnings), warnings
    assert any(uid("unreadable") in w and "first_seen" in w for w in warnings), warnings
    path = tmp_path / f"feed.{SUFFIX[fmt]}"
    path.write_bytes(body)
    assert_valid_feed(path)


# --- a clock that steps back -------------------------------------------------------------


def clock_feed(*titles_: str) -> str:
    """An RSS feed whose items carry no dates: they are placed when first seen."""
    items = "".join(f"<item><title>{t}</title><link>https://c.example/{t}</link>"
                    f"<guid>{t}</guid><description>{t} text</description></item>"
                    for t in titles_)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Clock</title>'
            f"<link>https://c.example/</link><description>d</description>{items}"
            f"</channel></rss>")


@pytest.mark.parametrize(("step_back", "held"), [(timedelta(hours=1), True),
                                                 (timedelta(days=2), False)])
def test_a_clock_stepped_back_keeps_new_entries_on_top(
        feed_server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        step_back: timedelta, held: bool) -> None:
    """An hour back is held (new entries stay on top); days back is a wrong clock corrected."""
    settings = Settings(database=tmp_path / "s.db", timeout_s=3, connect_timeout_s=1,
                        host_delay_s=0, parse_workers=1, jitter=0.0, min_interval_s=1)
    (feed_server.directory / "clock.xml").write_text(clock_feed("first"))
    store = Store.open(settings.database)
    store.sync_feeds([FeedConfig(url=feed_server.url("clock.xml"))], 3600, utc_now())
    assert [o.outcome for o in cycle(store, settings)] == ["ok"]
    _, changed = store.content_version()
    assert changed is not None

    real = pipeline_module.utc_now
    monkeypatch.setattr(pipeline_module, "utc_now", lambda: real() - step_back)
    (feed_server.directory / "clock.xml").write_text(clock_feed("first", "second"))
    assert [(o.outcome, o.new) for o in cycle(store, settings)] == [("ok", 1)]

    newest = store.newest_stories(10)
    order = [e.title for e in newest]
    seen = {e.title: e.first_seen for e in newest}
    _, changed_after = store.content_version()
    assert changed_after is not None
    if held:  # same time as before, placed after: on top
        assert order == ["second", "first"]
        assert seen["second"] == seen["first"] and changed_after == changed
    else:  # the clock was wrong by days: the store follows the corrected one
        assert order == ["first", "second"]
        assert seen["second"] < seen["first"] and changed_after < changed
    for fmt in FORMATS:
        meta = replace(meta_for(fmt), updated=changed_after)
        body = render(fmt, newest, meta)
        assert titles(fmt, body) == order
        path = tmp_path / f"feed.{SUFFIX[fmt]}"
        path.write_bytes(body)
        assert_valid_feed(path)
    store.close()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bad_document_still_fails_whole_and_blames_no_entry(
        fmt: str, caplog: pytest.LogCaptureFixture) -> None:
    meta = replace(meta_for(fmt), self_url="feed.atom")  # the configuration's fault
    before = LEFT_OUT[fmt]
    with pytest.raises(PublishError, match="self_url"):
        render(fmt, (GOOD, *BAD_DATES), meta)
    assert LEFT_OUT[fmt] == before
    assert not [r for r in caplog.records if "left out" in r.getMessage()]


def test_the_page_shows_the_same_believable_dates() -> None:
    stories = [make_entry("year-1-page", BLOG_A, title="Year one", url="https://a.example/1",
                          published="1-01-01T00:00:00Z", first_seen="2024-05-02T10:00:00Z"),
               make_entry("updated-page", BLOG_A, title="Updated only", url="https://a.example/2",
                          updated="2005-03-02T00:00:00Z", first_seen="2024-05-02T11:00:00Z")]
    view = IndexView(title="t", base_url="http://127.0.0.1:8080/", outputs=(("t", "/feed"),))
    page = lxml.html.document_fromstring(render_index(stories, view))
    assert [t.get("datetime") for t in page.iter("time")] == ["2024-05-02T10:00:00Z",
                                                             "2005-03-02T00:00:00Z"]
