"""The evaluation side of issue 12 is itself right: generators and scoring.

A harness that scores wrongly, or a generator that labels wrongly, would make the
targets of ``test_generalize.py`` meaningless; these tests pin both down.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from tests.dedupe.corpus import CorpusEntry, pairwise_scores, true_clustering
from tests.dedupe.evaluate import HELD_OUT_SEEDS, TUNING_SEEDS, main
from tests.dedupe.gens import generators
from tests.dedupe.harness import Placement, replay, score

NAMES = tuple(generators())


def _truth(corpus: list[CorpusEntry]) -> list[Placement]:
    """The perfect placements: each entry in its group's story, matched to its first."""
    first: dict[str, int] = {}
    out: list[Placement] = []
    for i, entry in enumerate(corpus):
        j = first.setdefault(entry.group, i)
        out.append(Placement(story=entry.group, layer="new" if i == j else "near",
                             matched=None if i == j else j, row=i))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_the_true_clustering_scores_perfectly(name: str) -> None:
    corpus = generators()[name](HELD_OUT_SEEDS[0], 0.2)
    assert pairwise_scores(true_clustering(corpus), corpus) == (1.0, 1.0)
    report = score(corpus, _truth(corpus))
    assert (report.precision, report.recall) == (1.0, 1.0)
    assert report.recurring_merged == 0
    assert report.false_merges == [] and report.misses == []
    assert report.layers["near"].precision == 1.0
    assert report.layers["near"].right == report.layers["near"].merges > 0
    assert sum(f.pairs for f in report.layers.values()) == report.predicted_pairs


def test_a_recurring_story_merged_with_another_is_counted() -> None:
    corpus = generators()["headlines"](HELD_OUT_SEEDS[0], 0.2)
    placements = _truth(corpus)
    a, b = [i for i, e in enumerate(corpus) if e.kind == "recurring"][:2]
    assert corpus[a].group != corpus[b].group
    placements[b] = Placement(story=corpus[a].group, layer="title", matched=a, row=b)
    report = score(corpus, placements)
    assert report.recurring_merged == 2  # both stories lost their own identity
    assert report.precision < 1.0
    assert report.layers["title"].merges == 1 and report.layers["title"].right == 0
    assert report.layers["title"].precision < 1.0
    assert report.false_merges and report.false_merges[0].startswith("[title] recurring")


def test_pairs_are_charged_to_the_layer_of_the_later_entry() -> None:
    corpus = generators()["formulaic"](HELD_OUT_SEEDS[0], 0.1)
    groups = Counter(e.group for e in corpus)
    x, y = [g for g, n in groups.items() if n == 1][:2]
    i, j = (next(k for k, e in enumerate(corpus) if e.group == g) for g in (x, y))
    placements = _truth(corpus)
    placements[j] = Placement(story=x, layer="url", matched=i, row=max(i, j) + len(corpus))
    report = score(corpus, placements)
    assert report.layers["url"].pairs == 1 and report.layers["url"].correct == 0
    assert report.predicted_pairs == report.correct_pairs + 1


@pytest.mark.parametrize("name", NAMES)
def test_generators_are_deterministic_and_seeds_differ(name: str) -> None:
    make = generators()[name]
    assert make(7, 0.2) == make(7, 0.2)
    assert make(7, 0.2) != make(8, 0.2)


@pytest.mark.parametrize("name", NAMES)
def test_a_corpus_at_scale_one_looks_like_the_brief(name: str) -> None:
    corpus = generators()[name](TUNING_SEEDS[0], 1.0)
    assert 1_500 <= len(corpus) <= 3_000
    stamps = [e.published for e in corpus if e.published]
    assert len(stamps) == len(corpus)
    span = datetime.fromisoformat(max(stamps)) - datetime.fromisoformat(min(stamps))
    assert 7 <= span.days <= 10
    ids = Counter((e.feed_url, e.guid) for e in corpus)
    assert max(ids.values()) == 1  # copies never reuse an id
    groups = Counter(e.group for e in corpus)
    assert sum(n * (n - 1) // 2 for n in groups.values()) > 1_000
    for group in (g for g, n in groups.items() if n > 1):
        urls = [e.url for e in corpus if e.group == group]
        assert len(set(urls)) == len(urls)  # copies have URLs of their own


def test_formulaic_is_template_heavy_multilingual_and_half_summary_only() -> None:
    corpus = generators()["formulaic"](TUNING_SEEDS[0], 1.0)
    feeds: dict[str, bool] = {}
    for e in corpus:
        feeds[e.feed_url] = feeds.get(e.feed_url, True) and e.content is None
    assert 0.4 <= sum(feeds.values()) / len(feeds) <= 0.6
    sentences = Counter(s for e in corpus if e.kind == "brief" and e.content
                        for s in re.findall(r"<p>([^<]*)</p>", e.content))
    shared = [s for s, n in sentences.items() if n >= 10]
    assert len(shared) >= 5  # whole stock sentences in many unrelated stories
    text = " ".join(e.title or "" for e in corpus)
    assert "Gemeinderat" in text and "ayuntamiento" in text and "conseil municipal" in text
    kinds = Counter(e.kind for e in corpus)
    assert kinds["quake-second"] > 10 and kinds["recurring"] > 0


def test_truncated_copies_are_mostly_cut_teasers_of_real_prose() -> None:
    corpus = generators()["truncated"](TUNING_SEEDS[0], 1.0)
    copies = [e for e in corpus if e.kind not in ("story", "follow-up", "statement")]
    teasers = [e for e in copies if e.content is None]
    assert len(teasers) / len(copies) > 0.7
    plain = [e.summary or "" for e in teasers if not (e.summary or "").startswith("<p>")]
    assert all(len(s) <= 300 + len(" Read more \u00bb") for s in plain)
    assert any(s.endswith("\u2026") for s in plain) and any(s.endswith("[\u2026]") for s in plain)
    assert any((e.summary or "").startswith("<p>") for e in teasers)
    assert any("originally appeared on" in (e.content or "") for e in copies)


def test_headline_copies_edit_titles_and_feeds_reuse_titles() -> None:
    corpus = generators()["headlines"](TUNING_SEEDS[0], 1.0)
    kinds = " ".join(e.kind for e in corpus)
    for edit in ("prefix", "suffix", "verb", "typo", "case", "reorder", "quotes"):
        assert f"{edit}" in kinds
    recurring = Counter((e.feed_url, e.title) for e in corpus if e.kind == "recurring")
    assert len(recurring) >= 16 and min(recurring.values()) >= 5


def test_replay_records_the_layer_and_the_matched_entry(tmp_path: Path) -> None:
    corpus = generators()["headlines"](HELD_OUT_SEEDS[0], 0.1)
    placements = replay(corpus, tmp_path / "replay.db")
    assert len(placements) == len(corpus)
    merged = [(i, p) for i, p in enumerate(placements) if p.layer != "new"]
    assert merged
    for i, p in merged:
        assert p.matched is not None and p.matched < i
        assert placements[p.matched].story == p.story


def test_evaluate_prints_json_for_a_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--corpus", "formulaic", "--seeds", "5", "--scale", "0.05", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"corpus": "formulaic"' in out and '"precision"' in out and '"layers"' in out
