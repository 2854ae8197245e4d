"""Which story a new entry joins: evidence from title and lead together, weighed by rarity.

Pure: the pipeline hands in the candidates the store's indexed lookups
found, how often each word occurs in the store (``Rarity``), the members of
a candidate's story and whether a headline recurs, and gets back a
``StoryMatch`` or None (a new story).

The evidence for two entries being one story (``compare``):

* **title**: the IDF-weighted Jaccard similarity of the two headlines' words;
* **lead**: the IDF-weighted Jaccard similarity of the shorter text and the
  same stretch of the longer one (``_weighted_share``).  A summary-only
  copy cut at 150 characters is a prefix of the full lead, so only the words
  both sides have are compared, and the cut-off last word is left out;
* **figures**: the numbers of the compared text are all in the other entry,
  and those of one headline are all in the other entry.

Weights are the words' inverse document frequency in the store, so a stock
sentence ("diplomats familiar with the matter said") that a hundred stories
share counts for little, and a name, a place or a figure counts for much.
A short text is weaker evidence (a stricter bar), never no evidence; an
identical headline is strong evidence unless that headline recurs (a feed
has used it for more than one story: learned from the store, ``verdict``).

A new entry joins a story only if it agrees with the story as a whole (its
representative, or most of the members looked at), so one wrong match can
never pull later copies of another story in through a shared URL.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from aggregator.dedupe.features import (
    COMPARE_WORDS,
    entry_text,
    normalize_title,
    term,
)
from aggregator.models import (
    Candidate,
    DedupeSettings,
    EntryFeatures,
    StoryMatch,
    seconds_apart,
)

LAYERS = ("key", "origin", "url", "fingerprint", "near", "title")
TITLE_MIN_SHARED = 2  # a headline match needs at least this many words in common
FAR_S = 2 * 86400  # entries further apart than this need stronger text evidence
FAR_MARGIN = 0.1  # ... by this much
# A text match scores ``lead + TITLE_WEIGHT * title * grounded - CONFLICT_WEIGHT * conflict``
# against ``similarity``.  Both weights (and the default ``similarity``, 0.86) were chosen by a
# grid search over the candidate pairs of the tuning seeds only (``tests/dedupe/evaluate.py``):
# the best point where every corpus kept pair precision >= 0.99 and recall >= 0.97 and no
# recurring headline merged.
TITLE_WEIGHT = 0.5
CONFLICT_WEIGHT = 0.5
URL_TEXT_AGREES = 0.5  # the same URL with text this different is a new piece at that URL
SHARED_SHOWN = 8  # rarest shared words kept as the evidence of a merge
VIEWS_KEPT = 1024  # stored entries' views kept (``candidate_view``): about 8 KiB each


@dataclass(frozen=True, slots=True)
class View:
    """What the matcher compares of one entry."""

    title: tuple[str, ...]  # the normalized headline's words
    lead: tuple[str, ...]  # the text's first ``COMPARE_WORDS`` words
    canonical_url: str | None = None
    fingerprint: str | None = None
    title_set: frozenset[str] = field(init=False, repr=False, compare=False)
    lead_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """The word sets, once: a view is compared with many entries (``_hopeless``)."""
        object.__setattr__(self, "title_set", frozenset(self.title))
        object.__setattr__(self, "lead_set", frozenset(self.lead))


_VIEWS: dict[int, tuple[tuple[str | None, ...], View]] = {}


def view_of(found: EntryFeatures) -> View:
    """A new entry's view, from its features."""
    return View(tuple(found.title.split()), tuple(found.lead_words.split()[:COMPARE_WORDS]),
                found.canonical_url, found.fingerprint)


