"""Feed discovery in HTML pages, and the html_page ParseError that reports what it found."""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import pytest

from aggregator.errors import ParseError
from aggregator.models import FeedCandidate
from aggregator.parse import discover_feeds, parse_feed

FEEDS = Path(__file__).parent / "feeds"
PAGE_URL = "https://news.example.org/section/index.html"


def page(head: str, body: str = "<p>text</p>") -> bytes:
    return f"<!DOCTYPE html><html><head><title>t</title>{head}</head><body>{body}</body></html>".encode()


def urls(body: bytes, base: str = PAGE_URL) -> list[str]:
    return [c.url for c in discover_feeds(body, base)]


def test_fixture_page() -> None:
    assert discover_feeds((FEEDS / "not_a_feed.html").read_bytes(), PAGE_URL) == (
        FeedCandidate("https://news.example.org/rss20.xml", "application/rss+xml",
                      "Riverton Daily News: Top stories"),)


def test_every_feed_type_in_document_order_with_titles() -> None:
    body = page("""
      <link rel="alternate" type="application/atom+xml" href="atom.xml" title="  Atom\n feed ">
      <link rel="alternate" type="application/rss+xml" href="/rss.xml">
      <link rel="alternate" type="application/feed+json" href="https://cdn.example.net/f.json">
      <link rel="alternate" type="application/json" href="feed.json" title="">
      <link rel="alternate" type="application/rdf+xml" href="//other.example/index.rdf">""")
    assert discover_feeds(body, PAGE_URL) == (
        FeedCandidate("https://news.example.org/section/atom.xml", "application/atom+xml",
                      "Atom feed"),
        FeedCandidate("https://news.example.org/rss.xml", "application/rss+xml", None),
        FeedCandidate("https://cdn.example.net/f.json", "application/feed+json", None),
        FeedCandidate("https://news.example.org/section/feed.json", "application/json", None),
        FeedCandidate("https://other.example/index.rdf", "application/rdf+xml", None),
    )


def test_rel_tokens_and_type_are_case_insensitive() -> None:
    body = page("""
      <LINK REL="Alternate Feed" TYPE="Application/RSS+XML; charset=utf-8" HREF="/a.xml">
      <link rel="feed
                 alternate" type="application/atom+xml" href="/b.xml">
      <link rel=alternate type=application/atom+xml href=/c.xml>
      <link rel="alternatefeed" type="application/rss+xml" href="/no-1.xml">
      <link rel="alternate-stylesheet" type="application/rss+xml" href="/no-2.xml">""")
    assert urls(body) == ["https://news.example.org/a.xml", "https://news.example.org/b.xml",
                          "https://news.example.org/c.xml"]
    assert discover_feeds(body, PAGE_URL)[0].type == "application/rss+xml"


def test_junk_types_and_other_rels_are_ignored() -> None:
    body = page("""
      <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
      <link rel="alternate" type="application/pdf" href="/print.pdf">
      <link rel="alternate" href="/no-type.xml">
      <link rel="stylesheet" type="text/css" href="/s.css">
      <link rel="alternate stylesheet" type="text/css" href="/dark.css">
      <link rel="canonical" type="application/rss+xml" href="/not-alternate.xml">
      <link rel="alternate" type="application/rss+xml">
      <link rel="alternate" type="application/rss+xml" href="/ok.xml">""")
    assert urls(body) == ["https://news.example.org/ok.xml"]


def test_unsafe_hrefs_are_dropped() -> None:
    body = page("""
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
      <link rel="alternate" type="application/rss+xml" href=" JavaScript:alert(2)">
      <link rel="alternate" type="application/rss+xml" href="&#106;avascript:alert(3)">
      <link rel="alternate" type="application/rss+xml" href="data:text/xml,<rss/>">
      <link rel="alternate" type="application/rss+xml" href="file:///etc/passwd">
      <link rel="alternate" type="application/rss+xml" href="ftp://x.example/f.xml">
      <link rel="alternate" type="application/rss+xml" href="/feed?a=1&amp;b=2">""")
    assert urls(body) == ["https://news.example.org/feed?a=1&b=2"]


def test_base_href_applies_to_every_link_even_earlier_ones() -> None:
    body = page("""
      <link rel="alternate" type="application/rss+xml" href="before.xml">
      <base href="https://static.example.com/feeds/">
      <base href="https://ignored.example/">
      <link rel="alternate" type="application/atom+xml" href="after.xml">""")
    assert urls(body) == ["https://static.example.com/feeds/before.xml",
                          "https://static.example.com/feeds/after.xml"]


def test_relative_or_unsafe_base_href() -> None:
    link = '<link rel="alternate" type="application/rss+xml" href="rss.xml">'
    assert urls(page('<base href="/blog/">' + link)) == ["https://news.example.org/blog/rss.xml"]
    assert urls(page('<base href="javascript:void(0)/">' + link)) == [
        "https://news.example.org/section/rss.xml"]


def test_duplicates_keep_the_first_in_document_order() -> None:
    body = page("""
      <link rel="alternate" type="application/rss+xml" href="/rss.xml" title="First">
      <link rel="alternate" type="application/atom+xml" href="/atom.xml">
      <link rel="alternate" type="application/rss+xml" href="https://news.example.org/rss.xml"
            title="Second">""")
    assert discover_feeds(body, PAGE_URL) == (
        FeedCandidate("https://news.example.org/rss.xml", "application/rss+xml", "First"),
        FeedCandidate("https://news.example.org/atom.xml", "application/atom+xml", None),
    )


