"""Recurring and templated items: briefings, letters, markets, weather, scores, quake alerts.

These are the corpus's hard negatives by construction: the same title (or the same
one-line template) every day, with different content.  Each function returns plain
strings so the generator decides the HTML and the feed around them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from random import Random

from tests.dedupe.newsgen import WEEKDAYS, day_facts, person, slugify


@dataclass(frozen=True)
class Brief:
    """A templated item: title, plain paragraphs, and the facts that make it unique."""

    title: str
    paragraphs: tuple[str, ...]
    key: str  # what distinguishes it from its look-alikes (date, city, teams ...)
    slug: str


def pct(rng: Random, low: int, high: int) -> str:
    """A signed-looking percentage move with one decimal."""
    return f"{rng.randint(low, high) / 10:.1f}"


# --------------------------------------------------------------------------- briefings


def morning_briefing(rng: Random, when: datetime, headlines: list[str], house: str) -> Brief:
    """A newsletter-style digest linking the day's stories; same title every day."""
    facts = day_facts(when)
    picks = rng.sample(headlines, min(len(headlines), rng.randint(4, 6)))
    if house == "metro":
        intro = rng.choice((
            f"Good morning. It is {facts['day']}, {facts['date_long']}, and here is what you "
            "need to know today.",
            f"Good morning and welcome to your {facts['day']} briefing.",
        ))
        outro = rng.choice(("Have a good day.", "That's all for this morning.",
                            "See you tomorrow."))
    else:
        intro = rng.choice((
            f"Your morning briefing for {facts['day']} {facts['date_long']}: the stories "
            "that matter, in two minutes.",
            f"Hello and welcome to the Harbour Gazette briefing for {facts['day']}.",
        ))
        outro = rng.choice(("Thanks for reading.", "Sign up to receive this briefing by email.",
                            "Until tomorrow."))
    items = tuple(f"\u2022 {h}." for h in picks)
    editor = person(rng, "anglo")[0]
    return Brief("Morning briefing", (intro, *items, f"{outro} \u2014 {editor}"),
                 f"{house}:{when.date()}", f"morning-briefing-{when.date()}")


LETTER_TOPICS = (
    ("the new bus timetable", ("The changes to the 311 route have added twenty minutes to my "
     "commute.", "Nobody asked the people who actually ride the buses.",
     "Surely the council can find the money to run services after 9pm.")),
    ("rents", ("My daughter now spends more than half her wages on a one-bedroom flat.",
     "Building more homes near the rail lines seems the obvious answer.",
     "Landlords are not the only ones who deserve a fair return.")),
    ("the harbour redevelopment", ("The plans include almost no green space.",
     "Public access to the waterfront must be guaranteed in writing.",
     "We were promised a consultation that never happened.")),
    ("cycling lanes", ("As a driver I was sceptical, but the new lanes have made the high "
     "street calmer.", "The lane on Kings Road ends abruptly at the most dangerous junction.",
     "Painted lines are not protection.")),
    ("school funding", ("Teachers are buying paper and pens with their own money.",
     "The formula punishes small rural schools.", "Our parents' association raised more "
     "this year than the ministry gave us.")),
    ("noise from the airport", ("Night flights have increased despite promises.",
     "The insulation scheme covers too few streets.", "Residents were told the new flight "
     "path would be temporary.")),
    ("water restrictions", ("Gardens are dying while golf courses stay green.",
     "A leak on our street has run for three weeks.", "Rain tanks should be subsidised.")),
    ("the library hours", ("The central library now closes at 5pm on weekdays.",
     "Students have nowhere quiet to study.", "Libraries are the last free indoor public "
     "space we have.")),
    ("hospital waiting times", ("My mother waited eleven hours in the emergency department.",
     "The staff were wonderful but clearly exhausted.", "We need more beds, not more "
     "reviews.")),
    ("local elections", ("Turnout was shameful.", "Candidates should publish their donors "
     "before polling day.", "Postal voting should be easier for older residents.")),
)
SUBURBS = ("Northcote", "Bayview", "Elmwood", "Kingsford", "Riverside", "Hillcrest", "Marlow",
           "Ashgrove", "Seacliff", "Fairfield", "Glenbrook", "Westmere")


