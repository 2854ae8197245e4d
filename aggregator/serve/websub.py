"""WebSub, publisher side: advertise a hub on the outputs and ping it when they change.

A WebSub (W3C Recommendation, 23 January 2018) subscriber learns the hub and
the topic from the ``Link`` header of the feed (``rel="hub"``, ``rel="self"``;
section 4), subscribes there, and is then pushed new content instead of
polling.  The hub only knows that a topic changed when the publisher tells it.

How to tell the hub is *not* specified: section 6 leaves it to hub and
publisher ("any mechanism").  What hubs accept in practice, a POST of
``application/x-www-form-urlencoded`` with ``hub.mode=publish`` and:

- ``hub.url``: Google's hub (pubsubhubbub.appspot.com; repeatable there),
  Switchboard, websubhub.com ("for backwards compatibility");
- ``hub.topic``: websubhub.com (preferred), other recent hubs, some of which
  require it and read ``hub.url`` as "where to fetch the content".

Switchboard (PHP) and websubhub.com (Plug) read one value per name: of
repeated keys they keep the last.

So each ping carries *both* names with the same URL, which every hub above
reads correctly, and by default there is one POST per topic: those hubs
would otherwise silently drop all topics but the last.  ``batch=True``
sends one POST with every topic repeated, for hubs known to take lists
(Google's).

A hub being down must never hurt the service: failures are logged
(``logging.getLogger(__name__)``) and the topics are pinged again with the
next change; nothing here raises on a network error or an error status.

This module imports httpx (besides ``fetch``) for the injected client's
type and exceptions; the client belongs to the caller, and ``hub_client``
makes a suitable one so that callers need not import httpx.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator, Sequence
from urllib.parse import quote, urlencode, urlsplit

import httpx

log = logging.getLogger(__name__)

PING_TIMEOUT_S = 10.0  # per ping; a hub answers a publish at once and works afterwards
MIN_INTERVAL_S = 5.0  # default spacing of pings: a fetch cycle's burst of changes is one ping
CLOSE_TIMEOUT_S = 5.0  # default time aclose() gives a last ping before cancelling it
_FORM = "application/x-www-form-urlencoded"
_LOGGED_BODY_CHARS = 200  # of a refusing hub's answer; hubs explain 4xx in the body

# RFC 3986 reserved characters plus "%": kept as they are, so a URL that is
# already valid comes out unchanged; anything else (space, <, >, ", non-ASCII,
# controls) is percent-encoded, so it cannot end the <...> or split the header.
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~"


def _absolute_url(url: str, what: str) -> str:
    """``url`` percent-encoded for a header; ValueError unless absolute http(s)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{what} {url!r} is not an absolute http(s) URL")
    return quote(url.strip(), safe=_URI_SAFE)


def hub_links(hub_url: str, self_url: str) -> str:
    """The ``Link`` header value for a topic: ``<hub>; rel="hub", <self>; rel="self"``.

    WebSub section 4: the topic's response carries one ``rel="hub"`` link per
    hub and exactly one ``rel="self"`` link, the canonical topic URL, which is
    what subscribers subscribe to and what ``HubNotifier.notify`` must ping,
    byte for byte (hubs key subscriptions by that string).  Both URLs must be
    absolute http(s) (ValueError otherwise); characters that could break the
    header are percent-encoded (RFC 8288 section 3: a URI-Reference in <>).
    """
    hub = _absolute_url(hub_url, "hub URL")
    topic = _absolute_url(self_url, "self URL")
    return f'<{hub}>; rel="hub", <{topic}>; rel="self"'


def hub_client(user_agent: str, timeout_s: float = PING_TIMEOUT_S) -> httpx.AsyncClient:
    """A client for ``HubNotifier``, so callers need not import httpx themselves.

    Its own client, not the fetcher's: pings must not queue behind feed
    fetches, nor count against their per-host limits.  No redirects: a
    redirected POST becomes a GET and the ping is lost, so a moved hub should
    show up in the log (HTTP 301) and be fixed in the config.  Proxy settings
    come from the environment, as for the fetcher.  The caller closes it.
    """
    return httpx.AsyncClient(
        headers={"User-Agent": user_agent},
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
        follow_redirects=False,
    )


