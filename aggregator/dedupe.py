"""Pure decisions about incoming entries: new, changed or the same; and which story.

No I/O here: the pipeline hands in what the store knows and gets back what
to write.  Keeping the decisions apart from SQL makes them testable with
plain data and keeps the store dumb.

A *story* groups the entries that are the same article.  A new entry joins
an existing story through the first layer that matches, cheapest first:

1. ``key``: same feed, same entry key (an update of that entry; handled by
   ``decide`` before any story matching);
2. ``origin``: a republished entry names its original (``atom:source`` / the
   original id), or two entries share a globally unique id (a URI);
3. ``url``: the same canonical URL (``canonical_url``);
4. ``fingerprint``: the same normalized title + text (``fingerprint``);
5. ``near``: a MinHash/LSH candidate (``lsh_bands``) confirmed by the share
   of word shingles the two texts have in common (``containment``);
6. ``title``: for a teaser copy (too little text to compare), a long title
   worded alike with the same figures, within two days.

Every layer past the first checks the candidate too, so a recurring title
("Morning briefing") or a URL reused for a new piece never swallows another
story: text must agree, and entries far apart in time are kept apart.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from aggregator.models import (
    Candidate,
    DedupeSettings,
    EntryFeatures,
    ParsedEntry,
    StoryMatch,
    entry_key,
    plain_text,
    seconds_apart,
)

# Query parameters that identify a campaign or a click, never the article.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "mc_cid", "mc_eid", "ref",
    "ref_src", "ref_url", "referrer", "cmpid", "cmp", "ocid", "icid", "ncid", "at_medium",
    "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "igshid", "_ga",
    "_gl", "sr_share", "share", "spm", "s_kwcid", "wt.mc_id", "wtmc", "rss", "partner",
    "cid", "source", "xtor", "__twitter_impression", "guccounter", "taid",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_", "itm_", "hsa_", "vero_", "oly_")
HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")

_WORD = re.compile(r"\w+")
_TITLE_PREFIX = re.compile(
    r"^(?:\s*(?:update|updated|wrapup|refile|corrected|correction|exclusive|breaking|"
    r"analysis|explainer|factbox|live|watch|video|opinion|insight|rpt|urgent)"
    r"(?:\s*\d+)?\s*[-:\u2013\u2014]\s*)+", re.IGNORECASE)
_TITLE_SUFFIX = re.compile(r"\s+(?:[|\u2013\u2014]\s+[^|\u2013\u2014]{2,60}"
                           r"|-\s+(?:[A-Z][\w'&.]*\s?){1,5})$")
_MERSENNE = (1 << 61) - 1
_MINHASH_ROWS = 2
_MINHASH_BANDS = 12
_PERMUTATIONS = tuple(
    (int.from_bytes(hashlib.blake2b(f"a{i}".encode(), digest_size=8).digest()) | 1,
     int.from_bytes(hashlib.blake2b(f"b{i}".encode(), digest_size=8).digest()))
    for i in range(3 * _MINHASH_BANDS))  # enough for 3-row title bands
SHINGLE_WORDS = 3
SIGNATURE_WORDS = 150  # compared words: the lead carries the story
LEAD_WORDS = 40  # hashed for LSH: a truncated copy (a summary-only feed) keeps only the lead
# "CAIRO, Nov 16 (WorldWire) - ": the wire's dateline, which copies drop or rewrite.
_DATELINE = re.compile(
    r"^\s*[A-Z][A-Za-z .'\u2019-]{1,40},?\s+(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s*)?"
    r"(?:\([^)]{1,40}\)\s*)?[-\u2013\u2014]\s+")
LAYERS = ("key", "origin", "url", "fingerprint", "near", "title")
TITLE_MIN_WORDS = 6  # shorter titles ("Morning briefing", "Stocks rise") recur: never matched
TITLE_BAND_OFFSET = 32  # title bands live beside text bands in entry_bands
TITLE_SIMILARITY = 0.6  # word-set Jaccard of two titles that may name one story


# --- new, changed or the same -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryDecisions:
    """The entries of one fetch, split by what the store must do with them."""

    new: tuple[tuple[ParsedEntry, str], ...]  # (entry, content hash)
    changed: tuple[tuple[ParsedEntry, str], ...]
    same: int


def decide(entries: Iterable[ParsedEntry], stored: Mapping[str, tuple[str, str | None, int]],
           max_content_updates: int = 24) -> EntryDecisions:
    """Split ``entries`` against ``stored`` (key -> (content hash, updated, update count)).

    Unchanged entries are not touched at all.  A change whose ``updated`` date
    did not move is capped at ``max_content_updates`` per entry, so a page that
    embeds the time does not churn the store and the outputs.
    """
    new: list[tuple[ParsedEntry, str]] = []
    changed: list[tuple[ParsedEntry, str]] = []
    same = 0
    for entry in entries:
        digest = entry.content_hash()
        known = stored.get(entry.key)
        if known is None:
            new.append((entry, digest))
        elif known[0] == digest:
            same += 1
        elif entry.updated != known[1] or known[2] < max_content_updates:
            changed.append((entry, digest))
        else:
            same += 1
    return EntryDecisions(new=tuple(new), changed=tuple(changed), same=same)


def key_mode(entries: Sequence[ParsedEntry], broken_share: float) -> str:
    """Which key a feed's entries get: "guid", or "link" / "hash" when its ids are broken.

    Ids are broken when more than ``broken_share`` of the entries (and at
    least two) have an id shared with another entry of the document, or have
    neither an id nor a link to stand in for it.  A missing id alone is not
    broken: the entry is keyed by its link.
    """
    if not entries:
        return "guid"
    counts: dict[str, int] = {}
    for entry in entries:
        if entry.guid:
            counts[entry.guid] = counts.get(entry.guid, 0) + 1
    broken = sum(1 for e in entries if (e.guid and counts[e.guid] > 1)
                 or (not e.guid and not e.url))
    if broken < 2 or broken / len(entries) <= broken_share:
        return "guid"
    links = [e.url for e in entries if e.url]
    return "link" if len(links) == len(entries) and len(set(links)) == len(links) else "hash"


def rekey(entries: Sequence[ParsedEntry], mode: str, feed_url: str) -> list[ParsedEntry]:
    """The entries keyed for ``mode``: as parsed ("guid"), by link, or by a content hash.

    Hash keys always derive from ``feed_url`` (the feed's configured URL), so
    a redirect or an adopted URL does not re-key id-less, link-less entries.
    Keys stay unique within the document: a repeat gets its position appended.
    """
    result, seen = [], set()
    for position, entry in enumerate(entries):
        key = entry.key
        if mode != "guid" or key.startswith("sha256:"):
            link = entry.url if mode == "link" else None
            key = entry_key(None, link, entry.title, entry.published or entry.updated, feed_url)
        if key in seen:
            key = f"{key}#{position}"
        seen.add(key)
        result.append(entry if key == entry.key else replace(entry, key=key))
    return result


# --- what an entry looks like to the matcher -----------------------------------------


def canonical_url(url: str | None) -> str | None:
    """The URL that variants of one article share.

    w3lib canonicalizes (percent-encoding, sorted query, no fragment); then
    the scheme becomes https, default ports and ``www.``/``m.``/``amp.`` hosts
    and ``/amp`` paths fold, the trailing slash goes, and tracking parameters
    (``TRACKING_PARAMS``, ``TRACKING_PREFIXES``) are removed.  The rest of the
    query is kept: news sites put article ids there.
    """
    if not url:
        return None
    try:
        parts = urlsplit(canonicalize_url(url.strip(), keep_fragments=False))
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return None
    for prefix in HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix):]
            break
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = re.sub(r"(?:/amp)+/?$", "", parts.path)
    path = re.sub(r"^/amp(?=/)", "", path).rstrip("/")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _is_tracking(k)])
    return urlunsplit(("https", netloc, path, query, ""))


def _is_tracking(name: str) -> bool:
    lower = name.lower()
    return lower in TRACKING_PARAMS or lower.startswith(TRACKING_PREFIXES)


def normalize_words(text: str) -> list[str]:
    """Case-folded words, punctuation and white space dropped.

    The runs of word characters, found in one pass: the same words as
    replacing the rest by spaces and splitting, at half the cost (this is
    the biggest part of ``features``).
    """
    return _WORD.findall(text.casefold())


def normalize_title(title: str | None) -> str:
    """A title without wire prefixes ("UPDATE 2-", "Analysis:") or a site suffix."""
    if not title:
        return ""
    title = _TITLE_PREFIX.sub("", title)
    title = _TITLE_SUFFIX.sub("", title)
    return " ".join(normalize_words(title))


def entry_text(entry_content: str | None, entry_summary: str | None) -> list[str]:
    """The body words an entry offers (its content, else its summary), dateline dropped."""
    text = plain_text(entry_content or entry_summary).strip()
    return normalize_words(_DATELINE.sub("", text, count=1))


def shingles(words: Sequence[str]) -> frozenset[int]:
    """Hashed word 3-grams of the lead of a text."""
    return frozenset(shingle_hashes(words))


def shingle_hashes(words: Sequence[str]) -> list[int]:
    """The hashes of ``shingles``, in text order: a prefix of them is a shorter lead's."""
    tokens = list(words[:SIGNATURE_WORDS])
    if len(tokens) < SHINGLE_WORDS:
        return [zlib.crc32(" ".join(tokens).encode())] if tokens else []
    # SHINGLE_WORDS (3) words each, joined as " ".join would, without slicing a list each time
    return [zlib.crc32(f"{a} {b} {c}".encode())
            for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)]


