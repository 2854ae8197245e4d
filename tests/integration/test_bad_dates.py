"""One feed's bad dates never take an output down (issue 13).

A feed served over loopback with Go's zero time (year 1), year 9999, a date
without a zone and one at +25:00, in RSS, Atom and JSON Feed, next to a good feed;
then a store as an older aggregator left it (years not zero-padded).  Every
output answers 200, passes the validation kit and still carries the good
feed's entries; the bad-dated entries never come first.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import feedparser
import pytest

from aggregator.cli import main
from aggregator.config import load_config
from aggregator.publish import LEFT_OUT
from aggregator.serve import create_app
from aggregator.store import Store
from tests.feedcheck import assert_valid_feed
from tests.feedserver import FeedServer
from tests.integration.conftest import ConfigWriter
from tests.integration.test_outputs import AppClient

BAD_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Bad dates (RSS)</title>
<link>https://bad.example/</link><description>Dates from the wild</description>
<item><title>Zero time RSS</title><link>https://bad.example/zero</link>
  <guid>bad-rss-zero</guid><pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate>
  <description>Go's zero time</description></item>
<item><title>Year 9999 RSS</title><link>https://bad.example/future</link>
  <guid>bad-rss-future</guid><pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate>
  <description>The end of time</description></item>
<item><title>No zone RSS</title><link>https://bad.example/nozone</link>
  <guid>bad-rss-nozone</guid><pubDate>Fri, 31 Dec 2021 23:59:59</pubDate>
  <description>No time zone</description></item>
<item><title>Plus 25 RSS</title><link>https://bad.example/plus25</link>
  <guid>bad-rss-plus25</guid><pubDate>Fri, 31 Dec 2021 23:59:59 +2500</pubDate>
  <description>An offset of 25 hours</description></item>
</channel></rss>
"""

BAD_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Bad dates (Atom)</title>
<id>urn:bad-atom</id><updated>0001-01-01T00:00:00Z</updated>
<link href="https://bad-atom.example/"/>
<entry><title>Zero time Atom</title><id>urn:bad-atom:zero</id>
  <link href="https://bad-atom.example/zero"/><updated>0001-01-01T00:00:00Z</updated>
  <published>0001-01-01T00:00:00Z</published><summary>Hugo's zero time</summary></entry>
<entry><title>Year 9999 Atom</title><id>urn:bad-atom:future</id>
  <link href="https://bad-atom.example/future"/><updated>9999-12-31T23:59:59Z</updated>
  <summary>The end of time</summary></entry>
<entry><title>No zone Atom</title><id>urn:bad-atom:nozone</id>
  <link href="https://bad-atom.example/nozone"/><updated>2021-12-31T23:59:59</updated>
  <summary>No time zone</summary></entry>
<entry><title>Plus 25 Atom</title><id>urn:bad-atom:plus25</id>
  <link href="https://bad-atom.example/plus25"/><updated>2021-12-31T23:59:59+25:00</updated>
  <summary>An offset of 25 hours</summary></entry>
