"""A full fetch cycle against the loopback server, and a second one that changes nothing."""

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

GOOD = ("rss20.xml", "atom10.xml", "rss10.xml", "malformed.xml")


def expected_entry_count(feed_server: FeedServer) -> int:
    """Entries in the good fixture feeds, as feedparser sees them."""
    return sum(len(feedparser.parse(feed_server.url(name)).entries) for name in GOOD)


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_fetch_cycle_stores_publishes_and_then_gets_304s(
        config_file: ConfigWriter, feed_server: FeedServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file()
    db = tmp_path / "store.db"
    total = sum(len(feedparser.parse((feed_server.directory / n).read_bytes()).entries)
                for n in GOOD)

    assert main(["--config", str(config), "fetch"]) == 0
    summary = capsys.readouterr().out
    assert "4 of 5 feeds fetched" in summary

    # The store: every entry once, one log row per attempt, the failure recorded.
    assert rows(db, "SELECT count(*) FROM entries")[0][0] == total
    assert rows(db, "SELECT count(DISTINCT feed_id || entry_key) FROM entries")[0][0] == total
    fetches = dict(rows(db, "SELECT f.url, x.outcome || ' ' || coalesce(x.status, '') "
                            "FROM fetches x JOIN feeds f ON f.id = x.feed_id"))
    assert fetches[feed_server.url("broken.xml")] == "error 500"
    assert fetches[feed_server.url("rss20.xml")] == "ok 200"
    broken = rows(db, "SELECT last_error, error_streak, last_status FROM feeds "
                      f"WHERE url = '{feed_server.url('broken.xml')}'")[0]
    assert "500" in str(broken[0])
    assert broken[1:] == (1, 500)
    warning = rows(db, "SELECT warning FROM fetches x JOIN feeds f ON f.id = x.feed_id "
                       f"WHERE f.url = '{feed_server.url('malformed.xml')}'")[0][0]
    assert warning
    validators = rows(db, "SELECT etag, last_modified FROM feeds "
                          f"WHERE url = '{feed_server.url('rss20.xml')}'")[0]
    assert validators == (feed_server.etag("rss20.xml"), feed_server.last_modified("rss20.xml"))

    # Every output: well-formed, every entry exactly once, and valid by the kit.
    for fmt in ("atom", "rss", "json"):
        out = tmp_path / f"merged.{fmt}"
        assert main(["--config", str(config), "publish", "--format", fmt, "-o", str(out)]) == 0
        parsed = feedparser.parse(out.read_bytes())
        if fmt == "json":
            items = json.loads(out.read_bytes())["items"]
            ids = [item["id"] for item in items]
        else:
            assert not parsed.bozo, parsed.get("bozo_exception")
            ids = [entry.id for entry in parsed.entries]
        assert len(ids) == total
        assert len(set(ids)) == total
        assert_valid_feed(out)

    # Second cycle, unchanged server: 304s and no entry writes.
    version = rows(db, "SELECT value FROM meta WHERE key = 'content_version'")[0][0]
    changed = rows(db, "SELECT max(last_changed) FROM entries")[0][0]
    assert main(["--config", str(config), "fetch"]) == 0
    latest = dict(rows(db, "SELECT f.url, x.outcome FROM fetches x JOIN feeds f "
                           "ON f.id = x.feed_id WHERE x.id IN "
                           "(SELECT max(id) FROM fetches GROUP BY feed_id)"))
    for name in GOOD:
        assert latest[feed_server.url(name)] == "not_modified"
    assert rows(db, "SELECT count(*) FROM entries")[0][0] == total
    assert rows(db, "SELECT max(last_changed) FROM entries")[0][0] == changed
    assert rows(db, "SELECT value FROM meta WHERE key = 'content_version'")[0][0] == version

    # A changed entry is updated in place, not duplicated.
    path = feed_server.directory / "rss20.xml"
    original = path.read_text(encoding="utf-8")
    first_title = feedparser.parse(original).entries[0].title
    path.write_text(original.replace(first_title, "Rewritten headline", 1), encoding="utf-8")
    assert main(["--config", str(config), "fetch"]) == 0
    assert rows(db, "SELECT count(*) FROM entries")[0][0] == total
    updated = rows(db, "SELECT title, update_count FROM entries WHERE title = "
                       "'Rewritten headline'")
    assert updated == [("Rewritten headline", 1)]


def test_feeds_json_lists_status(config_file: ConfigWriter, feed_server: FeedServer,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file()
    assert main(["--config", str(config), "fetch"]) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "feeds", "--json"]) == 0
    listed = {row["url"]: row for row in json.loads(capsys.readouterr().out)}
    broken = listed[feed_server.url("broken.xml")]
    assert broken["status"] == "error"
    assert broken["error_streak"] == 1
    assert "500" in broken["last_error"]
    assert broken["next_fetch_reason"] == "backoff (1 failures)"
    assert [h["url"] for h in broken["url_history"]] == [feed_server.url("broken.xml")]
    for key in ("url", "status", "next_fetch", "next_fetch_reason", "error_streak",
                "last_error", "url_history"):
        assert key in broken
    good = listed[feed_server.url("rss20.xml")]
    assert good["status"] == "ok"
    assert good["entry_count"] > 0
    assert good["next_fetch"] > good["last_success"]