def lsh_bands(shingle_set: frozenset[int], offset: int = 0,
              rows_per_band: int = _MINHASH_ROWS) -> tuple[int, ...]:
    """MinHash in bands: texts sharing most shingles share a band with high probability.

    Text: 24 MinHash values in 12 bands of 2 rows: a pair with Jaccard 0.5
    collides in some band with probability 0.97, at 0.7 with 0.9997.  Titles
    (few words, many shared by chance) use 3 rows: 0.95 at Jaccard 0.6, 0.28
    at 0.3, which keeps false candidates few.  Each value is tagged with its
    band number so one indexed column holds them all.

    The values come from one-permutation hashing (Li, Owen and Zhang 2012)
    with densification by rotation (Shrivastava and Li 2014): one pass over
    the shingles instead of one per value, the same collision probabilities
    in expectation, and most of the matcher's time saved.
    """
    if not shingle_set:
        return ()
    mins = one_permutation_minhash(shingle_set, rows_per_band * _MINHASH_BANDS)
    bands = []
    for band in range(_MINHASH_BANDS):
        rows = mins[band * rows_per_band:(band + 1) * rows_per_band]
        digest = hashlib.blake2b(repr(rows).encode(), digest_size=5).digest()
        bands.append(((band + offset) << 40) | int.from_bytes(digest))
    return tuple(bands)


