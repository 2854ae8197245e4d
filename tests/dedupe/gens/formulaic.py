"""Formulaic news: wire briefs, market closes, match results, quake and wind alerts.

Written the way automated and wire desks write them: from stock sentences and headline
patterns, so unrelated stories share whole sentences ("The figures could not be
independently verified.") and headlines that differ only in a place name or a figure.
Four languages (English, German, Spanish, French), each with its own templates.
About half the feeds are summary-only.

Hard negatives by construction: two different quakes near one town on one day, the
same team's two matches in a week, one index's close on different days, and briefs of
one pattern about different towns.  ``recurring`` items ("Closing bell", "Daily seismic
summary") reuse one title every day for different figures.

Place, team and index names are made from this module's own syllables, so none of the
vocabulary is the legacy corpus's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from random import Random

from tests.dedupe.corpus import CorpusEntry
from tests.dedupe.gens.common import (
    CUT_MARKS,
    GUID_STYLES,
    URL_STYLES,
    Feed,
    Sink,
    later,
    pick_copies,
    scaled,
    spread,
)

STORIES = 900  # at scale 1.0; with copies about 2,000 entries
_HEADS = ("Vel", "Kor", "Tam", "Ost", "Rud", "Mar", "Sel", "Hal", "Dro", "Fen", "Gal",
          "Bra", "Cul", "Esk", "Lun", "Pell", "Quor", "Strand", "Tor", "Wex")
_TAILS = ("mar", "ven", "dor", "holt", "ska", "ria", "wick", "stad", "ow", "enne", "ach",
          "berg", "luz", "ano", "ille", "mouth")
WEEKDAYS = {"en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                   "Sunday"),
            "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag",
                   "Sonntag"),
            "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
            "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")}

# Stock sentences: whole sentences that many unrelated stories of a language carry.
STOCK = {
    "en": (
        "Officials familiar with the negotiations said the draft still contained {n} open "
        "points.",
        "A spokesperson for the ministry declined to comment on the figures.",
        "Observers called the proposal a modest improvement but said key details were "
        "missing.",
        "The figures could not be independently verified.",
        "Further talks are scheduled for later in the month.",
        "Opposition members said the plan came too late to make a difference.",
        "The authorities have promised a full review once the season is over.",
        "Local business groups welcomed the announcement with caution.",
        "Analysts said the outcome had been widely expected.",
        "Residents have been told to follow official channels for updates.",
        "The decision is expected to be challenged in court.",
        "Similar measures were introduced in {n} other districts last year.",
    ),
    "de": (
        "Die Opposition kritisierte die geplanten Ausgaben als zu hoch.",
        "Eine endgültige Entscheidung über einzelne Projekte steht noch aus.",
        "Der Bürgermeister sprach von einem tragfähigen Kompromiss.",
        "Berichte über Schäden lagen zunächst nicht vor.",
        "Die Verwaltung will die Zahlen im kommenden Monat erneut prüfen.",
        "Anwohner wurden gebeten, sich über die offiziellen Kanäle zu informieren.",
    ),
    "es": (
        "La oposición calificó las cuentas de insuficientes.",
        "El pleno volverá a debatir los detalles el próximo mes.",
        "No se han registrado daños materiales ni heridos, según las primeras informaciones.",
        "Los vecinos podrán consultar el documento en la sede municipal.",
        "El alcalde defendió que se trata de unas cuentas realistas.",
        "Las autoridades pidieron a la población mantener la calma.",
    ),
    "fr": (
        "L'opposition a dénoncé un budget jugé trop timide.",
        "Aucun dégât ni blessé n'a été signalé dans l'immédiat.",
        "Le détail des investissements sera présenté lors d'une prochaine séance.",
        "Le maire a salué un compromis responsable.",
        "Les habitants sont invités à suivre les consignes des autorités.",
        "Plusieurs associations ont réclamé davantage de concertation.",
    ),
}
MARKET_STOCK = (
    "Trading volume was {v} million shares, above the {k}-day average.",
    "Advancing issues outnumbered declining ones by {r} to one.",
    "Market participants said they were waiting for fresh economic data.",
    "Bond yields were little changed over the session.",
)
MATCH_STOCK = (
    "Both sides had chances in an even first half.",
    "The referee showed {c} yellow cards in a scrappy second half.",
    "The result leaves {team} on {pts} points.",
    "A crowd of {crowd} watched the game.",
)
QUAKE_STOCK = (
    "There were no immediate reports of damage or injuries.",
    "No tsunami warning was issued.",
    "The region sits on an active fault and experiences frequent tremors.",
    "Residents said the shaking lasted several seconds.",
)
WIND_STOCK = (
    "Residents were advised to secure loose objects and avoid unnecessary travel.",
    "Ferry operators said some crossings could be cancelled.",
    "Schools will open as normal unless the warning is raised.",
)


@dataclass(frozen=True)
class Story:
    """One story as first written: its title, paragraphs and what it is."""

    title: str
    paragraphs: list[str]
    kind: str
    when: datetime
    lang: str


@dataclass
class World:
    """The names one seed draws: towns, teams, indices, organisations."""

    towns: list[str]
    teams: list[str]
    indices: list[str]
    orgs: list[str]
    services: list[str]
    issues: list[str]


def _names(rng: Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(_HEADS) + rng.choice(_TAILS)
        if name not in names:
            names.append(name)
    return names


def _world(rng: Random) -> World:
    towns = _names(rng, 120)
    team_words = ("Rangers", "Harriers", "Dynamo", "Olympic", "Sporting", "Corinthians",
                  "Albion", "Wanderers")
    teams = [f"{town} {rng.choice(team_words)}" for town in towns[40:80]]
    indices = [f"{town} {rng.choice(('Composite', 'All-Share', 'Blue Chip 40', 'Growth 100'))}"
               for town in towns[24:32]]
    orgs = ["the Relief Coordination Office", "the Regional Water Board",
            "the Hospital Trust", "the Transit Authority", "the Housing Fund",
            "the Port Commission", "the Schools Council", "the Farmers' Union"]
    services = ["the bus network", "the night shelter", "the maternity ward",
                "the ferry link", "the school meals scheme", "the flood barrier project",
                "the rural clinic", "the water treatment plant"]
    issues = ["grazing rights", "fishing quotas", "water sharing", "tariff schedules",
              "border crossings", "pension reform", "port fees", "airspace rules"]
    return World(towns=towns, teams=teams, indices=indices, orgs=orgs, services=services,
                 issues=issues)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _stock(rng: Random, lang: str, count: int) -> list[str]:
    return [s.format(n=rng.randint(2, 9)) for s in rng.sample(STOCK[lang], count)]


def brief(rng: Random, w: World, when: datetime) -> Story:
    """A wire brief: specific lead, stock middle, specific close; patterned headline."""
    town, org, service, issue = (rng.choice(w.towns), rng.choice(w.orgs),
                                 rng.choice(w.services), rng.choice(w.issues))
    day = WEEKDAYS["en"][when.weekday()]
    n, m = rng.randint(3, 14), rng.randint(2, 90)
    pattern = rng.randrange(4)
    if pattern == 0:
        title = f"{_cap(org)} says {service} in {town} faces shutdown without fresh cash"
        lead = (f"{_cap(org)} said on {day} that {service} in {town} would close within {n} "
                f"weeks unless {m} million in delayed payments was released.")
    elif pattern == 1:
        title = f"Talks on {issue} in {town} stall as deadline nears"
        lead = (f"Negotiators meeting in {town} failed on {day} to agree on {issue}, with {n} "
                f"of {n + m % 7 + 2} chapters of the text still disputed.")
    elif pattern == 2:
        title = f"{town} council approves {n}-point plan on {issue}"
        lead = (f"The council of {town} approved a {n}-point plan on {issue} on {day} by "
                f"{m % 30 + 10} votes to {m % 9 + 1}, ending months of debate.")
    else:
        title = f"{_cap(org)} cautions {town} over {issue} after {m} complaints"
        lead = (f"{_cap(org)} has written to the authorities in {town} about {issue}, citing "
                f"{m} complaints received since the start of the year.")
    close = (f"{_cap(service)} in {town} last received extra funding {n % 5 + 2} years ago, "
             f"when {m // 2 + 1} million was set aside.")
    stock = _stock(rng, "en", rng.randint(3, 5))
    if rng.random() < 0.5:  # a stock sentence right after the lead: inside most teasers
        lead = f"{lead} {stock.pop()}"
    return Story(title, [lead, *stock, close], "brief", when, "en")


def market(rng: Random, w: World, when: datetime, index: str) -> Story:
    """One index's close: the same headline pattern every day, only figures differ."""
    move = rng.randint(1, 250) / 100
    up = rng.random() < 0.5
    level = rng.randint(2_000, 19_000) + rng.randint(0, 99) / 100
    day = WEEKDAYS["en"][when.weekday()]
    verb = rng.choice(("rises", "gains", "climbs")) if up else rng.choice(("slips", "drops",
                                                                             "falls"))
    title = f"{index} {verb} {move:.2f}% to close at {level:,.2f}"
    sector = rng.choice(("bank", "energy", "shipping", "retail", "mining", "telecom"))
    lead = (f"The {index} index ended {'higher' if up else 'lower'} on {day}, "
            f"{'rising' if up else 'falling'} {move:.2f} percent to {level:,.2f} points as "
            f"{sector} shares {'led' if up else 'lagged'}.")
    middle = [s.format(v=rng.randint(40, 900), k=rng.choice((10, 20, 30)),
                       r=rng.randint(2, 4)) for s in rng.sample(MARKET_STOCK, 2)]
    return Story(title, [lead, *middle], "market", when, "en")


