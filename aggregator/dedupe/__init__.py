"""Deduplication: entry keys (``keys``), the matcher's view of an entry (``features``)
and which story a new entry joins (``match``).

A *story* groups the entries that are the same article.  No I/O here: the
pipeline hands in what the store knows and gets back what to write, which
keeps the decisions testable with plain data and the store dumb.
"""

from aggregator.dedupe.features import (
    COMPARE_WORDS,
    SIGNATURE_WORDS,
    canonical_url,
    entry_text,
    features,
    normalize_title,
    normalize_words,
    origin_of,
    term,
    terms_of,
)
from aggregator.dedupe.keys import EntryDecisions, decide, key_mode, rekey
from aggregator.dedupe.match import (
    LAYERS,
    Evidence,
    Lookups,
    Rarity,
    View,
    compare,
    match_story,
    verdict,
    view_of,
)

__all__ = [
    "COMPARE_WORDS", "LAYERS", "SIGNATURE_WORDS", "EntryDecisions", "Evidence", "Lookups",
    "Rarity", "View", "canonical_url", "compare", "decide", "entry_text", "features",
    "key_mode", "match_story", "normalize_title", "normalize_words", "origin_of", "rekey",
    "term", "terms_of", "verdict", "view_of",
]
