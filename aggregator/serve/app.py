"""The ASGI app: every output in three formats, search, a page for people.

Each output is rendered once per change of the store (its content version
tells) and per distinct query string; the bytes, their gzipped form and
their headers are kept in memory, and a matching conditional request gets a
304 without rendering anything.  Whether the store may have changed is asked
of SQLite's change counters (no table is read), so a cached request costs no
query of the store's tables: a feed reader polling every minute costs next
to nothing.
"""

from __future__ import annotations

import hashlib
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from urllib.parse import urlencode

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from aggregator import __version__
from aggregator.models import Config, from_iso, to_iso, utc_now
from aggregator.publish import CONTENT_TYPES, LEFT_OUT
from aggregator.serve.outputs import (
    EXTENSIONS,
    BadRequestError,
    OutputView,
    Params,
    parse_params,
    render_output,
    select,
    views_for,
    whole_number,
)
from aggregator.serve.page import FEED_XSL, IndexView, render_index
from aggregator.serve.websub import hub_links
from aggregator.store import Store
from aggregator.store.select import QueryError

CACHE_CONTROL = "public, max-age=60"
VARY = "Accept, Accept-Encoding"  # browsers get another type; gzip clients another body
CACHE_ITEMS = 256  # distinct (output, format, query) renderings kept
AGING_TTL_S = 60.0  # renderings with a "since" filter are redone at least this often
GZIP_MIN = 512  # bytes: smaller bodies go out as they are
GZIP_LEVEL = 9  # as Starlette's GZipMiddleware: paid once per rendering, not per request
GZIP_IN_THREAD = 128 * 1024  # bytes: larger bodies are compressed off the event loop
SEARCH_PAGE = 20
MAX_PAGE = 10_000  # /search?page=: deeper than anyone reads, and an offset SQLite takes
PAGE_STORIES = 50
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

RawHeaders = tuple[tuple[bytes, bytes], ...]


def gzip_bytes(body: bytes) -> bytes:
    """``body`` gzipped exactly as GZipMiddleware would (same level, no timestamp)."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(body) + compressor.flush()


@dataclass(frozen=True, slots=True)
class Rendered:
    """One rendering's bytes and the validators that go with them."""

    version: int
    body: bytes
    etag: str
    last_modified: datetime
    expires: float  # time.monotonic() after which it is rendered again anyway
    headers: RawHeaders = ()  # ETag, Last-Modified, Cache-Control, Vary, Link: for 200 and 304
    _gzipped: list[bytes] = field(default_factory=list, repr=False, compare=False)

    async def gzipped(self) -> bytes:
        """The body gzipped: compressed for the first client that asks, kept for the rest."""
        if not self._gzipped:
            if len(self.body) < GZIP_IN_THREAD:
                data = gzip_bytes(self.body)
            else:  # a long compression would stall every other request on the loop
                data = await anyio.to_thread.run_sync(gzip_bytes, self.body)
            self._gzipped[:] = [data]
        return self._gzipped[0]


