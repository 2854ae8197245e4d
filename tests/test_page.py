"""serve.page: the HTML page for people and the XSLT that makes feeds readable in a browser."""

from __future__ import annotations

import re
import uuid
from typing import Any

import lxml.html
import pytest
from lxml import etree

from aggregator.models import Sighting, StoredEntry
from aggregator.publish import FeedMeta, render
from aggregator.publish.clean import INERT_LESS_THAN
from aggregator.serve.page import (
    EXCERPT_MAX_CHARS,
    FEED_XSL,
    IndexView,
    excerpt,
    format_time,
    html_to_text,
    render_index,
)

HOSTILE = "<script>window.__pwned=1</script>\"'><img src=x onerror=alert(1)>"
FEED = {"feed_url": "https://blog.example.com/feed.xml", "feed_title": "Blog",
        "feed_link": "https://blog.example.com/", "feed_updated": None}
VIEW = IndexView(title="Test news", base_url="http://127.0.0.1:8080/",
                 outputs=(("Test news", "/feed"),))


def entry(name: str, **fields: Any) -> StoredEntry:
    """A StoredEntry from the Blog feed, everything optional empty unless given."""
    values: dict[str, Any] = {
        "uid": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
        "url": f"https://blog.example.com/{name}", "title": name.title(), "author": None,
        "summary": None, "content": None, "published": "2024-05-03T10:00:00Z",
        "updated": None, "first_seen": "2024-05-03T10:05:00Z",
        "sort_at": "2024-05-03T10:00:00Z", **FEED, **fields,
    }
    return StoredEntry(**values)


def parse(page: str) -> Any:
    return lxml.html.document_fromstring(page)


def articles(page: str) -> list[Any]:
    return list(parse(page).iter("article"))


# --- the page is safe --------------------------------------------------------------------


def test_hostile_strings_are_escaped_everywhere() -> None:
    story = entry("x", title=HOSTILE, author=HOSTILE,
                  feed_title=f'Feed "{HOSTILE}', url='https://e.example/?a=1&b="2"')
    view = IndexView(title=f"Site {HOSTILE}", base_url="http://x/",
                     outputs=((f'Out "{HOSTILE}', '/o/"x"'),), tags=(HOSTILE,),
                     query=HOSTILE, tag=HOSTILE)
    page = render_index([story], view)
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    doc = parse(page)
    (article,) = doc.iter("article")
    assert article.find(".//h2").text_content() == HOSTILE
    assert article.find(".//h2/a").get("href") == 'https://e.example/?a=1&b="2"'
    assert doc.find(".//title").text_content().endswith(f"Site {HOSTILE}")
    assert doc.find(".//input[@name='q']").get("value") == HOSTILE
    assert f'Feed "{HOSTILE}' in article.find(".//*[@class='source']").text_content()
    assert {link.get("title") for link in doc.iter("link")} == {
        f'Out "{HOSTILE} ({label})' for label in ("Atom", "RSS", "JSON Feed")}


def test_script_in_a_summary_never_reaches_the_page() -> None:
    """The store sanitizes; the page cleans again in case it did not."""
    body = ('<p>Before<script>window.__pwned=1</script><img src="x" onerror="window.__pwned=1">'
            '<a href="javascript:window.__pwned=1">click</a><iframe src="https://e/"></iframe>'
            '<style>body{display:none}</style><b onclick="x()">after</b></p>')
    page = render_index([entry("a", summary=body), entry("b", content=body)], VIEW)
    lowered = page.lower()
    for needle in ("<script", "onerror", "onclick", "javascript:", "<iframe", "__pwned"):
        assert needle not in lowered
    first, second = articles(page)
    assert "Before" in first.text_content() and "after" in first.text_content()
    assert "Before" in second.text_content()


def test_only_web_urls_become_links() -> None:
    story = entry("j", url="javascript:alert(1)", feed_link="data:text/html,x",
                  also=(Sighting("ftp://x.example/f", "Ftp", "vbscript:x", "2024-05-03T11:00:00Z"),))
    page = render_index([story], VIEW)
    (article,) = articles(page)
    assert article.find(".//h2/a") is None
    assert article.find(".//a") is None
    assert "javascript:" not in page and "vbscript:" not in page


