"""The matcher's shortcut past hopeless candidates: it skips ``compare`` and changes no decision.

Most candidates share a common headline word with the new entry and
nothing else (a title LSH band put them together); ``match._hopeless``
rejects them from an upper bound of their evidence before the full
comparison.  The bound must never reject a pair that ``verdict`` passes.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

import pytest

from aggregator import dedupe
from aggregator.dedupe import match
from aggregator.models import Candidate, DedupeSettings, EntryFeatures, ParsedEntry
from tests.dedupe.corpus import load_corpus
from tests.dedupe.harness import parsed

SETTINGS = DedupeSettings()
WHEN = "2026-11-20T10:00:00Z"


def _rarity(views: Sequence[dedupe.View]) -> dedupe.Rarity:
    counts = Counter(dedupe.term(w) for v in views for w in {*v.title, *v.lead})
    rarity = dedupe.Rarity(len(views), lambda terms: {t: counts[t] for t in terms if t in counts})
    rarity.load(views)
    return rarity


def test_the_bound_never_rejects_a_pair_that_verdict_passes() -> None:
    corpus = load_corpus()
    views = [dedupe.view_of(dedupe.features(parsed(e), SETTINGS)) for e in corpus]
    lookups = dedupe.Lookups(rarity=_rarity(views), members=lambda _: [], headline_uses=(0, 0))
    by_group: dict[str, list[int]] = {}
    for n, item in enumerate(corpus):
        by_group.setdefault(item.group, []).append(n)
    pairs = [(a, b) for group in by_group.values() for a in group for b in group if a != b]
    rng = random.Random(5)
    pairs += [(rng.randrange(len(views)), rng.randrange(len(views))) for _ in range(3000)]
    passed = hopeless = 0
    for a, b in pairs:
        evidence = dedupe.compare(views[a], views[b], lookups.rarity)
        decided = dedupe.verdict(views[a], views[b], evidence, 0.0, (0, 0), SETTINGS)
        skipped = match._hopeless(views[a], views[b], 0.0, lookups, SETTINGS)
        assert not (decided and skipped), (corpus[a].title, corpus[b].title, evidence)
        passed += decided is not None
        hopeless += skipped
    assert passed > 1000  # the corpus's copies: the bound was tried where it matters
    assert hopeless > 2000  # and it does skip most unrelated pairs


def _candidate(entry_id: int, found: EntryFeatures) -> Candidate:
    return Candidate(entry_id, entry_id, "title", WHEN, None, None, None, found.title,
                     found.lead_words, found.words, found.canonical_url, found.fingerprint)


def _entry(key: str, title: str, text: str) -> ParsedEntry:
    return ParsedEntry(key=key, guid=None, url=f"https://example.com/{key}", title=title,
                       author=None, summary=None, content=f"<p>{text}</p>", published=WHEN,
                       updated=None)


def test_a_hopeless_candidate_is_not_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[int] = []
    real = match.compare

    def counting(a: dedupe.View, b: dedupe.View, rarity: dedupe.Rarity) -> dedupe.Evidence:
        compared.append(1)
        return real(a, b, rarity)

    monkeypatch.setattr(match, "compare", counting)
    text = ("Flood waters rose across the Mekong delta on Monday forcing thousands of rice "
            "farmers in Can Tho province to leave their villages as officials opened shelters")
    other = ("The central bank of Chile held its benchmark rate at 5.25 percent citing "
             "persistent core inflation and a weaker peso against the dollar this week")
    new = dedupe.features(_entry("new", "Mekong floods force farmers out", text), SETTINGS)
    unrelated = dedupe.features(_entry("a", "Chile holds rate as floods hit peso", other),
                                SETTINGS)
    copy = dedupe.features(_entry("b", "UPDATE 1-Mekong floods force farmers out", text),
                           SETTINGS)
    views = [dedupe.view_of(f) for f in (new, unrelated, copy)]
    lookups = dedupe.Lookups(rarity=_rarity(views), members=lambda _: [], headline_uses=(0, 0))

    assert dedupe.match_story(new, WHEN, [_candidate(1, unrelated)], lookups, SETTINGS) is None
    assert compared == []
    found = dedupe.match_story(new, WHEN, [_candidate(1, unrelated), _candidate(2, copy)],
                               lookups, SETTINGS)
    assert found is not None and found.entry_id == 2
    assert compared == [1]  # the copy only
