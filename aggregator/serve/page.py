"""The HTML page for people (``/``) and the stylesheet that makes feeds readable (``/feed.xsl``).

Everything shown comes from the store, where entry HTML is already
sanitized; every string put into the page is escaped here again, and entry
HTML passes through ``nh3.clean`` once more, so the page stays safe even if a
sanitizer bug let something through.

The page works under the app's Content-Security-Policy (``default-src
'none'; style-src 'unsafe-inline'; img-src https: http: data:; form-action
'self'``): no script, no external asset, one inline ``<style>``, system
fonts; the search is a plain GET form and the tags plain links.

``FEED_XSL`` is XSLT 1.0 for both Atom and RSS 2.0: a browser opening a feed
shows a readable page instead of a tree of tags.  Entry bodies in a feed are
escaped HTML; the stylesheet shows a text excerpt of them and never uses
``disable-output-escaping`` (unsupported in Firefox, and an injection risk).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import nh3

from aggregator.models import Sighting, StoredEntry, from_iso, own_time, to_iso, utc_now

EXCERPT_MAX_CHARS = 400  # a text excerpt of content (or of a long summary)
SUMMARY_MAX_CHARS = 800  # a summary whose text is longer is shown as an excerpt too
UNTITLED = "(untitled)"

# (extension, media type, label): every output is offered in each format.
FORMATS = (("atom", "application/atom+xml", "Atom"),
           ("rss", "application/rss+xml", "RSS"),
           ("json", "application/feed+json", "JSON Feed"))


@dataclass(frozen=True, slots=True)
class IndexView:
    """What the page shows besides the stories."""

    title: str
    base_url: str
    outputs: tuple[tuple[str, str], ...]  # (title, path without extension): ("Asia", "/o/asia")
    tags: tuple[str, ...] = ()  # every tag of the configured feeds
    query: str | None = None  # the search shown, if any
    tag: str | None = None  # the tag filtered on, if any


# --- small helpers: escaping, URLs, text ------------------------------------------------


def _esc(value: str) -> str:
    """Escape for element content and double-quoted attributes alike."""
    return html.escape(value, quote=True)


def _web_url(value: str | None) -> str | None:
    """An absolute http(s) URL, else None: nothing else becomes a link on the page."""
    if not value:
        return None
    url = value.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _host(url: str) -> str:
    """The host of a URL, for naming a feed that has no title."""
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


class _TextCollector(HTMLParser):
    """The text of an HTML fragment: tags dropped, entities decoded, scripts skipped."""

    _SKIP = frozenset({"script", "style", "template", "noscript", "iframe", "object"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Start skipping inside elements whose text is not prose."""
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        """Stop skipping; block ends separate words."""
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        else:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        """Keep the text outside skipped elements."""
        if not self._skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """The readable text of an HTML fragment, whitespace collapsed to single spaces."""
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return " ".join("".join(collector.parts).split())


