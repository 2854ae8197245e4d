"""A reproducible news corpus: N feeds x M entries, written to a folder.

Each feed is one file, ``N.xml`` (and ``N.xml.gz``, compressed once here so
the server spends no CPU on it during a measurement), in RSS 2.0, Atom 1.0
or RSS 1.0 (about 60/25/15 %).  Entries look like news: a title, an author,
a date, a short summary and a 2-6 KB HTML body (paragraphs, links -- some
relative --, images, subheadings, quotes, lists).

About ``--syndicated`` (default 27 %) of all entries are copies of "wire"
stories that appear in several feeds (2-5 each), as a real news mix has:
every copy has its own guid, its link is the wire story's URL with tracking
parameters and/or the other scheme (http/https), its title is often edited
("UPDATE 1-", a " - Site" suffix, a changed word) and its body lightly
edited, so a deduplicating reader has real work to do.

The bytes depend only on (seed, feeds, entries, base date): the same
arguments write the same files.  ``manifest.json`` describes the corpus.

    python -m benchmarks.corpus OUT_DIR --feeds 1000 --entries 50 [--seed 1]
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

FORMATS = ("rss2", "atom", "rss1")
FORMAT_WEIGHTS = (60, 25, 15)
DEFAULT_BASE = "2026-11-20T12:00:00+00:00"
GZIP_LEVEL = 6

# Function words carry the weight, as in real text; content words make topics.
_COMMON_TEXT = ("the of and to a in that is was he for it with as his on be at by had are but "
                "from or have an they which one you were her all she there would their we him "
                "been has when who will more no if out so said what up its about into than them "
                "can only other new some could time these two may then do first any my now such "
                "like our over man me even most made after also did many before must through back "
                "years where much your way well down should because each just those people how "
                "too little state good very make world still own see men work long get here "
                "between both life being under never day same another know while last might us "
                "great old year off come since against go came right used take three")
_COMMON = _COMMON_TEXT.split()
_CONTENT_TEXT = ("minister government election talks border trade deal bank rate inflation storm "
                 "flood quake rescue court ruling protest police vote parliament budget tariff "
                 "export chip energy oil gas price market shares index bond yield currency summit "
                 "leader capital province city village river coast island ministry official "
                 "spokesman agency report data growth jobs wage strike union school hospital "
                 "vaccine virus drought harvest rice wheat port ship rail airport flight pilot "
                 "crash fire smoke army navy missile drill alliance treaty sanction embassy visit "
                 "festival film award team match final coach player season record crowd stadium "
                 "president senator governor mayor council committee investigation inquiry "
                 "prosecutor judge verdict appeal sentence prison refugee migrant asylum aid "
                 "donor charity famine water power grid blackout heatwave wildfire glacier carbon "
                 "emissions climate solar wind nuclear reactor uranium pipeline refinery tanker "
                 "freight logistics retail consumer spending survey poll campaign candidate "
                 "coalition opposition cabinet reshuffle resignation scandal bribery audit "
                 "regulator antitrust merger takeover startup investor fund profit loss quarter "
                 "forecast outlook recession stimulus subsidy reform pension healthcare insurance "
                 "tuition university student teacher exam research scientist study trial drug "
                 "outbreak quarantine ceasefire offensive troops convoy drone airstrike hostage "
                 "negotiator envoy delegation accord framework declaration resolution veto "
                 "satellite launch rocket orbit telescope discovery museum heritage temple "
                 "cathedral monument tourism hotel visitor passenger ferry highway bridge tunnel "
                 "railway metro bus traffic accident casualties injured evacuated shelter")
_CONTENT = _CONTENT_TEXT.split()
_NAMES_TEXT = ("Kim Lee Park Choi Tanaka Sato Suzuki Wang Zhang Li Chen Singh Kumar Patel Khan "
               "Garcia Rodriguez Martinez Lopez Silva Santos Muller Schmidt Dubois Martin Rossi "
               "Bianchi Novak Kowalski Ivanov Petrov Smith Johnson Brown Taylor Wilson Davies "
               "Evans Thomas Roberts Walker Wright Thompson White Hughes Edwards Green Hall Wood "
               "Harris Okafor Mensah Mwangi Haddad Nasser Cohen Levi Yilmaz Demir Nguyen Tran "
               "Pham")
_NAMES = _NAMES_TEXT.split()
_FIRST_TEXT = ("Anna James Maria David Sarah Michael Laura Daniel Emma Paul Sofia Lucas Min Jun "
               "Hiroshi Yuki Wei Ling Ravi Priya Ahmed Fatima Carlos Ana Pierre Claire Marco "
               "Giulia Olga Ivan Kwame Amina Omar Leila Noah Mia")
_FIRST = _FIRST_TEXT.split()
_PLACES_TEXT = ("Seoul Tokyo Beijing Taipei Manila Jakarta Hanoi Bangkok Delhi Karachi Dhaka "
                "Kabul Tehran Baghdad Riyadh Cairo Lagos Nairobi Addis Ababa Johannesburg "
                "Istanbul Kyiv Warsaw Berlin Paris Madrid Rome London Dublin Brussels Geneva "
                "Vienna Stockholm Oslo Ottawa Washington Mexico Bogota Lima Santiago Brasilia "
                "Caracas Havana Sydney")
_PLACES = _PLACES_TEXT.split()
_TOPICS = ("world", "politics", "business", "asia", "europe", "americas", "africa",
           "middle-east", "science", "climate", "health", "technology", "sport", "culture")
_TRACKING = (("utm_source", "rss"), ("utm_medium", "feed"), ("utm_campaign", "news"),
             ("ref", "rss"), ("cmpid", "RSS_FEED"), ("at_medium", "RSS"), ("fbclid", "x1"))
_WORDS = (*_COMMON, *_CONTENT, *_NAMES, *_PLACES)
# Zipf-like weights: common words often, names and places rarely.
_WEIGHTS = ([40.0 / (1 + i / 8) for i in range(len(_COMMON))]
            + [3.0] * len(_CONTENT) + [0.6] * (len(_NAMES) + len(_PLACES)))
_CUM: list[float] = []
for _w in _WEIGHTS:
    _CUM.append((_CUM[-1] if _CUM else 0.0) + _w)


@dataclass(frozen=True)
class Story:
    """One news story: what a feed entry is made of."""

    title: str
    slug: str
    body: str        # HTML
    summary: str     # plain text
    author: str
    published: datetime
    topic: str


def sentence(rng: random.Random, low: int = 8, high: int = 24) -> str:
    words = rng.choices(_WORDS, cum_weights=_CUM, k=rng.randint(low, high))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice((".", ".", ".", ".", "?", "!"))


def headline(rng: random.Random) -> str:
    words = [rng.choice(_CONTENT) for _ in range(rng.randint(3, 5))]
    words += rng.choices(_WORDS, cum_weights=_CUM, k=rng.randint(3, 7))
    rng.shuffle(words)
    words.insert(rng.randint(0, len(words)), rng.choice(_PLACES))
    text = " ".join(words)
    return text[0].upper() + text[1:]


def body_html(rng: random.Random, site: str, target_bytes: int) -> str:
    """Paragraphs and the odd link, image, subheading, quote or list, up to ``target_bytes``."""
    parts: list[str] = []
    if rng.random() < 0.5:
        parts.append(f'<figure><img src="https://img.{site}/{rng.getrandbits(40):x}.jpg" '
                     f'alt="{html.escape(sentence(rng, 4, 8))}" width="800" height="450">'
                     f"<figcaption>{html.escape(sentence(rng, 6, 12))}</figcaption></figure>")
    size = sum(map(len, parts))
    while size < target_bytes:
        roll = rng.random()
        if roll < 0.08:
            part = f"<h2>{html.escape(headline(rng))}</h2>"
        elif roll < 0.14:
            part = f"<blockquote><p>{html.escape(sentence(rng, 12, 30))}</p></blockquote>"
        elif roll < 0.18:
            items = "".join(f"<li>{html.escape(sentence(rng, 5, 12))}</li>"
                            for _ in range(rng.randint(2, 5)))
            part = f"<ul>{items}</ul>"
        else:
            sentences = [html.escape(sentence(rng)) for _ in range(rng.randint(2, 6))]
            if rng.random() < 0.35:
                href = (f"/{rng.choice(_TOPICS)}/{rng.getrandbits(32):x}" if rng.random() < 0.4
                        else f"https://www.{site}/{rng.choice(_TOPICS)}/{rng.getrandbits(32):x}")
                pick = rng.randrange(len(sentences))
                sentences[pick] = f'<a href="{href}">{sentences[pick]}</a>'
            if rng.random() < 0.2:
                sentences[0] = f"<strong>{sentences[0]}</strong>"
            part = "<p>" + " ".join(sentences) + "</p>"
        parts.append(part)
        size += len(part)
    return "".join(parts)


def make_story(rng: random.Random, site: str, when: datetime) -> Story:
    title = headline(rng)
    body = body_html(rng, site, rng.randint(2048, 6144))
    summary = sentence(rng, 20, 40)
    author = f"{rng.choice(_FIRST)} {rng.choice(_NAMES)}"
    slug = "-".join(title.lower().split()[:8]) + f"-{rng.getrandbits(28):x}"
    return Story(title=title, slug=slug, body=body, summary=summary, author=author,
                 published=when, topic=rng.choice(_TOPICS))


@dataclass(frozen=True)
class Item:
    """A story as one feed carries it."""

    story: Story
    guid: str
    permalink: bool
    link: str
    title: str
    body: str
    published: datetime


def edit_title(rng: random.Random, title: str, site_name: str) -> str:
    roll = rng.random()
    if roll < 0.35:
        return title
    if roll < 0.55:
        return f"UPDATE {rng.randint(1, 3)}-{title}"
    if roll < 0.75:
        return f"{title} - {site_name}"
    words = title.split()
    words[rng.randrange(len(words))] = rng.choice(_CONTENT)
    return " ".join(words)


def edit_body(rng: random.Random, body: str, site_name: str) -> str:
    roll = rng.random()
    if roll < 0.4:
        return body
    if roll < 0.7:
        return body + f"<p>(Reporting by {rng.choice(_FIRST)} {rng.choice(_NAMES)}; " \
                      f"editing by {site_name})</p>"
    word = rng.choice(_CONTENT)
    return body.replace(f" {word} ", f" {rng.choice(_CONTENT)} ", 1)


def copy_link(rng: random.Random, url: str, feed: int) -> str:
    """The wire story's URL as feed ``feed`` links to it: tracking, scheme, fragment."""
    if rng.random() < 0.5:
        url = url.replace("https://", "http://", 1)
    if rng.random() < 0.7:
        pairs = rng.sample(_TRACKING, rng.randint(1, 3))
        query = "&".join(f"{k}={v}" for k, v in pairs)
        url += f"?{query}&src=feed{feed}" if rng.random() < 0.3 else f"?{query}"
    if rng.random() < 0.1:
        url += "#comments"
    return url


