"""feeds.toml -> ``Config``: load, merge with the defaults, validate.

Validation is strict on purpose: a typo in a key would otherwise be silently
ignored and the user would wonder why a setting has no effect.  Every problem
is a ``ConfigError`` naming the file, the line where we can find it, the feed
(by url) and the key; nothing starts on an invalid config.

The defaults live in ``defaults.toml`` beside this module (``config/defaults.toml``
in the repository points at it), so the documented defaults and the ones the
code uses cannot drift apart.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aggregator import PROJECT_URL, __version__
from aggregator.errors import ConfigError
from aggregator.models import (
    Config,
    DedupeSettings,
    FeedConfig,
    Filters,
    OutputConfig,
    OutputSpec,
    ServerConfig,
    Settings,
)

SECTIONS = ("settings", "server", "output", "dedupe", "feeds", "outputs")
OUTPUT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DURATION_KEYS = frozenset({"interval", "timeout", "connect_timeout", "min_interval",
                           "max_interval", "max_backoff", "max_retry_after", "host_delay",
                           "redirect_adopt_after", "window", "since"})
ZERO_OK_KEYS = frozenset({"host_delay"})  # durations that may be "0s"
DAY_S = 86400.0
# The longest duration anywhere (config, ?since=, --since, a feed's hints): far
# enough for any use, near enough that date arithmetic never leaves year 9999.
MAX_DURATION_S = 3650 * DAY_S
# The longest each duration key may be; keys not named here: one year.
DURATION_MAX_S: dict[str, float] = {"timeout": 3600.0, "connect_timeout": 3600.0,
                                    "host_delay": 3600.0, "since": MAX_DURATION_S}
DEFAULT_DURATION_MAX_S = 365 * DAY_S
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("feeds", "retry_after_scope"): ("feed", "host"),
    ("outputs", "tags_mode"): ("any", "all"),
}
DEFAULT_USER_AGENT = f"aggregator/{__version__} (+{PROJECT_URL})"

_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_TOML_LINE_RE = re.compile(r"at line (\d+)")

# (section, key) -> (lowest, highest) allowed, for numbers.
_RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("settings", "concurrency"): (1, 10_000),
    ("settings", "per_host"): (1, 1_000),
    ("settings", "max_body_bytes"): (1024, 1 << 34),
    ("settings", "max_redirects"): (0, 30),
    ("settings", "jitter"): (0.0, 0.5),
    ("settings", "parse_workers"): (0, 64),
    ("settings", "failing_after"): (1, 1000),
    ("settings", "redirect_adopt_fetches"): (1, 1000),
    ("server", "port"): (1, 65535),
    ("output", "max_entries"): (1, 1000),
    ("output", "first_fetch_items"): (0, 100_000),
    ("outputs", "max_entries"): (1, 1000),
    ("dedupe", "similarity"): (0.05, 1.5),
    ("dedupe", "title_similarity"): (0.05, 1.0),
    ("dedupe", "min_words"): (0, 10_000),
    ("dedupe", "max_content_updates"): (0, 1_000_000),
    ("dedupe", "broken_id_share"): (0.0, 1.0),
}


def parse_duration(text: str, *, allow_zero: bool = False,
                   maximum: float = MAX_DURATION_S) -> float:
    """Seconds in a duration like "45s", "15m", "2h", "1d" or "1h30m", at most ``maximum``.

    Raises ValueError with a message fit for the user on anything else,
    naming the allowed range when the duration is too long.
    """
    compact = text.strip().lower().replace(" ", "")
    if not compact:
        raise ValueError("empty duration")
    matches = list(_DURATION_RE.finditer(compact))
    if not matches or "".join(m.group(0) for m in matches) != compact:
        raise ValueError(f"{text!r} is not a duration like '45s', '15m', '2h', '1d' or '1h30m'")
    total = sum(float(m.group(1)) * _UNIT_S[m.group(2)] for m in matches)
    if total <= 0 and not (allow_zero and total == 0):
        raise ValueError(f"{text!r} must be longer than zero")
    if not total <= maximum:  # also inf, from a number too long for a float
        low = "0s" if allow_zero else "more than 0s"
        raise ValueError(f"{text!r} is out of range: allowed {low} to {format_duration(maximum)}")
    return total


def format_duration(seconds: float) -> str:
    """``seconds`` in the largest unit that divides it: 3600 -> "1h", 90 -> "90s"."""
    for unit in ("w", "d", "h", "m", "s"):
        count = seconds / _UNIT_S[unit]
        if count >= 1 and count == int(count):
            return f"{int(count)}{unit}"
    return f"{seconds:g}s"


def later(moment: datetime, seconds: float) -> datetime:
    """``moment`` plus ``seconds``, saturating at MAX_DURATION_S.

    A delay may come from a server (Retry-After, max-age, ``<ttl>``); however
    large, infinite or odd it is, the next fetch time is a date, not an
    OverflowError that stops fetching.
    """
    if not seconds > 0:  # zero, negative or NaN: now
        return moment
    return moment + timedelta(seconds=min(seconds, MAX_DURATION_S))


def load_defaults() -> dict[str, Any]:
    """The packaged defaults, one table per section plus ``feed``."""
    text = resources.files("aggregator").joinpath("defaults.toml").read_text("utf-8")
    return tomllib.loads(text)


def load_config(path: str | Path) -> Config:
    """Read, validate and return the config at ``path``; ConfigError on any problem."""
    path = Path(path)
    try:
        text = path.read_text("utf-8-sig")  # a BOM (Windows editors) is not TOML: drop it
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read: {exc}") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE_RE.search(str(exc))
        line = int(match.group(1)) if match else None
        raise ConfigError(str(path), f"invalid TOML: {exc}", line=line) from None
    return _Validator(path, text, load_defaults()).build(raw)


class _Validator:
    """Checks one parsed file against the defaults; knows the text for line numbers."""

    def __init__(self, path: Path, text: str, defaults: dict[str, Any]) -> None:
        self.path = path
        self.text = text  # split into lines only to report an error: 100,000 feeds = 15 MB
        self.defaults = defaults

    def error(self, problem: str, *, key: str | None = None, feed: str | None = None,
              needle: str | None = None) -> ConfigError:
        """A ConfigError pointing at the first line that mentions ``needle``."""
        return ConfigError(str(self.path), problem, key=key, feed=feed,
                           line=self.line_of(needle) if needle else None)

    def line_of(self, needle: str) -> int | None:
        """1-based number of the first line containing ``needle``, if any."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            if needle in line:
                return number
        return None

    def build(self, raw: dict[str, Any]) -> Config:
        """Validate every section and assemble the Config."""
        for name in raw:
            if name not in SECTIONS:
                raise self.error(f"unknown table; expected one of {', '.join(SECTIONS)}",
                                 key=name, needle=name)
        settings = self.section(raw, "settings")
        server = self.section(raw, "server")
        output = self.section(raw, "output")
        dedupe = self.section(raw, "dedupe")
        feeds = self.feeds(raw.get("feeds", []), settings)
        outputs = self.outputs(raw.get("outputs", []), output, feeds)
        return Config(
            path=self.path,
            settings=self.settings(settings),
            server=ServerConfig(host=str(server["host"]), port=int(server["port"])),
            output=self.output(output),
            feeds=feeds,
            outputs=outputs,
            dedupe=DedupeSettings(
                window_s=parse_duration(dedupe["window"]),
                similarity=float(dedupe["similarity"]),
                min_words=dedupe["min_words"],
                title_similarity=float(dedupe["title_similarity"]),
                max_content_updates=dedupe["max_content_updates"],
                broken_id_share=float(dedupe["broken_id_share"]),
            ),
        )

    def section(self, raw: dict[str, Any], name: str) -> dict[str, Any]:
        """The section's values merged over its defaults, each checked."""
        given = raw.get(name, {})
        if not isinstance(given, dict):
            raise self.error("must be a table", key=name, needle=name)
        merged = dict(self.defaults[name])
        for key, value in given.items():
            merged[key] = self.value(name, key, value)
        return merged

    def value(self, section: str, key: str, value: Any, feed: str | None = None) -> Any:
        """One checked value: known key, right type, in range, durations parsed."""
        defaults = self.defaults["feed" if section == "feeds" else section]
        dotted = f"{section}.{key}"
        needle = f"{key}"
        if key not in defaults:
            known = ", ".join(sorted(defaults))
            raise self.error(f"unknown key; known keys are {known}", key=dotted, feed=feed,
                             needle=needle)
        self.check_type(dotted, value, defaults[key], feed)
        if key in DURATION_KEYS and value != "":
            try:
                parse_duration(value, allow_zero=key in ZERO_OK_KEYS,
                               maximum=DURATION_MAX_S.get(key, DEFAULT_DURATION_MAX_S))
            except ValueError as exc:
                raise self.error(str(exc), key=dotted, feed=feed, needle=needle) from None
        choices = CHOICES.get((section, key))
        if choices is not None and value not in choices:
            raise self.error(f"{value!r} is not one of {', '.join(choices)}", key=dotted,
                             feed=feed, needle=needle)
        if key in ("canary_url", "websub_hub") and value and not is_http_url(value):
            raise self.error("must be an absolute http:// or https:// URL", key=dotted,
                             needle=needle)
        bounds = _RANGES.get((section, key))
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            raise self.error(f"{value!r} is out of range {bounds[0]}..{bounds[1]}",
                             key=dotted, feed=feed, needle=needle)
        return value

    def check_type(self, dotted: str, value: Any, default: Any, feed: str | None) -> None:
        """Raise unless ``value`` has the type of its default (ints pass for floats)."""
        expected = type(default)
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float:
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        if expected is list:
            ok = isinstance(value, list) and all(isinstance(v, str) and v for v in value)
        if not ok:
            name = "list of non-empty strings" if expected is list else expected.__name__
            raise self.error(f"expected {name}, got {value!r}", key=dotted, feed=feed,
                             needle=dotted.rsplit(".", 1)[-1])

    def settings(self, values: Mapping[str, Any]) -> Settings:
        """The [settings] table as a Settings record, with paths and durations resolved."""
        database = Path(values["database"]).expanduser()
        if not database.is_absolute():
            database = self.path.resolve().parent / database
        return Settings(
            database=database,
            interval_s=parse_duration(values["interval"]),
            concurrency=values["concurrency"],
            per_host=values["per_host"],
            timeout_s=parse_duration(values["timeout"]),
            connect_timeout_s=parse_duration(values["connect_timeout"]),
            user_agent=values["user_agent"] or DEFAULT_USER_AGENT,
            max_body_bytes=values["max_body_bytes"],
            max_redirects=values["max_redirects"],
            jitter=float(values["jitter"]),
            parse_workers=values["parse_workers"],
            min_interval_s=parse_duration(values["min_interval"]),
            max_interval_s=parse_duration(values["max_interval"]),
            adaptive=values["adaptive"],
            max_backoff_s=parse_duration(values["max_backoff"]),
            max_retry_after_s=parse_duration(values["max_retry_after"]),
            host_delay_s=parse_duration(values["host_delay"], allow_zero=True),
            failing_after=values["failing_after"],
            allow_private_redirects=values["allow_private_redirects"],
            redirect_adopt_fetches=values["redirect_adopt_fetches"],
            redirect_adopt_after_s=parse_duration(values["redirect_adopt_after"]),
            canary_url=values["canary_url"],
        )

    def output(self, values: Mapping[str, Any]) -> OutputConfig:
        """The [output] table; base_url must be absolute http(s) and ends with '/'."""
        base_url = values["base_url"]
        if not is_http_url(base_url):
            raise self.error("must be an absolute http:// or https:// URL",
                             key="output.base_url", needle="base_url")
        if not base_url.endswith("/"):
            base_url += "/"
        return OutputConfig(title=values["title"], base_url=base_url,
                            max_entries=values["max_entries"], dedupe=values["dedupe"],
                            websub_hub=values["websub_hub"],
                            first_fetch_items=values["first_fetch_items"])

    def outputs(self, raw: Any, output: Mapping[str, Any],
                feeds: tuple[FeedConfig, ...]) -> tuple[OutputSpec, ...]:
        """Every [[outputs]] table, checked: names unique, rules that compile."""
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            raise self.error("must be an array of tables: [[outputs]]", key="outputs",
                             needle="outputs")
        known = {feed_identity(f.url): f.url for f in feeds}
        specs: dict[str, OutputSpec] = {}
        for number, table in enumerate(raw, start=1):
            spec = self.output_spec(table, number, output, known)
            if spec.name in specs:
                raise self.error(f"output {spec.name!r}: duplicate name", key="outputs.name",
                                 needle=f'"{spec.name}"')
            specs[spec.name] = spec
        return tuple(specs.values())

    def output_spec(self, table: dict[str, Any], number: int, output: Mapping[str, Any],
                    known_feeds: Mapping[str, str]) -> OutputSpec:
        """One [[outputs]] table as an OutputSpec; errors name the output and the key."""
        name = table.get("name")
        label = f"output {name!r}" if isinstance(name, str) else f"output #{number}"
        values = dict(self.defaults["outputs"])
        for key, value in table.items():
            try:
                values[key] = self.value("outputs", key, value)
            except ConfigError as exc:
                raise ConfigError(str(self.path), f"{label}: {exc.problem}", key=exc.key,
                                  line=exc.line) from None
        if not isinstance(name, str) or not OUTPUT_NAME.match(name):
            raise self.error(f"{label}: name must be lowercase letters, digits, '-' or '_'",
                             key="outputs.name")
        feeds = []
        for url in values["feeds"]:
            if feed_identity(url) not in known_feeds:
                raise self.error(f"{label}: {url!r} is not a configured feed",
                                 key="outputs.feeds", needle=url)
            feeds.append(known_feeds[feed_identity(url)])
        rules = {key: self.rules(label, key, values[key]) for key in ("include", "exclude")}
        query = values["query"] or None  # any text works: see store.fts.fts_query
        return OutputSpec(
            name=name, title=values["title"] or f"{output['title']} \u2014 {name}",
            filters=Filters(tags=tuple(values["tags"]), tags_mode=values["tags_mode"],
                            feeds=tuple(feeds), query=query, include=rules["include"],
                            exclude=rules["exclude"],
                            since_s=parse_duration(values["since"]) if values["since"] else None),
            max_entries=values["max_entries"], dedupe=values["dedupe"])

    def rules(self, label: str, key: str, values: list[str]) -> tuple[str, ...]:
        """Keyword or /regex/ rules; a regex that does not compile is an error."""
        for rule in values:
            try:
                compile_rule(rule)
            except re.error as exc:
                raise self.error(f"{label}: {rule!r} is not a valid regular expression: {exc}",
                                 key=f"outputs.{key}", needle=rule) from None
        return tuple(values)

    def feeds(self, raw: Any, settings: Mapping[str, Any]) -> tuple[FeedConfig, ...]:
        """Every [[feeds]] table, checked; duplicate URLs are an error."""
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            raise self.error("must be an array of tables: [[feeds]]", key="feeds",
                             needle="feeds")
        seen: dict[str, str] = {}
        feeds = []
        for number, table in enumerate(raw, start=1):
            # Each parsed table is dropped once it is a FeedConfig, so a list of
            # 100,000 feeds is not held twice at the peak of start-up.
            raw[number - 1] = None
            feed = self.feed(table, number)
            identity = feed_identity(feed.url)
            if identity in seen:
                raise self.error(f"duplicate feed URL (same as {seen[identity]!r})",
                                 key="feeds.url", feed=feed.url, needle=feed.url)
            seen[identity] = feed.url
            feeds.append(feed)
        return tuple(feeds)

    def feed(self, table: dict[str, Any], number: int) -> FeedConfig:
        """One [[feeds]] table as a FeedConfig."""
        url = table.get("url")
        label = url if isinstance(url, str) else f"#{number}"
        for key, value in table.items():
            self.value("feeds", key, value, feed=label)
        if not isinstance(url, str) or not url.strip():
            raise self.error("missing required key", key="feeds.url", feed=label)
        url = url.strip()
        if not is_http_url(url):
            raise self.error("not an absolute http:// or https:// URL", key="feeds.url",
                             feed=url, needle=url)
        interval = table.get("interval") or None
        return FeedConfig(
            url=url,
            title=table.get("title") or None,
            tags=tuple(dict.fromkeys(table.get("tags", []))),
            interval_s=parse_duration(interval) if interval else None,
            enabled=table.get("enabled", True),
            retry_after_scope=table.get("retry_after_scope", "feed"),
        )


