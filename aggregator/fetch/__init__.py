"""Download one feed politely and within bounds (connections: ``network.py``).

One ``Fetcher`` (one ``httpx.AsyncClient``) serves the whole process so that
connections are pooled.  It is polite: at most ``concurrency`` requests in
flight, ``per_host`` to one host, spaced by ``host_delay``; conditional GET
with the stored validators; a User-Agent naming the project.  And it is hard
to hurt:

- the body is streamed and cut off at ``max_body_bytes``, on the wire and
  after decompression, so a gzip bomb stops at the limit;
- the whole exchange, redirects included, is bounded by ``timeout_s``;
- redirects are followed by hand, at most ``max_redirects``, only to http(s);
  a loop is an error naming the chain;
- every connection resolves the host once and connects to the address it
  checked: a redirect to a loopback, private, link-local or otherwise
  non-public address is refused unless ``allow_private_redirects`` (the URL the
  user configured may point anywhere).

Every failure is a ``FetchError`` with a stable ``reason``; a 304 is a normal
``FetchResult``.  HTTP status errors carry ``retry_after_s`` when the server
sent a Retry-After.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from aggregator.errors import FetchError
from aggregator.fetch.network import allow_private, guarded_transport
from aggregator.models import FetchResult, Settings, Validators

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
ACCEPT_ENCODING = "gzip, deflate"  # what _read_bounded can inflate within bounds
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers the parser must not see: the body it gets is already decoded.
_TRANSPORT_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class Fetcher:
    """A shared HTTP client with global and per-host limits; use as an async context."""

    def __init__(self, settings: Settings, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._last_request: dict[str, float] = {}
        limits = httpx.Limits(max_connections=settings.concurrency * 2,
                              max_keepalive_connections=settings.concurrency)
        self._client = self._make_client(limits, transport)
        # Redirect hops to another host never reuse a pooled connection: each one
        # dials through GuardedBackend, so the address check cannot be bypassed.
        hop_limits = httpx.Limits(max_connections=settings.concurrency,
                                  max_keepalive_connections=0)
        self._hop_client = self._make_client(hop_limits, transport)

    def _make_client(self, limits: httpx.Limits,
                     transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            headers={"User-Agent": self.settings.user_agent, "Accept": ACCEPT,
                     "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(self.settings.timeout_s,
                                  connect=self.settings.connect_timeout_s),
            follow_redirects=False,
            limits=limits,
            transport=transport or guarded_transport(limits),
            event_hooks={"request": [_check_scheme]},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()
        await self._hop_client.aclose()

    def _host_limit(self, url: str) -> asyncio.Semaphore:
        host = _host(url)
        limit = self._hosts.get(host)
        if limit is None:
            limit = self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        return limit

    async def _space(self, url: str) -> None:
        """Wait so that requests to one host start at least ``host_delay`` apart."""
        host = _host(url)
        now = time.monotonic()
        start = max(now, self._last_request.get(host, 0.0) + self.settings.host_delay_s)
        self._last_request[host] = start
        if start > now:
            await asyncio.sleep(start - now)

    async def fetch(self, url: str, validators: Validators | None = None) -> FetchResult:
        """GET ``url`` conditionally; a FetchResult for 200/304, FetchError otherwise.

        The result (or error) says how long the request itself took, from
        sending it to reading the body, and apart from it how long it waited
        for its turn (the global and per-host limits, ``host_delay``): the
        wait is ours, not the server's.
        """
        validators = validators or Validators()
        queued = time.monotonic()
        async with self._global, self._host_limit(url):
            await self._space(url)  # outside the timeout: politeness is not the server's time
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.settings.timeout_s):
                    result = await self._get(url, validators, started)
            except FetchError as exc:
                if exc.url == url:
                    _timed(exc, queued, started)
                    raise
                raise _timed(_hop_error(url, exc), queued, started) from None
            except TimeoutError:
                error = FetchError(url, f"no complete response within "
                                   f"{self.settings.timeout_s:g}s", reason="timeout")
                raise _timed(error, queued, started) from None
            except httpx.HTTPError as exc:
                raise _timed(_map_httpx_error(url, exc), queued, started) from exc
            return dataclasses.replace(result, wait_s=started - queued)

    async def _get(self, url: str, validators: Validators, started: float) -> FetchResult:
        """Follow redirects by hand, so each hop is checked and recorded."""
        hops: list[tuple[int, str]] = []
        current = url
        while True:
            response = await self._send(url, current, validators)
            try:
                target = self._redirect_target(url, current, response, hops)
                if target is None:
                    return await self._finish(url, response, validators, started,
                                              tuple(hops))
            finally:
                await response.aclose()
            hops.append((response.status_code, target))
            current = target

    async def _send(self, url: str, current: str, validators: Validators) -> httpx.Response:
        headers = {}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        same_host = _host(current) == _host(url)
        token = allow_private.set(same_host or self.settings.allow_private_redirects)
        try:
            client = self._client if same_host else self._hop_client
            request = client.build_request("GET", current, headers=headers)
            return await client.send(request, stream=True)
        finally:
            allow_private.reset(token)

    def _redirect_target(self, url: str, current: str, response: httpx.Response,
                         hops: list[tuple[int, str]]) -> str | None:
        """The next URL of a redirect, None for a final response; FetchError on a bad chain."""
        location: str | None = response.headers.get("location")
        if response.status_code not in REDIRECT_STATUSES or not location:
            return None
        target = urljoin(current, location.strip())
        chain = [url, *(hop for _, hop in hops)]
        if target in chain:
            raise FetchError(url, "redirect loop: " + " -> ".join([*chain, target]),
                             reason="redirect_loop", status=response.status_code)
        if len(hops) >= self.settings.max_redirects:
            raise FetchError(url, f"more than {self.settings.max_redirects} redirects: "
                             + " -> ".join([*chain, target]), reason="redirects",
                             status=response.status_code)
        if urlsplit(target).scheme not in ("http", "https"):
            raise FetchError(url, f"redirect to a non-http(s) URL: {target}", reason="scheme",
                             status=response.status_code)
        return target

    async def _finish(self, url: str, response: httpx.Response, validators: Validators,
                      started: float, hops: tuple[tuple[int, str], ...]) -> FetchResult:
        status = response.status_code
        if status == 304:
            # Bodiless by HTTP (h11 frames it so), but httpcore returns the
            # connection to the pool only once the response is read to its end.
            await response.aread()
            return _result(url, response, None, validators, (started, hops))
        if status != 200:
            raise _status_error(url, response, self.settings.max_retry_after_s)
        body = await self._read_bounded(url, response)
        fresh = Validators(etag=response.headers.get("etag"),
                           last_modified=response.headers.get("last-modified"))
        return _result(url, response, body, fresh, (started, hops))

    async def _read_bounded(self, url: str, response: httpx.Response) -> bytes:
        """The decoded body, or FetchError('too_large') as soon as a limit is passed.

        The body is read raw and decompressed here, never more than the limit
        at a time (``decompress(data, max_length)``): httpx would inflate a
        whole network read at once, and 64 KiB of a gzip bomb is 64 MiB.
        """
        limit = self.settings.max_body_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"body of {declared} bytes is over the {limit}-byte limit",
                             reason="too_large", status=response.status_code)
        decoder = _decoder(url, response)
        chunks: list[bytes] = []
        size = 0

        def take(data: bytes) -> None:
            nonlocal size
            while data:
                out = decoder.decompress(data, limit - size + 1) if decoder else data
                size += len(out)
                if size > limit or response.num_bytes_downloaded > limit:
                    raise FetchError(url, f"body is over the {limit}-byte limit "
                                     "(after decompression)", reason="too_large",
                                     status=response.status_code)
                chunks.append(out)
                data = decoder.unconsumed_tail if decoder else b""

        try:
            async for raw in response.aiter_raw():
                take(raw)
            if decoder is not None:
                take(decoder.flush())
        except zlib.error as exc:
            raise FetchError(url, f"cannot decompress the body: {exc}", reason="decoding",
                             status=response.status_code) from None
        return b"".join(chunks)


def _hop_error(url: str, exc: FetchError) -> FetchError:
    """A redirect hop's error, recorded against the feed's own URL."""
    message = str(exc).removeprefix(f"{exc.url}: ")
    return FetchError(url, message, reason=exc.reason, status=exc.status,
                      retry_after_s=exc.retry_after_s)


def _timed(error: FetchError, queued: float, started: float) -> FetchError:
    """``error`` with the request's own duration and its wait for a turn."""
    error.duration_s = time.monotonic() - started
    error.wait_s = started - queued
    return error


