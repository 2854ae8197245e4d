"""publish: the merged feed in Atom, RSS and JSON Feed, checked by the shared kit."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from aggregator.errors import PublishError
from aggregator.models import Enclosure, Sighting, StoredEntry
from aggregator.publish import (
    CONTENT_TYPES,
    FORMATS,
    UNTITLED,
    FeedMeta,
    render,
    render_atom,
    render_json,
    render_rss,
)
from aggregator.publish.clean import INERT_LESS_THAN
from tests.feedcheck import KIT_DIR, assert_valid_feed, kit_lines

ATOM = "{http://www.w3.org/2005/Atom}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
SUFFIX = {"atom": "atom", "rss": "rss", "json": "json"}
FEEDPARSER_VERSION = {"atom": "atom10", "rss": "rss20"}
# Characters XML 1.0 forbids (or discourages) that feeds in the wild still carry.
BAD_CHARS = ("\x00", "\x01", "\x0b", "\x1f", "\ud800", "\ufffe", "\uffff", "\x9f")

META = FeedMeta(
    title="Merged & <friends>",  # published as TITLE
    home_url="https://agg.example.org/",
    self_url="https://agg.example.org/feed.atom",
    updated="2024-05-04T12:00:00Z",
    feed_id="urn:uuid:5b2e8f6c-2f7a-5c1e-9d8e-0a1b2c3d4e5f",
    subtitle="Everything we follow",
)
LT = INERT_LESS_THAN  # what a "<" that could open a tag becomes in plain text
TITLE = f"Merged & {LT}friends>"


def meta_for(fmt: str) -> FeedMeta:
    """META with the self URL of the format's own document, as the server serves it."""
    return replace(META, self_url=f"https://agg.example.org/feed.{SUFFIX[fmt]}")


BLOG_A = {"feed_url": "https://blog-a.example.com/feed.xml", "feed_title": "Blog A",
          "feed_link": "https://blog-a.example.com/", "feed_updated": "2024-05-03T17:00:00Z"}
NEWS_B = {"feed_url": "https://news-b.example.net/rss", "feed_title": None,
          "feed_link": None, "feed_updated": None}
POD_C = {"feed_url": "https://pod.example.org/podcast.rss", "feed_title": "Pod & Cast",
         "feed_link": "https://pod.example.org/", "feed_updated": "2024-05-02T09:00:00Z"}


def uid(name: str) -> str:
    """A stable urn:uuid, as the store makes them."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def make_entry(name: str, feed: dict[str, Any], **fields: Any) -> StoredEntry:
    """A StoredEntry with everything optional empty unless given."""
    values: dict[str, Any] = {
        "uid": uid(name), "url": None, "title": None, "author": None, "summary": None,
        "content": None, "published": None, "updated": None,
        "first_seen": "2024-05-01T00:00:00Z", "sort_at": "2024-05-01T00:00:00Z",
        **feed, **fields,
    }
    return StoredEntry(**values)


ENTRIES = (
    make_entry(
        "full", BLOG_A, url="https://blog-a.example.com/2024/05/full?a=1&b=2",
        title="Fish & chips < 5", author="ann@example.com (Ann)",
        summary="<p>Short &amp; sweet</p>", content="<p>Long &amp; <em>rich</em></p>",
        published="2024-05-03T10:00:00Z", updated="2024-05-03T16:30:00Z",
        first_seen="2024-05-03T10:05:00Z", tags=("python", "feeds", "python"),
        enclosures=(Enclosure("https://blog-a.example.com/img/cover.jpg", "image/jpeg", 20480),),
    ),
    make_entry(
        "podcast", POD_C, url="https://pod.example.org/episodes/7",
        title="Episode 7: <angle> brackets", author="Bo",
        content="<p>Show notes</p><ul><li>one</li></ul>", published="2024-05-02T08:00:00Z",
        first_seen="2024-05-02T08:10:00Z", tags=("audio",),
        enclosures=(Enclosure("https://pod.example.org/ep7.mp3", "audio/mpeg", 31_337_000),
                    Enclosure("https://pod.example.org/ep7-extra"),
                    Enclosure("https://pod.example.org/cover.png", "png", -1),
                    Enclosure("/relative/ep7.ogg", "audio/ogg", 1)),
    ),
    make_entry(
        "no-url", NEWS_B, title="Summary only, no link, no author, no dates",
        summary="<p>Only a <b>summary</b></p>", first_seen="2024-05-01T22:00:00Z",
    ),
    make_entry(
        "control", BLOG_A, url="https://blog-a.example.com/2024/05/ctrl",
        title="Bad\x00 ctrl\x0b chars \ud800 & <tag>\ufffe\uffff\x9f",
        author="Carl <carl@example.com>", summary="sum\x01mary",
        content="<p>nul\x00 here\x1f &amp; there</p>", published="2024-05-01T12:00:00Z",
        first_seen="2024-05-01T12:30:00Z", tags=("a\x01b", "\x00"),
    ),
    make_entry("bare", NEWS_B, first_seen="2024-05-01T06:00:00Z"),
)
UIDS = [e.uid for e in ENTRIES]


@pytest.fixture(scope="module")
def documents() -> dict[str, bytes]:
    """The fixture entries rendered once per format."""
    return {fmt: render(fmt, ENTRIES, meta_for(fmt)) for fmt in FORMATS}


def write(tmp_path: Path, fmt: str, body: bytes) -> Path:
    """The document as a file named like the server's (the kit serves it back by name)."""
    path = tmp_path / f"feed.{SUFFIX[fmt]}"
    path.write_bytes(body)
    return path


