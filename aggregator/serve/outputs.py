"""What each output is and how one is rendered, for the HTTP app and for static files.

An output is the default merged feed (``/feed.EXT``) or a named ``[[outputs]]``
feed (``/o/NAME.EXT``).  A request may narrow it further with ``?tag=``,
``?q=`` (full-text), ``?feed=``, ``?since=`` and ``?limit=``, and walk back
through history with ``?before=`` / ``?after=`` cursors (RFC 5005 paging).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from aggregator.config import compile_rule, parse_duration
from aggregator.errors import AggregatorError
from aggregator.models import Config, Filters, OutputSpec, from_iso, to_iso, utc_now
from aggregator.publish import FeedMeta, render
from aggregator.store import Store
from aggregator.store.select import Page, rule_matcher

EXTENSIONS = {"atom": "atom", "rss": "rss", "json": "json"}
MAX_LIMIT = 1000  # items in one document, whatever max_entries or ?limit= say
STYLESHEET = "/feed.xsl"
PARAMS = ("tag", "q", "feed", "since", "limit", "before", "after")


class BadRequestError(AggregatorError):
    """A request parameter that cannot be honoured; the app answers 400 with the message."""


@dataclass(frozen=True, slots=True)
class OutputView:
    """One output: where it lives and what it selects."""

    path: str  # "/feed" or "/o/NAME", without the extension
    spec: OutputSpec


@dataclass(frozen=True, slots=True)
class Params:
    """A request's narrowing and paging, validated."""

    filters: Filters = field(default_factory=Filters)
    limit: int | None = None
    before: tuple[str, int] | None = None
    after: tuple[str, int] | None = None
    query: tuple[tuple[str, str], ...] = ()  # the canonical query string, for links and caching


def views_for(config: Config) -> dict[str, OutputView]:
    """Every output of the config by path: the merged feed first."""
    default = OutputSpec(name="", title=config.output.title,
                         max_entries=config.output.max_entries, dedupe=config.output.dedupe)
    views = {"/feed": OutputView("/feed", default)}
    for spec in config.outputs:
        views[f"/o/{spec.name}"] = OutputView(f"/o/{spec.name}", spec)
    return views


def whole_number(text: str | None, name: str, highest: int) -> int | None:
    """A query parameter that counts something: 1 to ``highest``, or BadRequest.

    ASCII digits only: "²" is a digit to ``str.isdigit`` but not to ``int``,
    and a number thousands of digits long is refused before ``int`` reads it.
    """
    if text is None:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(highest))
            and 1 <= int(text) <= highest):
        raise BadRequestError(f"{name} must be a whole number from 1 to {highest}")
    return int(text)


def parse_params(args: Mapping[str, list[str]]) -> Params:
    """Validate ?tag=&q=&feed=&since=&limit=&before=&after=; BadRequest on anything off."""
    def one(name: str) -> str | None:
        values = args.get(name) or []
        return values[-1] if values else None

    since = one("since")
    try:
        since_s = parse_duration(since) if since else None
    except ValueError as exc:
        raise BadRequestError(f"since: {exc}") from None
    limit = whole_number(one("limit"), "limit", MAX_LIMIT)
    query_text = (one("q") or "").strip() or None
    filters = Filters(tags=tuple(args.get("tag") or ()), feeds=tuple(args.get("feed") or ()),
                      query=query_text, since_s=since_s)
    canonical = tuple(sorted((k, v) for k in PARAMS for v in args.get(k) or ()))
    return Params(filters=filters, limit=limit,
                  before=_cursor(one("before"), "before"), after=_cursor(one("after"), "after"),
                  query=canonical)


def _cursor(value: str | None, name: str) -> tuple[str, int] | None:
    if value is None:
        return None
    moment, _, number = value.rpartition("_")
    try:
        from_iso(moment)
        return moment, int(number)
    except ValueError:
        raise BadRequestError(f"{name} is not a cursor from this feed's paging links") from None


def _cursor_text(cursor: tuple[str, int]) -> str:
    return f"{cursor[0]}_{cursor[1]}"


def select(store: Store, view: OutputView, params: Params, limit: int | None = None) -> Page:
    """The page of stories (or entries) a request for ``view`` shows."""
    spec = view.spec
    keep = rule_matcher(spec.filters, compile_rule)
    count = min(params.limit or spec.max_entries, limit or MAX_LIMIT)
    return store.select_page((spec.filters, params.filters), dedupe=spec.dedupe, limit=count,
                             now=utc_now(), before=params.before, after=params.after,
                             keep=keep)


def render_output(store: Store, config: Config, view: OutputView, fmt: str,
                  params: Params = Params()) -> bytes:
    """One output in ``fmt``, with its paging links, hub and stylesheet."""
    page = select(store, view, params)
    _, changed = store.content_version()
    updated = changed or (page.items[0].sort_at if page.items else to_iso(utc_now()))
    base = config.output.base_url.rstrip("/")
    plain = [(k, v) for k, v in params.query if k not in ("before", "after")]
    here = f"{base}{view.path}.{EXTENSIONS[fmt]}"
    links: list[tuple[str, str]] = [("first", _with_query(here, plain))]
    if page.more and page.last is not None:
        links.append(("next", _with_query(here, [*plain, ("before", _cursor_text(page.last))])))
    if (params.before or params.after) and page.first is not None:
        links.append(("previous",
                      _with_query(here, [*plain, ("after", _cursor_text(page.first))])))
    if config.output.websub_hub and not params.query:
        links.append(("hub", config.output.websub_hub))  # only plain outputs are pinged
    meta = FeedMeta(
        title=view.spec.title, home_url=config.output.base_url,
        self_url=_with_query(here, list(params.query)), updated=updated,
        feed_id=uuid.uuid5(uuid.NAMESPACE_URL, base + view.path).urn, links=tuple(links),
        stylesheet=STYLESHEET if fmt != "json" else None)
    return render(fmt, page.items, meta)


def topic_urls(config: Config) -> list[str]:
    """Every output URL a WebSub hub is pinged for: exactly their ``rel="self"``."""
    base = config.output.base_url.rstrip("/")
    return [f"{base}{path}.{ext}" for path in views_for(config) for ext in EXTENSIONS.values()]


def static_documents(store: Store, config: Config) -> dict[str, bytes]:
    """Every output (first page) as files for ``aggregator publish --all``."""
    documents = {}
    for path, view in views_for(config).items():
        for fmt, ext in EXTENSIONS.items():
            documents[f"{path.lstrip('/')}.{ext}"] = render_output(store, config, view, fmt)
    return documents


def render_merged(store: Store, config: Config, fmt: str) -> bytes:
    """The default merged feed, first page."""
    return render_output(store, config, views_for(config)["/feed"], fmt)


def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    return f"{url}?{urlencode(pairs)}" if pairs else url


def without_paging(params: Params) -> Params:
    """The same request on its first page."""
    return replace(params, before=None, after=None,
                   query=tuple(p for p in params.query if p[0] not in ("before", "after")))
