"""The HTTP side: the merged feed in three formats, cached per change of the store.

Each output is rendered once per change of the store's content version (one
indexed query per request tells) and the bytes are served from memory with
an ETag and Last-Modified; a matching conditional request gets a 304 without
rendering anything.  A feed reader polling every minute costs one tiny query.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from aggregator import __version__
from aggregator.models import OutputConfig, from_iso, to_iso, utc_now
from aggregator.publish import CONTENT_TYPES, FeedMeta, render
from aggregator.serve.page import FEED_XSL, IndexView, render_index
from aggregator.store import Store

EXTENSIONS = {"atom": "atom", "rss": "rss", "json": "json"}
CACHE_CONTROL = "public, max-age=60"


def feed_meta(output: OutputConfig, fmt: str, updated: str) -> FeedMeta:
    """The merged feed's own metadata; its id derives from base_url so it never changes."""
    return FeedMeta(
        title=output.title,
        home_url=output.base_url,
        self_url=f"{output.base_url}feed.{EXTENSIONS[fmt]}",
        updated=updated,
        feed_id=uuid.uuid5(uuid.NAMESPACE_URL, output.base_url).urn,
    )


def render_merged(store: Store, output: OutputConfig, fmt: str) -> bytes:
    """The newest ``max_entries`` stories (or entries) of all feeds as one document in ``fmt``."""
    _, changed = store.content_version()
    if output.dedupe:
        entries = store.newest_stories(output.max_entries)
    else:
        entries = store.newest_entries(output.max_entries)
    updated = changed or (entries[0].sort_at if entries else to_iso(utc_now()))
    return render(fmt, entries, feed_meta(output, fmt, updated))


@dataclass(frozen=True, slots=True)
class Rendered:
    """One output's bytes and the validators that go with them."""

    version: int
    body: bytes
    etag: str
    last_modified: datetime


class OutputCache:
    """Rendered outputs keyed by format, valid while the store's content version holds."""

    def __init__(self, store: Store, output: OutputConfig) -> None:
        self.store = store
        self.output = output
        self._items: dict[str, Rendered] = {}
        self._lock = threading.Lock()
        self._started = utc_now()

    def get(self, fmt: str) -> Rendered:
        """The current rendering of ``fmt``, rendered now only if the store changed."""
        version, changed = self.store.content_version()
        cached = self._items.get(fmt)
        if cached is not None and cached.version == version:
            return cached
        with self._lock:
            body = render_merged(self.store, self.output, fmt)
            # Weak: the same entity is served plain or gzipped (RFC 9110 8.8.1).
            etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            modified = from_iso(changed) if changed else self._started
            rendered = Rendered(version=version, body=body, etag=etag, last_modified=modified)
            self._items[fmt] = rendered
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


def create_app(store: Store, output: OutputConfig) -> Starlette:
    """The ASGI app: /feed.atom, /feed.rss, /feed.json, / and /healthz."""
    cache = OutputCache(store, output)

    def feed_endpoint(fmt: str) -> Route:
        async def endpoint(request: Request) -> Response:
            rendered = cache.get(fmt)
            headers = {
                "ETag": rendered.etag,
                "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
                "Cache-Control": CACHE_CONTROL,
            }
            if is_not_modified(request, rendered):
                return Response(status_code=304, headers=headers)
            return Response(rendered.body, media_type=CONTENT_TYPES[fmt], headers=headers)

        return Route(f"/feed.{EXTENSIONS[fmt]}", endpoint, methods=["GET", "HEAD"])

    async def index(request: Request) -> Response:
        view = IndexView(title=output.title, base_url=output.base_url,
                         outputs=((output.title, "/feed"),),
                         query=request.query_params.get("q"),
                         tag=request.query_params.get("tag"))
        return HTMLResponse(render_index(store.newest_stories(50), view))

    async def stylesheet(_request: Request) -> Response:
        return Response(FEED_XSL, media_type="text/xsl; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=86400"})

    async def health(_request: Request) -> Response:
        version, changed = store.content_version()
        return JSONResponse({"status": "ok", "version": __version__,
                             "content_version": version, "content_changed": changed})

    routes = [feed_endpoint(fmt) for fmt in EXTENSIONS]
    routes += [Route("/", index, methods=["GET", "HEAD"]), Route("/healthz", health),
               Route("/feed.xsl", stylesheet, methods=["GET", "HEAD"])]
    return Starlette(routes=routes, middleware=[Middleware(GZipMiddleware, minimum_size=512)])
