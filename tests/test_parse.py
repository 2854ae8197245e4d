"""Parsing: one normalized model for every format, and nothing unsafe gets through."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from aggregator.errors import ParseError
from aggregator.parse import entry_key, parse_feed

FEEDS = Path(__file__).parent / "feeds"
URL = "https://news.example.org/feed.xml"

HOSTILE_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Hostile</title><link>https://news.example.org/</link><description>d</description>
<item>
  <title>Attack &lt;b&gt;bold&lt;/b&gt;</title>
  <link>https://news.example.org/a/1</link>
  <guid isPermaLink="false">id-1</guid>
  <pubDate>Tue, 03 Nov 2026 10:00:00 +0900</pubDate>
  <description><![CDATA[<p onclick="x()">Lead <script>alert(1)</script><img src="/img/a.png" onerror="alert(2)"></p>]]></description>
  <content:encoded><![CDATA[
    <a href="javascript:alert(3)">js</a>
    <a href="&#106;avascript:alert(4)">entity js</a>
    <svg><a xlink:href="javascript:alert(5)"><text>svg</text></a></svg>
    <form action="https://evil.example/"><input type="password" name="p"></form>
    <iframe src="https://evil.example/"></iframe>
    <a href="../rel/page">relative</a> <img src="pic.jpg">
  ]]></content:encoded>
</item>
<item>
  <title>Bad link</title>
  <link>javascript:alert(6)</link>
  <description>text with a control\x0bchar</description>
</item>
</channel></rss>"""


def test_hostile_html_is_sanitized_and_urls_resolved() -> None:
    feed = parse_feed(HOSTILE_RSS, URL, {"content-type": "application/rss+xml"})
    first = feed.entries[0]
    everything = (first.summary or "") + (first.content or "")
    for bad in ("<script", "onerror", "onclick", "javascript:", "<svg", "<form", "<input",
                "<iframe", "xlink", "alert("):
        assert bad not in everything.lower(), bad
    assert 'src="https://news.example.org/img/a.png"' in (first.summary or "")
    assert 'href="https://news.example.org/rel/page"' in (first.content or "")
    assert 'src="https://news.example.org/a/pic.jpg"' in (first.content or "")
    assert first.title == "Attack <b>bold</b>" or first.title == "Attack bold"
    assert first.published == "2026-11-03T01:00:00Z"


def test_non_http_entry_links_are_dropped_and_control_chars_removed() -> None:
    feed = parse_feed(HOSTILE_RSS, URL)
    second = feed.entries[1]
    assert second.url is None
    assert second.summary == "text with a controlchar"
    assert second.key.startswith("sha256:")


def test_entry_key_prefers_guid_then_link_then_hash() -> None:
    assert entry_key("g", "https://x/1", "t", None, URL) == "g"
    assert entry_key(None, "https://x/1", "t", None, URL) == "https://x/1"
    hashed = entry_key(None, None, "t", "2026-01-01T00:00:00Z", URL)
    assert hashed == entry_key(None, None, "t", "2026-01-01T00:00:00Z", URL)
    assert hashed != entry_key(None, None, "t", "2026-01-02T00:00:00Z", URL)


def test_repeated_guid_in_one_document_keeps_first_plain() -> None:
    body = b"""<rss version="2.0"><channel><title>t</title><link>https://x.example/</link>
    <description>d</description>
    <item><title>a</title><guid>same</guid><link>https://x.example/a</link></item>
    <item><title>b</title><guid>same</guid><link>https://x.example/b</link></item>
    </channel></rss>"""
    keys = [e.key for e in parse_feed(body, URL).entries]
    assert keys[0].endswith("same")
    assert keys[1] == keys[0] + "#https://x.example/b"


@pytest.mark.parametrize(("name", "version", "count"), [
    ("rss20.xml", "rss20", None), ("atom10.xml", "atom10", None), ("rss10.xml", "rss10", None),
])
def test_fixture_formats(name: str, version: str, count: int | None) -> None:
    feed = parse_feed((FEEDS / name).read_bytes(), f"https://news.example.org/{name}")
    assert feed.version == version
    assert feed.warning is None
    assert len(feed.entries) >= 3
    assert len({e.key for e in feed.entries}) == len(feed.entries)
    for entry in feed.entries:
        assert entry.url is None or entry.url.startswith(("http://", "https://"))
        assert entry.title
        for date in (entry.published, entry.updated):
            assert date is None or (len(date) == 20 and date.endswith("Z"))
        html = (entry.content or "") + (entry.summary or "")
        assert "javascript:" not in html.lower() and "<script" not in html.lower()


def test_malformed_but_readable_feed_is_kept_with_a_warning() -> None:
    feed = parse_feed((FEEDS / "malformed.xml").read_bytes(), URL)
    assert feed.warning
    assert feed.entries


def test_html_page_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as info:
        parse_feed((FEEDS / "not_a_feed.html").read_bytes(), URL,
                   {"content-type": "text/html"})
    assert info.value.reason == "html_page"
    assert URL in str(info.value)


@pytest.mark.parametrize(("body", "reason"), [(b"", "empty"), (b"   ", "empty"),
                                              (b"\x00\x01garbage", "not_a_feed")])
def test_unreadable_bodies(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(body, URL)
    assert info.value.reason == reason


def test_declared_charset_is_honoured() -> None:
    body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Caf\xe9</title>'
            "<link>https://x.example/</link><description>d</description>"
            "<item><title>Se\xf1or</title><guid>1</guid></item></channel></rss>").encode("latin-1")
    feed = parse_feed(body, URL, {"content-type": "application/rss+xml; charset=iso-8859-1"})
    assert feed.title == "Caf\xe9"
    assert feed.entries[0].title == "Se\xf1or"


def test_parsed_feed_pickles_for_the_process_pool() -> None:
    feed = parse_feed((FEEDS / "rss20.xml").read_bytes(), URL)
    assert pickle.loads(pickle.dumps(feed)) == feed


def test_parse_errors_cross_process_boundaries() -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(b"", URL)
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is ParseError
    assert (copy.url, copy.reason, str(copy)) == (URL, "empty", str(info.value))