def one_permutation_minhash(shingle_set: frozenset[int], count: int) -> list[int]:
    """``count`` MinHash values from one hash per shingle (bins), empty bins densified."""
    a, b = _PERMUTATIONS[0]
    bins: list[int | None] = [None] * count
    for shingle in shingle_set:
        value = (a * shingle + b) % _MERSENNE
        index = value % count
        current = bins[index]
        if current is None or value < current:
            bins[index] = value
    filled = [i for i, v in enumerate(bins) if v is not None]
    result: list[int] = []
    for i, slot in enumerate(bins):
        if slot is not None:
            result.append(slot)
            continue
        # The nearest filled bin to the right, tagged with the distance so the
        # borrowed value differs from the one in its own bin.
        source = next((j for j in filled if j > i), filled[0])
        distance = (source - i) % count
        result.append((bins[source] or 0) + distance * _MERSENNE)
    return result


def numbers(title: str, words: Sequence[str], limit: int) -> frozenset[str]:
    """The numbers in a title and the first ``limit`` words: the specifics of a story."""
    return frozenset(w for w in (*title.split(), *words[:limit]) if w.isdigit())


def same_specifics(lead_a: frozenset[str], all_a: frozenset[str], lead_b: frozenset[str],
                   all_b: frozenset[str]) -> bool:
    """False when the numbers of one lead (``numbers`` of ``LEAD_WORDS``) miss from the other.

    Templated stories ("Cholera cases in Davao jump 45%; 12 dead" against
    "... in Jakarta ...; 24 dead") share most of their words; their figures
    tell them apart.  A truncated copy's lead figures are all in the full text
    (``all_*``: ``numbers`` of ``SIGNATURE_WORDS``).
    """
    return lead_a <= all_b or lead_b <= all_a


