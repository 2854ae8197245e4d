"""RSS 2.0 through feedgen: ``render_rss``; one enclosure per item, email-only ``<author>``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aggregator.models import Enclosure, StoredEntry
from aggregator.publish.clean import (
    OCTET_STREAM,
    UNTITLED,
    FeedMeta,
    Item,
    Person,
    prepare,
    prepare_channel,
    publish_errors,
)
from aggregator.publish.extension import RssFeedExtension, add_entry, decorate, generator


def _add_rss_author(fe: Any, person: Person) -> None:
    """RSS ``<author>`` is an email address; a bare name goes to ``dc:creator`` instead."""
    if person.email is None:
        return  # _EntryExtension.extend_rss (extension.py) writes dc:creator
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
        fe.link(href=first.url, rel="enclosure", type=first.type or OCTET_STREAM,
                length=str(first.length or 0))


def _add_rss_item(fg: Any, item: Item) -> None:
    """One ``<item>``; description set before content (the feedgen order that works)."""
    fe = add_entry(fg, item)
    description = item.summary or item.content
    if item.title is not None or description is None:
        fe.title(item.title or UNTITLED)  # RSS wants a title or a description
    if description is not None:
        fe.description(description)
    if item.content is not None:
        fe.content(item.content)  # content:encoded
    fe.published(item.date)
    if item.author is not None:
        _add_rss_author(fe, item.author)
    _add_rss_enclosure(fe, item.enclosures)
    if item.origin is not None:
        fe.source(url=item.origin.feed_url, title=item.origin.title)


def render_rss(entries: Sequence[StoredEntry], meta: FeedMeta) -> bytes:
    """The merged feed as an RSS 2.0 document (guids are our uids, never permalinks)."""
    with publish_errors("rss"):
        channel = prepare_channel(meta)
        fg = generator(channel, RssFeedExtension, "application/rss+xml")
        fg.description(channel.subtitle or channel.title)
        for entry in entries:
            _add_rss_item(fg, prepare(entry, channel.updated))
        document = bytes(fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True))
        return decorate(document, meta, container="channel")