def match(rng: Random, w: World, when: datetime, home: str, away: str) -> Story:
    """A result; the same team plays twice in the corpus's week (a hard negative)."""
    a, b = rng.randint(0, 4), rng.randint(0, 4)
    day = WEEKDAYS["en"][when.weekday()]
    scorer = f"{rng.choice(('Ade', 'Brun', 'Cosmin', 'Davor', 'Eliot', 'Faro'))} " \
             f"{rng.choice(('Maric', 'Okafor', 'Lund', 'Pereira', 'Tanaka', 'Wolff'))}"
    if a > b:
        title = f"{home} beat {away} {a}-{b}"
        lead = (f"{home} beat {away} {a}-{b} in the Second Division on {day}, with {scorer} "
                f"scoring {min(a, 2)} of the goals.")
    elif a < b:
        title = f"{away} win {b}-{a} at {home}"
        lead = (f"{away} won {b}-{a} away at {home} in the Second Division on {day}, "
                f"{scorer} scoring {min(b, 2)} of the goals.")
    else:
        title = f"{home} and {away} draw {a}-{b}"
        lead = f"{home} and {away} drew {a}-{b} in the Second Division on {day}."
    middle = [s.format(c=rng.randint(1, 7), team=home, pts=rng.randint(3, 40),
                       crowd=f"{rng.randint(2, 30)},{rng.randint(100, 999)}")
              for s in rng.sample(MATCH_STOCK, 2)]
    return Story(title, [lead, *middle], "match", when, "en")