def test_duplicate_attribute_keeps_the_first_value() -> None:
    body = page('<link rel="alternate" type="application/rss+xml" href="/one.xml" href="/two.xml">')
    assert urls(body) == ["https://news.example.org/one.xml"]


def test_only_the_head_counts_and_non_markup_is_skipped() -> None:
    feed = 'rel="alternate" type="application/rss+xml"'
    body = page(
        f"""<!-- <link {feed} href="/in-comment.xml"> -->
        <script>var s = '<link {feed} href="/in-script.xml">'; if (a<b) {{}}</script>
        <style>/* <link {feed} href="/in-style.xml"> */</style>
        <title>News <link {feed} href="/in-title.xml"></title>
        <noscript><link {feed} href="/in-noscript.xml"></noscript>
        <meta name="x" content='<link {feed} href="/in-attribute.xml">'>
        <link {feed} href="/head.xml">""",
        body=f'<link {feed} href="/in-body.xml">')
    assert urls(body) == ["https://news.example.org/in-noscript.xml",
                          "https://news.example.org/head.xml"]


def test_scan_stops_at_the_end_of_head_even_without_body_tag() -> None:
    feed = 'rel="alternate" type="application/rss+xml"'
    body = f'<html><head><link {feed} href="/a.xml"></head><link {feed} href="/b.xml">'.encode()
    assert urls(body) == ["https://news.example.org/a.xml"]
    no_head = f'<link {feed} href="/a.xml"><p>hi</p><link {feed} href="/b.xml">'.encode()
    assert len(urls(no_head)) == 2


def test_declared_charset_is_used_for_titles() -> None:
    body = ('<html><head><meta charset="iso-8859-1"><link rel="alternate" '
            'type="application/rss+xml" href="/f.xml" title="Caf\xe9"></head>').encode("latin-1")
    assert discover_feeds(body, PAGE_URL)[0].title == "Caf\xe9"
    utf16 = "\ufeff<html><head><link rel=alternate type=application/rss+xml href=/u.xml>"
    assert urls(utf16.encode("utf-16-le")) == ["https://news.example.org/u.xml"]


def test_only_the_first_512_kib_is_read() -> None:
    link = '<link rel="alternate" type="application/rss+xml" href="/late.xml">'
    body = b"<html><head>" + b"<meta name=x content=y>" * 30_000 + link.encode()
    assert len(body) > 512 * 1024
    assert urls(body) == []


@pytest.mark.parametrize("body", [
    b"", b"<", b"<!--", b"<link", b'<link href="', b"<link rel=alternate type=application/rss+xml",
    b"</", b"<!", b"<?", b"<![", b"\x00\xff\xfe", b"<script>", b"<script></scrip",
])
def test_truncated_and_broken_pages_find_nothing(body: bytes) -> None:
    assert discover_feeds(body, PAGE_URL) == ()


@pytest.mark.parametrize("unit", ["<a", "</", "<!", "<![", "<?", "<a b='", "<a\n", "<a b=",
                                  "<!-", "</a", "<script><", "&#", "<link rel=alternate "])
def test_pathological_markup_is_linear(unit: str) -> None:
    """On Python 3.11.7 html.parser takes minutes on some of these (CVE-2025-6069)."""
    body = (unit * (512 * 1024 // len(unit))).encode()
    started = time.perf_counter()
    assert discover_feeds(body, PAGE_URL) == ()
    assert time.perf_counter() - started < 1.0


# --- html_page errors carry the candidates -------------------------------------------------------


def test_html_page_error_lists_the_candidates_and_pickles() -> None:
    with pytest.raises(ParseError) as info:
        parse_feed((FEEDS / "not_a_feed.html").read_bytes(), PAGE_URL,
                   {"content-type": "text/html; charset=utf-8"})
    error = info.value
    assert error.reason == "html_page"
    candidate = FeedCandidate("https://news.example.org/rss20.xml", "application/rss+xml",
                              "Riverton Daily News: Top stories")
    assert error.candidates == (candidate,)  # type: ignore[attr-defined]
    assert str(error) == (f"{PAGE_URL}: an HTML page, not a feed; it links to feeds: "
                          "https://news.example.org/rss20.xml (application/rss+xml)")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ParseError
    assert (copy.url, copy.reason, str(copy)) == (error.url, error.reason, str(error))
    assert copy.candidates == (candidate,)  # type: ignore[attr-defined]


def test_html_page_without_feeds_and_with_many() -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(page(""), PAGE_URL)
    assert info.value.reason == "html_page"
    assert info.value.candidates == ()  # type: ignore[attr-defined]
    assert str(info.value).endswith("an HTML page, not a feed; it links to no feed")

    links = "".join(f'<link rel="alternate" type="application/rss+xml" href="/f{i}.xml">'
                    for i in range(8))
    with pytest.raises(ParseError) as info:
        parse_feed(page(links), PAGE_URL)
    assert len(info.value.candidates) == 8  # type: ignore[attr-defined]
    assert str(info.value).endswith("https://news.example.org/f4.xml (application/rss+xml), "
                                    "and 3 more")
