"""What outlets do to a story they did not write: headline, body, HTML and URL edits.

Each function is one editorial habit seen in real feeds (a wire prefix, a site-name
suffix, curly quotes, "per cent", a dateline stripped, a summary cut at 300 characters,
tracking parameters on a link).  They take the ``random.Random`` to use so the corpus
generator stays reproducible.
"""

from __future__ import annotations

import html
import re
from random import Random

from tests.dedupe.newsgen import slugify

# --------------------------------------------------------------------------- headlines

# Word-level rewordings a copy editor makes to fit a page or house style.  Keys are
# matched as whole words; only a few are applied to any one headline.
HEADLINE_SWAPS: dict[str, str] = {
    "kill": "claim", "kills": "claims", "killing": "leaving", "killed": "dead",
    "dead": "killed", "displace": "uproot", "displaces": "uproots", "hits": "strikes",
    "batters": "lashes", "slams": "smashes", "destroy": "raze", "flee": "leave", "force":
    "drive", "sign": "ink", "seal": "clinch", "wins": "takes", "claims": "declares",
    "begin": "launch", "buy": "acquire", "holds": "keeps", "keeps": "holds", "cuts": "lowers",
    "lowers": "cuts", "raises": "hikes", "lifts": "raises", "rises": "climbs", "climbs":
    "rises", "jumps": "surges", "jump": "surge", "falls": "drops", "fall": "drop", "rise":
    "gain", "posts": "records", "reports": "records", "spreads": "widens", "Strong": "Powerful",
    "Heavy": "Torrential", "agree": "reach deal", "shakes": "rocks", "topples": "flattens",
    "derails": "comes off rails", "hurt": "injured", "sweep": "tear", "battle": "fight",
    "rate": "interest rate", "benchmark": "key", "deal": "agreement", "bids": "offers",
}

SMALL_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the",
               "to", "with", "vs", "from", "after"}


def reword(headline: str, rng: Random, max_swaps: int = 3) -> tuple[str, int]:
    """Swap 1..max_swaps words for synonyms; returns the new headline and the swap count."""
    words = headline.split(" ")
    candidates = [i for i, w in enumerate(words) if w.strip(",;:") in HEADLINE_SWAPS]
    rng.shuffle(candidates)
    count = min(len(candidates), rng.randint(1, max_swaps))
    for i in candidates[:count]:
        bare = words[i].strip(",;:")
        words[i] = words[i].replace(bare, HEADLINE_SWAPS[bare])
    return " ".join(words), count


def title_case(headline: str) -> str:
    """House style of some US-style sites: Capitalize Each Major Word."""
    out = []
    for i, word in enumerate(headline.split(" ")):
        if i and word.lower() in SMALL_WORDS:
            out.append(word.lower())
        elif word[:1].isalpha() and word[:1].islower():
            out.append(word[:1].upper() + word[1:])
        else:
            out.append(word)
    return " ".join(out)


def outlet_prefix(label: str | None, rng: Random) -> str:
    """How a subscriber shows the agency's slug: verbatim, house-styled or dropped."""
    if not label:
        return ""
    if label.startswith(("UPDATE", "WRAPUP")):
        return rng.choice((f"{label}-", "", f"{label}-"))
    styled = {"EXCLUSIVE": "Exclusive: ", "ANALYSIS": "Analysis: "}[label]
    return rng.choice((f"{label}-", styled, styled, ""))


# --------------------------------------------------------------------------- body text

_DATELINE = re.compile(r"^[A-ZÀ-Ý' .-]+, [A-Z][a-z]+ \d{1,2} \(WorldWire\) - ")


def dateline(city: str, date: str) -> str:
    """The agency's dateline: 'SANTIAGO, Nov 17 (WorldWire) - '."""
    return f"{city.upper()}, {date} (WorldWire) - "


def strip_dateline(paragraph: str) -> str:
    """Subscribers often drop the agency dateline from the first paragraph."""
    return _DATELINE.sub("", paragraph, count=1)


def curly_quotes(text: str) -> str:
    """Typographic quotes, as many CMSes convert on save."""
    text = re.sub(r'"(?=\w)', "\u201c", text)
    text = text.replace('"', "\u201d")
    return text.replace("'", "\u2019")


def per_cent(text: str) -> str:
    """British house style: 5.25 per cent instead of 5.25%."""
    return re.sub(r"(\d)%", r"\1 per cent", text)


def drop_last_sentence(paragraphs: list[str]) -> list[str]:
    """Trim the story's final sentence (or final paragraph when it has only one)."""
    last = paragraphs[-1]
    parts = re.split(r"(?<=[.!?\u201d\"]) (?=[A-Z\u201c\"])", last)
    if len(parts) > 1:
        return [*paragraphs[:-1], " ".join(parts[:-1])]
    return paragraphs[:-1] if len(paragraphs) > 2 else paragraphs