class StoreVersion:
    """The store's content version, read again only when the store may have changed.

    Reading ``meta`` would cost a query on every request, however often the
    answer is the same.  SQLite counts changes without reading a table: the
    connection's ``total_changes`` moves with every row written through it
    (the service's own fetches), and ``PRAGMA data_version`` with every
    commit made by another connection (``aggregator fetch`` in another
    process, say).  While neither moves, the content version cannot have
    either, so a change is still seen by the very next request.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._mark: tuple[int, int] | None = None
        self._current: tuple[int, str | None] = (0, None)

    def current(self) -> tuple[int, str | None]:
        """(version, time of the last change), as ``Store.content_version`` answers."""
        # Read before the version: a commit in between moves it again for the next request.
        mark = self.store.change_mark()
        if mark != self._mark:
            self._current = self.store.content_version()
            self._mark = mark
        return self._current


class OutputCache:
    """Renderings keyed by (path, format, query), valid while the store's version holds."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self.version = StoreVersion(store)
        self._items: OrderedDict[tuple[str, str, tuple[tuple[str, str], ...]], Rendered] = (
            OrderedDict())
        self._lock = threading.Lock()
        self._started = utc_now()

    def get(self, view: OutputView, fmt: str, params: Params) -> Rendered:
        """The current rendering, rendered now only if the store changed since."""
        version, changed = self.version.current()
        key = (view.path, fmt, params.query)
        cached = self._items.get(key)
        if cached is not None and cached.version == version and cached.expires > time.monotonic():
            self._items.move_to_end(key)
            return cached
        with self._lock:
            body = render_output(self.store, self.config, view, fmt, params)
            # Weak: the same entity is served plain or gzipped (RFC 9110 8.8.1).
            etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            modified = from_iso(changed) if changed else self._started
            # An age filter ("since") changes its answer as time passes, not only on writes.
            aging = view.spec.filters.since_s is not None or params.filters.since_s is not None
            expires = time.monotonic() + (AGING_TTL_S if aging else float("inf"))
            rendered = Rendered(version=version, body=body, etag=etag, last_modified=modified,
                                expires=expires,
                                headers=self._headers(view, fmt, params, etag, modified))
            self._items[key] = rendered
            self._items.move_to_end(key)
            while len(self._items) > CACHE_ITEMS:
                self._items.popitem(last=False)
        return rendered

    def _headers(self, view: OutputView, fmt: str, params: Params, etag: str,
                 modified: datetime) -> RawHeaders:
        """What every response of one rendering carries, encoded once instead of per request."""
        headers = {"etag": etag, "cache-control": CACHE_CONTROL,
                   "last-modified": format_datetime(modified, usegmt=True)}
        hub = self.config.output.websub_hub
        if hub and not params.query:  # a filtered or paged view is not a pinged topic
            base = self.config.output.base_url.rstrip("/")
            headers["link"] = hub_links(hub, f"{base}{view.path}.{EXTENSIONS[fmt]}")
        headers["vary"] = VARY
        return tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items())


class Prepared(Response):
    """A response whose headers are already encoded; ``Response`` would encode them again."""

    def __init__(self, status_code: int, raw_headers: list[tuple[bytes, bytes]],
                 body: bytes = b"") -> None:
        self.status_code = status_code
        self.body = body
        self.raw_headers = raw_headers
        self.background = None


def is_not_modified(request: Request, rendered: Rendered) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins; else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or rendered.etag.removeprefix("W/") in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return rendered.last_modified <= moment
    return False


async def _entity(request: Request, rendered: Rendered, fmt: str) -> Response:
    """The 200 of a rendering: plain or gzipped, typed for feed readers or for browsers."""
    media_type = CONTENT_TYPES[fmt]
    if fmt != "json" and "text/html" in request.headers.get("accept", ""):
        # Browsers show application/atom+xml as text; as XML they apply /feed.xsl.
        media_type = "application/xml; charset=utf-8"
    headers = [*rendered.headers, (b"content-type", media_type.encode("latin-1"))]
    body = rendered.body
    # Negotiated as GZipMiddleware does for the other routes: "gzip" anywhere in the header.
    if len(body) >= GZIP_MIN and "gzip" in request.headers.get("accept-encoding", ""):
        body = await rendered.gzipped()
        headers.append((b"content-encoding", b"gzip"))
    headers.append((b"content-length", str(len(body)).encode("latin-1")))
    return Prepared(200, headers, body)


def _params(request: Request) -> Params:
    args: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        args.setdefault(key, []).append(value)
    return parse_params(args)


