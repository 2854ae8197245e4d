"""Hostile documents: XML entity attacks, local paths as bodies, huge feeds, and the
publisher hints (ttl, sy:updatePeriod, self and new-feed URLs) the scheduler acts on.

Every attack must end quickly (< 1 s), within a small memory peak (tracemalloc < 50 MB),
and without opening a file or a socket: a process audit hook records both while a
document is parsed (it is installed once for the session and inert outside ``watched``).
What feedparser 6.0.14 did with each of these before the guard is in the docstring of
``aggregator/parse/xmlguard.py``.
"""

from __future__ import annotations

import socket
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from aggregator.errors import ParseError
from aggregator.models import ParsedFeed
from aggregator.parse import parse_feed

URL = "https://hostile.example/feed.xml"
SECONDS = 1.0
PEAK_BYTES = 50 * 1024 * 1024


@dataclass
class Watch:
    events: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    peak_bytes: int = 0


_watch: Watch | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _watch is None:
        return
    if event == "open":
        path = args[0]
        # Lazy imports (a codec module, say) read .py/.pyc files; anything else is a finding.
        if not (isinstance(path, str) and path.endswith((".py", ".pyc"))):
            _watch.events.append((event, repr(args)[:120]))
    elif event.startswith(("socket.", "urllib.", "subprocess.", "os.system")):
        _watch.events.append((event, repr(args)[:120]))


sys.addaudithook(_audit)


@contextmanager
def watched() -> Iterator[Watch]:
    global _watch  # noqa: PLW0603 - the audit hook cannot take arguments
    watch = Watch()
    _watch = watch
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - started
        watch.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        _watch = None


def parse_watched(body: bytes, headers: dict[str, str] | None = None) -> tuple[
        ParsedFeed | ParseError, Watch]:
    with watched() as watch:
        try:
            result: ParsedFeed | ParseError = parse_feed(body, URL, headers)
        except ParseError as error:
            result = error
    return result, watch


def assert_contained(result: ParsedFeed | ParseError, watch: Watch) -> None:
    assert watch.seconds < SECONDS, watch.seconds
    assert watch.peak_bytes < PEAK_BYTES, watch.peak_bytes
    assert watch.events == []
    assert "root:" not in repr(result) + str(result)


# --- XML entity attacks ------------------------------------------------------------------

ITEMS = ('<rss version="2.0"><channel><title>{0}</title><link>https://hostile.example/</link>'
         "<description>d</description><item><title>t {0}</title><guid>1</guid>"
         "<description>{0}</description></item></channel></rss>")


def laughs(separator: str) -> str:
    declarations = ['<!ENTITY lol "lol">']
    for level in range(1, 10):
        previous = "lol" if level == 1 else f"lol{level - 1}"
        declarations.append(f'<!ENTITY lol{level} "{f"&{previous};" * 10}">')
    return separator.join(declarations)


def xml(doctype: str, text: str, *, decl: str = '<?xml version="1.0"?>') -> bytes:
    return (decl + doctype + ITEMS.format(text)).encode()