def excerpt(text: str, limit: int = EXCERPT_MAX_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def format_time(iso: str) -> str:
    """The store's UTC ISO string for people: ``3 May 2024, 10:00 UTC``."""
    try:
        moment = from_iso(iso)
    except ValueError:
        return iso
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


# --- one story ---------------------------------------------------------------------------


def _summary_html(entry: StoredEntry) -> str:
    """The story's summary: short sanitized HTML as is, anything longer as a text excerpt."""
    if entry.summary and entry.summary.strip():
        cleaned = nh3.clean(entry.summary)
        text = html_to_text(cleaned)
        if len(text) <= SUMMARY_MAX_CHARS:
            return f'<div class="summary">{cleaned}</div>' if text or "<img" in cleaned else ""
        return f'<p class="summary">{_esc(excerpt(text))}</p>'
    if entry.content and entry.content.strip():
        text = html_to_text(entry.content)
        if text:
            return f'<p class="summary">{_esc(excerpt(text))}</p>'
    return ""


def _also_links(entry: StoredEntry) -> list[tuple[str, str]]:
    """(name, url) of the other places the story was seen: one per URL, never its own."""
    own = _web_url(entry.url)
    seen: dict[str, str] = {}
    for sighting in entry.also:
        url = _web_url(sighting.url) or _web_url(sighting.feed_url)
        if url is None or url == own or url in seen:
            continue
        seen[url] = _sighting_name(sighting, url)
    return [(name, url) for url, name in seen.items()]


def _sighting_name(sighting: Sighting, url: str) -> str:
    title = " ".join((sighting.feed_title or "").split())
    return title or _host(sighting.feed_url or url)


def _render_story(entry: StoredEntry) -> str:
    title = _esc(" ".join((entry.title or "").split()) or UNTITLED)
    url = _web_url(entry.url)
    heading = f'<a href="{_esc(url)}">{title}</a>' if url else title
    source_name = _esc(" ".join((entry.feed_title or "").split()) or _host(entry.feed_url))
    source_url = _web_url(entry.feed_link)
    source = (f'<a class="source" href="{_esc(source_url)}">{source_name}</a>' if source_url
              else f'<span class="source">{source_name}</span>')
    own = own_time(entry.published, entry.updated, utc_now())  # as the feeds show it
    when = to_iso(own) if own is not None else entry.first_seen
    meta = [source]
    if when:
        meta.append(f'<time datetime="{_esc(when)}">{_esc(format_time(when))}</time>')
    if entry.author and entry.author.strip():
        meta.append(f'<span class="author">{_esc(" ".join(entry.author.split()))}</span>')
    parts = [f"<article><h2>{heading}</h2>",
             f'<p class="meta">{" · ".join(meta)}</p>',
             _summary_html(entry)]
    also = _also_links(entry)
    if also:
        links = ", ".join(f'<a href="{_esc(u)}">{_esc(n)}</a>' for n, u in also)
        parts.append(f'<p class="also">Also reported by: {links}</p>')
    parts.append("</article>")
    return "".join(p for p in parts if p)


# --- the page ------------------------------------------------------------------------------


STYLE = """
:root{color-scheme:light dark;--fg:#1b1b1b;--muted:#5f6368;--bg:#fff;--line:#e3e3e3;
--link:#0b57d0;--chip:#f1f3f4}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--muted:#a8abb0;--bg:#121212;
--line:#2c2c2c;--link:#8ab4f8;--chip:#24262a}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.5;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
-webkit-text-size-adjust:100%;text-size-adjust:100%}
.wrap{max-width:46rem;margin:0 auto;padding:0 1rem}
a{color:var(--link)}
header{border-bottom:1px solid var(--line);padding:1rem 0 .75rem}
header h1{margin:0 0 .5rem;font-size:1.5rem}
header h1 a{color:inherit;text-decoration:none}
form.search{display:flex;gap:.5rem}
form.search input{flex:1;min-width:0;font:inherit;padding:.4rem .6rem;
border:1px solid var(--line);border-radius:.4rem;background:var(--bg);color:var(--fg)}
form.search button{font:inherit;padding:.4rem .9rem;border:1px solid var(--line);
border-radius:.4rem;background:var(--chip);color:var(--fg);cursor:pointer}
ul.tags{margin:.6rem 0 0;display:flex;flex-wrap:wrap;gap:.4rem;padding:0;list-style:none}
ul.tags a{display:inline-block;padding:.1rem .6rem;border-radius:1rem;background:var(--chip);
text-decoration:none;font-size:.9rem}
ul.tags a[aria-current]{outline:2px solid var(--link)}
.filter{margin:1rem 0 0;color:var(--muted)}
.filter h2{margin:0;font-size:1.1rem;color:var(--fg)}
article{padding:1rem 0;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
article h2{margin:0;font-size:1.15rem;line-height:1.3}
article h2 a{text-decoration:none}
article h2 a:hover{text-decoration:underline}
.meta,.also{margin:.25rem 0;color:var(--muted);font-size:.875rem}
.summary{margin:.5rem 0}
.summary img,.summary video{max-width:100%;height:auto}
.summary pre{overflow-x:auto;white-space:pre-wrap}
.summary table{display:block;overflow-x:auto}
.empty{padding:2rem 0;color:var(--muted)}
footer{padding:1.5rem 0 2rem;color:var(--muted);font-size:.875rem}
footer ul{margin:.25rem 0;padding-left:1.2rem}
"""


def _autodiscovery(view: IndexView) -> str:
    """One ``<link rel="alternate">`` per output and format, for browsers and feed readers."""
    return "\n".join(
        f'<link rel="alternate" type="{media}" title="{_esc(f"{name} ({label})")}" '
        f'href="{_esc(f"{path}.{ext}")}">'
        for name, path in view.outputs
        for ext, media, label in FORMATS)


def _tag_href(tag: str) -> str:
    return "/?tag=" + quote(tag, safe="")


def _tag_nav(view: IndexView) -> str:
    if not view.tags:
        return ""
    links = "".join(
        f'<li><a href="{_esc(_tag_href(t))}"'
        + (' aria-current="page"' if t == view.tag else "")
        + f">{_esc(t)}</a></li>"
        for t in view.tags)
    return f'<nav aria-label="Tags"><ul class="tags" role="list">{links}</ul></nav>'


def _filter_heading(view: IndexView, count: int) -> str:
    """"Results for …" / "Tag: …" with a way back to everything, when a filter is on."""
    query = (view.query or "").strip()
    tag = (view.tag or "").strip()
    if not query and not tag:
        return ""
    if query and tag:
        what = f"Results for “{_esc(query)}” tagged {_esc(tag)}"
    elif query:
        what = f"Results for “{_esc(query)}”"
    else:
        what = f"Tag: {_esc(tag)}"
    noun = "story" if count == 1 else "stories"
    return (f'<section class="filter"><h2>{what}</h2>'
            f'<p>{count} {noun} · <a href="/">All stories</a></p></section>')


def _empty(view: IndexView) -> str:
    if (view.query or "").strip() or (view.tag or "").strip():
        return ('<p class="empty">Nothing matches. Try other words, or '
                '<a href="/">see all stories</a>.</p>')
    return ('<p class="empty">No stories yet. The feeds are fetched in the background: '
            "come back in a few minutes.</p>")


def _footer(view: IndexView) -> str:
    items = "".join(
        f"<li>{_esc(name)}: "
        + ", ".join(f'<a href="{_esc(path + "." + ext)}">{label}</a>'
                    for ext, _, label in FORMATS)
        + "</li>"
        for name, path in view.outputs)
    subscribe = (f"<p>Subscribe: copy a feed's address into your feed reader.</p><ul>{items}</ul>"
                 if items else "")
    return f"<footer>{subscribe}</footer>"


def render_index(stories: Sequence[StoredEntry], view: IndexView) -> str:
    """The page: newest stories, search box, tag links, autodiscovery for every output.

    ``stories`` are shown as given (the app has already filtered them by
    ``view.query`` / ``view.tag``); the view only says what filter is on.
    """
    title = _esc(view.title)
    query = view.query or ""
    page_title = title
    if query.strip():
        page_title = f"{_esc(query.strip())} · {title}"
    elif (view.tag or "").strip():
        page_title = f"{_esc((view.tag or '').strip())} · {title}"
    body = "\n".join(_render_story(s) for s in stories) if stories else _empty(view)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{page_title}</title>\n{_autodiscovery(view)}\n"
        f"<style>{STYLE}</style>\n</head>\n"
        '<body><div class="wrap">\n'
        f'<header><h1><a href="/">{title}</a></h1>\n'
        '<form class="search" action="/" method="get" role="search">'
        '<input name="q" type="search" placeholder="Search stories" aria-label="Search stories"'
        f' value="{_esc(query)}">'
        '<button type="submit">Search</button></form>\n'
        f"{_tag_nav(view)}</header>\n"
        f"{_filter_heading(view, len(stories))}\n"
        f"<main>\n{body}\n</main>\n{_footer(view)}\n"
        "</div></body></html>\n")