class Corpus:
    """The plan of a corpus: which feed carries which stories, in which format."""

    def __init__(self, feeds: int, entries: int, seed: int, syndicated: float,
                 base: datetime) -> None:
        self.feeds, self.entries, self.seed = feeds, entries, seed
        self.syndicated, self.base = syndicated, base
        rng = random.Random(f"{seed}:plan:{feeds}:{entries}")
        copies = round(feeds * entries * syndicated) if feeds > 1 else 0
        # Each wire story is carried by 2-5 feeds (3.5 on average).
        self.wire_count = max(1, round(copies / 3.5)) if copies else 0
        self.formats = [rng.choices(FORMATS, weights=FORMAT_WEIGHTS)[0] for _ in range(feeds)]
        # slots[feed] = the wire story number for each syndicated slot; None = original.
        self.slots: list[list[int | None]] = [[None] * entries for _ in range(feeds)]
        free = [(f, e) for f in range(feeds) for e in range(entries)]
        rng.shuffle(free)
        wire = 0
        while copies > 0 and free and self.wire_count:
            carriers = min(rng.randint(2, 5), copies)
            used: set[int] = set()
            placed = 0
            while placed < carriers and free:
                f, e = free.pop()
                if f in used:
                    continue
                self.slots[f][e] = wire % self.wire_count
                used.add(f)
                placed += 1
            copies -= placed
            wire += 1
        self._wire: dict[int, Story] = {}
        self.copies = sum(s is not None for row in self.slots for s in row)

    def wire_story(self, number: int) -> Story:
        if number in self._wire:
            return self._wire[number]
        rng = random.Random(f"{self.seed}:wire:{number}")
        when = self.base - timedelta(minutes=rng.randint(0, 3 * 24 * 60))
        story = self._wire[number] = make_story(rng, f"wire{number % 7}.example", when)
        return story

    def items(self, feed: int) -> list[Item]:
        rng = random.Random(f"{self.seed}:feed:{feed}")
        site = f"site{feed}.example"
        site_name = f"Site {feed} News"
        items: list[Item] = []
        for e, wire in enumerate(self.slots[feed]):
            if wire is None:
                when = self.base - timedelta(minutes=rng.randint(0, 3 * 24 * 60))
                story = make_story(rng, site, when)
                link = f"https://www.{site}/{story.topic}/2026/{story.slug}"
                permalink = rng.random() < 0.5
                guid = link if permalink else f"{site}-{feed}-{e}-{rng.getrandbits(48):x}"
                items.append(Item(story, guid, permalink, link, story.title, story.body,
                                  story.published))
                continue
            story = self.wire_story(wire)
            canonical = f"https://www.wire{wire % 7}.example/news/2026/{story.slug}"
            when = story.published + timedelta(minutes=rng.randint(0, 180))
            items.append(Item(story, f"{site}-syn-{e}-{rng.getrandbits(48):x}", False,
                              copy_link(rng, canonical, feed),
                              edit_title(rng, story.title, site_name),
                              edit_body(rng, story.body, site_name), when))
        items.sort(key=lambda item: item.published, reverse=True)
        return items

    def document(self, feed: int) -> bytes:
        return RENDER[self.formats[feed]](feed, self.items(feed), self.base).encode()