def _bad_request(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


def _search_endpoint(store: Store, base: str) -> Callable[[Request], Awaitable[Response]]:
    """/search?q=&page=: JSON hits with snippets, paged; 400 for a bad query."""

    async def search(request: Request) -> Response:
        query = (request.query_params.get("q") or "").strip()
        if not query:
            return _bad_request("q is required: a full-text query, e.g. ?q=seoul")
        try:
            page = whole_number(request.query_params.get("page", "1"), "page", MAX_PAGE) or 1
        except BadRequestError as exc:
            return _bad_request(str(exc))
        try:
            hits = store.search(query, SEARCH_PAGE + 1, (page - 1) * SEARCH_PAGE)
        except QueryError as exc:
            return _bad_request(exc.problem)
        results = [{"id": h.entry.uid, "title": h.entry.title, "url": h.entry.url,
                    "feed": {"url": h.entry.feed_url, "title": h.entry.feed_title},
                    "published": h.entry.published, "first_seen": h.entry.first_seen,
                    "snippet": h.snippet} for h in hits[:SEARCH_PAGE]]
        more = len(hits) > SEARCH_PAGE
        return JSONResponse({"query": query, "page": page, "results": results,
                             "next": f"{base}/search?{urlencode({'q': query, 'page': page + 1})}"
                             if more else None})

    return search


def create_app(store: Store, config: Config) -> Starlette:
    """The ASGI app: /feed.*, /o/NAME.*, /search, /, /feed.xsl and /healthz."""
    cache = OutputCache(store, config)
    views = views_for(config)
    base = config.output.base_url.rstrip("/")
    plain = parse_params({})  # most requests have no query string to parse

    async def feed(request: Request) -> Response:
        view = views.get(request.path_params.get("path", "/feed"))
        fmt = request.path_params["fmt"]
        if view is None or fmt not in EXTENSIONS:
            return Response("no such feed", status_code=404, media_type="text/plain")
        try:
            params = _params(request) if request.scope["query_string"] else plain
            rendered = cache.get(view, fmt, params)
        except BadRequestError as exc:
            return _bad_request(str(exc))
        except QueryError as exc:
            return _bad_request(exc.problem)
        if is_not_modified(request, rendered):
            return Prepared(304, list(rendered.headers))
        return await _entity(request, rendered, fmt)

    async def named(request: Request) -> Response:
        request.path_params["path"] = f"/o/{request.path_params['name']}"
        return await feed(request)

    async def index(request: Request) -> Response:
        try:
            params = _params(request)
            # Words typed into the search box work as they are: see store.fts.fts_query.
            stories = select(store, views["/feed"], params, limit=PAGE_STORIES).items
        except (BadRequestError, QueryError) as exc:
            return HTMLResponse(f"<!doctype html><title>Bad request</title><p>{escape(str(exc))}",
                                status_code=400, headers={"Content-Security-Policy": CSP})
        outputs = tuple((v.spec.title, v.path) for v in views.values())
        view = IndexView(title=config.output.title, base_url=config.output.base_url,
                         outputs=outputs, tags=tuple(store.all_tags()),
                         query=params.filters.query,
                         tag=params.filters.tags[0] if params.filters.tags else None)
        return HTMLResponse(render_index(stories, view), headers={
            "Content-Security-Policy": CSP, "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"})

    async def stylesheet(_request: Request) -> Response:
        return Response(FEED_XSL, media_type="text/xsl; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=86400"})

    async def health(_request: Request) -> Response:
        version, changed = store.content_version()
        return JSONResponse({"status": "ok", "version": __version__,
                             "content_version": version, "content_changed": changed,
                             "now": to_iso(utc_now()),
                             "entries_left_out": sum(LEFT_OUT.values())})

    search = _search_endpoint(store, base)
    # The outputs keep their gzipped bytes with the rendering (``_entity``); the
    # middleware would compress them again on every request.
    gzip = [Middleware(GZipMiddleware, minimum_size=GZIP_MIN)]
    routes = [
        # /feed.xsl first: /feed.{fmt} would take it
        Route("/feed.xsl", stylesheet, methods=["GET", "HEAD"], middleware=gzip),
        Route("/feed.{fmt}", feed, methods=["GET", "HEAD"]),
        Route("/o/{name}.{fmt}", named, methods=["GET", "HEAD"]),
        Route("/search", search, middleware=gzip),
        Route("/", index, methods=["GET", "HEAD"], middleware=gzip),
        Route("/healthz", health, middleware=gzip),
    ]
    return Starlette(routes=routes)
