"""Render the merged output feed: Atom 1.0, RSS 2.0 and JSON Feed 1.1.

Input is what the store hands over: ``StoredEntry`` records, newest first and
already limited, plus a ``FeedMeta`` describing the output document itself.
Output is the whole document as bytes (UTF-8; an XML declaration for Atom and
RSS).  Nothing here reads the clock, so the same input gives the same bytes:
the server may derive its ETag from them.

Atom and RSS are written by feedgen 1.0.0, which needs care: it drops
``type="html"`` when ``description()`` follows ``content()``, writes entry links
without their ``rel``/``type``/``length``, defaults every date to now, prepends
entries and takes the last feed link as the RSS channel link.  What it cannot
express goes through its extension mechanism (``_EntryExtension``): the Atom
``<source>`` of each entry (feedgen's has only a title and a link), Atom
enclosure links, and ``dc:creator`` for RSS authors without an email address.
JSON Feed is plain ``json``.

Feeds in the wild carry control characters, lone surrogates and noncharacters;
XML 1.0 forbids them and lxml raises on them, so every string passes through
``_xml_text`` before it reaches feedgen, lxml or ``json`` (a JSON Feed item
should survive being republished as XML, too).

A low layer: imports the standard library, feedgen, lxml and
``aggregator.models`` / ``aggregator.errors`` only.  Every failure to render is
a ``PublishError`` naming the format.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from html import escape
from html.parser import HTMLParser
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from aggregator.errors import PublishError
from aggregator.models import Enclosure, StoredEntry, from_iso, to_iso

FORMATS = ("atom", "rss", "json")
CONTENT_TYPES: dict[str, str] = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}

GENERATOR_NAME = "aggregator"
GENERATOR_URI = "https://github.com/aggregator-project/aggregator"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
UNTITLED = "(untitled)"
# What a JSON Feed reader can read about our "_source" extension object.
SOURCE_EXTENSION_ABOUT = GENERATOR_URI

_DC_NS = "http://purl.org/dc/elements/1.1/"
_EXTENSION = "aggregator"  # feedgen extension name; also an attribute of each FeedEntry
_OCTET_STREAM = "application/octet-stream"

# XML 1.0 (5th ed.) section 2.2: the complement of Char, then the characters it
# discourages (C1 controls but NEL, noncharacters).  None of them carries text.
_NONCHARACTERS = "".join(chr(plane << 16 | low)
                         for plane in range(1, 17) for low in (0xFFFE, 0xFFFF))
_NOT_XML_TEXT = re.compile(
    "[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    f"|[\u007f-\u0084\u0086-\u009f\ufdd0-\ufdef{_NONCHARACTERS}]"
)
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*$")  # RFC 6838 4.2
_EMAIL_FIRST = re.compile(r"^(?P<email>[^\s@()<>]+@[^\s@()<>]+)\s*(?:\((?P<name>[^()]*)\))?$")
_NAME_FIRST = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<email>[^\s@<>]+@[^\s@<>]+)>$")
_BUILTIN_TYPES = mimetypes.MimeTypes()  # the stdlib table only: same guess on every host


def _package_version() -> str | None:
    """The installed version for ``<generator version>``, if the package is installed."""
    try:
        return metadata.version(GENERATOR_NAME)
    except metadata.PackageNotFoundError:
        return None


_VERSION = _package_version()


_ATOM_LINK = "{http://www.w3.org/2005/Atom}link"


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """The output document itself: what it is called and where it lives.

    URLs are absolute http(s) (else PublishError); ``self_url`` differs per
    format.  ``updated`` is the store's UTC ISO string of the newest change,
    not "now", so that re-rendering gives identical bytes.
    """

    title: str  # the output's title
    home_url: str  # the service's public base URL (alternate link / home_page_url)
    self_url: str  # where this very document is served, e.g. base + "feed.atom"
    updated: str  # UTC ISO 'YYYY-MM-DDTHH:MM:SSZ' of the newest change
    feed_id: str  # stable id of the output feed (e.g. a urn:uuid derived from base_url)
    subtitle: str | None = None
    # Feed-level links beside self/alternate: RFC 5005 paging ("first", "next",
    # "previous") and WebSub ("hub"); absolute URLs.
    links: tuple[tuple[str, str], ...] = ()
    stylesheet: str | None = None  # href of an XSLT for browsers (Atom and RSS only)


# --- cleaning: one pass from stored records to what every format may carry ---------


def _xml_text(value: str) -> str:
    """Drop every character XML 1.0 forbids or discourages (lxml raises on the former)."""
    return _NOT_XML_TEXT.sub("", value)


def _text(value: str | None) -> str | None:
    """Cleaned text (HTML bodies), or None when nothing readable is left, so fallbacks apply."""
    cleaned = _xml_text(value or "")
    return cleaned if cleaned.strip() else None


def _line(value: str | None) -> str | None:
    """Cleaned one-line text (titles, names, tags): whitespace runs become one space."""
    return " ".join(_xml_text(value or "").split()) or None


def _url(value: str | None) -> str | None:
    """An absolute http(s) URL, else None: a relative one would resolve against our own URL."""
    url = _line(value) or ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _required_url(value: str, name: str) -> str:
    """The output's own URLs must be absolute; a misconfigured base URL is an error."""
    url = _url(value)
    if url is None:
        raise ValueError(f"{name} {value!r} is not an absolute http(s) URL")
    return url


