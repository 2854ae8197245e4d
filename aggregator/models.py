"""Frozen records passed between the stages, named by where they flow.

``FeedConfig`` (from config) -> ``FetchResult`` (from fetch) -> ``ParsedFeed`` /
``ParsedEntry`` (from parse) -> rows in the store -> ``StoredEntry`` /
``StoredFeed`` (from the store, to publish and the CLI).

Every timestamp is an ISO 8601 string in UTC with a ``Z`` suffix
(``2026-11-26T09:30:00Z``): that is what SQLite stores, sorts and shows, and
what every output format wants after a cheap reformat.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ISO = "1970-01-01T00:00:00Z"
# How far past "now" (or past when we saw an entry) a date may lie and still be
# believed: clocks and time zones are often wrong by hours, rarely by a day.
FUTURE_SLACK = timedelta(days=1)
_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC, microsecond=0)
# Rows written before the store padded its years: strftime('%Y') gives "1" for
# year 1 on glibc, so Go's zero time was stored as '1-01-01T00:00:00Z'.
_UNPADDED = re.compile(r"(\d{1,4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z")


def utc_now() -> datetime:
    """The current time, timezone-aware UTC, whole seconds (what the store keeps)."""
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(moment: datetime) -> str:
    """Format an aware datetime as the store's UTC ISO 8601 string, always 20 characters.

    The year is always four digits (``0001-01-01T00:00:00Z``, never
    ``1-01-01...``): SQLite orders these strings as text, and the outputs
    read them back.  A moment that is not representable in UTC (year 1 at
    +01:00) becomes the first or last representable second.
    """
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        utc = _EARLIEST if moment.year == 1 else _LATEST
    return (f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
            f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z")


def from_iso(text: str) -> datetime:
    """Parse the store's UTC ISO 8601 string back into an aware datetime.

    Also reads the unpadded years of rows stored before ``to_iso`` padded
    them (``1-01-01T00:00:00Z``).  ValueError for anything else
    (fromisoformat is ten times faster than strptime).
    """
    if len(text) == 20 and text.endswith("Z") and text[4] == "-":
        return datetime.fromisoformat(text)
    match = _UNPADDED.fullmatch(text)
    if match is None:
        raise ValueError(f"not a UTC ISO 8601 time: {text!r}")
    try:
        year, month, day, hour, minute, second = map(int, match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise ValueError(f"not a UTC ISO 8601 time: {text!r}") from None


@functools.lru_cache(maxsize=4096)  # the matcher reads a recent entry's time for many others
def read_iso(text: str | None) -> datetime | None:
    """A stored time as an aware datetime, or None if there is none or it is unreadable.

    For readers that must go on whatever a row holds (outputs, the matcher).
    """
    if text is None:
        return None
    try:
        return from_iso(text)
    except ValueError:
        return None


def plausible_time(text: str | None, latest: datetime) -> datetime | None:
    """A stored time if it is readable and believable: from 1970 to a day after ``latest``.

    Feeds write placeholders (Go's and Hugo's zero time, year 1) and dates in
    the future; they are stored as the feed gave them, but nothing is ordered,
    matched or published by them.  ``latest`` is "now", or when the entry was seen.
    """
    moment = read_iso(text)
    if moment is None or moment < EPOCH or moment - FUTURE_SLACK > latest:  # no overflow
        return None
    return moment


def own_time(published: str | None, updated: str | None, latest: datetime) -> datetime | None:
    """An entry's own date: published, else updated, the first that is believable at ``latest``.

    What the outputs and the page show as its date (first seen only failing
    both), what the matcher compares and what a first fetch places it by.
    """
    return plausible_time(published, latest) or plausible_time(updated, latest)


def seconds_apart(first: str, second: str) -> float:
    """How far apart two stored times are; infinite when either is unreadable."""
    a, b = read_iso(first), read_iso(second)
    return math.inf if a is None or b is None else abs((a - b).total_seconds())


def plain_text(fragment: str | None) -> str:
    """The text of an (already sanitized) HTML fragment: for matching and full-text search."""
    if not fragment:
        return ""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def entry_key(guid: str | None, link: str | None, title: str | None,
              date: str | None, feed_url: str) -> str:
    """An entry's stable key in its feed: the guid/id, else the link, else a hash."""
    if guid:
        return guid
    if link:
        return link
    import hashlib

    digest = hashlib.sha256("\x1f".join((title or "", date or "", feed_url)).encode())
    return "sha256:" + digest.hexdigest()[:32]


