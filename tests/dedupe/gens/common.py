"""What the three generators share: feeds with house habits, URLs, ids, cuts and order.

Nothing here picks words: vocabulary belongs to each generator.  Every function that
needs chance takes the generator's ``random.Random``; nothing reads the clock.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random

from tests.dedupe.corpus import CorpusEntry

START = datetime(2027, 3, 1, 5, 0, tzinfo=UTC)  # not the legacy corpus's week
SPAN_DAYS = 9
ISO = "%Y-%m-%dT%H:%M:%SZ"
URL_STYLES = ("date-slug", "section-slug", "id-query", "numeric", "slug-id")
GUID_STYLES = ("url", "tag", "numeric", "urn", "permalink-query")
CUT_MARKS = ("...", "\u2026", " [\u2026]", " Read more", " Read more \u00bb", "")


@dataclass(frozen=True)
class Feed:
    """One feed: where it lives and how it writes ids, URLs, titles and bodies."""

    key: str
    name: str
    host: str
    lang: str
    url_style: str
    guid_style: str
    summary_only: bool
    cut: tuple[int, int] = (150, 300)  # summary length range, characters
    cut_mark: str = "..."
    html_summary: bool = False
    title_prefix: str = ""  # house prefix for copied stories ("UPDATED: ")
    title_suffix: str = ""  # site suffix (" | The Ledger")
    section: str = "news"

    @property
    def feed_url(self) -> str:
        return f"https://{self.host}/{self.section}/feed.xml"


def slugify(text: str, limit: int = 60) -> str:
    """ASCII slug of a title, cut on a word boundary."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "item"


def iso(when: datetime) -> str:
    return when.strftime(ISO)


def spread(rng: Random, index: int, total: int) -> datetime:
    """A publication time: stories spread evenly over the span, jittered, in daytime."""
    day = min(SPAN_DAYS - 1, index * SPAN_DAYS // max(1, total))
    return START + timedelta(days=day, minutes=rng.randint(0, 16 * 60))


def article_url(feed: Feed, rng: Random, when: datetime, slug: str, serial: int) -> str:
    """The link a feed gives an item, in its own URL style."""
    base = f"https://{feed.host}"
    if feed.url_style == "date-slug":
        return f"{base}/{when:%Y/%m/%d}/{slug}/"
    if feed.url_style == "section-slug":
        return f"{base}/{feed.section}/{slug}-{serial % 9973}"
    if feed.url_style == "id-query":
        return f"{base}/article.php?id={serial * 7 + rng.randint(0, 6)}&sec={feed.section}"
    if feed.url_style == "numeric":
        return f"{base}/{feed.section}/{200_000 + serial}.html"
    return f"{base}/{slug}/{serial:06d}"


def entry_guid(feed: Feed, url: str, serial: int) -> str:
    """The id a feed gives an item, in its own id style (never shared across feeds)."""
    if feed.guid_style == "url":
        return url
    if feed.guid_style == "tag":
        return f"tag:{feed.host},2027:{feed.section}/{serial}"
    if feed.guid_style == "numeric":
        return str(500_000 + serial)
    if feed.guid_style == "urn":
        return f"urn:{feed.key}:item:{serial:07d}"
    return f"https://{feed.host}/?p={serial}"


def cut_text(text: str, limit: int, mark: str, rng: Random) -> str:
    """A summary-only feed's cut: at ``limit`` characters, on a word or mid-word, plus a mark."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    if rng.random() < 0.7 and " " in head:
        head = head.rsplit(" ", 1)[0]
    head = head.rstrip(" ,;:")
    return head + mark


def paragraphs_html(paragraphs: list[str]) -> str:
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def summary_of(feed: Feed, paragraphs: list[str], rng: Random, url: str) -> str:
    """What a summary-only feed puts in its description: a cut of the text."""
    limit = rng.randint(*feed.cut)
    text = cut_text(" ".join(paragraphs), limit, feed.cut_mark, rng)
    if feed.html_summary:
        return (f"<p>{html.escape(text, quote=False)}</p>"
                f'<p><a href="{html.escape(url)}">Continue reading</a></p>')
    return text


@dataclass
class Sink:
    """Collects entries with their fetch time and a per-feed item serial."""

    rng: Random
    rows: list[tuple[str, int, CorpusEntry]]
    serials: dict[str, int]
    urls: set[str]  # membership only, never iterated

    @classmethod
    def new(cls, rng: Random) -> Sink:
        return cls(rng=rng, rows=[], serials={}, urls=set())

    def serial(self, feed: Feed) -> int:
        self.serials[feed.key] = self.serials.get(feed.key, 0) + 1
        return self.serials[feed.key] * 13 + len(feed.key)

    def add(self, feed: Feed, *, title: str, paragraphs: list[str], when: datetime,
            group: str, kind: str, note: str, author: str | None = None,
            summary: str | None = None, url_slug: str | None = None) -> CorpusEntry:
        """One item of ``feed``: full content, or a summary only if the feed is like that.

        ``summary`` overrides what a summary-only feed would cut (a teaser it wrote).
        """
        serial = self.serial(feed)
        url = article_url(feed, self.rng, when, url_slug or slugify(title), serial)
        while url in self.urls:  # a site never gives two items one URL: "slug-2", as CMSs do
            url = url.rstrip("/") + "-2" + ("/" if url.endswith("/") else "")
        self.urls.add(url)
        if feed.summary_only:
            body_summary = summary if summary is not None else summary_of(
                feed, paragraphs, self.rng, url)
            content = None
        else:
            body_summary = summary if summary is not None else cut_text(
                paragraphs[0], 240, "\u2026", self.rng)
            content = paragraphs_html(paragraphs)
        entry = CorpusEntry(
            feed_url=feed.feed_url, guid=entry_guid(feed, url, serial), url=url, title=title,
            summary=body_summary, content=content, published=iso(when), updated=None,
            author=author, source_id=None, group=group, kind=kind, note=note)
        fetched = when + timedelta(minutes=self.rng.randint(1, 50))
        self.rows.append((iso(fetched), len(self.rows), entry))
        return entry

    def entries(self) -> list[CorpusEntry]:
        """In fetch order: by fetch time, ties by creation order."""
        return [entry for _, _, entry in sorted(self.rows, key=lambda row: (row[0], row[1]))]


def later(rng: Random, when: datetime, low_min: int = 5, high_min: int = 20 * 60) -> datetime:
    """When a copy appears: minutes to most of a day after the original."""
    return when + timedelta(minutes=rng.randint(low_min, high_min))


def scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale))


def pick_copies(rng: Random, feeds: list[Feed], origin: Feed, low: int, high: int) -> list[Feed]:
    """1..n other feeds of the same language that carry a story (sorted by key: stable)."""
    others = sorted((f for f in feeds if f.key != origin.key and f.lang == origin.lang),
                    key=lambda f: f.key)
    count = min(len(others), rng.randint(low, high))
    return rng.sample(others, count)
