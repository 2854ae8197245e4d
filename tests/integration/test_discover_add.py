"""`aggregator discover` and `aggregator add` against the loopback server."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from aggregator.cli import main
from tests.feedserver import FeedServer
from tests.integration.conftest import ConfigWriter


def test_discover_lists_a_pages_feeds(config_file: ConfigWriter, feed_server: FeedServer,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(names=())
    assert main(["--config", str(config), "discover", feed_server.url("not_a_feed.html")]) == 0
    out = capsys.readouterr().out
    assert feed_server.url("rss20.xml") in out
    assert "application/rss+xml" in out
    assert main(["--config", str(config), "discover", feed_server.url("atom10.xml")]) == 0
    assert "is a feed (atom10)" in capsys.readouterr().out


def test_add_a_page_adds_its_feed_keeping_comments(
        config_file: ConfigWriter, feed_server: FeedServer, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(names=("atom10.xml",))
    original = "# my precious comment\n" + config.read_text()
    config.write_text(original)
    page = feed_server.url("not_a_feed.html")
    assert main(["--config", str(config), "add", page, "--tag", "world", "--tag", "asia"]) == 0
    text = config.read_text()
    assert text.startswith(original)  # comments and order kept; the new table appended
    feeds = tomllib.loads(text)["feeds"]
    assert feeds[-1] == {"url": feed_server.url("rss20.xml"), "tags": ["world", "asia"]}
    capsys.readouterr()
    assert main(["--config", str(config), "add", feed_server.url("rss20.xml")]) == 2
    assert "already configured" in capsys.readouterr().err
    assert config.read_text() == text


def test_add_refuses_what_is_not_a_feed(config_file: ConfigWriter, feed_server: FeedServer,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    config = config_file(names=())
    before = config.read_text()
    feed_server.set_file("plain.html", "<html><head><title>x</title></head><body>hi</body></html>")
    assert main(["--config", str(config), "add", feed_server.url("plain.html")]) == 1
    assert "links to none" in capsys.readouterr().err
    assert config.read_text() == before