def title_bands(title: str) -> tuple[int, ...]:
    """LSH bands of a title's words, for copies whose text is only a teaser."""
    words = title.split()
    if not long_title(title):
        return ()
    return lsh_bands(frozenset(zlib.crc32(w.encode()) for w in words), TITLE_BAND_OFFSET,
                     rows_per_band=3)


def long_title(title: str) -> bool:
    """Whether a title says enough to identify a story: recurring titles are short."""
    return sum(1 for word in title.split() if not word.isdigit()) >= TITLE_MIN_WORDS


def title_similarity(a: str, b: str) -> float:
    """Jaccard similarity of two normalized titles' word sets."""
    set_a, set_b = set(a.split()), set(b.split())
    return len(set_a & set_b) / len(set_a | set_b) if set_a and set_b else 0.0


def pack_shingles(shingle_set: frozenset[int]) -> bytes:
    """Shingles as 4 bytes each, sorted: a twelfth of the memory of the set."""
    return array("I", sorted(shingle_set)).tobytes()


def shingle_set(packed: bytes) -> frozenset[int]:
    """The set that ``pack_shingles`` packed."""
    values = array("I")
    values.frombytes(packed)
    return frozenset(values)


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    """Share of the smaller shingle set found in the larger: robust to truncated copies."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def features(entry: ParsedEntry, settings: DedupeSettings) -> EntryFeatures:
    """The matcher's view of ``entry``."""
    title = normalize_title(entry.title)
    words = entry_text(entry.content, entry.summary)
    fingerprint = None
    if words:
        joined = title + "\x1f" + " ".join(words)
        fingerprint = hashlib.sha256(joined.encode()).hexdigest()[:32]
    long_enough = len(words) >= settings.min_words
    lead = words[:SIGNATURE_WORDS]
    hashes = shingle_hashes(lead)  # the LSH lead's shingles are the first of them
    lead_shingles = frozenset(hashes[:LEAD_WORDS - SHINGLE_WORDS + 1])
    return EntryFeatures(
        title=title,
        lead_words=" ".join(lead),
        canonical_url=canonical_url(entry.url),
        origin=origin_of(entry),
        fingerprint=fingerprint,
        shingles=pack_shingles(frozenset(hashes)),
        bands=lsh_bands(lead_shingles) if long_enough else (),
        title_bands=title_bands(title),
        words=len(words),
        lead_numbers=numbers(title, lead, LEAD_WORDS),
        all_numbers=numbers(title, lead, SIGNATURE_WORDS),
    )


def origin_of(entry: ParsedEntry) -> str | None:
    """A globally unique id for the article: the republished original's id, or a URI guid."""
    if entry.origin_id:
        return entry.origin_id
    if entry.guid and (":" in entry.guid or "/" in entry.guid):
        return entry.guid
    return None


# --- which story ---------------------------------------------------------------------


def match_story(new: EntryFeatures, when: str, candidates: Iterable[Candidate],
                settings: DedupeSettings) -> StoryMatch | None:
    """The best confirmed candidate, earliest layer first; None means a new story."""
    best: StoryMatch | None = None
    for candidate in candidates:
        score = _confirm(new, when, candidate, settings)
        if score is None:
            continue
        found = StoryMatch(candidate.story_id, candidate.entry_id, candidate.layer, score)
        if best is None or (LAYERS.index(found.layer), -found.score) < (
                LAYERS.index(best.layer), -best.score):
            best = found
    return best


