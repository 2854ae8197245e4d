"""Text primitives and vocabularies for the dedupe corpus (no randomness of its own).

Every function that needs chance takes a ``random.Random`` so the caller controls the
seed; nothing here reads the clock, the environment or the network.  The templates use
a tiny language: ``[a|b|c]`` picks one alternative, ``{name}`` is filled from a
``Facts`` mapping.  Facts are plain strings so one set of facts can be rendered many
times (a wire story, an outlet's edit of it, an independent article on the same event).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random

Facts = dict[str, str]

_ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{(\w+)\}")
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.;:])")


def expand(template: str, facts: Facts, rng: Random) -> str:
    """Pick one alternative for every ``[a|b]`` group, then fill ``{slots}`` from facts.

    Empty alternatives are allowed (``[ on {day}|]``), so tidy doubled spaces after.
    """
    picked = _ALTERNATIVES.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    text = picked.format_map(facts)
    text = _SPACES.sub(" ", text)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text).strip()


def slot_names(template: str) -> set[str]:
    """The ``{names}`` a template needs (used by the tests to catch template typos)."""
    return set(_SLOT.findall(template))


def capitalize_first(text: str) -> str:
    """Upper-case the first character only ("dock workers ..." -> "Dock workers ...")."""
    return text[:1].upper() + text[1:]


def num(value: int) -> str:
    """An integer as news copy prints it: 12,000."""
    return f"{value:,}"


def round_to(rng: Random, low: int, high: int, step: int) -> int:
    """A random multiple of ``step`` in [low, high]: counts officials round."""
    return rng.randrange(low // step, high // step + 1) * step


def number_word(value: int) -> str:
    """Small numbers as words, the way a headline or lead starts a sentence."""
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
             "ten", "eleven", "twelve"]
    return words[value] if 0 <= value < len(words) else num(value)


_UNDECOMPOSABLE = str.maketrans({"ł": "l", "ø": "o", "ı": "i", "æ": "ae", "ß": "ss"})


def slugify(text: str, max_words: int = 9) -> str:
    """A URL slug the way CMSes make them: lower case, ASCII-ish, hyphens, first N words."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_UNDECOMPOSABLE))
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = re.findall(r"[a-z0-9]+", ascii_only)
    return "-".join(words[:max_words])


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_SHORT = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct",
                "Nov", "Dec")


def day_facts(when: datetime) -> Facts:
    """The calendar words a story about ``when`` uses (weekday, the day before, dateline)."""
    return {
        "day": WEEKDAYS[when.weekday()],
        "prev_day": WEEKDAYS[(when - timedelta(days=1)).weekday()],
        "next_day": WEEKDAYS[(when + timedelta(days=1)).weekday()],
        "date": f"{MONTHS_SHORT[when.month - 1]} {when.day}",
        "date_long": f"{when.day} {('January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December')[when.month - 1]}",
    }


# --------------------------------------------------------------------------- people


