"""Atom 1.0 (RFC 4287) through feedgen: ``render_atom``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from feedgen.ext.base import BaseExtension

from aggregator.models import StoredEntry
from aggregator.publish.clean import (
    UNTITLED,
    FeedMeta,
    Item,
    prepare,
    prepare_channel,
    publish_errors,
)
from aggregator.publish.extension import add_entry, decorate, generator


def _atom_content(item: Item) -> tuple[str | None, str]:
    """The content and its type; RFC 4287 4.1.1 wants content when no alternate link."""
    if item.content is not None:
        return item.content, "html"
    if item.url is not None:
        return None, "html"
    if item.summary is not None:
        return item.summary, "html"
    return item.title or UNTITLED, "text"


def _add_atom_entry(fg: Any, item: Item) -> None:
    """One ``<entry>``; summary before content (LIBRARIES.md: feedgen drops type="html").

    Enclosures and ``<source>`` are written by ``_EntryExtension.extend_atom``
    (extension.py).
    """
    fe = add_entry(fg, item)
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
    with publish_errors("atom"):
        channel = prepare_channel(meta)
        fg = generator(channel, BaseExtension, "application/atom+xml")
        fg.author({"name": channel.title})
        if channel.subtitle is not None:
            fg.subtitle(channel.subtitle)
        for entry in entries:
            _add_atom_entry(fg, prepare(entry, channel.updated))
        document = bytes(fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True))
        return decorate(document, meta, container=None)