def _decoder(url: str, response: httpx.Response) -> zlib._Decompress | None:
    """A zlib decoder for the response's Content-Encoding; None for an identity body."""
    coding = response.headers.get("content-encoding", "").strip().lower()
    if coding in ("", "identity"):
        return None
    if coding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, auto-detected
    raise FetchError(url, f"unsupported Content-Encoding {coding!r} (we ask for gzip or "
                     "deflate, one layer)", reason="decoding", status=response.status_code)


def _result(url: str, response: httpx.Response, body: bytes | None, validators: Validators,
            timing: tuple[float, tuple[tuple[int, str], ...]]) -> FetchResult:
    started, hops = timing
    return FetchResult(
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        headers=parser_headers(response.headers),
        body=body,
        validators=validators,
        bytes_read=response.num_bytes_downloaded,
        duration_s=time.monotonic() - started,
        redirects=hops,
        max_age_s=cache_lifetime(response.headers),
    )


def _status_error(url: str, response: httpx.Response, max_retry_after_s: float) -> FetchError:
    """A FetchError for a non-200 final status; 410 is 'gone', Retry-After is kept."""
    status = response.status_code
    message = f"HTTP {status} {response.reason_phrase}".rstrip()
    retry_after = None
    if status in (429, 503):
        retry_after = retry_after_s(response.headers, max_retry_after_s)
        if retry_after is not None:
            message += f" (retry after {retry_after:g}s)"
    reason = "gone" if status == 410 else "http_status"
    return FetchError(url, message, reason=reason, status=status, retry_after_s=retry_after)