DROPPED = {
    # The DOCTYPE on the XML declaration's line escapes feedparser's regex: expat expanded it
    # until its amplification limit (3.3 s, 59 MB peak).
    "billion laughs, one line": xml(f"<!DOCTYPE rss [{laughs('')}]>", "&lol9;"),
    "billion laughs, one per line": xml(f"\n<!DOCTYPE rss [\n{laughs(chr(10))}\n]>\n", "&lol9;"),
    # One large "safe" (plain text) entity used many times: linear, not exponential.
    "quadratic blowup": xml(f'\n<!DOCTYPE rss [\n<!ENTITY big "{"A" * 20_000}">\n]>\n',
                            "&big;" * 500),
    # Junk before the DOCTYPE sends feedparser to its loose parser, which expanded "safe"
    # entities with no limit (200 MB from 110 KB).
    "loose parser path": (b"junk\n" + xml(f'<!DOCTYPE rss [\n<!ENTITY big "{"B" * 20_000}">\n]>\n',
                                          "&big;" * 500, decl="")),
    # feedparser's regex revives a declaration inside a comment.
    "entity in a DTD comment": xml(f'\n<!DOCTYPE rss [\n<!--\n<!ENTITY big "{"C" * 20_000}">\n-->\n'
                                   "]>\n", "&big;" * 500),
    "external entity, file": xml('<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                                 "&xxe;"),
    "external entity, url": xml('<!DOCTYPE rss [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/x">]>',
                                "&xxe;"),
    "external entity, public id": xml(
        '<!DOCTYPE rss [<!ENTITY xxe PUBLIC "-//X//Y" "file:///etc/passwd">]>', "&xxe;"),
    "parameter entity, file": xml(
        '<!DOCTYPE rss [<!ENTITY % pe SYSTEM "file:///etc/passwd"> %pe;]>', "x"),
    "parameter entity, url": xml(
        '<!DOCTYPE rss [<!ENTITY % pe SYSTEM "http://127.0.0.1:9/evil.dtd"> %pe;]>', "x"),
    # Expanded by expat before: the parameter entity declares a new general entity.
    "parameter entity declaring entities": xml(
        "<!DOCTYPE rss [<!ENTITY % p \"&#60;!ENTITY inner 'INNER'&#62;\"> %p;]>", "&inner;"),
    # No "<!" byte at all: the subset is UTF-7 (+ADw- is "<"); expanded to 3 MB before.
    "UTF-7 internal subset": (b'<?xml version="1.0" encoding="utf-7"?>'
                              + f"<!DOCTYPE rss [{laughs('')}]>".replace("<", "+ADw-")
                              .replace(">", "+AD4-").replace("!", "+ACE-").replace('"', "+ACI-")
                              .replace("&", "+ACY-").replace(";", "+ADs-").encode()
                              + ITEMS.format("&lol9;").encode()),
    "UTF-16 billion laughs": ('\ufeff<?xml version="1.0" encoding="utf-16"?>'
                              f"<!DOCTYPE rss [{laughs('')}]>{ITEMS.format('&lol9;')}"
                              ).encode("utf-16-le"),
    "lower-case declaration": xml('<!DOCTYPE rss [<!entity xxe SYSTEM "file:///etc/passwd">]>',
                                  "&xxe;"),
    "DOCTYPE with a quoted '<name' before the subset": xml(
        '<!DOCTYPE rss SYSTEM "<a>" [<!ENTITY lol "lol">]>', "&lol;"),
}
# What any of them would have put in the text had an entity been expanded or read.
EXPANDED = ("lollol", "A" * 100, "B" * 100, "C" * 100, "INNER", "root:")


def all_text(feed: ParsedFeed) -> str:
    return repr(feed.title) + repr(feed.subtitle) + "".join(
        repr((e.title, e.summary, e.content)) for e in feed.entries)


@pytest.mark.parametrize("name", list(DROPPED))
def test_entity_declarations_are_dropped_and_the_rest_parsed(name: str) -> None:
    """Issue 13, item 8: the internal subset goes, the feed stays, nothing is expanded."""
    result, watch = parse_watched(DROPPED[name], {"content-type": "application/rss+xml"})
    assert isinstance(result, ParsedFeed), result
    assert len(result.entries) == 1
    assert result.warning and "internal subset was dropped" in result.warning
    assert not [text for text in EXPANDED if text in all_text(result)]
    assert_contained(result, watch)


def test_undeclared_references_stay_as_written() -> None:
    result = parse_feed(DROPPED["billion laughs, one line"], URL)
    assert result.title == "&lol9;"
    assert result.entries[0].title == "t &lol9;"


def test_a_prolog_too_long_to_find_its_end_is_refused() -> None:
    body = xml("<!--" + " " * 70_000 + '--><!DOCTYPE rss [<!ENTITY a "b">]>', "&a;")
    result, watch = parse_watched(body, {"content-type": "application/rss+xml"})
    assert isinstance(result, ParseError), result
    assert result.reason == "xml_entities"
    assert "prolog runs past 64 KiB" in str(result)
    assert_contained(result, watch)


def test_the_warning_names_the_constructs() -> None:
    result = parse_feed(DROPPED["billion laughs, one line"], URL)
    assert "declares 10 entities (lol, lol1, lol2, lol3, lol4, ...)" in str(result.warning)
    result = parse_feed(xml('<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
                            '<!ENTITY % pe SYSTEM "http://x/y.dtd">]>', "&xxe;"), URL)
    assert "1 external entity (xxe), 1 parameter entity (pe)" in str(result.warning)


def test_a_declared_charset_still_reads_after_the_subset_is_dropped() -> None:
    """The cleaned text is handed to feedparser as UTF-8, whatever the server declared."""
    body = ('<?xml version="1.0" encoding="iso-8859-1"?><!DOCTYPE rss [<!ENTITY c "x">]>'
            + ITEMS.format("Café &c;")).encode("iso-8859-1")
    result = parse_feed(body, URL, {"content-type": "text/xml; charset=iso-8859-1"})
    assert result.title == "Café &c;"
    assert result.entries[0].title == "t Café &c;"


def test_external_dtd_is_not_fetched_and_the_feed_parses() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        body = xml(f'<!DOCTYPE rss SYSTEM "http://127.0.0.1:{port}/evil.dtd">', "Title")
        result, watch = parse_watched(body)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    assert isinstance(result, ParsedFeed)
    assert result.title == "Title"
    assert_contained(result, watch)


def test_external_dtd_naming_a_local_file_is_not_read() -> None:
    result, watch = parse_watched(xml('<!DOCTYPE rss SYSTEM "file:///etc/passwd">', "Title"))
    assert isinstance(result, ParsedFeed)
    assert result.entries[0].title == "t Title"
    assert_contained(result, watch)


def test_netscape_rss091_doctype_still_parses() -> None:
    body = (b'<?xml version="1.0" encoding="ISO-8859-1"?>\n'
            b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"\n'
            b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
            b'<rss version="0.91"><channel><title>Old&nbsp;News</title>'
            b"<link>https://old.example/</link><description>d</description><language>en</language>"
            b"<item><title>One</title><link>https://old.example/1</link></item>"
            b"<item><title>Two</title><link>https://old.example/2</link></item></channel></rss>")
    result, watch = parse_watched(body)
    assert isinstance(result, ParsedFeed)
    assert result.version == "rss091n"
    assert result.title == "Old News"
    assert [e.url for e in result.entries] == ["https://old.example/1", "https://old.example/2"]
    assert_contained(result, watch)


def test_internal_subset_without_entities_is_allowed() -> None:
    body = xml('<!DOCTYPE rss [<!ELEMENT rss ANY><!ATTLIST rss version CDATA "2.0">]>', "T")
    result = parse_feed(body, URL)
    assert result.title == "T"


def test_entity_text_inside_the_content_is_just_text() -> None:
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>XML security</title>'
            b"<link>https://sec.example/</link><description>d</description><item><guid>1</guid>"
            b"<title>On XXE</title><description><![CDATA[<p>A DTD such as "
            b'<code><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]></code> '
            b"is refused.</p>]]></description></item></channel></rss>")
    result, watch = parse_watched(body)
    assert isinstance(result, ParsedFeed)
    assert result.title == "XML security"
    assert_contained(result, watch)


