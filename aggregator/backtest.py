"""``dedupe --backtest --corpus FILE``: replay a labelled corpus and score the stories.

Every corpus entry (``dedupe.corpus``) goes, in the order a fetcher would see it,
through the path a fetched entry takes (keying, the new/changed decision, story
matching, insert: ``Pipeline.store_entries``), each in its own transaction, into a
real SQLite store; then each entry's story, the layer that put it there
(``entries.dedupe_layer``) and the entry it was matched to are read back.  The
figures: pairwise precision and recall (``dedupe.corpus.pair_counts``) and, per
layer, ``LayerFigures``.  ``tests/dedupe/harness.py`` evaluates the matcher on
generated corpora with the same replay.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aggregator.dedupe.corpus import CorpusEntry, PairCounts, corpus_entries, pair_counts
from aggregator.errors import AggregatorError
from aggregator.fetch import Fetcher
from aggregator.models import (
    DedupeSettings,
    FeedConfig,
    FeedJob,
    ParsedEntry,
    Settings,
    entry_key,
    read_iso,
    utc_now,
)
from aggregator.pipeline import Pipeline, rebuild_stories
from aggregator.store import Store


def load_corpus(path: Path) -> list[CorpusEntry]:
    """The entries of the corpus file at ``path``; AggregatorError saying what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise AggregatorError(f"cannot read corpus {path}: {reason}") from None
    try:
        return corpus_entries(json.loads(text))
    except ValueError as exc:  # a JSONDecodeError, or a CorpusFormatError naming the entry
        raise AggregatorError(f"{path} is not a dedupe corpus: {exc}") from None


def parsed(entry: CorpusEntry) -> ParsedEntry:
    """The entry as the parser would hand it over, keyed as the pipeline keys it."""
    return ParsedEntry(
        key=entry_key(entry.guid, entry.url, entry.title, entry.published or entry.updated,
                      entry.feed_url),
        guid=entry.guid, url=entry.url, title=entry.title, author=entry.author,
        summary=entry.summary, content=entry.content, published=entry.published,
        updated=entry.updated, origin_id=entry.source_id)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the store put one corpus entry."""

    story: str  # story id
    layer: str  # entries.dedupe_layer ("key" for a later corpus entry of the same row)
    matched: int | None  # corpus index of the entry it was matched to, if any
    row: int  # entries.id: the insertion order


class ReplaySession:
    """One open store with the corpus's feeds, and a pipeline that writes into it."""

    def __init__(self, corpus: Sequence[CorpusEntry], db: Path,
                 dedupe_settings: DedupeSettings | None = None) -> None:
        self.corpus = corpus
        self.dedupe = dedupe_settings or DedupeSettings()
        self.store = Store.open(db)
        self.settings = Settings(database=db, parse_workers=1)  # no parser processes
        feeds = list(dict.fromkeys(e.feed_url for e in corpus))
        self.store.sync_feeds([FeedConfig(url=url) for url in feeds], 3600, utc_now())
        self.jobs: dict[str, FeedJob] = {
            job.url: job for job in self.store.cycle_jobs(utc_now(), force=True)[0]}
        self.items = [parsed(entry) for entry in corpus]

    def cycle(self) -> None:
        """Every entry once, in corpus order, each in its own transaction."""

        async def run() -> None:
            async with Fetcher(self.settings) as fetcher:
                pipeline = Pipeline(self.store, fetcher, self.settings, self.dedupe)
                try:
                    seen = utc_now()
                    for entry, item in zip(self.corpus, self.items, strict=True):
                        seen = read_iso(entry.published or entry.updated) or seen
                        with self.store.transaction():
                            pipeline.store_entries(self.jobs[entry.feed_url], [item], seen)
                finally:
                    pipeline.close()

        asyncio.run(run())

    def placements(self) -> list[Placement]:
        """Each corpus entry's story, layer and matched entry, as stored now."""
        rows = {(int(r[1]), str(r[2])): r for r in self.store.conn.execute(
            "SELECT id, feed_id, entry_key, story_id, dedupe_layer, matched_entry_id "
            "FROM entries").fetchall()}
        first_index: dict[int, int] = {}  # row id -> the first corpus index stored there
        found: list[Placement] = []
        for index, (entry, item) in enumerate(zip(self.corpus, self.items, strict=True)):
            row = rows[(self.jobs[entry.feed_url].id, item.key)]
            row_id = int(row[0])
            if row_id in first_index:  # an update of an entry already stored
                found.append(Placement(story=str(row[3]), layer="key", row=row_id,
                                       matched=first_index[row_id]))
                continue
            first_index[row_id] = index
            matched = None if row[5] is None else first_index.get(int(row[5]))
            found.append(Placement(story=str(row[3]), layer=str(row[4]), row=row_id,
                                   matched=matched))
        return found

    def reopen(self) -> None:
        """A restart: close the store and open it again."""
        path = Path(self.store.path)
        self.store.close()
        self.store = Store.open(path)

    def rebuild(self) -> None:
        """``dedupe --rebuild`` on the replayed store."""
        rebuild_stories(self.store, self.dedupe, write=True)

    def close(self) -> None:
        self.store.close()


