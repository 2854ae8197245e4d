"""Outputs people subscribe to: named outputs, filters, search, paging, static files."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest
from starlette.applications import Starlette

from aggregator.cli import main
from aggregator.config import load_config
from aggregator.serve import create_app
from aggregator.store import Store
from tests.feedcheck import assert_valid_feed
from tests.feedserver import FeedServer
from tests.integration.conftest import ConfigWriter

NAMES = ("rss20.xml", "atom10.xml", "rss10.xml")


@pytest.fixture
def loaded(config_file: ConfigWriter, feed_server: FeedServer, tmp_path: Path) -> Path:
    """A config with three fixture feeds (rss10 tagged "science"), fetched once, plus outputs."""
    config = config_file(names=NAMES)
    text = config.read_text().replace(
        f'url = "{feed_server.url("rss10.xml")}"\ntags = ["test"]',
        f'url = "{feed_server.url("rss10.xml")}"\ntags = ["science"]')
    text += """
[[outputs]]
name = "science"
tags = ["science"]

[[outputs]]
name = "no-science"
tags = ["test"]
exclude = ["/./"]
"""
    config.write_text(text)
    assert main(["--config", str(config), "fetch"]) == 0
    return config


class AppClient:
    """The ASGI app over httpx's ASGI transport: real requests, no socket."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def get(self, url: str, params: dict[str, str] | None = None,
            headers: dict[str, str] | None = None) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport,
                                         base_url="http://testserver") as client:
                return await client.get(url, params=params, headers=headers)

        return asyncio.run(go())


@pytest.fixture
def client(loaded: Path) -> Iterator[AppClient]:
    config = load_config(loaded)
    store = Store.open(config.settings.database)
    yield AppClient(create_app(store, config))
    store.close()


def titles(response_body: bytes) -> list[str]:
    return [e.title for e in feedparser.parse(response_body).entries]


def test_named_output_selects_by_tag_and_passes_the_kit(
        client: AppClient, feed_server: FeedServer, tmp_path: Path) -> None:
    science = {e.title for e in feedparser.parse(feed_server.url("rss10.xml")).entries}
    for fmt in ("atom", "rss", "json"):
        response = client.get(f"/o/science.{fmt}")
        assert response.status_code == 200
        path = tmp_path / f"science.{fmt}"
        path.write_bytes(response.content)
        assert_valid_feed(path)
    assert set(titles(client.get("/o/science.atom").content)) == science
    assert titles(client.get("/o/no-science.atom").content) == []  # exclude /./ drops all
    assert client.get("/o/nope.atom").status_code == 404


def test_ad_hoc_filters_and_bad_queries(client: AppClient, feed_server: FeedServer) -> None:
    everything = titles(client.get("/feed.atom").content)
    assert len(titles(client.get("/feed.atom?tag=science").content)) == 3
    assert titles(client.get("/feed.atom?limit=2").content) == everything[:2]
    only = feed_server.url("atom10.xml")
    from_atom = titles(client.get("/feed.atom", params={"feed": only}).content)
    assert 0 < len(from_atom) < len(everything)
    word = everything[0].split()[0]
    assert everything[0] in titles(client.get("/feed.atom", params={"q": word}).content)
    for bad in ("/feed.atom?limit=0", "/feed.atom?limit=-1", "/feed.atom?limit=x",
                "/feed.atom?limit=%C2%B2", "/feed.atom?limit=" + "9" * 5000,
                "/feed.atom?since=soon", "/feed.atom?since=99999999999d",
                "/feed.atom?before=garbage", "/search?q=a&page=0", "/search?q=a&page=-1",
                "/search?q=a&page=%C2%B2", "/search?q=a&page=99999999999999999999"):
        response = client.get(bad)
        assert response.status_code == 400, bad
        assert response.json()["error"]