def atom_tree(body: bytes) -> etree._Element:
    return etree.fromstring(body)


# --- the kit and real parsers ------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_kit_accepts_every_format(fmt: str, documents: dict[str, bytes], tmp_path: Path) -> None:
    result = assert_valid_feed(write(tmp_path, fmt, documents[fmt]))
    warnings = kit_lines(result, "WARN")
    if fmt == "json":
        # JSON Feed: url "should be present regardless"; two entries have no permalink
        # and inventing one would mislead readers that deduplicate by url.
        assert all("jsonfeed-spec" in w and "has no url" in w for w in warnings), result.stdout
    else:
        assert warnings == [], result.stdout


def test_kit_helper_rejects_a_bad_feed() -> None:
    sample = KIT_DIR / "samples" / "bad-control-char.atom"
    if not sample.exists():
        pytest.skip(f"{sample} not found")
    with pytest.raises(pytest.fail.Exception, match="FAIL"):
        assert_valid_feed(sample)


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_feedparser_reads_every_entry_in_order(fmt: str, documents: dict[str, bytes]) -> None:
    parsed = feedparser.parse(documents[fmt])
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == FEEDPARSER_VERSION[fmt]
    assert [e.id for e in parsed.entries] == UIDS
    assert parsed.entries[0].title == "Fish & chips < 5"
    assert parsed.entries[1].title == f"Episode 7: {LT}angle> brackets"  # "<" opens no tag
    assert parsed.entries[3].title == f"Bad ctrl chars & {LT}tag>"
    assert parsed.entries[0].link == "https://blog-a.example.com/2024/05/full?a=1&b=2"
    assert [t.term for t in parsed.entries[0].tags] == ["python", "feeds"]


def test_json_feed_items_in_order(documents: dict[str, bytes]) -> None:
    feed = json.loads(documents["json"])
    assert next(iter(feed)) == "version"
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://agg.example.org/feed.json"
    assert feed["home_page_url"] == META.home_url
    assert feed["authors"] == [{"name": TITLE}]
    assert [item["id"] for item in feed["items"]] == UIDS
    for item in feed["items"]:
        assert "content_html" in item or "content_text" in item


# --- Atom ----------------------------------------------------------------------------


