"""Bytes -> ``ParsedFeed``; the only package that imports feedparser.

One normalized model for every format, and nothing unsafe gets through::

    parse_feed(body, url, headers)
    ├── jsonfeed.py   JSON Feed 1.0 / 1.1 (feedparser 6 does not read it)
    └── feed.py       RSS, Atom, RDF through feedparser, plus publisher hints
        ├── xmlguard.py   refuses DTD entity declarations before feedparser runs
        └── discover.py   an HTML page instead of a feed: the feeds it links to
    sanitize.py       nh3 HTML cleaning, XML-safe text, absolute http(s) URLs
    keys.py           entry keys, unique within a document

Everything here is pure and picklable so that ``parse_feed`` can run in a
process pool: parsing is CPU-bound and the event loop must keep fetching.
Every failure is a ``ParseError`` with a stable ``reason``: "empty",
"not_a_feed", "html_page" (with ``candidates``), "bad_json", "xml_entities",
"bad_encoding".
"""

from __future__ import annotations

from collections.abc import Mapping

from aggregator.models import ParsedFeed
from aggregator.parse.discover import discover_feeds
from aggregator.parse.feed import parse_xml
from aggregator.parse.jsonfeed import is_json, parse_json_feed
from aggregator.parse.keys import entry_key
from aggregator.parse.sanitize import clean_text, sanitize_html

__all__ = ["clean_text", "discover_feeds", "entry_key", "parse_feed", "sanitize_html"]


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a downloaded body into a ParsedFeed; ParseError when it is not a feed.

    ``url`` is where the body came from (after redirects): the base for
    relative links and part of the key of entries that have neither id nor link.
    ``headers`` are the response headers (any case); Content-Type picks the
    charset and tells JSON Feed from XML when the body alone does not.
    """
    headers = headers or {}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if is_json(body, content_type):
        return parse_json_feed(body, url, content_type)
    return parse_xml(body, url, headers)