def letters(rng: Random, when: datetime, house: str) -> Brief:
    """Three readers' letters on local topics; the page is titled the same every day."""
    paragraphs: list[str] = []
    for topic, sentences in rng.sample(LETTER_TOPICS, 3):
        opener = rng.choice((f"Regarding {topic}:", f"On {topic}.",
                             f"I write about {topic}."))
        body = " ".join(rng.sample(sentences, 2))
        name = person(rng, rng.choice(("anglo", "anglo", "south_asia", "europe")))[0]
        paragraphs.append(f"{opener} {body} \u2014 {name}, {rng.choice(SUBURBS)}")
    return Brief("Letters to the editor", tuple(paragraphs), f"{house}:{when.date()}",
                 f"letters-to-the-editor-{when.date()}")


HISTORY_EVENTS = (
    (1869, "the Suez Canal opened to shipping"),
    (1903, "the city's first electric tram ran along George Street"),
    (1920, "the League of Nations held its first assembly in Geneva"),
    (1932, "the harbour bridge was opened after eight years of construction"),
    (1948, "the first Holden car rolled off the production line"),
    (1956, "the Olympic Games opened in Melbourne"),
    (1963, "the first push-button telephones went on sale"),
    (1969, "Apollo 12 landed on the Moon"),
    (1973, "the opera house was formally opened"),
    (1978, "the first test-tube baby conference was held in the city"),
    (1983, "the first mobile phone call was made on the city's network"),
    (1989, "crowds began dismantling the Berlin Wall"),
    (1990, "the first web page was published"),
    (1995, "the city's underground rail loop was completed"),
    (1997, "the Kyoto Protocol was adopted"),
    (2000, "the first crew arrived at the International Space Station"),
    (2004, "the museum of contemporary art reopened after a fire"),
    (2009, "the new container port began operations"),
    (2011, "the world's population was estimated to have reached seven billion"),
    (2015, "the Paris climate conference opened"),
    (1912, "the public library was founded with 4,000 books"),
    (1928, "the first traffic lights were installed in the city centre"),
    (1938, "a heatwave sent temperatures in the city to a record 45C"),
    (1951, "the city's first television licence was issued"),
    (1966, "decimal currency was introduced"),
    (1974, "a cyclone destroyed much of Darwin"),
    (1986, "the city hosted its first marathon"),
    (2001, "the harbour tunnel celebrated its ten millionth car"),
    (1959, "the Antarctic Treaty was signed"),
    (1945, "the United Nations charter came into force"),
    (1981, "the first space shuttle returned from orbit"),
    (1994, "the Channel Tunnel opened to passengers"),
)


def today_in_history(rng: Random, when: datetime, used: set[int]) -> Brief:
    """Three 'on this day' anniversaries, never repeating an event across days."""
    fresh = [i for i in range(len(HISTORY_EVENTS)) if i not in used]
    picks = sorted(rng.sample(fresh, 3), key=lambda i: HISTORY_EVENTS[i][0])
    used.update(picks)
    facts = day_facts(when)
    lines = [f"{HISTORY_EVENTS[i][0]}: {HISTORY_EVENTS[i][1].capitalize()}." for i in picks]
    intro = f"On this day, {facts['date_long']}:"
    return Brief("Today in history", (intro, *lines), f"history:{when.date()}",
                 f"today-in-history-{when.date()}")


# --------------------------------------------------------------------------- weather

CONDITIONS = ("Sunny", "Mostly sunny", "Partly cloudy", "Cloudy", "Showers", "Late storm",
              "Morning fog, then sunny", "Windy with showers", "Rain easing")
WIND_DIRS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


