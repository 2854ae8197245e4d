"""Feed discovery: the feeds an HTML page announces with ``<link rel="alternate">``.

Why a small tokenizer here and not ``html.parser``: on Python 3.11.7 (this
project's interpreter) ``HTMLParser`` is quadratic on malformed input
(CPython gh-135462, CVE-2025-6069): 512 KiB of ``<a`` took 381 s, of ``</``
49 s.  It also raises AssertionError on ``<![<![`` (from ``_markupbase``).
A page is untrusted input, so this module tokenizes the head itself, as the
HTML standard's tokenizer does for the few states that matter: comments,
bogus comments and declarations, end tags, start tags with quoted or unquoted
attribute values, and raw-text elements (``<script>``, ``<style>``, ...)
whose content is not markup.  Every step moves forward, and a construct left
open at the end of the input ends the scan (as end-of-file does in a browser),
so the cost is linear in the 512 KiB it looks at.

The scan stops at ``</head>`` or ``<body>``: feeds are announced in the head.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Iterator

from aggregator.models import FeedCandidate
from aggregator.parse.sanitize import one_line, safe_url

MAX_BYTES = 512 * 1024
FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/feed+json",
                        "application/json", "application/rdf+xml"})
# Elements whose content is text, not markup, until their end tag.
_RAW_TEXT = frozenset({"script", "style", "title", "textarea", "xmp", "iframe", "noembed",
                       "noframes"})
_WS = "\t\n\f\r "
_TAG_NAME = re.compile(r"[^\t\n\f\r />]*")
_ATTR_GAP = re.compile(r"[\t\n\f\r /]*")
_ATTR_NAME = re.compile(r"[^\t\n\f\r />][^\t\n\f\r />=]*")
_SPACES = re.compile(r"[\t\n\f\r ]*")
_UNQUOTED = re.compile(r"[^\t\n\f\r >]*")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""",
                           re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))

Tag = tuple[str, dict[str, str]]


def discover_feeds(body: bytes, base_url: str) -> tuple[FeedCandidate, ...]:
    """The feeds ``body`` links to with ``<link rel="alternate" type="...feed type...">``.

    In document order, each URL once (the first link wins), absolute http(s)
    only, resolved against the page's ``<base href>`` if any, else ``base_url``.
    Only the first 512 KiB, and only the head, are looked at.
    """
    base_href: str | None = None
    found: list[tuple[str, str, str | None]] = []
    for name, attrs in _head_tags(_decode(body[:MAX_BYTES])):
        if name == "base" and base_href is None and "href" in attrs:
            base_href = attrs["href"]
        elif name == "link" and "href" in attrs:
            rel = attrs.get("rel", "").lower().split()
            kind = attrs.get("type", "").split(";", 1)[0].strip(_WS).lower()
            if "alternate" in rel and kind in FEED_TYPES:
                found.append((attrs["href"], kind, attrs.get("title")))
    # The first <base href> sets the base of the whole document, links before it included.
    base = safe_url(base_href, base_url) or base_url
    candidates: dict[str, FeedCandidate] = {}
    for href, kind, title in found:
        url = safe_url(href, base)
        if url is not None and url not in candidates:
            candidates[url] = FeedCandidate(url=url, type=kind, title=one_line(title))
    return tuple(candidates.values())


def _decode(head: bytes) -> str:
    """The page's text: by BOM, else its ``<meta charset>``, else UTF-8 (undecodable -> U+FFFD)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return head[len(bom):].decode(name, "replace")
    match = _META_CHARSET.search(head[:4096])
    if match:
        name = match[1].decode("ascii")
        try:
            # A page read as ASCII cannot be UTF-16 whatever it says (as browsers decide).
            if not codecs.lookup(name).name.startswith(("utf-16", "utf-32")):
                return head.decode(name, "replace")
        except LookupError:
            pass
    return head.decode("utf-8", "replace")


def _head_tags(text: str) -> Iterator[Tag]:
    """Start tags (lower-case name, attributes) until ``</head>``, ``<body>`` or the end."""
    pos, end = 0, len(text)
    while True:
        lt = text.find("<", pos)
        if lt < 0 or lt + 1 >= end:
            return
        after = text[lt + 1]
        if text.startswith("<!--", lt):
            pos = _comment_end(text, lt)
        elif after in "!?" or (after == "/" and not text[lt + 2:lt + 3].isalpha()):
            close = text.find(">", lt + 2)  # bogus comment, declaration, "</>"
            pos = close + 1 if close >= 0 else end
        elif after == "/":  # an end tag: attributes are tokenized, then ignored
            name, _, pos = _tag(text, lt + 2)
            if name == "head" or pos < 0:
                return
        elif after.isascii() and after.isalpha():
            name, attrs, pos = _tag(text, lt + 1)
            if pos < 0 or name == "body":
                return
            yield name, attrs
            if name in _RAW_TEXT:
                pos = _raw_text_end(text, pos, name)
        else:
            pos = lt + 1  # "<" as text
        if pos >= end:
            return


def _comment_end(text: str, lt: int) -> int:
    """Just past a comment starting at ``lt`` (``<!-->`` and ``<!--->`` are whole comments)."""
    for short in ("<!-->", "<!--->"):
        if text.startswith(short, lt):
            return lt + len(short)
    close = text.find("-->", lt + 4)
    return close + 3 if close >= 0 else len(text)


def _tag(text: str, pos: int) -> tuple[str, dict[str, str], int]:
    """A tag's name and attributes from just after ``<`` (or ``</``), and where it ends.

    An attribute given twice keeps its first value, as in the HTML standard.
    The returned position is -1 when the tag is not closed before the end.
    """
    end = len(text)
    match = _TAG_NAME.match(text, pos)
    name = match.group().lower() if match else ""
    pos = match.end() if match else pos
    attrs: dict[str, str] = {}
    while True:
        gap = _ATTR_GAP.match(text, pos)
        pos = gap.end() if gap else pos
        if pos >= end:
            return name, attrs, -1
        if text[pos] == ">":
            return name, attrs, pos + 1
        attr = _ATTR_NAME.match(text, pos)
        if attr is None:  # cannot happen: any other character starts a name
            return name, attrs, -1
        pos, value = attr.end(), ""
        spaces = _SPACES.match(text, pos)
        after = spaces.end() if spaces else pos
        if text.startswith("=", after):
            pos = after + 1
            spaces = _SPACES.match(text, pos)
            pos = spaces.end() if spaces else pos
            quote = text[pos:pos + 1]
            if quote in ('"', "'"):
                close = text.find(quote, pos + 1)
                if close < 0:
                    return name, attrs, -1
                value, pos = text[pos + 1:close], close + 1
            else:
                unquoted = _UNQUOTED.match(text, pos)
                value = unquoted.group() if unquoted else ""
                pos = unquoted.end() if unquoted else pos
        attrs.setdefault(attr.group().lower(), html.unescape(value))


def _raw_text_end(text: str, pos: int, name: str) -> int:
    """Just past the end tag closing raw-text element ``name`` (len(text) if none)."""
    closing = re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE)
    match = closing.search(text, pos)
    if match is None:
        return len(text)
    close = text.find(">", match.end() - 1)
    return close + 1 if close >= 0 else len(text)
