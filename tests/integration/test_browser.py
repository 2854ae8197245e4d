"""The page for people in a real browser: headless Chromium driven by Selenium.

``aggregator run`` serves stories fetched from the loopback feed server; one
feed carries a hostile entry (a ``<script>``, an ``onerror`` handler, a
``javascript:`` link, in its title and body, and a script in the feed's own
title).  Chromium loads ``/``, searches with the form, follows a tag link and
opens ``/feed.atom`` (rendered by ``/feed.xsl``); on every page no script from
feed content may have run and no dialog may have opened.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them);
skipped when there is no Chromium.  Nothing is downloaded: Selenium is pointed
at the system chromedriver and browser.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from aggregator.models import to_iso, utc_now
from tests.feedserver import FeedServer
from tests.integration.conftest import RunningService

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--window-size=412,900")
PAGE_TITLE = "Browser test news"
WAIT_S = 15
PWNED = "window.__pwned=1"
# Runs before any page script: any dialog, or the hostile payload, leaves a mark.
WATCH_DIALOGS = """
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = function () { window.__dialog = name; };
}
"""


def _find(name: str, *fallbacks: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    return next((p for p in fallbacks if Path(p).exists()), None)


def _rfc822(hours_ago: float) -> str:
    return format_datetime(utc_now() - timedelta(hours=hours_ago), usegmt=True)


def _iso(hours_ago: float) -> str:
    return to_iso(utc_now() - timedelta(hours=hours_ago))


def world_rss() -> str:
    """An RSS feed with an ordinary story and a hostile one, under a hostile feed title."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>World desk &lt;script&gt;{PWNED}&lt;/script&gt;</title>
<link>https://world.example/</link><description>World news</description>
<item><title>Zeppelin returns to the skies over Lake Constance</title>
<link>https://world.example/zeppelin</link><guid isPermaLink="false">world-1</guid>
<pubDate>{_rfc822(1)}</pubDate>
<description>An airship flies tourists along the shore again after ten years.</description></item>
<item><title>Hostile &lt;script&gt;{PWNED}&lt;/script&gt; &lt;img src=x onerror="{PWNED}"&gt; entry</title>
<link>https://world.example/hostile</link><guid isPermaLink="false">world-2</guid>
<pubDate>{_rfc822(2)}</pubDate>
<description><![CDATA[<p>Hostile body <script>{PWNED}</script>
<img src="x" onerror="{PWNED}"> <a href="javascript:{PWNED}">click me</a>
<svg onload="{PWNED}"></svg><iframe src="javascript:{PWNED}"></iframe></p>]]></description>
</item>
</channel></rss>
"""


def tech_atom() -> str:
    """An Atom feed with one story, tagged differently in the config."""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Tech desk</title>
<id>urn:uuid:7e1ac0a4-2c55-4f4b-a1cf-0c1b8a7f5d10</id><updated>{_iso(3)}</updated>
<link href="https://tech.example/"/>
<entry><title>Compiler release brings faster builds</title>
<id>urn:uuid:0d8f3f2e-5b0e-4d6a-9a36-3f1f0a6f2b11</id>
<link href="https://tech.example/compiler"/><updated>{_iso(3)}</updated>
<summary type="html">&lt;p&gt;The new &lt;em&gt;compiler&lt;/em&gt; halves build times.&lt;/p&gt;</summary>
</entry></feed>
"""


@pytest.fixture
def chromium_paths() -> tuple[str, str]:
    browser = _find("chromium", "/usr/bin/chromium")
    if browser is None:
        pytest.skip("no chromium binary: `apt-get install chromium chromium-driver` (.ci/run does)")
    driver = _find("chromedriver", "/usr/bin/chromedriver")
    if driver is None:
        pytest.fail(f"chromium is at {browser} but chromedriver is missing: "
                    "`apt-get install chromium-driver`")
    return browser, driver


@pytest.fixture
def browser(chromium_paths: tuple[str, str], tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A headless Chromium session on a fresh profile; never downloads anything."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ModuleNotFoundError:
        pytest.fail("selenium is missing: it belongs in the dev extra of pyproject.toml")

    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager must not go online
    binary, driver_path = chromium_paths
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=driver_path,
                      log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT_S)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_DIALOGS})
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def service(tmp_path: Path, feed_server: FeedServer, free_port: int,
            start_service: Callable[[Path], RunningService]) -> RunningService:
    """``aggregator run`` on two feeds tagged "world" and "tech", with every story stored."""
    assert feed_server.directory is not None
    (feed_server.directory / "world.xml").write_text(world_rss(), encoding="utf-8")
    (feed_server.directory / "tech.xml").write_text(tech_atom(), encoding="utf-8")
    config = tmp_path / "feeds.toml"
    config.write_text(f"""
[settings]
database = "store.db"
interval = "1h"
timeout = "5s"
jitter = 0.0
min_interval = "1s"
host_delay = "0s"

[server]
port = {free_port}

[output]
title = "{PAGE_TITLE}"
base_url = "http://127.0.0.1:{free_port}/"

[[feeds]]
url = "{feed_server.url("world.xml")}"
tags = ["world"]

[[feeds]]
url = "{feed_server.url("tech.xml")}"
tags = ["tech"]
""", encoding="utf-8")
    running = start_service(config)
    running.wait_until(lambda: len(running.get("/feed.json").json()["items"]) >= 3,
                       "three stories in /feed.json")
    return running


def assert_nothing_ran(driver: Any) -> None:
    """No script from feed content ran and no dialog opened on the current page."""
    from selenium.common.exceptions import NoAlertPresentException

    try:
        alert = driver.switch_to.alert
    except NoAlertPresentException:
        pass
    else:
        text = alert.text
        alert.dismiss()
        pytest.fail(f"a dialog opened on {driver.current_url}: {text!r}")
    marks = driver.execute_script(
        "return [typeof window.__pwned, typeof window.__dialog, window.__dialog || null]")
    assert marks == ["undefined", "undefined", None], f"script ran on {driver.current_url}"


