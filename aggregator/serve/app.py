"""The ASGI app: every output in three formats, search, a page for people.

Each output is rendered once per change of the store (its content version,
one indexed query per request, tells) and per distinct query string; the
bytes are served from memory with an ETag and Last-Modified, and a matching
conditional request gets a 304 without rendering anything.  A feed reader
polling every minute costs one tiny query.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from aggregator import __version__
from aggregator.models import Config, from_iso, to_iso, utc_now
from aggregator.publish import CONTENT_TYPES
from aggregator.serve.outputs import (
    EXTENSIONS,
    BadRequestError,
    OutputView,
    Params,
    parse_params,
    render_output,
    select,
    views_for,
)
from aggregator.serve.page import FEED_XSL, IndexView, render_index
from aggregator.serve.websub import hub_links
from aggregator.store import Store
from aggregator.store.select import QueryError

CACHE_CONTROL = "public, max-age=60"
CACHE_ITEMS = 256  # distinct (output, format, query) renderings kept
AGING_TTL_S = 60.0  # renderings with a "since" filter are redone at least this often
SEARCH_PAGE = 20
PAGE_STORIES = 50
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


@dataclass(frozen=True, slots=True)
class Rendered:
    """One rendering's bytes and the validators that go with them."""

    version: int
    body: bytes
    etag: str
    last_modified: datetime
    expires: float  # time.monotonic() after which it is rendered again anyway


class OutputCache:
    """Renderings keyed by (path, format, query), valid while the store's version holds."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config
        self._items: OrderedDict[tuple[str, str, tuple[tuple[str, str], ...]], Rendered] = (
            OrderedDict())
        self._lock = threading.Lock()
        self._started = utc_now()

    def get(self, view: OutputView, fmt: str, params: Params) -> Rendered:
        """The current rendering, rendered now only if the store changed since."""
        version, changed = self.store.content_version()
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
                                expires=expires)
            self._items[key] = rendered
            self._items.move_to_end(key)
            while len(self._items) > CACHE_ITEMS:
                self._items.popitem(last=False)
        return rendered


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


def _params(request: Request) -> Params:
    args: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        args.setdefault(key, []).append(value)
    return parse_params(args)


def plain_query(text: str) -> str | None:
    """Words typed into a search box as an FTS5 query: every word quoted, all required."""
    words = [w.replace('"', '""') for w in text.split()]
    return " ".join(f'"{w}"' for w in words) or None


def _bad_request(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


def _search_endpoint(store: Store, base: str) -> Callable[[Request], Awaitable[Response]]:
    """/search?q=&page=: JSON hits with snippets, paged; 400 for a bad query."""

    async def search(request: Request) -> Response:
        query = (request.query_params.get("q") or "").strip()
        page_text = request.query_params.get("page", "1")
        if not query:
            return _bad_request("q is required: a full-text query, e.g. ?q=seoul")
        if not page_text.isdigit() or int(page_text) < 1:
            return _bad_request("page must be a whole number from 1")
        page = int(page_text)
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
    hub = config.output.websub_hub
    base = config.output.base_url.rstrip("/")

    async def feed(request: Request) -> Response:
        view = views.get(request.path_params.get("path", "/feed"))
        fmt = request.path_params["fmt"]
        if view is None or fmt not in EXTENSIONS:
            return Response("no such feed", status_code=404, media_type="text/plain")
        try:
            params = _params(request)
            rendered = cache.get(view, fmt, params)
        except BadRequestError as exc:
            return _bad_request(str(exc))
        except QueryError as exc:
            return _bad_request(exc.problem)
        headers = {"ETag": rendered.etag, "Cache-Control": CACHE_CONTROL,
                   "Last-Modified": format_datetime(rendered.last_modified, usegmt=True)}
        if hub and not params.query:  # a filtered or paged view is not a pinged topic
            headers["Link"] = hub_links(hub, f"{base}{view.path}.{EXTENSIONS[fmt]}")
        headers["Vary"] = "Accept"  # the gzip middleware adds Accept-Encoding
        if is_not_modified(request, rendered):
            return Response(status_code=304, headers=headers)
        media_type = CONTENT_TYPES[fmt]
        if fmt != "json" and "text/html" in request.headers.get("accept", ""):
            # Browsers show application/atom+xml as text; as XML they apply /feed.xsl.
            media_type = "application/xml; charset=utf-8"
        return Response(rendered.body, media_type=media_type, headers=headers)

    async def named(request: Request) -> Response:
        request.path_params["path"] = f"/o/{request.path_params['name']}"
        return await feed(request)

    async def index(request: Request) -> Response:
        try:
            params = _params(request)
            try:
                stories = select(store, views["/feed"], params, limit=PAGE_STORIES).items
            except QueryError:
                # A search box gets words, not FTS5 syntax: search them as plain words.
                params = replace(params, filters=replace(
                    params.filters, query=plain_query(params.filters.query or "")))
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
                             "now": to_iso(utc_now())})

    search = _search_endpoint(store, base)
    routes = [
        Route("/feed.xsl", stylesheet, methods=["GET", "HEAD"]),  # before /feed.{fmt}
        Route("/feed.{fmt}", feed, methods=["GET", "HEAD"]),
        Route("/o/{name}.{fmt}", named, methods=["GET", "HEAD"]),
        Route("/search", search),
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/healthz", health),
    ]
    return Starlette(routes=routes, middleware=[Middleware(GZipMiddleware, minimum_size=512)])
