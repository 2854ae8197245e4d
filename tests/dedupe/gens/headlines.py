"""Headline edits of every kind, recurring per-feed headlines, shared headline patterns.

Civic, culture and science news from towns, museums, hospitals and universities, in
English with some French and Spanish.  A copy of a story keeps its text (in full, or
cut by a summary-only feed) and changes its headline the ways copy desks do (``EDITS``):
a prefix (``BREAKING:``, ``UPDATED:``, ``EXCLUSIVE -``), a site suffix (``| Outlet``,
`` - Outlet``, `` — Outlet #2``), one verb swapped for a synonym, a typo, a change of
case, the clauses reordered (``X, mayor says`` / ``Mayor: X``), another quote style.

Hard negatives: every feed has recurring items ("Morning briefing", "Letters to the
editor", "In brief", "Today's weather", "Crossword answers") with a new body each day,
carried by the feed's mobile edition too; a notices feed whose items share one headline
pattern; stories of one pattern ("... warns X could close without new funding") about
different towns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

from tests.dedupe.corpus import CorpusEntry
from tests.dedupe.gens.common import (
    CUT_MARKS,
    GUID_STYLES,
    START,
    URL_STYLES,
    Feed,
    Sink,
    later,
    pick_copies,
    scaled,
    spread,
)

STORIES = 600  # at scale 1.0; with copies and recurring items about 2,000 entries
_HEADS = ("Ash", "Bel", "Carn", "Dal", "Elm", "Fair", "Glen", "Hol", "Kings", "Lang", "Mill",
          "Nor", "Pen", "Red", "Sand", "Wil")
_TAILS = ("ford", "ton", "brook", "field", "haven", "ley", "minster", "combe", "gate", "wood")
FIRST = ("Amara", "Bruno", "Celine", "Dmitri", "Esther", "Felix", "Greta", "Hamid", "Ines",
         "Jonas", "Keiko", "Lucia", "Marek", "Nadia", "Otto", "Priya", "Rafael", "Sunita")
LAST = ("Abernathy", "Brandt", "Castellanos", "Dufresne", "Eriksen", "Fontaine", "Gallo",
        "Hargreaves", "Iwasaki", "Jovanovic", "Kowalczyk", "Lindqvist", "Moreau", "Nakamura")
FACILITIES = ("the public library", "the lido", "the railway museum", "the children's ward",
              "the community orchestra", "the botanic garden", "the night bus service",
              "the covered market", "the observatory", "the youth theatre")
MONTHS = ("April", "May", "June", "July", "September", "October")
FINDINGS = ("a new species of beetle in the old quarry", "traces of a Roman road under the "
            "car park", "that the river is cleaner than in decades", "a medieval coin hoard "
            "near the ring road")
FILLER = (
    "The proposal will be discussed again at the next full meeting.",
    "A public consultation is open until the end of the month.",
    "Volunteers have kept the service going for the past two years.",
    "Similar schemes have been tried in neighbouring districts with mixed results.",
    "The decision follows months of campaigning by local residents.",
)

# One verb swapped for a synonym (whole words; the first that occurs is swapped).
SYNONYMS = {
    "warns": "cautions", "urges": "calls on", "stall": "falter", "unveil": "present",
    "acquires": "buys", "named": "appointed", "find": "discover", "reopen": "open again",
    "approves": "backs", "rejects": "turns down", "says": "claims", "calls": "labels",
    "alerte": "met en garde", "annonce": "dévoile", "advierte": "alerta",
    "aprueba": "da luz verde a",
}
PREFIXES = ("BREAKING: ", "UPDATED: ", "EXCLUSIVE - ", "Update 2: ", "WATCH: ", "Breaking - ")
PREFIXES_FOREIGN = {"fr": ("EN DIRECT - ", "INFO - "), "es": ("ÚLTIMA HORA: ", "EN DIRECTO - ")}
QUOTES = (('"', '"'), ("'", "'"), ("\u201c", "\u201d"), ("\u2018", "\u2019"),
          ("\u00ab", "\u00bb"))
RECURRING = ("Morning briefing", "Letters to the editor", "In brief", "Today's weather",
             "Crossword answers")


@dataclass(frozen=True)
class Story:
    main: str  # the headline's main clause; a quoted phrase is wrapped in \x01 \x02
    attrib: str  # "Hollford mayor" for "X, Hollford mayor says"; "" for none
    paragraphs: list[str]
    lang: str
    kind: str


def _person(rng: Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _english(rng: Random, towns: list[str], day: str) -> Story:
    town, other = rng.sample(towns, 2)
    facility, person = rng.choice(FACILITIES), _person(rng)
    n, year = rng.randint(3, 40), rng.randint(2028, 2034)
    pattern = rng.randrange(8)
    attrib = ""
    if pattern == 0:
        main = f"{facility[0].upper()}{facility[1:]} in {town} to reopen in {rng.choice(MONTHS)}"
        attrib = f"{town} mayor"
        lead = (f"{facility[0].upper()}{facility[1:]} in {town} will reopen after a "
                f"{n}-month refit, the town's mayor, {person}, said on {day}.")
    elif pattern == 1:
        main = f"Friends of {town} warns {facility} could close without new funding"
        lead = (f"A campaign group in {town} said on {day} that {facility} faces closure "
                f"within {n} months unless the council finds {n * 9} thousand pounds.")
    elif pattern == 2:
        main = f"{town} water company urges residents to cut use by {n} percent"
        lead = (f"The water company serving {town} asked households on {day} to reduce "
                f"consumption by {n} percent after reservoir levels fell to {60 - n // 2} "
                "percent.")
    elif pattern == 3:
        main = f"{town} festival organisers unveil {n}-day programme"
        lead = (f"Organisers of the {town} arts festival presented a {n}-day programme on "
                f"{day} with {n * 4} events in {n // 3 + 2} venues, led by artistic director "
                f"{person}.")
    elif pattern == 4:
        main = f"{town} museum acquires portrait by {person} for {n * 11} thousand"
        lead = (f"The {town} museum has bought a portrait by the painter {person} for "
                f"{n * 11} thousand pounds, its largest purchase since {year - 30}.")
    elif pattern == 5:
        main = f"Pay talks between nurses and {town} hospital stall"
        attrib = "union"
        lead = (f"Talks on pay between nurses and {town} General Hospital broke down on "
                f"{day} after the two sides failed to close a gap of {n} percent.")
    elif pattern == 6:
        main = f"{person} named head of {town} University"
        lead = (f"{person}, who led the engineering faculty at {other} for {n % 12 + 3} years, "
                f"will become head of {town} University in {rng.choice(MONTHS)}.")
    else:
        finding = rng.choice(FINDINGS)
        main = f"Researchers at {town} University find {finding}"
        lead = (f"A team from {town} University reported on {day} that they had found "
                f"{finding}, after a survey lasting {n} weeks.")
    if rng.random() < 0.25:  # a quoted phrase, whose quote marks copies restyle
        phrase = rng.choice(("a step backwards", "long overdue", "a lifeline",
                             "deeply disappointing"))
        main = f"{main}: critics call it \x01{phrase}\x02"
    close = (f"{person} is expected to give more details at a meeting in {town} in "
             f"{rng.choice(MONTHS)}, when {n + 2} proposals will be presented.")
    return Story(main, attrib, [lead, *rng.sample(FILLER, 2), close], "en", f"p{pattern}")


def _foreign(rng: Random, towns: list[str], lang: str) -> Story:
    town, person, n = rng.choice(towns), _person(rng), rng.randint(3, 60)
    m, k = rng.randint(2, 90), rng.randint(3, 36)
    if lang == "fr":
        if rng.random() < 0.5:
            main = f"{town} : la mairie annonce la réouverture de la médiathèque après {n} mois"
            lead = (f"La médiathèque de {town} rouvrira ses portes après {n} mois de travaux, "
                    f"a indiqué le maire, {person}.")
        else:
            main = f"La préfecture alerte sur la sécheresse à {town} : nappes à -{n} %"
            lead = (f"Le niveau des nappes à {town} est inférieur de {n} % à la normale, "
                    "selon la préfecture, qui appelle à limiter l'arrosage.")
        filler = [f"{_person(rng)}, adjoint chargé du dossier, évoque un coût de {m} "
                  f"millions d'euros et un calendrier de {k} mois.",
                  *rng.sample(("Une réunion publique est prévue le mois prochain.",
                               "Les associations locales saluent une bonne nouvelle.",
                               "Le projet sera soumis au vote en conseil.",
                               "Les riverains restent partagés."), 2)]
    else:
        if rng.random() < 0.5:
            main = f"El ayuntamiento de {town} aprueba {n} millones para el mercado"
            lead = (f"El pleno de {town} aprobó una inversión de {n} millones para reformar "
                    f"el mercado central, según explicó la alcaldesa, {person}.")
        else:
            main = f"La confederación advierte de la sequía en {town}: embalses al {n} %"
            lead = (f"Los embalses que abastecen {town} están al {n} por ciento de su "
                    "capacidad, advirtió la confederación hidrográfica.")
        filler = [f"{_person(rng)}, concejal del área, cifró el coste en {m} millones y el "
                  f"plazo en {k} meses.",
                  *rng.sample(("Los vecinos podrán presentar alegaciones durante un mes.",
                               "Las obras comenzarán previsiblemente en otoño.",
                               "La oposición pidió más información.",
                               "El proyecto se votará en el próximo pleno."), 2)]
    return Story(main, "", [lead, *filler], lang, f"{lang}-story")


def render(story: Story, quotes: tuple[str, str] = QUOTES[0], reordered: bool = False) -> str:
    """The headline: main clause (+ attribution), with the given quote marks."""
    main = story.main.replace("\x01", quotes[0]).replace("\x02", quotes[1])
    if not story.attrib:
        return main
    if reordered:
        return f"{story.attrib[0].upper()}{story.attrib[1:]}: {main[0].lower()}{main[1:]}"
    return f"{main}, {story.attrib} says"


def _typo(title: str, rng: Random) -> str:
    spots = [i for i in range(1, len(title) - 2) if title[i].isalpha() and title[i + 1].isalpha()]
    i = rng.choice(spots)
    how = rng.randrange(3)
    if how == 0:
        return title[:i] + title[i + 1] + title[i] + title[i + 2:]  # swapped letters
    if how == 1:
        return title[:i] + title[i + 1:]  # dropped letter
    return title[:i] + title[i] + title[i:]  # doubled letter


def _swap_verb(title: str) -> str:
    for word, other in SYNONYMS.items():
        swapped, count = re.subn(rf"\b{re.escape(word)}\b", other, title, count=1)
        if count:
            return swapped
    return title


def _case(title: str, rng: Random) -> str:
    """Title Case, UPPER CASE or lower case: whichever differs, picked at random."""
    options = [" ".join(w[:1].upper() + w[1:] for w in title.split(" ")), title.upper(),
               title.lower()]
    return rng.choice([o for o in options if o != title] or options)


def _applicable(story: Story) -> list[str]:
    """The edits that change this story's headline (no reorder without an attribution)."""
    names = ["prefix", "suffix", "typo", "case"]
    if story.attrib:
        names.append("reorder")
    if "\x01" in story.main:
        names.append("quotes")
    if _swap_verb(render(story)) != render(story):
        names.append("verb")
    return names


