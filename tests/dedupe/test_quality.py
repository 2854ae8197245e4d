"""The stories the real store builds from the labelled corpus: pairwise precision and recall.

Every corpus entry goes, in the order a fetcher would see it, through the
same path as a fetched entry (keying, new/changed decision, story matching,
insert), into a real SQLite store (``harness.replay``).  The predicted story
of an entry is the story its row ends up in.
"""

from __future__ import annotations

from pathlib import Path

from tests.dedupe import harness
from tests.dedupe.corpus import CorpusEntry, load_corpus, pairwise_scores

PRECISION_TARGET = 0.995
RECALL_TARGET = 0.97


def replay(corpus: list[CorpusEntry], db: Path) -> dict[int, str]:
    """Index in the corpus -> the story id the store put it in."""
    return {i: placement.story for i, placement in enumerate(harness.replay(corpus, db))}


def test_stories_reach_the_precision_and_recall_targets(tmp_path: Path) -> None:
    corpus = load_corpus()
    predicted = replay(corpus, tmp_path / "corpus.db")
    precision, recall = pairwise_scores(predicted, corpus)
    print(f"\ndedupe on the labelled corpus ({len(corpus)} entries): "
          f"pairwise precision {precision:.4f}, recall {recall:.4f}")
    assert precision >= PRECISION_TARGET
    assert recall >= RECALL_TARGET
