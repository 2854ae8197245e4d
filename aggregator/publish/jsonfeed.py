"""JSON Feed 1.1 with plain ``json``: ``render_json``, provenance in a ``_source`` extension."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any

from aggregator.models import Enclosure, StoredEntry, to_iso
from aggregator.publish.clean import (
    GENERATOR_URI,
    OCTET_STREAM,
    FeedMeta,
    Item,
    Origin,
    inert_text,
    prepare,
    prepare_channel,
    publish_errors,
    required_url,
)

JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
# What a JSON Feed reader can read about our "_source" extension object.
SOURCE_EXTENSION_ABOUT = GENERATOR_URI


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
    """HTML as plain text: JSON Feed allows HTML in ``content_html`` only.

    Escaped markup in the HTML (``&lt;script&gt;``) is text, and stays so.
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return inert_text("".join(collector.parts))


def _json_attachment(enclosure: Enclosure) -> dict[str, Any]:
    """An attachment; ``mime_type`` is required, so unknown ones are octet-stream."""
    attachment: dict[str, Any] = {"url": enclosure.url,
                                  "mime_type": enclosure.type or OCTET_STREAM}
    if enclosure.length is not None:
        attachment["size_in_bytes"] = enclosure.length
    return attachment


def _json_source(origin: Origin) -> dict[str, Any]:
    """The ``_source`` extension object: provenance, as Atom ``<source>`` gives it."""
    source: dict[str, Any] = {"about": SOURCE_EXTENSION_ABOUT, "feed_url": origin.feed_url,
              "title": origin.title}
    if origin.link is not None:
        source["home_page_url"] = origin.link
    return source


def _json_body(item: Item) -> dict[str, str]:
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


def _json_item(item: Item) -> dict[str, Any]:
    """One item; dates are RFC 3339, published is the entry's own date (``Item.date``, as RSS)."""
    obj: dict[str, Any] = {"id": item.uid}
    if item.url is not None:
        obj["url"] = item.url
    if item.title is not None:
        obj["title"] = item.title
    obj.update(_json_body(item))
    obj["date_published"] = to_iso(item.date)
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
    with publish_errors("json"):
        channel = prepare_channel(meta)
        feed: dict[str, Any] = {"version": JSONFEED_VERSION, "title": channel.title,
                                "home_page_url": channel.home_url,
                                "feed_url": channel.self_url}
        if channel.subtitle is not None:
            feed["description"] = channel.subtitle
        feed["authors"] = [{"name": channel.title}]
        links = dict(meta.links)
        if "next" in links:
            feed["next_url"] = required_url(links["next"], "next")
        if "hub" in links:
            feed["hubs"] = [{"type": "WebSub", "url": required_url(links["hub"], "hub")}]
        feed["items"] = [_json_item(prepare(entry, channel.updated)) for entry in entries]
        return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