def retry_after_s(headers: Mapping[str, str], cap_s: float) -> float | None:
    """Seconds a Retry-After asks for, capped; an HTTP-date counts from the response's Date."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return min(float(value), cap_s)
    when = _http_date(value)
    if when is None:
        return None
    now = _http_date(headers.get("date", "")) or datetime.now(UTC)
    return min(max((when - now).total_seconds(), 0.0), cap_s)


def cache_lifetime(headers: Mapping[str, str]) -> float | None:
    """How long the response says it stays fresh: Cache-Control max-age, else Expires."""
    control = headers.get("cache-control", "").lower()
    for directive in control.split(","):
        name, _, value = directive.strip().partition("=")
        if name in ("no-cache", "no-store"):
            return None
        if name == "max-age" and value.strip('"').isdigit():
            return float(value.strip('"'))
    expires = _http_date(headers.get("expires", ""))
    if expires is None:
        return None
    now = _http_date(headers.get("date", "")) or datetime.now(UTC)
    return max((expires - now).total_seconds(), 0.0)


def _http_date(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


async def _check_scheme(request: httpx.Request) -> None:
    """Refuse any request, a redirect's included, that is not http or https."""
    if request.url.scheme not in ("http", "https"):
        raise FetchError(str(request.url), "only http and https are fetched",
                         reason="scheme")


def parser_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Response headers for the parser (lower-case), minus transport-level ones."""
    return {k.lower(): v for k, v in headers.items() if k.lower() not in _TRANSPORT_HEADERS}


def _map_httpx_error(url: str, exc: httpx.HTTPError) -> FetchError:
    """The most specific FetchError for an httpx exception, with a stable reason."""
    reason = "http"
    if isinstance(exc, httpx.TooManyRedirects):
        reason = "redirects"
    elif isinstance(exc, httpx.UnsupportedProtocol):
        reason = "scheme"
    elif isinstance(exc, httpx.TimeoutException):
        reason = "timeout"
    elif isinstance(exc, httpx.ConnectError):
        reason = "dns" if _is_dns_failure(exc) else "connect"
    elif isinstance(exc, httpx.DecodingError):
        reason = "decoding"
    elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        reason = "protocol"
    message = str(exc) or type(exc).__name__
    return FetchError(url, message, reason=reason)


def _is_dns_failure(exc: BaseException) -> bool:
    """True when a connect error was a failed name lookup, not a refused connection."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    return "name or service not known" in text or "name resolution" in text \
        or "errno -2" in text or "errno -3" in text or "errno -5" in text
