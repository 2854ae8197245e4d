"""Render the merged output feed: Atom 1.0, RSS 2.0 and JSON Feed 1.1.

Input is what the store hands over: ``StoredEntry`` records, newest first and
already limited, plus a ``FeedMeta`` describing the output document itself.
Output is the whole document as bytes (UTF-8; an XML declaration for Atom and
RSS).  Nothing here reads the clock, so the same input gives the same bytes:
the server may derive its ETag from them.  ::

    render(fmt, entries, meta)
    ├── atom.py       render_atom   ┐ feedgen 1.0.0, through
    ├── rss.py        render_rss    ┘ extension.py: its extensions, shared setup, decorate
    └── jsonfeed.py   render_json     plain json
    clean.py          FeedMeta; XML-safe text, URLs, authors, dates; the prepared
                      Item / Origin / Channel records and "also reported by"

A low layer: imports the standard library, feedgen, lxml and
``aggregator.models`` / ``aggregator.errors`` only.  Every failure to render is
a ``PublishError`` naming the format; but one entry never fails the whole
document: ``render`` leaves out the entries that cannot be rendered, logs a
warning for each and counts them in ``LEFT_OUT``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence

from aggregator.errors import PublishError
from aggregator.models import StoredEntry
from aggregator.publish.atom import render_atom
from aggregator.publish.clean import GENERATOR_NAME, GENERATOR_URI, UNTITLED, FeedMeta
from aggregator.publish.jsonfeed import JSONFEED_VERSION, SOURCE_EXTENSION_ABOUT, render_json
from aggregator.publish.rss import render_rss

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "GENERATOR_NAME",
    "GENERATOR_URI",
    "JSONFEED_VERSION",
    "LEFT_OUT",
    "SOURCE_EXTENSION_ABOUT",
    "UNTITLED",
    "FeedMeta",
    "render",
    "render_atom",
    "render_json",
    "render_rss",
]

log = logging.getLogger(__name__)
FORMATS = ("atom", "rss", "json")
# Entries left out of a rendering because they could not be rendered, by format,
# since the process started (shown by /healthz).
LEFT_OUT: Counter[str] = Counter()
CONTENT_TYPES: dict[str, str] = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}

_RENDERERS: dict[str, Callable[[Sequence[StoredEntry], FeedMeta], bytes]] = {
    "atom": render_atom,
    "rss": render_rss,
    "json": render_json,
}


def render(fmt: str, entries: Sequence[StoredEntry], meta: FeedMeta) -> bytes:
    """Render ``entries`` (newest first, already limited) in ``fmt``, one of FORMATS."""
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        raise PublishError(fmt, f"unknown feed format; expected one of {', '.join(FORMATS)}")
    try:
        return renderer(entries, meta)
    except PublishError:
        if not entries:
            raise
        renderer([], meta)  # raises if the document itself is wrong: no entry to blame
        return renderer(_renderable(fmt, renderer, entries, meta), meta)


def _renderable(fmt: str, renderer: Callable[[Sequence[StoredEntry], FeedMeta], bytes],
                entries: Sequence[StoredEntry], meta: FeedMeta) -> list[StoredEntry]:
    """The entries that render alone; each other one is logged and counted.

    Only after the whole document failed, so it costs nothing when all is well.
    """
    kept = []
    for entry in entries:
        try:
            renderer([entry], meta)
        except PublishError as exc:
            LEFT_OUT[fmt] += 1
            log.warning("%s output: left out entry %s of %s: %s", fmt, entry.uid,
                        entry.feed_url, exc.__cause__ or exc)
        else:
            kept.append(entry)
    return kept