def test_no_script_and_no_third_party_assets() -> None:
    page = render_index([entry("a", summary="<p>Hi</p>")], VIEW)
    doc = parse(page)
    assert "<script" not in page.lower()
    assert not doc.xpath("//*[@src] | //link[@rel='stylesheet'] | //*[@style]")
    assert {link.get("rel") for link in doc.iter("link")} == {"alternate"}
    assert len(doc.xpath("//style")) == 1
    metas = {m.get("name"): m.get("content") for m in doc.iter("meta") if m.get("name")}
    assert metas["viewport"] == "width=device-width, initial-scale=1"
    assert metas["referrer"] == "no-referrer"
    assert "prefers-color-scheme:dark" in page


# --- what it shows -----------------------------------------------------------------------


def test_autodiscovery_for_every_output_and_format() -> None:
    view = IndexView(title="T", base_url="http://x/",
                     outputs=(("Everything", "/feed"), ("Asia", "/o/asia")))
    doc = parse(render_index([], view))
    found = {(link.get("type"), link.get("href"), link.get("title"))
             for link in doc.xpath("//head/link[@rel='alternate']")}
    assert found == {
        ("application/atom+xml", "/feed.atom", "Everything (Atom)"),
        ("application/rss+xml", "/feed.rss", "Everything (RSS)"),
        ("application/feed+json", "/feed.json", "Everything (JSON Feed)"),
        ("application/atom+xml", "/o/asia.atom", "Asia (Atom)"),
        ("application/rss+xml", "/o/asia.rss", "Asia (RSS)"),
        ("application/feed+json", "/o/asia.json", "Asia (JSON Feed)"),
    }
    footer_links = [a.get("href") for a in doc.xpath("//footer//a")]
    assert footer_links == ["/feed.atom", "/feed.rss", "/feed.json",
                            "/o/asia.atom", "/o/asia.rss", "/o/asia.json"]


def test_search_form() -> None:
    doc = parse(render_index([], VIEW))
    (form,) = doc.xpath("//form")
    assert form.get("action") == "/"
    assert form.get("method") == "get"
    (field,) = form.xpath(".//input")
    assert (field.get("name"), field.get("type"), field.get("value")) == ("q", "search", "")


def test_tag_links_are_quoted_and_the_current_one_marked() -> None:
    view = IndexView(title="T", base_url="http://x/", outputs=(), tags=("tech", "a b&c/d"),
                     tag="tech")
    doc = parse(render_index([entry("a")], view))
    links = doc.xpath("//nav//a")
    assert [(a.get("href"), a.text_content()) for a in links] == [
        ("/?tag=tech", "tech"), ("/?tag=a%20b%26c%2Fd", "a b&c/d")]
    assert [a.get("aria-current") for a in links] == ["page", None]


def test_no_tag_nav_without_tags() -> None:
    assert not parse(render_index([], VIEW)).xpath("//nav")


@pytest.mark.parametrize(("query", "tag", "heading"), [
    ("rust async", None, "Results for “rust async”"),
    (None, "asia", "Tag: asia"),
    ("floods", "asia", "Results for “floods” tagged asia"),
])
def test_the_current_filter_is_shown_with_a_way_back(query: str | None, tag: str | None,
                                                     heading: str) -> None:
    view = IndexView(title="T", base_url="http://x/", outputs=(), query=query, tag=tag)
    doc = parse(render_index([entry("a"), entry("b")], view))
    (section,) = doc.xpath("//section[@class='filter']")
    assert section.find("h2").text_content() == heading
    assert "2 stories" in section.text_content()
    assert section.xpath(".//a[@href='/']")


def test_no_filter_heading_on_the_plain_page() -> None:
    assert not parse(render_index([entry("a")], VIEW)).xpath("//section[@class='filter']")


def test_empty_state() -> None:
    doc = parse(render_index([], VIEW))
    assert "No stories yet" in doc.find(".//main").text_content()
    assert not doc.xpath("//article")
    searched = parse(render_index([], IndexView(title="T", base_url="http://x/", outputs=(),
                                                query="nothing")))
    main = searched.find(".//main")
    assert "Nothing matches" in main.text_content()
    assert main.xpath(".//a[@href='/']")
    assert "0 stories" in searched.xpath("//section[@class='filter']")[0].text_content()