@dataclass(frozen=True, slots=True)
class _Person:
    """An author split into what Atom wants (name, optional email)."""

    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class _Origin:
    """The feed an entry came from, for Atom ``<source>``, RSS ``<source>``, ``_source``."""

    feed_url: str
    title: str
    link: str | None
    updated: datetime  # the feed's, else the entry's: Atom wants one in <source>


@dataclass(frozen=True, slots=True)
class _Item:
    """One entry, cleaned, with absolute URLs and parsed dates."""

    uid: str
    title: str | None
    url: str | None
    author: _Person | None
    summary: str | None  # HTML
    content: str | None  # HTML
    published: datetime | None
    modified: datetime | None
    first_seen: datetime
    tags: tuple[str, ...]
    enclosures: tuple[Enclosure, ...]
    origin: _Origin | None
    also: tuple[tuple[str, str], ...] = ()  # (feed title, url) of the story's other sightings

    @property
    def updated(self) -> datetime:
        """Atom's required updated: the entry's own, else published, else first seen."""
        return self.modified or self.published or self.first_seen


def _date(value: str | None) -> datetime | None:
    """The store's UTC ISO string as an aware datetime (feedgen refuses naive ones)."""
    return None if value is None else from_iso(value)


def _person(value: str | None) -> _Person | None:
    """Split "a@b.c (Name)", "Name <a@b.c>" or a bare name, as feeds write authors."""
    text = _line(value)
    if text is None:
        return None
    match = _EMAIL_FIRST.match(text) or _NAME_FIRST.match(text)
    if match is None:
        return _Person(text)
    email = match.group("email")
    return _Person((match.group("name") or "").strip() or email, email)


def _media_type(url: str, declared: str | None) -> str | None:
    """The declared type when well-formed, else a guess from the URL's extension."""
    declared = _line(declared)
    if declared is not None and _MEDIA_TYPE.match(declared):
        return declared.lower()
    guessed, encoding = _BUILTIN_TYPES.guess_type(urlsplit(url).path)
    return guessed if encoding is None else None  # x.tar.gz is no application/x-tar


def _enclosures(items: Sequence[Enclosure]) -> tuple[Enclosure, ...]:
    """Enclosures with absolute URLs, a usable type and a non-negative length."""
    return tuple(
        Enclosure(url, _media_type(url, e.type),
                  e.length if e.length is not None and e.length >= 0 else None)
        for e in items if (url := _url(e.url)) is not None
    )


def _origin(entry: StoredEntry, fallback_updated: datetime) -> _Origin | None:
    """Where the entry came from; None if even the feed URL is unusable."""
    feed_url = _url(entry.feed_url)
    if feed_url is None:
        return None
    return _Origin(feed_url=feed_url, title=_line(entry.feed_title) or feed_url,
                   link=_url(entry.feed_link),
                   updated=_date(entry.feed_updated) or fallback_updated)