@dataclass(frozen=True)
class Forecast:
    """One day's conditions; two cities can share one, which makes twins."""

    condition: str
    high: int
    low: int
    wind_dir: str
    wind: int
    rain: int

    @staticmethod
    def draw(rng: Random) -> Forecast:
        """A plausible late-spring forecast."""
        high = rng.randint(19, 34)
        return Forecast(rng.choice(CONDITIONS), high, high - rng.randint(6, 13),
                        rng.choice(WIND_DIRS), rng.randint(10, 45), rng.choice(range(0, 95, 5)))


def forecast_item(city: str, when: datetime, fc: Forecast) -> Brief:
    """A per-city forecast line: identical for two cities on a day they share weather."""
    facts = day_facts(when)
    text = (f"{city}: {fc.condition}. Max {fc.high}\u00b0C, min {fc.low}\u00b0C. Wind "
            f"{fc.wind_dir} {fc.wind} km/h. Chance of rain {fc.rain}%.")
    return Brief(f"Forecast: {city}, {facts['day']} {facts['date_long']}", (text,),
                 f"weather:{city}:{when.date()}", f"{slugify(city)}-{when.date()}")


def weather_column(rng: Random, when: datetime, fc: Forecast) -> Brief:
    """The front-page 'Weather' item: same title daily, a sentence or two of forecast."""
    facts = day_facts(when)
    extra = rng.choice((
        "UV index very high; sun protection recommended from 9am.",
        "A cooler change is expected overnight.",
        "Pollen count high.", "Surf conditions moderate with a 1.5m swell.",
        "Fire danger rating: high in the west.",
    ))
    text = (f"{facts['day']}: {fc.condition.lower()}, top of {fc.high}C and a low of "
            f"{fc.low}C. Winds {fc.wind_dir} {fc.wind} km/h. {extra}")
    return Brief("Weather", (text,), f"weathercol:{when.date()}", f"weather-{when.date()}")


# --------------------------------------------------------------------------- markets


def markets_wrap(rng: Random, when: datetime) -> tuple[Brief, str]:
    """The agency's daily cross-asset wrap; returns the brief and its one-line mood."""
    facts = day_facts(when)
    up = rng.random() < 0.55
    move = pct(rng, 1, 14)
    mood = "higher" if up else "lower"
    driver = rng.choice((
        "investors weighed fresh signals on interest rates",
        "strong earnings from technology companies lifted sentiment",
        "a rise in bond yields unsettled traders",
        "oil prices swung on supply worries",
        "data showed factory activity slowing in Europe",
        "traders awaited US inflation figures due later in the week",
        "a weaker dollar supported emerging markets",
    ))
    brent = f"{rng.randint(6200, 8900) / 100:.2f}"
    gold = f"{rng.randint(24000, 29000) / 10:,.1f}"
    yield10 = f"{rng.randint(380, 470) / 100:.2f}"
    paragraphs = (
        f"World stocks ended {facts['day']} {mood}, with the global equity index "
        f"{'up' if up else 'down'} {move}%, as {driver}.",
        f"In Asia, the Nikkei 225 {'rose' if rng.random() < 0.5 else 'fell'} {pct(rng, 1, 20)}% "
        f"and the KOSPI moved {pct(rng, 1, 15)}%, while Hong Kong's Hang Seng "
        f"{rng.choice(('gained', 'slipped'))} {pct(rng, 1, 18)}%.",
        f"European shares {rng.choice(('edged up', 'dipped', 'were flat to slightly higher'))}"
        f", with the pan-European index closing at {rng.randint(480, 560)}."
        f"{rng.randint(10, 99)} points.",
        f"Brent crude settled at ${brent} a barrel and gold traded at ${gold} an ounce. The "
        f"benchmark 10-year US Treasury yield was {yield10}%.",
        rng.choice((
            "The dollar index was little changed against a basket of major currencies.",
            f"The dollar {rng.choice(('firmed', 'eased'))} {pct(rng, 1, 6)}% against the yen.",
        )),
    )
    return (Brief("Markets wrap", paragraphs, f"wrap:{when.date()}", f"markets-wrap-{when.date()}"),
            mood)