def test_a_story() -> None:
    story = entry("full", title="Fish & chips", author="Ann",
                  summary='<p>Short &amp; <em>sweet</em> <a href="https://e.example/">link</a></p>',
                  content="<p>Long content</p>")
    (article,) = articles(render_index([story], VIEW))
    link = article.find(".//h2/a")
    assert (link.get("href"), link.text_content()) == ("https://blog.example.com/full",
                                                        "Fish & chips")
    source = article.find(".//a[@class='source']")
    assert (source.get("href"), source.text_content()) == ("https://blog.example.com/", "Blog")
    time = article.find(".//time")
    assert time.get("datetime") == "2024-05-03T10:00:00Z"
    assert time.text_content() == "3 May 2024, 10:00 UTC"
    summary = article.find(".//*[@class='summary']")
    assert summary.find(".//em").text_content() == "sweet"
    assert "Long content" not in article.text_content()
    assert "Ann" in article.find(".//p[@class='meta']").text_content()


def test_source_and_time_fall_back() -> None:
    story = entry("bare", title=None, published=None, feed_title=None, feed_link=None,
                  url=None, first_seen="2024-01-09T23:59:00Z")
    (article,) = articles(render_index([story], VIEW))
    assert article.find(".//h2").text_content() == "(untitled)"
    assert article.find(".//*[@class='source']").text_content() == "blog.example.com"
    assert article.find(".//time").get("datetime") == "2024-01-09T23:59:00Z"
    assert article.find(".//time").text_content() == "9 Jan 2024, 23:59 UTC"
    assert article.find(".//*[@class='summary']") is None


def test_content_becomes_a_text_excerpt_without_broken_tags() -> None:
    words = " ".join(f"<p>word{i} <b>bold{i}</b> &amp; more</p>" for i in range(200))
    story = entry("long", content=f"<div>{words}<table><tr><td>cell</td></tr></table></div>")
    page = render_index([story], VIEW)
    (article,) = articles(page)
    summary = article.find(".//*[@class='summary']")
    assert summary.tag == "p" and len(summary) == 0  # text only, no elements
    text = summary.text_content()
    assert len(text) <= EXCERPT_MAX_CHARS
    assert text.startswith("word0 bold0 & more word1")
    assert text.endswith("…")
    assert "<b>" not in page and "bold199" not in page


def test_a_long_summary_is_shown_as_an_excerpt_too() -> None:
    story = entry("long", summary="<p>" + "lorem ipsum " * 300 + "</p>")
    (article,) = articles(render_index([story], VIEW))
    assert len(article.find(".//p[@class='summary']").text_content()) <= EXCERPT_MAX_CHARS


def test_also_reported_by() -> None:
    story = entry("s", also=(
        Sighting("https://b.example/feed", "Blog B", "https://b.example/1", "2024-05-03T11:00:00Z"),
        Sighting("https://b.example/feed", "Blog B again", "https://b.example/1",
                 "2024-05-03T11:30:00Z"),
        Sighting("https://c.example/feed", None, None, "2024-05-03T12:00:00Z"),
        Sighting("https://blog.example.com/feed.xml", "Own", "https://blog.example.com/s",
                 "2024-05-03T12:00:00Z"),
    ))
    (article,) = articles(render_index([story], VIEW))
    (also,) = article.xpath(".//p[@class='also']")
    assert also.text_content().startswith("Also reported by:")
    assert [(a.text_content(), a.get("href")) for a in also.iter("a")] == [
        ("Blog B", "https://b.example/1"), ("c.example", "https://c.example/feed")]


def test_no_also_line_without_sightings() -> None:
    (article,) = articles(render_index([entry("s")], VIEW))
    assert not article.xpath(".//p[@class='also']")


def test_stories_keep_their_order() -> None:
    page = render_index([entry("one"), entry("two"), entry("three")], VIEW)
    assert [a.find(".//h2").text_content() for a in articles(page)] == ["One", "Two", "Three"]


# --- helpers -----------------------------------------------------------------------------------


def test_html_to_text() -> None:
    assert html_to_text("<p>a&amp;b</p><p>c<br>d</p><script>x()</script><style>p{}</style>"
                        ) == "a&b c d"
    assert html_to_text("<p>unclosed <b>tags") == "unclosed tags"