def _also(entry: StoredEntry) -> tuple[tuple[str, str], ...]:
    """The other sightings worth crediting: one per URL, never the entry's own."""
    own = _url(entry.url)
    seen: dict[str, str] = {}
    for sighting in entry.also:
        url = _url(sighting.url) or _url(sighting.feed_url)
        if url is not None and url != own and url not in seen:
            seen[url] = _line(sighting.feed_title) or urlsplit(url).netloc
    return tuple((title, url) for url, title in seen.items())


def _also_html(also: tuple[tuple[str, str], ...]) -> str:
    """The "Also reported by" line readers show under the story."""
    links = ", ".join(f'<a href="{escape(url)}">{escape(title)}</a>' for title, url in also)
    return f"<p>Also reported by: {links}</p>"


def _prepare(entry: StoredEntry) -> _Item:
    """Clean one stored entry once; the three writers only read the result."""
    uid = _line(entry.uid)
    if uid is None:
        raise ValueError("an entry has an empty uid")
    published, modified = _date(entry.published), _date(entry.updated)
    first_seen = from_iso(entry.first_seen)
    also = _also(entry)
    summary, content = _text(entry.summary), _text(entry.content)
    if also:
        line = _also_html(also)
        if content is not None:
            content += line
        elif summary is not None:
            summary += line
        else:
            content = line
    return _Item(
        uid=uid, title=_line(entry.title), url=_url(entry.url),
        author=_person(entry.author), summary=summary, content=content, also=also,
        published=published, modified=modified, first_seen=first_seen,
        tags=tuple(dict.fromkeys(t for t in map(_line, entry.tags) if t)),
        enclosures=_enclosures(entry.enclosures),
        origin=_origin(entry, modified or published or first_seen),
    )


@dataclass(frozen=True, slots=True)
class _Channel:
    """``FeedMeta`` cleaned and checked: the output document's own metadata."""

    title: str
    home_url: str
    self_url: str
    feed_id: str
    updated: datetime
    subtitle: str | None


def _channel(meta: FeedMeta) -> _Channel:
    """Check the output's metadata once; bad configuration becomes a PublishError."""
    title, feed_id = _line(meta.title), _line(meta.feed_id)
    if title is None or feed_id is None:
        raise ValueError("the output feed needs a title and an id")
    return _Channel(title=title, feed_id=feed_id,
                    home_url=_required_url(meta.home_url, "home_url"),
                    self_url=_required_url(meta.self_url, "self_url"),
                    updated=from_iso(meta.updated), subtitle=_line(meta.subtitle))


@contextmanager
def _publish_errors(fmt: str) -> Iterator[None]:
    """Turn feedgen's and lxml's complaints into the package's own error, cause kept."""
    try:
        yield
    except (ValueError, TypeError, etree.LxmlError) as e:
        raise PublishError(fmt, f"cannot render the feed: {e}") from e


# --- feedgen extensions ----------------------------------------------------------


class _RssFeedExtension(BaseExtension):  # type: ignore[misc]  # feedgen is untyped
    """Feed-level half of our RSS extension: declares ``dc`` once, on the root."""

    def extend_ns(self) -> dict[str, str]:
        """feedgen puts these on the root element, so items need no declarations."""
        return {"dc": _DC_NS}


class _EntryExtension(BaseEntryExtension):  # type: ignore[misc]  # feedgen is untyped
    """Entry-level extension: writes what feedgen's FeedEntry cannot say.

    feedgen makes one instance per entry (``fe.aggregator``); the writer sets
    ``item`` and feedgen calls ``extend_atom`` / ``extend_rss`` while
    serializing, after its own elements.  feedgen builds the Atom tree from
    un-namespaced names under a literal ``xmlns`` attribute, so the Atom
    elements added here are un-namespaced too and serialize like feedgen's.
    """

    def __init__(self) -> None:
        self.item: _Item | None = None

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        """Finish the entry's links and add ``<source>``.

        feedgen 1.0.0 writes an entry's links without rel, type or length
        (``FeedEntry.atom_entry`` reuses its loop variable), so it only gets the
        alternate link, which we label here, and the enclosures are written here.
        """
        for link in entry.findall("link"):
            link.set("rel", "alternate")
        if self.item is not None:
            for enclosure in self.item.enclosures:
                etree.SubElement(entry, "link", _atom_enclosure(enclosure))
            for title, url in self.item.also:
                etree.SubElement(entry, "link", rel="related", href=url, title=title)
            if self.item.origin is not None:
                _append_atom_source(entry, self.item.origin)
        return entry

    def extend_rss(self, item: etree._Element) -> etree._Element:
        """Add ``dc:creator`` for an author RSS's email-only ``<author>`` cannot carry."""
        person = self.item.author if self.item is not None else None
        if person is not None and person.email is None:
            etree.SubElement(item, f"{{{_DC_NS}}}creator").text = person.name
        return item