def quake(rng: Random, w: World, when: datetime, town: str) -> Story:
    """An automatic quake report; a second quake near the same town is a different story."""
    mag = rng.randint(38, 71) / 10
    dist = rng.randint(3, 140)
    compass = rng.choice(("north", "south", "east", "west", "northeast", "southwest"))
    day = WEEKDAYS["en"][when.weekday()]
    title = f"Magnitude {mag:.1f} quake hits {dist} km {compass} of {town}"
    lead = (f"A magnitude {mag:.1f} earthquake struck {dist} kilometres {compass} of {town} at "
            f"{when:%H:%M} UTC on {day}, at a depth of {rng.randint(5, 80)} kilometres, the "
            f"seismological service said.")
    return Story(title, [lead, *rng.sample(QUAKE_STOCK, 2)], "quake", when, "en")


def wind(rng: Random, w: World, when: datetime) -> Story:
    town = rng.choice(w.towns)
    level = rng.choice(("Yellow", "Amber", "Orange", "Red"))
    gust = rng.randint(70, 160)
    day = WEEKDAYS["en"][when.weekday()]
    title = f"{level} wind warning for {town} as gusts reach {gust} km/h"
    lead = (f"Forecasters issued a {level.lower()} warning for {town} and the surrounding "
            f"coast on {day}, with gusts of up to {gust} kilometres per hour expected from "
            f"{rng.randint(12, 23)}:00 local time.")
    return Story(title, [lead, *rng.sample(WIND_STOCK, 2)], "wind", when, "en")


