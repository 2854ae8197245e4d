"""JSON Feed 1.0 / 1.1: the same model as RSS and Atom, and only ParseError on bad input."""

from __future__ import annotations

import codecs
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from aggregator.errors import ParseError
from aggregator.models import Enclosure
from aggregator.parse import parse_feed

FEEDS = Path(__file__).parent / "feeds"
URL = "https://transit.riverton.example/feed.json"
JSON_FEED = {"content-type": "application/feed+json"}
V11 = "https://jsonfeed.org/version/1.1"


def feed_body(*items: Any, **fields: Any) -> bytes:
    document = {"version": V11, "title": "T", "home_page_url": "https://x.example/",
                "items": list(items), **fields}
    return json.dumps(document).encode()


# --- the fixtures ---------------------------------------------------------------------


def test_jsonfeed11_fixture() -> None:
    feed = parse_feed((FEEDS / "jsonfeed11.json").read_bytes(), URL, JSON_FEED)
    assert (feed.title, feed.link, feed.version) == (
        "Riverton Transit Notes", "https://transit.riverton.example/", "json11")
    assert feed.subtitle == "Buses, trams and bikes in Riverton: a weekly notebook."
    assert feed.self_url == "https://transit.riverton.example/feed.json"
    assert feed.warning is None
    corridor, timetable, charts, podcast = feed.entries

    assert corridor.key == corridor.guid == corridor.url
    assert corridor.author == "Jonas Lind"  # authors[0]
    assert corridor.published == "2026-01-16T08:30:00Z"  # +01:00 -> UTC
    assert corridor.updated == "2026-01-16T11:05:12Z"  # fractional seconds dropped
    assert corridor.tags == ("cycling", "council")
    assert corridor.summary == "The 4.2 km corridor opens in 2027."
    assert "<script" not in (corridor.content or "")
    assert "voted 31\u201312" in (corridor.content or "")

    assert timetable.key == timetable.guid == "20260113"  # a numeric id, as text
    assert timetable.content == ("From 20 January, line 4 runs every 12 minutes &lt;not 10&gt;.\n"
                                 "Evening trams stop at 23:30 &amp; night buses take over.")
    assert timetable.author == "Mira Okafor"  # the feed's authors, per the 1.1 spec
    assert timetable.updated is None

    # Relative URLs in content_html resolve against the item's url.
    item_dir = "https://transit.riverton.example/2026/01/08/"
    assert f'src="{item_dir}charts/trams.png"' in (charts.content or "")
    assert 'href="https://transit.riverton.example/2026/2025/12/30/outlook"' in (charts.content or "")
    assert 'href="https://transit.riverton.example/data/ridership-2025.csv"' in (charts.content or "")
    assert charts.published == "2026-01-08T17:00:00Z"

    assert podcast.enclosures == (
        Enclosure("https://cdn.riverton.example/podcast/episode-12.mp3", "audio/mpeg", 48213776),
        Enclosure("https://transit.riverton.example/podcast/episode-12.m4a", "audio/x-m4a",
                  41000000),
        Enclosure("https://cdn.riverton.example/podcast/episode-12-transcript.txt", "text/plain",
                  None),
    )  # the javascript: attachment is dropped; a size that is not a number becomes None


def test_jsonfeed10_fixture_with_singular_author() -> None:
    url = "https://photos.harbour.example/feed.json"
    feed = parse_feed((FEEDS / "jsonfeed10.json").read_bytes(), url, JSON_FEED)
    assert feed.version == "json10"
    assert feed.title == "Harbour Lights Photo Diary"
    assert [e.key for e in feed.entries] == ["3", "2", "1"]
    assert [e.author for e in feed.entries] == ["Ana Ferreira", "Rui Costa", "Ana Ferreira"]
    assert feed.entries[0].content == ('<p><img src="https://photos.harbour.example/img/2026/fog.jpg"'
                                       ' alt="Fog"></p><p>Taken at 07:12.</p>')
    assert feed.entries[2].title is None
    assert feed.entries[2].content == "Nets drying on the quay."


def test_parsed_json_feed_pickles_for_the_process_pool() -> None:
    feed = parse_feed((FEEDS / "jsonfeed11.json").read_bytes(), URL, JSON_FEED)
    assert pickle.loads(pickle.dumps(feed)) == feed


# --- detection -----------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {"content-type": "application/feed+json"},
    {"Content-Type": "application/json; charset=utf-8"},
    {"content-type": "text/plain"},  # sniffed from the body
    {},
])
def test_json_feed_is_detected(headers: dict[str, str]) -> None:
    feed = parse_feed(b"\xef\xbb\xbf \r\n\t" + feed_body({"id": "1"}), URL, headers)
    assert feed.version == "json11"
    assert [e.key for e in feed.entries] == ["1"]