def stocks_report(rng: Random, when: datetime, market: str) -> Brief:
    """A closing report titled only 'Stocks rise' or 'Stocks fall'."""
    facts = day_facts(when)
    up = rng.random() < 0.6
    if market == "wall-street":
        main, second, third = "S&P 500", "Dow Jones Industrial Average", "Nasdaq Composite"
        sectors = ("technology", "energy", "healthcare", "banks", "consumer staples")
        where = "Wall Street"
    else:
        main, second, third = "FTSE 100", "STOXX 600", "DAX"
        sectors = ("miners", "banks", "oil majors", "housebuilders", "utilities")
        where = "European markets"
    leader, laggard = rng.sample(sectors, 2)
    level = rng.randint(4600, 8200)
    paragraphs = (
        f"{where} {'rose' if up else 'fell'} on {facts['day']}, with the {main} "
        f"{'gaining' if up else 'losing'} {pct(rng, 2, 19)}% to close at {level:,}.{rng.randint(10, 99)}.",
        f"The {second} {'added' if rng.random() < 0.6 else 'shed'} {pct(rng, 1, 15)}% and the "
        f"{third} moved {pct(rng, 1, 22)}%. {leader.capitalize()} led the "
        f"{'gains' if up else 'declines'}, while {laggard} lagged.",
        rng.choice((
            f"Trading volume was {'above' if rng.random() < 0.5 else 'below'} the 20-day average.",
            f"Investors are looking ahead to {WEEKDAYS[(when.weekday() + 2) % 7]}'s inflation "
            "data.",
            "Bond yields were steady and the dollar was little changed.",
        )),
    )
    title = "Stocks rise" if up else "Stocks fall"
    return Brief(title, paragraphs, f"stocks:{market}:{when.date()}",
                 f"stocks-{'rise' if up else 'fall'}-{when.date()}")


# --------------------------------------------------------------------------- short items

CLUBS: dict[str, tuple[str, ...]] = {
    "Premier Division": ("Harbour City", "Northcote Rovers", "Bayview United", "Westmere FC",
                         "Kingsford Athletic", "Seacliff Town"),
    "Coastal League": ("Port Alder", "Riverside Wanderers", "Glenbrook City", "Marlow Albion",
                       "Ashgrove Rangers", "Elmwood Park"),
    "National Cup": ("Hillcrest Celtic", "Fairfield Villa", "Redcliffe Rovers",
                     "Stonehaven United", "Caldwell City", "Brookvale FC"),
}
STADIUMS = ("Harbour Park", "the Riverside Ground", "Memorial Oval", "Kings Stadium",
            "Victoria Park", "the Showgrounds")


@dataclass(frozen=True)
class Match:
    """A result: competition, teams, score, scorer, day."""

    league: str
    home: str
    away: str
    home_goals: int
    away_goals: int
    scorer: str
    venue: str
    when: datetime


def score_brief(match: Match) -> Brief:
    """Scoreline's one-line result (under 25 words)."""
    facts = day_facts(match.when)
    hg, ag = match.home_goals, match.away_goals
    if hg > ag:
        verb = f"{match.home} beat {match.away} {hg}-{ag}"
    elif hg < ag:
        verb = f"{match.away} won {ag}-{hg} at {match.home}"
    else:
        verb = f"{match.home} and {match.away} drew {hg}-{ag}"
    text = f"{match.league}: {verb} at {match.venue} on {facts['day']}. {match.scorer} scored."
    return Brief(f"{match.home} {hg}-{ag} {match.away}", (text,),
                 f"match:{match.home}:{match.away}:{match.when.date()}",
                 f"{slugify(match.home)}-vs-{slugify(match.away)}")


def score_copy(match: Match) -> Brief:
    """The same result as another desk writes it (a sport-in-brief line)."""
    facts = day_facts(match.when)
    hg, ag = match.home_goals, match.away_goals
    title = f"{match.league}: {match.home} v {match.away}"
    text = (f"{match.home} {hg}, {match.away} {ag} ({match.league}, {facts['day']}). "
            f"Goal: {match.scorer}.")
    return Brief(title, (text,), f"match:{match.home}:{match.away}:{match.when.date()}",
                 f"{slugify(match.home)}-{slugify(match.away)}-{hg}-{ag}")