NAME_POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "latam": (
        ("Camila", "Javier", "Valentina", "Matías", "Lucía", "Andrés", "Fernanda", "Rodrigo",
         "Isabel", "Tomás", "Carolina", "Felipe", "Gabriela", "Sebastián"),
        ("Fuentes", "Araya", "Morales", "Rojas", "Castillo", "Herrera", "Vargas", "Soto",
         "Paredes", "Quispe", "Navarro", "Mendoza", "Oliveira", "Carvalho"),
    ),
    "south_asia": (
        ("Priya", "Arjun", "Kavita", "Rahul", "Meena", "Suresh", "Anjali", "Vikram", "Farah",
         "Imran", "Nusrat", "Kamal", "Lakshmi", "Sanjay"),
        ("Raman", "Iyer", "Sharma", "Banerjee", "Krishnan", "Qureshi", "Hossain", "Rahman",
         "Menon", "Das", "Pillai", "Siddiqui", "Chowdhury", "Nair"),
    ),
    "japan": (
        ("Haruto", "Yui", "Kenji", "Aiko", "Takeshi", "Mei", "Hiroshi", "Naoko", "Daisuke",
         "Emi"),
        ("Sato", "Tanaka", "Watanabe", "Nakamura", "Kobayashi", "Yamamoto", "Ito", "Kato",
         "Suzuki", "Matsuda"),
    ),
    "korea": (
        ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-hyun", "Soo-jin", "Jae-won", "Eun-ji"),
        ("Kim", "Park", "Lee", "Choi", "Jung", "Kang", "Yoon", "Han"),
    ),
    "se_asia": (
        ("Budi", "Siti", "Rizal", "Dewi", "Maria", "Jose", "Arnel", "Nurul", "Somchai", "Lan",
         "Minh", "Farid", "Ratna", "Carlo"),
        ("Santoso", "Wijaya", "Reyes", "Santos", "Cruz", "Hidayat", "Abdullah", "Tran", "Pham",
         "Srisuk", "Lim", "Tan", "Gunawan", "Villanueva"),
    ),
    "africa": (
        ("Amina", "Kwame", "Wanjiru", "Chinedu", "Thabo", "Fatima", "Otieno", "Ngozi", "Sipho",
         "Zainab", "Kofi", "Halima", "Bongani", "Achieng"),
        ("Ochieng", "Okafor", "Mwangi", "Adeyemi", "Nkosi", "Mensah", "Abubakar", "Kamau",
         "Dlamini", "Bello", "Osei", "Njoroge", "Eze", "Mokoena"),
    ),
    "mena": (
        ("Omar", "Layla", "Youssef", "Nadia", "Karim", "Salma", "Hassan", "Mona", "Tarek",
         "Samira"),
        ("El-Sayed", "Benali", "Haddad", "Mansour", "Farouk", "Amrani", "Saleh", "Idrissi",
         "Tazi", "Khalil"),
    ),
    "europe": (
        ("Anna", "Piotr", "Katarzyna", "Mehmet", "Ayşe", "Lars", "Ingrid", "Elif", "Tomasz",
         "Sofia", "Erik", "Magdalena", "Emre", "Sigrid"),
        ("Nowak", "Kowalski", "Yılmaz", "Demir", "Hansen", "Johansen", "Wiśniewska", "Kaya",
         "Berg", "Lewandowski", "Şahin", "Nilsen", "Aydın", "Dahl"),
    ),
    "anglo": (
        ("Sarah", "James", "Emily", "Liam", "Grace", "Daniel", "Olivia", "Hamish", "Chloe",
         "Ethan", "Aroha", "Nathan", "Fiona", "Marcus"),
        ("Mitchell", "Campbell", "Thompson", "Walker", "Ngata", "Clarke", "MacDonald", "Fraser",
         "Bennett", "Hughes", "Patel", "O'Brien", "Sinclair", "Whitfield"),
    ),
}


def person(rng: Random, pool: str) -> tuple[str, str]:
    """A (full name, surname as used on second reference) from a regional pool."""
    firsts, lasts = NAME_POOLS[pool]
    first, last = rng.choice(firsts), rng.choice(lasts)
    if pool == "korea":
        return f"{last} {first}", last
    return f"{first} {last}", last


def reporter(rng: Random) -> str:
    """A byline name; wire desks are international, so any pool."""
    pool = rng.choice(("anglo", "anglo", "south_asia", "latam", "europe", "africa", "japan"))
    return person(rng, pool)[0]


# --------------------------------------------------------------------------- places


@dataclass(frozen=True)
class Country:
    """What the templates need to say about a country without getting it wrong."""

    name: str
    adj: str
    capital: str
    cities: tuple[str, ...]
    region: str  # latam, south_asia, east_asia, se_asia, africa, mena, europe, oceania, americas
    names: str  # NAME_POOLS key
    leader_title: str
    bank: str
    currency: str
    currency_plural: str
    index: str
    disaster_agency: str
    rivers: tuple[str, ...]

    @property
    def the_name(self) -> str:
        """'the Philippines' reads right where 'Chile' does."""
        return f"the {self.name}" if self.name == "Philippines" else self.name