def edit_headline(story: Story, feed: Feed, rng: Random) -> tuple[str, list[str]]:
    """A copy's headline and the names of the edits made (at least one, often two)."""
    names = rng.sample(_applicable(story), rng.choice((1, 1, 2, 2, 3)))
    quotes = rng.choice(QUOTES[1:]) if "quotes" in names else QUOTES[0]
    title = render(story, quotes, reordered="reorder" in names)
    if "verb" in names:
        title = _swap_verb(title)
    if "typo" in names:
        title = _typo(title, rng)
    if "case" in names:
        title = _case(title, rng)
    if "prefix" in names:
        title = rng.choice(PREFIXES_FOREIGN.get(story.lang, PREFIXES)) + title
    if "suffix" in names:
        title += feed.title_suffix or f" | {feed.name}"
    elif feed.title_suffix and rng.random() < 0.5:
        title += feed.title_suffix
        names.append("suffix")
    return title, sorted(names)


# --------------------------------------------------------------------------- feeds


def _feeds(rng: Random, towns: list[str]) -> list[Feed]:
    """24 English feeds (half summary-only), 4 French, 4 Spanish, and a notices feed."""
    feeds: list[Feed] = []
    kinds = ("Gazette", "Echo", "Advertiser", "Standard", "Journal", "Times")
    for lang, count in (("en", 24), ("fr", 4), ("es", 4)):
        for i in range(count):
            town = towns[len(feeds)]
            name = f"{town} {kinds[len(feeds) % len(kinds)]}"
            suffix = rng.choice(("", "", f" | {name}", f" - {name}", f" \u2014 {name} #2"))
            feeds.append(Feed(
                key=f"{lang}{i:02d}", name=name, lang=lang,
                host=f"{town.lower()}{kinds[len(feeds) % len(kinds)].lower()}.example",
                url_style=rng.choice(URL_STYLES), guid_style=rng.choice(GUID_STYLES),
                summary_only=i % 2 == 1, cut=(150, 350), cut_mark=rng.choice(CUT_MARKS),
                html_summary=rng.random() < 0.25, title_suffix=suffix,
                section=rng.choice(("news", "local", "culture"))))
    feeds.append(Feed(key="notices", name="Council Notices", lang="en",
                      host="notices.example", url_style="numeric", guid_style="numeric",
                      summary_only=False, section="notices"))
    return feeds