</feed>
"""

BAD_JSON = {
    "version": "https://jsonfeed.org/version/1.1", "title": "Bad dates (JSON)",
    "home_page_url": "https://bad-json.example/",
    "items": [{"id": f"bad-json-{name}", "url": f"https://bad-json.example/{name}",
               "title": f"{title} JSON", "content_text": title, "date_published": date}
              for name, title, date in (("zero", "Zero time", "0001-01-01T00:00:00Z"),
                                        ("future", "Year 9999", "9999-12-31T23:59:59Z"),
                                        ("nozone", "No zone", "2021-12-31T23:59:59"),
                                        ("plus25", "Plus 25", "2021-12-31T23:59:59+25:00"))],
}
KINDS = ("Zero time", "Year 9999", "No zone", "Plus 25")
ZERO_TITLES = {f"Zero time {fmt}" for fmt in ("RSS", "Atom", "JSON")}
BAD_TITLES = {f"{kind} {fmt}" for kind in KINDS for fmt in ("RSS", "Atom", "JSON")}


@pytest.fixture
def fetched(config_file: ConfigWriter, feed_server: FeedServer) -> Path:
    """The good rss20.xml next to three bad-dated feeds, fetched once by the CLI."""
    (feed_server.directory / "bad-dates.xml").write_text(BAD_RSS, encoding="utf-8")
    (feed_server.directory / "bad-dates.atom").write_text(BAD_ATOM, encoding="utf-8")
    (feed_server.directory / "bad-dates.json").write_text(json.dumps(BAD_JSON), encoding="utf-8")
    config = config_file(names=("rss20.xml", "bad-dates.xml", "bad-dates.atom",
                                "bad-dates.json"))
    assert main(["--config", str(config), "fetch"]) == 0
    return config


def good_titles(feed_server: FeedServer) -> list[str]:
    return [e.title for e in feedparser.parse(feed_server.url("rss20.xml")).entries]


def titles(fmt: str, body: bytes) -> list[str]:
    if fmt == "json":
        return [item.get("title", "") for item in json.loads(body)["items"]]
    return [e.title for e in feedparser.parse(body).entries]


def check_every_output(config: Path, feed_server: FeedServer, tmp_path: Path) -> None:
    """Every output and filter answers 200, is valid and carries the good feed's entries."""
    loaded = load_config(config)
    store = Store.open(loaded.settings.database)
    client = AppClient(create_app(store, loaded))
    good = good_titles(feed_server)
    word = good[0].split()[1]  # "approves": only in the good feed's first title
    left_out = sum(LEFT_OUT.values())
    try:
        for fmt in ("atom", "rss", "json"):
            for query in ({}, {"since": "1d"}, {"q": word}, {"feed": feed_server.url("rss20.xml")}):
                response = client.get(f"/feed.{fmt}", params=query)
                assert response.status_code == 200, (fmt, query, response.text)
                shown = titles(fmt, response.content)
                if "q" in query:
                    assert shown == [good[0]], (fmt, shown)
                    continue
                assert [t for t in shown if t in good] == good, (fmt, query, shown)
                if "feed" not in query:
                    assert set(shown) - set(good) == BAD_TITLES, (fmt, query, shown)
                    assert shown[0] not in ZERO_TITLES and shown[-1] in ZERO_TITLES, shown
            path = tmp_path / f"feed.{fmt}"
            path.write_bytes(client.get(f"/feed.{fmt}").content)
            assert_valid_feed(path)
        health = client.get("/healthz").json()
        assert health["status"] == "ok"
        assert sum(LEFT_OUT.values()) == left_out  # nothing had to be left out
    finally:
        store.close()
    site = tmp_path / "site"
    assert main(["--config", str(config), "publish", "--all", "-o", str(site)]) == 0
    assert main(["--config", str(config), "publish", "--format", "rss",
                 "-o", str(tmp_path / "published.rss")]) == 0
    assert titles("rss", (tmp_path / "published.rss").read_bytes())[:1] != []


def walk_every_page(config: Path) -> None:
    """Paging by cursor reaches every item, past the old rows' unpadded sort_at too."""
    loaded = load_config(config)
    store = Store.open(loaded.settings.database)
    client = AppClient(create_app(store, loaded))
    try:
        everything = titles("json", client.get("/feed.json").content)
        walked: list[str] = []
        url: str | None = "/feed.json?limit=4"
        while url is not None:
            response = client.get(url.removeprefix(loaded.output.base_url.rstrip("/")))
            assert response.status_code == 200, (url, response.text)
            walked += titles("json", response.content)
            url = json.loads(response.content).get("next_url")
        assert walked == everything and len(walked) > 8
    finally:
        store.close()


def test_bad_dates_next_to_a_good_feed(fetched: Path, feed_server: FeedServer,
                                       tmp_path: Path) -> None:
    check_every_output(fetched, feed_server, tmp_path)
    walk_every_page(fetched)
    store = sqlite3.connect(tmp_path / "store.db")
    stored = dict(store.execute("SELECT title, coalesce(published, updated) FROM entries"))
    store.close()
    for fmt in ("RSS", "Atom", "JSON"):  # as the feeds gave them, in the store's one form
        assert stored[f"Zero time {fmt}"] == "0001-01-01T00:00:00Z"
        assert stored[f"No zone {fmt}"] == "2021-12-31T23:59:59Z"
    assert stored["Year 9999 RSS"] == stored["Year 9999 JSON"] == "9999-12-31T23:59:59Z"


def test_a_store_written_before_years_were_padded(fetched: Path, feed_server: FeedServer,
                                                  tmp_path: Path) -> None:
    """Rows as the old to_iso wrote them ('1-01-01T00:00:00Z') are read, not fatal."""
    store = sqlite3.connect(tmp_path / "store.db")
    with store:
        store.execute("UPDATE entries SET published = '1-01-01T00:00:00Z', "
                      "updated = '1-01-01T00:00:00Z', sort_at = '1-01-01T00:00:00Z' "
                      "WHERE title LIKE 'Zero time%'")
        store.execute("UPDATE stories SET sort_at = '1-01-01T00:00:00Z' WHERE representative_id "
                      "IN (SELECT id FROM entries WHERE title LIKE 'Zero time%')")
    store.close()
    check_every_output(fetched, feed_server, tmp_path)
    walk_every_page(fetched)
    # A later fetch matches new entries against those rows without failing.
    (feed_server.directory / "bad-dates.xml").write_text(
        BAD_RSS.replace("</channel>", "<item><title>Zero time again</title>"
                        "<link>https://bad.example/zero</link><guid>bad-rss-zero-2</guid>"
                        "<pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item></channel>"),
        encoding="utf-8")
    assert main(["--config", str(fetched), "fetch", "--force"]) == 0