def test_excerpt_cuts_at_a_word() -> None:
    assert excerpt("short", 10) == "short"
    cut = excerpt("alpha beta gamma delta epsilon", 20)
    assert cut == "alpha beta gamma…"
    assert len(excerpt("x" * 1000, 50)) == 50


def test_format_time() -> None:
    assert format_time("2024-12-25T07:05:00Z") == "25 Dec 2024, 07:05 UTC"
    assert format_time("not a date") == "not a date"


# --- FEED_XSL ------------------------------------------------------------------------------------

XSL_META = FeedMeta(title="Merged & friends", home_url="https://agg.example/",
                    self_url="https://agg.example/feed.atom", updated="2024-05-04T12:00:00Z",
                    feed_id="urn:uuid:5b2e8f6c-2f7a-5c1e-9d8e-0a1b2c3d4e5f")
XSL_ENTRIES = (
    entry("first", title="First <story> & more", summary="<p>Sum &amp; <b>mary</b></p>",
          also=(Sighting("https://b.example/feed", "Blog B", "https://b.example/1",
                         "2024-05-03T11:00:00Z"),)),
    entry("second", title=HOSTILE, content="<p>Only <i>content</i> &lt;here&gt;</p>"),
)


def transform(document: bytes) -> Any:
    xslt = etree.XSLT(etree.XML(FEED_XSL.encode()))
    result = xslt(etree.XML(document))
    return lxml.html.document_fromstring(str(result))


def test_feed_xsl_is_xslt_without_disable_output_escaping() -> None:
    etree.XSLT(etree.XML(FEED_XSL.encode()))
    assert "disable-output-escaping" not in FEED_XSL


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feed_xsl_renders_a_feed(fmt: str) -> None:
    doc = transform(render(fmt, XSL_ENTRIES, XSL_META))
    assert "This is a web feed" in doc.text_content()
    assert "feed reader" in doc.text_content()
    assert doc.find(".//h1").text_content() == "Merged & friends"
    assert "Merged & friends" in doc.find(".//title").text_content()
    first, second = doc.iter("article")
    link = first.find(".//h2/a")
    assert (link.text_content(), link.get("href")) == (f"First {INERT_LESS_THAN}story> & more",
                                                        "https://blog.example.com/first")
    summary = first.find(".//p[@class='summary']").text_content()
    assert summary == ("Sum & mary" if fmt == "atom" else "Sum & mary Also reported by: Blog B")
    assert "Blog" in first.find(".//p[@class='meta']").text_content()
    assert "2024" in first.find(".//time").text_content()
    assert second.find(".//h2").text_content() == HOSTILE.replace("<", INERT_LESS_THAN)
    assert second.find(".//p[@class='summary']").text_content() == "Only content <here>"
    # Escaped HTML stays text: no element from feed content, no handler, no script.
    assert not doc.xpath("//script | //img | //*[@onerror]")
    if fmt == "atom":
        also = first.find(".//p[@class='also']")
        assert [(a.text_content(), a.get("href")) for a in also.iter("a")] == [
            ("Blog B", "https://b.example/1")]


ATOM_BY_HAND = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Hand</title>
<entry><title>Bad link</title><link href=" JavaScript:alert(1)"/>
<summary type="html">{summary}</summary><updated>2024-05-03T10:00:00Z</updated></entry>
</feed>"""


def test_feed_xsl_links_only_web_urls_and_caps_the_excerpt() -> None:
    long_html = "&lt;p&gt;" + "word &amp;amp; " * 2000 + "&lt;/p&gt;"
    doc = transform(ATOM_BY_HAND.format(summary=long_html).encode())
    (article,) = doc.iter("article")
    assert article.find(".//h2/a") is None
    assert article.find(".//h2").text_content() == "Bad link"
    text = article.find(".//p[@class='summary']").text_content()
    assert text.startswith("word & word")
    assert len(text) <= 302 and text.endswith("…")
    assert article.find(".//time").get("datetime") == "2024-05-03T10:00:00Z"


def test_feed_xsl_survives_many_tags() -> None:
    """Tag stripping is recursive: it only ever looks at a bounded prefix of the body."""
    many = "&lt;b&gt;x&lt;/b&gt;" * 5000
    doc = transform(ATOM_BY_HAND.format(summary=many).encode())
    text = doc.find(".//p[@class='summary']").text_content()
    assert re.fullmatch(r"(x ?)+…", text)