def _mobile(feed: Feed) -> Feed:
    """The feed's mobile edition: same items, its own ids and URLs."""
    return Feed(key=f"{feed.key}m", name=feed.name, lang=feed.lang, host=f"mobile-{feed.host}",
                url_style="numeric", guid_style="urn", summary_only=True, cut=(200, 400),
                cut_mark="\u2026", section=feed.section)


def generate(seed: int, scale: float = 1.0) -> list[CorpusEntry]:
    """The headlines corpus for ``seed``: ~2,000 entries at scale 1.0, in fetch order."""
    rng = Random(f"headlines/{seed}")
    towns = [h + t for h in _HEADS for t in _TAILS]
    rng.shuffle(towns)
    feeds = _feeds(rng, towns)
    story_towns = towns[40:100]
    sink = Sink.new(rng)
    total = scaled(STORIES, scale)
    days: dict[tuple[str, int], list[str]] = {}  # (feed, day) -> its headlines
    for i in range(total):
        when = spread(rng, i, total)
        lang = "en" if rng.random() < 0.8 else rng.choice(("fr", "es"))
        story = (_english(rng, story_towns, f"{when:%A}") if lang == "en"
                 else _foreign(rng, story_towns, lang))
        origin = rng.choice([f for f in feeds if f.lang == lang])
        group = f"h{seed}-{i:05d}"
        title = render(story)
        sink.add(origin, title=title, paragraphs=story.paragraphs, when=when, group=group,
                 kind=story.kind, note=f"original in {origin.key}")
        days.setdefault((origin.key, (when - START).days), []).append(title)
        if rng.random() < 0.7:
            for feed in pick_copies(rng, feeds[:-1], origin, 1, 3):
                copy_title, names = edit_headline(story, feed, rng)
                paragraphs = story.paragraphs if rng.random() < 0.7 else story.paragraphs[:2]
                sink.add(feed, title=copy_title, paragraphs=paragraphs, when=later(rng, when),
                         group=group, kind=f"copy-{'+'.join(names)}",
                         note=f"copy in {feed.key}: {', '.join(names)}")
    _recurring(sink, feeds, days, scale, seed, story_towns)
    _notices(sink, feeds[-1], scale, seed, story_towns)
    return sink.entries()