def foreign(rng: Random, w: World, when: datetime, lang: str) -> Story:
    """A municipal budget or a quake report in German, Spanish or French."""
    town = rng.choice(w.towns)
    day = WEEKDAYS[lang][when.weekday()]
    n, k, mag = rng.randint(12, 480), rng.randint(1, 12), rng.randint(35, 65) / 10
    budget = rng.random() < 0.6
    if lang == "de":
        title = (f"{town}: Gemeinderat beschließt Haushalt über {n} Millionen Euro" if budget
                 else f"Erdbeben der Stärke {mag:.1f} bei {town}")
        lead = (f"Der Gemeinderat von {town} hat am {day} einen Haushalt von {n} Millionen "
                f"Euro beschlossen, {k} Prozent mehr als im Vorjahr." if budget else
                f"Ein Erdbeben der Stärke {mag:.1f} hat am {day} die Region um {town} "
                f"erschüttert, {k * 7} Kilometer unter der Erdoberfläche.")
    elif lang == "es":
        title = (f"{town}: el ayuntamiento aprueba un presupuesto de {n} millones de euros"
                 if budget else f"Un terremoto de magnitud {mag:.1f} sacude {town}")
        lead = (f"El pleno de {town} aprobó el {day} un presupuesto de {n} millones de euros, "
                f"un {k} por ciento más que el año anterior." if budget else
                f"Un terremoto de magnitud {mag:.1f} sacudió el {day} la zona de {town}, a "
                f"{k * 7} kilómetros de profundidad.")
    else:
        title = (f"{town} : le conseil municipal adopte un budget de {n} millions d'euros"
                 if budget else f"Séisme de magnitude {mag:.1f} près de {town}")
        lead = (f"Le conseil municipal de {town} a adopté {day} un budget de {n} millions "
                f"d'euros, en hausse de {k} % sur un an." if budget else
                f"Un séisme de magnitude {mag:.1f} a frappé {day} la région de {town}, à "
                f"{k * 7} kilomètres de profondeur.")
    kind = "budget" if budget else "quake"
    return Story(title, [lead, *_stock(rng, lang, rng.randint(2, 3))], f"{kind}-{lang}", when,
                 lang)


# --------------------------------------------------------------------------- feeds


def _feeds(rng: Random) -> list[Feed]:
    """50 feeds: 32 English (3 wires), 6 each German, Spanish, French; ~half summary-only."""
    specs = [("en", 32), ("de", 6), ("es", 6), ("fr", 6)]
    words = ("Ledger", "Courier", "Dispatch", "Sentinel", "Herald", "Beacon", "Chronicle",
             "Observer", "Record", "Tribune", "Post", "Mercury")
    prefixes = ("UPDATED: ", "BREAKING: ", "Update 1-", "")
    feeds: list[Feed] = []
    towns = _names(rng, 60)
    for lang, count in specs:
        for i in range(count):
            town = towns[len(feeds)]
            name = f"The {town} {words[len(feeds) % len(words)]}"
            summary_only = rng.random() < 0.5
            feeds.append(Feed(
                key=f"{lang}{i:02d}", name=name, lang=lang,
                host=f"{town.lower()}-{words[len(feeds) % len(words)].lower()}.example",
                url_style=rng.choice(URL_STYLES), guid_style=rng.choice(GUID_STYLES),
                summary_only=summary_only, cut=(120, 260), cut_mark=rng.choice(CUT_MARKS),
                html_summary=rng.random() < 0.2,
                title_prefix=rng.choice(prefixes) if lang == "en" else "",
                title_suffix=rng.choice(("", "", f" | {name}", f" - {name}")),
                section=rng.choice(("news", "wire", "briefs", "world"))))
    # the wires write full text and carry no house decoration
    for i in range(3):
        feeds[i] = replace(feeds[i], summary_only=False, title_prefix="", title_suffix="",
                           section="wire")
    return feeds


def _copy_title(feed: Feed, title: str, rng: Random) -> str:
    if feed.title_prefix and rng.random() < 0.4:
        title = feed.title_prefix + title
    return title + feed.title_suffix