class HubNotifier:
    """Tells one WebSub hub that topics changed, at most once per ``min_interval_s``.

    ``notify`` never waits for the network: it records the topics and a
    background task pings the hub ``min_interval_s`` after the first change
    not yet pinged, so a burst of changes (one fetch cycle storing many
    feeds) becomes one ping and a hub is never pinged more often than that.
    Topics of calls within the interval are merged (every topic that changed
    since the last ping is pinged once).  A topic whose ping failed (network
    error or non-2xx) is logged and pinged again with the next ``notify``;
    there is no retry timer, so a dead hub costs one attempt per change.

    Task safety: use from one event loop; ``notify``, ``flush`` and
    ``aclose`` are coroutines for that reason.  Call ``aclose`` before the
    loop ends so no task is left pending; it does not close ``client``.
    """

    def __init__(self, hub_url: str, client: httpx.AsyncClient, *,
                 min_interval_s: float = MIN_INTERVAL_S, batch: bool = False) -> None:
        if min_interval_s < 0:
            raise ValueError("min_interval_s must not be negative")
        self.hub_url = _absolute_url(hub_url, "hub URL")
        self.client = client
        self.min_interval_s = min_interval_s
        self.batch = batch
        self._pending: dict[str, None] = {}  # an ordered set: topics not yet pinged
        self._failed: dict[str, None] = {}  # topics whose last ping failed
        self._due = 0.0  # loop time at which the pending ping may go out
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()  # set by flush/aclose: skip the wait
        self._closed = False

    async def notify(self, topic_urls: Sequence[str]) -> None:
        """Schedule a ping for ``topic_urls`` (and any whose last ping failed); no I/O here.

        The URLs must be the exact ``rel="self"`` URLs the outputs advertise.
        RuntimeError after ``aclose``: a change nobody will announce is a bug.
        """
        if self._closed:
            raise RuntimeError("HubNotifier.notify() after aclose()")
        if not topic_urls:
            return
        loop = asyncio.get_running_loop()
        if not self._pending:
            self._due = loop.time() + self.min_interval_s
        self._pending.update(self._failed)
        self._failed.clear()
        self._pending.update(dict.fromkeys(topic_urls))
        if self._task is None:
            self._task = loop.create_task(self._run(), name="websub-ping")

    async def flush(self) -> None:
        """Send a pending ping now, ignoring the interval, and wait until it is done.

        For a one-shot command (publish, ping, exit) and for shutdown.
        Never raises for the hub's sake; failures are logged as always.
        """
        task = self._task
        if task is None:
            return
        self._wake.set()
        await asyncio.wait({task})

    async def aclose(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Flush a pending ping, giving it ``timeout_s``; then cancel it.  Idempotent.

        Afterwards no task of ours is left on the loop.  The client stays open:
        it was injected, its owner closes it (after this).
        """
        self._closed = True
        task = self._task
        if task is None:
            return
        self._wake.set()
        done, _ = await asyncio.wait({task}, timeout=timeout_s)
        if not done:
            task.cancel()
            await asyncio.wait({task})
            log.warning("WebSub hub %s: ping abandoned at shutdown after %.1fs",
                        self.hub_url, timeout_s)

    async def _run(self) -> None:
        """The one background task: wait until due (or woken), ping, repeat while pending."""
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                delay = self._due - loop.time()
                if delay > 0 and not self._wake.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), delay)
                topics = list(self._pending)
                self._pending.clear()
                try:
                    await self._ping(topics)
                except Exception:  # a bug here must not end pings for good
                    log.exception("WebSub hub %s: ping failed unexpectedly", self.hub_url)
                    self._failed.update(dict.fromkeys(topics))
        finally:
            self._task = None
            self._wake.clear()

    def _bodies(self, topics: list[str]) -> Iterator[tuple[list[str], list[tuple[str, str]]]]:
        """The POSTs to make: (topics covered, form fields); see the module docstring."""
        if self.batch:
            fields = [("hub.mode", "publish")]
            fields += [(name, t) for t in topics for name in ("hub.url", "hub.topic")]
            yield topics, fields
            return
        for topic in topics:
            yield [topic], [("hub.mode", "publish"), ("hub.url", topic), ("hub.topic", topic)]

    async def _ping(self, topics: list[str]) -> None:
        """POST the topics; record and log failures, raise nothing for the hub's sake.

        A network error ends the round (the other topics would fail the same
        way, each after a timeout); an error status is per POST, so the rest
        are still tried.
        """
        posts = list(self._bodies(topics))
        for index, (covered, fields) in enumerate(posts):
            try:
                response = await self.client.post(
                    self.hub_url, content=urlencode(fields).encode("ascii"),
                    headers={"Content-Type": _FORM})
            except httpx.HTTPError as exc:
                unsent = [t for rest, _ in posts[index:] for t in rest]
                self._failed.update(dict.fromkeys(unsent))
                log.warning("WebSub hub %s unreachable (%s: %s); %d topic(s) will be "
                            "pinged again with the next change", self.hub_url,
                            type(exc).__name__, exc, len(unsent))
                return
            if response.is_success:
                log.debug("WebSub hub %s accepted %s (HTTP %d)", self.hub_url,
                          ", ".join(covered), response.status_code)
                continue
            self._failed.update(dict.fromkeys(covered))
            log.warning("WebSub hub %s refused the ping for %s (HTTP %d: %s); it will be "
                        "pinged again with the next change", self.hub_url, ", ".join(covered),
                        response.status_code,
                        " ".join(response.text[:_LOGGED_BODY_CHARS].split()) or "no reason")
