"""Stored records to what every format may carry: cleaned once, read by all three writers.

Feeds in the wild carry control characters, lone surrogates and noncharacters;
XML 1.0 forbids them and lxml raises on them, so every string passes through
``_xml_text`` before it reaches feedgen, lxml or ``json`` (a JSON Feed item
should survive being republished as XML, too).  URLs come out absolute
http(s) or not at all, dates as aware datetimes; ``FeedMeta`` is checked into a
``Channel``, each ``StoredEntry`` prepared into an ``Item`` with its origin and
"also reported by" credits.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import quote, urlsplit, urlunsplit

from lxml import etree

from aggregator.errors import PublishError
from aggregator.models import Enclosure, StoredEntry, from_iso, plausible_time, read_iso

GENERATOR_NAME = "aggregator"
GENERATOR_URI = "https://github.com/aggregator-project/aggregator"
UNTITLED = "(untitled)"
OCTET_STREAM = "application/octet-stream"

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
# RFC 3986: what a URI's path, query and fragment hold besides letters, digits and "-._~".
_URI_SAFE = "!$%&'()*+,/:;=?@~"
_NOT_URI = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,/:;=?@%]|%(?![0-9A-Fa-f]{2})")
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")  # where an HTML tokenizer would start markup
INERT_LESS_THAN = "\uff1c"
_BUILTIN_TYPES = mimetypes.MimeTypes()  # the stdlib table only: same guess on every host


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


def _xml_text(value: str) -> str:
    """Drop every character XML 1.0 forbids or discourages (lxml raises on the former)."""
    return _NOT_XML_TEXT.sub("", value)


def _text(value: str | None) -> str | None:
    """Cleaned text (HTML bodies), or None when nothing readable is left, so fallbacks apply."""
    cleaned = _xml_text(value or "")
    return cleaned if cleaned.strip() else None


def one_line(value: str | None) -> str | None:
    """Cleaned one-line text (titles, names, tags): whitespace runs become one space."""
    return " ".join(_xml_text(value or "").split()) or None


def inert_text(value: str | None) -> str | None:
    """One-line text that stays text even where a client inserts it as HTML.

    Titles, names and tags are plain text in every format, yet RSS readers
    commonly, and JSON Feed clients sometimes, insert them as HTML.  A "<"
    that could open a tag there (before a letter, "/", "!" or "?":
    ``<script``, ``<img onerror=``) becomes U+FF1C (FULLWIDTH LESS-THAN SIGN),
    which reads the same and opens nothing; every other character is kept.
    """
    text = one_line(value)
    return None if text is None else _inert(text)


def _inert(text: str) -> str:
    return _TAG_OPEN.sub(INERT_LESS_THAN, text)


def _url(value: str | None) -> str | None:
    """An absolute http(s) URI, else None: a relative one would resolve against our own URL.

    Feeds hand over URLs with spaces, quotes or non-ASCII letters in them
    (feedparser's test suite resolves ``<link>Incorrect Value</link>`` to one
    with a space): every format wants a URI, so those are percent-encoded
    (a stray ``%`` too) and a non-ASCII host is written in IDNA.
    """
    url = one_line(value) or ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    netloc = parts.netloc
    if not netloc.isascii():
        try:
            netloc = netloc.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    rest = (parts.path, parts.query, parts.fragment)
    if netloc == parts.netloc and not any(_NOT_URI.search(part) for part in rest):
        return url
    escaped = (quote(_STRAY_PERCENT.sub("%25", part), safe=_URI_SAFE) for part in rest)
    return urlunsplit((parts.scheme, netloc, *escaped))


def required_url(value: str, name: str) -> str:
    """The output's own URLs must be absolute; a misconfigured base URL is an error."""
    url = _url(value)
    if url is None:
        raise ValueError(f"{name} {value!r} is not an absolute http(s) URL")
    return url


@dataclass(frozen=True, slots=True)
class Person:
    """An author split into what Atom wants (name, optional email)."""

    name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """The feed an entry came from, for Atom ``<source>``, RSS ``<source>``, ``_source``."""

    feed_url: str
    title: str
    link: str | None
    updated: datetime  # the feed's, else the entry's: Atom wants one in <source>


@dataclass(frozen=True, slots=True)
class Item:
    """One entry, cleaned, with absolute URLs and parsed dates."""

    uid: str
    title: str | None
    url: str | None
    author: Person | None
    summary: str | None  # HTML
    content: str | None  # HTML
    published: datetime | None  # the entry's own, if believable (models.plausible_time)
    modified: datetime | None  # likewise
    first_seen: datetime
    tags: tuple[str, ...]
    enclosures: tuple[Enclosure, ...]
    origin: Origin | None
    also: tuple[tuple[str, str], ...] = ()  # (feed title, url) of the story's other sightings

    @property
    def updated(self) -> datetime:
        """Atom's required updated: the entry's own, else published, else first seen."""
        return self.modified or self.published or self.first_seen

    @property
    def date(self) -> datetime:
        """RSS pubDate and JSON Feed date_published: the entry's own, first seen only failing it.

        An item first published in 2005 must not read as published today.
        """
        return self.published or self.modified or self.first_seen


