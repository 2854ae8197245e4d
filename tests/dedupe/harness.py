"""Replay a labelled corpus through the real store and score the stories it builds.

``replay`` (``aggregator.backtest``: the replay of ``aggregator dedupe --backtest --corpus``,
shared) sends every corpus entry, in fetch order, through the path a fetched entry
takes (keying, new/changed decision, story matching, insert: ``Pipeline.store_entries``)
into a real SQLite store, and reads back for each entry its story, the layer that put it
there (``entries.dedupe_layer``) and the entry it was matched to
(``entries.matched_entry_id``, as a corpus index).  ``score`` turns that into figures:

* **pairwise precision and recall** (``corpus.pairwise_scores``): a predicted pair is two
  entries in one story, a true pair two entries of one ``group``.
* **per layer** (``aggregator.backtest.LayerFigures``): ``merges`` is how many entries the layer put into an existing story,
  ``right`` how many of those it matched to an entry of their own group.  Every
  predicted pair {a, b} is *charged to the layer of the later of the two* (in the order
  the store inserted them; corpus entries that are the same stored row, an update, are
  charged to ``key``).  ``pairs`` and ``correct`` are the pairs charged to the layer and
  how many are true pairs; the layer's ``precision`` is correct / pairs.  The pairs of
  all layers add up to the predicted pairs, so a layer's precision says how much of the
  false merging came in through it, including merges into a story that an earlier,
  wrong merge had already spoiled (which ``right`` does not see).
* **recurring-headline stories merged**: stories (groups) with an entry whose ``kind``
  starts with ``recurring`` whose entries share a predicted story with an entry of
  another group.  The target is zero.
* examples of false merges (an entry matched to an entry of another group: layer, kinds,
  titles) and of misses (two entries of one group in different stories).

``stability`` runs the cycle twice, reopens the store, runs a cycle again and then
``dedupe --rebuild`` (``pipeline.rebuild_stories``), and says whether the clustering
was the same after each step.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aggregator.backtest import (
    LayerFigures,
    Placement,
    ReplaySession,
    layer_figures,
    parsed,
    replay,
)
from tests.dedupe.corpus import CorpusEntry, pairwise_scores

__all__ = ["LayerFigures", "Placement", "Report", "Stability", "evaluate", "parsed", "replay",
           "score", "stability"]

EXAMPLES = 3


def _canonical(placements: Sequence[Placement]) -> tuple[int, ...]:
    """The clustering alone: each entry -> the first corpus index of its story."""
    first: dict[str, int] = {}
    return tuple(first.setdefault(p.story, i) for i, p in enumerate(placements))


@dataclass(frozen=True, slots=True)
class Stability:
    """Whether the clustering after each step equals the one after the first cycle."""

    second_cycle: bool
    restart: bool
    cycle_after_restart: bool
    rebuild: bool

    @property
    def ok(self) -> bool:
        return self.second_cycle and self.restart and self.cycle_after_restart and self.rebuild


def stability(corpus: Sequence[CorpusEntry], db: Path) -> Stability:
    """Cycle, cycle again, restart, cycle again, ``dedupe --rebuild``: same stories each time?"""
    session = ReplaySession(corpus, db)
    try:
        session.cycle()
        first = _canonical(session.placements())
        session.cycle()
        second = _canonical(session.placements())
        session.reopen()
        restarted = _canonical(session.placements())
        session.cycle()
        again = _canonical(session.placements())
        session.rebuild()
        rebuilt = _canonical(session.placements())
    finally:
        session.close()
    return Stability(second_cycle=second == first, restart=restarted == first,
                     cycle_after_restart=again == first, rebuild=rebuilt == first)


# --------------------------------------------------------------------------- scoring


@dataclass(slots=True)
class Report:
    """The figures of one corpus replayed once."""

    corpus: str
    seed: int | None
    entries: int
    groups: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    recurring_stories: int
    recurring_merged: int
    layers: dict[str, LayerFigures] = field(default_factory=dict)
    false_merges: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    seconds: float = 0.0
    stability: Stability | None = None


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _describe(entry: CorpusEntry) -> str:
    return f"{entry.kind} {entry.title!r}"


def score(corpus: Sequence[CorpusEntry], placements: Sequence[Placement], *, name: str = "",
          seed: int | None = None, examples: int = EXAMPLES) -> Report:
    """Pairwise, per-layer and recurring-headline figures of one replay."""
    predicted = {i: p.story for i, p in enumerate(placements)}
    precision, recall = pairwise_scores(predicted, corpus)
    groups = Counter(e.group for e in corpus)
    cells = Counter((p.story, e.group) for p, e in zip(placements, corpus, strict=True))
    clusters = Counter(p.story for p in placements)
    recurring = {e.group for e in corpus if e.kind.startswith("recurring")}
    stories_of: dict[str, set[str]] = {}
    for p, e in zip(placements, corpus, strict=True):
        stories_of.setdefault(e.group, set()).add(p.story)
    merged = {g for g in recurring
              if any(cells[(story, g)] < clusters[story] for story in stories_of[g])}
    report = Report(
        corpus=name, seed=seed, entries=len(corpus), groups=len(groups),
        true_pairs=sum(_pairs(n) for n in groups.values()),
        predicted_pairs=sum(_pairs(n) for n in clusters.values()),
        correct_pairs=sum(_pairs(n) for n in cells.values()), precision=precision,
        recall=recall, recurring_stories=len(recurring), recurring_merged=len(merged),
        layers=layer_figures(corpus, placements))
    report.false_merges = _false_merges(corpus, placements, examples)
    report.misses = _misses(corpus, placements, examples)
    return report


def _false_merges(corpus: Sequence[CorpusEntry], placements: Sequence[Placement],
                  limit: int) -> list[str]:
    out: list[str] = []
    for i, p in enumerate(placements):
        if p.matched is not None and corpus[p.matched].group != corpus[i].group:
            out.append(f"[{p.layer}] {_describe(corpus[i])} joined {_describe(corpus[p.matched])}")
            if len(out) >= limit:
                break
    return out


def _misses(corpus: Sequence[CorpusEntry], placements: Sequence[Placement],
            limit: int) -> list[str]:
    first: dict[str, int] = {}
    out: list[str] = []
    for i, entry in enumerate(corpus):
        j = first.setdefault(entry.group, i)
        if placements[j].story != placements[i].story:
            out.append(f"{_describe(corpus[i])} [{placements[i].layer}] apart from "
                       f"{_describe(corpus[j])}")
            if len(out) >= limit:
                break
    return out


def evaluate(corpus: Sequence[CorpusEntry], *, name: str = "", seed: int | None = None,
             examples: int = EXAMPLES, check_stability: bool = False) -> Report:
    """Replay in a temporary store and score; optionally check stability in another."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dedupe-eval-") as tmp:
        placements = replay(corpus, Path(tmp) / "replay.db")
        report = score(corpus, placements, name=name, seed=seed, examples=examples)
        report.seconds = time.perf_counter() - started
        if check_stability:
            report.stability = stability(corpus, Path(tmp) / "stability.db")
    return report
