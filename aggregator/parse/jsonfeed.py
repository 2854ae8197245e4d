"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), into the same model as RSS and Atom.

feedparser 6 does not read JSON Feed.  Every value is checked for its type
before use: the document is untrusted, and whatever it holds, the result is a
ParsedFeed or a ParseError ("bad_json", "not_a_feed"), never another exception.
Nesting too deep for the json module (``[[[[...``) is a ParseError too: the C
decoder raises RecursionError at the interpreter's recursion limit, and
nothing below walks the document recursively.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from aggregator.errors import ParseError
from aggregator.models import Enclosure, ParsedEntry, ParsedFeed
from aggregator.parse.keys import entry_key, unique_keys
from aggregator.parse.sanitize import (
    clean_text,
    one_line,
    safe_url,
    sanitize_html,
    text_to_html,
    unique_names,
)

JSON_TYPES = frozenset({"application/feed+json", "application/json"})
_VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
_VERSIONS = {"1": "json10", "1.0": "json10", "1.1": "json11"}
_OTHER_VERSION = re.compile(r"(\d{1,3})(?:\.(\d{1,3}))?")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"),
         (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_MAX_DATE_CHARS = 64


def is_json(body: bytes, content_type: str) -> bool:
    """Whether ``body`` goes to the JSON Feed reader rather than feedparser.

    A body whose first character (after a BOM and whitespace) is ``{`` cannot
    be XML, so it is read as JSON whatever the server called it: a JSON Feed
    served as text/plain still works, and anything else gets a JSON error
    message rather than an XML one.  A JSON Content-Type counts unless the body
    plainly starts with ``<`` (a feed behind a misconfigured server) or is
    empty (reported as "empty" like any other empty body).
    """
    first = _first_char(body)
    media_type = content_type.split(";", 1)[0].strip().lower()
    return first == "{" or (media_type in JSON_TYPES and first not in ("<", ""))


def parse_json_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """A JSON Feed body as a ParsedFeed; ParseError ("bad_json", "not_a_feed") otherwise."""
    document = _load(body, url, content_type)
    if not isinstance(document, dict):
        raise ParseError(url, f"JSON, but not a JSON Feed (the top level is {_kind(document)}, "
                         "not an object)", reason="not_a_feed")
    items = document.get("items")
    version, loose = _version(document.get("version")), None
    if version is None:
        version, loose = _loose_version(document, url)
    if not isinstance(items, list):
        raise ParseError(url, f"a JSON Feed without an \"items\" list (it is {_kind(items)})",
                         reason="not_a_feed")
    objects = [item for item in items if isinstance(item, dict)]
    if items and not objects:
        raise ParseError(url, "a JSON Feed whose items are not objects "
                         f"(the first is {_kind(items[0])})", reason="not_a_feed")
    skipped = len(items) - len(objects)
    warnings = [loose] if loose else []
    if skipped:
        warnings.append(f"skipped {skipped} item(s) that are not JSON objects")
    link = safe_url(_string(document.get("home_page_url")), url)
    base = link or url
    feed_author = _author(document)
    return ParsedFeed(
        title=one_line(_string(document.get("title"))),
        link=link,
        subtitle=one_line(_string(document.get("description"))),
        version=version,
        entries=unique_keys(_item(item, url, base, feed_author) for item in objects),
        warning="; ".join(warnings) or None,
        self_url=safe_url(_string(document.get("feed_url")), url),
    )


def _first_char(body: bytes) -> str:
    """The first character after a BOM and whitespace ("" if none), decoding a small prefix."""
    encoding = "utf-8"
    for bom, name in _BOMS:
        if body.startswith(bom):
            body, encoding = body[len(bom):], name
            break
    prefix = body[:512].decode(encoding, "ignore").lstrip(" \t\r\n\ufeff")
    return prefix[:1]


def _load(body: bytes, url: str, content_type: str) -> Any:
    try:
        return json.loads(_decode(body, content_type))
    except RecursionError:
        raise ParseError(url, "invalid JSON: nested deeper than the parser allows",
                         reason="bad_json") from None
    except ValueError as exc:  # JSONDecodeError, and the int digit limit
        raise ParseError(url, f"invalid JSON: {exc}", reason="bad_json") from None


def _decode(body: bytes, content_type: str) -> str:
    """The body as text: UTF-8 (as the spec says) unless it is not, then the declared charset.

    A server declaring ``charset=iso-8859-1`` for a UTF-8 body is a common
    misconfiguration, so valid UTF-8 wins; bytes that fit nothing become U+FFFD.
    """
    encoding = json.detect_encoding(body)  # BOMs and UTF-16/32 by their zero bytes
    if not encoding.startswith("utf-8"):
        return body.decode(encoding, "replace")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            try:
                return body.decode(value.strip().strip("\"'"), "replace")
            except LookupError:
                break
    return body.decode("utf-8-sig", "replace")


def _version(value: object) -> str | None:
    """"json10" / "json11" from the version URL; a later version keeps its number."""
    if not isinstance(value, str):
        return None
    for prefix in _VERSION_PREFIXES:
        if value.startswith(prefix):
            number = value[len(prefix):].strip().rstrip("/")
            if number in _VERSIONS:
                return _VERSIONS[number]
            match = _OTHER_VERSION.fullmatch(number)
            return f"json{match[1]}{match[2] or 0}" if match else None
    return None


def _loose_version(document: Mapping[str, Any], url: str) -> tuple[str, str]:
    """(version, warning) for a document without the spec's version URL, if it is a feed.

    Be liberal in what you accept: feeds in the wild write ``"version": "1.0"``
    or leave it out.  A bare version number with an ``items`` list, or an
    ``items`` list holding at least one object, is read as a JSON Feed, with a
    warning; anything else is ParseError("not_a_feed").
    """
    value, items = document.get("version"), document.get("items")
    bare = _VERSIONS.get(value.strip()) if isinstance(value, str) else None
    has_objects = isinstance(items, list) and any(isinstance(i, dict) for i in items)
    if not has_objects and not (bare and isinstance(items, list)):
        raise ParseError(url, "JSON, but not a JSON Feed (no \"version\" starting with "
                         f"{_VERSION_PREFIXES[0]})", reason="not_a_feed")
    said = "no \"version\"" if value is None else f"\"version\" {json.dumps(value)[:40]}"
    return bare or "json", (f"{said} instead of {_VERSION_PREFIXES[0]}...; read as a JSON "
                            "Feed since it has an \"items\" list")


def _item(item: Mapping[str, Any], feed_url: str, feed_base: str,
          feed_author: str | None) -> ParsedEntry:
    """One JSON Feed item as a ParsedEntry; relative URLs resolve against its ``url``."""
    link = safe_url(_string(item.get("url")), feed_base)
    base = link or feed_base
    guid = _id(item.get("id"))
    title = one_line(_string(item.get("title")))
    content_html = _string(item.get("content_html"))
    content = ((sanitize_html(clean_text(content_html), base) if content_html else None)
               or text_to_html(_string(item.get("content_text"))))
    summary = text_to_html(_string(item.get("summary")))
    published = _rfc3339(item.get("date_published"))
    updated = _rfc3339(item.get("date_modified"))
    tags = item.get("tags")
    return ParsedEntry(
        key=entry_key(guid, link, title, published or updated, feed_url),
        guid=guid,
        url=link,
        title=title,
        # 1.1: "If not specified in an item, then the top-level authors ... are the authors".
        author=_author(item) or feed_author,
        summary=summary if summary != content else None,
        content=content,
        published=published,
        updated=updated,
        tags=unique_names(_strings(tags)) if isinstance(tags, list) else (),
        enclosures=_attachments(item.get("attachments"), base),
    )


def _id(value: object) -> str | None:
    """The item id as text: the spec says string, feeds send numbers too."""
    if isinstance(value, str):
        return clean_text(value).strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _author(holder: Mapping[str, Any]) -> str | None:
    """The first named author: ``authors`` (1.1) first, else ``author`` (1.0)."""
    authors = holder.get("authors")
    candidates = [*authors] if isinstance(authors, list) else []
    candidates.append(holder.get("author"))
    for author in candidates:
        if isinstance(author, dict):
            name = one_line(_string(author.get("name")))
            if name:
                return name
    return None


def _rfc3339(value: object) -> str | None:
    """An RFC 3339 date as the store's UTC ``YYYY-MM-DDTHH:MM:SSZ``; None if unreadable.

    Lenient where it costs nothing: lower-case ``t``/``z``, a space for ``T``,
    and a missing offset (read as UTC).
    """
    if not isinstance(value, str) or len(value) > _MAX_DATE_CHARS:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().upper())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def _attachments(value: object, base: str) -> tuple[Enclosure, ...]:
    """Attachments with safe absolute URLs; a size that is not a whole number becomes None."""
    if not isinstance(value, list):
        return ()
    result = []
    for attachment in value:
        if not isinstance(attachment, dict):
            continue
        url = safe_url(_string(attachment.get("url")), base)
        if url is None:
            continue
        result.append(Enclosure(url=url, type=one_line(_string(attachment.get("mime_type"))),
                                length=_size(attachment.get("size_in_bytes"))))
    return tuple(result)


def _size(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and math.isfinite(value) and value >= 0 and value.is_integer():
        return int(value)
    return None


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _strings(values: Iterable[object]) -> Iterable[str]:
    return (v for v in values if isinstance(v, str))


def _kind(value: object) -> str:
    """A JSON value's type as the spec names it, for error messages."""
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string",
             list: "an array", dict: "an object"}
    return names.get(type(value), type(value).__name__)