def _recurring(sink: Sink, feeds: list[Feed], days: dict[tuple[str, int], list[str]],
               scale: float, seed: int, towns: list[str]) -> None:
    """Each of eight feeds runs two or three series, one item a day, new body each day."""
    rng = sink.rng
    bodies: dict[str, Callable[[Feed, datetime, int], list[str]]] = {
        "Morning briefing": lambda feed, when, day: [
            f"Good morning from the {feed.name}. It is {when:%A} {when:%d %B}, and this is "
            "what we are following today.",
            *(f"{t}." for t in _picks(rng, days, feed.key, day, towns))],
        "Letters to the editor": lambda feed, when, day: [
            f"Sir, your report on {rng.choice(FACILITIES)} in {rng.choice(towns)} left out "
            f"the {rng.randint(2, 900)} people who signed our petition.",
            f"Yours, {_person(rng)}, {rng.choice(towns)}."],
        "In brief": lambda feed, when, day: [
            f"{rng.choice(FACILITIES)[4:].capitalize()} in {rng.choice(towns)} will close "
            f"early on {when + timedelta(days=rng.randint(1, 5)):%A %d %B} for maintenance, "
            f"from {rng.randint(1, 9)} pm."],
        "Today's weather": lambda feed, when, day: [
            f"{rng.choice(('Cloudy', 'Sunny spells', 'Showers', 'Fog clearing'))}, highs of "
            f"{rng.randint(4, 24)}C and lows of {rng.randint(-4, 9)}C; wind "
            f"{rng.choice(('north', 'south', 'west'))} at {rng.randint(5, 45)} km/h."],
        "Crossword answers": lambda feed, when, day: [
            f"Solutions to the {feed.name} puzzle No {14_000 + day}: 1 across "
            f"{rng.choice(('LANTERN', 'ORBIT', 'QUARRY', 'MEADOW'))}, 5 across "
            f"{rng.choice(('TIDAL', 'EMBER', 'CANDID', 'RIVET'))}, 2 down "
            f"{rng.choice(('HARBOUR', 'SPINDLE', 'VELVET', 'NOMAD'))}."],
    }
    count = max(2, scaled(9, min(1.0, scale * 2)))
    for f_index, feed in enumerate(feeds[:8]):
        series = [RECURRING[(f_index + k) % len(RECURRING)] for k in range(2 + f_index % 2)]
        for title in series:
            for day in range(count):
                when = spread(rng, day, count) + timedelta(minutes=rng.randint(0, 90))
                paragraphs = bodies[title](feed, when, (when - START).days)
                group = f"h{seed}-rec-{feed.key}-{slug(title)}-{day}"
                sink.add(feed, title=title, paragraphs=paragraphs, when=when, group=group,
                         kind="recurring", note=f"{title!r}, day {day}")
                if rng.random() < 0.5:
                    sink.add(_mobile(feed), title=title, paragraphs=paragraphs,
                             when=later(rng, when, 2, 60), group=group, kind="recurring-copy",
                             note="the mobile edition's copy")


