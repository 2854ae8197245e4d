"""The stories the real store builds from the labelled corpus: pairwise precision and recall.

Every corpus entry goes, in the order a fetcher would see it, through the
same path as a fetched entry (keying, new/changed decision, story matching,
insert), into a real SQLite store.  The predicted story of an entry is the
story its row ends up in.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aggregator.fetch import Fetcher
from aggregator.models import (
    FeedConfig,
    ParsedEntry,
    Settings,
    entry_key,
    from_iso,
    utc_now,
)
from aggregator.pipeline import Pipeline
from aggregator.store import Store
from tests.dedupe.corpus import CorpusEntry, load_corpus, pairwise_scores

PRECISION_TARGET = 0.995
RECALL_TARGET = 0.97


def parsed(entry: CorpusEntry) -> ParsedEntry:
    return ParsedEntry(
        key=entry_key(entry.guid, entry.url, entry.title, entry.published or entry.updated,
                      entry.feed_url),
        guid=entry.guid, url=entry.url, title=entry.title, author=entry.author,
        summary=entry.summary, content=entry.content, published=entry.published,
        updated=entry.updated, origin_id=entry.source_id)


def replay(corpus: list[CorpusEntry], db: Path) -> dict[int, str]:
    """Index in the corpus -> the story id the store put it in."""
    store = Store.open(db)
    feeds = list(dict.fromkeys(e.feed_url for e in corpus))
    store.sync_feeds([FeedConfig(url=url) for url in feeds], 3600, utc_now())
    jobs = {job.url: job for job in store.cycle_jobs(utc_now(), force=True)[0]}
    settings = Settings(database=db)

    async def run() -> dict[int, str]:
        async with Fetcher(settings) as fetcher:
            pipeline = Pipeline(store, fetcher, settings)
            pipeline.close()  # no parsing here: no parser processes needed
            predicted: dict[int, str] = {}
            seen = utc_now()
            for index, entry in enumerate(corpus):
                item = parsed(entry)
                stamp = entry.published or entry.updated
                seen = from_iso(stamp) if stamp else seen
                with store.transaction():
                    pipeline.store_entries(jobs[entry.feed_url], [item], seen)
                row = store.conn.execute(
                    "SELECT story_id FROM entries WHERE feed_id = ? AND entry_key = ?",
                    (jobs[entry.feed_url].id, item.key)).fetchone()
                predicted[index] = str(row[0])
            return predicted

    try:
        return asyncio.run(run())
    finally:
        store.close()


def test_stories_reach_the_precision_and_recall_targets(tmp_path: Path) -> None:
    corpus = load_corpus()
    predicted = replay(corpus, tmp_path / "corpus.db")
    precision, recall = pairwise_scores(predicted, corpus)
    print(f"\ndedupe on the labelled corpus ({len(corpus)} entries): "
          f"pairwise precision {precision:.4f}, recall {recall:.4f}")
    assert precision >= PRECISION_TARGET
    assert recall >= RECALL_TARGET