def _confirm(new: EntryFeatures, when: str, candidate: Candidate,
             settings: DedupeSettings) -> float | None:
    """The similarity that confirms a candidate, or None when it must not merge."""
    if candidate.layer == "origin":
        return 1.0
    gap_s = seconds_apart(when, candidate.when)  # infinite for an unreadable time: no merge
    if gap_s > settings.window_s:
        return None
    if candidate.layer == "title":
        return _confirm_title(new, candidate, gap_s, settings)
    theirs = stored_view(candidate)
    score = containment(shingle_set(new.shingles), theirs.shingles)
    short = new.words < settings.min_words
    if candidate.layer in ("url", "fingerprint"):
        return _confirm_exact(candidate.layer, short, gap_s, score, settings)
    if not same_specifics(new.lead_numbers, new.all_numbers, theirs.lead_numbers,
                          theirs.all_numbers):
        return None
    threshold = settings.similarity + (0.15 if gap_s > 2 * 86400 else 0.0)
    return score if not short and score >= threshold else None


@dataclass(frozen=True, slots=True)
class StoredView:
    """What the matcher compares of a stored entry (``features``, minus the lookups)."""

    title: str
    words: int
    shingles: frozenset[int]
    lead_numbers: frozenset[str]
    all_numbers: frozenset[str]


def stored_view(candidate: Candidate) -> StoredView:
    """The candidate's view: from the words stored at insert, else from its text.

    Entries stored before the matcher's view had columns (or just updated:
    the update clears them) are normalized from their HTML, which costs ten
    times more.
    """
    if candidate.match_words is not None:
        return _view_of_words(candidate.entry_id, stored_title(candidate),
                              candidate.match_words, candidate.word_count or 0)
    return _view_of_text(candidate.entry_id, candidate.title, candidate.summary,
                         candidate.content)


def stored_title(candidate: Candidate) -> str:
    """The candidate's normalized title: stored at insert, else normalized now."""
    if candidate.match_words is not None:
        return candidate.match_title or ""
    return normalize_title(candidate.title)


@functools.lru_cache(maxsize=64)  # ~14 KB each; few candidates get this far
def _view_of_words(entry_id: int, title: str, words: str, count: int) -> StoredView:
    """Memoized: recent entries are the candidates of many new ones."""
    return _view(title, words.split(), count)


@functools.lru_cache(maxsize=64)
def _view_of_text(entry_id: int, title: str | None, summary: str | None,
                  content: str | None) -> StoredView:
    words = entry_text(content, summary)
    return _view(normalize_title(title), words, len(words))


def _view(title: str, words: Sequence[str], count: int) -> StoredView:
    lead = words[:SIGNATURE_WORDS]
    return StoredView(title=title, words=count, shingles=shingles(lead),
                      lead_numbers=numbers(title, lead, LEAD_WORDS),
                      all_numbers=numbers(title, lead, SIGNATURE_WORDS))


def _confirm_exact(layer: str, short: bool, gap_s: float, score: float,
                   settings: DedupeSettings) -> float | None:
    """Same canonical URL or same fingerprint: strong, but guarded.

    One URL can carry a new piece (a daily briefing at a fixed address), so
    the texts must agree a little; identical short texts ("Markets closed")
    merge only within a day.
    """
    if layer == "url":
        return score if short or score >= settings.similarity / 2 else None
    return 1.0 if not short or gap_s <= 86400 else None


def _confirm_title(new: EntryFeatures, candidate: Candidate, gap_s: float,
                   settings: DedupeSettings) -> float | None:
    """A title match counts only for a teaser copy (one side has too little text).

    Both titles must be long (recurring ones are short), close in wording,
    with the same figures, and the entries at most two days apart.  The
    title alone rules out most candidates, so it is checked before the text.
    """
    their_title = stored_title(candidate)
    similar = title_similarity(new.title, their_title)
    if (gap_s > 2 * 86400 or similar < TITLE_SIMILARITY or not long_title(their_title)
            or numbers(new.title, (), 0) != numbers(their_title, (), 0)):
        return None
    theirs = stored_view(candidate)
    if not same_specifics(new.lead_numbers, new.all_numbers, theirs.lead_numbers,
                          theirs.all_numbers):
        return None
    teaser = min(new.words, theirs.words) < settings.min_words
    if teaser or containment(shingle_set(new.shingles), theirs.shingles) >= settings.similarity / 2:
        return similar
    return None