def test_paging_walks_back_through_history(client: AppClient, tmp_path: Path) -> None:
    everything = titles(client.get("/feed.atom").content)
    assert len(everything) >= 6
    seen: list[str] = []
    url = "/feed.atom?limit=4"
    pages = 0
    while url:
        parsed = feedparser.parse(client.get(url).content)
        seen += [e.title for e in parsed.entries]
        links = {link.rel: link.href for link in parsed.feed.links}
        assert links["first"].endswith("/feed.atom?limit=4")
        if pages:
            assert "previous" in links
        url = links.get("next", "").replace("http://127.0.0.1", "http://testserver") \
            .split("testserver", 1)[-1].split(":", 1)[-1]
        url = url[url.index("/"):] if url else ""
        pages += 1
        assert pages < 10
    assert seen == everything
    last_page = client.get("/feed.atom?limit=4").content
    path = tmp_path / "paged.atom"
    path.write_bytes(last_page)
    assert_valid_feed(path)


def test_search_returns_snippets_paged(client: AppClient) -> None:
    everything = titles(client.get("/feed.atom").content)
    word = everything[0].split()[-1].strip(".,:;!?'\"")
    response = client.get("/search", params={"q": word})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == word
    assert body["results"]
    assert {"id", "title", "url", "feed", "snippet", "published"} <= set(body["results"][0])
    assert client.get("/search").status_code == 400


@pytest.mark.parametrize("words", ["covid-19", "C++", "don't", "U.S.", "50%", "AND OR",
                                   '"unclosed', "title:nosuch", "*"])
def test_ordinary_words_are_never_refused(client: AppClient, words: str) -> None:
    for path in ("/search", "/feed.atom", "/o/science.json", "/"):
        response = client.get(path, params={"q": words})
        assert response.status_code == 200, (path, response.text[:200])


def test_plain_words_that_are_not_fts5_syntax_find_their_entry(client: AppClient) -> None:
    first = titles(client.get("/feed.atom").content)[0]
    words = first.split()[:2]
    # "word1-word2!" is a column filter and a syntax error to FTS5; as words it finds the entry.
    query = "-".join(words) + "!"
    assert first in titles(client.get("/feed.atom", params={"q": query}).content)
    hits = client.get("/search", params={"q": query}).json()["results"]
    assert first in [hit["title"] for hit in hits]


def test_conditional_gets_and_gzip_on_filtered_outputs(client: AppClient) -> None:
    response = client.get("/o/science.rss", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    etag = response.headers["etag"]
    again = client.get("/o/science.rss", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert "public" in response.headers["cache-control"]


def test_page_and_stylesheet(client: AppClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert 'href="/o/science.atom"' in page.text
    xsl = client.get("/feed.xsl")
    assert xsl.headers["content-type"].startswith("text/xsl")
    assert b'<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>' in \
        client.get("/feed.atom").content


def test_publish_all_writes_every_output(loaded: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert main(["--config", str(loaded), "publish", "--all", "-o", str(out)]) == 0
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert names == ["feed.atom", "feed.json", "feed.rss", "feed.xsl", "index.html",
                     "o/no-science.atom", "o/no-science.json", "o/no-science.rss",
                     "o/science.atom", "o/science.json", "o/science.rss"]
    assert json.loads((out / "o" / "science.json").read_text())["items"]
    assert_valid_feed(out / "feed.rss")


def test_browsers_get_feeds_as_xml_and_search_box_takes_plain_words(client: AppClient) -> None:
    browser = client.get("/feed.atom", headers={"Accept": "text/html,application/xml"})
    assert browser.headers["content-type"].startswith("application/xml")
    assert "Accept" in browser.headers["vary"]
    reader = client.get("/feed.atom")
    assert reader.headers["content-type"].startswith("application/atom+xml")
    page = client.get("/", params={"q": 'C++ "unbalanced'})
    assert page.status_code == 200
    assert client.get("/feed.atom", params={"q": '"unbalanced'}).status_code == 200