def test_json_content_type_on_an_xml_body_still_reads_the_xml() -> None:
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>X</title>'
            b"<item><guid>g</guid></item></channel></rss>")
    feed = parse_feed(body, URL, {"content-type": "application/json"})
    assert (feed.version, feed.title) == ("rss20", "X")


@pytest.mark.parametrize("body", [b"", b" \r\n", b"\xef\xbb\xbf"])
def test_an_empty_body_served_as_json_is_empty(body: bytes) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(body, URL, JSON_FEED)
    assert info.value.reason == "empty"


@pytest.mark.parametrize(("version", "expected"), [
    ("https://jsonfeed.org/version/1", "json10"),
    ("https://jsonfeed.org/version/1.1", "json11"),
    ("http://jsonfeed.org/version/1", "json10"),
    ("https://jsonfeed.org/version/1.2", "json12"),
])
def test_versions(version: str, expected: str) -> None:
    assert parse_feed(feed_body(version=version), URL).version == expected


def test_utf16_json_feed_and_declared_charset_fallback() -> None:
    body = codecs.BOM_UTF16_LE + feed_body({"id": "1", "title": "Caf\u00e9"}).decode().encode(
        "utf-16-le")
    assert parse_feed(body, URL, JSON_FEED).entries[0].title == "Caf\u00e9"
    latin = json.dumps({"version": V11, "items": [{"id": "1", "title": "Se\u00f1or"}]},
                       ensure_ascii=False).encode("latin-1")
    feed = parse_feed(latin, URL, {"content-type": "application/json; charset=iso-8859-1"})
    assert feed.entries[0].title == "Se\u00f1or"
    assert parse_feed(latin, URL, JSON_FEED).entries[0].title == "Se\ufffdor"


# --- liberal: a JSON object with an "items" list of objects is a feed -----------------------

ITEM = {"id": "1", "title": "One", "url": "https://x.example/1", "content_text": "Text"}


@pytest.mark.parametrize(("fields", "version", "said"), [
    ({"version": "1.0"}, "json10", '"version" "1.0"'),
    ({"version": "1.1"}, "json11", '"version" "1.1"'),
    ({}, "json", 'no "version"'),
    ({"version": 1.1}, "json", '"version" 1.1'),
    ({"version": "https://example.org/feed/1"}, "json", '"version" "https://example.org/'),
])
def test_a_feed_without_the_version_url_is_read_with_a_warning(
        fields: dict[str, Any], version: str, said: str) -> None:
    """Issue 13, item 8: 13 real JSON feeds were refused for their "version" alone."""
    document = {"title": "T", "items": [ITEM, {**ITEM, "id": "2"}], **fields}
    feed = parse_feed(json.dumps(document).encode(), URL, {"content-type": "application/json"})
    assert feed.version == version
    assert [e.guid for e in feed.entries] == ["1", "2"]
    assert feed.entries[0].title == "One"
    assert feed.warning is not None and said in feed.warning and "items" in feed.warning


def test_a_bare_version_number_with_no_items_yet_is_a_feed() -> None:
    feed = parse_feed(b'{"version": "1.0", "title": "Empty", "items": []}', URL, JSON_FEED)
    assert (feed.version, feed.title, feed.entries) == ("json10", "Empty", ())


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "reason", "words"), [
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "bad_json", "invalid JSON"),
    (b"{'version': 1}", "bad_json", "invalid JSON"),
    (b'{"version": 1' + b"1" * 5000 + b"}", "bad_json", "invalid JSON"),  # int digit limit
    (b"[1, 2]", "not_a_feed", "top level is an array"),
    (b'"just a string"', "not_a_feed", "top level is a string"),
    (b'{"title": "no version", "items": []}', "not_a_feed", "version"),
    (b'{"version": "https://example.org/feed/1", "items": []}', "not_a_feed", "version"),
    (b'{"version": 1.1, "items": []}', "not_a_feed", "version"),
    (b'{"version": "https://jsonfeed.org/version/1.1"}', "not_a_feed", "items"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "not_a_feed", "items"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": [1, "x", null]}', "not_a_feed",
     "not objects"),
    (b'{"version": "https://jsonfeed.org/version/latest", "items": []}', "not_a_feed", "version"),
])
def test_bad_documents_are_parse_errors(body: bytes, reason: str, words: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(body, URL, {"content-type": "application/json"})
    assert info.value.reason == reason
    assert words in str(info.value)
    assert URL in str(info.value)
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.reason, str(copy)) == (reason, str(info.value))


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "x": '
     + b"[" * 50_000 + b"]" * 50_000 + b"}]}"),
])
def test_deep_nesting_is_a_parse_error_not_a_recursion_error(body: bytes) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(body, URL, JSON_FEED)
    assert info.value.reason == "bad_json"
    assert "nested" in str(info.value)


