"""Bytes -> ``ParsedFeed``; the only module that imports feedparser.

feedparser reads the bytes with the response headers, so a charset declared in
``Content-Type`` is honoured and relative links resolve against the URL the
body came from.  Its own sanitizer and relative-URI pass are turned off: they
let known attacks through (``javascript:`` in SVG ``xlink:href``, entity-encoded
``javascript:`` URLs, forms) and cost about half of its time.  Every HTML
fragment is cleaned instead by nh3 (the Rust ammonia allow-list sanitizer),
which also rewrites relative URLs against the entry's base.

Everything here is pure and picklable so that ``parse_feed`` can run in a
process pool: feedparser is CPU-bound and the event loop must keep fetching.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import nh3

from aggregator.errors import ParseError
from aggregator.models import Enclosure, ParsedEntry, ParsedFeed

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_SAFE_SCHEMES = frozenset({"http", "https"})
_URL_SCHEMES = {"http", "https", "mailto"}


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a downloaded body into a ParsedFeed; ParseError when it is not a feed.

    ``url`` is where the body came from (after redirects): the base for
    relative links and part of the key of entries that have neither id nor link.
    """
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    parsed = feedparser.parse(body, response_headers=response_headers,
                              sanitize_html=False, resolve_relative_uris=False)
    warning = _bozo_message(parsed)
    if not parsed.get("version") and not parsed.entries:
        raise ParseError(url, _not_a_feed_message(body, warning), reason=_not_a_feed_reason(body))
    feed = parsed.feed
    base = _safe_url(feed.get("link"), url) or url
    return ParsedFeed(
        title=_text(feed.get("title"), feed.get("title_detail")),
        link=_safe_url(feed.get("link"), url),
        subtitle=_text(feed.get("subtitle"), feed.get("subtitle_detail")),
        version=parsed.get("version") or "unknown",
        entries=tuple(_unique_keys(_entry(e, url, base) for e in parsed.entries)),
        warning=warning,
    )


def _bozo_message(parsed: Any) -> str | None:
    """feedparser's complaint about the document, if it is about the document.

    A missing or non-XML Content-Type is the server's mistake, not the feed's:
    feedparser reads such a body fine, so it is not worth a warning.
    """
    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or type(exc).__name__ == "NonXMLContentType":
        return None
    return clean_text(f"{type(exc).__name__}: {exc}" if exc else "malformed feed")


def _not_a_feed_reason(body: bytes) -> str:
    if not body.strip():
        return "empty"
    head = body[:2048].lower()
    return "html_page" if b"<html" in head or b"<!doctype html" in head else "not_a_feed"


def _not_a_feed_message(body: bytes, warning: str | None) -> str:
    reason = _not_a_feed_reason(body)
    if reason == "empty":
        return "empty body"
    if reason == "html_page":
        return "an HTML page, not a feed"
    return f"not a feed ({warning})" if warning else "not a feed"


def _entry(entry: Any, feed_url: str, feed_base: str) -> ParsedEntry:
    """One feedparser entry normalized to a ParsedEntry."""
    link = _safe_url(entry.get("link"), feed_base)
    base = link or feed_base
    content = _content(entry, base, feed_url)
    summary = _html(entry.get("summary"), entry.get("summary_detail"), base, feed_url)
    if summary is not None and summary == content:
        summary = None
    title = _text(entry.get("title"), entry.get("title_detail"))
    # dict.get: feedparser's own get() maps a missing `updated` to `published` (with a warning).
    published = _iso(dict.get(entry, "published_parsed"))
    updated = _iso(dict.get(entry, "updated_parsed"))
    guid = clean_text(entry.get("id") or "") or None
    return ParsedEntry(
        key=entry_key(guid, link, title, published or updated, feed_url),
        guid=guid,
        url=link,
        title=title,
        author=clean_text(entry.get("author") or "") or None,
        summary=summary,
        content=content,
        published=published,
        updated=updated,
        tags=_tags(entry.get("tags") or ()),
        enclosures=_enclosures(entry.get("enclosures") or (), base),
    )