@pytest.mark.parametrize("shape", [b"[", b'"a"', b"]", b"<!---->", b"<??>", b"<!x>", b"< "])
def test_prolog_scan_is_bounded(shape: bytes) -> None:
    """However the prolog is built, the scan for entity declarations stops at 64 KiB."""
    body = b"<!DOCTYPE rss " + shape * (2_000_000 // len(shape)) + b'<!ENTITY a "b">'
    started = time.perf_counter()
    with pytest.raises(ParseError) as info:
        parse_feed(body, URL)
    assert time.perf_counter() - started < SECONDS
    assert info.value.reason == "xml_entities"
    assert "prolog runs past 64 KiB" in str(info.value)


@pytest.mark.parametrize(("headers", "declaration"), [
    ({"content-type": "application/xml; charset=undefined"}, '<?xml version="1.0"?>'),
    ({}, '<?xml version="1.0" encoding="undefined"?>'),
])
def test_an_encoding_whose_codec_raises_is_a_parse_error(headers: dict[str, str],
                                                          declaration: str) -> None:
    """feedparser itself raises UnicodeError on these."""
    with pytest.raises(ParseError) as info:
        parse_feed(xml("", "T", decl=declaration), URL, headers)
    assert info.value.reason == "bad_encoding"


def test_a_dtd_after_the_root_element_expands_nothing_on_the_loose_path() -> None:
    """Not well-formed, so feedparser falls back to its loose parser: still no expansion."""
    body = (b'<rss version="2.0"><channel><title>T</title>\n<!DOCTYPE rss [\n<!ENTITY big "'
            + b"A" * 10_000 + b'">\n]>\n<item><guid>1</guid><title>' + b"&big;" * 100
            + b"</title></item></channel></rss>")
    result, watch = parse_watched(body)
    assert isinstance(result, ParsedFeed)
    assert result.warning
    assert result.entries[0].title == "&big;" * 100
    assert_contained(result, watch)


def test_a_body_that_is_a_local_path_is_not_opened(tmp_path: Path) -> None:
    """feedparser.parse(bytes) tries open(bytes) first; the parser hands it a stream."""
    secret = tmp_path / "secret.xml"
    secret.write_text('<rss version="2.0"><channel><title>LOCAL SECRET</title>'
                      "<item><title>secret</title></item></channel></rss>")
    result, watch = parse_watched(str(secret).encode())
    assert isinstance(result, ParseError)
    assert result.reason == "not_a_feed"
    assert "SECRET" not in str(result)
    assert_contained(result, watch)


def test_a_large_feed_parses() -> None:
    """5 MB, 5,000 entries: nothing here limits size, and big feeds are fine."""
    text = "<p>" + "word " * 190 + "</p>"
    items = "".join(f'<item><guid isPermaLink="false">e{i}</guid>'
                    f"<title>Entry {i}</title>"
                    f"<description><![CDATA[{text}]]></description></item>"
                    for i in range(5000))
    body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
            f"<link>https://big.example/</link><description>d</description>{items}"
            "</channel></rss>").encode()
    assert len(body) > 5_000_000
    feed = parse_feed(body, URL)
    assert len(feed.entries) == 5000
    assert feed.warning is None
    assert feed.entries[-1].key == "e4999"