COUNTRIES: tuple[Country, ...] = (
    Country("Chile", "Chilean", "Santiago", ("Santiago", "Valparaíso", "Concepción",
            "Antofagasta", "Temuco"), "latam", "latam", "President", "Central Bank of Chile",
            "peso", "pesos", "S&P IPSA index", "National Disaster Prevention and Response Service",
            ("Biobío", "Maule", "Mapocho")),
    Country("Peru", "Peruvian", "Lima", ("Lima", "Arequipa", "Trujillo", "Piura", "Cusco"),
            "latam", "latam", "President", "Central Reserve Bank of Peru", "sol", "soles",
            "S&P/BVL Peru General index", "National Civil Defence Institute",
            ("Rímac", "Piura", "Santa")),
    Country("Brazil", "Brazilian", "Brasília", ("São Paulo", "Rio de Janeiro", "Porto Alegre",
            "Recife", "Belo Horizonte"), "latam", "latam", "President", "Central Bank of Brazil",
            "real", "reais", "Bovespa index", "National Civil Defence Secretariat",
            ("Guaíba", "Taquari", "São Francisco")),
    Country("Mexico", "Mexican", "Mexico City", ("Mexico City", "Monterrey", "Guadalajara",
            "Acapulco", "Veracruz"), "latam", "latam", "President", "Bank of Mexico", "peso",
            "pesos", "S&P/BMV IPC index", "National Civil Protection Coordination",
            ("Papaloapan", "Grijalva", "Lerma")),
    Country("Colombia", "Colombian", "Bogotá", ("Bogotá", "Medellín", "Cali", "Barranquilla",
            "Cartagena"), "latam", "latam", "President", "Bank of the Republic", "peso", "pesos",
            "MSCI COLCAP index", "National Disaster Risk Management Unit",
            ("Magdalena", "Cauca", "Atrato")),
    Country("India", "Indian", "New Delhi", ("Chennai", "Mumbai", "Kolkata", "Guwahati", "Kochi",
            "Patna"), "south_asia", "south_asia", "Prime Minister", "Reserve Bank of India",
            "rupee", "rupees", "Nifty 50 index", "National Disaster Management Authority",
            ("Adyar", "Brahmaputra", "Periyar", "Kosi")),
    Country("Bangladesh", "Bangladeshi", "Dhaka", ("Dhaka", "Chattogram", "Sylhet", "Khulna"),
            "south_asia", "south_asia", "Prime Minister", "Bangladesh Bank", "taka", "taka",
            "DSEX index", "Department of Disaster Management", ("Meghna", "Jamuna", "Surma")),
    Country("Pakistan", "Pakistani", "Islamabad", ("Karachi", "Lahore", "Peshawar", "Quetta"),
            "south_asia", "south_asia", "Prime Minister", "State Bank of Pakistan", "rupee",
            "rupees", "KSE-100 index", "National Disaster Management Authority",
            ("Indus", "Swat", "Kabul")),
    Country("Japan", "Japanese", "Tokyo", ("Tokyo", "Osaka", "Fukuoka", "Sendai", "Sapporo",
            "Kumamoto"), "east_asia", "japan", "Prime Minister", "Bank of Japan", "yen", "yen",
            "Nikkei 225 index", "Fire and Disaster Management Agency",
            ("Kuma", "Chikugo", "Abukuma")),
    Country("South Korea", "South Korean", "Seoul", ("Seoul", "Busan", "Incheon", "Daegu",
            "Gwangju"), "east_asia", "korea", "President", "Bank of Korea", "won", "won",
            "KOSPI index", "Ministry of the Interior and Safety", ("Han", "Nakdong", "Geum")),
    Country("Indonesia", "Indonesian", "Jakarta", ("Jakarta", "Surabaya", "Medan", "Semarang",
            "Makassar"), "se_asia", "se_asia", "President", "Bank Indonesia", "rupiah", "rupiah",
            "Jakarta Composite Index", "National Disaster Mitigation Agency",
            ("Ciliwung", "Citarum", "Brantas")),
    Country("Philippines", "Philippine", "Manila", ("Manila", "Cebu", "Davao", "Iloilo",
            "Tacloban"), "se_asia", "se_asia", "President", "Bangko Sentral ng Pilipinas",
            "peso", "pesos", "PSEi index",
            "National Disaster Risk Reduction and Management Council",
            ("Marikina", "Pampanga", "Cagayan")),
    Country("Vietnam", "Vietnamese", "Hanoi", ("Hanoi", "Ho Chi Minh City", "Da Nang", "Hue",
            "Haiphong"), "se_asia", "se_asia", "Prime Minister", "State Bank of Vietnam", "dong",
            "dong", "VN-Index", "Disaster Management Authority", ("Red", "Perfume", "Thu Bon")),
    Country("Thailand", "Thai", "Bangkok", ("Bangkok", "Chiang Mai", "Hat Yai", "Khon Kaen"),
            "se_asia", "se_asia", "Prime Minister", "Bank of Thailand", "baht", "baht",
            "SET index", "Department of Disaster Prevention and Mitigation",
            ("Chao Phraya", "Ping", "Mun")),
    Country("Malaysia", "Malaysian", "Kuala Lumpur", ("Kuala Lumpur", "Penang", "Johor Bahru",
            "Kota Bharu"), "se_asia", "se_asia", "Prime Minister", "Bank Negara Malaysia",
            "ringgit", "ringgit", "FBM KLCI index", "National Disaster Management Agency",
            ("Kelantan", "Klang", "Pahang")),
    Country("Kenya", "Kenyan", "Nairobi", ("Nairobi", "Mombasa", "Kisumu", "Nakuru", "Garissa"),
            "africa", "africa", "President", "Central Bank of Kenya", "shilling", "shillings",
            "NSE 20 index", "National Disaster Operations Centre", ("Tana", "Athi", "Nzoia")),
    Country("Nigeria", "Nigerian", "Abuja", ("Lagos", "Abuja", "Kano", "Port Harcourt",
            "Maiduguri"), "africa", "africa", "President", "Central Bank of Nigeria", "naira",
            "naira", "NGX All-Share index", "National Emergency Management Agency",
            ("Niger", "Benue", "Ogun")),
    Country("South Africa", "South African", "Pretoria", ("Johannesburg", "Cape Town", "Durban",
            "Gqeberha"), "africa", "africa", "President", "South African Reserve Bank", "rand",
            "rand", "JSE Top 40 index", "National Disaster Management Centre",
            ("Umgeni", "Vaal", "Orange")),
    Country("Egypt", "Egyptian", "Cairo", ("Cairo", "Alexandria", "Giza", "Aswan"), "mena",
            "mena", "President", "Central Bank of Egypt", "pound", "pounds", "EGX30 index",
            "Cabinet's crisis management centre", ("Nile",)),
    Country("Morocco", "Moroccan", "Rabat", ("Casablanca", "Rabat", "Marrakesh", "Fez",
            "Agadir"), "mena", "mena", "Prime Minister", "Bank Al-Maghrib", "dirham", "dirhams",
            "MASI index", "Interior Ministry's civil protection directorate",
            ("Sebou", "Ourika", "Moulouya")),
    Country("Turkey", "Turkish", "Ankara", ("Istanbul", "Ankara", "Izmir", "Antalya",
            "Malatya"), "europe", "europe", "President",
            "Central Bank of the Republic of Turkey", "lira", "lira", "BIST 100 index",
            "Disaster and Emergency Management Authority", ("Kızılırmak", "Sakarya", "Seyhan")),
    Country("Poland", "Polish", "Warsaw", ("Warsaw", "Kraków", "Wrocław", "Gdańsk", "Poznań"),
            "europe", "europe", "Prime Minister", "National Bank of Poland", "zloty", "zlotys",
            "WIG20 index", "Government Security Centre", ("Vistula", "Oder", "Warta")),
    Country("Norway", "Norwegian", "Oslo", ("Oslo", "Bergen", "Trondheim", "Stavanger",
            "Tromsø"), "europe", "europe", "Prime Minister", "Norges Bank", "crown", "crowns",
            "OBX index", "Directorate for Civil Protection", ("Glomma", "Drammen", "Otta")),
    Country("New Zealand", "New Zealand", "Wellington", ("Auckland", "Wellington",
            "Christchurch", "Napier", "Gisborne"), "oceania", "anglo", "Prime Minister",
            "Reserve Bank of New Zealand", "dollar", "dollars", "S&P/NZX 50 index",
            "National Emergency Management Agency", ("Waikato", "Tukituki", "Esk")),
    Country("Australia", "Australian", "Canberra", ("Sydney", "Melbourne", "Brisbane", "Perth",
            "Lismore", "Townsville"), "oceania", "anglo", "Prime Minister",
            "Reserve Bank of Australia", "dollar", "dollars", "S&P/ASX 200 index",
            "National Emergency Management Agency", ("Wilsons", "Brisbane", "Murray")),
    Country("Canada", "Canadian", "Ottawa", ("Toronto", "Vancouver", "Montreal", "Calgary",
            "Halifax"), "americas", "anglo", "Prime Minister", "Bank of Canada", "dollar",
            "dollars", "S&P/TSX composite index", "Public Safety Canada",
            ("Fraser", "Bow", "Saint John")),
)

