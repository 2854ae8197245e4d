"""feedgen for Atom and RSS: the setup both share and what feedgen cannot write itself.

feedgen 1.0.0 needs care: it drops ``type="html"`` when ``description()``
follows ``content()``, writes entry links without their ``rel``/``type``/
``length``, defaults every date to now, prepends entries and takes the last
feed link as the RSS channel link.  What it cannot express goes through its
extension mechanism (``_EntryExtension``): the Atom ``<source>`` of each entry
(feedgen's has only a title and a link), Atom enclosure and related links, and
``dc:creator`` for RSS authors without an email address.  ``decorate`` then
adds the paging/hub links and the stylesheet to the serialized document.
"""

from __future__ import annotations

from html import escape
from importlib import metadata
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from aggregator.models import Enclosure
from aggregator.publish.clean import (
    GENERATOR_NAME,
    GENERATOR_URI,
    Channel,
    FeedMeta,
    Item,
    Origin,
    required_url,
)

_DC_NS = "http://purl.org/dc/elements/1.1/"
_EXTENSION = "aggregator"  # feedgen extension name; also an attribute of each FeedEntry
_ATOM_LINK = "{http://www.w3.org/2005/Atom}link"


def _package_version() -> str | None:
    """The installed version for ``<generator version>``, if the package is installed."""
    try:
        return metadata.version(GENERATOR_NAME)
    except metadata.PackageNotFoundError:
        return None


_VERSION = _package_version()


class RssFeedExtension(BaseExtension):  # type: ignore[misc]  # feedgen is untyped
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
        self.item: Item | None = None

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


def _atom_enclosure(enclosure: Enclosure) -> dict[str, str]:
    """A ``link rel="enclosure"``; type and length are advisory, so only when known."""
    link = {"href": enclosure.url, "rel": "enclosure"}
    if enclosure.type is not None:
        link["type"] = enclosure.type
    if enclosure.length is not None:
        link["length"] = str(enclosure.length)
    return link


def _append_atom_source(entry: etree._Element, origin: Origin) -> None:
    """RFC 4287 4.2.11: the origin feed's metadata, so readers can credit it."""
    source = etree.SubElement(entry, "source")
    etree.SubElement(source, "id").text = origin.feed_url
    etree.SubElement(source, "title").text = origin.title
    etree.SubElement(source, "link", rel="self", href=origin.feed_url)
    if origin.link is not None:
        etree.SubElement(source, "link", rel="alternate", href=origin.link)
    etree.SubElement(source, "updated").text = origin.updated.isoformat()


def generator(channel: Channel, feed_extension: Any, self_type: str) -> Any:
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


def add_entry(fg: Any, item: Item) -> Any:
    """A FeedEntry in document order (feedgen prepends by default) with what both share."""
    fe = fg.add_entry(order="append")
    getattr(fe, _EXTENSION).item = item
    fe.id(item.uid)  # also the RSS guid, isPermaLink="false": a urn is no link
    if item.url is not None:
        fe.link(href=item.url, rel="alternate")
    if item.tags:
        fe.category([{"term": tag} for tag in item.tags])
    return fe


def decorate(document: bytes, meta: FeedMeta, container: str | None) -> bytes:
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
        link = etree.Element(_ATOM_LINK, rel=rel, href=required_url(href, rel))
        link.tail = parent[0].tail if len(parent) else None
        parent.insert(position + offset, link)
    if meta.stylesheet is not None:
        root.addprevious(etree.ProcessingInstruction(
            "xml-stylesheet", f'type="text/xsl" href="{escape(meta.stylesheet)}"'))
    return bytes(etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8"))
