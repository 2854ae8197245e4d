"""A labelled dedupe corpus (``dedupe --backtest --corpus FILE``) and pairwise scoring.

The format (``aggregator-dedupe-corpus/1``, the one of ``tests/dedupe/corpus.json``) is
a JSON object whose ``entries`` array holds feed items in the order a fetcher would see
them.  Each entry has ``feed_url`` and ``group`` (its true story: entries with the same
group are the same article), and may have ``guid``, ``url``, ``title``, ``summary``,
``content`` (HTML or text), ``published``, ``updated`` (``YYYY-MM-DDTHH:MM:SSZ``),
``author``, ``source_id`` (the origin id of a republished entry), ``kind`` and ``note``
(free text, for reading failures by kind).  Any other key is an error: a misspelt
``titel`` would otherwise be silently dropped.

Scoring is pairwise.  For a predicted clustering (corpus index -> predicted story id):

* a *predicted pair* is two entries with the same predicted id;
* a *true pair* is two entries with the same ``group``;
* precision = |predicted pairs that are true pairs| / |predicted pairs|
* recall    = |true pairs that are predicted pairs| / |true pairs|

An index missing from ``predicted`` is its own singleton cluster; with no predicted
pairs precision is 1.0 (nothing was claimed, so nothing was wrong); with no true pairs
recall is 1.0.  Both counts come from cluster sizes, never from enumerating pairs
(n(n-1)/2 in a set of n; the correct ones inside each (predicted id, group) cell), so
the cost is O(n).  Pure: the caller reads the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

FORMAT = "aggregator-dedupe-corpus/1"


class CorpusFormatError(ValueError):
    """A corpus document that does not follow the format; the message names the problem."""


@dataclass(frozen=True, slots=True)
class CorpusEntry:
    """One feed entry and its true story label (see the module docstring)."""

    feed_url: str
    guid: str | None
    url: str | None
    title: str | None
    summary: str | None  # HTML or plain text
    content: str | None  # HTML
    published: str | None  # UTC, 'YYYY-MM-DDTHH:MM:SSZ'
    updated: str | None
    author: str | None
    source_id: str | None  # origin entry id of a planet/aggregator republish
    group: str  # the true story id
    kind: str  # which construction produced the entry
    note: str  # a short human note on what was done to it


FIELDS = tuple(f.name for f in fields(CorpusEntry))
_REQUIRED = ("feed_url", "group")
_LABELS = ("kind", "note")  # free text, "" when absent


def corpus_entries(document: object) -> list[CorpusEntry]:
    """The entries of a parsed corpus document; CorpusFormatError names the first problem."""
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise CorpusFormatError('expected a JSON object with an "entries" array')
    declared = document.get("format", FORMAT)
    if declared != FORMAT:
        raise CorpusFormatError(f"format {declared!r} is not {FORMAT!r}")
    return [_entry(number, record) for number, record in enumerate(document["entries"])]


def _entry(number: int, record: object) -> CorpusEntry:
    where = f"entry {number}"
    if not isinstance(record, dict):
        raise CorpusFormatError(f"{where}: expected an object, got {type(record).__name__}")
    unknown = sorted(set(record) - set(FIELDS))
    if unknown:
        raise CorpusFormatError(f"{where}: unknown keys {unknown} (known: {', '.join(FIELDS)})")
    values: dict[str, Any] = {}  # each checked to be a str (or None) below
    for name in FIELDS:
        value = record.get(name)
        if name in _REQUIRED and not (isinstance(value, str) and value):
            raise CorpusFormatError(f"{where}: {name!r} must be a non-empty string")
        if value is not None and not isinstance(value, str):
            raise CorpusFormatError(f"{where}: {name!r} must be a string or null, "
                             f"got {type(value).__name__}")
        values[name] = value if value is not None or name not in _LABELS else ""
    return CorpusEntry(**values)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True, slots=True)
class PairCounts:
    """The pair counts behind ``pairwise_scores`` (see the module docstring)."""

    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def pair_counts(predicted: Mapping[int, str], corpus: Sequence[CorpusEntry]) -> PairCounts:
    """True, predicted and correctly predicted pairs of ``predicted`` (index -> story id)."""
    n = len(corpus)
    for index in predicted:
        if not 0 <= index < n:
            raise ValueError(f"predicted index {index} is outside the corpus (0..{n - 1})")
    # Missing indices get a private id no real prediction can collide with.
    labels = [("p", predicted[i]) if i in predicted else ("s", str(i)) for i in range(n)]
    groups = [entry.group for entry in corpus]
    return PairCounts(
        true_pairs=sum(_pairs(size) for size in Counter(groups).values()),
        predicted_pairs=sum(_pairs(size) for size in Counter(labels).values()),
        correct_pairs=sum(_pairs(size)
                          for size in Counter(zip(labels, groups, strict=True)).values()))


def pairwise_scores(predicted: Mapping[int, str],
                    corpus: Sequence[CorpusEntry]) -> tuple[float, float]:
    """(precision, recall) of ``predicted`` against the true groups, pairwise.

    ``predicted`` maps an index into ``corpus`` to a predicted story id; indices it
    leaves out count as singletons.
    """
    counts = pair_counts(predicted, corpus)
    return counts.precision, counts.recall
