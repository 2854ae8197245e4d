"""What an entry looks like to the story matcher: normalized words, keys and LSH bands.

Everything here is computed once per new entry, in a parser process, from
the entry alone (``features``); nothing depends on the store.  What depends
on the store (how rare a word is, which candidates exist) is ``match``'s.

* ``canonical_url``: the URL that variants of one article share;
* ``normalize_title`` / ``entry_text``: case-folded words, wire prefixes, site
  suffixes, datelines and "Read more" tails dropped;
* ``title_key`` / ``lead_key``: exact hashes of the headline and of the first
  words of the text (a summary-only copy keeps those), for indexed lookups;
* ``lsh_bands`` / ``title_bands``: MinHash bands that find edited copies;
* ``term``: the bounded id under which a word's rarity is counted.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from aggregator.models import DedupeSettings, EntryFeatures, ParsedEntry, plain_text

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
SIGNATURE_WORDS = 150  # lead words stored with the entry (``match_words``)
COMPARE_WORDS = 60  # lead words compared, and counted for rarity: the lead carries the story
LSH_WORDS = 24  # lead words hashed for LSH: a summary cut at ~150 characters keeps ~20
LSH_MIN_WORDS = 6  # fewer words than this: found by the lead key or the title only
LEAD_KEY_WORDS = 8  # the first words, hashed exactly: a truncated copy keeps them
TITLE_BAND_MIN_WORDS = 3  # shorter titles get no title bands (an exact title key still)
TITLE_BAND_OFFSET = 32  # title bands live beside text bands in entry_bands
TERM_BITS = 24  # words are counted in 2**24 buckets: bounded, and collisions are rare
# "CAIRO, Nov 16 (WorldWire) - ": the wire's dateline, which copies drop or rewrite.
_DATELINE = re.compile(
    r"^\s*[^\W\d_][^\W\d_ .'\u2019-]{0,40}(?:[ .'\u2019-]+[^\W\d_]+){0,4},?\s+"
    r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s*)?"
    r"(?:\([^)]{1,40}\)\s*)?[-\u2013\u2014]\s+")
# What a summary-only feed puts where it cut the text.
_CUT_MARK = re.compile(
    r"(?:\s*(?:\[\s*(?:\.\.\.|\u2026)\s*\]|\.\.\.|\u2026|\((?:more|cont)\)"
    r"|(?:read more|continue reading|read the (?:full )?(?:story|article))\s*(?:\u00bb|>>)?"
    r"|more\s*(?:\u00bb|>>)))+\s*$", re.IGNORECASE)
_CUT_MARK_TAIL = 200  # characters at the end where a cut mark is looked for

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
    """The body words an entry offers (its content, else its summary).

    The wire's dateline goes (copies drop or rewrite it), and so does the
    mark a summary-only feed leaves where it cut ("...", "[\u2026]", "Read
    more"): the words it leaves are the full text's.
    """
    text = _DATELINE.sub("", plain_text(entry_content or entry_summary).strip(), count=1)
    # The mark is at the end: searched for in the tail only, since trying the pattern at
    # every position of a long text cost more than all the rest of ``features``.
    head, tail = text[:-_CUT_MARK_TAIL], text[-_CUT_MARK_TAIL:]
    return normalize_words(head + _CUT_MARK.sub("", tail))


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


@functools.lru_cache(maxsize=1 << 16)  # a word is looked up for every entry it is in
def term(word: str) -> int:
    """The bucket a word's document frequency is counted in (``TERM_BITS`` wide)."""
    return zlib.crc32(word.encode()) & ((1 << TERM_BITS) - 1)


def terms_of(found: EntryFeatures) -> set[int]:
    """The word buckets an entry counts in: its title's and its compared lead's words."""
    return word_terms(found.title.split(), found.lead_words.split())


def word_terms(title: Sequence[str], lead: Sequence[str]) -> set[int]:
    """``terms_of`` from the normalized title's words and the lead's (as stored)."""
    return {term(w) for w in (*title, *lead[:COMPARE_WORDS])}


def exact_keys(title: Sequence[str], lead: Sequence[str]) -> tuple[int | None, int | None]:
    """(title_key, lead_key): the normalized headline and the first words, hashed exactly.

    None where there is no headline, or too few words for a lead key.
    """
    return (text_key(title) if title else None,
            text_key(lead[:LEAD_KEY_WORDS]) if len(lead) >= LEAD_KEY_WORDS else None)


def text_key(words: Sequence[str]) -> int:
    """A signed 63-bit hash of some words: an SQLite integer for an indexed lookup."""
    digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
    return int.from_bytes(digest, signed=True) >> 1


def title_bands(title: str) -> tuple[int, ...]:
    """LSH bands of a title's words: an edited headline shares most of them."""
    words = [w for w in title.split() if not w.isdigit()]
    if len(words) < TITLE_BAND_MIN_WORDS:
        return ()
    return lsh_bands(frozenset(zlib.crc32(w.encode()) for w in title.split()),
                     TITLE_BAND_OFFSET, rows_per_band=3)


def features(entry: ParsedEntry, settings: DedupeSettings) -> EntryFeatures:
    """The matcher's view of ``entry``: everything about it that needs no store."""
    title = normalize_title(entry.title)
    words = entry_text(entry.content, entry.summary)
    fingerprint = None
    if words:
        joined = title + "\x1f" + " ".join(words)
        fingerprint = hashlib.sha256(joined.encode()).hexdigest()[:32]
    lead = words[:SIGNATURE_WORDS]
    lsh = lead[:LSH_WORDS]
    title_key, lead_key = exact_keys(title.split(), lead)
    return EntryFeatures(
        title=title,
        lead_words=" ".join(lead),
        canonical_url=canonical_url(entry.url),
        origin=origin_of(entry),
        fingerprint=fingerprint,
        bands=lsh_bands(frozenset(shingle_hashes(lsh))) if len(lsh) >= LSH_MIN_WORDS else (),
        title_bands=title_bands(title),
        words=len(words),
        title_key=title_key,
        lead_key=lead_key,
    )


def origin_of(entry: ParsedEntry) -> str | None:
    """A globally unique id for the article: the republished original's id, or a URI guid."""
    if entry.origin_id:
        return entry.origin_id
    if entry.guid and (":" in entry.guid or "/" in entry.guid):
        return entry.guid
    return None
