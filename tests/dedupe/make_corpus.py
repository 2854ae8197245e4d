"""Generate ``tests/dedupe/corpus.json``: a labelled corpus for story deduplication.

    python -m tests.dedupe.make_corpus          # (re)write corpus.json
    python -m tests.dedupe.make_corpus --check  # exit 1 if corpus.json is stale

The corpus simulates ten days of 27 news feeds: a wire agency and the outlets that carry
its copy, regional papers, sections of one site, a mobile and an AMP edition, a
newsletter feed with tracking links, a link digest, a planet that republishes blogs,
and automatic feeds of scores, quake alerts and weather.  Every entry carries ``group``,
the true story it belongs to, and ``kind``, the construction that produced it, so a
dedupe can be scored pairwise and its failures read by kind.

Everything is drawn from one ``random.Random(SEED)``; each story gets a child generator
seeded from it, so the output is byte-for-byte reproducible on any platform (no set
iteration, no clock, no hash randomisation, no network).
"""

from __future__ import annotations

import html
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

from tests.dedupe import edits, recurring
from tests.dedupe.newsgen import COUNTRY_BY_NAME, Facts, expand, person, reporter, slugify
from tests.dedupe.topics import TOPICS, Article, Topic, base_facts, render, rephrase_lead

SEED = 20261116
START = datetime(2026, 11, 16, tzinfo=UTC)  # a Monday
SPAN_DAYS = 10
CORPUS_PATH = Path(__file__).with_name("corpus.json")
FORMAT = "aggregator-dedupe-corpus/1"
ISO = "%Y-%m-%dT%H:%M:%SZ"

ASIA = ("south_asia", "east_asia", "se_asia")
ALL_REGIONS = ("latam", "south_asia", "east_asia", "se_asia", "africa", "mena", "europe",
               "oceania", "americas")


# --------------------------------------------------------------------------- feeds


@dataclass(frozen=True)
class Outlet:
    """One feed and the house habits of whoever publishes it."""

    key: str
    name: str
    feed_url: str
    base: str  # site root: article URLs and topic links live under it
    url_style: str
    guid_style: str
    body: str  # full | summary-html | summary-chars | summary-lead
    html: str = "p"
    regions: tuple[str, ...] = ()  # whose wire stories it carries / writes about
    wire_sections: tuple[str, ...] = ()
    suffix: str = ""
    title_case: bool = False
    keep_dateline: bool = False
    curly: bool = False
    per_cent: bool = False
    credit: str = "keep"  # what it does with the agency's closing line
    p_published: float = 1.0  # share of entries that carry <published>/<pubDate>
    updated: str = "none"  # none | same | later: how it fills <updated>
    every_h: float = 1.0  # how often the aggregator polls it
    byline: str = "staff"  # staff | none (automatic feeds and link digests)


def _o(key: str, name: str, feed_url: str, base: str, url_style: str, guid_style: str,
       body: str, **kw: object) -> Outlet:
    return Outlet(key, name, feed_url, base, url_style, guid_style, body, **kw)  # type: ignore[arg-type]


OUTLETS: tuple[Outlet, ...] = (
    _o("ww", "WorldWire Top News", "https://www.worldwire.example/rss/topNews",
       "https://www.worldwire.example", "wire", "wire", "full", keep_dateline=True,
       updated="same", every_h=0.5, wire_sections=("world",), regions=ALL_REGIONS),
    _o("ww_biz", "WorldWire Business News", "https://www.worldwire.example/rss/businessNews",
       "https://www.worldwire.example", "wire", "wire", "full", keep_dateline=True,
       updated="same", every_h=0.5, wire_sections=("business",), regions=ALL_REGIONS),
    _o("hg", "The Harbour Gazette | World news", "https://www.harbourgazette.example/world/rss",
       "https://www.harbourgazette.example", "hg", "url", "full", curly=True, per_cent=True,
       regions=ALL_REGIONS, wire_sections=("world",), credit="syndicated"),
    _o("hg_biz", "The Harbour Gazette | Business",
       "https://www.harbourgazette.example/business/rss", "https://www.harbourgazette.example",
       "hg", "url", "full", curly=True, per_cent=True, regions=ALL_REGIONS,
       wire_sections=("business",), credit="syndicated"),
    _o("hg_mail", "The Harbour Gazette | Morning newsletter",
       "https://www.harbourgazette.example/newsletters/morning/rss",
       "https://www.harbourgazette.example", "tracked", "url", "summary-lead", curly=True,
       every_h=6.0),
    _o("dm", "Daily Meridian", "https://dailymeridian.example/feed.xml",
       "https://dailymeridian.example", "dm", "dm", "summary-chars", suffix=" | Daily Meridian",
       regions=ALL_REGIONS, wire_sections=("world", "business"), p_published=0.8, every_h=2.0),
    _o("dm_amp", "Daily Meridian (AMP)", "https://amp.dailymeridian.example/feed.xml",
       "https://amp.dailymeridian.example", "amp", "dm_amp", "summary-chars",
       suffix=" | Daily Meridian", p_published=0.8, every_h=3.0),
    _o("nc", "Northern Courier: World", "https://www.northerncourier.example/world/rss.xml",
       "https://www.northerncourier.example", "nc", "url", "full", html="div",
       regions=ALL_REGIONS, wire_sections=("world",), credit="drop"),
    _o("nc_asia", "Northern Courier: Asia", "https://www.northerncourier.example/asia/rss.xml",
       "https://www.northerncourier.example", "nc", "url", "full", html="div", regions=ASIA,
       credit="drop"),
    _o("pl", "Pacific Ledger", "https://pacificledger.example/feed/",
       "https://pacificledger.example", "pl", "wp", "full", title_case=True,
       regions=("oceania", "americas", "east_asia", "se_asia", "latam"),
       wire_sections=("world", "business"), credit="readmore", updated="later"),
    _o("pl_m", "Pacific Ledger Mobile", "https://m.pacificledger.example/feed/",
       "https://m.pacificledger.example", "mobile", "url", "full", title_case=True,
       credit="readmore", every_h=2.0),
    _o("cc", "The Chennai Chronicle - Latest", "https://www.chennaichronicle.example/rss/latest",
       "https://www.chennaichronicle.example", "cc", "url", "summary-html",
       suffix=" - The Chennai Chronicle", regions=("south_asia",),
       wire_sections=("world", "business"), p_published=0.9),
    _o("ss", "Santiago Sentinel (English edition)", "https://santiagosentinel.example/feed/",
       "https://santiagosentinel.example", "ss", "url", "full", html="br", curly=True,
       regions=("latam",), wire_sections=("world", "business")),
    _o("ah", "Andes Herald - Latest", "https://www.andesherald.example/rss/ultimas",
       "https://www.andesherald.example", "ah", "ah", "summary-html", regions=("latam",),
       wire_sections=("world",), p_published=0.85, updated="same"),
    _o("sb", "Seoul Bulletin", "https://www.seoulbulletin.example/rss/allArticle.xml",
       "https://www.seoulbulletin.example", "sb", "url", "full", keep_dateline=True,
       regions=("east_asia",), wire_sections=("world", "business")),
    _o("at", "Archipelago Times", "https://www.archipelagotimes.example/feed",
       "https://www.archipelagotimes.example", "at", "uuid", "full", html="p-class",
       regions=("se_asia",), wire_sections=("world", "business"), credit="syndicated"),
    _o("eao", "East Africa Observer", "https://www.eastafricaobserver.example/feeds/news",
       "http://www.eastafricaobserver.example", "eao", "wp", "full", html="div",
       regions=("africa", "mena"), wire_sections=("world",), p_published=0.9, updated="same"),
    _o("cp", "Continental Post", "https://www.continentalpost.example/rss/news",
       "https://www.continentalpost.example", "cp", "url", "summary-html", per_cent=True,
       regions=("europe",), wire_sections=("world", "business")),
    _o("msj", "Market Street Journal - Markets",
       "https://www.marketstreetjournal.example/rss/markets",
       "https://www.marketstreetjournal.example", "msj", "msj", "full",
       regions=ALL_REGIONS, wire_sections=("business",), credit="drop"),
    _o("gd", "Global Digest", "https://globaldigest.example/rss", "https://globaldigest.example",
       "digest", "gd", "summary-lead", regions=ALL_REGIONS, wire_sections=("world", "business"),
       p_published=0.6, updated="later", every_h=3.0, byline="none"),
    _o("md", "Metro Daily", "https://www.metrodaily.example/rss/frontpage",
       "https://www.metrodaily.example", "md", "url", "full"),
    _o("mw", "Metro Daily Weather", "https://weather.metrodaily.example/rss/forecasts",
       "https://weather.metrodaily.example", "mw", "url", "summary-lead", every_h=6.0,
       byline="none"),
    _o("sc", "Scoreline - Results", "https://scoreline.example/feeds/results.rss",
       "https://scoreline.example", "sc", "sc", "summary-lead", every_h=2.0, byline="none"),
    _o("qw", "QuakeWatch - Significant earthquakes",
       "https://quakewatch.example/feeds/significant.atom", "https://quakewatch.example", "qw",
       "qw", "summary-lead", p_published=0.0, updated="same", every_h=1.0, byline="none"),
    _o("planet", "Planet Newsroom", "https://planet.newsroom.example/atom.xml",
       "https://planet.newsroom.example", "planet", "planet", "full", p_published=0.6,
       updated="later", every_h=2.0),
    _o("apn", "Asia Policy Notes", "https://asiapolicynotes.example/feed.xml",
       "https://asiapolicynotes.example", "apn", "tag", "full", regions=ASIA, every_h=4.0),
    _o("rr", "Rates & Rupees", "https://ratesandrupees.example/atom.xml",
       "https://ratesandrupees.example", "rr", "tag", "full", regions=ASIA,
       updated="same", every_h=4.0),
)
OUTLET: dict[str, Outlet] = {o.key: o for o in OUTLETS}
FEED_ORDER: dict[str, int] = {o.key: i for i, o in enumerate(OUTLETS)}
TEASERS = (
    "Officials gave new figures on {day}.",
    "The latest from {country}.",
    "{Country}: what we know so far.",
    "Full report from our wire service.",
    "Developing story, updated through {day}.",
)
OUTLET_CLOSERS = (
    "{outlet} has asked the {adj} government for comment.",
    "This is a developing story and will be updated.",
    "Additional reporting by {outlet} staff.",
    "More coverage is available in the {outlet} app.",
)
REGIONAL = {"south_asia": ("cc",), "latam": ("ss", "ah"), "east_asia": ("sb",),
            "se_asia": ("at",), "africa": ("eao",), "mena": ("eao",), "europe": ("cp",),
            "oceania": ("pl",), "americas": ("pl",)}
