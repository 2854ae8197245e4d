"""RSS, Atom and RDF through feedparser, normalized to ``ParsedFeed``.

feedparser reads the bytes with the response headers, so a charset declared in
``Content-Type`` is honoured and relative links resolve against the URL the
body came from.  Its own sanitizer and relative-URI pass are turned off: they
let known attacks through (``javascript:`` in SVG ``xlink:href``, entity-encoded
``javascript:`` URLs, forms) and cost about half of its time.  Every HTML
fragment is cleaned instead by nh3 (see ``sanitize``).

The body goes to feedparser as a stream, never as bytes: given bytes,
feedparser 6.0.14 first tries ``open(body)``, so a response whose body is a
local path (``/etc/hostname``, ``/dev/zero``) would be read from our disk.
"""

from __future__ import annotations

import calendar
import codecs
import email.utils
import html
import io
import math
import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import nh3

from aggregator.errors import ParseError
from aggregator.models import EPOCH, Enclosure, FeedCandidate, ParsedEntry, ParsedFeed, to_iso
from aggregator.parse.discover import discover_feeds
from aggregator.parse.keys import entry_key, unique_keys
from aggregator.parse.sanitize import clean_text, safe_url, sanitize_html, text_to_html
from aggregator.parse.xmlguard import drop_entities, to_utf8

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
# sy:updatePeriod values (http://purl.org/rss/1.0/modules/syndication/), in seconds.
_PERIOD_S = {"hourly": 3600.0, "daily": 86400.0, "weekly": 7 * 86400.0,
             "monthly": 30 * 86400.0, "yearly": 365 * 86400.0}
# itunes:new-feed-url when feedparser files it under another prefix (an unknown
# namespace URI): looked for in the channel, before the first item.
_NEW_FEED_URL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]{0,30}:)?new-feed-url[^>]{0,200}>\s*(?:<!\[CDATA\[)?\s*([^<\]\s]{1,2000})")
_FIRST_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?(?:item|entry)[\s>/]")
_HEAD_BYTES = 64 * 1024
_SHOWN_CANDIDATES = 5
_MAX_DATE_CHARS = 100  # a longer "date" is not one: not worth parsing


def parse_xml(body: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    """An RSS, Atom or RDF body as a ParsedFeed; ParseError when it is not a feed."""
    response_headers = {k.lower(): v for k, v in headers.items()}
    response_headers.setdefault("content-location", url)
    data = to_utf8(body, response_headers, url)
    kept, dropped = drop_entities(data, url)
    if dropped is not None:  # feedparser gets the text we cleaned, as the UTF-8 it is
        body = kept
        response_headers["content-type"] = _as_utf8(response_headers.get("content-type", ""))
    parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers,
                              sanitize_html=False, resolve_relative_uris=False)
    warning = "; ".join(w for w in (dropped, _bozo_message(parsed)) if w) or None
    if not parsed.get("version") and not parsed.entries:
        raise _not_a_feed(body, url, warning)
    feed = parsed.feed
    base = safe_url(feed.get("link"), url) or url
    return ParsedFeed(
        title=_text(feed.get("title"), feed.get("title_detail")),
        link=safe_url(feed.get("link"), url),
        subtitle=_text(feed.get("subtitle"), feed.get("subtitle_detail")),
        version=parsed.get("version") or "unknown",
        entries=unique_keys(_entry(e, url, base) for e in parsed.entries),
        warning=warning,
        ttl_s=_ttl_s(feed.get("ttl")),
        update_period_s=_update_period_s(feed.get("sy_updateperiod"),
                                         feed.get("sy_updatefrequency")),
        self_url=_self_url(feed.get("links") or (), url),
        new_feed_url=(safe_url(_string(feed.get("itunes_new-feed-url")), url)
                      or _raw_new_feed_url(data, url)),
    )


def _as_utf8(content_type: str) -> str:
    """The media type with ``charset=utf-8`` (an XML type if there was none)."""
    media_type = content_type.split(";", 1)[0].strip() or "application/xml"
    return f"{media_type}; charset=utf-8"


def _bozo_message(parsed: Any) -> str | None:
    """feedparser's complaint about the document, if it is about the document.

    A missing or non-XML Content-Type is the server's mistake, not the feed's:
    feedparser reads such a body fine, so it is not worth a warning.
    """
    exc = parsed.get("bozo_exception")
    if not parsed.get("bozo") or type(exc).__name__ == "NonXMLContentType":
        return None
    return clean_text(f"{type(exc).__name__}: {exc}" if exc else "malformed feed")


def _not_a_feed(body: bytes, url: str, warning: str | None) -> ParseError:
    """The error for a body feedparser found no feed in; an HTML page lists its feeds.

    ``candidates`` (the page's ``<link rel="alternate">`` feeds) is set on
    html_page errors only and survives pickling (``AggregatorError.__reduce__``
    keeps ``__dict__``); the caller reports them rather than switching URLs.
    """
    if not body.removeprefix(codecs.BOM_UTF8).strip():
        return ParseError(url, "empty body", reason="empty")
    head = body[:2048].lower()
    if b"<html" not in head and b"<!doctype html" not in head:
        return ParseError(url, f"not a feed ({warning})" if warning else "not a feed",
                          reason="not_a_feed")
    candidates = discover_feeds(body, url)
    error = ParseError(url, _html_page_message(candidates), reason="html_page")
    error.candidates = candidates
    return error


def _html_page_message(candidates: tuple[FeedCandidate, ...]) -> str:
    if not candidates:
        return "an HTML page, not a feed; it links to no feed"
    shown = ", ".join(f"{c.url} ({c.type})" for c in candidates[:_SHOWN_CANDIDATES])
    more = len(candidates) - _SHOWN_CANDIDATES
    return ("an HTML page, not a feed; it links to feeds: " + shown
            + (f", and {more} more" if more > 0 else ""))


def _entry(entry: Any, feed_url: str, feed_base: str) -> ParsedEntry:
    """One feedparser entry normalized to a ParsedEntry."""
    link = safe_url(entry.get("link"), feed_base)
    base = link or feed_base
    content = _content(entry, base, feed_url)
    summary = _html(entry.get("summary"), entry.get("summary_detail"), base, feed_url)
    if summary is not None and summary == content:
        summary = None
    title = _text(entry.get("title"), entry.get("title_detail"))
    # dict.get: feedparser's own get() maps a missing `updated` to `published` (with a warning).
    published = _date(entry, "published")
    updated = _date(entry, "updated")
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
        # A republished entry (a planet's) keeps the original's id beside atom:source.
        origin_id=guid if entry.get("source") else None,
    )


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
    kind = (detail or {}).get("type") or "text/html"
    if kind not in _HTML_TYPES:
        return text_to_html(value)
    declared = (detail or {}).get("base")
    block_base = (safe_url(declared, base) if declared and declared != doc_url else None) or base
    return sanitize_html(clean_text(value), block_base) or None