def _rss2(feed: int, items: list[Item], base: datetime) -> str:
    site = f"site{feed}.example"
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:atom="http://www.w3.org/2005/Atom"><channel>',
           f"<title>Site {feed} News</title><link>https://www.{site}/</link>",
           f"<description>Top stories from Site {feed}</description><language>en</language>",
           f"<lastBuildDate>{format_datetime(base)}</lastBuildDate><ttl>15</ttl>"]
    for it in items:
        perma = "true" if it.permalink else "false"
        out.append(
            f"<item><title>{html.escape(it.title)}</title><link>{html.escape(it.link)}</link>"
            f'<guid isPermaLink="{perma}">{html.escape(it.guid)}</guid>'
            f"<dc:creator>{html.escape(it.story.author)}</dc:creator>"
            f"<category>{it.story.topic}</category>"
            f"<pubDate>{format_datetime(it.published)}</pubDate>"
            f"<description>{html.escape(it.story.summary)}</description>"
            f"<content:encoded><![CDATA[{it.body}]]></content:encoded></item>")
    out.append("</channel></rss>\n")
    return "\n".join(out)


def _atom(feed: int, items: list[Item], base: datetime) -> str:
    site = f"site{feed}.example"
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
           'xml:lang="en">',
           f"<title>Site {feed} News</title><id>tag:{site},2026:feed</id>",
           f'<link rel="alternate" href="https://www.{site}/"/>',
           f"<updated>{base.isoformat()}</updated>"]
    for it in items:
        ident = it.guid if it.guid.startswith("http") else f"tag:{site},2026:{it.guid}"
        out.append(
            f"<entry><title>{html.escape(it.title)}</title>"
            f'<link rel="alternate" href="{html.escape(it.link)}"/>'
            f"<id>{html.escape(ident)}</id>"
            f"<author><name>{html.escape(it.story.author)}</name></author>"
            f'<category term="{it.story.topic}"/>'
            f"<published>{it.published.isoformat()}</published>"
            f"<updated>{it.published.isoformat()}</updated>"
            f"<summary>{html.escape(it.story.summary)}</summary>"
            f'<content type="html">{html.escape(it.body)}</content></entry>')
    out.append("</feed>\n")
    return "\n".join(out)