def test_atom_keeps_html_types(documents: dict[str, bytes]) -> None:
    entries = atom_tree(documents["atom"]).findall(f"{ATOM}entry")
    full, podcast, no_url, _control, bare = entries
    assert full.find(f"{ATOM}content").get("type") == "html"
    assert full.find(f"{ATOM}content").text == "<p>Long &amp; <em>rich</em></p>"
    assert full.find(f"{ATOM}summary").get("type") == "html"
    assert podcast.find(f"{ATOM}content").get("type") == "html"
    # no alternate link: content falls back to the summary, then to the title (RFC 4287 4.1.1)
    assert no_url.find(f"{ATOM}content").get("type") == "html"
    assert no_url.find(f"{ATOM}content").text == "<p>Only a <b>summary</b></p>"
    assert bare.find(f"{ATOM}content").text == UNTITLED
    assert bare.find(f"{ATOM}title").text == UNTITLED


def test_atom_feed_metadata(documents: dict[str, bytes]) -> None:
    root = atom_tree(documents["atom"])
    assert root.findtext(f"{ATOM}id") == META.feed_id
    assert root.findtext(f"{ATOM}title") == TITLE
    assert root.findtext(f"{ATOM}updated") == "2024-05-04T12:00:00+00:00"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == TITLE
    links = {link.get("rel"): link for link in root.findall(f"{ATOM}link")}
    assert links["self"].get("href") == "https://agg.example.org/feed.atom"
    assert links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href") == META.home_url
    assert root.find(f"{ATOM}generator").text == "aggregator"


def test_atom_entry_fields(documents: dict[str, bytes]) -> None:
    full, podcast, no_url, control, bare = atom_tree(documents["atom"]).findall(f"{ATOM}entry")
    assert full.findtext(f"{ATOM}updated") == "2024-05-03T16:30:00+00:00"
    assert full.findtext(f"{ATOM}published") == "2024-05-03T10:00:00+00:00"
    assert full.findtext(f"{ATOM}author/{ATOM}name") == "Ann"
    assert full.findtext(f"{ATOM}author/{ATOM}email") == "ann@example.com"
    assert control.findtext(f"{ATOM}author/{ATOM}email") == "carl@example.com"
    assert podcast.find(f"{ATOM}author/{ATOM}email") is None
    assert [c.get("term") for c in full.findall(f"{ATOM}category")] == ["python", "feeds"]
    enclosures = [link.attrib for link in podcast.findall(f"{ATOM}link[@rel='enclosure']")]
    assert enclosures == [
        {"href": "https://pod.example.org/ep7.mp3", "rel": "enclosure", "type": "audio/mpeg",
         "length": "31337000"},
        {"href": "https://pod.example.org/ep7-extra", "rel": "enclosure"},
        # a malformed type is replaced by a guess from the URL; a negative length dropped
        {"href": "https://pod.example.org/cover.png", "rel": "enclosure", "type": "image/png"},
    ]  # the relative enclosure is dropped
    # updated falls back to published, then to first seen; published only when known
    assert podcast.findtext(f"{ATOM}updated") == "2024-05-02T08:00:00+00:00"
    assert no_url.findtext(f"{ATOM}updated") == "2024-05-01T22:00:00+00:00"
    assert no_url.find(f"{ATOM}published") is None
    assert no_url.find(f"{ATOM}link") is None
    assert bare.find(f"{ATOM}author") is None


def test_atom_source_carries_origin_feed(documents: dict[str, bytes]) -> None:
    full, podcast, no_url, _control, _bare = atom_tree(documents["atom"]).findall(f"{ATOM}entry")
    source = full.find(f"{ATOM}source")
    assert source.findtext(f"{ATOM}id") == BLOG_A["feed_url"]
    assert source.findtext(f"{ATOM}title") == "Blog A"
    assert source.findtext(f"{ATOM}updated") == "2024-05-03T17:00:00+00:00"
    links = {link.get("rel"): link.get("href") for link in source.findall(f"{ATOM}link")}
    assert links == {"self": BLOG_A["feed_url"], "alternate": BLOG_A["feed_link"]}
    assert podcast.findtext(f"{ATOM}source/{ATOM}title") == "Pod & Cast"
    # unknown feed title and date: the feed URL and the entry's own updated stand in
    source = no_url.find(f"{ATOM}source")
    assert source.findtext(f"{ATOM}title") == NEWS_B["feed_url"]
    assert source.findtext(f"{ATOM}updated") == no_url.findtext(f"{ATOM}updated")
    assert [link.get("rel") for link in source.findall(f"{ATOM}link")] == ["self"]