def compile_rule(rule: str) -> re.Pattern[str]:
    """An include/exclude rule as a pattern: "/regex/" as written, else a whole-word keyword.

    Matching is case-insensitive either way.
    """
    if len(rule) >= 2 and rule.startswith("/") and rule.endswith("/"):
        return re.compile(rule[1:-1], re.IGNORECASE)
    return re.compile(rf"\b{re.escape(rule)}\b", re.IGNORECASE)


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace."""
    if any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def feed_identity(url: str) -> str:
    """What makes two configured URLs the same feed: case-insensitive scheme and host."""
    parts = urlsplit(url)
    netloc = parts.netloc.lower()
    return parts._replace(scheme=parts.scheme.lower(), netloc=netloc, fragment="").geturl()


def add_feed(path: str | Path, url: str, *, title: str | None = None,
             tags: tuple[str, ...] = ()) -> Config:
    """Append a ``[[feeds]]`` table to the config at ``path``, keeping its comments and order.

    The edited text is validated as a whole before it replaces the file
    (atomically), so a bad edit never leaves an invalid config behind.
    Returns the new Config; ConfigError for a duplicate or invalid URL.
    """
    import tomlkit

    path = Path(path)
    current = load_config(path)
    identity = feed_identity(url)
    for feed in current.feeds:
        if feed_identity(feed.url) == identity:
            raise ConfigError(str(path), "the feed is already configured", key="feeds.url",
                              feed=feed.url)
    document = tomlkit.parse(path.read_text("utf-8-sig"))
    table = tomlkit.table()
    table.add("url", url)
    if title:
        table.add("title", title)
    if tags:
        table.add("tags", list(dict.fromkeys(tags)))
    feeds = document.get("feeds")
    if feeds is None:
        feeds = tomlkit.aot()
        document.append("feeds", feeds)
    feeds.append(table)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(tomlkit.dumps(document), encoding="utf-8")
    try:
        config = load_config(partial)
    except ConfigError:
        partial.unlink()
        raise
    partial.replace(path)
    return replace(config, path=path)
