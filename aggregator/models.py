"""Frozen records passed between the stages, named by where they flow.

``FeedConfig`` (from config) -> ``FetchResult`` (from fetch) -> ``ParsedFeed`` /
``ParsedEntry`` (from parse) -> rows in the store -> ``StoredEntry`` /
``StoredFeed`` (from the store, to publish and the CLI).

Every timestamp is an ISO 8601 string in UTC with a ``Z`` suffix
(``2026-11-26T09:30:00Z``): that is what SQLite stores, sorts and shows, and
what every output format wants after a cheap reformat.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> datetime:
    """The current time, timezone-aware UTC, whole seconds (what the store keeps)."""
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(moment: datetime) -> str:
    """Format an aware datetime as the store's UTC ISO 8601 string."""
    return moment.astimezone(UTC).strftime(ISO_FORMAT)


def from_iso(text: str) -> datetime:
    """Parse the store's UTC ISO 8601 string back into an aware datetime."""
    return datetime.strptime(text, ISO_FORMAT).replace(tzinfo=UTC)


# --- configuration -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """One ``[[feeds]]`` table of feeds.toml, validated."""

    url: str
    title: str | None = None
    tags: tuple[str, ...] = ()
    interval_s: float | None = None  # None: the [settings] interval
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Settings:
    """The ``[settings]`` table: how and how often to fetch, and where to store."""

    database: Path
    interval_s: float = 3600.0
    concurrency: int = 16
    per_host: int = 2
    timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    user_agent: str = ""
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    jitter: float = 0.1
    parse_workers: int = 0  # 0: one per core, at most 4


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """The ``[server]`` table."""

    host: str = "127.0.0.1"
    port: int = 8080


@dataclass(frozen=True, slots=True)
class OutputConfig:
    """The ``[output]`` table: the merged feed."""

    title: str = "aggregator"
    base_url: str = "http://127.0.0.1:8080/"
    max_entries: int = 100


@dataclass(frozen=True, slots=True)
class Config:
    """The whole validated feeds.toml."""

    path: Path
    settings: Settings
    server: ServerConfig
    output: OutputConfig
    feeds: tuple[FeedConfig, ...]

    def interval_for(self, feed: FeedConfig) -> float:
        """The feed's own interval, else the global one, in seconds."""
        return feed.interval_s if feed.interval_s is not None else self.settings.interval_s


# --- fetch -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional GET sends back: the last 200's ETag and Last-Modified."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A completed HTTP exchange for one feed (200 or 304); errors are FetchError."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes | None  # None on 304
    validators: Validators
    bytes_read: int  # on the wire, compressed
    duration_s: float

    @property
    def not_modified(self) -> bool:
        """True for a 304: nothing to parse, nothing to write but the log row."""
        return self.status == 304


# --- parse -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Enclosure:
    """A podcast file, image or other attachment of an entry."""

    url: str
    type: str | None = None
    length: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry, normalized: sanitized HTML, absolute http(s) URLs, UTC ISO times."""

    key: str  # stable within its feed: guid/id, else link, else a hash
    guid: str | None
    url: str | None
    title: str | None
    author: str | None
    summary: str | None
    content: str | None
    published: str | None
    updated: str | None
    tags: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()

    def content_hash(self) -> str:
        """A digest of everything a reader would see; a change means an update."""
        import hashlib

        parts = (self.url, self.title, self.author, self.summary, self.content,
                 self.updated, "\x1f".join(self.tags),
                 "\x1f".join(f"{e.url} {e.type} {e.length}" for e in self.enclosures))
        joined = "\x1e".join(p or "" for p in parts)
        return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A readable feed: its own metadata and its entries, in document order."""

    title: str | None
    link: str | None
    subtitle: str | None
    version: str  # feedparser's name: rss20, atom10, rss10, ...
    entries: tuple[ParsedEntry, ...]
    warning: str | None = None  # a malformed feed feedparser could still read


# --- store, to publish and the CLI ----------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredFeed:
    """A feed as the store knows it: config mirror plus what fetching learned."""

    id: int
    url: str
    title: str | None
    link: str | None
    tags: tuple[str, ...]
    enabled: bool
    last_status: int | None
    last_outcome: str | None
    last_fetch: str | None
    last_success: str | None
    next_fetch: str | None
    error_streak: int
    last_error: str | None
    entry_count: int = 0


@dataclass(frozen=True, slots=True)
class FeedJob:
    """What the pipeline needs to fetch one feed, as claimed from the store."""

    id: int
    url: str
    validators: Validators
    interval_s: float
    error_streak: int
    never_fetched: bool  # no successful fetch yet: its entries keep their own dates


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry ready to publish, with the feed it came from."""

    uid: str  # urn:uuid:..., stable for the life of the entry
    feed_url: str
    feed_title: str | None
    feed_link: str | None
    feed_updated: str | None
    url: str | None
    title: str | None
    author: str | None
    summary: str | None
    content: str | None
    published: str | None
    updated: str | None
    first_seen: str
    sort_at: str
    tags: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What one pipeline run did to one feed; one row of the fetch summary."""

    url: str
    outcome: str  # "ok", "not_modified", "error"
    status: int | None = None
    new: int = 0
    updated: int = 0
    duration_s: float = 0.0
    error: str | None = None
    reason: str | None = None
    warning: str | None = None