def test_feedparser_sees_atom_source(documents: dict[str, bytes]) -> None:
    entry = feedparser.parse(documents["atom"]).entries[0]
    assert entry.source.id == BLOG_A["feed_url"]
    assert entry.source.title == "Blog A"


# --- RSS -----------------------------------------------------------------------------


def rss_items(body: bytes) -> list[etree._Element]:
    return etree.fromstring(body).findall("channel/item")


def test_rss_channel(documents: dict[str, bytes]) -> None:
    channel = etree.fromstring(documents["rss"]).find("channel")
    assert channel.findtext("title") == TITLE
    assert channel.findtext("link") == META.home_url
    assert channel.findtext("description") == META.subtitle
    assert channel.findtext("lastBuildDate") == "Sat, 04 May 2024 12:00:00 +0000"
    assert channel.findtext("generator") == "aggregator"
    self_link = channel.find(f"{ATOM}link")
    assert self_link.get("rel") == "self"
    assert self_link.get("href") == "https://agg.example.org/feed.rss"
    assert self_link.get("type") == "application/rss+xml"


def test_rss_guid_is_not_a_permalink(documents: dict[str, bytes]) -> None:
    guids = [item.find("guid") for item in rss_items(documents["rss"])]
    assert [g.text for g in guids] == UIDS
    assert {g.get("isPermaLink") for g in guids} == {"false"}


def test_rss_item_fields(documents: dict[str, bytes]) -> None:
    full, podcast, no_url, control, bare = rss_items(documents["rss"])
    assert full.findtext("description") == "<p>Short &amp; sweet</p>"
    assert full.findtext(CONTENT_ENCODED) == "<p>Long &amp; <em>rich</em></p>"
    assert full.findtext("pubDate") == "Fri, 03 May 2024 10:00:00 +0000"
    assert full.findtext("author") == "ann@example.com (Ann)"
    assert [c.text for c in full.findall("category")] == ["python", "feeds"]
    assert control.findtext("author") == "carl@example.com (Carl)"
    # a name without an email address is no RSS <author>
    assert podcast.find("author") is None
    assert podcast.findtext(DC_CREATOR) == "Bo"
    assert podcast.findtext("description") == podcast.findtext(CONTENT_ENCODED)
    assert [e.attrib for e in podcast.findall("enclosure")] == [
        {"url": "https://pod.example.org/ep7.mp3", "length": "31337000", "type": "audio/mpeg"},
    ]
    # no published date: first seen; no content: no content:encoded; no link
    assert no_url.findtext("pubDate") == "Wed, 01 May 2024 22:00:00 +0000"
    assert no_url.find(CONTENT_ENCODED) is None
    assert no_url.find("link") is None
    assert bare.findtext("title") == UNTITLED


def test_rss_source(documents: dict[str, bytes]) -> None:
    full, podcast, no_url, _control, _bare = rss_items(documents["rss"])
    assert full.find("source").get("url") == BLOG_A["feed_url"]
    assert full.findtext("source") == "Blog A"
    assert podcast.findtext("source") == "Pod & Cast"
    assert no_url.findtext("source") == NEWS_B["feed_url"]


def test_rss_enclosure_of_unknown_type_and_length() -> None:
    entry = make_entry("blob", BLOG_A, title="t",
                       enclosures=(Enclosure("https://blog-a.example.com/file"),))
    item = rss_items(render_rss([entry], meta_for("rss")))[0]
    assert item.find("enclosure").attrib == {
        "url": "https://blog-a.example.com/file", "length": "0",
        "type": "application/octet-stream"}


# --- JSON Feed -----------------------------------------------------------------------