def replay(corpus: Sequence[CorpusEntry], db: Path,
           dedupe_settings: DedupeSettings | None = None) -> list[Placement]:
    """Every corpus entry through the real store, once; where each one ended up."""
    session = ReplaySession(corpus, db, dedupe_settings)
    try:
        session.cycle()
        return session.placements()
    finally:
        session.close()


@dataclass(slots=True)
class LayerFigures:
    """One layer's share of the stories.

    ``merges`` is how many entries the layer put into an existing story, ``right`` how
    many of those it matched to an entry of their own group.  Every predicted pair
    {a, b} is charged to the layer of the later of the two (in insertion order; corpus
    entries that are one stored row, an update, are charged to ``key``): ``pairs`` and
    ``correct`` are the pairs charged to the layer and how many are true pairs.  The
    pairs of all layers add up to the predicted pairs, so a layer's ``precision`` says
    how much of the false merging came in through it, including merges into a story
    that an earlier, wrong merge had already spoiled (which ``right`` does not see).
    """

    merges: int = 0
    right: int = 0
    pairs: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.pairs if self.pairs else 1.0


def layer_figures(corpus: Sequence[CorpusEntry],
                  placements: Sequence[Placement]) -> dict[str, LayerFigures]:
    """``LayerFigures`` of each layer that placed an entry, by layer name."""
    figures: dict[str, LayerFigures] = {}
    earlier: dict[str, Counter[str]] = {}  # story -> groups of the members seen so far
    order = sorted(range(len(corpus)), key=lambda i: (placements[i].row, i))
    for i in order:
        p, group = placements[i], corpus[i].group
        layer = figures.setdefault(p.layer, LayerFigures())
        if p.layer != "new" and p.matched is not None:
            layer.merges += 1
            layer.right += corpus[p.matched].group == group
        seen = earlier.setdefault(p.story, Counter())
        layer.pairs += sum(seen.values())
        layer.correct += seen[group]
        seen[group] += 1
    return dict(sorted(figures.items()))


@dataclass(frozen=True, slots=True)
class CorpusReport:
    """The figures of one corpus replayed with some ``[dedupe]`` settings."""

    entries: int
    groups: int
    stories: int
    pairs: PairCounts
    layers: dict[str, LayerFigures]


def backtest_corpus(corpus: Sequence[CorpusEntry],
                    dedupe_settings: DedupeSettings) -> CorpusReport:
    """Replay ``corpus`` into a temporary store and score the stories it builds."""
    with tempfile.TemporaryDirectory(prefix="aggregator-backtest-") as tmp:
        placements = replay(corpus, Path(tmp) / "backtest.db", dedupe_settings)
    predicted = {i: p.story for i, p in enumerate(placements)}
    return CorpusReport(
        entries=len(corpus), groups=len({e.group for e in corpus}),
        stories=len(set(predicted.values())), pairs=pair_counts(predicted, corpus),
        layers=layer_figures(corpus, placements))