COUNTRY_BY_NAME: dict[str, Country] = {c.name: c for c in COUNTRIES}


def country_facts(country: Country, rng: Random, city: str | None = None) -> Facts:
    """The place words most templates use, plus a leader and an official to quote."""
    leader, leader_last = person(rng, country.names)
    official, official_last = person(rng, country.names)
    return {
        "country": country.the_name,
        "Country": capitalize_first(country.the_name),
        "country_key": country.name,
        "adj": country.adj,
        "capital": country.capital,
        "city": city or rng.choice(country.cities),
        "region": country.region,
        "leader": leader,
        "leader_last": leader_last,
        "leader_title": country.leader_title,
        "official": official,
        "official_last": official_last,
        "agency": country.disaster_agency,
        "currency": country.currency,
        "currency_plural": country.currency_plural,
        "bank": country.bank,
        "index": country.index,
        "names": country.names,
    }


def other_city(rng: Random, country: Country, city: str) -> str:
    """A second city in the same country (for routes, storm tracks, 'spread to')."""
    choices = [c for c in country.cities if c != city]
    return rng.choice(choices) if choices else country.capital


def dollars(rng: Random, low: int, high: int) -> str:
    """A round US dollar amount in millions, the way wires convert local figures."""
    return f"${rng.randint(low, high)} million"


COMPASS = ("north", "north-east", "east", "south-east", "south", "south-west", "west",
           "north-west")