# --- publisher hints: untrusted numbers and URLs the scheduler acts on ---------------------------

NS = ('xmlns:atom="http://www.w3.org/2005/Atom" '
      'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" '
      'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"')


def rss(channel: str = "", ns: str = NS, items: str = "<item><guid>1</guid></item>") -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0" {ns}><channel><title>H</title>'
            f"<link>https://hints.example/</link><description>d</description>{channel}{items}"
            "</channel></rss>").encode()


@pytest.mark.parametrize(("ttl", "seconds"), [
    ("30", 1800.0), (" 45 ", 2700.0), ("1.5", 90.0), ("0", None), ("-5", None), ("abc", None),
    ("", None), ("NaN", None), ("inf", None), ("1e400", None),
])
def test_ttl(ttl: str, seconds: float | None) -> None:
    assert parse_feed(rss(f"<ttl>{ttl}</ttl>"), URL).ttl_s == seconds


@pytest.mark.parametrize(("period", "frequency", "seconds"), [
    ("hourly", None, 3600.0),
    ("daily", "4", 21600.0),
    ("weekly", "2", 302400.0),
    ("monthly", "1", 2592000.0),
    ("yearly", None, 31536000.0),
    (" HOURLY ", "2", 1800.0),
    (None, "2", 43200.0),  # no period: daily, per the module
    ("daily", "zero", 86400.0),  # a bad frequency: once per period
    ("daily", "0", 86400.0),
    ("daily", "-3", 86400.0),
    ("often", "2", None),
    ("", None, None),
    ("", "", None),
    ("", "3", 28800.0),
])
def test_update_period(period: str | None, frequency: str | None,
                       seconds: float | None) -> None:
    channel = "" if period is None else f"<sy:updatePeriod>{period}</sy:updatePeriod>"
    if frequency is not None:
        channel += f"<sy:updateFrequency>{frequency}</sy:updateFrequency>"
    assert parse_feed(rss(channel), URL).update_period_s == seconds


def test_no_hints_at_all() -> None:
    feed = parse_feed(rss(), URL)
    assert (feed.ttl_s, feed.update_period_s, feed.self_url, feed.new_feed_url) == (
        None, None, None, None)


@pytest.mark.parametrize(("links", "expected"), [
    ('<atom:link rel="self" href="https://hints.example/rss.xml" type="application/rss+xml"/>',
     "https://hints.example/rss.xml"),
    ('<atom:link rel="self" href="/feeds/rss.xml"/>', "https://hostile.example/feeds/rss.xml"),
    ('<atom:link rel="self" href="javascript:alert(1)"/>', None),
    ('<atom:link rel="hub" href="https://hub.example/"/>', None),
    ('<atom:link rel="self" href="data:,x"/><atom:link rel="self" href="https://b.example/f"/>',
     "https://b.example/f"),
])
def test_self_url(links: str, expected: str | None) -> None:
    assert parse_feed(rss(links), URL).self_url == expected


def test_self_url_of_an_atom_feed() -> None:
    body = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:x</id>'
            b'<link rel="self" href="https://atom.example/feed.atom"/>'
            b'<link href="https://atom.example/"/><updated>2026-01-01T00:00:00Z</updated></feed>')
    assert parse_feed(body, URL).self_url == "https://atom.example/feed.atom"


HTTPS_ITUNES = 'xmlns:it="https://www.itunes.com/dtds/podcast-1.0.dtd"'


@pytest.mark.parametrize(("ns", "channel"), [
    (NS, "<itunes:new-feed-url>\n  https://new.example/feed\n</itunes:new-feed-url>"),
    # feedparser files these under "it_new-feed-url": found in the raw channel instead.
    (HTTPS_ITUNES, "<it:new-feed-url> https://new.example/feed </it:new-feed-url>"),
    (HTTPS_ITUNES, "<it:new-feed-url><![CDATA[https://new.example/feed]]></it:new-feed-url>"),
])
def test_new_feed_url(ns: str, channel: str) -> None:
    assert parse_feed(rss(channel, ns=ns), URL).new_feed_url == "https://new.example/feed"


def test_new_feed_url_must_be_http_and_in_the_channel() -> None:
    bad = "<itunes:new-feed-url>javascript:alert(1)</itunes:new-feed-url>"
    assert parse_feed(rss(bad), URL).new_feed_url is None
    quoted = ('<item><guid>1</guid><description><![CDATA[<it:new-feed-url>https://evil.example/'
              "</it:new-feed-url>]]></description></item>")
    assert parse_feed(rss(ns=HTTPS_ITUNES, items=quoted), URL).new_feed_url is None