def _date(value: str | None) -> datetime | None:
    """The store's UTC ISO string as an aware datetime (feedgen refuses naive ones), or None.

    Lenient: an unreadable time (a row from an older store) is no time, not a failed output.
    """
    return read_iso(value)


def _person(value: str | None) -> Person | None:
    """Split "a@b.c (Name)", "Name <a@b.c>" or a bare name, as feeds write authors."""
    text = one_line(value)
    if text is None:
        return None
    match = _EMAIL_FIRST.match(text) or _NAME_FIRST.match(text)
    if match is None:
        return Person(_inert(text))
    email = match.group("email")
    return Person(_inert((match.group("name") or "").strip() or email), _inert(email))


def _media_type(url: str, declared: str | None) -> str | None:
    """The declared type when well-formed, else a guess from the URL's extension."""
    declared = one_line(declared)
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


def _origin(entry: StoredEntry, fallback_updated: datetime) -> Origin | None:
    """Where the entry came from; None if even the feed URL is unusable."""
    feed_url = _url(entry.feed_url)
    if feed_url is None:
        return None
    return Origin(feed_url=feed_url, title=inert_text(entry.feed_title) or feed_url,
                  link=_url(entry.feed_link),
                  updated=_date(entry.feed_updated) or fallback_updated)


def _also(entry: StoredEntry) -> tuple[tuple[str, str], ...]:
    """The other sightings worth crediting: one per URL, never the entry's own."""
    own = _url(entry.url)
    seen: dict[str, str] = {}
    for sighting in entry.also:
        url = _url(sighting.url) or _url(sighting.feed_url)
        if url is not None and url != own and url not in seen:
            seen[url] = inert_text(sighting.feed_title) or urlsplit(url).netloc
    return tuple((title, url) for url, title in seen.items())


def _also_html(also: tuple[tuple[str, str], ...]) -> str:
    """The "Also reported by" line readers show under the story."""
    links = ", ".join(f'<a href="{escape(url)}">{escape(title)}</a>' for title, url in also)
    return f"<p>Also reported by: {links}</p>"


def prepare(entry: StoredEntry, latest: datetime | None = None) -> Item:
    """Clean one stored entry once; the three writers only read the result.

    The entry's own dates are published only if believable: placeholders
    (year 1) and dates in the future (later than a day after ``latest``, the
    output's newest change, or after first seen) stay in the store, unshown.
    """
    uid = one_line(entry.uid)
    if uid is None:
        raise ValueError("an entry has an empty uid")
    first_seen = _date(entry.first_seen) or _date(entry.sort_at)
    if first_seen is None:
        raise ValueError(f"entry {uid}: unreadable first_seen {entry.first_seen!r}")
    newest = max(first_seen, latest or first_seen)
    published = plausible_time(entry.published, newest)
    modified = plausible_time(entry.updated, newest)
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
    return Item(
        uid=uid, title=inert_text(entry.title), url=_url(entry.url),
        author=_person(entry.author), summary=summary, content=content, also=also,
        published=published, modified=modified, first_seen=first_seen,
        tags=tuple(dict.fromkeys(t for t in map(inert_text, entry.tags) if t)),
        enclosures=_enclosures(entry.enclosures),
        origin=_origin(entry, modified or published or first_seen),
    )


@dataclass(frozen=True, slots=True)
class Channel:
    """``FeedMeta`` cleaned and checked: the output document's own metadata."""

    title: str
    home_url: str
    self_url: str
    feed_id: str
    updated: datetime
    subtitle: str | None


def prepare_channel(meta: FeedMeta) -> Channel:
    """Check the output's metadata once; bad configuration becomes a PublishError."""
    title, feed_id = inert_text(meta.title), one_line(meta.feed_id)
    if title is None or feed_id is None:
        raise ValueError("the output feed needs a title and an id")
    return Channel(title=title, feed_id=feed_id,
                   home_url=required_url(meta.home_url, "home_url"),
                   self_url=required_url(meta.self_url, "self_url"),
                   updated=from_iso(meta.updated), subtitle=inert_text(meta.subtitle))


@contextmanager
def publish_errors(fmt: str) -> Iterator[None]:
    """Turn feedgen's and lxml's complaints into the package's own error, cause kept."""
    try:
        yield
    except (ValueError, TypeError, OverflowError, etree.LxmlError) as e:
        raise PublishError(fmt, f"cannot render the feed: {e}") from e