def _publish(sink: Sink, feeds: list[Feed], origin: Feed, story: Story, group: str,
             copies: int) -> None:
    rng = sink.rng
    sink.add(origin, title=story.title, paragraphs=story.paragraphs, when=story.when,
             group=group, kind=story.kind, note=f"{story.lang} original in {origin.key}")
    for feed in pick_copies(rng, feeds, origin, 1, copies) if copies else []:
        paragraphs = list(story.paragraphs)
        if len(paragraphs) > 2 and rng.random() < 0.3:
            paragraphs = paragraphs[:-1]  # the copy desk drops the last paragraph
        how = "summary" if feed.summary_only else "full"
        sink.add(feed, title=_copy_title(feed, story.title, rng), paragraphs=paragraphs,
                 when=later(rng, story.when), group=group, kind=f"{story.kind}-copy-{how}",
                 note=f"copy of {group} in {feed.key} ({how})")


def generate(seed: int, scale: float = 1.0) -> list[CorpusEntry]:
    """The formulaic corpus for ``seed``: ~2,000 entries at scale 1.0, in fetch order."""
    rng = Random(f"formulaic/{seed}")
    world = _world(rng)
    feeds = _feeds(rng)
    sink = Sink.new(rng)
    total = scaled(STORIES, scale)
    by_lang = {lang: [f for f in feeds if f.lang == lang] for lang in WEEKDAYS}
    wires = feeds[:3]
    for i in range(total):
        when = spread(rng, i, total)
        roll = rng.random()
        group = f"f{seed}-{i:05d}"
        copies = 3 if rng.random() < 0.6 else 0
        if roll < 0.30:
            story = brief(rng, world, when)
            origin = rng.choice(wires)
        elif roll < 0.45:
            story = market(rng, world, when, rng.choice(world.indices))
            origin = rng.choice(wires)
        elif roll < 0.55:
            home, away = rng.sample(world.teams, 2)  # each team plays 4-5 times a week
            story = match(rng, world, when, home, away)
            origin = rng.choice(by_lang["en"][3:])
        elif roll < 0.70:
            story = quake(rng, world, when, rng.choice(world.towns[:12]))
            origin = rng.choice(wires)
        elif roll < 0.80:
            story = wind(rng, world, when)
            origin = rng.choice(by_lang["en"][3:])
        else:
            lang = rng.choice(("de", "es", "fr"))
            story = foreign(rng, world, when, lang)
            origin = rng.choice(by_lang[lang])
        _publish(sink, feeds, origin, story, group, copies)
        if story.kind == "quake" and rng.random() < 0.35:  # a second quake near it, same day
            town = story.title.rsplit(" of ", 1)[1]
            second = quake(rng, world, when + timedelta(minutes=rng.randint(20, 300)), town)
            _publish(sink, feeds, origin, replace(second, kind="quake-second"), f"{group}-b",
                     copies)
    _recurring(sink, feeds, world, scale, seed)
    return sink.entries()


def _recurring(sink: Sink, feeds: list[Feed], world: World, scale: float, seed: int) -> None:
    """Daily items under one fixed title: 'Closing bell' and 'Daily seismic summary'."""
    rng = sink.rng
    days = max(2, scaled(9, min(1.0, scale * 2)))
    makers: list[tuple[str, Feed, Callable[[datetime], list[str]]]] = [
        ("Closing bell", feeds[5], lambda when: market(
            rng, world, when, world.indices[0]).paragraphs),
        ("Daily seismic summary", feeds[7], lambda when: [
            quake(rng, world, when, rng.choice(world.towns[:12])).paragraphs[0],
            quake(rng, world, when, rng.choice(world.towns[:12])).paragraphs[0]]),
    ]
    for title, feed, body in makers:
        for day in range(days):
            when = spread(rng, day, days) + timedelta(hours=1)
            group = f"f{seed}-rec-{feed.key}-{day}"
            paragraphs = body(when)
            sink.add(feed, title=title, paragraphs=paragraphs, when=when, group=group,
                     kind="recurring", note=f"{title!r} of day {day}")
            if rng.random() < 0.4:  # the feed's partner edition carries it too
                partner = feeds[(feeds.index(feed) + 1) % len(feeds)]
                sink.add(partner, title=title, paragraphs=paragraphs,
                         when=later(rng, when, 5, 90), group=group, kind="recurring-copy",
                         note=f"partner copy of {group}")