def _append_atom_source(entry: etree._Element, origin: _Origin) -> None:
    """RFC 4287 4.2.11: the origin feed's metadata, so readers can credit it."""
    source = etree.SubElement(entry, "source")
    etree.SubElement(source, "id").text = origin.feed_url
    etree.SubElement(source, "title").text = origin.title
    etree.SubElement(source, "link", rel="self", href=origin.feed_url)
    if origin.link is not None:
        etree.SubElement(source, "link", rel="alternate", href=origin.link)
    etree.SubElement(source, "updated").text = origin.updated.isoformat()


def _generator(channel: _Channel, feed_extension: Any, self_type: str) -> Any:
    """A FeedGenerator with the metadata Atom and RSS share; every date set explicitly.

    feedgen defaults ``updated`` / ``lastBuildDate`` to now, which would make
    each render different.  The self link goes first because feedgen uses the
    last feed link as the RSS channel ``<link>``.
    """
    fg = FeedGenerator()
    fg.register_extension(_EXTENSION, feed_extension, _EntryExtension)
    fg.id(channel.feed_id)
    fg.title(channel.title)
    fg.updated(channel.updated)
    fg.link(href=channel.self_url, rel="self", type=self_type)
    fg.link(href=channel.home_url, rel="alternate")
    fg.generator(GENERATOR_NAME, version=_VERSION, uri=GENERATOR_URI)
    return fg


def _add_entry(fg: Any, item: _Item) -> Any:
    """A FeedEntry in document order (feedgen prepends by default) with what both share."""
    fe = fg.add_entry(order="append")
    getattr(fe, _EXTENSION).item = item
    fe.id(item.uid)  # also the RSS guid, isPermaLink="false": a urn is no link
    if item.url is not None:
        fe.link(href=item.url, rel="alternate")
    if item.tags:
        fe.category([{"term": tag} for tag in item.tags])
    return fe


# --- Atom 1.0 ----------------------------------------------------------------------


def _atom_content(item: _Item) -> tuple[str | None, str]:
    """The content and its type; RFC 4287 4.1.1 wants content when no alternate link."""
    if item.content is not None:
        return item.content, "html"
    if item.url is not None:
        return None, "html"
    if item.summary is not None:
        return item.summary, "html"
    return item.title or UNTITLED, "text"


def _atom_enclosure(enclosure: Enclosure) -> dict[str, str]:
    """A ``link rel="enclosure"``; type and length are advisory, so only when known."""
    link = {"href": enclosure.url, "rel": "enclosure"}
    if enclosure.type is not None:
        link["type"] = enclosure.type
    if enclosure.length is not None:
        link["length"] = str(enclosure.length)
    return link


def _add_atom_entry(fg: Any, item: _Item) -> None:
    """One ``<entry>``; summary before content (LIBRARIES.md: feedgen drops type="html").

    Enclosures and ``<source>`` are written by ``_EntryExtension.extend_atom``.
    """
    fe = _add_entry(fg, item)
    fe.title(item.title or UNTITLED)
    fe.updated(item.updated)
    if item.published is not None:
        fe.published(item.published)
    if item.author is not None:
        fe.author({"name": item.author.name, **({"email": item.author.email}
                                                 if item.author.email else {})})
    if item.summary is not None:
        fe.summary(item.summary, type="html")
    content, content_type = _atom_content(item)
    if content is not None:
        fe.content(content, type=content_type)


