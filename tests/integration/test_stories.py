"""Stories end to end: two outlets carry one wire story; the merged feed shows it once."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import feedparser
import pytest

from aggregator.cli import main
from tests.feedcheck import assert_valid_feed
from tests.feedserver import FeedServer
from tests.integration.conftest import ConfigWriter

WIRE = ("<p>Seoul and Tokyo agreed on Friday to resume regular shuttle diplomacy, with "
        "leaders to meet twice a year, officials said after talks in Busan that ran past "
        "midnight. The deal also restores a currency swap line of ten billion dollars and "
        "sets up a joint panel on export controls for chip materials.</p><p>Both sides "
        "described the talks as frank. A follow-up meeting of foreign ministers is planned "
        "for January in Tokyo, where trade and fisheries will top the agenda.</p>")
BRIEFING_A = ("<p>Good morning. Markets in Asia opened lower after a weak session on Wall "
              "Street, oil slipped below 70 dollars, and rain is expected across Seoul "
              "through the afternoon with temperatures near eight degrees.</p>")
BRIEFING_B = ("<p>Good morning. Parliament votes today on the budget bill, the national "
              "football team names its squad for the Asian Cup, and a cold wave is forecast "
              "for the weekend with snow in the mountains of Gangwon province.</p>")


def rss(title: str, items: str) -> str:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://{title.lower()}.example/</link><description>d</description>"
            f"{items}</channel></rss>")


def item(guid: str, title: str, link: str, body: str, date: str) -> str:
    return (f"<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title>"
            f"<link>{link}</link><pubDate>{date}</pubDate>"
            f"<description><![CDATA[{body}]]></description></item>")


@pytest.fixture
def two_outlets(feed_server: FeedServer) -> tuple[str, str]:
    feed_server.set_file("herald.xml", rss("Herald", "".join([
        item("h-1", "Seoul, Tokyo agree to resume shuttle diplomacy",
             "https://www.herald.example/news/seoul-tokyo?utm_source=rss&utm_medium=feed",
             WIRE, "Fri, 20 Nov 2026 09:00:00 +0000"),
        item("h-2", "Morning briefing", "https://herald.example/briefing",
             BRIEFING_A, "Thu, 19 Nov 2026 06:00:00 +0000"),
    ])))
    feed_server.set_file("times.xml", rss("Times", "".join([
        item("t-77", "UPDATE 1-Seoul and Tokyo agree to resume shuttle diplomacy",
             "http://m.times.example/asia/2026/11/20/seoul-tokyo/amp", WIRE,
             "Fri, 20 Nov 2026 09:20:00 +0000"),
        item("t-78", "Morning briefing", "https://times.example/briefing-1120",
             BRIEFING_B, "Fri, 20 Nov 2026 06:00:00 +0000"),
    ])))
    return feed_server.url("herald.xml"), feed_server.url("times.xml")


def test_one_story_once_with_its_other_source(
        config_file: ConfigWriter, two_outlets: tuple[str, str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(names=("herald.xml", "times.xml"))
    assert main(["--config", str(config), "fetch"]) == 0
    out = tmp_path / "merged.atom"
    assert main(["--config", str(config), "publish", "--format", "atom", "-o", str(out)]) == 0
    parsed = feedparser.parse(out.read_bytes())
    titles = [e.title for e in parsed.entries]
    assert len(titles) == 3  # one wire story, two different briefings
    assert titles.count("Morning briefing") == 2
    story = next(e for e in parsed.entries if "shuttle" in e.title)
    assert story.title == "Seoul, Tokyo agree to resume shuttle diplomacy"  # the earliest copy
    related = [link.href for link in story.links if link.rel == "related"]
    assert related == ["http://m.times.example/asia/2026/11/20/seoul-tokyo/amp"]
    assert "Also reported by" in story.summary
    assert_valid_feed(out)

    every = tmp_path / "every.json"
    config.write_text(config.read_text().replace("[output]", "[output]\ndedupe = false"))
    assert main(["--config", str(config), "publish", "--format", "json", "-o", str(every)]) == 0
    assert len(json.loads(every.read_text())["items"]) == 4

    conn = sqlite3.connect(tmp_path / "store.db")
    view = conn.execute("SELECT story_id, feed_url, guid, url, title, published, first_seen, "
                        "layer, score FROM story_entries ORDER BY entry_id").fetchall()
    conn.close()
    assert len(view) == 4
    assert len({row[0] for row in view}) == 3
    assert [row[7] for row in view if "shuttle" in str(row[4])] == ["new", "near"]


def test_stories_explain_and_dedupe_commands(
        config_file: ConfigWriter, two_outlets: tuple[str, str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(names=("herald.xml", "times.xml"))
    assert main(["--config", str(config), "fetch"]) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "stories", "--since", "3650d", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert sorted(row["sightings"] for row in listed) == [1, 1, 2]

    conn = sqlite3.connect(tmp_path / "store.db")
    copy_id = conn.execute("SELECT id FROM entries WHERE dedupe_layer = 'near'").fetchone()[0]
    conn.close()
    assert main(["--config", str(config), "explain", str(copy_id)]) == 0
    said = capsys.readouterr().out
    assert "layer 'near'" in said
    assert "score" in said

    # The copies are 20 minutes apart: a 60 s window splits them. The backtest
    # reports the split and writes nothing; the rebuild applies it.
    strict = config.read_text() + '\n[dedupe]\nwindow = "60s"\n'
    config.write_text(strict)
    assert main(["--config", str(config), "dedupe", "--backtest"]) == 0
    said = capsys.readouterr().out
    assert "3 stories before, 4 would be after" in said
    assert "1 would be split" in said
    conn = sqlite3.connect(tmp_path / "store.db")
    assert conn.execute("SELECT count(*) FROM stories").fetchone()[0] == 3
    conn.close()
    assert main(["--config", str(config), "dedupe", "--rebuild"]) == 0
    assert "4 now after" in capsys.readouterr().out
    conn = sqlite3.connect(tmp_path / "store.db")
    assert conn.execute("SELECT count(*) FROM stories").fetchone()[0] == 4
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


def test_story_keeps_its_item_id_when_an_earlier_copy_arrives(
        config_file: ConfigWriter, two_outlets: tuple[str, str], feed_server: FeedServer,
        tmp_path: Path) -> None:
    feed_server.set_file("early.xml", rss("Early", item(
        "e-1", "Seoul and Tokyo to resume shuttle diplomacy", "https://early.example/s",
        WIRE, "Fri, 20 Nov 2026 08:00:00 +0000")))
    config = config_file(names=("herald.xml", "times.xml"))
    assert main(["--config", str(config), "fetch"]) == 0
    out = tmp_path / "before.atom"
    assert main(["--config", str(config), "publish", "-o", str(out)]) == 0
    before = {e.id: e.title for e in feedparser.parse(out.read_bytes()).entries}
    config.write_text(config.read_text() + f'\n[[feeds]]\nurl = "{feed_server.url("early.xml")}"\n')
    assert main(["--config", str(config), "fetch"]) == 0
    assert main(["--config", str(config), "publish", "-o", str(out)]) == 0
    after = {e.id: e.title for e in feedparser.parse(out.read_bytes()).entries}
    assert set(after) == set(before)  # same items, same ids
    assert "Seoul and Tokyo to resume shuttle diplomacy" in after.values()  # new representative


def test_explain_shows_the_evidence_that_decided_the_merge(
        config_file: ConfigWriter, two_outlets: tuple[str, str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(names=("herald.xml", "times.xml"))
    assert main(["--config", str(config), "fetch"]) == 0
    conn = sqlite3.connect(tmp_path / "store.db")
    copy_id, first_id, stored = conn.execute(
        "SELECT entry_id, matched_entry_id, evidence FROM story_entries "
        "WHERE layer != 'new'").fetchone()
    conn.close()
    evidence = json.loads(stored)
    capsys.readouterr()

    assert main(["--config", str(config), "explain", str(copy_id)]) == 0
    said = capsys.readouterr().out
    assert f"layer {evidence['layer']!r} matched it to entry {first_id}" in said
    assert (f"title similarity {evidence['title']:.3f}, lead similarity {evidence['lead']:.3f}, "
            f"conflict {evidence['conflict']:.3f}") in said
    word, weight = evidence["shared"][0]
    assert f"shared rare words (weight): {word} ({weight:.2f})" in said
    assert said.count("shared rare words") == 2  # the entry, and its line among the members

    assert main(["--config", str(config), "explain", str(first_id), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["entry_id"] == first_id and shown["layer"] == "new"
    assert shown["evidence"] is None  # it started the story
    merged = {m["entry_id"]: m for m in shown["members"]}
    assert merged[copy_id]["evidence"] == evidence  # the stored JSON, as it decided the merge
    assert {"layer", "title", "lead", "conflict", "shared"} <= set(evidence)
    words = dict(evidence["shared"])
    assert words and all(w > 1.0 for w in words.values())  # idf weights, rarest first
    assert list(words.values()) == sorted(words.values(), reverse=True)


def corpus_entry(feed: str, guid: str, title: str, body: str, published: str,
                 group: str) -> dict[str, str]:
    return {"feed_url": f"https://{feed}.example/rss", "guid": guid, "title": title,
            "url": f"https://{feed}.example/{guid}", "content": body, "published": published,
            "group": group}


def test_dedupe_backtest_scores_a_labelled_corpus(
        config_file: ConfigWriter, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Entry "c" is labelled apart but is a copy of "a": a false pair; "d" is two stories
    labelled as one: a missed pair.  So precision 1/3 and recall 1/2 (see the docstring of
    ``aggregator.dedupe.corpus``)."""
    corpus = tmp_path / "corpus.json"
    corpus.write_text(json.dumps({"format": "aggregator-dedupe-corpus/1", "entries": [
        corpus_entry("herald", "h1", "Seoul, Tokyo agree to resume shuttle diplomacy", WIRE,
                     "2026-11-20T09:00:00Z", "a"),
        corpus_entry("times", "t1", "UPDATE 1-Seoul and Tokyo agree to resume shuttle diplomacy",
                     WIRE, "2026-11-20T09:20:00Z", "a"),
        corpus_entry("post", "p1", "Seoul, Tokyo agree to resume shuttle diplomacy", WIRE,
                     "2026-11-20T09:30:00Z", "c"),
        corpus_entry("herald", "h2", "Morning briefing", BRIEFING_A, "2026-11-19T06:00:00Z", "d"),
        corpus_entry("times", "t2", "Morning briefing", BRIEFING_B, "2026-11-20T06:00:00Z", "d"),
    ]}))
    config = config_file(names=())
    capsys.readouterr()
    assert main(["--config", str(config), "dedupe", "--backtest", "--corpus", str(corpus)]) == 0
    said = capsys.readouterr().out
    assert "5 entries, 3 stories labelled, 3 built" in said
    assert "pairwise precision 0.3333, recall 0.5000" in said
    assert "(1 of 3 pairs merged are right; 2 pairs labelled)" in said
    rows = [line.split() for line in said.splitlines()[3:]]
    assert sum(int(row[1]) for row in rows) == 2  # two merges (into the story of "a")...
    assert sum(int(row[2]) for row in rows) == 1  # ...one of them right
    assert sum(int(row[3]) for row in rows) == 3  # the pairs of all layers: those merged
    assert not (tmp_path / "store.db").exists()  # the store is not touched

    # The configured [dedupe] settings decide: copies 20 minutes apart split in a 60 s window.
    config.write_text(config.read_text() + '\n[dedupe]\nwindow = "60s"\n')
    assert main(["--config", str(config), "dedupe", "--backtest", "--corpus", str(corpus)]) == 0
    assert "pairwise precision 1.0000, recall 0.0000" in capsys.readouterr().out


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read corpus"),
    ("{\"entries\": [", "is not a dedupe corpus: Expecting value"),
    ('{"entries": [{"feed_url": "https://a.example/f", "title": "t"}]}',
     "is not a dedupe corpus: entry 0: 'group' must be a non-empty string"),
    ('{"entries": [{"feed_url": "https://a.example/f", "group": "g", "titel": "t"}]}',
     "entry 0: unknown keys ['titel']"),
    ('{"entries": {}}', 'expected a JSON object with an "entries" array'),
])
def test_dedupe_backtest_refuses_a_bad_corpus_in_one_line(
        config_file: ConfigWriter, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        content: str | None, message: str) -> None:
    corpus = tmp_path / "corpus.json"
    if content is not None:
        corpus.write_text(content)
    config = config_file(names=())
    capsys.readouterr()
    assert main(["--config", str(config), "dedupe", "--backtest", "--corpus", str(corpus)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("aggregator: error: ") and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