GENERAL_CARRIERS = ("hg", "dm", "nc", "pl", "gd")


# --------------------------------------------------------------------------- items


@dataclass
class Item:
    """One feed entry as the fetcher will see it, plus its label and ordering time."""

    outlet: Outlet
    guid: str | None
    url: str | None
    title: str | None
    summary: str | None
    content: str | None
    published: datetime | None
    updated: datetime | None
    author: str | None
    group: str
    kind: str
    note: str
    appear: datetime  # when it is first in the feed document
    source_id: str | None = None

    def as_json(self) -> dict[str, str | None]:
        """The corpus.json record (field order = CorpusEntry field order)."""
        return {
            "feed_url": self.outlet.feed_url,
            "guid": self.guid,
            "url": self.url,
            "title": self.title,
            "summary": self.summary,
            "content": self.content,
            "published": self.published.strftime(ISO) if self.published else None,
            "updated": self.updated.strftime(ISO) if self.updated else None,
            "author": self.author,
            "source_id": self.source_id,
            "group": self.group,
            "kind": self.kind,
            "note": self.note,
        }


@dataclass
class Story:
    """One article's text before any outlet touches it."""

    topic: Topic | None
    facts: Facts
    article: Article
    when: datetime
    group: str
    label: str | None = None  # the wire's slug prefix: UPDATE 1, EXCLUSIVE, ...
    dateline: str = ""
    credit: str = ""
    followup: bool = False
    links: tuple[str, ...] = ()  # entity names an outlet may link
    extra: tuple[str, ...] = ()  # paragraphs added by an update


@dataclass
class Published:
    """An item and what a copy of it needs to know (its story, plain paragraphs, id)."""

    item: Item
    story: Story
    paragraphs: list[str]
    number: int
    label: str | None = None  # the slug label after an update (UPDATE 2 ...)
    extra: tuple[str, ...] = ()  # the paragraph an update added


# --------------------------------------------------------------------------- builder


def event_keys(topic: str, facts: Facts) -> list[str]:
    """What makes two draws the *same* real-world event; used to keep events distinct."""
    if topic in ("earnings",):
        return [f"company:{facts['company']}"]
    if topic == "deal":
        return [f"company:{facts['buyer']}", f"company:{facts['target']}"]
    if topic == "storm":
        return [f"storm:{facts['storm']}", f"storm-country:{facts['country']}"]
    if topic == "agreement":
        pair = "+".join(sorted((facts["country"], facts["country_b"])))
        return [f"agreement:{pair}"]
    if topic in ("flood", "fire", "quake"):
        return [f"{topic}:{facts['city']}", f"{topic}:{facts['country']}:{facts['day']}"]
    if topic == "court":
        return [f"court:{facts['country']}", f"court-case:{facts['case']}"]
    return [f"{topic}:{facts['country']}"]