def _rss1(feed: int, items: list[Item], base: datetime) -> str:
    site = f"site{feed}.example"
    seq = "".join(f'<rdf:li rdf:resource="{html.escape(it.link)}"/>' for it in items)
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF '
           'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
           'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
           'xmlns:content="http://purl.org/rss/1.0/modules/content/">',
           f'<channel rdf:about="https://www.{site}/rss"><title>Site {feed} News</title>'
           f"<link>https://www.{site}/</link><description>Top stories from Site {feed}"
           f"</description><dc:date>{base.isoformat()}</dc:date>"
           f"<items><rdf:Seq>{seq}</rdf:Seq></items></channel>"]
    for it in items:
        out.append(
            f'<item rdf:about="{html.escape(it.link)}"><title>{html.escape(it.title)}</title>'
            f"<link>{html.escape(it.link)}</link>"
            f"<dc:creator>{html.escape(it.story.author)}</dc:creator>"
            f"<dc:subject>{it.story.topic}</dc:subject>"
            f"<dc:date>{it.published.isoformat()}</dc:date>"
            f"<description>{html.escape(it.story.summary)}</description>"
            f"<content:encoded><![CDATA[{it.body}]]></content:encoded></item>")
    out.append("</rdf:RDF>\n")
    return "\n".join(out)