# --- configuration -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """One ``[[feeds]]`` table of feeds.toml, validated."""

    url: str
    title: str | None = None
    tags: tuple[str, ...] = ()
    interval_s: float | None = None  # None: the [settings] interval
    enabled: bool = True
    retry_after_scope: str = "feed"  # "feed" or "host": who waits out a Retry-After


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
    min_interval_s: float = 600.0  # never fetch a feed more often
    max_interval_s: float = 86400.0  # never fetch a healthy feed less often
    adaptive: bool = True  # follow the feed's posting rate and caching hints
    max_backoff_s: float = 3 * 86400.0
    max_retry_after_s: float = 8 * 3600.0
    host_delay_s: float = 1.0  # minimum spacing of requests to one host
    failing_after: int = 3  # consecutive failures before a feed is "failing"
    allow_private_redirects: bool = False
    redirect_adopt_fetches: int = 3  # same permanent redirect seen this many times in a row
    redirect_adopt_after_s: float = 2 * 86400.0  # ... over at least this long
    canary_url: str = ""  # fetched to tell "network down" from "feed down"


@dataclass(frozen=True, slots=True)
class DedupeSettings:
    """The ``[dedupe]`` table: how stories are told apart."""

    window_s: float = 7 * 86400.0  # entries further apart in time never merge (but by origin)
    similarity: float = 0.86  # text score that merges (lead + 0.5 title x grounded - 0.5 conflict)
    min_words: int = 8  # fewer words of text in common: the headline decides
    title_similarity: float = 0.8  # weighted headline similarity that merges teasers
    max_content_updates: int = 24  # content-only changes kept per entry
    broken_id_share: float = 0.05  # above this share of missing/shared ids, key by link


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
    dedupe: bool = True  # one item per story, not one per entry
    websub_hub: str = ""  # a WebSub hub to advertise and ping on change
    first_fetch_items: int = 0  # 0: off; else a new feed's first fetch places at most this many


@dataclass(frozen=True, slots=True)
class Filters:
    """Which entries an output (or a request's ?tag=&q=...) selects; empty means all."""

    tags: tuple[str, ...] = ()
    tags_mode: str = "any"  # "any" or "all"
    feeds: tuple[str, ...] = ()  # feed URLs (as configured)
    query: str | None = None  # SQLite FTS5 query over title, summary and content
    include: tuple[str, ...] = ()  # keywords or /regex/ on title and text: keep matching
    exclude: tuple[str, ...] = ()  # ... drop matching
    since_s: float | None = None  # at most this old (by first seen)


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """One ``[[outputs]]`` table: a named feed served at /o/NAME.atom|.rss|.json."""

    name: str
    title: str
    filters: Filters = Filters()
    max_entries: int = 100
    dedupe: bool = True


@dataclass(frozen=True, slots=True)
class Config:
    """The whole validated feeds.toml."""

    path: Path
    settings: Settings
    server: ServerConfig
    output: OutputConfig
    feeds: tuple[FeedConfig, ...]
    dedupe: DedupeSettings = DedupeSettings()
    outputs: tuple[OutputSpec, ...] = ()

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
    duration_s: float  # the request's own: from sending it to reading the body
    redirects: tuple[tuple[int, str], ...] = ()  # (status, target) per hop, in order
    max_age_s: float | None = None  # Cache-Control max-age / Expires, if the server said
    wait_s: float = 0.0  # before it was sent: waiting for a turn (concurrency, host_delay)

    @property
    def permanent_target(self) -> str | None:
        """Where a chain of only permanent redirects (301/308) leads, else None."""
        if self.redirects and all(status in (301, 308) for status, _ in self.redirects):
            return self.redirects[-1][1]
        return None

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
    origin_id: str | None = None  # the original's id, for an entry republished by a planet

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
    version: str  # feedparser's name: rss20, atom10, rss10, ..., json10, json11
    entries: tuple[ParsedEntry, ...]
    warning: str | None = None  # a malformed feed feedparser could still read
    # Publisher hints the scheduler honours (seconds), from the document itself.
    ttl_s: float | None = None  # RSS <ttl> (minutes in the feed)
    update_period_s: float | None = None  # sy:updatePeriod / sy:updateFrequency
    # Where the document says it lives; reported, never adopted silently.
    self_url: str | None = None  # Atom/RSS atom:link rel="self"
    new_feed_url: str | None = None  # itunes:new-feed-url


