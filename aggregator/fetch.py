"""Download one feed politely and within bounds; the only module that imports httpx.

One ``Fetcher`` (one ``httpx.AsyncClient``) serves the whole process so that
connections are pooled.  Concurrency is bounded twice: a global semaphore
(``settings.concurrency``) and one per host (``settings.per_host``), so a
thousand feeds on one site never open a thousand connections to it.

Every failure becomes a ``FetchError`` with a stable ``reason`` (see
``errors.py``); a 304 is a normal ``FetchResult``.  The body is read as a
stream and cut off at ``max_body_bytes`` both on the wire and after
decompression, and the whole exchange is bounded by ``timeout_s``, so a
server that drips one byte a second cannot hold a slot for ever.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from aggregator.errors import FetchError
from aggregator.models import FetchResult, Settings, Validators

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
# Headers the parser must not see: the body it gets is already decoded.
_TRANSPORT_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class Fetcher:
    """A shared HTTP client with global and per-host limits; use as an async context."""

    def __init__(self, settings: Settings, *,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent, "Accept": ACCEPT},
            timeout=httpx.Timeout(settings.timeout_s, connect=settings.connect_timeout_s),
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            limits=httpx.Limits(max_connections=settings.concurrency * 2,
                                max_keepalive_connections=settings.concurrency),
            transport=transport,
            event_hooks={"request": [_check_scheme]},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    def _host_limit(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        limit = self._hosts.get(host)
        if limit is None:
            limit = self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        return limit

    async def fetch(self, url: str, validators: Validators | None = None) -> FetchResult:
        """GET ``url`` conditionally; a FetchResult for 200/304, FetchError otherwise."""
        validators = validators or Validators()
        async with self._global, self._host_limit(url):
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.settings.timeout_s):
                    return await self._get(url, validators, started)
            except TimeoutError:
                raise FetchError(url, f"no complete response within "
                                 f"{self.settings.timeout_s:g}s", reason="timeout") from None
            except httpx.HTTPError as exc:
                raise _map_httpx_error(url, exc) from exc

    async def _get(self, url: str, validators: Validators, started: float) -> FetchResult:
        headers = {}
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        async with self._client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return self._result(url, response, None, validators, started)
            if response.status_code != 200:
                raise FetchError(url, f"HTTP {response.status_code} "
                                 f"{response.reason_phrase}".rstrip(),
                                 reason="http_status", status=response.status_code)
            body = await self._read_bounded(url, response)
            fresh = Validators(etag=response.headers.get("etag"),
                               last_modified=response.headers.get("last-modified"))
            return self._result(url, response, body, fresh, started)

    async def _read_bounded(self, url: str, response: httpx.Response) -> bytes:
        """The decoded body, or FetchError('too_large') as soon as a limit is passed."""
        limit = self.settings.max_body_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"body of {declared} bytes is over the {limit}-byte limit",
                             reason="too_large", status=response.status_code)
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit or response.num_bytes_downloaded > limit:
                raise FetchError(url, f"body is over the {limit}-byte limit "
                                 "(after decompression)", reason="too_large",
                                 status=response.status_code)
            chunks.append(chunk)
        return b"".join(chunks)

    @staticmethod
    def _result(url: str, response: httpx.Response, body: bytes | None,
                validators: Validators, started: float) -> FetchResult:
        return FetchResult(
            url=url,
            final_url=str(response.url),
            status=response.status_code,
            headers=parser_headers(response.headers),
            body=body,
            validators=validators,
            bytes_read=response.num_bytes_downloaded,
            duration_s=time.monotonic() - started,
        )


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
    return "name or service not known" in text or "name resolution" in text