# --- the stylesheet for feeds opened in a browser ----------------------------------------

FEED_XSL = """<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    exclude-result-prefixes="atom content">
  <xsl:output method="html" encoding="utf-8" indent="no"
      doctype-system="about:legacy-compat"/>

  <!-- Characters of HTML bodies looked at, and of text shown, per entry. -->
  <xsl:variable name="scan" select="1500"/>
  <xsl:variable name="shown" select="300"/>

  <xsl:template match="/">
    <xsl:variable name="title"
        select="normalize-space(atom:feed/atom:title | rss/channel/title)"/>
    <html lang="en">
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="referrer" content="no-referrer"/>
        <meta name="color-scheme" content="light dark"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <style>
:root{color-scheme:light dark;--fg:#1b1b1b;--muted:#5f6368;--bg:#fff;--line:#e3e3e3;
--link:#0b57d0;--note:#fff8e1}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--muted:#a8abb0;--bg:#121212;
--line:#2c2c2c;--link:#8ab4f8;--note:#2a2514}}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.5;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.wrap{max-width:46rem;margin:0 auto;padding:0 1rem}
a{color:var(--link)}
.note{background:var(--note);border:1px solid var(--line);border-radius:.4rem;
padding:.6rem .9rem;margin:1rem 0}
.note code{overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:1rem 0 .25rem}
article{padding:1rem 0;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
article h2{margin:0;font-size:1.15rem;line-height:1.3}
article h2 a{text-decoration:none}
.meta,.also{margin:.25rem 0;color:var(--muted);font-size:.875rem}
.summary{margin:.5rem 0}
        </style>
      </head>
      <body>
        <div class="wrap">
          <p class="note"><strong>This is a web feed:</strong> copy its address into your
          feed reader to subscribe.
          <xsl:variable name="self"
              select="(atom:feed/atom:link[@rel='self']/@href
                       | rss/channel/atom:link[@rel='self']/@href)[1]"/>
          <xsl:if test="$self"> <code><xsl:value-of select="$self"/></code></xsl:if>
          <xsl:text> </xsl:text><a href="/">See the stories as a web page</a>.</p>
          <h1><xsl:value-of select="$title"/></h1>
          <xsl:apply-templates select="atom:feed/atom:entry | rss/channel/item"/>
        </div>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article>
      <h2>
        <xsl:call-template name="link">
          <xsl:with-param name="href"
              select="(atom:link[@rel='alternate' or not(@rel)]/@href)[1]"/>
          <xsl:with-param name="text" select="atom:title"/>
        </xsl:call-template>
      </h2>
      <p class="meta">
        <xsl:value-of select="normalize-space(atom:source/atom:title)"/>
        <xsl:variable name="when">
          <xsl:choose>
            <xsl:when test="atom:published"><xsl:value-of select="atom:published"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="atom:updated"/></xsl:otherwise>
          </xsl:choose>
        </xsl:variable>
        <xsl:if test="string($when)">
          <xsl:if test="atom:source/atom:title"> · </xsl:if>
          <time datetime="{$when}">
            <xsl:value-of select="concat(substring($when, 1, 10), ' ',
                                         substring($when, 12, 5), ' UTC')"/>
          </time>
        </xsl:if>
      </p>
      <xsl:variable name="body">
        <xsl:choose>
          <xsl:when test="normalize-space(atom:summary)">
            <xsl:value-of select="atom:summary"/>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="atom:content"/></xsl:otherwise>
        </xsl:choose>
      </xsl:variable>
      <!-- Our own Atom carries "also reported by" as related links too: shown below. -->
      <xsl:variable name="also" select="'&lt;p&gt;Also reported by: '"/>
      <xsl:call-template name="summary">
        <xsl:with-param name="body">
          <xsl:choose>
            <xsl:when test="atom:link[@rel='related'] and contains($body, $also)">
              <xsl:value-of select="substring-before($body, $also)"/>
            </xsl:when>
            <xsl:otherwise><xsl:value-of select="$body"/></xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
      <xsl:if test="atom:link[@rel='related']">
        <p class="also">Also reported by:
          <xsl:for-each select="atom:link[@rel='related']">
            <xsl:if test="position() &gt; 1">, </xsl:if>
            <xsl:call-template name="link">
              <xsl:with-param name="href" select="@href"/>
              <xsl:with-param name="text" select="@title"/>
            </xsl:call-template>
          </xsl:for-each>
        </p>
      </xsl:if>
    </article>
  </xsl:template>

  <xsl:template match="item">
    <article>
      <h2>
        <xsl:call-template name="link">
          <xsl:with-param name="href" select="link"/>
          <xsl:with-param name="text" select="title"/>
        </xsl:call-template>
      </h2>
      <p class="meta">
        <xsl:value-of select="normalize-space(source)"/>
        <xsl:if test="pubDate">
          <xsl:if test="source"> · </xsl:if>
          <time><xsl:value-of select="normalize-space(pubDate)"/></time>
        </xsl:if>
      </p>
      <xsl:call-template name="summary">
        <xsl:with-param name="body">
          <xsl:choose>
            <xsl:when test="normalize-space(description)">
              <xsl:value-of select="description"/>
            </xsl:when>
            <xsl:otherwise><xsl:value-of select="content:encoded"/></xsl:otherwise>
          </xsl:choose>
        </xsl:with-param>
      </xsl:call-template>
    </article>
  </xsl:template>

  <!-- A link only to http(s) URLs; anything else is shown as plain text. -->
  <xsl:template name="link">
    <xsl:param name="href"/>
    <xsl:param name="text"/>
    <xsl:variable name="label">
      <xsl:choose>
        <xsl:when test="normalize-space($text)">
          <xsl:value-of select="normalize-space($text)"/>
        </xsl:when>
        <xsl:otherwise>(untitled)</xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="scheme"
        select="translate(substring-before(normalize-space($href), ':'),
                          'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"/>
    <xsl:choose>
      <xsl:when test="$scheme = 'http' or $scheme = 'https'">
        <a href="{normalize-space($href)}"><xsl:value-of select="$label"/></a>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$label"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- An escaped-HTML body as a text excerpt: tags dropped, common entities decoded. -->
  <xsl:template name="summary">
    <xsl:param name="body"/>
    <xsl:variable name="text">
      <xsl:call-template name="strip-tags">
        <xsl:with-param name="html" select="substring($body, 1, $scan)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="flat" select="normalize-space($text)"/>
    <xsl:if test="$flat">
      <p class="summary">
        <xsl:call-template name="decode">
          <xsl:with-param name="text" select="substring($flat, 1, $shown)"/>
        </xsl:call-template>
        <xsl:if test="string-length($flat) &gt; $shown
                      or string-length($body) &gt; $scan">…</xsl:if>
      </p>
    </xsl:if>
  </xsl:template>

  <xsl:template name="strip-tags">
    <xsl:param name="html"/>
    <xsl:choose>
      <xsl:when test="contains($html, '&lt;')">
        <xsl:value-of select="substring-before($html, '&lt;')"/>
        <xsl:text> </xsl:text>
        <xsl:call-template name="strip-tags">
          <xsl:with-param name="html"
              select="substring-after(substring-after($html, '&lt;'), '&gt;')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$html"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- &amp; last, so "&amp;lt;" becomes the text "&lt;", not "<". -->
  <xsl:template name="decode">
    <xsl:param name="text"/>
    <xsl:call-template name="replace">
      <xsl:with-param name="from" select="'&amp;amp;'"/>
      <xsl:with-param name="to" select="'&amp;'"/>
      <xsl:with-param name="text">
        <xsl:call-template name="replace">
          <xsl:with-param name="from" select="'&amp;nbsp;'"/>
          <xsl:with-param name="to" select="'&#160;'"/>
          <xsl:with-param name="text">
            <xsl:call-template name="replace">
              <xsl:with-param name="from" select="'&amp;quot;'"/>
              <xsl:with-param name="to" select="'&quot;'"/>
              <xsl:with-param name="text">
                <xsl:call-template name="replace">
                  <xsl:with-param name="from" select="'&amp;#39;'"/>
                  <xsl:with-param name="to">'</xsl:with-param>
                  <xsl:with-param name="text">
                    <xsl:call-template name="replace">
                      <xsl:with-param name="from" select="'&amp;gt;'"/>
                      <xsl:with-param name="to" select="'&gt;'"/>
                      <xsl:with-param name="text">
                        <xsl:call-template name="replace">
                          <xsl:with-param name="from" select="'&amp;lt;'"/>
                          <xsl:with-param name="to" select="'&lt;'"/>
                          <xsl:with-param name="text" select="$text"/>
                        </xsl:call-template>
                      </xsl:with-param>
                    </xsl:call-template>
                  </xsl:with-param>
                </xsl:call-template>
              </xsl:with-param>
            </xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="replace">
    <xsl:param name="text"/>
    <xsl:param name="from"/>
    <xsl:param name="to"/>
    <xsl:choose>
      <xsl:when test="contains($text, $from)">
        <xsl:value-of select="substring-before($text, $from)"/>
        <xsl:value-of select="$to"/>
        <xsl:call-template name="replace">
          <xsl:with-param name="text" select="substring-after($text, $from)"/>
          <xsl:with-param name="from" select="$from"/>
          <xsl:with-param name="to" select="$to"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
"""