QUAKE_REGIONS = (
    ("Hualien, Taiwan", "Taiwan"), ("Hachijo-jima, Japan", "Japan"), ("Kermadec Islands",
    "the Kermadec Islands region"), ("Tonga", "Tonga"), ("Ternate, Indonesia",
    "the Molucca Sea"), ("Sola, Vanuatu", "Vanuatu"), ("Iquique, Chile", "northern Chile"),
    ("Acapulco, Mexico", "Guerrero, Mexico"), ("Petrolia, California", "northern California"),
    ("Adak, Alaska", "the Andreanof Islands, Alaska"), ("Kuril'sk, Russia", "the Kuril Islands"),
    ("Bitung, Indonesia", "northern Sulawesi"), ("Lata, Solomon Islands", "the Santa Cruz "
    "Islands"), ("Arica, Chile", "the Chile-Peru border region"), ("Sinabang, Indonesia",
    "Simeulue, Indonesia"), ("Namie, Japan", "eastern Honshu, Japan"),
)


@dataclass(frozen=True)
class Tremor:
    """A small quake an automatic feed reports: magnitude, place, depth, time."""

    mag: float
    dist: int
    direction: str
    place: str
    region: str
    depth: int
    when: datetime


def quake_alert(t: Tremor) -> Brief:
    """QuakeWatch's automatic title and one-sentence summary."""
    clock = t.when.strftime("%H:%M")
    text = (f"A magnitude {t.mag:.1f} earthquake occurred {t.dist} km {t.direction} of "
            f"{t.place} at {clock} UTC, at a depth of {t.depth} km.")
    return Brief(f"M {t.mag:.1f} - {t.dist} km {t.direction} of {t.place}", (text,),
                 f"tremor:{t.place}:{t.when.isoformat()}", "")


def quake_copy(t: Tremor) -> Brief:
    """The agency's one-line pick-up of the same alert."""
    facts = day_facts(t.when)
    text = (f"A quake of magnitude {t.mag:.1f} struck {t.region} at {t.when:%H:%M} GMT on "
            f"{facts['day']}, QuakeWatch said. The quake was {t.depth} km deep.")
    return Brief(f"Quake of magnitude {t.mag:.1f} strikes {t.region} - QuakeWatch", (text,),
                 f"tremor:{t.place}:{t.when.isoformat()}",
                 f"quake-of-magnitude-{str(t.mag).replace('.', '-')}-strikes-{slugify(t.region)}")


BRIEF_COMPANIES = ("Orinoco Cement", "Sakura Logistics", "Banyan Retail", "Condor Mining",
                   "Jacaranda Foods", "Kauri Energy", "Tamarind Textiles", "Baltic Ferries",
                   "Sahara Solar", "Aurora Biotech", "Lakeshore Insurance", "Monsoon Airlines",
                   "Cedar Paper", "Zambezi Copper", "Fjordline Ports", "Pearl River Plastics",
                   "Lima Tower REIT", "Nairobi Agritech")


def earnings_brief(rng: Random, company: str, when: datetime, currency: str) -> Brief:
    """An agency 'BRIEF-' item: a results line with numbers and nothing else."""
    rev = rng.randint(11, 990) / 10
    rev_prev = rev * rng.uniform(0.8, 1.2)
    profit = rng.randint(5, 900)
    profit_prev = max(1, int(profit * rng.uniform(0.5, 1.5)))
    text = (f"{company} Q3 net profit {profit} mln {currency} vs {profit_prev} mln {currency} "
            f"year ago; Q3 revenue {rev:.1f} bln {currency} vs {rev_prev:.1f} bln.")
    return Brief(f"BRIEF-{company} Q3 revenue {rev:.1f} bln {currency}", (text,),
                 f"brief:{company}", f"brief-{slugify(company)}-q3")