def _text(value: str | None, detail: Any) -> str | None:
    """Plain text of a title-like field, whatever type the feed declared."""
    if not value:
        return None
    if (detail or {}).get("type") in _HTML_TYPES or "<" in value:
        value = html.unescape(nh3.clean(value, tags=set()))
    value = " ".join(clean_text(value).split())
    return value or None


def _date(entry: Any, name: str) -> str | None:
    """The entry's ``published`` or ``updated`` as the store's ISO string, else None.

    feedparser drops an RFC 822 date without a zone ("Fri, 31 Dec 2021
    23:59:59"); it is read as UTC, as RFC 822 says of an unknown zone.
    """
    found = _iso(dict.get(entry, f"{name}_parsed"))
    raw = dict.get(entry, name)
    if found is None and isinstance(raw, str) and len(raw) <= _MAX_DATE_CHARS:
        fields = email.utils.parsedate_tz(raw)
        if fields is not None:
            try:
                moment = datetime(*fields[:6], tzinfo=UTC) - timedelta(seconds=fields[9] or 0)
            except (OverflowError, ValueError):
                return None
            return to_iso(moment)
    return found


def _iso(moment: time.struct_time | None) -> str | None:
    """feedparser's UTC struct_time as the store's ISO 8601 string (years zero-padded)."""
    if not moment:
        return None
    try:
        return to_iso(EPOCH + timedelta(seconds=calendar.timegm(moment)))
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
        url = safe_url(item.get("href") or item.get("url"), base)
        if url is None:
            continue
        length = str(item.get("length") or "").strip()
        result.append(Enclosure(url=url, type=clean_text(item.get("type") or "") or None,
                                length=int(length) if length.isdigit() else None))
    return tuple(result)


# --- publisher hints -----------------------------------------------------------


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _positive(value: object) -> float | None:
    """A finite number > 0 from feed text ("30", " 1.5 "), else None."""
    try:
        number = float(str(value).strip()) if isinstance(value, str | int | float) else math.nan
    except ValueError:
        return None
    return number if math.isfinite(number) and number > 0 else None


def _ttl_s(value: object) -> float | None:
    """RSS 2.0 ``<ttl>`` (minutes the feed may be cached) in seconds."""
    minutes = _positive(value)
    return minutes * 60 if minutes is not None else None


def _update_period_s(period: object, frequency: object) -> float | None:
    """sy:updatePeriod / sy:updateFrequency as seconds between updates.

    Per the module, a missing period means daily and a missing (or invalid)
    frequency means once per period; an unknown period is no hint at all.
    feedparser gives both as text (``sy_updateperiod``, ``sy_updatefrequency``).
    """
    name = (_string(period) or "").strip().lower()
    if not name and not (_string(frequency) or "").strip():
        return None  # neither given (an empty element counts as not given)
    seconds = _PERIOD_S.get(name or "daily")
    if seconds is None:
        return None
    return seconds / (_positive(frequency) or 1.0)


def _self_url(links: Iterable[Any], url: str) -> str | None:
    """The document's ``atom:link rel="self"`` href, absolute http(s)."""
    for link in links:
        if isinstance(link, Mapping) and link.get("rel") == "self":
            found = safe_url(_string(link.get("href")), url)
            if found:
                return found
    return None


def _raw_new_feed_url(data: bytes, url: str) -> str | None:
    """``itunes:new-feed-url`` when feedparser kept it under another key.

    Searched in the channel only (before the first item or entry, within the
    first 64 KiB), so an article quoting the element in its text does not count.
    """
    head = data[:_HEAD_BYTES]
    item = _FIRST_ITEM.search(head)
    match = _NEW_FEED_URL.search(head, 0, item.start() if item else len(head))
    if match is None:
        return None
    return safe_url(html.unescape(match.group(1).decode("utf-8", "replace")), url)