def test_json_item_fields(documents: dict[str, bytes]) -> None:
    full, podcast, no_url, control, bare = json.loads(documents["json"])["items"]
    assert full["url"] == "https://blog-a.example.com/2024/05/full?a=1&b=2"
    assert full["content_html"] == "<p>Long &amp; <em>rich</em></p>"
    assert full["summary"] == "Short & sweet"  # plain text, as the spec wants
    assert full["date_published"] == "2024-05-03T10:00:00Z"
    assert full["date_modified"] == "2024-05-03T16:30:00Z"
    assert full["authors"] == [{"name": "Ann"}]
    assert full["tags"] == ["python", "feeds"]
    assert full["attachments"] == [{"url": "https://blog-a.example.com/img/cover.jpg",
                                    "mime_type": "image/jpeg", "size_in_bytes": 20480}]
    assert podcast["attachments"][1:] == [
        {"url": "https://pod.example.org/ep7-extra", "mime_type": "application/octet-stream"},
        {"url": "https://pod.example.org/cover.png", "mime_type": "image/png"},
    ]
    assert no_url["content_html"] == "<p>Only a <b>summary</b></p>"
    assert "url" not in no_url
    assert no_url["date_published"] == "2024-05-01T22:00:00Z"
    assert "date_modified" not in no_url
    assert control["authors"] == [{"name": "Carl"}]
    assert bare == {"id": UIDS[4], "content_text": "", "date_published": "2024-05-01T06:00:00Z",
                    "_source": bare["_source"]}


def test_json_source_extension(documents: dict[str, bytes]) -> None:
    items = json.loads(documents["json"])["items"]
    for item in items:
        assert set(item["_source"]) <= {"about", "feed_url", "title", "home_page_url"}
        assert item["_source"]["about"].startswith("https://")
    assert items[0]["_source"]["feed_url"] == BLOG_A["feed_url"]
    assert items[0]["_source"]["title"] == "Blog A"
    assert items[0]["_source"]["home_page_url"] == BLOG_A["feed_link"]
    assert items[2]["_source"]["title"] == NEWS_B["feed_url"]
    assert "home_page_url" not in items[2]["_source"]


# --- every format --------------------------------------------------------------------