def candidate_view(candidate: Candidate) -> View:
    """A stored entry's view: from the words stored at insert, else from its HTML.

    Kept for the ``VIEWS_KEPT`` entries seen last, by id: a recent entry is
    a candidate of many new ones.  A kept view is used only while the
    entry's stored columns are what it was made from (an update changes them).
    """
    source = (candidate.match_title, candidate.match_words, candidate.title,
              candidate.summary, candidate.content, candidate.canonical_url,
              candidate.fingerprint)
    kept = _VIEWS.get(candidate.entry_id)
    if kept is not None and kept[0] == source:
        return kept[1]
    if candidate.match_words is not None:
        view = View(tuple((candidate.match_title or "").split()),
                    tuple(candidate.match_words.split()[:COMPARE_WORDS]),
                    candidate.canonical_url, candidate.fingerprint)
    else:  # stored before the matcher's view had columns, or just updated
        view = View(tuple(normalize_title(candidate.title).split()),
                    tuple(entry_text(candidate.content, candidate.summary)[:COMPARE_WORDS]),
                    candidate.canonical_url, candidate.fingerprint)
    if len(_VIEWS) >= VIEWS_KEPT:
        del _VIEWS[next(iter(_VIEWS))]  # the first kept: a dict keeps insertion order
    _VIEWS[candidate.entry_id] = (source, view)
    return view


class Rarity:
    """How rare each word is in the store: its weight is a smoothed inverse document frequency.

    ``weight = ln((1 + N) / (1 + df)) + 1`` with N the entries counted and
    df those whose title or lead had the word.  ``counts`` looks up df for
    word buckets (``features.term``) the store has not been asked about yet.
    """

    def __init__(self, documents: int,
                 counts: Callable[[Collection[int]], Mapping[int, int]]) -> None:
        self.documents = documents
        self._top = math.log(1 + documents) + 1.0  # the weight of a word never seen
        self._counts = counts
        self._df: dict[int, int] = {}
        self._weights: dict[str, float] = {}  # each word weighed once: most of compare's time
        self._lightest: float | None = None

    def load(self, views: Iterable[View]) -> None:
        """Fetch the counts of every word of ``views`` in one lookup, and weigh the words."""
        words = {w for v in views for w in (*v.title, *v.lead)} - self._weights.keys()
        buckets = {w: term(w) for w in words}
        wanted = set(buckets.values()) - self._df.keys()
        if wanted:
            found = self._counts(wanted)
            self._df.update({t: found.get(t, 0) for t in wanted})
            self._lightest = None
        top, df, log = self._top, self._df, math.log  # ``_of``, inline: once per word
        self._weights.update({w: top - log(1 + df[b]) for w, b in buckets.items()})

    def weight(self, word: str) -> float:
        """The word's weight (``load`` it first, or it counts as never seen).

        Kept once its count is loaded: most of compare's time was weighing.
        """
        weight = self._weights.get(word)
        if weight is None:
            count = self._df.get(term(word))
            weight = self._of(count or 0)
            if count is not None:
                self._weights[word] = weight
        return weight

    def total(self, words: Collection[str]) -> float:
        """The weight of some words together."""
        try:
            return sum(map(self._weights.__getitem__, words))
        except KeyError:  # some not weighed yet
            return sum(map(self.weight, words))

    def bound(self, common: Collection[str], others: int) -> float:
        """At least the weighted Jaccard of ``common`` within a union with ``others`` more words.

        Each of the others weighs at least ``lightest``; a share with nothing
        in common is 0.
        """
        heavy = self.total(common)
        if heavy <= 0:
            return 0.0
        rest = max(0, others) * (self._lightest or self.lightest())
        return heavy / (heavy + rest) + 1e-9  # a margin for the rounding of the real sums

    def weight_unseen(self) -> float:
        """The weight of a word no entry has: the most any word weighs."""
        return self._top

    def lightest(self) -> float:
        """No word weighs less, loaded or not: its count is at most ``documents``.

        (The weight falls as the count grows; a word is counted at most once
        per entry, and ``documents`` counts those entries.)
        """
        if self._lightest is None:
            self._lightest = self._of(max(self.documents, max(self._df.values(), default=0)))
        return self._lightest

    def _of(self, df: int) -> float:
        """The weight of a word in ``df`` entries (idf as it is: squared measured no better)."""
        return self._top - math.log(1 + df)


