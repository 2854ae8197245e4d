"""Story templates by topic, and the renderer that turns facts into an article.

A ``Topic`` knows how to draw the facts of one event (``draw``), how to move them on a
day later (``evolve``, for follow-up stories), and holds sentence templates grouped in
*slots*: each slot is one thing a story may say, with two or three ways of saying it.
Two stories on the same topic pick different slots, alternatives and facts, so they
read alike only as much as two real wire stories about two floods do.  An *independent*
rendering of the same facts (another outlet's own reporting) avoids the slots and
alternatives the first rendering used, so it shares facts and sometimes a quote, but
little wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from random import Random

from tests.dedupe.newsgen import (
    COMPASS,
    COUNTRIES,
    COUNTRY_BY_NAME,
    Country,
    Facts,
    capitalize_first,
    country_facts,
    day_facts,
    dollars,
    expand,
    num,
    number_word,
    other_city,
    person,
    round_to,
)

QUOTE = -1  # the slot index of the quote sentence in a Plan
LOCAL = -2  # slot indices below this are local-colour sentences (independent articles)
MAX_PARAGRAPHS = 8


@dataclass(frozen=True)
class Topic:
    """One kind of event and every template needed to write about it."""

    name: str
    section: str  # "world" or "business": which wire feed carries it
    draw: Callable[[Random, datetime], Facts]
    headlines: tuple[str, ...]
    leads: tuple[str, ...]
    quotes: tuple[str, ...]  # ways to attribute {quote}
    slots: tuple[tuple[str, ...], ...]
    voices: tuple[str, ...] = ()  # local colour for independent coverage
    followup_headlines: tuple[str, ...] = ()
    followup_leads: tuple[str, ...] = ()
    followup_slots: tuple[tuple[str, ...], ...] = ()
    evolve: Callable[[Random, Facts, datetime], Facts] | None = None


@dataclass(frozen=True)
class Plan:
    """Which templates a rendering used, so a second rendering can avoid them."""

    headline: int
    lead: int
    body: tuple[tuple[int, int], ...]  # (slot index, alternative index); QUOTE, LOCAL-k


@dataclass(frozen=True)
class Article:
    """A rendered story: headline and plain-text paragraphs (the lead is the first)."""

    headline: str
    paragraphs: tuple[str, ...]
    plan: Plan
    lead: str  # the first sentence, as it starts paragraphs[0]


# --------------------------------------------------------------------------- shared voices

DISASTER_VOICES = (
    "{resident}, a {resident_age}-year-old {resident_job} in {city}, said the family had "
    "[lost almost everything|spent the night on a neighbour's roof|waited hours for help to "
    "arrive].",
    "\"{resident_quote},\" said {resident}, who [runs a small shop|drives a taxi|teaches at a "
    "primary school] in the [old town|market district|port area].",
    "In the [market district|old town|port area] of {city}, shopkeepers [counted their "
    "losses|began clearing debris] on {day}, [and some said they had received no help yet|while "
    "volunteers handed out food and water].",
)

ANALYST_VOICES = (
    "{analyst}, [an economist|a senior analyst|head of research] at {analyst_firm}, said the "
    "[decision|announcement|outcome] [was largely expected|had been widely anticipated|surprised "
    "some investors] [but that the details mattered|given recent data].",
    "\"{analyst_quote},\" said {analyst} of {analyst_firm}.",
    "[Local business groups|Industry associations] [welcomed|broadly welcomed] the "
    "[news|announcement] [but said they wanted more clarity on timing|while warning that "
    "implementation would be key].",
)

RESIDENT_QUOTES = (
    "We had almost no warning",
    "Nobody from the government has come to see us yet",
    "We are alive, and that is what matters now",
    "I have lived here for thirty years and never seen anything like it",
    "We don't know when we can go back home",
    "The children are frightened and we have nowhere else to go",
)
ANALYST_QUOTES = (
    "The market will now focus on what comes next",
    "This is broadly in line with what we had pencilled in",
    "The details matter more than the headline",
    "We see the risks tilted to the downside",
    "It buys time, but it does not solve the underlying problem",
    "Investors were positioned for this outcome",
)
ANALYST_FIRMS = ("Andes Capital", "Coral Street Research", "Harbourview Securities",
                 "Meranti Advisory", "Kite Point Economics", "Baobab Partners",
                 "Nordlys Markets", "Southern Cross Economics")
JOBS = ("fisherman", "market trader", "nurse", "schoolteacher", "taxi driver", "farmer",
        "shop owner", "retired civil servant", "student", "construction worker")

DISASTER_QUOTE_SLOT = (
    "\"{quote},\" {official}, the {official_title}, told reporters [at a briefing in "
    "{city}|on {day}].",
    "{official}, the {official_title}, said: \"{quote}.\"",
    "\"{quote},\" said {official}, the {official_title}[, in a statement| on local radio].",
)
POLICY_QUOTE_SLOT = (
    "\"{quote},\" {official} said [in a statement|at a news conference in {capital}].",
    "{official}, the {official_title}, told reporters: \"{quote}.\"",
    "\"{quote},\" {official_last} said[ after the announcement| on {day}].",
)

DISASTER_FAMILY: tuple[tuple[str, ...], ...] = (
    (
        "The {adj} government said it would release {relief} in emergency relief for the "
        "worst-hit districts.",
        "{leader_title} {leader} [announced|approved] {relief} in emergency aid and ordered the "
        "army to support [rescue|relief] operations.",
    ),
    (
        "[The Red Cross|Aid agencies] said [clean water|shelter], food and medical supplies were "
        "[the most urgent needs|urgently needed] in {city} and surrounding areas.",
        "[International aid groups|United Nations agencies] said they were ready to help [if "
        "asked|at the government's request], and a first convoy of relief supplies left "
        "{capital} on {day}.",
    ),
    (
        "{missing} people were still [missing|unaccounted for], the {agency} said, [many of them "
        "in outlying villages|most of them in areas that remain cut off].",
        "Police said {missing} people [had been reported missing|remained missing], and that "
        "search teams with sniffer dogs had been sent [to the worst-hit areas|from {capital}].",
    ),
)

DISASTER_EXTRA: tuple[tuple[str, ...], ...] = (
    (
        "The {agency} said {teams} rescue teams, [including army engineers and "
        "volunteers|backed by helicopters and boats], had been deployed [to the area|across the "
        "region].",
        "[Army units|Soldiers] and {teams} specialist rescue teams [were sent|arrived] from "
        "{capital} [overnight|on {day}], [officials said|the defence ministry said].",
    ),
    (
        "Insurers said it was too early to estimate [losses|the damage], [but industry analysts "
        "put the figure at several hundred million dollars|though claims were expected to be "
        "large].",
        "[Business groups|Chambers of commerce] in {city} said [hundreds of|many] small "
        "businesses had [lost stock|been forced to close], [and asked for tax relief|and called "
        "for cheap emergency loans].",
    ),
    (
        "Mobile operators [offered|announced] free calls and data [in the affected area|for a "
        "week] so that residents could contact relatives, [the telecoms regulator said|officials "
        "said].",
        "[Volunteers|Community groups] [set up kitchens|organised collections of food and "
        "clothing] in [mosques, churches and schools|community centres] across {city}, [and "
        "donations arrived from other parts of the country|while companies offered trucks to "
        "move supplies].",
    ),
    (
        "The {agency} [urged|asked] residents to follow official updates [and to keep emergency "
        "kits ready|rather than rumours on social media], [warning that|saying] "
        "[misinformation had caused panic|false reports were hampering the response].",
    ),
    (
        "Local officials said [sirens and text alerts|an early-warning text message] had "
        "reached about {alerted}% of households [before the worst of the disaster|in time], [a "
        "claim some residents disputed|although some said they never received one].",
    ),
    (
        "The [United Nations|World Food Programme] said it was [preparing|ready] to send "
        "[emergency food supplies|tents and hygiene kits] [if the government asked for "
        "help|from its regional hub].",
        "Opposition politicians [said the disaster exposed|accused the government of] [years "
        "of underinvestment in|neglecting] [early-warning systems|disaster preparedness], [a "
        "charge ministers rejected|and called for an independent review].",
    ),
    (
        "[Engineers|Inspectors] began [assessing|checking] [bridges, roads and dams|schools "
        "and hospitals] in the area on {day}, and the {official_title} said [a full damage "
        "assessment would take|repairs could take] [weeks|several months].",
    ),
)

ECON_FAMILY: tuple[tuple[str, ...], ...] = (
    (
        "The International Monetary Fund [last month|in October] [forecast|projected] {adj} "
        "growth of {imf_growth}% next year, [citing weaker global demand|and warned of risks "
        "from trade tensions].",
        "[Most forecasters|Private economists] expect growth of about {imf_growth}% next year, "
        "[below|roughly in line with] [the government's own projection|the average of the past "
        "decade].",
    ),
    (
        "The benchmark {index} closed {idx_move}% [higher|lower] on {day}, [with banks among "
        "the biggest movers|as investors digested the news].",
    ),
    (
        "Government debt has risen to about {debt_pct}% of gross domestic product, [limiting "
        "room for fiscal support|and the finance ministry has promised to narrow the deficit "
        "next year].",
        "The finance ministry is due to present next year's budget [in December|within weeks], "
        "[and investors will look for signs of spending restraint|with fuel subsidies expected "
        "to be trimmed].",
    ),
    (
        "[Household spending|Retail sales] [slowed|picked up] in the third quarter, [data "
        "showed last week|according to figures released earlier this month], with unemployment "
        "at {unemp}%.",
        "Unemployment stood at {unemp}% in the latest survey, [and wage growth has|while wage "
        "growth has] [slowed|stayed firm] [in recent months|since the summer].",
    ),
    (
        "Prices of [food and fuel|imported goods] have been [a key driver|the main source] of "
        "inflation [this year|since the summer], [partly because of the weaker {currency}|as "
        "global commodity prices swung].",
        "Exporters [have complained|say] that swings in the {currency} have made their goods "
        "[less competitive|harder to price] abroad.",
    ),
    (
        "The {currency} has [gained|lost] about {fx_ytd}% against the dollar this year, "
        "[leaving it among the region's|making it one of the region's] [more volatile|most "
        "closely watched] currencies.",
        "[Business confidence|Consumer confidence] [improved|dipped] in {month_data}, [a survey "
        "by the chamber of commerce showed|according to a central bank survey], [as firms "
        "reported stronger orders|with companies reporting weaker orders].",
    ),
    (
        "[Bond investors|Foreign investors] [have been buying|have trimmed holdings of] {adj} "
        "government debt [in recent weeks|since September], [finance ministry data "
        "show|according to central bank figures].",
    ),
    (
        "[The government|The finance ministry] [has forecast|expects] a budget deficit of "
        "{deficit}% of GDP this year, [and ratings agencies have warned|with ratings agencies "
        "warning] [about the pace of consolidation|that the target could slip].",
    ),
)

POLITICS_FAMILY: tuple[tuple[str, ...], ...] = (
    (
        "{leader_title} {leader}, [who took office in {took_office}|in power since "
        "{took_office}], has promised to focus on {pol_theme}.",
        "The government of {leader_title} {leader} has made {pol_theme} [a priority|central to "
        "its agenda] [since taking office in {took_office}|this year].",
    ),
    (
        "The government's approval rating [stood at|has fallen to] {approval}% in [a poll "
        "published last week|the latest survey by {pollster}].",
        "A survey by {pollster} [last month|in October] put support for the [government|ruling "
        "coalition] at {approval}%, [its lowest since {took_office}|broadly unchanged from the "
        "summer].",
    ),
    (
        "Opposition leader {opp_leader} [criticised|attacked] the government's handling of the "
        "matter, [calling it short-sighted|describing it as a missed opportunity].",
        "{opp_leader}, who leads the [main opposition party|opposition in parliament], [said "
        "the government had acted too slowly|called for the details to be published in full].",
    ),
    (
        "[Parliament|The national assembly] is expected to [debate|vote on] related "
        "legislation [before the end of the year|when it returns from recess in {next_month}].",
    ),
    (
        "[Diplomats|Observers] in {capital} said the [development|move] [would be watched "
        "closely|was likely to be followed closely] by [neighbouring countries|foreign "
        "investors].",
        "[The issue|The debate] has [divided|polarised] opinion in {country}, where [the "
        "economy and living costs remain voters' main concerns|protests were held in {capital} "
        "earlier this year].",
    ),
    (
        "[Newspapers|Commentators] in {capital} were divided over the [news|decision], [with "
        "some calling it overdue|with one editorial calling it a turning point] [and others "
        "warning of the costs|while others questioned the timing].",
        "The {currency} [was little changed|barely reacted] [after the announcement|on {day}], "
        "and the {index} [closed {idx_move}% higher|ended {idx_move}% lower].",
    ),
    (
        "The next general election is due in {election_year}, [and|with] [opinion polls "
        "showing a tight race|the governing coalition trailing in most polls].",
        "[Foreign governments|Neighbouring governments] [have so far not commented|were quick "
        "to comment], [although the European Union said it was studying the details|and "
        "several welcomed the news].",
    ),
    (
        "[Business leaders|Investors] said they would [study the details|wait to see how the "
        "decision is implemented] before [committing to new projects|changing their plans], "
        "[according to the national chamber of commerce|a survey of executives showed].",
        "[Civil society groups|Rights groups] [said|warned] that [the public had not been "
        "consulted|the process had lacked transparency], [and called for hearings in "
        "parliament|demanding the publication of all related documents].",
    ),
)

BUSINESS_FAMILY: tuple[tuple[str, ...], ...] = (
    (
        "{firm} employs about {employees} people [in {n_countries} countries|across its "
        "operations] and earns [most of its revenue|more than half its sales] [at "
        "home|abroad].",
        "{firm}, which [was founded in {founded}|traces its roots to {founded}], [listed its "
        "shares|went public] in {listed} and employs {employees} people.",
    ),
    (
        "The company's shares [have risen|have moved] {ytd}% this year, [compared with|against] "
        "a {idx_ytd}% change in the {index}.",
        "The {index} [rose|fell] {idx_move}% on {day}[, with the company's peers among the "
        "biggest movers|].",
    ),
    (
        "[Credit rating agency|Ratings agency] {rating_agency} [affirmed|kept] {firm}'s rating "
        "at {rating}[ with a stable outlook|].",
    ),
    (
        "Industry data show [demand|prices] in the sector [softened|recovered] [over the "
        "summer|in recent months], [with competition from larger rivals intensifying|as supply "
        "chains normalised].",
        "[The sector|The industry] has [faced|been hit by] [higher financing costs|rising input "
        "costs] [this year|since {took_office}], [squeezing margins|and several smaller rivals "
        "have merged].",
    ),
    (
        "{firm} [will report full-year results|plans to hold an investor day] in [February|"
        "March], [when it is expected to update its medium-term targets|at which it will set "
        "out its strategy].",
        "Trading volume in the stock was about {vol_x} times its [30-day|three-month] average, "
        "[exchange data showed|according to exchange data].",
    ),
    (
        "{firm}'s largest shareholder, [a state pension fund|the founding family], holds about "
        "{stake}% of the company.",
        "[Labour unions|Employee representatives] at {firm} said they [would seek guarantees on "
        "jobs|wanted assurances about jobs and pensions][ following the announcement|].",
    ),
    (
        "{firm} said [capital spending|investment] would [rise to|total about] {capex} [next "
        "year|over the next two years], [much of it|mainly] on [new capacity|digital systems "
        "and automation].",
        "{firm} [faces|is dealing with] [a regulatory review of its pricing|a dispute with a "
        "major supplier] in {country}, [which it said would not affect its outlook|according "
        "to its latest annual report].",
    ),
)

DISASTER_FOLLOWUP: tuple[tuple[str, ...], ...] = (
    (
        "The toll rose from {prev_deaths} on {prev_day} as [rescuers recovered more "
        "bodies|more bodies were recovered] [in outlying districts|from areas that had been cut "
        "off], [the {agency} said|officials said].",
        "Officials had put the number of dead at {prev_deaths} on {prev_day}, [before rescue "
        "teams reached|but the figure rose as rescuers reached] [remote villages|areas that had "
        "been cut off].",
    ),
    (
        "{official}, the {official_title}, said {missing} people were still [missing|"
        "unaccounted for] [and that the search would continue through the night|and warned the "
        "toll could rise further].",
    ),
    (
        "[Officials|Authorities] said {in_shelters} people [remained|were still] in [temporary "
        "shelters|relief camps] on {day}[, down from a peak of {displaced}|].",
    ),
    (
        "[Visiting|Touring] the [affected area|worst-hit district] on {day}, {leader_title} "
        "{leader} [promised|pledged] [compensation|financial help] for the families of the dead"
        "[ and a review of the emergency response|].",
    ),
    (
        "[Questions are being raised|Critics have asked] about [the speed of the emergency "
        "response|why warnings were not issued earlier], [with opposition lawmakers calling for "
        "an inquiry|and parliament is due to debate the response on {next_day}].",
    ),
    (
        "[Engineers began|Work began on] [repairing|restoring] [roads|power lines] and "
        "[bridges|water supplies] on {day}, [but officials said|although officials warned] full "
        "repairs could take [weeks|months].",
    ),
    (
        "\"{quote},\" {official_last} [told reporters|said] on {day}.",
    ),
)


# --------------------------------------------------------------------------- fact helpers


def pick_country(rng: Random, names: tuple[str, ...] | None = None) -> Country:
    """A country, optionally from a list of those where the event is plausible."""
    if names is None:
        return rng.choice(COUNTRIES)
    return COUNTRY_BY_NAME[rng.choice(names)]


def base_facts(rng: Random, country: Country, when: datetime, city: str | None = None) -> Facts:
    """Facts every topic shares: place, people, day words, a resident and an analyst."""
    facts = country_facts(country, rng, city)
    facts.update(day_facts(when))
    resident, _ = person(rng, country.names)
    analyst, _ = person(rng, rng.choice((country.names, "anglo")))
    facts.update({
        "resident": resident,
        "resident_age": str(rng.randint(24, 71)),
        "resident_job": rng.choice(JOBS),
        "resident_quote": rng.choice(RESIDENT_QUOTES),
        "analyst": analyst,
        "analyst_firm": rng.choice(ANALYST_FIRMS),
        "analyst_quote": rng.choice(ANALYST_QUOTES),
        "last_year": str(rng.randint(1998, 2021)),
        "last_deaths": num(rng.randint(20, 400)),
        "teams": str(rng.randint(8, 120)),
        "imf_growth": f"{rng.randint(-5, 55) / 10:.1f}",
        "idx_move": f"{rng.randint(1, 24) / 10:.1f}",
        "debt_pct": str(rng.randint(28, 110)),
        "unemp": f"{rng.randint(28, 140) / 10:.1f}",
        "took_office": str(rng.randint(2019, 2025)),
        "pol_theme": rng.choice(("economic reform", "jobs and growth", "public services",
                                 "regional ties", "fighting corruption", "energy security")),
        "approval": str(rng.randint(24, 61)),
        "pollster": rng.choice(("Cadem", "Datum Research", "Pulse Insights", "Ipsum Polling",
                                "CivicMetrics")),
        "opp_leader": person(rng, country.names)[0],
        "next_month": rng.choice(("December", "January", "February")),
        "employees": num(round_to(rng, 1500, 90000, 500)),
        "n_countries": str(rng.randint(3, 40)),
        "founded": str(rng.randint(1890, 2005)),
        "listed": str(rng.randint(1985, 2021)),
        "ytd": f"{rng.randint(1, 450) / 10:.1f}",
        "idx_ytd": f"{rng.randint(-120, 250) / 10:.1f}",
        "rating_agency": rng.choice(("Moody's", "S&P Global Ratings", "Fitch Ratings")),
        "rating": rng.choice(("BBB", "BBB-", "BB+", "A-", "Baa2", "Ba1")),
        "alerted": str(rng.randint(40, 95)),
        "election_year": str(rng.choice((2027, 2028, 2029))),
        "vol_x": str(rng.randint(2, 9)),
        "stake": str(rng.randint(8, 45)),
        "fx_ytd": f"{rng.randint(5, 180) / 10:.1f}",
        "cost_change": str(rng.randint(2, 18)),
        "net_debt": f"${rng.randint(2, 90) / 10:.1f} billion",
        "capex": f"${rng.randint(2, 60) * 50} million",
        "deficit": f"{rng.randint(12, 79) / 10:.1f}",
        "daily_pass": num(round_to(rng, 8000, 120000, 1000)),
        "port_pct": f"{rng.randint(-90, 140) / 10:.1f}",
    })
    return facts


def two_quotes(rng: Random, first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, str]:
    """Two different quotes, each a pair of sentences, so stories rarely share one."""
    a, b = rng.sample(first, 2)
    c, d = rng.sample(second, 2)
    return f"{a}. {c}", f"{b}. {d}"


def disaster_evolve(rng: Random, facts: Facts, when: datetime) -> Facts:
    """The next day of a disaster: more dead, fewer missing, people still in shelters."""
    new = dict(facts)
    new.update(day_facts(when))
    prev = int(facts["deaths_n"])
    deaths = prev + rng.randint(max(3, prev // 3), prev + 12)
    new.update({
        "prev_deaths": num(prev),
        "deaths_n": str(deaths),
        "deaths": num(deaths),
        "missing": num(max(2, int(facts["missing"].replace(",", "")) // 2)),
        "in_shelters": num(round_to(rng, 800, 40000, 100)),
        "quote": facts["quote2"],
    })
    return new


# --------------------------------------------------------------------------- floods


def draw_flood(rng: Random, when: datetime) -> Facts:
    """A city flood: deaths, displaced, rainfall, a river over its danger mark."""
    country = pick_country(rng, ("India", "Bangladesh", "Pakistan", "Indonesia", "Philippines",
                                 "Vietnam", "Thailand", "Malaysia", "Kenya", "Nigeria", "Brazil",
                                 "South Africa", "Australia", "New Zealand", "Peru", "Colombia"))
    facts = base_facts(rng, country, when)
    deaths = rng.randint(4, 38)
    q1, q2 = two_quotes(rng, (
        "We have never seen the water rise this quickly", "The drainage system was simply "
        "overwhelmed", "Our first priority is to reach families who are still cut off",
        "Every available boat has been deployed", "The next two days will be critical",
        "This is the worst flooding many residents have ever experienced"), (
        "We are asking people in low-lying areas to move to higher ground now",
        "Relief supplies are reaching the camps, but we need more",
        "No one should try to cross flooded roads", "The army is helping with evacuations",
        "We will assess the damage once the water recedes",
        "Residents must follow the instructions of the rescue teams"))
    facts.update({
        "event": "floods",
        "deaths_n": str(deaths),
        "deaths": num(deaths),
        "displaced": num(round_to(rng, 2000, 60000, 500)),
        "rain_mm": str(rng.randint(140, 420)),
        "hours": str(rng.choice((24, 36, 48, 72))),
        "river": rng.choice(country.rivers),
        "official_title": rng.choice(("disaster management minister", "regional emergency chief",
                                      "city's relief commissioner", "interior minister")),
        "rescued": num(round_to(rng, 300, 6000, 10)),
        "camps": str(rng.randint(12, 240)),
        "power_out": num(round_to(rng, 10000, 300000, 1000)),
        "schools": str(rng.randint(40, 900)),
        "river_m": f"{rng.uniform(0.6, 3.4):.1f}",
        "relief": dollars(rng, 3, 90),
        "missing": num(rng.randint(4, 40)),
        "forecast_days": str(rng.randint(2, 4)),
        "airport_hours": str(rng.randint(3, 14)),
        "quote": q1,
        "quote2": q2,
    })
    return facts


FLOOD = Topic(
    name="flood",
    section="world",
    draw=draw_flood,
    headlines=(
        "Floods in {city} kill {deaths}, displace {displaced}",
        "Flooding in {city} displaces {displaced} after {rain_mm} mm of rain",
        "Heavy rain floods {adj} city of {city}; at least {deaths} dead",
        "{deaths} killed as {river} river bursts its banks in {country}'s {city}",
    ),
    leads=(
        "Floods triggered by [torrential|heavy|relentless] rain killed at least {deaths} people "
        "and forced {displaced} from their homes in the {adj} city of {city}, officials said on "
        "{day}.",
        "At least {deaths} people were killed and {displaced} displaced after {rain_mm} "
        "millimetres of rain fell on {city} in {hours} hours, [authorities|the {agency}] said "
        "on {day}.",
        "Rescue teams in {city} searched for survivors on {day} after flash floods killed at "
        "least {deaths} people and [swamped|inundated] low-lying neighbourhoods, driving "
        "{displaced} residents from their homes.",
    ),
    quotes=DISASTER_QUOTE_SLOT,
    slots=(
        (
            "The {agency} said {rescued} people had been rescued by boat and helicopter and "
            "that {camps} relief camps had been opened in schools and community halls.",
            "Soldiers and volunteers [used inflatable boats to reach|ferried out] {rescued} "
            "people [stranded on rooftops|trapped in flooded homes], and {camps} relief camps "
            "were set up across the city, [the {agency} said|according to the {agency}].",
        ),
        (
            "{official}, the {official_title}, said {city} had received more rain in {hours} "
            "hours than it normally gets in [a month|six weeks].",
            "The downpour, which forecasters said was the heaviest in [decades|more than twenty "
            "years], dumped {rain_mm} mm on parts of {city} in under {hours} hours.",
        ),
        (
            "Footage [broadcast by local television|shared on social media] showed cars "
            "submerged up to their roofs and residents wading through waist-deep water[ "
            "carrying children and belongings|].",
            "In the worst-hit districts, water [reached the first floor of|poured into] homes "
            "and shops, and families [waited on rooftops|sheltered on upper floors] for help.",
        ),
        (
            "Power was cut to about {power_out} households as a precaution, and {schools} "
            "schools were closed until further notice.",
            "[Electricity|Power] was still out in about {power_out} homes on {day}, and "
            "authorities [ordered|announced] the closure of {schools} schools.",
        ),
        (
            "The [national weather service|meteorological department] forecast more heavy rain "
            "over the next {forecast_days} days and [kept|issued] a red alert for {city} and "
            "surrounding districts.",
            "Forecasters warned that [another band of rain|more storms] could reach the region "
            "within {forecast_days} days, [raising fears of further flooding|threatening areas "
            "already under water].",
        ),
        (
            "{city}'s airport [suspended|halted] flights for {airport_hours} hours after water "
            "[covered|reached] parts of the runway, and [suburban train services|bus routes] "
            "were suspended.",
            "Landslides and floodwater [cut|blocked] several main roads into {city}, leaving "
            "hundreds of vehicles stranded on the outskirts.",
        ),
        (
            "Officials said the {river} river had risen {river_m} metres above the danger mark "
            "[overnight|by {day} morning], [and embankments were being reinforced with "
            "sandbags|forcing evacuations from riverside settlements].",
            "The {river} river [crested|peaked] {river_m} metres above its warning level on "
            "{day}, the [water resources department|irrigation authority] said.",
        ),
        (
            "Critics have long warned that unplanned construction on wetlands and [blocked|"
            "neglected] storm drains have left {city} [vulnerable|exposed] to flooding.",
            "Residents' groups accused [local authorities|the city council] of failing to clear "
            "drains before the rainy season, [a charge officials denied|which officials "
            "rejected].",
        ),
        (
            "{city} was last hit by flooding on this scale in {last_year}, when {last_deaths} "
            "people died.",
            "The floods are the [deadliest|worst] to hit {city} since {last_year}, when "
            "{last_deaths} people [were killed|lost their lives].",
        ),
        (
            "Health officials [warned of|were on alert for] [outbreaks of waterborne diseases "
            "such as cholera|a rise in waterborne diseases] [in the relief camps|as the water "
            "recedes].",
        ),
        *DISASTER_FAMILY,
        *DISASTER_EXTRA,
    ),
    voices=DISASTER_VOICES,
    followup_headlines=(
        "Death toll in {city} floods rises to {deaths}",
        "{city} flood deaths climb to {deaths} as rescuers reach cut-off districts",
        "Thousands still in shelters as {city} flood toll reaches {deaths}",
    ),
    followup_leads=(
        "The death toll from floods in the {adj} city of {city} rose to {deaths} on {day}, "
        "officials said, as [rescuers reached|relief teams pushed into] districts that had been "
        "cut off for days.",
        "At least {deaths} people have now died in floods in {city}, [authorities|the {agency}] "
        "said on {day}, as the water [began to recede|slowly receded] from low-lying "
        "neighbourhoods.",
    ),
    followup_slots=DISASTER_FOLLOWUP,
    evolve=disaster_evolve,
)


# --------------------------------------------------------------------------- earthquakes

SEISMO = {
    "Chile": "National Seismological Centre", "Peru": "Geophysical Institute of Peru",
    "Mexico": "National Seismological Service", "Colombia": "Colombian Geological Service",
    "Japan": "Japan Meteorological Agency", "Indonesia": "Meteorology and Geophysics Agency",
    "Philippines": "Philippine Institute of Volcanology and Seismology",
    "Turkey": "Disaster and Emergency Management Authority", "New Zealand": "GeoNet agency",
    "Pakistan": "Pakistan Meteorological Department",
    "Morocco": "National Institute of Geophysics",
}


def draw_quake(rng: Random, when: datetime) -> Facts:
    """A damaging earthquake near a city: magnitude, depth, epicentre, dead and hurt."""
    country = pick_country(rng, tuple(SEISMO))
    facts = base_facts(rng, country, when)
    deaths = rng.randint(3, 60)
    mag = rng.randint(56, 74) / 10
    q1, q2 = two_quotes(rng, (
        "The shaking went on for what felt like a minute",
        "We are still receiving reports from remote villages",
        "Several buildings in the centre have partially collapsed",
        "Our teams are working through the night",
        "The priority is to find anyone who may still be trapped",
        "We are checking every school and hospital for damage"), (
        "People should stay away from damaged buildings",
        "We expect the number of victims to rise", "Aftershocks are likely to continue for days",
        "Heavy machinery is on its way", "Families should sleep outdoors tonight if they can",
        "We ask for calm and patience"))
    tsunami = rng.choice((
        "No tsunami warning was issued.",
        "A tsunami warning issued after the quake was lifted about two hours later.",
        "The navy's oceanographic service said the quake did not meet the conditions to "
        "generate a tsunami.",
    ))
    facts.update({
        "event": "earthquake",
        "deaths_n": str(deaths),
        "deaths": num(deaths),
        "mag": f"{mag:.1f}",
        "depth": str(rng.choice((8, 10, 15, 22, 35, 48, 60, 85, 110))),
        "dist": str(rng.randint(12, 160)),
        "dirn": rng.choice(COMPASS),
        "seismo": SEISMO[country.name],
        "injured": num(rng.randint(20, 900)),
        "critical": str(rng.randint(2, 40)),
        "buildings": num(rng.randint(30, 2500)),
        "aftershocks": str(rng.randint(12, 140)),
        "aftershock_mag": f"{mag - rng.randint(8, 18) / 10:.1f}",
        "tsunami": tsunami,
        "official_title": rng.choice(("interior minister", "regional governor",
                                      "civil defence chief", "emergency services director")),
        "relief": dollars(rng, 5, 120),
        "missing": num(rng.randint(5, 60)),
        "displaced": num(round_to(rng, 1000, 30000, 100)),
        "quote": q1,
        "quote2": q2,
    })
    return facts


QUAKE = Topic(
    name="quake",
    section="world",
    draw=draw_quake,
    headlines=(
        "Magnitude {mag} earthquake near {city} kills at least {deaths}",
        "Strong quake of magnitude {mag} hits {country}; {deaths} dead",
        "At least {deaths} dead as magnitude {mag} quake shakes {city} region",
        "{mag} quake topples buildings in {country}'s {city}, killing {deaths}",
    ),
    leads=(
        "A magnitude {mag} earthquake struck about {dist} km {dirn} of {city} on {day}, killing "
        "at least {deaths} people, damaging {buildings} buildings and sending residents running "
        "into the streets, officials said.",
        "At least {deaths} people were killed when a strong earthquake of magnitude {mag} "
        "[shook|rocked] {country}'s {city} region on {day}, the {seismo} said.",
        "Rescuers in {country} [dug through|searched] the rubble of collapsed homes on {day} "
        "after a magnitude {mag} quake killed at least {deaths} people near {city}.",
    ),
    quotes=DISASTER_QUOTE_SLOT,
    slots=(
        (
            "The quake struck at a depth of {depth} km about {dist} km {dirn} of {city}, the "
            "{seismo} said.",
            "The {seismo} said the epicentre was {dist} km {dirn} of {city}, at a depth of "
            "{depth} km.",
        ),
        (
            "{injured} people were [injured|hurt], [many by falling masonry|most of them with "
            "cuts and fractures], and hospitals in {city} treated patients in tents outside "
            "[as a precaution|amid fears of aftershocks].",
            "Health officials said {injured} people had been taken to hospital, [{critical} of "
            "them in critical condition|including {critical} in a serious condition].",
        ),
        (
            "[Local media|Television images] showed [collapsed walls|cracked facades] and "
            "[rubble-strewn streets|roads split open] in the old town of {city}, where many "
            "homes are built of [adobe|unreinforced brick].",
            "Authorities said {buildings} buildings had been damaged, [including|among them] "
            "[two schools and a hospital wing|a church and several government offices].",
        ),
        (
            "More than {aftershocks} aftershocks followed, the strongest of magnitude "
            "{aftershock_mag}, [the {seismo} said|according to the {seismo}].",
            "Families spent the night outdoors as {aftershocks} aftershocks, [one of "
            "them|including one] of magnitude {aftershock_mag}, rattled the region.",
        ),
        ("{tsunami}",),
        (
            "Power and [mobile phone|telephone] services were [disrupted|cut] across parts of "
            "the region, and a section of the [coastal|main] highway was closed after a "
            "landslide.",
            "The [state|national] railway suspended services between {city} and {capital} while "
            "engineers inspected [bridges|tracks] for damage.",
        ),
        (
            "{Country} [sits on|lies along] [the Pacific Ring of Fire|one of the world's most "
            "active fault systems], and strong earthquakes are frequent.",
            "The region was last hit by a major quake in {last_year}, when {last_deaths} people "
            "were killed.",
        ),
        (
            "Schools in {city} and neighbouring towns were closed for inspection, and "
            "[classes will not resume before {next_day}|officials said classes would resume "
            "only once buildings were declared safe].",
        ),
        *DISASTER_FAMILY,
        *DISASTER_EXTRA,
    ),
    voices=DISASTER_VOICES,
    followup_headlines=(
        "{Country} quake death toll rises to {deaths} as rescuers search rubble",
        "Rescuers race to find survivors as {city} quake toll reaches {deaths}",
        "Aftershocks rattle {city} as quake death toll climbs to {deaths}",
    ),
    followup_leads=(
        "The death toll from the magnitude {mag} earthquake that struck near {city} rose to "
        "{deaths} on {day}, as rescuers with heavy machinery [worked through|cleared] the "
        "rubble of collapsed buildings.",
        "At least {deaths} people are now known to have died in the earthquake in {country}, "
        "the {seismo} and civil defence officials said on {day}, [as aftershocks kept|with "
        "aftershocks keeping] thousands of families sleeping outdoors.",
    ),
    followup_slots=DISASTER_FOLLOWUP,
    evolve=disaster_evolve,
)


# --------------------------------------------------------------------------- storms

STORM_KIND = {"India": "cyclone", "Bangladesh": "cyclone", "Australia": "cyclone",
              "Philippines": "typhoon", "Japan": "typhoon", "Vietnam": "typhoon",
              "South Korea": "typhoon", "Mexico": "hurricane"}
STORM_NAMES = ("Amara", "Bento", "Calla", "Dorian", "Esme", "Faro", "Gita", "Halong", "Ines",
               "Jarrah", "Kiko", "Lumen", "Marlo", "Nuri", "Odile", "Pabuk", "Quilla", "Rosa",
               "Soba", "Tala", "Usha", "Vamco", "Wira", "Yanis")


def draw_storm(rng: Random, when: datetime) -> Facts:
    """A named tropical storm making landfall near a coastal city."""
    country = pick_country(rng, tuple(STORM_KIND))
    facts = base_facts(rng, country, when)
    kind = STORM_KIND[country.name]
    deaths = rng.randint(3, 45)
    wind = rng.randint(120, 240)
    q1, q2 = two_quotes(rng, (
        "The wind was so strong that we could not stand", "Evacuating people early saved lives",
        "Many villages are still cut off", "We have never had a storm this strong here",
        "Our teams went out as soon as the wind dropped", "The damage along the coast is severe"), (
        "We are sending boats and food to the worst-hit areas",
        "Restoring power and clean water is the priority",
        "People should not return home until we say it is safe",
        "The next few days will be difficult",
        "We will rebuild, but it will take time", "Fishermen must stay ashore"))
    facts.update({
        "event": kind,
        "kind": kind,
        "Kind": capitalize_first(kind),
        "storm": rng.choice(STORM_NAMES),
        "deaths_n": str(deaths),
        "deaths": num(deaths),
        "wind": str(wind),
        "gust": str(wind + rng.randint(15, 50)),
        "surge": f"{rng.uniform(1.2, 4.5):.1f}",
        "city2": other_city(rng, country, facts["city"]),
        "evacuated": num(round_to(rng, 20000, 900000, 1000)),
        "houses": num(round_to(rng, 500, 40000, 100)),
        "power_out": num(round_to(rng, 50000, 2000000, 5000)),
        "rain_mm": str(rng.randint(120, 380)),
        "airport_hours": str(rng.randint(6, 30)),
        "official_title": rng.choice(("disaster management minister", "provincial governor",
                                      "chief of the civil defence office")),
        "relief": dollars(rng, 5, 150),
        "missing": num(rng.randint(3, 50)),
        "displaced": num(round_to(rng, 20000, 900000, 1000)),
        "quote": q1,
        "quote2": q2,
    })
    return facts


STORM = Topic(
    name="storm",
    section="world",
    draw=draw_storm,
    headlines=(
        "{Kind} {storm} makes landfall near {city}, killing {deaths}",
        "{Kind} {storm} batters {country} with {wind} km/h winds; {evacuated} evacuated",
        "{deaths} dead as {kind} {storm} slams into {country}'s coast",
    ),
    leads=(
        "{Kind} {storm} [slammed into|made landfall on] {country}'s coast near {city} on {day} "
        "with winds of up to {wind} km per hour, killing at least {deaths} people and forcing "
        "{evacuated} to flee, officials said.",
        "At least {deaths} people were killed as {kind} {storm} [tore through|battered] {city} "
        "on {day}, [uprooting trees, flattening homes and cutting power|flattening homes and "
        "knocking out power] to {power_out} households.",
        "More than {evacuated} people were evacuated before {kind} {storm} made landfall near "
        "{city} on {day}, but at least {deaths} were killed [by falling trees and collapsing "
        "walls|in floods and landslides], authorities said.",
    ),
    quotes=DISASTER_QUOTE_SLOT,
    slots=(
        (
            "The storm [weakened|was downgraded] after landfall but still [packed|carried] "
            "gusts of {gust} km/h as it moved towards {city2}, the weather agency said.",
            "Forecasters said {storm} was the strongest storm to hit the region [since "
            "{last_year}|in a decade], bringing a storm surge of up to {surge} metres.",
        ),
        (
            "Officials said {houses} homes had been damaged or destroyed, most of them in "
            "[fishing villages|coastal settlements] built of wood and sheet metal.",
            "[Aerial footage|Drone images] showed [roofless houses|flattened shanties] and "
            "[fallen trees blocking roads|boats tossed onto the shore] in {city}.",
        ),
        (
            "About {power_out} households were without power on {day}, and [the grid operator "
            "said repairs could take days|mobile networks were down in several districts].",
            "Power was cut to {power_out} homes across the province, the [state utility|grid "
            "operator] said, [adding that crews were waiting for the wind to drop|warning that "
            "some areas could be without electricity for a week].",
        ),
        (
            "Ports along the coast were closed, [and airlines cancelled dozens of flights|and "
            "fishermen were ordered to stay ashore], the transport ministry said.",
            "{city}'s airport suspended operations for {airport_hours} hours and [ferry "
            "services|coastal shipping] [were halted|stopped].",
        ),
        (
            "{evacuated} people spent the night in [schools, mosques and storm "
            "shelters|evacuation centres], the {agency} said.",
        ),
        (
            "[Heavy rain|Torrential rain] of up to {rain_mm} mm [flooded|swamped] low-lying "
            "districts [inland|along the coast], [and landslides blocked mountain "
            "roads|raising fears of landslides].",
        ),
        (
            "Scientists say [warmer seas|rising ocean temperatures] are making tropical storms "
            "[more intense|stronger and wetter], [and the region has seen several severe storms "
            "in recent years|a trend officials say they must plan for].",
        ),
        *DISASTER_FAMILY,
        *DISASTER_EXTRA,
    ),
    voices=DISASTER_VOICES,
    followup_headlines=(
        "{Kind} {storm} death toll rises to {deaths} in {country}",
        "{Country} counts cost of {kind} {storm} as toll reaches {deaths}",
    ),
    followup_leads=(
        "The number of people killed by {kind} {storm} in {country} rose to {deaths} on {day}, "
        "officials said, as [relief teams reached|rescuers reached] coastal villages cut off "
        "since the storm hit near {city}.",
        "{Country} began counting the cost of {kind} {storm} on {day}, with at least {deaths} "
        "people dead and [hundreds of thousands|many thousands] still without power.",
    ),
    followup_slots=DISASTER_FOLLOWUP,
    evolve=disaster_evolve,
)


# --------------------------------------------------------------------------- wildfires


def draw_fire(rng: Random, when: datetime) -> Facts:
    """A wildfire in the hills near a city: hectares, homes lost, evacuations."""
    country = pick_country(rng, ("Chile", "Australia", "Canada", "Turkey", "Morocco",
                                 "South Africa", "Brazil", "Mexico"))
    facts = base_facts(rng, country, when)
    deaths = rng.randint(2, 24)
    q1, q2 = two_quotes(rng, (
        "The fire moved faster than anyone expected", "The wind changed direction within minutes",
        "Whole streets have been lost", "Our firefighters have been working for two days straight",
        "This is an extraordinarily dangerous fire", "Conditions are the worst we have seen"), (
        "Anyone told to leave must leave now", "We will not put lives at risk to save property",
        "Cooler weather tomorrow should help", "Investigators will establish the cause",
        "We have asked for more water-bombing aircraft", "Do not return until it is safe"))
    facts.update({
        "event": "wildfire",
        "deaths_n": str(deaths),
        "deaths": num(deaths),
        "hectares": num(round_to(rng, 2000, 90000, 100)),
        "homes": num(rng.randint(40, 1800)),
        "evacuated": num(round_to(rng, 3000, 60000, 500)),
        "firefighters": num(round_to(rng, 300, 4000, 10)),
        "aircraft": str(rng.randint(6, 40)),
        "temp": str(rng.randint(36, 45)),
        "wind": str(rng.randint(40, 90)),
        "city2": other_city(rng, country, facts["city"]),
        "official_title": rng.choice(("interior minister", "regional fire commissioner",
                                      "forestry agency director")),
        "relief": dollars(rng, 4, 80),
        "missing": num(rng.randint(3, 30)),
        "displaced": num(round_to(rng, 3000, 60000, 500)),
        "quote": q1,
        "quote2": q2,
    })
    return facts


FIRE = Topic(
    name="fire",
    section="world",
    draw=draw_fire,
    headlines=(
        "Wildfires near {city} destroy {homes} homes, force {evacuated} to flee",
        "{Country} wildfire burns {hectares} hectares as crews battle blaze near {city}",
        "At least {deaths} dead as wildfires sweep through hills around {city}",
    ),
    leads=(
        "Wildfires fanned by [strong winds|gusts of up to {wind} km/h] swept through hills "
        "around {city} on {day}, destroying {homes} homes and forcing {evacuated} people to "
        "flee, officials said.",
        "At least {deaths} people were killed as a wildfire [tore through|raced across] "
        "{hectares} hectares of forest and farmland near {city}, {country}'s {official_title} "
        "said on {day}.",
        "More than {firefighters} firefighters backed by {aircraft} aircraft battled a wildfire "
        "near {city} on {day} that has killed at least {deaths} people and burned {hectares} "
        "hectares.",
    ),
    quotes=DISASTER_QUOTE_SLOT,
    slots=(
        (
            "Temperatures reached {temp} degrees Celsius on {day}, and [forecasters|the weather "
            "service] said hot, dry winds would persist [until at least {next_day}|for several "
            "more days].",
            "A heatwave pushed temperatures to {temp}C and [humidity fell below 15%|winds "
            "gusted to {wind} km/h], creating what officials called extreme fire conditions.",
        ),
        (
            "{firefighters} firefighters, soldiers and volunteers were deployed, [supported "
            "by|along with] {aircraft} water-bombing aircraft and helicopters.",
            "Crews cut firebreaks [through the night|with bulldozers] to protect the outskirts "
            "of {city2}, [officials said|the fire service said].",
        ),
        (
            "Residents of [hillside suburbs|several villages] described fleeing with minutes "
            "to spare as [flames|embers] [jumped a highway|rained down on rooftops].",
            "Television images showed [charred cars abandoned on roads|blackened shells of "
            "houses] and thick smoke [hanging over {city}|blotting out the sun].",
        ),
        (
            "Smoke forced the closure of a [main highway|stretch of the coastal road] and "
            "[delayed flights|led to school closures] in {city}.",
            "Health authorities urged people in {city} to stay indoors because of [thick "
            "smoke|hazardous air quality].",
        ),
        (
            "Authorities said they were investigating the cause of the fire[ and did not rule "
            "out arson|, which began in a pine plantation].",
            "Police said [two people had been detained|a man had been arrested] on suspicion of "
            "[starting the blaze|starting one of the fires], [without giving further "
            "details|a claim the fire service did not comment on].",
        ),
        (
            "Scientists say [climate change|longer, hotter summers] are making wildfires [more "
            "frequent and more intense|harder to control], [and the region has suffered several "
            "severe fire seasons since {last_year}|a pattern seen across the region].",
        ),
        (
            "The fire is the deadliest in the area since {last_year}, when {last_deaths} people "
            "were killed.",
        ),
        *DISASTER_FAMILY,
        *DISASTER_EXTRA,
    ),
    voices=DISASTER_VOICES,
    followup_headlines=(
        "{Country} wildfire death toll climbs to {deaths} as fires near {city} still burn",
        "Firefighters gain ground on {city} wildfire as toll rises to {deaths}",
    ),
    followup_leads=(
        "The death toll from wildfires near {city} rose to {deaths} on {day}, officials said, "
        "as [cooler weather|a drop in the wind] helped firefighters [contain parts of the "
        "blaze|gain ground].",
        "Firefighters near {city} [said they had contained|reported progress against] the "
        "wildfire on {day}, but the number of dead rose to {deaths} as search teams [entered "
        "burned-out neighbourhoods|reached destroyed homes].",
    ),
    followup_slots=DISASTER_FOLLOWUP,
    evolve=disaster_evolve,
)


# --------------------------------------------------------------------------- rail accidents


def draw_rail(rng: Random, when: datetime) -> Facts:
    """A passenger train derailment on a named route."""
    country = pick_country(rng, ("India", "Bangladesh", "Pakistan", "Egypt", "Mexico", "Turkey",
                                 "Poland", "South Africa", "Indonesia", "Thailand", "Kenya"))
    facts = base_facts(rng, country, when)
    deaths = rng.randint(3, 36)
    q1, q2 = two_quotes(rng, (
        "There was a loud bang and the carriage turned over", "This is a terrible tragedy",
        "Our thoughts are with the families of the victims",
        "Rescue operations are nearly complete", "The line will remain closed",
        "We will find out exactly what happened"), (
        "An inquiry has been ordered", "We are not ruling anything out",
        "The driver is being questioned", "Compensation will be paid to the families",
        "Signals on the line will be checked", "Passengers are being taken to hospital"))
    facts.update({
        "event": "derailment",
        "deaths_n": str(deaths),
        "deaths": num(deaths),
        "injured": num(rng.randint(20, 300)),
        "city2": other_city(rng, country, facts["city"]),
        "passengers": num(round_to(rng, 300, 1500, 10)),
        "carriages": str(rng.randint(3, 11)),
        "km": str(rng.randint(20, 190)),
        "train_no": str(rng.randint(1001, 9899)),
        "official_title": rng.choice(("railways minister", "transport minister",
                                      "state railway's chief executive")),
        "relief": dollars(rng, 1, 9),
        "missing": num(rng.randint(2, 20)),
        "displaced": "0",
        "quote": q1,
        "quote2": q2,
    })
    return facts


RAIL = Topic(
    name="rail",
    section="world",
    draw=draw_rail,
    headlines=(
        "Train derails near {city}, killing {deaths}",
        "{deaths} killed, {injured} hurt as passenger train derails in {country}",
        "Passenger train carrying {passengers} derails on {city}-{city2} line",
    ),
    leads=(
        "At least {deaths} people were killed and {injured} injured when {carriages} carriages "
        "of a passenger train [left the tracks|derailed] about {km} km from {city} on {day}, "
        "officials said.",
        "A passenger train travelling from {city} to {city2} with about {passengers} people on "
        "board derailed on {day}, killing at least {deaths}, the {official_title} said.",
        "Rescuers cut through mangled carriages on {day} to reach passengers trapped after a "
        "train derailed near {city}, killing at least {deaths} people.",
    ),
    quotes=DISASTER_QUOTE_SLOT,
    slots=(
        (
            "Train number {train_no} was [travelling at speed|running late] when {carriages} "
            "carriages [came off the tracks|overturned] on a curve [near a river "
            "crossing|outside a small station], the railway said.",
            "The railway said {carriages} carriages had overturned [and that the "
            "locomotive|while the locomotive] stayed on the rails.",
        ),
        (
            "{injured} people were taken to hospitals in {city} and {city2}, [some with serious "
            "injuries|several in critical condition].",
            "Hospitals in {city} [appealed for blood donors|cancelled routine operations] to "
            "treat {injured} injured passengers.",
        ),
        (
            "[Television footage|Images on social media] showed carriages lying on their sides "
            "[in a field|beside the embankment] as rescuers [used cutting equipment|climbed onto "
            "the wreckage].",
            "[Villagers|Local residents] were the first to reach the scene, [pulling passengers "
            "from broken windows|helping the injured onto the embankment] before ambulances "
            "arrived.",
        ),
        (
            "The {official_title} ordered an inquiry and said investigators would examine "
            "[the signalling system|the condition of the track], [among other "
            "possibilities|as well as the train's speed].",
            "Officials said it was too early to say what caused the derailment, [but a signal "
            "fault|though track maintenance] was one line of inquiry.",
        ),
        (
            "Services on the {city}-{city2} line were suspended, [and dozens of trains were "
            "cancelled or diverted|stranding thousands of passengers].",
        ),
        (
            "{Country}'s railways [have a poor safety record|have suffered several serious "
            "accidents in recent years], [and unions have long complained about "
            "underinvestment|despite a modernisation programme launched in {last_year}].",
            "The accident was the deadliest on {country}'s railways since {last_year}, when "
            "{last_deaths} people died in a collision.",
        ),
        (
            "The government said it would pay {relief} in compensation to [victims' "
            "families|the families of those killed] [and cover the medical costs of the "
            "injured|].",
        ),
        *DISASTER_FAMILY,
        *DISASTER_EXTRA[:2],
        DISASTER_EXTRA[3],
        (
            "[Passengers|Survivors] described [a violent jolt|a sudden screech of brakes] just "
            "before the carriages [tipped over|left the rails], [with luggage and people thrown "
            "across the aisles|and the lights going out].",
        ),
        (
            "The line is used by about {daily_pass} passengers a day and is one of the "
            "country's [busiest|main] [intercity|commuter] routes.",
        ),
    ),
    voices=DISASTER_VOICES,
    followup_headlines=(
        "{Country} train crash toll rises to {deaths}; driver questioned",
        "Investigators focus on signals after {city} derailment that killed {deaths}",
    ),
    followup_leads=(
        "The number of people killed in {day}'s train derailment near {city} rose to {deaths} "
        "as [rescuers finished searching|crews lifted] the last carriages, [officials|the "
        "railway] said.",
        "Investigators examining the derailment near {city} that killed {deaths} people "
        "questioned the train's driver on {day} and [began examining|seized records from] the "
        "signalling system, the {official_title} said.",
    ),
    followup_slots=(DISASTER_FOLLOWUP[0], DISASTER_FOLLOWUP[3], DISASTER_FOLLOWUP[4],
                    DISASTER_FOLLOWUP[6]),
    evolve=disaster_evolve,
)


# --------------------------------------------------------------------------- outbreaks


def draw_outbreak(rng: Random, when: datetime) -> Facts:
    """A disease outbreak: cases, deaths, a vaccination or spraying campaign."""
    country = pick_country(rng, ("India", "Bangladesh", "Pakistan", "Nigeria", "Kenya",
                                 "Brazil", "Peru", "Colombia", "Vietnam", "Philippines",
                                 "Indonesia", "Malaysia"))
    facts = base_facts(rng, country, when)
    disease, vector = rng.choice((("dengue", "mosquito"), ("cholera", "water"),
                                  ("measles", "vaccine"), ("chikungunya", "mosquito")))
    deaths = rng.randint(3, 40)
    q1, q2 = two_quotes(rng, (
        "The number of cases is rising faster than last year",
        "Our hospitals are under pressure but coping", "We are seeing cases in new districts",
        "Early treatment saves lives", "This outbreak can be controlled",
        "We have sent extra teams to the affected areas"), (
        "People with symptoms should go to a clinic immediately",
        "Families must keep water containers covered", "We are asking parents to vaccinate their "
        "children", "Testing has been expanded", "We will publish figures every day",
        "Schools will be monitored closely"))
    measure = {
        "mosquito": "fumigation teams were spraying neighbourhoods and removing standing water",
        "water": "tankers were delivering clean water and chlorine tablets to affected areas",
        "vaccine": "a door-to-door vaccination campaign would begin on {next_day}",
    }[vector].format(next_day=facts["next_day"])
    facts.update({
        "event": f"{disease} outbreak",
        "disease": disease,
        "Disease": capitalize_first(disease),
        "deaths_n": str(deaths),
        "deaths": num(deaths),
        "cases": num(round_to(rng, 900, 60000, 10)),
        "week_cases": num(rng.randint(200, 5000)),
        "hospital": num(rng.randint(100, 3000)),
        "districts": str(rng.randint(3, 30)),
        "measure": measure,
        "pct": str(rng.randint(20, 180)),
        "official_title": rng.choice(("health minister", "director of public health",
                                      "chief epidemiologist")),
        "relief": dollars(rng, 2, 40),
        "missing": "0",
        "quote": q1,
        "quote2": q2,
    })
    return facts


def outbreak_evolve(rng: Random, facts: Facts, when: datetime) -> Facts:
    """A later outbreak report: more cases, a few more deaths."""
    new = disaster_evolve(rng, facts, when)
    cases = int(facts["cases"].replace(",", ""))
    new["prev_cases"] = facts["cases"]
    new["cases"] = num(cases + round_to(rng, 300, max(400, cases // 2), 10))
    return new


OUTBREAK = Topic(
    name="outbreak",
    section="world",
    draw=draw_outbreak,
    headlines=(
        "{Disease} outbreak in {country} kills {deaths}, infects {cases}",
        "{country} reports {cases} {disease} cases as outbreak spreads to {districts} districts",
        "{Disease} cases in {city} jump {pct}% in a week; {deaths} dead",
    ),
    leads=(
        "An outbreak of {disease} in {country} has killed {deaths} people and infected {cases}, "
        "the health ministry said on {day}, [as the disease spread beyond|with cases now "
        "reported outside] {city}.",
        "{country} reported {week_cases} new {disease} cases in the past week, bringing the "
        "total this year to {cases}, [health officials|the {official_title}] said on {day}.",
        "Hospitals in {city} [set up extra wards|are struggling to cope] as {disease} cases "
        "rose {pct}% in a week, [taking|bringing] the national death toll to {deaths}, "
        "officials said on {day}.",
    ),
    quotes=POLICY_QUOTE_SLOT,
    slots=(
        (
            "Cases have been confirmed in {districts} districts, [with {city} accounting for the "
            "largest share|most of them around {city}], the ministry said.",
            "The outbreak, first detected in {city} [several weeks ago|last month], has "
            "spread to {districts} districts.",
        ),
        (
            "{hospital} patients were in hospital on {day}, [the ministry said|according to "
            "official figures], [and some clinics had run short of intravenous fluids|up from "
            "the previous week].",
        ),
        (
            "The {official_title} said {measure}.",
        ),
        (
            "Doctors' associations said official figures [probably understated|may understate] "
            "the true number of cases, [because many patients are treated at home|since testing "
            "is limited outside cities].",
        ),
        (
            "The World Health Organization said it was [in contact with|supporting] {adj} "
            "health authorities [and had sent testing kits|and monitoring the situation].",
            "[Neighbouring countries|Health authorities in the region] said they were "
            "[monitoring|watching] the outbreak [closely|and stepping up checks at border "
            "crossings].",
        ),
        (
            "{country} recorded its worst outbreak of the disease in {last_year}, when "
            "{last_deaths} people died.",
        ),
        (
            "Experts say [rapid urbanisation|poor sanitation] and [changing rainfall "
            "patterns|longer wet seasons] have made outbreaks [more frequent|harder to contain].",
        ),
        DISASTER_FAMILY[0],
        DISASTER_EXTRA[4],
        *POLITICS_FAMILY[:2],
        (
            "[Clinics|Health centres] in {city} [extended opening hours|opened at weekends] "
            "and [the ministry hired|authorities recruited] [temporary staff|{teams} extra "
            "medical teams] to cope with demand.",
        ),
        (
            "[Laboratory|Testing] capacity has been [expanded|doubled] [in {city}|across the "
            "affected districts], [with results now available within a day|allowing faster "
            "diagnosis], the ministry said.",
        ),
        (
            "[Schools|Universities] in {city} [were told to|began to] [screen pupils for "
            "symptoms|remove standing water from their grounds], [and some public events were "
            "cancelled|while parents were urged to keep sick children at home].",
        ),
    ),
    voices=DISASTER_VOICES,
    followup_headlines=(
        "{country} {disease} deaths rise to {deaths} as cases top {cases}",
        "{Disease} outbreak in {country} spreads; death toll climbs to {deaths}",
    ),
    followup_leads=(
        "Deaths from the {disease} outbreak in {country} rose to {deaths} on {day}, with "
        "{cases} cases now confirmed, up from {prev_cases} earlier in the week, the health "
        "ministry said.",
    ),
    followup_slots=(DISASTER_FOLLOWUP[0], DISASTER_FOLLOWUP[4], DISASTER_FOLLOWUP[6]),
    evolve=outbreak_evolve,
)


# --------------------------------------------------------------------------- central banks


# Policy rates in quarter points: low-rate, mid-rate and high-inflation economies.
RATE_RANGES: dict[str, tuple[int, int]] = {
    "Japan": (1, 4), "Norway": (12, 20), "Canada": (10, 18), "Australia": (12, 18),
    "New Zealand": (12, 21), "South Korea": (9, 14), "Poland": (18, 24), "Thailand": (6, 10),
    "Malaysia": (10, 13), "Morocco": (8, 12), "Vietnam": (14, 20), "Turkey": (120, 180),
    "Nigeria": (80, 110), "Egypt": (80, 110), "Pakistan": (40, 64), "Brazil": (40, 60),
    "Kenya": (32, 52), "Bangladesh": (28, 42), "Mexico": (28, 44), "Colombia": (30, 46),
}
UNARTICLED_BANKS = ("Bank Indonesia", "Bank Negara", "Bank Al-Maghrib", "Norges", "Bangko",
                    "Bangladesh Bank")


def draw_rates(rng: Random, when: datetime) -> Facts:
    """A central bank decision: hold, cut or hike, with inflation and a vote."""
    country = pick_country(rng)
    facts = base_facts(rng, country, when, city=country.capital)
    action = rng.choice(("hold", "hold", "cut", "raise"))
    low, high = RATE_RANGES.get(country.name, (16, 44))
    rate = rng.randint(low, high) * 0.25
    bp = rng.choice((25, 25, 50, 75))
    old = rate if action == "hold" else rate + bp / 100 if action == "cut" else rate - bp / 100
    governor, governor_last = person(rng, country.names)
    members = rng.choice((5, 7, 9))
    dissent = rng.choice((0, 0, 1, 2))
    inflation = max(0.4, rate + rng.randint(-25, 15) / 10)
    q1, q2 = two_quotes(rng, (
        "Inflation is moving in the right direction, but the job is not done",
        "We will remain vigilant", "The balance of risks has shifted",
        "Policy will stay restrictive for as long as necessary",
        "Price pressures have eased more quickly than we expected",
        "Our decisions will depend on the data"), (
        "We are not on a pre-set path", "Wage growth remains a concern",
        "The currency has been a factor in our thinking",
        "We stand ready to act if needed", "Demand is cooling as expected",
        "The outlook remains uncertain"))
    the_bank = country.bank if country.bank.startswith(UNARTICLED_BANKS) else f"the {country.bank}"
    head_a = {
        "hold": f"holds rate at {rate:.2f}%",
        "cut": f"cuts rate by {bp} bps to {rate:.2f}%",
        "raise": f"raises rate by {bp} bps to {rate:.2f}%",
    }[action]
    head_b = {
        "hold": f"keeps key rate unchanged at {rate:.2f}%",
        "cut": f"lowers key rate to {rate:.2f}%",
        "raise": f"lifts key rate to {rate:.2f}%",
    }[action]
    phrase = {
        "hold": f"unchanged at {rate:.2f}%",
        "cut": f"by {bp} basis points to {rate:.2f}%",
        "raise": f"by {bp} basis points to {rate:.2f}%",
    }[action]
    facts.update({
        "action": action,
        "the_bank": the_bank,
        "The_bank": capitalize_first(the_bank),
        "head_a": head_a,
        "head_b": head_b,
        "action_past": {"hold": "kept", "cut": "cut", "raise": "raised"}[action],
        "rate_phrase": phrase,
        "rate": f"{rate:.2f}",
        "old_rate": f"{old:.2f}",
        "bp": str(bp),
        "inflation": f"{inflation:.1f}",
        "target": rng.choice(("2", "3", "4", "2-4", "3-5")),
        "month_data": rng.choice(("October", "September")),
        "governor": governor,
        "governor_last": governor_last,
        "official": governor,
        "official_last": governor_last,
        "official_title": "governor",
        "vote": "unanimous" if dissent == 0 else f"{members - dissent}-{dissent}",
        "dissent": str(dissent),
        "poll_n": str(rng.randint(14, 32)),
        "poll_k": "",
        "gdp": f"{rng.randint(-8, 62) / 10:.1f}",
        "fx_move": f"{rng.randint(1, 12) / 10:.1f}",
        "fx_dir": rng.choice(("firmed", "weakened")),
        "next_month": rng.choice(("December", "January", "February")),
        "quote": q1,
        "quote2": q2,
    })
    facts["poll_k"] = str(rng.randint(int(facts["poll_n"]) // 2, int(facts["poll_n"])))
    return facts


RATES = Topic(
    name="rates",
    section="business",
    draw=draw_rates,
    headlines=(
        "{bank} {head_a}",
        "{bank} {head_b} with inflation at {inflation}%",
        "{adj} central bank {head_a}",
    ),
    leads=(
        "{The_bank} {action_past} its benchmark interest rate {rate_phrase} on {day}, [saying "
        "inflation was still above|citing inflation that remains above] its {target}% target.",
        "{country}'s central bank {action_past} its key policy rate {rate_phrase} on {day}, [a "
        "decision expected by|in line with the forecasts of] {poll_k} of {poll_n} economists in "
        "a poll.",
        "Policymakers at {the_bank} {action_past} the benchmark rate {rate_phrase} at their "
        "meeting on {day}, [with|after] annual inflation [of|running at] {inflation}% in "
        "{month_data}.",
    ),
    quotes=POLICY_QUOTE_SLOT,
    slots=(
        (
            "Annual consumer price inflation [eased|slowed] to {inflation}% in {month_data}, "
            "[official data showed|the statistics office said], [still outside|compared with] "
            "the bank's target of {target}%.",
            "Inflation stood at {inflation}% in {month_data}, [data showed|according to the "
            "latest figures], [down from a peak reached earlier in the year|keeping pressure on "
            "policymakers].",
        ),
        (
            "The decision was {vote}, [the bank said|according to a statement].",
            "The monetary policy committee's vote was {vote}, [the statement showed|the bank "
            "said].",
        ),
        (
            "Governor {governor} said the bank would [keep a close eye on|closely monitor] wage "
            "growth and the {currency} when [deciding its next move|setting policy in "
            "{next_month}].",
            "{governor}, the bank's governor, told a news conference that future decisions "
            "would depend on [incoming data|how quickly inflation fell].",
        ),
        (
            "{poll_k} of {poll_n} economists [polled before the meeting|surveyed by "
            "WorldWire] had expected the decision.",
            "[Most analysts|Economists] had [forecast|expected] the move, though [a "
            "minority|several] had [predicted a different outcome|argued for a larger change].",
        ),
        (
            "The {currency} {fx_dir} {fx_move}% against the dollar after the announcement, "
            "[and government bond yields fell slightly|while bond yields barely moved].",
            "Markets [reacted calmly|took the decision in their stride], with the {currency} "
            "{fx_move}% [firmer|weaker] [in late trade|by the close].",
        ),
        (
            "The economy grew {gdp}% in the third quarter from a year earlier, [and the bank "
            "said|with the bank saying] growth would be [close to potential|modest] next year.",
            "The bank [trimmed|kept] its growth forecast [for next year|] and [said|noted] that "
            "[domestic demand|consumer spending] was [slowing|holding up better than expected].",
        ),
        (
            "The next policy meeting is scheduled for {next_month}.",
            "The bank next meets in {next_month}, [and minutes of this week's meeting will be "
            "published in two weeks|when it will also publish new forecasts].",
        ),
        (
            "The government [welcomed the decision|said it respected the bank's independence], "
            "[while business groups had lobbied for lower borrowing costs|although the finance "
            "ministry had called for support for growth].",
        ),
        (
            "The bank's benchmark rate had stood at {old_rate}% [before the meeting|since its "
            "previous decision].",
        ),
        *ECON_FAMILY,
    ),
    voices=ANALYST_VOICES,
)


# --------------------------------------------------------------------------- trade data


def draw_trade(rng: Random, when: datetime) -> Facts:
    """Monthly trade figures: exports and imports changes and the balance."""
    country = pick_country(rng)
    facts = base_facts(rng, country, when, city=country.capital)
    goods = {
        "Chile": "copper", "Peru": "copper and gold", "Brazil": "soybeans and iron ore",
        "Indonesia": "coal and palm oil", "Malaysia": "palm oil and electronics",
        "South Korea": "semiconductors", "Japan": "cars and machinery", "Vietnam":
        "electronics and textiles", "Thailand": "cars and rice", "Norway": "oil and gas",
        "Australia": "iron ore and coal", "Kenya": "tea and cut flowers", "Nigeria": "crude oil",
    }.get(country.name, "manufactured goods")
    exp = rng.randint(-180, 250) / 10
    imp = rng.randint(-150, 220) / 10
    bal = rng.randint(2, 140) / 10
    facts.update({
        "month_data": rng.choice(("October", "October", "September")),
        "goods": goods,
        "exp": f"{abs(exp):.1f}",
        "exp_dir": "rose" if exp >= 0 else "fell",
        "exp_ing": "rising" if exp >= 0 else "falling",
        "imp_ing": "rising" if imp >= 0 else "falling",
        "exp_verb": "jump" if exp >= 8 else "rise" if exp >= 0 else "fall",
        "imp": f"{abs(imp):.1f}",
        "imp_dir": "rose" if imp >= 0 else "fell",
        "balance": f"${bal:.1f} billion",
        "balance_kind": rng.choice(("surplus", "deficit")),
        "forecast": f"{rng.randint(-100, 150) / 10:.1f}",
        "official_title": rng.choice(("trade minister", "statistics office director",
                                      "deputy finance minister")),
        "partner": rng.choice(("China", "the United States", "the European Union", "Japan",
                               "India")),
        "partner_pct": f"{rng.randint(-200, 300) / 10:.1f}",
        "quote": two_quotes(rng, (
            "Exporters have proved resilient", "External demand is softening",
            "Diversifying our markets is paying off", "Prices for our main exports have "
            "recovered", "The numbers reflect a difficult global environment",
            "Shipping costs are still a burden"), (
            "We expect a stronger finish to the year", "We are negotiating new market access",
            "Manufacturers need support", "The trend is encouraging",
            "We are watching the currency closely", "Next year will be challenging"))[0],
    })
    facts["quote2"] = facts["quote"]
    return facts


TRADE = Topic(
    name="trade",
    section="business",
    draw=draw_trade,
    headlines=(
        "{adj} exports {exp_dir} {exp}% in {month_data}; trade {balance_kind} {balance}",
        "{country}'s {month_data} exports {exp_verb} {exp}% on {goods} shipments",
        "{country} posts {balance} trade {balance_kind} in {month_data}",
    ),
    leads=(
        "{country}'s exports {exp_dir} {exp}% in {month_data} from a year earlier, official "
        "data showed on {day}, [compared with|against] a {forecast}% change forecast by "
        "economists.",
        "{country} recorded a trade {balance_kind} of {balance} in {month_data} as exports "
        "{exp_dir} {exp}% [year on year|from a year earlier], [government data showed|the "
        "statistics office said] on {day}.",
        "Shipments of {goods} [drove|shaped] {country}'s trade figures in {month_data}, with "
        "exports {exp_ing} {exp}% and imports {imp_ing} {imp}%, data released on {day} showed.",
    ),
    quotes=POLICY_QUOTE_SLOT,
    slots=(
        (
            "Imports {imp_dir} {imp}% [over the same period|in the month], leaving a trade "
            "{balance_kind} of {balance}.",
            "[The data showed|Figures showed] imports {imp_dir} {imp}%, [bigger than|compared "
            "with] the change economists had [pencilled in|expected].",
        ),
        (
            "Exports to {partner}, [a key market|{country}'s biggest customer], [changed "
            "by|moved] {partner_pct}%, the data showed.",
            "Shipments to {partner} [were a major factor|weighed on the total], moving "
            "{partner_pct}% from a year earlier.",
        ),
        (
            "{goods} [account for a large share of|dominate] {country}'s exports, [and prices "
            "have been volatile this year|leaving the economy exposed to swings in global "
            "demand].",
        ),
        (
            "Economists polled [beforehand|by WorldWire] had expected exports to change by "
            "{forecast}%.",
        ),
        (
            "The {currency} [was little changed|barely moved] after the data, [traders "
            "said|with investors focused on next week's central bank meeting].",
        ),
        (
            "The government has [set a target|promised] to [diversify exports|expand shipments "
            "of higher-value goods] [by the end of the decade|in the coming years], "
            "[offering tax incentives to manufacturers|and is negotiating several trade deals].",
        ),
        (
            "The {official_title} said the ministry would [publish a revised|update its] export "
            "forecast [in December|next month].",
        ),
        *ECON_FAMILY,
        (
            "[Port authorities said|Shipping data showed] container volumes at the main ports "
            "moved {port_pct}% in {month_data}, [in line with the trade figures|pointing to "
            "steady activity].",
        ),
    ),
    voices=ANALYST_VOICES,
)


# --------------------------------------------------------------------------- agreements

AGREEMENT_SUBJECTS = (
    ("a semiconductor supply chain pact", "chip supply chains", "semiconductor"),
    ("a fisheries cooperation agreement", "fisheries", "fishing"),
    ("a visa-waiver deal", "visa-free travel", "tourism"),
    ("an undersea power cable project", "a subsea power link", "energy"),
    ("a critical minerals partnership", "critical minerals", "mining"),
    ("a coast guard cooperation accord", "maritime security", "maritime"),
    ("a rice and grain trade deal", "grain trade", "agriculture"),
    ("a green hydrogen partnership", "green hydrogen", "hydrogen"),
)


def draw_agreement(rng: Random, when: datetime) -> Facts:
    """Two governments sign a deal on a named subject, worth a stated amount."""
    first, second = rng.sample(COUNTRIES, 2)
    facts = base_facts(rng, first, when, city=rng.choice((first.capital, second.capital)))
    subject, short, sector = rng.choice(AGREEMENT_SUBJECTS)
    minister_a, last_a = person(rng, first.names)
    minister_b, last_b = person(rng, second.names)
    facts.update({
        "country_b": second.the_name,
        "adj_b": second.adj,
        "capital_b": second.capital,
        "leader_b_title": second.leader_title,
        "subject": subject,
        "short": short,
        "sector": sector,
        "minister_a": minister_a,
        "minister_b": minister_b,
        "official": minister_a,
        "official_last": last_a,
        "official_title": rng.choice(("foreign minister", "trade minister",
                                      "minister of economy")),
        "minister_b_last": last_b,
        "value": f"${rng.randint(3, 95) / 10:.1f} billion",
        "years": str(rng.choice((3, 5, 10, 15))),
        "jobs": num(round_to(rng, 2000, 40000, 500)),
        "first_year": str(rng.choice((2027, 2028))),
        "quote": two_quotes(rng, (
            "This is a new chapter in our relationship", "Today we turn words into action",
            "Our two countries share a common interest", "This agreement has been years in the "
            "making", "Both economies will benefit", "We are building trust step by step"), (
            "The first projects will start next year", "Businesses on both sides are ready",
            "Other partners are welcome to join", "We will review progress every year",
            "This is only the beginning", "Our citizens will see the benefits"))[0],
    })
    facts["quote2"] = facts["quote"]
    return facts


AGREEMENT = Topic(
    name="agreement",
    section="world",
    draw=draw_agreement,
    headlines=(
        "{country} and {country_b} agree on {short}",
        "{capital}, {capital_b} sign {value} {sector} pact",
        "{country}, {country_b} seal {subject} worth {value}",
    ),
    leads=(
        "{country} and {country_b} signed {subject} worth {value} on {day}, [deepening|"
        "expanding] ties between the two [countries|governments] [at a ceremony in "
        "{city}|during a visit to {city}].",
        "The governments of {country} and {country_b} agreed on {day} to cooperate on "
        "{short}, signing a {years}-year deal worth {value}, officials said.",
        "{adj} and {adj_b} ministers [signed|sealed] {subject} in {city} on {day}, [promising "
        "joint investment of|with commitments worth] {value} over {years} years.",
    ),
    quotes=POLICY_QUOTE_SLOT,
    slots=(
        (
            "The agreement was signed by {minister_a} and {minister_b}, [{adj_b} counterpart|"
            "who led the {adj_b} delegation], [in the presence of|witnessed by] {leader_title} "
            "{leader}.",
            "{minister_b}, [{country_b}'s|the {adj_b}] minister, said the deal would [create "
            "about {jobs} jobs|open new opportunities for companies] in both countries.",
        ),
        (
            "Under the deal, [the two sides will|both governments will] [set up a joint working "
            "group|fund joint projects] and [share data|coordinate investment] [on {short}|in "
            "the {sector} sector], with the first projects due in {first_year}.",
            "The accord [covers|includes] [joint research|technology transfer], [common "
            "standards|regular ministerial talks] and a {value} investment fund, officials "
            "said.",
        ),
        (
            "Officials said the agreement could create [about|up to] {jobs} jobs [over the next "
            "decade|by {first_year}].",
        ),
        (
            "[Relations between the two countries|Ties between {capital} and {capital_b}] have "
            "[warmed|improved] in recent years after [a period of friction|a dispute over "
            "trade] that peaked in {last_year}.",
            "The deal follows [months of negotiations|two years of talks] [and a summit between "
            "the two leaders earlier this year|that stalled at one point over funding].",
        ),
        (
            "[Opposition politicians|Critics] in {country_b} said the [terms|details] should be "
            "[made public|debated in parliament] before [ratification|the deal takes effect].",
            "Environmental groups [said they would scrutinise|questioned] the [impact|"
            "environmental safeguards] of the {sector} projects.",
        ),
        (
            "The agreement [must still be ratified|requires ratification] by both parliaments, "
            "[which officials expect by|expected by] {first_year}.",
        ),
        (
            "{country_b} is one of {country}'s [ten largest|main] trading partners, [with "
            "bilateral trade growing steadily|and the two have discussed a free trade deal].",
        ),
        *POLITICS_FAMILY,
        (
            "The two [leaders|governments] also discussed [regional security|climate "
            "cooperation and trade], [according to a joint statement|officials said], [and "
            "agreed to meet again next year|with a follow-up meeting planned in {capital_b}].",
        ),
    ),
    voices=ANALYST_VOICES,
)


# --------------------------------------------------------------------------- elections

PARTIES = ("Democratic Renewal", "National Progress Party", "Civic Alliance", "Social "
           "Democratic Front", "Green Future", "People's Union", "Liberal Centre",
           "Labour Movement")


def draw_election(rng: Random, when: datetime) -> Facts:
    """A regional or mayoral election result with shares and turnout."""
    country = pick_country(rng)
    facts = base_facts(rng, country, when)
    winner, winner_last = person(rng, country.names)
    loser, loser_last = person(rng, country.names)
    party_w, party_l = rng.sample(PARTIES, 2)
    share = rng.randint(400, 620) / 10
    share_l = rng.randint(200, int(share * 10) - 30) / 10
    facts.update({
        "race": rng.choice(("mayoral", "regional governor", "provincial")),
        "winner": winner,
        "winner_last": winner_last,
        "loser": loser,
        "loser_last": loser_last,
        "party_w": party_w,
        "party_l": party_l,
        "share": f"{share:.1f}",
        "share_l": f"{share_l:.1f}",
        "turnout": f"{rng.randint(380, 780) / 10:.1f}",
        "counted": str(rng.randint(92, 99)),
        "official": winner,
        "official_last": winner_last,
        "official_title": "winner",
        "years": str(rng.choice((4, 5))),
        "issue": rng.choice(("housing costs", "public transport", "crime", "water shortages",
                             "air pollution", "local taxes")),
        "quote": two_quotes(rng, (
            "Tonight the people of this city have chosen change",
            "This victory belongs to every volunteer", "We heard the message of the voters",
            "I will be the governor of everyone", "The hard work starts tomorrow",
            "Our opponents ran a strong campaign"), (
            "We will deliver on our promises", "My first priority will be {issue}",
            "I thank everyone who voted", "Nobody will be left behind",
            "We will publish our plan within 100 days", "Now is the time for unity"))[0],
    })
    facts["quote"] = facts["quote"].replace("{issue}", facts["issue"])
    facts["quote2"] = facts["quote"]
    return facts


ELECTION = Topic(
    name="election",
    section="world",
    draw=draw_election,
    headlines=(
        "{winner} wins {city} {race} race with {share}% of vote",
        "{party_w} candidate {winner} claims victory in {city} {race} election",
        "{adj} opposition [concedes|admits defeat] in {city} as {winner} wins {share}%",
    ),
    leads=(
        "{winner} of the {party_w} won the {race} election in {city} with {share}% of the "
        "vote, [preliminary|official] results showed on {day}, [defeating|beating] {loser} of "
        "the {party_l}.",
        "{party_w} candidate {winner} claimed victory in {city}'s {race} election on {day} "
        "after [taking|winning] {share}% of the vote with {counted}% of ballots counted.",
        "Voters in {city} elected {winner} in a {race} race [dominated by|fought largely over] "
        "{issue}, [giving|handing] the {party_w} {share}% of the vote, election authorities "
        "said on {day}.",
    ),
    quotes=(
        "\"{quote},\" {winner_last} told supporters [at a rally in {city}|in a victory "
        "speech].",
        "[Addressing|Speaking to] supporters [late on {prev_day}|on {day}], {winner_last} "
        "said: \"{quote}.\"",
    ),
    slots=(
        (
            "{loser} of the {party_l} [won|took] {share_l}% [and conceded defeat|and called to "
            "congratulate the winner].",
            "The runner-up, {loser}, [received|secured] {share_l}% [and|] [had led in some "
            "opinion polls|had campaigned on a promise to cut taxes].",
        ),
        (
            "Turnout was {turnout}%, the electoral authority said.",
            "[Turnout stood at|Some] {turnout}% of registered voters [cast ballots|took part], "
            "[according to the election commission|officials said].",
        ),
        (
            "The campaign was dominated by {issue}, [which polls showed was|consistently "
            "named as] voters' [main|top] concern.",
        ),
        (
            "The result is [a setback for|a boost for] {leader_title} {leader}, [whose party "
            "had held the post since {last_year}|whose government faces a national election "
            "within two years].",
            "Analysts said the outcome [would be read as|was seen as] a test of the national "
            "government's popularity [ahead of general elections|midway through its term].",
        ),
        (
            "{winner_last}, a [former|] [lawyer|economist|city councillor], will serve a "
            "{years}-year term [starting next month|from January].",
        ),
        (
            "[International observers|Election monitors] said the vote was [largely "
            "orderly|conducted peacefully], [although they noted|despite] [long queues at some "
            "polling stations|reports of isolated irregularities].",
        ),
        *POLITICS_FAMILY,
        (
            "{winner_last} [campaigned on|promised] [cheaper public transport|a crackdown on "
            "corruption|more affordable housing], [and drew large crowds in the final "
            "week|and led in most opinion polls].",
        ),
        (
            "The count was [delayed|slowed] in [some districts|several polling stations] [by a "
            "technical problem|after a power cut], [the electoral authority said|according to "
            "officials], but [the result was not in doubt|observers said there was no sign of "
            "fraud].",
        ),
    ),
    voices=ANALYST_VOICES,
)


# --------------------------------------------------------------------------- strikes

SECTORS = (
    ("dock workers", "port", "the main container terminal"),
    ("teachers", "school", "state schools"),
    ("nurses", "hospital", "public hospitals"),
    ("bus drivers", "transport", "the city bus network"),
    ("miners", "mining", "three large mines"),
    ("air traffic controllers", "aviation", "the main airport"),
)


def draw_strike(rng: Random, when: datetime) -> Facts:
    """A union walkout over pay: who, how many, how long, the gap between offers."""
    country = pick_country(rng)
    facts = base_facts(rng, country, when)
    workers, sector, site = rng.choice(SECTORS)
    union_word = rng.choice(("Union", "Federation", "Workers' Union", "Association"))
    hours = rng.choice(("24-hour", "48-hour", "72-hour", "indefinite"))
    demand = rng.randint(8, 25)
    facts.update({
        "workers": workers,
        "Workers": capitalize_first(workers),
        "sector": sector,
        "site": site,
        "union": f"{country.adj} {capitalize_first(sector)} {union_word}",
        "count": num(round_to(rng, 2000, 90000, 500)),
        "hours": hours,
        "a_hours": f"an {hours}" if hours[0] in "i" else f"a {hours}",
        "A_hours": f"An {hours}" if hours[0] in "i" else f"A {hours}",
        "demand": str(demand),
        "offer": str(rng.randint(2, demand - 3)),
        "cost": dollars(rng, 3, 60),
        "official_title": rng.choice(("labour minister", "union leader")),
        "quote": two_quotes(rng, (
            "Our members cannot live on these wages", "We did not want to strike",
            "The offer on the table is an insult", "We have been patient for two years",
            "This action is a last resort", "We are ready to talk at any time"), (
            "The government knows what it must do", "We will stay out until there is a fair "
            "offer", "The public understands our position", "Our door remains open",
            "Safety cannot be compromised", "Next week we will decide on further action"))[0],
    })
    facts["quote2"] = facts["quote"]
    return facts


STRIKE = Topic(
    name="strike",
    section="world",
    draw=draw_strike,
    headlines=(
        "{Workers} in {city} begin {hours} strike over pay",
        "{count} {workers} walk out in {country}, disrupting {site}",
        "{adj} {workers} strike after rejecting {offer}% pay offer",
    ),
    leads=(
        "About {count} {workers} in {city} began {a_hours} strike on {day}, [disrupting|"
        "paralysing] {site} after talks over a {demand}% pay rise [broke down|collapsed].",
        "{Workers} across {country} walked off the job on {day} in {a_hours} strike called by "
        "the {union}, which is demanding a {demand}% pay rise against the {offer}% offered by "
        "[the government|employers].",
        "{A_hours} strike by {workers} [shut down|disrupted] {site} in {city} on {day}, [the "
        "latest in a series of walkouts|the biggest walkout in years] over pay and conditions.",
    ),
    quotes=POLICY_QUOTE_SLOT,
    slots=(
        (
            "The {union} says its members' wages have [fallen behind|failed to keep pace with] "
            "inflation [since {last_year}|over the past three years].",
            "[Union leaders|The union] [rejected|turned down] an offer of {offer}%, saying it "
            "[did not cover|fell well short of] rising living costs.",
        ),
        (
            "The labour ministry said the strike would cost the economy about {cost} a day, "
            "[a figure the union disputed|and urged both sides to return to talks].",
            "Business groups estimated losses at {cost} a day[ and called for| and urged] [the "
            "government to intervene|a quick settlement].",
        ),
        (
            "[Long queues formed|Crowds built up] at [bus stops|hospital clinics|the port gates] "
            "in {city} on {day}, [and some services were run by managers|as contingency plans "
            "took effect].",
            "[Managers and volunteers|Military staff] kept [some services running|emergency "
            "cover in place], but operations at {site} [largely ground to a halt|were largely "
            "shut down].",
        ),
        (
            "Talks are due to resume on {next_day} [under a government mediator|at the labour "
            "ministry], officials said.",
            "The labour minister [invited both sides to talks|said mediation would begin] on "
            "{next_day}, [warning that|adding that] the strike could not be allowed to drag on.",
        ),
        (
            "It is the [second|third] strike in the sector this year, [after a one-day walkout "
            "in the spring|following a dispute over staffing levels].",
        ),
        (
            "[Polls suggest|A recent survey found] that [most|many] {adj} voters [support|"
            "sympathise with] the {workers}' demands.",
        ),
        *POLITICS_FAMILY,
        (
            "Rising prices have [eroded|squeezed] [real wages|household budgets] across "
            "{country} [this year|since {took_office}], [fuelling|prompting] a wave of "
            "[industrial action|wage demands].",
        ),
        (
            "[Under the law|Labour rules require that], [essential services must be "
            "maintained|a minimum service must be provided] during the walkout, [and the union "
            "said it would comply|a requirement the union said it would respect].",
        ),
    ),
    voices=ANALYST_VOICES,
)


# --------------------------------------------------------------------------- courts

CASES = (
    ("a ban on bottom trawling in coastal waters", "the fishing industry"),
    ("the government's plan to privatise the water utility", "the water utility"),
    ("a law extending surveillance powers", "civil liberties groups"),
    ("a lithium mining concession in a protected area", "the mining company"),
    ("indigenous land rights in the northern highlands", "indigenous communities"),
    ("a tax on digital services", "technology companies"),
    ("the redrawing of electoral districts", "opposition parties"),
)


def draw_court(rng: Random, when: datetime) -> Facts:
    """A top court ruling on a named case, with the split and who reacted."""
    country = pick_country(rng)
    facts = base_facts(rng, country, when, city=country.capital)
    case, party = rng.choice(CASES)
    outcome = rng.choice(("upheld", "struck down", "suspended"))
    judges = rng.choice((5, 7, 9, 11))
    against = rng.randint(0, judges // 2)
    facts.update({
        "court": rng.choice(("Supreme Court", "Constitutional Court")),
        "case": case,
        "party": party,
        "outcome": outcome,
        "outcome_now": {"upheld": "upholds", "struck down": "strikes down",
                        "suspended": "suspends"}[outcome],
        "split": f"{judges - against}-{against}" if against else "unanimous",
        "days": str(rng.choice((30, 60, 90, 180))),
        "lawyer": person(rng, country.names)[0],
        "official_title": rng.choice(("justice minister", "attorney general")),
        "quote": two_quotes(rng, (
            "The court has spoken and we will respect its decision", "This is a historic day",
            "We are disappointed by the ruling", "The constitution has been upheld",
            "This ruling sets an important precedent", "We will study the judgment carefully"), (
            "We will consider our options", "Parliament must now act",
            "The fight is not over", "Justice has been done",
            "We expect the government to comply", "Communities deserve certainty"))[0],
    })
    facts["quote2"] = facts["quote"]
    return facts


COURT = Topic(
    name="court",
    section="world",
    draw=draw_court,
    headlines=(
        "{adj} {court} {outcome_now} {case}",
        "{country}'s top court rules on {case}",
        "{adj} {court} decision on {case} [hands|deals] a [win|blow] to {party}",
    ),
    leads=(
        "{country}'s {court} on {day} {outcome} {case}, in a {split} ruling [that|which] "
        "[could reshape|will affect] [the sector|policy] for years.",
        "In a {split} decision on {day}, the {adj} {court} {outcome} {case}, [handing|dealing] "
        "a [major|significant] [victory|setback] to {party}.",
        "Judges of the {court} in {capital} {outcome} {case} on {day}, [ruling|finding] that "
        "[the measure|it] [breached|complied with] the constitution.",
    ),
    quotes=POLICY_QUOTE_SLOT,
    slots=(
        (
            "The court gave the government {days} days to [respond|comply] [with the "
            "ruling|and draft new rules].",
            "Under the ruling, [authorities|the government] [have|has] {days} days to [present "
            "a new plan|bring the rules into line with the constitution].",
        ),
        (
            "{lawyer}, a lawyer representing {party}, said [outside the court|after the "
            "hearing] that [the judgment was a landmark|they would study the judgment].",
        ),
        (
            "The case was brought [in {last_year}|three years ago] by a coalition of "
            "[environmental groups|citizens' organisations] and [local councils|residents].",
            "The dispute [began|dates back] to {last_year}, when [parliament passed the "
            "measure|the government announced the plan] [by a narrow margin|despite protests].",
        ),
        (
            "The {official_title} said the government would [respect|comply with] the ruling "
            "[but might seek to amend the law|and was studying its implications].",
        ),
        (
            "[Dissenting judges|The minority] argued that [the matter|such questions] should "
            "be left to parliament.",
        ),
        (
            "[Hundreds of|Dozens of] [supporters|campaigners] gathered outside the court in "
            "{capital} [as the ruling was read|awaiting the decision], [some holding "
            "banners|and cheered when it was announced].",
        ),
        *POLITICS_FAMILY,
        (
            "The ruling [is final and cannot be appealed|can only be overturned by new "
            "legislation], [legal experts said|according to constitutional lawyers].",
        ),
        (
            "[The government|Lawyers for the state] had argued that [the measure was "
            "necessary|the case should be dismissed], [citing its economic benefits|pointing "
            "to the national interest].",
        ),
    ),
    voices=ANALYST_VOICES,
)


# --------------------------------------------------------------------------- companies

COMPANIES: tuple[tuple[str, str, str], ...] = (
    ("Andina Copper", "Chile", "mining"), ("Kestrel Airlines", "Australia", "airline"),
    ("Sunda Palm Holdings", "Indonesia", "palm oil"), ("Hanbit Semiconductor", "South Korea",
                                                       "chipmaker"),
    ("Takara Robotics", "Japan", "robotics"), ("Kilimanjaro Breweries", "Kenya", "brewer"),
    ("Vistula Energy", "Poland", "utility"), ("Bosphorus Steel", "Turkey", "steelmaker"),
    ("Southern Cross Dairy", "New Zealand", "dairy"), ("Maple Rail", "Canada", "railway"),
    ("Pampas Agro", "Brazil", "agribusiness"), ("Mekong Delta Foods", "Vietnam", "food"),
    ("Coral Bay Resorts", "Philippines", "hotel"), ("Nordfjord Salmon", "Norway",
                                                     "seafood"),
    ("Atlas Cement", "Morocco", "cement"), ("Lotus Pharma", "India", "drugmaker"),
    ("Ganges Motors", "India", "carmaker"), ("Lagos Payments Group", "Nigeria", "fintech"),
    ("Cape Vineyards", "South Africa", "wine"), ("Pacifica Shipping", "Japan", "shipping"),
    ("Altiplano Lithium", "Peru", "mining"), ("Chao Phraya Petrochemical", "Thailand",
                                              "petrochemicals"),
    ("Nile Fertilizers", "Egypt", "fertiliser"), ("Tatra Telecom", "Poland", "telecoms"),
    ("Aztec Cinemas", "Mexico", "cinema"), ("Caribe Telecom", "Colombia", "telecoms"),
)


def draw_earnings(rng: Random, when: datetime) -> Facts:
    """A quarterly result: revenue, profit, per-share earnings against estimates."""
    name, country_name, sector = rng.choice(COMPANIES)
    country = COUNTRY_BY_NAME[country_name]
    facts = base_facts(rng, country, when, city=country.capital)
    ceo, ceo_last = person(rng, country.names)
    profit_change = rng.randint(-60, 80)
    rev_change = rng.randint(-15, 30)
    shares_dir = rng.choice(("rose", "fell"))
    eps = rng.randint(12, 480) / 100
    facts.update({
        "company": name,
        "firm": name,
        "sector": sector,
        "quarter": rng.choice(("third-quarter", "third-quarter", "first-half")),
        "revenue": f"${rng.randint(4, 190) / 10:.1f} billion",
        "rev_change": str(abs(rev_change)),
        "rev_dir": "rose" if rev_change >= 0 else "fell",
        "rev_noun": "increase" if rev_change >= 0 else "decline",
        "profit_noun": "rise" if profit_change >= 0 else "fall",
        "profit": f"${num(rng.randint(20, 2400))} million",
        "profit_change": str(abs(profit_change)),
        "profit_dir": "rose" if profit_change >= 0 else "fell",
        "profit_verb": "jumps" if profit_change >= 25 else "rises" if profit_change >= 0
        else "falls",
        "eps": f"{eps:.2f}",
        "eps_est": f"{eps + rng.randint(-30, 30) / 100:.2f}",
        "shares": f"{rng.randint(5, 110) / 10:.1f}",
        "shares_dir": shares_dir,
        "shares_now": "rise" if shares_dir == "rose" else "fall",
        "ceo": ceo,
        "official": ceo,
        "official_last": ceo_last,
        "official_title": "chief executive",
        "guidance": rng.choice(("raised", "kept", "cut")),
        "dividend": f"{rng.randint(5, 90)} cents",
        "headcount": num(round_to(rng, 200, 3000, 50)),
        "quote": two_quotes(rng, (
            "This was a quarter of disciplined execution", "Demand held up better than we "
            "feared", "Our cost programme is delivering", "We are gaining market share",
            "Conditions were tougher than expected", "We made difficult but necessary choices"), (
            "We remain confident in our full-year targets", "We will keep investing in growth",
            "The second half will be stronger", "Shareholders will benefit",
            "We see early signs of recovery", "We are cautious about next year"))[0],
    })
    facts["quote2"] = facts["quote"]
    return facts


EARNINGS = Topic(
    name="earnings",
    section="business",
    draw=draw_earnings,
    headlines=(
        "{company} {quarter} profit {profit_verb} {profit_change}%",
        "{company} {quarter} revenue {revenue}, profit {profit_dir} {profit_change}%",
        "{company} shares {shares_now} {shares}% after {quarter} results",
    ),
    leads=(
        "{company}, the {adj} {sector} group, said on {day} its {quarter} net profit {profit_dir} "
        "{profit_change}% to {profit}, [as revenue reached|on revenue of] {revenue}.",
        "{adj} {sector} company {company} reported a {profit_change}% {profit_noun} in "
        "{quarter} net profit to {profit} on {day}, with earnings per share of {eps} against "
        "analysts' estimates of {eps_est}.",
        "Shares in {company} {shares_dir} {shares}% on {day} after the {sector} company "
        "reported {quarter} net profit of {profit}, [with|and] revenue of {revenue}.",
    ),
    quotes=(
        "\"{quote},\" chief executive {ceo} said [in a statement|on a call with analysts].",
        "{ceo}, the chief executive, told analysts: \"{quote}.\"",
    ),
    slots=(
        (
            "Revenue {rev_dir} {rev_change}% from a year earlier to {revenue}, the "
            "company said.",
            "Sales [came in at|totalled] {revenue}, a {rev_change}% {rev_noun} [on the same period "
            "last year|year on year].",
        ),
        (
            "Earnings per share were {eps}, [compared with|against] an average analyst "
            "estimate of {eps_est}.",
        ),
        (
            "The company {guidance} its full-year [outlook|guidance], [citing|pointing to] "
            "[demand in its home market|cost savings|currency movements].",
            "{company} {guidance} its forecast for the year [and declared|alongside] a "
            "dividend of {dividend} a share.",
        ),
        (
            "Shares {shares_dir} {shares}% in {capital} [in early trade|by midday], [against a "
            "flat|while the broader] {index} [was little changed|].",
        ),
        (
            "The company [announced|said it would cut] {headcount} jobs [earlier this year|in "
            "August] as part of a [restructuring|cost-cutting programme].",
            "{company} is [in the middle of|pursuing] a [restructuring|expansion] that "
            "[includes|involves] [closing two plants|opening new facilities abroad].",
        ),
        (
            "[Analysts|Brokers] at {analyst_firm} said the results were [better than "
            "feared|slightly below expectations] and [kept|reiterated] a [buy|hold] rating.",
        ),
        (
            "[Operating costs|Expenses] [rose|fell] {cost_change}% in the period, [reflecting "
            "higher wages and energy prices|helped by the closure of loss-making units].",
            "Net debt [fell|rose] to {net_debt} at the end of the period, [the company "
            "said|according to the results statement].",
        ),
        *BUSINESS_FAMILY,
        (
            "Volumes [rose|fell] [in its main markets|at home] [while prices held steady|but "
            "prices improved], the company said, [adding that order books were full into next "
            "year|and that inventories had returned to normal].",
        ),
    ),
    voices=ANALYST_VOICES,
)


def draw_deal(rng: Random, when: datetime) -> Facts:
    """One company agrees to buy another: price, premium, approvals, closing."""
    buyer, target = rng.sample(COMPANIES, 2)
    country = COUNTRY_BY_NAME[buyer[1]]
    facts = base_facts(rng, country, when, city=country.capital)
    ceo, ceo_last = person(rng, country.names)
    facts.update({
        "buyer": buyer[0],
        "firm": buyer[0],
        "target": target[0],
        "target_country": COUNTRY_BY_NAME[target[1]].the_name,
        "target_sector": target[2],
        "price": f"${rng.randint(12, 180) / 10:.1f} billion",
        "per_share": f"${rng.randint(500, 9000) / 100:.2f}",
        "premium": str(rng.randint(12, 48)),
        "close": rng.choice(("the first half of next year", "the end of next year",
                             "mid-2027")),
        "advisers": rng.choice(("Harbourview Securities and Kite Point Capital",
                                "Baobab Partners", "Nordlys Markets and Meranti Advisory")),
        "ceo": ceo,
        "official": ceo,
        "official_last": ceo_last,
        "official_title": "chief executive",
        "synergy": f"${rng.randint(40, 600)} million",
        "quote": two_quotes(rng, (
            "This deal creates a regional champion", "The combination makes strategic sense",
            "Together we will be stronger", "We have admired this business for years",
            "Scale matters in our industry", "This is a transformational step"), (
            "Customers will benefit", "We expect the deal to add to earnings in the first year",
            "We will keep both brands", "Integration planning starts today",
            "Regulators will find the deal good for competition",
            "The teams share the same values"))[0],
    })
    facts["quote2"] = facts["quote"]
    return facts


DEAL = Topic(
    name="deal",
    section="business",
    draw=draw_deal,
    headlines=(
        "{buyer} to buy {target} for {price}",
        "{buyer} agrees {price} deal for {target_country}'s {target}",
        "{target} shares jump as {buyer} bids {per_share} a share",
    ),
    leads=(
        "{buyer} agreed on {day} to buy {target} for {price}, [a deal that would|in a move "
        "that will] [create one of the region's largest|expand its reach as a] "
        "[{target_sector} groups|{target_sector} business].",
        "{buyer} will pay {per_share} a share for {target}, valuing the {target_country} "
        "company at {price} and [a|representing a] {premium}% premium to its last closing "
        "price, the companies said on {day}.",
        "Shares in {target} [jumped|surged] on {day} after {buyer} [agreed to buy|made a "
        "{price} offer for] the {target_sector} company at {per_share} a share.",
    ),
    quotes=(
        "\"{quote},\" {buyer} chief executive {ceo} said [in a statement|on a conference "
        "call].",
        "{ceo}, who runs {buyer}, said: \"{quote}.\"",
    ),
    slots=(
        (
            "The offer of {per_share} a share represents a {premium}% premium to {target}'s "
            "closing price before the announcement.",
            "The price is {premium}% above where {target} shares [closed on {prev_day}|traded "
            "last week].",
        ),
        (
            "The deal is expected to close in {close}, subject to [regulatory|antitrust] "
            "approval [in both countries|and a shareholder vote].",
        ),
        (
            "{buyer} said it expected [annual cost savings|synergies] of about {synergy} "
            "[within three years|by the third year].",
        ),
        (
            "{advisers} [advised|are advising] on the transaction, [the companies said|according "
            "to the statement].",
        ),
        (
            "The deal [would be|is] the [largest|biggest] [acquisition|takeover] in the "
            "{target_sector} sector this year, [according to deal data|data showed].",
            "[Competition lawyers|Analysts] said the deal [could face scrutiny|was likely to be "
            "examined closely] [because of the companies' combined market share|in "
            "{target_country}].",
        ),
        (
            "{target}'s board [unanimously recommended|backed] the offer, [and its largest "
            "shareholder agreed to sell its stake|saying it fairly valued the company].",
        ),
        *BUSINESS_FAMILY,
        (
            "{target}, which listed its shares in {listed}, [operates in|sells to customers "
            "in] {n_countries} countries and employs about {employees} people.",
        ),
    ),
    voices=ANALYST_VOICES,
)


# --------------------------------------------------------------------------- registry

TOPICS: tuple[Topic, ...] = (FLOOD, QUAKE, STORM, FIRE, RAIL, OUTBREAK, RATES, TRADE, AGREEMENT,
                             ELECTION, STRIKE, COURT, EARNINGS, DEAL)
TOPIC_BY_NAME: dict[str, Topic] = {t.name: t for t in TOPICS}


# --------------------------------------------------------------------------- rendering


def _choose(rng: Random, count: int, avoid: int | None) -> int:
    """An index in range(count), different from ``avoid`` when there is a choice."""
    options = [i for i in range(count) if i != avoid] or list(range(count))
    return rng.choice(options)


def _group_paragraphs(rng: Random, lead: str, body: list[tuple[int, str]]) -> tuple[str, ...]:
    """Lead paragraph first, quotes alone, other sentences in twos and threes."""
    paragraphs: list[str] = []
    rest = list(body)
    lead_para = [lead]
    if rest and rest[0][0] != QUOTE and rng.random() < 0.35:
        lead_para.append(rest.pop(0)[1])
    paragraphs.append(" ".join(lead_para))
    current: list[str] = []
    size = rng.choice((1, 2, 2, 3))
    for slot, sentence in rest:
        if slot == QUOTE:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            paragraphs.append(sentence)
            continue
        current.append(sentence)
        if len(current) >= size:
            paragraphs.append(" ".join(current))
            current = []
            size = rng.choice((1, 2, 2, 3))
    if current:
        paragraphs.append(" ".join(current))
    # Stories run three to eight paragraphs: fold the shortest neighbours together.
    while len(paragraphs) > MAX_PARAGRAPHS:
        at = min(range(1, len(paragraphs) - 1),
                 key=lambda i: len(paragraphs[i]) + len(paragraphs[i + 1]))
        paragraphs[at:at + 2] = [f"{paragraphs[at]} {paragraphs[at + 1]}"]
    return tuple(paragraphs)


def render(
    topic: Topic,
    facts: Facts,
    rng: Random,
    *,
    followup: bool = False,
    avoid: Plan | None = None,
    overlap: int = 0,
    min_chars: int = 2000,
    max_chars: int = 4000,
) -> Article:
    """Write one article from facts.

    With ``avoid`` (the plan of another article on the same facts) the result is an
    *independent* article: another headline and lead, the slots the first one left out,
    ``overlap`` of its slots said another way, and a local-colour sentence or two.
    """
    headlines = topic.followup_headlines if followup else topic.headlines
    leads = topic.followup_leads if followup else topic.leads
    slots = (topic.followup_slots + topic.slots) if followup else topic.slots
    h_index = _choose(rng, len(headlines), avoid.headline if avoid else None)
    l_index = _choose(rng, len(leads), avoid.lead if avoid else None)
    headline = capitalize_first(expand(headlines[h_index], facts, rng))
    lead = expand(leads[l_index], facts, rng)

    chosen: list[tuple[int, int]] = []
    if avoid is None:
        if followup:
            own = list(range(len(topic.followup_slots)))
            background = rng.sample(range(len(own), len(slots)), min(3, len(topic.slots)))
            order = sorted(own + background)
        else:
            order = list(range(len(slots)))
        target = rng.randint(min_chars, max_chars)
        candidates = [i for i in order if rng.random() < 0.85]
        chosen = [(i, rng.randrange(len(slots[i]))) for i in candidates]
        text_len = sum(len(slots[i][a]) for i, a in chosen)
        spare = [i for i in order if i not in candidates]
        while text_len < target and spare:
            extra = spare.pop(rng.randrange(len(spare)))
            alt = rng.randrange(len(slots[extra]))
            chosen.append((extra, alt))
            text_len += len(slots[extra][alt])
        while text_len > target + 600 and len(chosen) > 4:
            dropped = chosen.pop(rng.randrange(len(chosen)))
            text_len -= len(slots[dropped[0]][dropped[1]])
        chosen.sort()
        quote_at = min(len(chosen), rng.choice((1, 2, 3)))
        chosen.insert(quote_at, (QUOTE, rng.randrange(len(topic.quotes))))
        if topic.voices and not followup:
            voice = rng.randrange(len(topic.voices))
            chosen.insert(rng.randint(quote_at + 1, len(chosen)), (LOCAL - voice, 0))
    else:
        used = {i for i, _ in avoid.body if i >= 0}
        used_alt = dict(avoid.body)
        fresh = [i for i in range(len(slots)) if i not in used]
        overlap = max(overlap, 4 - len(fresh))  # an article needs some body
        again = rng.sample(sorted(used), min(overlap, len(used)))
        for i in sorted(fresh + again):
            chosen.append((i, _choose(rng, len(slots[i]), used_alt.get(i))))
        used_voices = {LOCAL - i for i, _ in avoid.body if i <= LOCAL}
        fresh_voices = [v for v in range(len(topic.voices)) if v not in used_voices]
        voices = rng.sample(fresh_voices, min(2, len(fresh_voices)))
        for k, voice in enumerate(voices):
            chosen.insert(min(len(chosen), 1 + 2 * k), (LOCAL - voice, 0))
        quote_alt = _choose(rng, len(topic.quotes), used_alt.get(QUOTE))
        chosen.insert(min(len(chosen), rng.choice((2, 3, 4))), (QUOTE, quote_alt))

    body: list[tuple[int, str]] = []
    for index, alt in chosen:
        if index == QUOTE:
            body.append((QUOTE, expand(topic.quotes[alt], facts, rng)))
        elif index <= LOCAL:
            body.append((LOCAL, expand(topic.voices[LOCAL - index], facts, rng)))
        else:
            body.append((index, expand(slots[index][alt], facts, rng)))
    paragraphs = _group_paragraphs(rng, lead, body)
    return Article(headline, paragraphs, Plan(h_index, l_index, tuple(chosen)), lead)


LEAD_REWRITES: tuple[tuple[str, str], ...] = (
    (r" said on (\w+day)", r" said \1"),
    (r"^At least ", "No fewer than "),
    (r", officials said\.$", ", according to officials."),
    (r", ([a-z][\w ]+?) said on (\w+day)\.$", r" on \2, according to \1."),
    (r" people were killed", " people died"),
    (r" on (\w+day),", r" \1,"),
    (r" from a year earlier", " year on year"),
)


def rephrase_lead(topic: Topic, facts: Facts, article: Article, rng: Random,
                  followup: bool = False) -> Article | None:
    """The same article with its first sentence lightly re-worded (a copy editor's pass).

    The same lead template is re-expanded with other choices and one or two phrasings
    are changed, so the copy still reads as the same story (a *different* template would
    collide with another outlet's independent article on the same facts).  Returns None
    when no rewording applies.
    """
    leads = topic.followup_leads if followup else topic.leads
    new_lead = expand(leads[article.plan.lead], facts, rng)
    rules = list(LEAD_REWRITES)
    rng.shuffle(rules)
    changed = 0
    for pattern, repl in rules:
        rewritten = re.sub(pattern, repl, new_lead)
        if rewritten != new_lead:
            new_lead = rewritten
            changed += 1
            if changed == 2:
                break
    if new_lead == article.lead:
        return None
    rest = article.paragraphs[0][len(article.lead):].strip()
    paragraph = f"{new_lead} {rest}".strip()
    return replace(article, paragraphs=(paragraph, *article.paragraphs[1:]), lead=new_lead)


__all__ = ["TOPICS", "TOPIC_BY_NAME", "Article", "Facts", "Plan", "Topic", "number_word",
           "render", "rephrase_lead"]