def test_items_that_are_not_objects_are_skipped_with_a_warning() -> None:
    feed = parse_feed(feed_body({"id": "a"}, 7, None, {"id": "b"}), URL)
    assert [e.key for e in feed.entries] == ["a", "b"]
    assert feed.warning == "skipped 2 item(s) that are not JSON objects"


WEIRD_VALUES: list[Any] = [None, True, 0, -1, 1.5, 1e308, "", "  ", [], [None], {}, {"name": 3},
                           "javascript:alert(1)", "\x00\ud800"]


@pytest.mark.parametrize("field", [
    "id", "url", "title", "content_html", "content_text", "summary", "date_published",
    "date_modified", "tags", "authors", "author", "attachments",
])
def test_any_json_value_in_any_item_field_gives_a_feed(field: str) -> None:
    items = [{"id": "fixed", field: value} for value in WEIRD_VALUES]
    items += [{"id": "a", "attachments": [value]} for value in WEIRD_VALUES]
    items += [{"id": "b", "attachments": [{"url": "https://x.example/a", key: value}]}
              for value in WEIRD_VALUES for key in ("mime_type", "size_in_bytes", "url")]
    feed = parse_feed(feed_body(*items), URL)
    assert len(feed.entries) == len(items)
    for entry in feed.entries:
        assert entry.url is None or entry.url.startswith("https://")
        assert all(e.length is None or e.length >= 0 for e in entry.enclosures)


@pytest.mark.parametrize("field", ["title", "home_page_url", "feed_url", "description",
                                   "authors", "author"])
def test_any_json_value_in_feed_fields_gives_a_feed(field: str) -> None:
    for value in WEIRD_VALUES:
        feed = parse_feed(feed_body({"id": "1"}, **{field: value}), URL)
        assert feed.link is None or feed.link.startswith("https://")
        assert feed.self_url is None or feed.self_url.startswith("https://")


# --- field rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-01-16T09:30:00Z", "2026-01-16T09:30:00Z"),
    ("2026-01-16t09:30:00z", "2026-01-16T09:30:00Z"),
    ("2010-02-07T14:04:00-05:00", "2010-02-07T19:04:00Z"),
    ("2026-01-16T09:30:00.123456+02:00", "2026-01-16T07:30:00Z"),
    ("2026-01-16 09:30:00", "2026-01-16T09:30:00Z"),  # no offset: read as UTC
    ("2026-01-16", "2026-01-16T00:00:00Z"),
    ("0001-01-01T00:00:00+01:00", None),  # before year 1 in UTC
    ("Tue, 03 Nov 2026 10:00:00 +0000", None),  # RFC 822 is not RFC 3339
    ("2026-13-45T99:00:00Z", None),
    ("yesterday", None),
    ("2026-01-16T09:30:00Z" + " " * 100, None),
    (20260116, None),
])
def test_dates(value: object, expected: str | None) -> None:
    entry = parse_feed(feed_body({"id": "1", "date_published": value}), URL).entries[0]
    assert entry.published == expected


def test_item_without_id_is_keyed_by_url_then_hash() -> None:
    feed = parse_feed(feed_body({"url": "/a/1", "title": "one"}, {"title": "two"}), URL)
    first, second = feed.entries
    assert first.key == first.url == "https://x.example/a/1"
    assert first.guid is None
    assert second.key.startswith("sha256:")


def test_content_is_sanitized_and_text_is_cleaned() -> None:
    item = {"id": "i\x00d\ud800", "url": "javascript:alert(1)", "title": "A\x0b  title\n",
            "content_html": '<p onclick="x()">Hi<img src="a.png" onerror="alert(1)">'
                            '<a href="javascript:alert(2)">js</a><iframe src="//e"></iframe></p>',
            "summary": "<b>not html</b>", "tags": ["a\x01", "a", " b "]}
    entry = parse_feed(feed_body(item), URL).entries[0]
    assert entry.guid == entry.key == "id"
    assert entry.url is None
    assert entry.title == "A title"
    for bad in ("onclick", "onerror", "javascript:", "<iframe"):
        assert bad not in (entry.content or "")
    assert 'src="https://x.example/a.png"' in (entry.content or "")  # no item url: home page
    assert entry.summary == "&lt;b&gt;not html&lt;/b&gt;"
    assert entry.tags == ("a", "b")


def test_content_text_is_used_when_content_html_sanitizes_to_nothing() -> None:
    item = {"id": "1", "content_html": "<script>alert(1)</script>", "content_text": "plain"}
    assert parse_feed(feed_body(item), URL).entries[0].content == "plain"


def test_repeated_ids_are_made_unique() -> None:
    feed = parse_feed(feed_body({"id": "same", "url": "/a"}, {"id": "same", "url": "/b"}), URL)
    assert [e.key for e in feed.entries] == ["same", "same#https://x.example/b"]