def render_atom(entries: Sequence[StoredEntry], meta: FeedMeta) -> bytes:
    """The merged feed as an Atom 1.0 (RFC 4287) document.

    The feed-level author (the output's title) keeps entries without an author
    valid; each entry's ``<source>`` still credits the feed it came from.
    """
    with _publish_errors("atom"):
        channel = _channel(meta)
        fg = _generator(channel, BaseExtension, "application/atom+xml")
        fg.author({"name": channel.title})
        if channel.subtitle is not None:
            fg.subtitle(channel.subtitle)
        for entry in entries:
            _add_atom_entry(fg, _prepare(entry))
        document = bytes(fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True))
        return _decorate(document, meta, container=None)


def _decorate(document: bytes, meta: FeedMeta, container: str | None) -> bytes:
    """Add the paging/hub links and the stylesheet instruction feedgen cannot write.

    Links go in as ``atom:link`` (in RSS, inside ``<channel>``, as RFC 5005
    and WebSub describe); the stylesheet as an ``<?xml-stylesheet?>`` before
    the root, so a browser shows the feed readably.
    """
    if not meta.links and meta.stylesheet is None:
        return document
    root = etree.fromstring(document)
    parent = root if container is None else root.find(container)
    if parent is None:
        raise ValueError(f"no <{container}> in the document")
    position = max((i for i, child in enumerate(parent) if child.tag == _ATOM_LINK), default=-1)
    for offset, (rel, href) in enumerate(meta.links, start=1):
        link = etree.Element(_ATOM_LINK, rel=rel, href=_required_url(href, rel))
        link.tail = parent[0].tail if len(parent) else None
        parent.insert(position + offset, link)
    if meta.stylesheet is not None:
        root.addprevious(etree.ProcessingInstruction(
            "xml-stylesheet", f'type="text/xsl" href="{escape(meta.stylesheet)}"'))
    return bytes(etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8"))


# --- RSS 2.0 -----------------------------------------------------------------------


def _add_rss_author(fe: Any, person: _Person) -> None:
    """RSS ``<author>`` is an email address; a bare name goes to ``dc:creator`` instead."""
    if person.email is None:
        return  # _EntryExtension.extend_rss writes dc:creator
    if person.name != person.email:
        fe.author({"name": person.name, "email": person.email})
    else:
        fe.author({"email": person.email})


def _add_rss_enclosure(fe: Any, enclosures: tuple[Enclosure, ...]) -> None:
    """The first enclosure only (RSS Best Practices: one per item).

    The spec requires url, length and type: an unknown length is "0" (as the
    Best Practices Profile says) and an unknown type application/octet-stream.
    """
    if enclosures:
        first = enclosures[0]
        fe.link(href=first.url, rel="enclosure", type=first.type or _OCTET_STREAM,
                length=str(first.length or 0))


def _add_rss_item(fg: Any, item: _Item) -> None:
    """One ``<item>``; description set before content (the feedgen order that works)."""
    fe = _add_entry(fg, item)
    description = item.summary or item.content
    if item.title is not None or description is None:
        fe.title(item.title or UNTITLED)  # RSS wants a title or a description
    if description is not None:
        fe.description(description)
    if item.content is not None:
        fe.content(item.content)  # content:encoded
    fe.published(item.published or item.first_seen)
    if item.author is not None:
        _add_rss_author(fe, item.author)
    _add_rss_enclosure(fe, item.enclosures)
    if item.origin is not None:
        fe.source(url=item.origin.feed_url, title=item.origin.title)


def render_rss(entries: Sequence[StoredEntry], meta: FeedMeta) -> bytes:
    """The merged feed as an RSS 2.0 document (guids are our uids, never permalinks)."""
    with _publish_errors("rss"):
        channel = _channel(meta)
        fg = _generator(channel, _RssFeedExtension, "application/rss+xml")
        fg.description(channel.subtitle or channel.title)
        for entry in entries:
            _add_rss_item(fg, _prepare(entry))
        document = bytes(fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True))
        return _decorate(document, meta, container="channel")


# --- JSON Feed 1.1 -----------------------------------------------------------------