class Evidence(NamedTuple):
    """How alike two entries are (see the module docstring).

    A named tuple: one is made for every candidate (``_hopeless``), and a
    frozen dataclass cost several times as much to make.
    """

    title: float  # IDF-weighted Jaccard similarity of the headlines' words
    lead: float  # IDF-weighted Jaccard of the shorter lead and that stretch of the longer
    compared: int  # words of text compared (the shorter lead): 0 when a side has none
    title_shared: int  # headline words in common
    figures: bool  # the numbers agree
    shared: tuple[tuple[str, float], ...]  # the rarest words in common, with their weights
    # Weighted share of the headlines' common words that both texts use too: a headline
    # that names what the text is about supports it; a column name ("Crossword answers",
    # "Morning briefing") names nothing in the text and supports nothing.
    grounded: float = 1.0
    conflict: float = 0.0  # rarity of names each side gives that the other lacks (``_conflict``)

    def as_json(self, layer: str, members: str) -> str:
        """What ``explain`` shows of the merge this evidence decided."""
        return json.dumps({
            "layer": layer, "title": round(self.title, 3), "lead": round(self.lead, 3),
            "grounded": round(self.grounded, 3), "conflict": round(self.conflict, 3),
            "compared_words": self.compared, "figures_agree": self.figures,
            "story_agreement": members,
            "shared": [[word, round(weight, 2)] for word, weight in self.shared]})


def compare(a: View, b: View, rarity: Rarity) -> Evidence:
    """The evidence that ``a`` and ``b`` are one story."""
    title_a, title_b = set(a.title), set(b.title)
    common = title_a & title_b
    title = _weighted_share(common, title_a | title_b, rarity)
    short, long, lead_set, window, stretch = _aligned(a, b)
    compared = len(short)
    lead = _weighted_share(lead_set & window, lead_set | stretch, rarity)
    figures = (_figures(short) <= _figures((*long, *a.title, *b.title))
               and (_figures(a.title) <= _figures((*b.title, *b.lead))
                    or _figures(b.title) <= _figures((*a.title, *a.lead))))
    shared = sorted({(w, rarity.weight(w)) for w in common | (lead_set & window)},
                    key=lambda pair: (-pair[1], pair[0]))[:SHARED_SHOWN]
    conflict = _conflict(_named(a, b), _named(b, a), rarity)
    grounded = _weighted_share(common & set(a.lead) & set(b.lead), common, rarity)
    return Evidence(title=title, lead=lead, compared=compared,
                    title_shared=len(common), figures=figures, shared=tuple(shared),
                    conflict=conflict, grounded=grounded)