def _picks(rng: Random, days: dict[tuple[str, int], list[str]], feed: str, day: int,
           towns: list[str]) -> list[str]:
    """A briefing's three items: the feed's own headlines of the day, then agenda items.

    Never another feed's headlines: two outlets' briefings listing the same stories
    would be near-duplicate texts of different items, a trap no matcher should face.
    """
    own = days.get((feed, day), [])[:3]
    agenda = [f"{rng.choice(FACILITIES)[4:].capitalize()} in {rng.choice(towns)} holds an "
              f"open day from {rng.randint(8, 11)} am to {rng.randint(1, 6)} pm"
              for _ in range(3 - len(own))]
    return own + agenda


def slug(text: str) -> str:
    return re.sub(r"[^a-z]+", "-", text.lower()).strip("-")


def _notices(sink: Sink, feed: Feed, scale: float, seed: int, towns: list[str]) -> None:
    """Road closures: one headline pattern, different streets, towns and dates."""
    rng = sink.rng
    streets = ("Mill Lane", "Station Road", "Church Street", "Quarry Hill", "Bridge Street",
               "Orchard Way")
    for i in range(scaled(40, scale)):
        when = spread(rng, i, scaled(40, scale))
        street, town = rng.choice(streets), rng.choice(towns)
        start = when + timedelta(days=rng.randint(1, 10))
        title = f"Road closure: {street}, {town}"
        body = [f"{street} in {town} will be closed from {start:%A %d %B} for "
                f"{rng.randint(2, 20)} days while {rng.choice(('gas mains', 'drains', 'cables'))}"
                f" are replaced.", f"A diversion via {rng.choice(streets)} will be signed."]
        sink.add(feed, title=title, paragraphs=body, when=when, group=f"h{seed}-notice-{i}",
                 kind="notice", note="shares its headline pattern with the feed's other notices")