class _TextCollector(HTMLParser):
    """Collects the text of an HTML fragment; block tags become spaces."""

    BLOCKS = frozenset({"p", "br", "div", "li", "ul", "ol", "tr", "td", "th", "blockquote",
                        "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "img", "figure"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Separate blocks so that "<p>a</p><p>b</p>" reads "a b"."""
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        """As handle_starttag: a closing block tag also ends a word."""
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        """Keep the text."""
        self.parts.append(data)


def _plain_text(html: str) -> str | None:
    """HTML as plain text: JSON Feed allows HTML in ``content_html`` only."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return _line("".join(collector.parts))


def _json_attachment(enclosure: Enclosure) -> dict[str, Any]:
    """An attachment; ``mime_type`` is required, so unknown ones are octet-stream."""
    attachment: dict[str, Any] = {"url": enclosure.url,
                                  "mime_type": enclosure.type or _OCTET_STREAM}
    if enclosure.length is not None:
        attachment["size_in_bytes"] = enclosure.length
    return attachment


def _json_source(origin: _Origin) -> dict[str, Any]:
    """The ``_source`` extension object: provenance, as Atom ``<source>`` gives it."""
    source: dict[str, Any] = {"about": SOURCE_EXTENSION_ABOUT, "feed_url": origin.feed_url,
              "title": origin.title}
    if origin.link is not None:
        source["home_page_url"] = origin.link
    return source


def _json_body(item: _Item) -> dict[str, str]:
    """content_html, else content_text: the spec requires one of them."""
    body: dict[str, str] = {}
    html = item.content or item.summary
    if html is not None:
        body["content_html"] = html
    else:
        body["content_text"] = item.title or ""
    summary = _plain_text(item.summary) if item.summary is not None else None
    if summary is not None:
        body["summary"] = summary
    return body


def _json_item(item: _Item) -> dict[str, Any]:
    """One item; dates are RFC 3339, published falls back to first seen (as RSS)."""
    obj: dict[str, Any] = {"id": item.uid}
    if item.url is not None:
        obj["url"] = item.url
    if item.title is not None:
        obj["title"] = item.title
    obj.update(_json_body(item))
    obj["date_published"] = to_iso(item.published or item.first_seen)
    if item.modified is not None:
        obj["date_modified"] = to_iso(item.modified)
    if item.author is not None:
        obj["authors"] = [{"name": item.author.name}]
    if item.tags:
        obj["tags"] = list(item.tags)
    if item.enclosures:
        obj["attachments"] = [_json_attachment(e) for e in item.enclosures]
    if item.origin is not None:
        obj["_source"] = _json_source(item.origin)
        if item.also:
            obj["_source"]["also_reported_by"] = [{"title": t, "url": u} for t, u in item.also]
    return obj


def render_json(entries: Sequence[StoredEntry], meta: FeedMeta) -> bytes:
    """The merged feed as a JSON Feed 1.1 document, ``version`` first as the spec asks."""
    with _publish_errors("json"):
        channel = _channel(meta)
        feed: dict[str, Any] = {"version": JSONFEED_VERSION, "title": channel.title,
                                "home_page_url": channel.home_url,
                                "feed_url": channel.self_url}
        if channel.subtitle is not None:
            feed["description"] = channel.subtitle
        feed["authors"] = [{"name": channel.title}]
        links = dict(meta.links)
        if "next" in links:
            feed["next_url"] = _required_url(links["next"], "next")
        if "hub" in links:
            feed["hubs"] = [{"type": "WebSub", "url": _required_url(links["hub"], "hub")}]
        feed["items"] = [_json_item(_prepare(entry)) for entry in entries]
        return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_RENDERERS: dict[str, Callable[[Sequence[StoredEntry], FeedMeta], bytes]] = {
    "atom": render_atom,
    "rss": render_rss,
    "json": render_json,
}


def render(fmt: str, entries: Sequence[StoredEntry], meta: FeedMeta) -> bytes:
    """Render ``entries`` (newest first, already limited) in ``fmt``, one of FORMATS."""
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise PublishError(fmt, f"unknown feed format; expected one of {', '.join(FORMATS)}")
    return renderer(entries, meta)