def entry_key(guid: str | None, link: str | None, title: str | None,
              date: str | None, feed_url: str) -> str:
    """The entry's stable key in its feed: the guid/id, else the link, else a hash."""
    if guid:
        return guid
    if link:
        return link
    digest = hashlib.sha256("\x1f".join((title or "", date or "", feed_url)).encode())
    return "sha256:" + digest.hexdigest()[:32]


def _unique_keys(entries: Iterable[ParsedEntry]) -> list[ParsedEntry]:
    """Entries with keys made unique in the document: a repeated guid gets +link or +position.

    Keeping the first entry on its plain key means a feed that later fixes its
    ids does not turn its first entry into a new one.
    """
    seen: set[str] = set()
    result = []
    for position, entry in enumerate(entries):
        key = entry.key
        if key in seen:
            key = f"{entry.key}#{entry.url}" if entry.url else f"{entry.key}#{position}"
            if key in seen:
                key = f"{entry.key}#{position}"
        seen.add(key)
        result.append(entry if key == entry.key else replace(entry, key=key))
    return result


def _content(entry: Any, base: str, doc_url: str) -> str | None:
    """The richest content block, sanitized: HTML preferred over plain text."""
    blocks = entry.get("content") or []
    if not blocks:
        return None
    best = next((b for b in blocks if b.get("type") in _HTML_TYPES), blocks[0])
    return _html(best.get("value"), best, base, doc_url)


def _html(value: str | None, detail: Any, base: str, doc_url: str) -> str | None:
    """A fragment as safe HTML: sanitized if HTML, escaped if plain text.

    Relative URLs resolve against an explicit ``xml:base`` when the feed gave
    one, else against the entry's link (as Miniflux does): a feed served from
    a CDN or FeedBurner host rarely means its relative links to point there.
    """
    if not value:
        return None
    value = clean_text(value)
    kind = (detail or {}).get("type") or "text/html"
    if kind not in _HTML_TYPES:
        return html.escape(value, quote=False).strip() or None
    declared = (detail or {}).get("base")
    block_base = (_safe_url(declared, base) if declared and declared != doc_url else None) or base
    return sanitize_html(value, block_base) or None


def sanitize_html(fragment: str, base: str) -> str:
    """Allow-list sanitize ``fragment``, resolving relative URLs against ``base``."""
    return nh3.clean(fragment, url_relative=("rewrite_with_base", base),
                     url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer").strip()


def _text(value: str | None, detail: Any) -> str | None:
    """Plain text of a title-like field, whatever type the feed declared."""
    if not value:
        return None
    if (detail or {}).get("type") in _HTML_TYPES or "<" in value:
        value = html.unescape(nh3.clean(value, tags=set()))
    value = " ".join(clean_text(value).split())
    return value or None


def clean_text(value: str) -> str:
    """``value`` without characters XML 1.0 forbids, so every output stays well-formed."""
    return _XML_ILLEGAL.sub("", value)


def _safe_url(value: str | None, base: str) -> str | None:
    """An absolute http(s) URL, or None: other schemes (javascript:, data:) are dropped."""
    if not value:
        return None
    value = clean_text(value).strip()
    try:
        absolute = urljoin(base, value)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        return None
    return absolute


def _iso(moment: time.struct_time | None) -> str | None:
    """feedparser's UTC struct_time as the store's ISO 8601 string."""
    if not moment:
        return None
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(calendar.timegm(moment)))
    except (OverflowError, ValueError):
        return None


def _tags(tags: Iterable[Any]) -> tuple[str, ...]:
    """Category terms (or labels), cleaned and without repeats, in document order."""
    names = (" ".join(clean_text(t.get("term") or t.get("label") or "").split()) for t in tags)
    return tuple(dict.fromkeys(n for n in names if n))


def _enclosures(items: Iterable[Any], base: str) -> tuple[Enclosure, ...]:
    """Enclosures with safe absolute URLs; a non-numeric length becomes None."""
    result = []
    for item in items:
        url = _safe_url(item.get("href") or item.get("url"), base)
        if url is None:
            continue
        length = str(item.get("length") or "").strip()
        result.append(Enclosure(url=url, type=clean_text(item.get("type") or "") or None,
                                length=int(length) if length.isdigit() else None))
    return tuple(result)