def test_invalid_config_exits_non_zero_and_starts_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text('[settings]\ndatabase = "x.db"\n[[feeds]]\nurl = "nope"\n')
    assert main(["--config", str(config), "fetch"]) == 2
    assert "feeds.url" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_unopenable_store_exits_non_zero(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    config = tmp_path / "feeds.toml"
    config.write_text('[settings]\ndatabase = "blocker/x.db"\n')
    assert main(["--config", str(config), "fetch"]) == 1
    assert "blocker" in capsys.readouterr().err


def test_bad_feeds_never_stop_the_others(config_file: ConfigWriter, feed_server: FeedServer,
                                         tmp_path: Path, free_port: int) -> None:
    """Refused, timing out, not a feed, 404: each recorded with its reason; rss20 still stored."""
    feed_server.set_response("slow.xml", delay=10)
    feed_server.set_response("missing.xml", status=404, body="not here")
    config = config_file(names=("rss20.xml", "slow.xml", "not_a_feed.html", "missing.xml"),
                         extra_settings='timeout = "1s"')
    text = config.read_text().replace('timeout = "5s"\n', "")
    refused = f"http://127.0.0.1:{free_port}/refused.xml"  # nothing listens on the app port
    config.write_text(text + f'\n[[feeds]]\nurl = "{refused}"\n')
    assert main(["--config", str(config), "fetch"]) == 0
    reasons = dict(rows(tmp_path / "store.db",
                        "SELECT url, coalesce(last_reason, last_outcome) FROM feeds"))
    assert reasons == {
        feed_server.url("rss20.xml"): "ok",
        feed_server.url("slow.xml"): "timeout",
        feed_server.url("not_a_feed.html"): "html_page",
        feed_server.url("missing.xml"): "http_status",
        refused: "connect",
    }
    assert rows(tmp_path / "store.db", "SELECT count(*) FROM entries")[0][0] > 0


def test_publish_to_a_missing_folder_is_a_one_line_error(
        config_file: ConfigWriter, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file()
    out = tmp_path / "no" / "such" / "dir" / "feed.atom"
    assert main(["--config", str(config), "publish", "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("aggregator: error: cannot write")
    assert "\n" not in err


def test_fetch_times_do_not_count_the_wait_for_the_hosts_turn(
        config_file: ConfigWriter, feed_server: FeedServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 13, item 7: four small local feeds of one host, 0.5 s apart.

    The last one waits 1.5 s for its turn: that is in ``wait_ms`` and in the
    summary's "waited" column, not in ``duration_ms`` nor in its "time".
    """
    config = config_file(names=GOOD)
    config.write_text(config.read_text().replace('host_delay = "0s"', 'host_delay = "500ms"'))
    assert main(["--config", str(config), "fetch"]) == 0
    summary = capsys.readouterr().out
    found = rows(tmp_path / "store.db", "SELECT duration_ms, wait_ms FROM fetches")
    assert len(found) == len(GOOD)
    assert max(int(str(wait)) for _, wait in found) >= 1400, found
    assert all(int(str(duration)) < 1000 for duration, _ in found), found
    assert "waited" in summary