def csp_violations(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser")
            if "Content Security Policy" in entry["message"]]


def check_xslt_page(driver: Any, url: str) -> None:
    """``url`` is a feed of the service that Chromium shows through FEED_XSL."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    WebDriverWait(driver, WAIT_S).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "article h2")))
    assert driver.find_element(By.TAG_NAME, "h1").text == PAGE_TITLE
    assert "This is a web feed" in driver.find_element(By.TAG_NAME, "body").text
    rendered = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "article h2")]
    assert "Zeppelin returns to the skies over Lake Constance" in rendered
    assert any(t.startswith("Hostile") for t in rendered)
    assert driver.find_elements(By.CSS_SELECTOR, "article script, article [onerror]") == []
    assert_nothing_ran(driver)


def check_feeds_in_browser(driver: Any, service: RunningService, feed_server: FeedServer) -> None:
    """Atom and RSS as the service writes them, shown by Chromium through /feed.xsl.

    Chromium shows ``application/atom+xml`` and ``application/rss+xml`` as
    plain text and applies a stylesheet only to ``application/xml`` or
    ``text/xml``; so the service's own ``/feed.atom`` is checked only when it
    is served to a browser as one of those.  The stylesheet itself is always
    checked: the service's documents and its ``/feed.xsl`` are copied to the
    feed server, which serves ``.xml`` as ``application/xml`` (a stylesheet
    must come from the document's origin).
    """
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    direct = service.get("/feed.atom", Accept=browser_accept)
    media_type = direct.headers.get("content-type", "").split(";")[0].strip()
    if b"<?xml-stylesheet" in direct.content and media_type in ("application/xml", "text/xml"):
        check_xslt_page(driver, service.base + "/feed.atom")
    # else: Chromium would show the service's feed as text; the copy below still
    # shows the stylesheet at work on the very same document.
    assert feed_server.directory is not None
    stylesheet = service.get("/feed.xsl")
    assert stylesheet.status_code == 200
    (feed_server.directory / "feed.xsl").write_bytes(stylesheet.content)
    link = b'<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>'
    for fmt in ("atom", "rss"):
        body = re.sub(rb"<\?xml-stylesheet[^>]*\?>", b"", service.get(f"/feed.{fmt}").content)
        declaration, _, rest = body.partition(b"?>")
        document = declaration + b"?>\n" + link + rest
        (feed_server.directory / f"merged-{fmt}.xml").write_bytes(document)
        check_xslt_page(driver, feed_server.url(f"merged-{fmt}.xml"))


def story_titles(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [h.text for h in driver.find_elements(By.CSS_SELECTOR, "main article h2")]


def test_page_search_tag_and_feed_in_chromium(browser: Any, service: RunningService,
                                              feed_server: FeedServer) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.monotonic()
    wait = WebDriverWait(browser, WAIT_S)

    # The front page: every story, visible, under the configured title.
    browser.get(service.base + "/")
    assert browser.title == PAGE_TITLE
    titles = story_titles(browser)
    assert "Zeppelin returns to the skies over Lake Constance" in titles
    assert "Compiler release brings faster builds" in titles
    # The hostile story is shown, as text: the parser stripped its markup, the page escaped it.
    (hostile,) = [a for a in browser.find_elements(By.CSS_SELECTOR, "main article")
                  if a.find_element(By.TAG_NAME, "h2").text.startswith("Hostile")]
    assert "Hostile body" in hostile.text and "click me" in hostile.text
    for heading in browser.find_elements(By.CSS_SELECTOR, "main article h2"):
        assert heading.is_displayed()
    assert browser.find_elements(By.CSS_SELECTOR, "main script, main [onerror], main iframe,"
                                                  " main svg, main a[href^='javascript']") == []
    assert browser.find_elements(By.CSS_SELECTOR, "head link[rel='alternate']")
    assert_nothing_ran(browser)
    assert csp_violations(browser) == []

    # Search with the form: the query lands in the URL and the results heading.
    box = browser.find_element(By.CSS_SELECTOR, "form input[name='q']")
    box.send_keys("zeppelin")
    browser.find_element(By.CSS_SELECTOR, "form button[type='submit']").click()
    wait.until(expected_conditions.url_contains("q=zeppelin"))
    heading = browser.find_element(By.CSS_SELECTOR, "section.filter h2").text
    assert heading == "Results for “zeppelin”"
    assert browser.find_element(By.CSS_SELECTOR, "form input[name='q']"
                                ).get_attribute("value") == "zeppelin"
    assert story_titles(browser) == ["Zeppelin returns to the skies over Lake Constance"]
    assert_nothing_ran(browser)

    # Follow a tag link: only that tag's stories, and a way back to all.
    browser.find_element(By.CSS_SELECTOR, "nav a[href='/?tag=tech']").click()
    wait.until(expected_conditions.url_contains("tag=tech"))
    assert browser.find_element(By.CSS_SELECTOR, "section.filter h2").text == "Tag: tech"
    assert story_titles(browser) == ["Compiler release brings faster builds"]
    assert_nothing_ran(browser)
    browser.find_element(By.LINK_TEXT, "All stories").click()
    wait.until(expected_conditions.url_to_be(service.base + "/"))
    assert len(story_titles(browser)) == len(titles)
    assert_nothing_ran(browser)

    # A feed opened in the browser is rendered by /feed.xsl.
    check_feeds_in_browser(browser, service, feed_server)

    assert time.monotonic() - started < 60