def _aligned(a: View, b: View) -> tuple[tuple[str, ...], tuple[str, ...], set[str], set[str],
                                        set[str]]:
    """(shorter lead, longer lead, and the shorter's words, ``window`` and ``stretch``).

    See ``_weighted_share``; the shorter lead loses its last word, which a
    summary may have cut.
    """
    short, long = sorted((a.lead, b.lead), key=len)
    if len(short) < len(long) and len(short) > 1:
        short = short[:-1]  # a summary cut mid-word
    compared = len(short)
    return (short, long, set(short), set(long[:compared + max(4, compared // 4)]),
            set(long[:compared]))


def _hopeless(mine: View, theirs: View, gap_s: float, lookups: Lookups,
              settings: DedupeSettings) -> bool:
    """True when even the most favourable evidence these words allow fails ``verdict``.

    Most candidates share a common headline word or two with the new entry
    (that put them in one LSH band) and little else.  Their similarities are
    bounded from the shared words' weights alone (every other word at the
    lightest weight, ``Rarity.bound``), with no conflict and agreeing figures:
    ``verdict`` passes only more as similarity grows and conflict falls, so
    if it rejects this it rejects the real evidence too, and ``compare`` (most
    of the matcher's time) is skipped with the decision unchanged.  The
    shared words are the new entry's own, so only its counts are needed.

    A first, looser bound takes the leads' words in common anywhere (a
    superset of those ``_aligned`` finds), from the views' word sets alone;
    it settles most candidates, and the aligned bound the rest.
    """
    rarity = lookups.rarity
    common_title = mine.title_set & theirs.title_set
    title = rarity.bound(common_title, len(mine.title_set) + len(theirs.title_set)
                         - 2 * len(common_title))
    short, long = (mine, theirs) if len(mine.lead) <= len(theirs.lead) else (theirs, mine)
    cut = 1 if 1 < len(short.lead) < len(long.lead) else 0  # as ``_aligned``
    common_lead = mine.lead_set & theirs.lead_set
    # The aligned union holds the shorter lead's words (less the cut one) and its common
    # words are among these: at least this many of its words are not in common.
    lead = rarity.bound(common_lead, len(short.lead_set) - cut - len(common_lead))
    if _rejected(mine, theirs, Evidence(title, lead, len(short.lead) - cut, len(common_title),
                                        True, ()), gap_s, lookups, settings):
        return True
    compared, _, lead_set, window, stretch = _aligned(mine, theirs)
    aligned = lead_set & window
    lead = rarity.bound(aligned, len(lead_set | stretch) - len(aligned))
    return _rejected(mine, theirs, Evidence(title, lead, len(compared), len(common_title),
                                            True, ()), gap_s, lookups, settings)


def _rejected(mine: View, theirs: View, best: Evidence, gap_s: float, lookups: Lookups,
              settings: DedupeSettings) -> bool:
    return verdict(mine, theirs, best, gap_s, lookups.headline_uses, settings) is None


def _weighted_share(part: set[str], whole: set[str], rarity: Rarity) -> float:
    """The weight of ``part`` as a share of the weight of ``whole`` (0 when it weighs nothing).

    For the headlines ``part`` is their common words and ``whole`` all of them
    (a weighted Jaccard).  For the leads ``part`` is the shorter lead's words
    found in a slightly longer ``window`` of the longer one (an inserted word
    or a rewritten dateline shifts the text), and ``whole`` adds what the
    longer has in the same ``stretch``: a copy cut short lacks nothing, while
    two stories written from one template each have a place, a name or a
    figure the other lacks.
    """
    total = rarity.total(whole)
    return rarity.total(part) / total if total else 0.0


def _named(a: View, b: View) -> set[str]:
    """Words ``a`` names in both its headline and its text, that ``b`` never mentions."""
    return (set(a.title) & set(a.lead)) - set(b.title) - set(b.lead)


def _conflict(mine: set[str], theirs: set[str], rarity: Rarity) -> float:
    """How surely the two entries name different things: 0 (no sign) to 1.

    Two stories written from one template ("Pay talks between nurses and
    Holley hospital stall" and "... Langton hospital ...") each name, in
    both headline and text, a rare word the other never mentions.  A copy
    does not: its edits (a typo, a swapped verb, a site suffix, a rewritten
    lead) add words on one side, or words that are not in the headline.
    The figure is the lesser of the two sides' rarest such word, as a share
    of the weight a word seen once would have.
    """
    if not mine or not theirs:
        return 0.0
    return (min(max(rarity.weight(w) for w in mine), max(rarity.weight(w) for w in theirs))
            / rarity.weight_unseen())


def _figures(words: Iterable[str]) -> set[str]:
    return {w for w in words if w.isdigit()}


def verdict(new: View, theirs: View, evidence: Evidence, gap_s: float,
            headline_uses: tuple[int, int], settings: DedupeSettings) -> tuple[str, float] | None:
    """(layer, score) when the evidence says one story; None when it does not.

    ``headline_uses`` is (most stories any feed has published under the new
    entry's headline, how many its own feed has).  A headline some feed used
    for two stories recurs: it supports nothing.  For a teaser (too little
    text to compare) the headline is all there is, so even its own feed
    using it once before makes it too weak.
    """
    if gap_s > settings.window_s:
        return None
    has_text = evidence.compared >= settings.min_words
    if new.fingerprint and new.fingerprint == theirs.fingerprint and (
            has_text or gap_s <= 86400):
        return "fingerprint", 1.0
    if new.canonical_url and new.canonical_url == theirs.canonical_url and (
            not has_text or evidence.lead >= URL_TEXT_AGREES):
        return "url", evidence.lead if has_text else evidence.title
    if not evidence.figures:
        return None
    most_uses, own_uses = headline_uses
    if has_text:
        title = 0.0 if most_uses >= 2 else evidence.title
        need = settings.similarity + (FAR_MARGIN if gap_s > FAR_S else 0.0)
        score = (evidence.lead + TITLE_WEIGHT * title * evidence.grounded
                 - CONFLICT_WEIGHT * evidence.conflict)
        return ("near", round(score, 4)) if score >= need else None
    title = 0.0 if most_uses >= 2 or own_uses >= 1 else evidence.title
    if (gap_s <= FAR_S and title >= settings.title_similarity
            and evidence.title_shared >= TITLE_MIN_SHARED):
        return "title", title
    return None


@dataclass(frozen=True, slots=True)
class Lookups:
    """What the matcher may ask the store while it decides one entry."""

    rarity: Rarity
    members: Callable[[int], Sequence[Candidate]]  # story id -> representative first, then newest
    headline_uses: tuple[int, int]  # see ``verdict``


def match_story(new: EntryFeatures, when: str, candidates: Iterable[Candidate],
                lookups: Lookups, settings: DedupeSettings) -> StoryMatch | None:
    """The story ``new`` joins, or None for a new story.

    An origin id match wins at once.  Otherwise every candidate is scored;
    the stories with a passing candidate are tried best first, and the first
    whose members agree with the new entry as a whole is the one.
    """
    mine = view_of(new)
    found = list(candidates)
    for candidate in found:
        if candidate.layer == "origin":
            return StoryMatch(candidate.story_id, candidate.entry_id, "origin", 1.0,
                              json.dumps({"layer": "origin"}))
    lookups.rarity.load([mine])  # a candidate's words once it is worth comparing (``_judge``)
    best: dict[int, tuple[tuple[int, float], Candidate, Evidence, str, float]] = {}
    for candidate in found:
        judged = _judge(mine, when, candidate, lookups, settings)
        if judged is None:
            continue
        evidence, layer, score = judged
        rank = (LAYERS.index(layer), -score)
        if candidate.story_id not in best or rank < best[candidate.story_id][0]:
            best[candidate.story_id] = (rank, candidate, evidence, layer, score)
    for _, candidate, evidence, layer, score in sorted(best.values(), key=lambda b: b[0]):
        agreement = _story_agrees(mine, when, candidate, lookups, settings)
        if agreement is not None:
            return StoryMatch(candidate.story_id, candidate.entry_id, layer, score,
                              evidence.as_json(layer, agreement))
    return None


def _judge(mine: View, when: str, candidate: Candidate, lookups: Lookups,
           settings: DedupeSettings) -> tuple[Evidence, str, float] | None:
    """The evidence, layer and score for one candidate, or None if it does not pass."""
    theirs = candidate_view(candidate)
    gap_s = seconds_apart(when, candidate.when)  # infinite for an unreadable time: no merge
    if _hopeless(mine, theirs, gap_s, lookups, settings):
        return None
    lookups.rarity.load([theirs])
    evidence = compare(mine, theirs, lookups.rarity)
    decided = verdict(mine, theirs, evidence, gap_s, lookups.headline_uses, settings)
    if decided is None:
        return None
    return evidence, decided[0], decided[1]


def _story_agrees(mine: View, when: str, matched: Candidate, lookups: Lookups,
                  settings: DedupeSettings) -> str | None:
    """"agreed/looked at" when the story as a whole agrees with the new entry, else None.

    It agrees when its representative does, or more than half of the members
    looked at (the representative and the newest few) do.
    """
    members = list(lookups.members(matched.story_id))
    if not members or members[0].entry_id == matched.entry_id:
        return "representative"
    others = [m for m in members if m.entry_id != matched.entry_id]
    lookups.rarity.load(candidate_view(m) for m in others)
    verdicts = [_judge(mine, when, m, lookups, settings) is not None for m in others]
    agreed, looked = 1 + sum(verdicts), 1 + len(others)
    if verdicts[0] or 2 * agreed > looked:
        return f"{agreed}/{looked}"
    return None

