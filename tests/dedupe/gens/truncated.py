"""Truncated copies: most copies come from summary-only feeds cut at 100-300 characters.

The sentences are real English prose that none of our templates wrote: the docstrings
of the Python standard library (``prose.stdlib_sentences``).  Every story's lead is a
sentence no other story leads with; the rest of its body is drawn from a shared pool,
so unrelated stories carry whole sentences in common.

Agencies write the original with a dateline (``ARDOVA, March 3 (Northwire) - ``).
Outlets carry it:

* summary-only, cut at 100-300 characters, on a word or mid-word, with "...", "…",
  "[…]", "Read more" or nothing, in plain text or in HTML with a link;
* with the dateline kept, dropped or rewritten (``Ardova -``, ``ARDOVA:``);
* in full, with a boilerplate sentence added ("This article originally appeared on X.")
  at the end, or a credit line at the start.

Hard negatives: follow-ups whose second paragraph recaps an earlier story's lead under
a new headline and lead, and press statements that open with the same stock line.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from random import Random

from tests.dedupe.corpus import CorpusEntry
from tests.dedupe.gens.common import (
    CUT_MARKS,
    GUID_STYLES,
    URL_STYLES,
    Feed,
    Sink,
    cut_text,
    later,
    scaled,
    spread,
)
from tests.dedupe.gens.prose import stdlib_sentences

STORIES = 650  # at scale 1.0 (at most the number of leads, ~740); ~1,900 entries
_HEADS = ("Ard", "Brin", "Cass", "Dun", "Ely", "Fol", "Grim", "Hest", "Ist", "Jor", "Kell",
          "Lom")
_TAILS = ("ova", "anby", "ester", "ia", "ant", "ore", "avik", "itz", "ergh", "usa")
AGENCIES = ("Northwire", "Pressline", "Continental Newswire", "Harbour Agency")
MONTH = "March"
SMALL = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to",
         "with", "is", "be", "that", "this", "if", "it"}
ORGS = ("the Standards Board", "the Interface Committee", "the Archive Trust",
        "the Protocol Council", "the Library Foundation")


@dataclass(frozen=True)
class Article:
    title: str
    city: str
    agency: str
    lead: str
    body: list[str]
    when: datetime
    kind: str


def _split_pool(rng: Random) -> tuple[list[str], list[str]]:
    """(lead sentences, shuffled; background sentences).

    A lead has at least 12 words and shares neither its first nor its last four words
    with another lead: the docstrings have near-twins ("The number of places to shift
    is taken from ..." / "... of rotation ..."), and two stories must not lead alike.
    """
    leads: list[str] = []
    openings: set[str] = set()
    endings: set[str] = set()
    background: list[str] = []
    for sentence in stdlib_sentences():
        words = sentence.lower().rstrip(".!?").split()
        opening, ending = " ".join(words[:4]), " ".join(words[-4:])
        if len(words) >= 12 and opening not in openings and ending not in endings:
            openings.add(opening)
            endings.add(ending)
            leads.append(sentence)
        else:
            background.append(sentence)
    rng.shuffle(leads)
    return leads, background


def _headline(lead: str, rng: Random) -> str:
    words = lead.rstrip(".!?").replace(",", "").replace(";", "").split()
    words = words[:rng.randint(6, 10)]
    while words and words[-1].lower() in SMALL:
        words.pop()
    return " ".join(words)


def _feeds(rng: Random) -> list[Feed]:
    """4 agencies (full text), 26 summary-only outlets, 6 full-text republishers."""
    feeds: list[Feed] = []
    names = [h + t for h in _HEADS for t in _TAILS]
    rng.shuffle(names)
    for i, agency in enumerate(AGENCIES):
        feeds.append(Feed(key=f"ag{i}", name=agency, lang="en",
                          host=f"{agency.split()[0].lower()}.example", url_style="slug-id",
                          guid_style="tag", summary_only=False, section="wire"))
    for i in range(26):
        name = f"{names[i]} Daily"
        feeds.append(Feed(key=f"so{i:02d}", name=name, lang="en",
                          host=f"{names[i].lower()}daily.example",
                          url_style=rng.choice(URL_STYLES), guid_style=rng.choice(GUID_STYLES),
                          summary_only=True, cut=(100, 300), cut_mark=rng.choice(CUT_MARKS),
                          html_summary=rng.random() < 0.3,
                          section=rng.choice(("news", "latest", "top"))))
    for i in range(6):
        name = f"{names[30 + i]} Review"
        feeds.append(Feed(key=f"rp{i}", name=name, lang="en",
                          host=f"{names[30 + i].lower()}review.example",
                          url_style=rng.choice(URL_STYLES), guid_style=rng.choice(GUID_STYLES),
                          summary_only=False, section="syndicated"))
    return feeds


def _dateline(art: Article, style: str) -> str:
    if style == "kept":
        return f"{art.city.upper()}, {MONTH} {art.when.day} ({art.agency}) - "
    if style == "dropped":
        return ""
    if style == "dash":
        return f"{art.city} \u2014 "
    return f"{art.city.upper()}: "


def _summary(feed: Feed, text: str, rng: Random, url: str) -> tuple[str, str]:
    """A summary-only outlet's teaser and how it was cut (for the note)."""
    limit = rng.randint(*feed.cut)
    mark = feed.cut_mark if rng.random() < 0.8 else rng.choice(CUT_MARKS)
    teaser = cut_text(text, limit, mark, rng)
    if feed.html_summary:
        teaser = (f"<p>{html.escape(teaser, quote=False)}</p>"
                  f'<p><a href="{html.escape(url)}">Read the full story</a></p>')
    return teaser, f"cut at {limit} with {mark!r}"


def _carry(sink: Sink, feed: Feed, art: Article, group: str) -> None:
    rng = sink.rng
    style = rng.choice(("kept", "kept", "dropped", "dash", "caps"))
    when = later(rng, art.when, 10, 18 * 60)
    paragraphs = [_dateline(art, style) + art.lead, *art.body]
    title = art.title if rng.random() < 0.8 else f"{art.title} | {feed.name}"
    if feed.summary_only:
        # the URL is drawn by Sink.add; the teaser links to the feed's site
        teaser, how = _summary(feed, " ".join(paragraphs), rng, f"https://{feed.host}/")
        sink.add(feed, title=title, paragraphs=paragraphs, when=when, group=group,
                 kind=f"{art.kind}-teaser", summary=teaser,
                 note=f"summary-only copy, dateline {style}, {how}")
        return
    boiler = rng.random()
    if boiler < 0.45:
        paragraphs = [*paragraphs, f"This article originally appeared on {art.agency}."]
        kind = "republish-boilerplate-end"
    elif boiler < 0.65:
        paragraphs = [f"Originally published by {art.agency}.", *paragraphs]
        kind = "republish-boilerplate-start"
    else:
        kind = "republish"
    sink.add(feed, title=title, paragraphs=paragraphs, when=when, group=group,
             kind=f"{art.kind}-{kind}", note=f"full-text copy, dateline {style}")


def generate(seed: int, scale: float = 1.0) -> list[CorpusEntry]:
    """The truncated corpus for ``seed``: ~2,000 entries at scale 1.0, in fetch order."""
    rng = Random(f"truncated/{seed}")
    leads, background = _split_pool(rng)
    feeds = _feeds(rng)
    agencies, outlets = feeds[:4], feeds[4:]
    cities = [h + t for h in _HEADS for t in _TAILS]
    sink = Sink.new(rng)
    total = min(scaled(STORIES, scale), len(leads))
    written: list[tuple[Article, str]] = []
    for i in range(total):
        when = spread(rng, i, total)
        lead = leads[i]
        body = rng.sample(background, rng.randint(3, 7))
        kind = "story"
        if written and rng.random() < 0.12:  # a follow-up recaps an earlier story's lead
            earlier = rng.choice(written[-30:])[0]
            body = [earlier.lead, *body[:3]]
            kind = "follow-up"
        elif rng.random() < 0.08:
            lead = f"Statement issued by {rng.choice(ORGS)}: {lead}"
            kind = "statement"
        art = Article(title=_headline(lead.split(": ", 1)[-1], rng), city=rng.choice(cities),
                      agency=rng.choice(AGENCIES), lead=lead, body=body, when=when, kind=kind)
        origin = agencies[AGENCIES.index(art.agency)]
        group = f"t{seed}-{i:05d}"
        sink.add(origin, title=art.title, paragraphs=[_dateline(art, "kept") + lead, *body],
                 when=when, group=group, kind=kind, note=f"original by {art.agency}")
        written.append((art, group))
        if rng.random() < 0.78:
            count = rng.randint(1, 4)
            for feed in rng.sample(outlets, count):
                _carry(sink, feed, art, group)
    return sink.entries()