def strings(node: Any) -> list[str]:
    """Every string in a decoded JSON document, keys included."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in (k, *strings(v))]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return []


@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_are_gone(fmt: str, documents: dict[str, bytes]) -> None:
    text = documents[fmt].decode("utf-8")  # lone surrogates would not even encode
    found = strings(json.loads(text)) if fmt == "json" else [text]
    for char in BAD_CHARS:
        assert not any(char in s for s in found), f"U+{ord(char):04X} in {fmt}"
    assert "&#" not in text  # no character references smuggling them back


@pytest.mark.parametrize("fmt", FORMATS)
def test_rendering_is_deterministic(fmt: str, documents: dict[str, bytes]) -> None:
    assert render(fmt, list(ENTRIES), meta_for(fmt)) == documents[fmt]


@pytest.mark.parametrize(("fmt", "function"),
                         [("atom", render_atom), ("rss", render_rss), ("json", render_json)])
def test_render_dispatches(fmt: str, function: Any, documents: dict[str, bytes]) -> None:
    assert function(ENTRIES, meta_for(fmt)) == documents[fmt]
    assert CONTENT_TYPES[fmt].endswith("; charset=utf-8")


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_xml_outputs_are_utf8_with_declaration(fmt: str, documents: dict[str, bytes]) -> None:
    assert documents[fmt].startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_feed_renders(fmt: str) -> None:
    body = render(fmt, [], meta_for(fmt))
    if fmt == "json":
        assert json.loads(body)["items"] == []
    else:
        parsed = feedparser.parse(body)
        assert not parsed.bozo
        assert parsed.entries == []


def test_relative_entry_urls_are_dropped() -> None:
    entry = make_entry("relative", BLOG_A, url="/2024/05/relative", title="t",
                       content="<p>c</p>")
    for fmt in FORMATS:
        assert b"/2024/05/relative" not in render(fmt, [entry], meta_for(fmt))


def test_unknown_format_is_a_publish_error() -> None:
    with pytest.raises(PublishError) as excinfo:
        render("rdf", ENTRIES, META)
    assert excinfo.value.format == "rdf"


@pytest.mark.parametrize("fmt", FORMATS)
def test_relative_self_url_is_a_publish_error(fmt: str) -> None:
    meta = FeedMeta(title="t", home_url="https://agg.example.org/", self_url="feed.atom",
                    updated="2024-05-04T12:00:00Z", feed_id="urn:uuid:x")
    with pytest.raises(PublishError, match="self_url") as excinfo:
        render(fmt, ENTRIES, meta)
    assert excinfo.value.format == fmt


# --- plain text that a client inserts as HTML ----------------------------------------------

MARKUP = "<script>alert(1)</script><img src=x onerror=alert(2)><!--x--><?php ?>"
TAG_OPEN = re.compile(r"<[A-Za-z/!?]")
TEXT_ELEMENTS = frozenset({"title", "name", "category", "subtitle", "creator", "author", "source"})


def test_no_plain_text_field_can_open_a_tag() -> None:
    """Issue 13, item 8: a merged JSON Feed carried ``<script`` in a plain-text summary.

    Titles, summaries (JSON Feed), authors, tags and feed titles are text, but
    clients insert them as HTML: none may hold a "<" that starts markup.  The
    HTML fields still carry the sanitized HTML, where ``&lt;`` stays escaped.
    """
    hostile = make_entry(
        "hostile", {**BLOG_A, "feed_title": MARKUP}, url="https://blog-a.example.com/x",
        title=MARKUP, author=f"{MARKUP} <eve@example.com>", tags=(MARKUP,),
        summary="<p>&lt;script&gt;alert(3)&lt;/script&gt; &lt;img src=x onerror=alert(4)&gt;</p>",
        also=(Sighting("https://b.example/feed", MARKUP, "https://b.example/1",
                       "2024-05-03T11:00:00Z"),))
    meta = replace(META, title=MARKUP, subtitle=MARKUP)
    feed = json.loads(render("json", [hostile], meta))
    item = feed["items"][0]
    texts = [feed["title"], feed["description"], item["title"], item["summary"],
             *item["tags"], item["authors"][0]["name"], item["_source"]["title"],
             *(credit["title"] for credit in item["_source"]["also_reported_by"])]
    assert "alert(3)" in item["summary"]  # the text is kept, only made inert
    for fmt in ("atom", "rss"):
        root = etree.fromstring(render(fmt, [hostile], replace(meta_for(fmt), title=MARKUP,
                                                                 subtitle=MARKUP)))
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            name = etree.QName(element).localname
            if name in TEXT_ELEMENTS or (name == "description" and element.getparent() is not
                                         None and etree.QName(element.getparent()).localname
                                         == "channel"):
                texts.append(element.text or "")
            texts.append(element.get("term") or "")
    assert texts and all(not TAG_OPEN.search(text) for text in texts), [
        text for text in texts if TAG_OPEN.search(text)]


def test_urls_are_published_as_uris() -> None:
    """feedparser's test suite resolves ``<link>Incorrect Value</link>`` to a URL with a space.

    JSON Feed's schema (and Atom's IRIs) refuse it: spaces, quotes and a stray
    "%" are percent-encoded, a non-ASCII host is written in IDNA.
    """
    odd = make_entry("odd", BLOG_A, url="https://blog-a.example.com/a b/\"q\"?x=[1]&y=%zz",
                     title="Odd", enclosures=(Enclosure("https://bücher.example/ü.mp3"),))
    item = json.loads(render("json", [odd], META))["items"][0]
    assert item["url"] == "https://blog-a.example.com/a%20b/%22q%22?x=%5B1%5D&y=%25zz"
    assert item["attachments"][0]["url"] == "https://xn--bcher-kva.example/%C3%BC.mp3"
    plain = make_entry("plain", BLOG_A, url="https://blog-a.example.com/ok?a=1&b=%41#top")
    assert json.loads(render("json", [plain], META))["items"][0]["url"] == plain.url