RENDER = {"rss2": _rss2, "atom": _atom, "rss1": _rss1}


def generate(out: Path, feeds: int, entries: int, seed: int = 1, syndicated: float = 0.27,
             base: str = DEFAULT_BASE) -> dict[str, object]:
    """Write the corpus to ``out`` (skipped if a matching manifest is there); its manifest."""
    manifest_path = out / "manifest.json"
    wanted = {"feeds": feeds, "entries": entries, "seed": seed, "syndicated": syndicated,
              "base": base, "version": 1}
    if manifest_path.exists():
        manifest: dict[str, object] = json.loads(manifest_path.read_text())
        if all(manifest.get(k) == v for k, v in wanted.items()):
            return manifest
    out.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(feeds, entries, seed, syndicated, datetime.fromisoformat(base))
    total_bytes = 0
    for n in range(feeds):
        body = corpus.document(n)
        total_bytes += len(body)
        (out / f"{n}.xml").write_bytes(body)
        (out / f"{n}.xml.gz").write_bytes(gzip.compress(body, GZIP_LEVEL, mtime=0))
    manifest = {**wanted, "formats": corpus.formats, "total_entries": feeds * entries,
                "syndicated_entries": corpus.copies, "wire_stories": corpus.wire_count,
                "bytes": total_bytes,
                "last_modified": format_datetime(datetime.fromisoformat(base).astimezone(UTC),
                                                 usegmt=True)}
    manifest_path.write_text(json.dumps(manifest))
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--syndicated", type=float, default=0.27)
    parser.add_argument("--base-date", default=DEFAULT_BASE)
    args = parser.parse_args()
    manifest = generate(args.out, args.feeds, args.entries, args.seed, args.syndicated,
                        args.base_date)
    print(f"{manifest['feeds']} feeds x {manifest['entries']} entries, "
          f"{manifest['syndicated_entries']} syndicated copies of {manifest['wire_stories']} "
          f"wire stories, {int(str(manifest['bytes'])) / 1e6:.1f} MB, in {args.out}")


if __name__ == "__main__":
    main()
