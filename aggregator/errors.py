"""The one exception tree of the package.

Every error the package raises on purpose is an ``AggregatorError``, so the CLI
can turn any of them into a one-line message in a single place::

    AggregatorError                 message + chained cause in str()
    ├── ConfigError                 path, key (dotted, with the feed url), problem
    ├── FeedError                   url; recorded against the feed
    │   ├── FetchError              reason ("timeout", "dns", "connect", "http_status",
    │   │                           "gone", "too_large", "redirects", "redirect_loop",
    │   │                           "scheme", "private_address", ...), status,
    │   │                           retry_after_s
    │   └── ParseError              reason ("not_a_feed", "html_page", "empty", "bad_json",
    │                               "xml_entities", "bad_encoding", "parser_crash"),
    │                               candidates (for html_page)
    ├── StoreError                  operation, db path
    │   └── MigrationError          from_version, to_version
    └── PublishError                format

``reason`` is a stable string: it goes into the ``fetches`` table and the logs,
so scripts can group failures without parsing messages.  A 304 is a normal
fetch result, never an error.  Raise with ``from`` so the cause survives.
"""

from __future__ import annotations

from typing import Any


def _restore(cls: type[AggregatorError], args: tuple[Any, ...],
             state: dict[str, Any]) -> AggregatorError:
    """Rebuild a pickled AggregatorError without calling its ``__init__``."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class AggregatorError(Exception):
    """Root of the tree; ``str()`` includes the chained cause, if any."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The subclasses take keyword-only arguments, which default exception
        # pickling cannot replay; a parse error must cross the process pool intact.
        return (_restore, (type(self), self.args, self.__dict__))

    def __str__(self) -> str:
        message = super().__str__()
        cause = self.__cause__
        if cause is not None and str(cause) and str(cause) not in message:
            return f"{message}: {cause}"
        return message


class ConfigError(AggregatorError):
    """The configuration file is unreadable or invalid; nothing may start."""

    def __init__(self, path: str, problem: str, *, key: str | None = None,
                 feed: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.key = key
        self.feed = feed
        self.line = line
        self.problem = problem
        where = path if line is None else f"{path}:{line}"
        parts = [where]
        if feed is not None:
            parts.append(f"feed {feed!r}")
        if key is not None:
            parts.append(f"key {key!r}")
        super().__init__(f"{', '.join(parts)}: {problem}")


class FeedError(AggregatorError):
    """A problem with one feed; recorded against that feed, never fatal to others."""

    def __init__(self, url: str, message: str, *, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {message}")


class FetchError(FeedError):
    """The feed could not be downloaded (network, HTTP status, limits).

    ``duration_s`` (the request's own time) and ``wait_s`` (its wait for a
    turn) are set by the fetcher when the request got that far.
    """

    duration_s: float | None = None
    wait_s: float | None = None

    def __init__(self, url: str, message: str, *, reason: str,
                 status: int | None = None, retry_after_s: float | None = None) -> None:
        self.status = status
        self.retry_after_s = retry_after_s
        super().__init__(url, message, reason=reason)


class ParseError(FeedError):
    """The body was downloaded but is not a feed we can read.

    For an HTML page (reason "html_page"), ``candidates`` lists the feeds the
    page links to, so the caller can record them without switching silently.
    """

    candidates: tuple[Any, ...] = ()


class StoreError(AggregatorError):
    """The SQLite store cannot be opened or written."""

    def __init__(self, path: str, operation: str, message: str) -> None:
        self.path = path
        self.operation = operation
        super().__init__(f"{path}: {operation}: {message}")


class MigrationError(StoreError):
    """The schema cannot be brought to the version this code needs."""

    def __init__(self, path: str, from_version: int, to_version: int, message: str) -> None:
        self.from_version = from_version
        self.to_version = to_version
        super().__init__(path, f"migrate {from_version} -> {to_version}", message)


class PublishError(AggregatorError):
    """An output feed could not be rendered."""

    def __init__(self, fmt: str, message: str) -> None:
        self.format = fmt
        super().__init__(f"{fmt}: {message}")