@dataclass(frozen=True, slots=True)
class FeedCandidate:
    """A feed an HTML page points to with <link rel="alternate" type="...">."""

    url: str
    type: str
    title: str | None = None


# --- dedupe ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryFeatures:
    """What the matcher compares: computed once per new entry, in a parser process.

    Compact on purpose (strings and packed bytes, ~3 KB an entry rather than
    ~23 KB of Python sets and tuples): the features of every entry of the
    feeds in flight are held at once, and they cross a process boundary.
    """

    canonical_url: str | None
    origin: str | None
    fingerprint: str | None
    bands: tuple[int, ...]  # LSH bands of the lead's first words
    words: int  # words in the whole text
    title: str = ""  # normalized
    lead_words: str = ""  # the first words of the text, normalized, space-separated
    title_bands: tuple[int, ...] = ()  # LSH bands of the title, for edited headlines
    title_key: int | None = None  # exact hash of the normalized title
    lead_key: int | None = None  # exact hash of the text's first words


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored entry that a lookup found, with what is needed to confirm it."""

    entry_id: int
    story_id: int
    layer: str  # the lookup that found it: origin, url, fingerprint, near, title
    when: str  # published, else first seen
    title: str | None
    summary: str | None  # None when the matcher's view below is stored
    content: str | None
    match_title: str | None = None  # normalized title, as stored at insert
    match_words: str | None = None  # the normalized lead words, space-separated
    word_count: int | None = None  # words in the whole text
    canonical_url: str | None = None
    fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class StoryMatch:
    """The story a new entry joins, the entry that tied it there, the layer and score."""

    story_id: int
    entry_id: int
    layer: str
    score: float
    evidence: str | None = None  # JSON: what decided it, for ``explain``


# --- store, to publish and the CLI ----------------------------------------------


@dataclass(frozen=True, slots=True)
class UrlChange:
    """One URL a feed has had, and why it got it."""

    url: str
    first_seen: str
    reason: str  # "config", "redirect"


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
    config_url: str = ""
    status: str = "new"  # new, ok, error, failing, gone, disabled
    next_fetch_reason: str | None = None
    last_reason: str | None = None
    gone_since: str | None = None
    retry_until: str | None = None
    declared_url: str | None = None  # what the feed says its URL is, when that differs
    redirect_target: str | None = None  # a permanent redirect not adopted yet
    url_history: tuple[UrlChange, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedJob:
    """What the pipeline needs to fetch one feed, as claimed from the store."""

    id: int
    url: str  # where it is fetched now
    validators: Validators
    interval_s: float
    error_streak: int
    never_fetched: bool  # no successful fetch yet: its entries keep their own dates
    body_hash: str | None = None  # of the last 200's body
    host: str = ""
    retry_after_scope: str = "feed"
    redirect_target: str | None = None  # a permanent redirect seen on earlier fetches
    redirect_count: int = 0
    redirect_since: str | None = None
    key_mode: str = "guid"  # guid, or link/hash while the feed's ids are broken
    config_url: str = ""  # the feed's identity: keys and entry uids derive from it, not url


@dataclass(frozen=True, slots=True)
class FeedTiming:
    """What decides a feed's next fetch, as stored after its latest fetch."""

    interval_s: float
    error_streak: int
    max_age_s: float | None = None  # Cache-Control / Expires of the last 200
    ttl_s: float | None = None  # RSS <ttl>
    update_period_s: float | None = None  # sy:updatePeriod / sy:updateFrequency
    post_gap_s: float | None = None  # observed mean time between posts


@dataclass(frozen=True, slots=True)
class Sighting:
    """Another place a story was seen: credited as "also reported by"."""

    feed_url: str
    feed_title: str | None
    url: str | None
    first_seen: str


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
    also: tuple[Sighting, ...] = ()  # the story's other entries, when publishing stories


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What one pipeline run did to one feed; one row of the fetch summary."""

    url: str
    outcome: str  # "ok", "not_modified", "error"
    status: int | None = None
    new: int = 0
    updated: int = 0
    duration_s: float = 0.0  # the request's own time (not its wait, not parsing)
    error: str | None = None
    reason: str | None = None
    warning: str | None = None
    wait_s: float | None = None  # waiting for the request's turn; None if unknown
    retry_after_s: float | None = None  # the server asked us to wait this long
    network_down: bool = False  # the failure was the network's, not the feed's
    skipped: bool = False  # not fetched: backoff or Retry-After still in force