def truncate_chars(text: str, limit: int = 300) -> str:
    """A summary-only feed's description: the first ``limit`` characters, cut at a word."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"


def wire_credit(rng: Random, reporters: tuple[str, str, str], city: str) -> str:
    """The agency's closing line: who reported and who edited."""
    first, second, editor = reporters
    if rng.random() < 0.5:
        return f"(Reporting by {first} in {city}; Additional reporting by {second}; " \
               f"Editing by {editor})"
    return f"(Reporting by {first}; Editing by {editor})"


# --------------------------------------------------------------------------- HTML

def link_entities(paragraphs: list[str], names: list[str], base: str) -> list[str]:
    """Escape paragraphs and link the first mention of up to two names to topic pages."""
    out = [html.escape(p, quote=False) for p in paragraphs]
    for name in names[:2]:
        escaped = html.escape(name, quote=False)
        for i, para in enumerate(out):
            at = para.find(escaped)
            if at >= 0 and "<a " not in para:
                href = f"{base}/topic/{slugify(name)}"
                out[i] = f'{para[:at]}<a href="{href}">{escaped}</a>{para[at + len(escaped):]}'
                break
    return out


def emphasize(paragraph_html: str) -> str:
    """Italicise the agency credit or the publication name, as style guides ask."""
    return re.sub(r"\((WorldWire)\)", r"(<em>\1</em>)", paragraph_html, count=1)


def join_html(paragraphs_html: list[str], style: str) -> str:
    """One outlet's markup around the same paragraphs."""
    if style == "p":
        return "\n".join(f"<p>{p}</p>" for p in paragraphs_html)
    if style == "p-class":
        return "".join(f'<p class="story-body__text">{p}</p>' for p in paragraphs_html)
    if style == "div":
        inner = "\n".join(f"<p>{p}</p>" for p in paragraphs_html)
        return f'<div class="article-body">\n{inner}\n</div>'
    if style == "br":
        return "<br/><br/>".join(paragraphs_html)
    raise ValueError(style)


# --------------------------------------------------------------------------- URLs

TRACKING_SETS: tuple[tuple[str, ...], ...] = (
    ("utm_source=rss", "utm_medium=feed", "utm_campaign={campaign}"),
    ("utm_source=newsletter", "utm_medium=email", "utm_campaign={campaign}",
     "mc_cid={hex}", "mc_eid={hex2}"),
    ("utm_source=facebook", "utm_medium=social", "fbclid=IwAR{token}"),
    ("gclid={token}",),
    ("ref=rss",),
    ("cmpid=rss-{campaign}",),
    ("at_medium=RSS", "at_campaign={campaign}"),
    ("utm_source=twitter", "utm_medium=social", "utm_campaign={campaign}"),
)


def _token(rng: Random, length: int, alphabet: str = "abcdefghijklmnopqrstuvwxyz0123456789") -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def add_tracking(url: str, rng: Random, which: int | None = None) -> str:
    """Append a realistic set of tracking parameters, keeping any meaningful query."""
    params = TRACKING_SETS[rng.randrange(len(TRACKING_SETS)) if which is None else which]
    values = {"campaign": rng.choice(("daily", "world", "business", "breaking", "top-stories",
                                      "weekend")),
              "hex": _token(rng, 10, "0123456789abcdef"), "hex2": _token(rng, 10, "0123456789abcdef"),
              "token": _token(rng, 22, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")}
    query = "&".join(p.format(**values) for p in params)
    base, _, fragment = url.partition("#")
    joined = f"{base}&{query}" if "?" in base else f"{base}?{query}"
    return f"{joined}#{fragment}" if fragment else joined


def url_variant(url: str, rng: Random) -> tuple[str, str]:
    """One cosmetic change a link picks up on its way: scheme, host, slash or fragment."""
    options: list[tuple[str, str]] = []
    if url.startswith("https://"):
        options.append(("http://" + url[len("https://"):], "http instead of https"))
    if url.startswith("http://"):
        options.append(("https://" + url[len("http://"):], "https instead of http"))
    if "://www." in url:
        options.append((url.replace("://www.", "://", 1), "host without www."))
    if "?" not in url:
        if url.endswith("/"):
            options.append((url[:-1], "trailing slash dropped"))
        else:
            options.append((url + "/", "trailing slash added"))
    options.append((url + rng.choice(("#comments", "#top", "#ref=rss", "#main-content")),
                    "with a #fragment"))
    return rng.choice(options)


def amp_variant(url: str, rng: Random) -> str:
    """The AMP edition of a page, in one of the shapes publishers use."""
    base, _, _ = url.partition("#")
    if "?" in base:
        return f"{base}&outputType=amp"
    if base.endswith("/"):
        return rng.choice((f"{base}amp/", base.replace("://www.", "://amp.", 1)
                           if "://www." in base else f"{base}amp/"))
    return rng.choice((f"{base}/amp", f"{base}?outputType=amp", f"{base}.amp"))


def mobile_host(url: str) -> str:
    """The m. edition of a page (no trailing slash: mobile CMSes trim it)."""
    scheme, rest = url.split("://", 1)
    host, _, path = rest.partition("/")
    host = host[4:] if host.startswith("www.") else host
    return f"{scheme}://m.{host}/{path}".rstrip("/")