class Builder:
    """Accumulates items; one method per construction in the corpus."""

    def __init__(self, seed: int) -> None:
        self.rng = Random(seed)
        self.items: list[Item] = []
        self.group_count = 0
        self.events: set[str] = set()
        self.numbers: dict[str, set[int]] = {}
        self.headlines_by_day: dict[int, list[str]] = {}

    # ----------------------------------------------------------------- small helpers

    def child(self) -> Random:
        """An independent generator for one story, so stories don't perturb each other."""
        return Random(self.rng.getrandbits(64))

    def new_group(self, prefix: str) -> str:
        """A fresh true-story id."""
        self.group_count += 1
        return f"{prefix}-{self.group_count:04d}"

    def number(self, outlet: str, when: datetime, rng: Random) -> int:
        """An article number that grows with time, as CMS ids do; unique per site."""
        site = OUTLET[outlet].base.split("//", 1)[1].removeprefix("www.")
        base = {"dm": 480000, "nc": 712000, "sb": 231000, "at": 88000, "eao": 150000,
                "cc": 6800000, "ss": 23000, "ah": 400000, "md": 5500, "cp": 91000,
                "pl": 90000, "sc": 30000, "planet": 7000}.get(outlet, 10000)
        minutes = int((when - START).total_seconds() // 60) + 3 * 1440
        value = base + minutes // 7 + rng.randint(0, 3)
        used = self.numbers.setdefault(site, set())
        while value in used:
            value += 1
        used.add(value)
        return value

    def make_url(self, outlet: Outlet, slug: str, when: datetime, number: int,
                 rng: Random) -> str:
        """The canonical URL in the outlet's own pattern (query ids where the CMS uses them)."""
        d = when
        style = outlet.url_style
        alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
        if style == "wire":
            section = "business" if outlet.key == "ww_biz" else "world"
            code = "".join(rng.choice(alnum) for _ in range(8))
            return f"{outlet.base}/{section}/{slug}-idWW{code}"
        if style == "hg":
            section = "business" if outlet.key == "hg_biz" else "world"
            return f"{outlet.base}/{section}/{d:%Y}/{d:%b}/{d:%d}/{slug}".lower()
        if style == "dm":
            return f"{outlet.base}/news/article.php?id={number}"
        if style == "nc":
            return f"{outlet.base}/news/{slug}-{number}"
        if style == "pl":
            return f"{outlet.base}/{d:%Y/%m/%d}/{slug}/"
        if style == "cc":
            return f"{outlet.base}/news/{slug}/article{number}.ece"
        if style == "ss":
            return f"{outlet.base}/{d:%Y/%m/%d}/{slug}/"
        if style == "ah":
            return f"{outlet.base}/mundo/{slug}-noticia-{number}/"
        if style == "sb":
            return f"{outlet.base}/news/articleView.html?idxno={number}"
        if style == "at":
            return f"{outlet.base}/read/{number}/{slug}"
        if style == "eao":
            return f"{outlet.base}/news/{number}/{slug}"
        if style == "cp":
            return f"{outlet.base}/a/{number}-{slug}"
        if style == "msj":
            return f"{outlet.base}/articles/{slug}-{rng.getrandbits(32):08x}"
        if style == "md":
            return (f"{outlet.base}/index.php?option=com_content&view=article&id={number}"
                    f"&Itemid={rng.choice((101, 101, 114, 120))}")
        if style == "apn":
            return f"{outlet.base}/posts/{d:%Y}/{slug}.html"
        if style == "rr":
            return f"{outlet.base}/{d:%Y/%m}/{slug}"
        if style == "planet":
            return f"{outlet.base}/entry/{number}"
        raise ValueError(style)

    def make_guid(self, outlet: Outlet, url: str, number: int, rng: Random) -> str:
        """The entry id in the outlet's habit: permalink, tag: URI, ?p= id, uuid ..."""
        style = outlet.guid_style
        if style == "url":
            return url
        if style == "wire":
            return f"tag:worldwire.example,2026:newsml_{url.rsplit('-id', 1)[1]}"
        if style == "dm":
            return f"dm-{number}"
        if style == "dm_amp":
            return f"dm-amp-{number}"
        if style == "wp":
            return f"{outlet.base.replace('http://', 'https://')}/?p={number}"
        if style == "ah":
            return f"andesherald-{number}"
        if style == "uuid":
            h = f"{rng.getrandbits(128):032x}"
            return f"urn:uuid:{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"
        if style == "msj":
            return f"msj:{rng.getrandbits(40):010x}"
        if style == "gd":
            return f"gd-{rng.getrandbits(36):09x}"
        if style == "sc":
            return f"scoreline-match-{number}"
        if style == "qw":
            return f"urn:quakewatch:event:qw{rng.getrandbits(30):08x}"
        if style == "planet":
            return url
        if style == "tag":
            host = outlet.base.split("//", 1)[1]
            return f"tag:{host},2026:post-{number}"
        raise ValueError(style)

    def stamps(self, outlet: Outlet, when: datetime,
               rng: Random) -> tuple[datetime | None, datetime | None]:
        """(published, updated) as this feed fills them; some feeds omit one or both."""
        published: datetime | None = when if rng.random() < outlet.p_published else None
        updated: datetime | None = None
        if outlet.updated == "same":
            updated = when
        elif outlet.updated == "later":
            updated = when + timedelta(minutes=rng.randint(0, 240))
        if published is None and updated is None and rng.random() < 0.5:
            updated = when + timedelta(minutes=rng.randint(0, 30))
        return published, updated

    def author_for(self, outlet: Outlet, story: Story, rng: Random, copy: bool) -> str | None:
        """Staff byline, agency credit or nothing, as the feed does it."""
        if outlet.byline == "none":
            return None
        if copy:
            return rng.choice(("WorldWire", "WorldWire", None, "By WorldWire staff"))
        if outlet.key in ("ww", "ww_biz"):
            return story.credit.split(" in ", 1)[0].removeprefix("(Reporting by ").split(";")[0] \
                if story.credit else "WorldWire"
        return person(rng, story.facts.get("names", "anglo"))[0]

    # ----------------------------------------------------------------- text for an outlet

    def body_for(self, outlet: Outlet, story: Story, paragraphs: list[str], rng: Random,
                 ) -> tuple[str | None, str | None]:
        """(summary, content) in the outlet's body mode and markup."""
        if outlet.curly:
            paragraphs = [edits.curly_quotes(p) for p in paragraphs]
        if outlet.per_cent:
            paragraphs = [edits.per_cent(p) for p in paragraphs]
        links = [n for n in story.links if rng.random() < 0.7]
        if outlet.body == "full":
            marked = edits.link_entities(paragraphs, links, outlet.base.replace("http://",
                                                                                "https://"))
            marked = [edits.emphasize(p) for p in marked]
            if marked[-1].startswith(("(Reporting", "Read more", "This story")):
                marked[-1] = f"<em>{marked[-1]}</em>"
            content = edits.join_html(marked, outlet.html)
            summary = None
            if rng.random() < 0.45:
                summary = edits.truncate_chars(paragraphs[0], 220)
            return summary, content
        if outlet.body == "summary-html":
            count = 1 if len(paragraphs) < 3 else rng.choice((1, 2))
            marked = edits.link_entities(paragraphs[:count], links[:1], outlet.base)
            return edits.join_html(marked, "p"), None
        if outlet.body == "summary-chars":
            return edits.truncate_chars(" ".join(paragraphs), 300), None
        if outlet.body == "summary-lead":
            return edits.truncate_chars(paragraphs[0], rng.choice((160, 200, 240))), None
        raise ValueError(outlet.body)

    def add(self, item: Item) -> Item:
        """Record an item (every construction ends here)."""
        self.items.append(item)
        return item

    # ----------------------------------------------------------------- stories

    def draw_story(self, topic: Topic, when: datetime, rng: Random, group: str,
                   regions: tuple[str, ...] = ALL_REGIONS) -> Story | None:
        """Facts for a new, distinct event in one of ``regions`` and its article."""
        for _ in range(80):
            facts = topic.draw(rng, when)
            keys = event_keys(topic.name, facts)
            if facts["region"] in regions and not any(k in self.events for k in keys):
                self.events.update(keys)
                article = render(topic, facts, rng)
                return Story(topic, facts, article, when, group, links=entity_names(facts))
        return None

    def wire_version(self, story: Story, rng: Random) -> Story:
        """Give a story the agency's dateline, slug label and reporting credit."""
        topic = story.topic
        assert topic is not None
        labels: list[str | None] = [None, None, None, "UPDATE 1"]
        if topic.name in ("deal", "agreement", "court"):
            labels.append("EXCLUSIVE")
        if topic.name in ("rates", "trade", "election"):
            labels.append("ANALYSIS")
        if topic.evolve is not None:
            labels += ["WRAPUP 1"]
        reporters = (reporter(rng), reporter(rng), reporter(rng))
        return replace(story, label=rng.choice(labels),
                       dateline=edits.dateline(story.facts["city"], story.facts["date"]),
                       credit=edits.wire_credit(rng, reporters, story.facts["city"]))

    def publish_original(self, outlet: Outlet, story: Story, rng: Random, kind: str,
                         note: str) -> Published:
        """The first publication of a story, in the outlet that wrote it."""
        number = self.number(outlet.key, story.when, rng)
        slug = slugify(story.article.headline)
        url = self.make_url(outlet, slug, story.when, number, rng)
        guid = self.make_guid(outlet, url, number, rng)
        paragraphs = list(story.article.paragraphs)
        if story.dateline:
            paragraphs[0] = story.dateline + paragraphs[0]
        if story.credit:
            paragraphs.append(story.credit)
        title = story.article.headline
        if story.label:
            title = f"{story.label}-{title}"
        elif outlet.title_case:
            title = edits.title_case(title)
        if outlet.suffix:
            title += outlet.suffix
        summary, content = self.body_for(outlet, story, paragraphs, rng)
        if outlet.key in ("ww", "ww_biz"):
            summary = paragraphs[0]
        published, updated = self.stamps(outlet, story.when, rng)
        if outlet.key in ("ww", "ww_biz", "hg", "hg_biz", "nc", "nc_asia", "sb", "ss"):
            published = story.when  # the big sites always date their items
        item = self.add(Item(outlet, guid, url, title, summary, content, published, updated,
                             self.author_for(outlet, story, rng, copy=False), story.group,
                             kind, note, story.when))
        return Published(item, story, paragraphs, number)

    def update_in_place(self, pub: Published, rng: Random, after: timedelta) -> Item:
        """The same entry (feed, guid, URL) re-fetched later with edited text and title."""
        old = pub.item
        story = pub.story
        # A later poll must see it: within one poll interval the fetcher only ever sees
        # the edited version, and then it is not an update but simply the entry.
        after = max(after, timedelta(hours=old.outlet.every_h, minutes=5))
        extra = self.extra_paragraph(story, rng)
        paragraphs = list(pub.paragraphs)
        at = len(paragraphs) - (1 if story.credit else 0)
        paragraphs.insert(at, extra)
        title = old.title or ""
        if story.label and story.label.startswith("UPDATE"):
            n = int(story.label.split()[1]) + 1
            title = title.replace(story.label, f"UPDATE {n}", 1)
            how = f"{story.label} -> UPDATE {n}, one paragraph added"
            pub.label = f"UPDATE {n}"
        elif old.outlet.key in ("ww", "ww_biz"):
            title = f"UPDATE 1-{title}"
            how = "UPDATE 1- added, one paragraph added"
            pub.label = "UPDATE 1"
        else:
            title, swaps = edits.reword(title, rng, 1)
            how = "headline reworded, one paragraph added" if swaps else "one paragraph added"
        summary, content = self.body_for(old.outlet, story, paragraphs, rng)
        if old.outlet.key in ("ww", "ww_biz"):
            summary = paragraphs[0]
        when = old.appear + after
        item = self.add(Item(old.outlet, old.guid, old.url, title, summary, content,
                             old.published, when, old.author, old.group, "update-in-place",
                             f"same guid re-fetched {fmt_delta(after)} later: {how}", when))
        pub.paragraphs = paragraphs
        pub.item = item
        pub.extra = (extra,)
        return item

    def extra_paragraph(self, story: Story, rng: Random) -> str:
        """A paragraph an update adds: a sentence the first version did not use."""
        topic = story.topic
        assert topic is not None
        used = {i for i, _ in story.article.plan.body}
        unused = [i for i in range(len(topic.slots)) if i not in used]
        if unused:
            slot = topic.slots[rng.choice(unused)]
            return expand(rng.choice(slot), story.facts, rng)
        return expand(rng.choice(topic.voices), story.facts, rng)

    # ----------------------------------------------------------------- copies

    def copy_of(self, pub: Published, outlet: Outlet, rng: Random, lag: timedelta) -> Published:
        """An outlet's edited copy of a wire story (its own guid, URL and house style)."""
        story = pub.story
        topic = story.topic
        assert topic is not None
        notes: list[str] = []
        article = story.article
        if rng.random() < 0.35:
            rephrased = rephrase_lead(topic, story.facts, article, rng, story.followup)
            if rephrased is not None:
                article = rephrased
                notes.append("lead reworded")
        paragraphs = list(article.paragraphs) + list(story.extra)
        if outlet.keep_dateline:
            paragraphs[0] = story.dateline + paragraphs[0]
        else:
            notes.append("dateline dropped")
        roll = rng.random()
        if roll < 0.25:
            paragraphs = edits.drop_last_sentence(paragraphs)
            notes.append("last sentence cut")
        elif roll < 0.4 and len(paragraphs) > 3:
            paragraphs = paragraphs[:-1]
            notes.append("last paragraph cut")
        elif roll < 0.52 and len(paragraphs) > 3:
            closer = rng.choice(OUTLET_CLOSERS).format(outlet=outlet.name.split(" | ")[0],
                                                       adj=story.facts["adj"])
            paragraphs = [*paragraphs[:-1], closer]
            notes.append("last paragraph replaced by the outlet's own line")
        if outlet.credit == "keep":
            paragraphs.append(story.credit)
        elif outlet.credit == "readmore":
            paragraphs.append(f"Read more at {outlet.name}.")
        elif outlet.credit == "syndicated":
            paragraphs.append(rng.choice((
                "This story has not been edited by our staff and is published from a "
                "syndicated feed. (WorldWire)",
                f"{story.credit} \u2014 WorldWire",
            )))
        headline = article.headline
        swaps = 0
        if rng.random() < 0.4:
            headline, swaps = edits.reword(headline, rng)
            if swaps:
                notes.append(f"{swaps} headline word(s) reworded")
        prefix = edits.outlet_prefix(story.label, rng)
        if story.label and not prefix:
            notes.append(f"'{story.label}-' dropped")
        elif prefix and prefix != f"{story.label}-":
            notes.append(f"'{story.label}-' styled as '{prefix.strip()}'")
        if outlet.title_case:
            headline = edits.title_case(headline)
            notes.append("title case")
        title = prefix + headline + outlet.suffix
        if outlet.suffix:
            notes.append("site-name suffix")
        when = story.when + lag
        number = self.number(outlet.key, when, rng)
        if outlet.key == "gd":
            url = edits.add_tracking(pub.item.url or "", rng)
            notes.append("links to the agency URL with tracking parameters")
        else:
            url = self.make_url(outlet, slugify(article.headline), when, number, rng)
        guid = self.make_guid(outlet, url, number, rng)
        summary, content = self.body_for(outlet, story, paragraphs, rng)
        if outlet.body == "summary-html" and rng.random() < 0.25:
            teaser = rng.choice(TEASERS).format(**story.facts)
            summary = f"<p>{html.escape(teaser, quote=False)}</p>"
            notes.append("summary is the outlet's own one-line teaser: only the headline "
                         "carries the story")
        elif outlet.key == "gd" and rng.random() < 0.2:
            summary = None
            notes.append("title and link only")
        elif outlet.body != "full":
            notes.append({"summary-html": "summary-only feed: first paragraph(s)",
                          "summary-chars": "summary-only feed: first 300 chars",
                          "summary-lead": "summary-only feed: lead only"}[outlet.body])
        published, updated = self.stamps(outlet, when, rng)
        if published is None:
            notes.append("no published date" + ("" if updated else " nor updated"))
        if outlet.key == "gd":
            kind = "tracking-params"
        elif outlet.body != "full":
            kind = "truncated"
        elif swaps:
            kind = "edited-title"
        else:
            kind = "wire-copy"
        note = f"{outlet.name} copy, {fmt_delta(lag)} after the wire: " + ", ".join(notes)
        item = self.add(Item(outlet, guid, url, title, summary, content, published, updated,
                             self.author_for(outlet, story, rng, copy=True), story.group, kind,
                             note, when))
        return Published(item, story, paragraphs, number)

    def cross_section(self, pub: Published, outlet: Outlet, rng: Random) -> Item:
        """The same article (same URL) listed in another section feed of the same site."""
        old = pub.item
        delay = timedelta(minutes=rng.randint(0, 90))
        guid = old.guid if rng.random() < 0.6 else f"{old.url}?section={outlet.key}"
        summary, content = self.body_for(outlet, pub.story, pub.paragraphs, rng)
        return self.add(Item(outlet, guid, old.url, old.title, summary, content, old.published,
                             old.updated, old.author, old.group, "cross-section",
                             f"same URL also in the {outlet.name} section feed"
                             + (", same guid" if guid == old.guid else ", section-specific guid"),
                             old.appear + delay))

    def mobile_copy(self, pub: Published, rng: Random) -> Item:
        """The m. edition's feed: same article, m. host, no trailing slash."""
        old = pub.item
        outlet = OUTLET["pl_m"]
        url = edits.mobile_host(old.url or "")
        summary, content = self.body_for(outlet, pub.story, pub.paragraphs, rng)
        return self.add(Item(outlet, url, url, old.title, summary, content, old.published,
                             old.updated, old.author, old.group, "url-variant",
                             "mobile edition feed: m. host, trailing slash dropped",
                             old.appear + timedelta(minutes=rng.randint(1, 40))))

    def amp_copy(self, pub: Published, rng: Random) -> Item:
        """The AMP edition's feed: same article on the amp. host."""
        old = pub.item
        outlet = OUTLET["dm_amp"]
        url = (old.url or "").replace("://dailymeridian.", "://amp.dailymeridian.", 1)
        title = old.title
        summary = old.summary
        if rng.random() < 0.5:
            summary = edits.truncate_chars(" ".join(pub.paragraphs), 260)
        published, updated = self.stamps(outlet, old.appear, rng)
        return self.add(Item(outlet, self.make_guid(outlet, url, pub.number, rng), url, title,
                             summary, None, published, updated, old.author, old.group,
                             "amp-variant", "AMP edition feed: amp. host, same ?id=",
                             old.appear + timedelta(minutes=rng.randint(1, 120))))

    def newsletter_copy(self, pub: Published, rng: Random) -> Item:
        """The newsletter feed links the same article with utm_/mc_ tracking parameters."""
        old = pub.item
        outlet = OUTLET["hg_mail"]
        url = edits.add_tracking(old.url or "", rng, which=1)
        summary, _ = self.body_for(outlet, pub.story, pub.paragraphs, rng)
        title = old.title if rng.random() < 0.6 else (old.title or "").rstrip(".") + " \u2013 " \
            + "briefing"
        when = old.appear + timedelta(hours=rng.randint(2, 14))
        published, updated = self.stamps(outlet, when, rng)
        return self.add(Item(outlet, url, url, title, summary, None, published, updated, None,
                             old.group, "tracking-params",
                             "newsletter feed: same article URL with utm_*/mc_* parameters",
                             when))

    def digest_link(self, pub: Published, rng: Random, amp: bool) -> Item:
        """The link digest points at the outlet's page, with AMP form or tracking params."""
        old = pub.item
        outlet = OUTLET["gd"]
        if amp:
            url = edits.amp_variant(old.url or "", rng)
            kind, note = "amp-variant", "link digest points at the AMP page"
        else:
            url = edits.add_tracking(old.url or "", rng)
            kind, note = "tracking-params", "link digest adds tracking parameters"
        when = old.appear + timedelta(hours=rng.randint(1, 20))
        summary, _ = self.body_for(outlet, pub.story, pub.paragraphs, rng)
        title = (old.title or "").split(" | ")[0].split(" - The ")[0]
        published, updated = self.stamps(outlet, when, rng)
        number = self.number("gd", when, rng)
        return self.add(Item(outlet, self.make_guid(outlet, url, number, rng), url, title,
                             summary, None, published, updated, None, old.group, kind, note,
                             when))

    def planet_copy(self, pub: Published, rng: Random) -> Item:
        """The planet republishes an entry: own guid, sometimes source id, link variants."""
        old = pub.item
        outlet = OUTLET["planet"]
        when = old.appear + timedelta(minutes=rng.randint(20, 300))
        number = self.number("planet", when, rng)
        notes = []
        roll = rng.random()
        if roll < 0.5:
            url = old.url or ""
            notes.append("links the original URL")
        elif roll < 0.75:
            url, how = edits.url_variant(old.url or "", rng)
            notes.append(f"links the original URL, {how}")
        else:
            url = self.make_url(outlet, "", when, number, rng)
            notes.append("links its own page")
        source_id = old.guid if rng.random() < 0.8 else None
        notes.append("source_id = original guid" if source_id else "no source id")
        title = old.title
        if rng.random() < 0.5:
            title = f"{old.outlet.name.split(' | ')[0].split(' (')[0]}: {old.title}"
            notes.append("title prefixed with the source name")
        content = old.content
        summary = old.summary
        if content is None:
            _, content = self.body_for(outlet, pub.story, pub.paragraphs, rng)
        published, updated = self.stamps(outlet, old.published or when, rng)
        return self.add(Item(outlet, self.make_guid(outlet, url if url.startswith(
            outlet.base) else f"{outlet.base}/entry/{number}", number, rng), url, title, summary,
            content, published, updated, old.author, old.group, "planet-republish",
            "planet republish: " + ", ".join(notes), when, source_id=source_id))

    def new_guid_copy(self, pub: Published, rng: Random) -> Item:
        """The same feed serves the item again under a new guid (CMS re-save)."""
        old = pub.item
        outlet = old.outlet
        later = timedelta(hours=rng.randint(1, 30))
        when = old.appear + later
        url = old.url
        notes = [f"re-served {fmt_delta(later)} later with a new guid"]
        if rng.random() < 0.4 and url:
            url = edits.add_tracking(url, rng, which=4)
            notes.append("link gained ?ref=rss")
        guid = self.make_guid(replace(outlet, guid_style="uuid"), url or "", pub.number, rng)
        published = old.published
        if published is not None and rng.random() < 0.5:
            published = when
            notes.append("pubDate bumped")
        return self.add(Item(outlet, guid, url, old.title, old.summary, old.content, published,
                             old.updated, old.author, old.group, "same-feed-new-guid",
                             ", ".join(notes), when))

    def variants(self, pub: Published, rng: Random, *, own: bool) -> None:
        """The same-story echoes a site's other feeds (and the planet) produce."""
        key = pub.item.outlet.key
        region = pub.story.facts.get("region", "")
        if key == "nc" and region in ASIA and rng.random() < 0.7:
            self.cross_section(pub, OUTLET["nc_asia"], rng)
        if key == "nc_asia" and rng.random() < 0.6:
            self.cross_section(pub, OUTLET["nc"], rng)
        if key == "pl" and rng.random() < 0.5:
            self.mobile_copy(pub, rng)
        if key == "dm" and rng.random() < 0.45:
            self.amp_copy(pub, rng)
        if key in ("hg", "hg_biz") and rng.random() < (0.35 if own else 0.2):
            self.newsletter_copy(pub, rng)
        if key in ("pl", "ss", "at") and rng.random() < 0.12:
            self.digest_link(pub, rng, amp=key == "pl" or rng.random() < 0.3)
        if key in ("hg", "cc", "sb", "cp") and own and rng.random() < 0.1:
            self.digest_link(pub, rng, amp=False)
        planet_p = {"apn": 0.85, "rr": 0.85, "hg": 0.15, "pl": 0.2, "eao": 0.3, "ss": 0.15}
        if rng.random() < planet_p.get(key, 0.0):
            self.planet_copy(pub, rng)
        if key not in ("ww", "ww_biz", "gd") and rng.random() < 0.05:
            self.new_guid_copy(pub, rng)

    # ----------------------------------------------------------------- whole constructions

    def wire_story(self, topic: Topic, when: datetime) -> Published | None:
        """An agency story, its update, the outlets that carry it and their echoes."""
        rng = self.child()
        group = self.new_group(topic.name)
        story = self.draw_story(topic, when, rng, group)
        if story is None:
            return None
        story = self.wire_version(story, rng)
        return self.distribute(story, rng, kind="original", note=f"{topic.name} wire story")

    def distribute(self, story: Story, rng: Random, kind: str, note: str,
                   max_carriers: int = 5) -> Published:
        """Publish on the wire, maybe update in place, then let outlets carry it."""
        topic = story.topic
        assert topic is not None
        wire = OUTLET["ww_biz" if topic.section == "business" else "ww"]
        pub = self.publish_original(wire, story, rng, kind, note)
        self.remember(story)
        update_at: datetime | None = None
        if rng.random() < 0.2:
            updated = self.update_in_place(pub, rng, timedelta(minutes=rng.randint(40, 360)))
            update_at = updated.appear
        region = story.facts["region"]
        carriers: list[str] = []
        for key in REGIONAL.get(region, ()):
            if rng.random() < 0.75 and topic.section in OUTLET[key].wire_sections:
                carriers.append(key)
        general = [k for k in GENERAL_CARRIERS if topic.section in OUTLET[k].wire_sections
                   and k not in carriers]
        if topic.section == "business":
            general.append("hg_biz")
            general.append("msj")
        general = [k for k in general if k != ("hg" if topic.section == "business" else "hg_biz")]
        want = rng.randint(2, max_carriers)
        carriers += rng.sample(general, min(len(general), max(0, want - len(carriers))))
        for key in carriers:
            lag = syndication_lag(rng)
            copy_story = story
            if update_at is not None and story.when + lag >= update_at:
                # Copies run after the update carry its text and its slug label.
                copy_story = replace(story, extra=pub.extra, label=pub.label or story.label)
            copy = self.copy_of(Published(pub.item, copy_story, pub.paragraphs, pub.number),
                                OUTLET[key], rng, lag)
            self.variants(copy, rng, own=False)
        return pub

    def remember(self, story: Story) -> None:
        """Keep headlines by day for the morning briefings."""
        day = int((story.when - START).total_seconds() // 86400)
        self.headlines_by_day.setdefault(day, []).append(story.article.headline)

    def followup(self, original: Published, wire: bool, outlet: Outlet | None = None
                 ) -> Published | None:
        """Day two of the same event: new numbers, new headline, a different article."""
        topic = original.story.topic
        assert topic is not None and topic.evolve is not None
        rng = self.child()
        when = original.story.when + timedelta(hours=rng.randint(18, 40))
        facts = topic.evolve(rng, original.story.facts, when)
        article = render(topic, facts, rng, followup=True)
        group = self.new_group(topic.name + "-fup")
        story = Story(topic, facts, article, when, group, followup=True,
                      links=original.story.links)
        note = (f"day-two follow-up of {original.item.group}: toll {facts['prev_deaths']} -> "
                f"{facts['deaths']}")
        if wire:
            story = self.wire_version(story, rng)
            return self.distribute(story, rng, kind="follow-up-negative", note=note,
                                   max_carriers=4)
        assert outlet is not None
        pub = self.publish_original(outlet, story, rng, "follow-up-negative", note)
        self.variants(pub, rng, own=True)
        return pub

    def independent(self, original: Published, outlet: Outlet) -> Published:
        """Another outlet's own reporting of the same event: shared facts, own words."""
        rng = self.child()
        story = original.story
        topic = story.topic
        assert topic is not None
        facts = dict(story.facts)
        fresh = base_facts(rng, COUNTRY_BY_NAME[facts["country_key"]], story.when)
        for key in ("resident", "resident_age", "resident_job", "resident_quote", "analyst",
                    "analyst_firm", "analyst_quote"):
            facts[key] = fresh[key]  # another reporter talks to other people
        shares_quote = rng.random() < 0.5
        if not shares_quote:
            facts["quote"] = facts["quote2"]
        overlap = rng.choice((0, 1, 1, 2, 3))
        article = render(topic, facts, rng, avoid=story.article.plan, overlap=overlap,
                         followup=story.followup)
        when = story.when + timedelta(minutes=rng.randint(-180, 720))
        group = self.new_group(topic.name + "-ind")
        own = Story(topic, facts, article, when, group, links=story.links)
        note = (f"independent coverage of the event in {original.item.group}: same facts"
                + (" and quote" if shares_quote and facts["quote"] != facts["quote2"] else "")
                + f", {overlap} sentence(s) on the same point, different headline and words")
        pub = self.publish_original(outlet, own, rng, "independent-coverage-negative", note)
        self.variants(pub, rng, own=True)
        return pub

    def own_story(self, outlet: Outlet, topic: Topic, when: datetime) -> Published | None:
        """An outlet's own article, with whatever echoes its site and the planet add."""
        rng = self.child()
        group = self.new_group(topic.name)
        story = self.draw_story(topic, when, rng, group, outlet.regions or ALL_REGIONS)
        if story is None:
            self.group_count -= 1
            return None
        pub = self.publish_original(outlet, story, rng, "original",
                                    f"{outlet.name} own {topic.name} story")
        self.remember(story)
        if rng.random() < 0.1:
            self.update_in_place(pub, rng, timedelta(minutes=rng.randint(30, 600)))
        self.variants(pub, rng, own=True)
        return pub


# --------------------------------------------------------------------------- helpers


def entity_names(facts: Facts) -> tuple[str, ...]:
    """Names an outlet might turn into topic links."""
    keys = ("company", "buyer", "bank", "country", "city", "country_b", "union")
    return tuple(facts[k] for k in keys if facts.get(k))


def syndication_lag(rng: Random) -> timedelta:
    """How long after the wire an outlet runs the copy: mostly minutes, sometimes days."""
    roll = rng.random()
    if roll < 0.65:
        return timedelta(minutes=rng.randint(3, 150))
    if roll < 0.9:
        return timedelta(minutes=rng.randint(150, 24 * 60))
    return timedelta(minutes=rng.randint(24 * 60, 48 * 60))


def fmt_delta(delta: timedelta) -> str:
    """'40 min', '5 h', '1 d 3 h': for notes."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} d {hours % 24} h"


def random_time(rng: Random, day: int, start_h: int = 0, end_h: int = 23) -> datetime:
    """A minute on day ``day`` of the window (UTC)."""
    return START + timedelta(days=day, hours=rng.randint(start_h, end_h),
                             minutes=rng.randint(0, 59))


# --------------------------------------------------------------------------- the plan


def build_news(b: Builder) -> None:
    """Wire stories with copies, follow-ups and independent coverage; own stories."""
    rng = b.rng
    order = list(TOPICS)
    wire: list[Published] = []
    for i in range(64):
        topic = order[i % len(order)]
        when = random_time(rng, rng.randrange(SPAN_DAYS - 1))
        pub = b.wire_story(topic, when)
        if pub is not None:
            wire.append(pub)
    # Day-two stories: on the wire for some, in the regional paper for others.
    for pub in wire:
        if pub.story.topic is None or pub.story.topic.evolve is None:
            continue
        roll = rng.random()
        if roll < 0.45:
            b.followup(pub, wire=True)
        elif roll < 0.6:
            region = pub.story.facts["region"]
            outlet = OUTLET[REGIONAL.get(region, ("hg",))[0]]
            b.followup(pub, wire=False, outlet=outlet)
    # Independent coverage: the regional paper (or a big site) writes its own piece.
    for pub in wire:
        if rng.random() < 0.42:
            region = pub.story.facts["region"]
            choices = [*REGIONAL.get(region, ()), "hg", "nc", "pl"]
            b.independent(pub, OUTLET[rng.choice(choices)])
    # Own stories: every news outlet writes some of its own.
    plan = {"rr": 6, "apn": 6, "hg": 11, "hg_biz": 6, "nc": 7, "nc_asia": 7, "pl": 8, "dm": 8,
            "cc": 9, "ss": 6, "ah": 6, "sb": 7, "at": 7, "eao": 7, "cp": 6, "msj": 5}
    business = [t for t in TOPICS if t.section == "business"]
    for key, count in plan.items():
        outlet = OUTLET[key]
        pool = business if key in ("hg_biz", "msj", "rr") else list(TOPICS)
        made = 0
        attempts = 0
        while made < count and attempts < count * 6:
            attempts += 1
            topic = rng.choice(pool)
            when = random_time(rng, rng.randrange(SPAN_DAYS))
            pub = b.own_story(outlet, topic, when)
            if pub is None:
                continue
            made += 1
            if topic.evolve is not None and rng.random() < 0.25:
                b.followup(pub, wire=False, outlet=outlet)


def build_recurring(b: Builder) -> None:
    """Same-title series: briefings, letters, history, weather, markets."""
    rng = b.rng
    history_used: set[int] = set()
    md, hg = OUTLET["md"], OUTLET["hg"]
    for day in range(SPAN_DAYS):
        pool = b.headlines_by_day.get(day - 1, []) + b.headlines_by_day.get(day, [])[:3]
        if len(pool) < 4:
            pool = pool + b.headlines_by_day.get(day + 1, [])
        for outlet, house, hour in ((md, "metro", 19), (hg, "gazette", 5)):
            if outlet is hg and day % 3 == 2:
                continue
            brief = recurring.morning_briefing(rng, random_time(rng, day, hour, hour), pool,
                                               house)
            add_brief(b, outlet, brief, random_time(rng, day, hour, hour),
                      "recurring-title-negative", "daily 'Morning briefing': same title, "
                      "different day's items")
        if day % 5 != 4:
            when = random_time(rng, day, 20, 22)
            add_brief(b, md, recurring.letters(rng, when, "metro"), when,
                      "recurring-title-negative", "daily 'Letters to the editor'")
        if day % 3 == 0:
            when = random_time(rng, day, 9, 11)
            add_brief(b, hg, recurring.letters(rng, when, "gazette"), when,
                      "recurring-title-negative", "'Letters to the editor' in another paper")
        when = random_time(rng, day, 18, 19)
        add_brief(b, md, recurring.today_in_history(rng, when, history_used), when,
                  "recurring-title-negative", "daily 'Today in history'")
    build_weather(b)
    build_markets(b)


def build_weather(b: Builder) -> None:
    """Per-city forecasts (twins on days cities share weather) and the daily column."""
    rng = b.rng
    cities = ("Sydney", "Parramatta", "Penrith", "Wollongong")
    for day in range(SPAN_DAYS):
        shared = recurring.Forecast.draw(rng)
        twins = set(rng.sample(cities, 2)) if day % 2 == 0 else set()
        when = random_time(rng, day, 17, 18)
        for city in cities:
            fc = shared if city in twins else recurring.Forecast.draw(rng)
            brief = recurring.forecast_item(city, when + timedelta(days=1), fc)
            note = ("forecast text identical to another city's on the same day except the city"
                    if city in twins else "per-city forecast; differs by city and date")
            add_brief(b, OUTLET["mw"], brief, when, "templated-negative", note,
                      url=f"https://weather.metrodaily.example/forecast?city={slugify(city)}"
                          f"&date={(when + timedelta(days=1)).date()}")
        column = recurring.weather_column(rng, when + timedelta(days=1), shared)
        add_brief(b, OUTLET["md"], column, when + timedelta(minutes=30),
                  "recurring-title-negative", "daily 'Weather' column")


def build_markets(b: Builder) -> None:
    """The wire's daily 'Markets wrap' (carried by others) and 'Stocks rise/fall' reports."""
    rng = b.rng
    for day in range(SPAN_DAYS):
        if (START + timedelta(days=day)).weekday() >= 5:
            continue
        when = random_time(rng, day, 21, 22)
        wrap, _ = recurring.markets_wrap(rng, when)
        group = b.new_group("markets-wrap")
        pub = add_brief(b, OUTLET["ww_biz"], wrap, when, "recurring-title-negative",
                        "daily 'Markets wrap' from the wire", group=group)
        for key in rng.sample(("msj", "dm", "gd", "hg_biz"), rng.randint(1, 3)):
            lag = timedelta(minutes=rng.randint(5, 300))
            outlet = OUTLET[key]
            paragraphs = list(wrap.paragraphs)
            if rng.random() < 0.4:
                paragraphs = paragraphs[:-1]
            title = wrap.title + outlet.suffix
            url = (edits.add_tracking(pub.url or "", rng) if key == "gd" else
                   b.make_url(outlet, wrap.slug, when + lag, b.number(key, when + lag, rng), rng))
            copy = replace(wrap, title=title, paragraphs=tuple(paragraphs))
            add_brief(b, outlet, copy, when + lag, "wire-copy" if key != "gd" else
                      "tracking-params", f"{outlet.name} runs the wire's Markets wrap "
                      f"{fmt_delta(lag)} later", group=group, url=url)
        when = random_time(rng, day, 21, 23)
        add_brief(b, OUTLET["msj"], recurring.stocks_report(rng, when, "wall-street"), when,
                  "recurring-title-negative", "daily Wall Street close: 'Stocks rise/fall'")
        if day % 2 == 0:
            when = random_time(rng, day, 16, 17)
            add_brief(b, OUTLET["hg_biz"], recurring.stocks_report(rng, when, "europe"), when,
                      "recurring-title-negative", "European close, same title as Wall Street's")


def build_short_items(b: Builder) -> None:
    """Scores, quake alerts and earnings briefs: under 25 words, shared templates."""
    rng = b.rng
    # Football results; some also run as a sport-in-brief line in Metro Daily.
    for league, clubs in recurring.CLUBS.items():
        fixtures = [(h, a) for h in clubs for a in clubs if h != a]
        rng.shuffle(fixtures)
        for n, (home, away) in enumerate(fixtures[:12]):
            day = (n * 5 + len(league)) % SPAN_DAYS
            when = random_time(rng, day, 8, 14)
            scorer = person(rng, rng.choice(("anglo", "latam", "africa", "europe")))[0]
            match = recurring.Match(league, home, away, rng.randint(0, 4), rng.randint(0, 3),
                                    scorer, rng.choice(recurring.STADIUMS), when)
            group = b.new_group("score")
            brief = recurring.score_brief(match)
            add_brief(b, OUTLET["sc"], brief, when, "short-item",
                      "one-line result; same template as every other result", group=group,
                      url=f"https://scoreline.example/match/{b.number('sc', when, rng)}/"
                          f"{brief.slug}")
            if rng.random() < 0.3:
                later = when + timedelta(minutes=rng.randint(20, 400))
                add_brief(b, OUTLET["md"], recurring.score_copy(match), later,
                          "short-item-copy", "the same result as Metro Daily's sport brief",
                          group=group)
    # Quake alerts; the wire picks up some of the bigger ones.
    seen_copy: set[tuple[float, str]] = set()
    seen_alert: set[tuple[float, str, int]] = set()
    for n in range(26):
        place, region = rng.choice(recurring.QUAKE_REGIONS)
        when = random_time(rng, n % SPAN_DAYS)
        mag = rng.randint(42, 61) / 10
        while (mag, region, n % SPAN_DAYS) in seen_alert:  # keep the pick-ups unambiguous
            mag = round(mag + 0.1, 1)
        seen_alert.add((mag, region, n % SPAN_DAYS))
        tremor = recurring.Tremor(mag, rng.randint(5, 180),
                                  rng.choice(("N", "NNE", "NE", "E", "SE", "SSE", "S", "SW",
                                              "W", "NW", "WNW")), place, region,
                                  rng.choice((10, 10, 12, 35, 60, 95)), when)
        group = b.new_group("tremor")
        brief = recurring.quake_alert(tremor)
        add_brief(b, OUTLET["qw"], brief, when + timedelta(minutes=rng.randint(8, 25)),
                  "short-item", "automatic quake alert; same template as the others",
                  group=group, url=f"https://quakewatch.example/event/qw{when:%Y%m%d}"
                                   f"{rng.getrandbits(20):05x}")
        key = (tremor.mag, tremor.region)
        if tremor.mag >= 5.0 and key not in seen_copy and rng.random() < 0.6:
            seen_copy.add(key)
            later = when + timedelta(minutes=rng.randint(25, 90))
            add_brief(b, OUTLET["ww"], recurring.quake_copy(tremor), later, "short-item-copy",
                      "the wire's one-line pick-up of the same alert", group=group)
    # Results briefs: several companies a day, one template.
    companies = list(recurring.BRIEF_COMPANIES)
    rng.shuffle(companies)
    for n, company in enumerate(companies):
        day = n // 2 % SPAN_DAYS
        when = random_time(rng, day, 6, 12)
        currency = rng.choice(("USD", "EUR", "AUD", "JPY", "INR", "CLP"))
        brief = recurring.earnings_brief(rng, company, when, currency)
        group = b.new_group("brief")
        pub = add_brief(b, OUTLET["ww_biz"], brief, when, "templated-negative",
                        "results BRIEF: same template as other companies' briefs the same day",
                        group=group)
        if rng.random() < 0.35:
            lag = timedelta(minutes=rng.randint(30, 600))
            add_brief(b, OUTLET["gd"], brief, when + lag, "short-item-copy",
                      "digest relays the brief with tracking parameters", group=group,
                      url=edits.add_tracking(pub.url or "", rng))


def build_planet_orphans(b: Builder) -> None:
    """Planet entries whose original is not in the corpus: singletons with a source id."""
    rng = b.rng
    blogs = (("https://kernelnotes.example", "Kernel Notes"),
             ("https://slowjournalism.example", "Slow Journalism"),
             ("https://mapsandlegends.example", "Maps and Legends"))
    titles = ("What we learned from a year of publishing corrections openly",
              "A short guide to reading central bank statements",
              "Why our newsroom stopped using push alerts after 10pm",
              "Notes from a regional data journalism workshop",
              "The case for slower breaking news")
    for n, title in enumerate(titles):
        base, name = blogs[n % len(blogs)]
        when = random_time(rng, rng.randrange(SPAN_DAYS))
        slug = slugify(title)
        url = f"{base}/{when:%Y/%m}/{slug}/"
        paragraphs = [f"{title}. This post collects notes from the past few weeks.",
                      rng.choice(("Comments are open below.", "Thanks to everyone who wrote "
                                  "in with suggestions.", "Part two follows next week."))]
        outlet = OUTLET["planet"]
        number = b.number("planet", when, rng)
        b.add(Item(outlet, f"{outlet.base}/entry/{number}", url, f"{name}: {title}",
                   None, edits.join_html(paragraphs, "p"), None, when, person(rng, "anglo")[0],
                   b.new_group("planet-orphan"), "singleton",
                   "planet entry whose original feed is not in the corpus", when,
                   source_id=f"tag:{base.split('//')[1]},2026:post-{number}"))


def add_brief(b: Builder, outlet: Outlet, brief: recurring.Brief, when: datetime, kind: str,
              note: str, group: str | None = None, url: str | None = None) -> Item:
    """Publish a templated item as this outlet formats short content."""
    rng = b.child()
    number = b.number(outlet.key, when, rng)
    if url is None:
        url = b.make_url(outlet, brief.slug or slugify(brief.title), when, number, rng) \
            if outlet.url_style not in ("mw", "sc", "qw") else f"{outlet.base}/{brief.slug}"
    guid = b.make_guid(outlet, url, number, rng)
    paragraphs = list(brief.paragraphs)
    if outlet.body == "full" and len(paragraphs) > 1 and brief.title == "Morning briefing":
        intro, *items = paragraphs
        listed = [i for i in items if i.startswith("\u2022")]
        rest = [i for i in items if not i.startswith("\u2022")]
        ul = "<ul>" + "".join(f"<li>{html.escape(i[2:], quote=False)}</li>" for i in listed) \
            + "</ul>"
        content = (f"<p>{html.escape(intro, quote=False)}</p>\n{ul}\n"
                   + "\n".join(f"<p><em>{html.escape(r, quote=False)}</em></p>" for r in rest))
        summary: str | None = None
    elif outlet.body == "full":
        content = edits.join_html([edits.curly_quotes(p) if outlet.curly else p
                                   for p in paragraphs], outlet.html)
        summary = paragraphs[0] if rng.random() < 0.5 else None
    else:
        content = None
        summary = " ".join(paragraphs) if outlet.body != "summary-chars" else \
            edits.truncate_chars(" ".join(paragraphs), 300)
    published, updated = b.stamps(outlet, when, rng)
    return b.add(Item(outlet, guid, url, brief.title, summary, content, published, updated,
                      None if outlet.byline == "none" else person(rng, "anglo")[0],
                      group or b.new_group(slugify(brief.title, 3)), kind, note, when))


# --------------------------------------------------------------------------- output


def fetch_order(items: list[Item], rng: Random) -> list[Item]:
    """Sort items the way a poller meets them: by the first fetch of their feed after they
    appear, then by feed, then newest first within one fetch (feed document order)."""
    offsets = {o.key: rng.uniform(0, o.every_h) for o in OUTLETS}
    origin = START - timedelta(days=1)

    def seen(item: Item) -> datetime:
        every = item.outlet.every_h * 3600
        first = origin + timedelta(hours=offsets[item.outlet.key])
        elapsed = (item.appear - first).total_seconds()
        polls = max(0, math.ceil(elapsed / every))
        return first + timedelta(seconds=polls * every)

    return sorted(items, key=lambda i: (seen(i), FEED_ORDER[i.outlet.key],
                                        -i.appear.timestamp()))


def finalize_kinds(items: list[Item]) -> None:
    """An 'original' that nobody copied is a singleton."""
    sizes = Counter(i.group for i in items)
    for item in items:
        if item.kind == "original" and sizes[item.group] == 1:
            item.kind = "singleton"


def build() -> list[dict[str, str | None]]:
    """The whole corpus as JSON-ready records, in fetch order."""
    b = Builder(SEED)
    build_news(b)
    build_recurring(b)
    build_short_items(b)
    build_planet_orphans(b)
    finalize_kinds(b.items)
    ordered = fetch_order(b.items, Random(SEED + 1))
    return [i.as_json() for i in ordered]


def render_corpus(records: list[dict[str, str | None]]) -> str:
    """corpus.json text: a small header, then one entry per line (diffable, compact)."""
    header = {
        "format": FORMAT,
        "seed": SEED,
        "generator": "python -m tests.dedupe.make_corpus",
        "feeds": [{"url": o.feed_url, "title": o.name} for o in OUTLETS],
    }
    lines = ["{"]
    for key, value in header.items():
        lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},")
    lines.append(' "entries": [')
    body = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.append(",\n".join(body))
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write corpus.json, or with --check report whether it is up to date."""
    args = sys.argv[1:] if argv is None else argv
    text = render_corpus(build())
    if "--check" in args:
        current = CORPUS_PATH.read_text(encoding="utf-8") if CORPUS_PATH.exists() else ""
        if current != text:
            print("corpus.json is stale: run python -m tests.dedupe.make_corpus")
            return 1
        return 0
    CORPUS_PATH.write_text(text, encoding="utf-8")
    records = json.loads(text)["entries"]
    kinds = Counter(r["kind"] for r in records)
    print(f"wrote {CORPUS_PATH} ({len(text.encode()):,} bytes, {len(records)} entries)")
    for kind, count in sorted(kinds.items()):
        print(f"  {kind:32} {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

