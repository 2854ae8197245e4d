"""Connections for the fetcher: to checked addresses only, and cheap to keep alive.

``GuardedBackend`` is the network backend of httpx's connection pool (see
``guarded_transport``).  It resolves each host once and connects only to an
address it checked, so a redirect cannot rebind a public name to a private
address between the check and the connect.  The streams it returns answer
the pool's keep-alive checks with one system call (``PooledStream``).
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import select
import socket
import typing
from collections.abc import Iterable

import httpcore
import httpx

from aggregator.errors import FetchError

# Whether the connection being opened may reach a non-public address; set per hop.
allow_private: contextvars.ContextVar[bool] = contextvars.ContextVar("allow_private",
                                                                     default=True)


def is_public_address(address: str) -> bool:
    """True for a globally routable address (not loopback, private, link-local, ...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host once, checks the addresses, and connects to a checked one.

    Checking a name and then letting the socket layer resolve it again would
    leave a window for DNS rebinding; here the address that passed is the
    address connected to.  TLS still verifies the certificate against the
    host name (httpcore passes the origin's name as SNI).
    """

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int,
                          timeout: float | None = None,  # noqa: ASYNC109 - httpcore's API
                          local_address: str | None = None,
                          socket_options: Iterable[typing.Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        addresses = await _resolve(host, port)
        if not allow_private.get():
            public = [a for a in addresses if is_public_address(a)]
            if not public:
                raise FetchError(f"http://{host}:{port}/", f"redirect to {host}, which "
                                 f"resolves to a non-public address ({', '.join(addresses)})",
                                 reason="private_address")
            addresses = public
        error: Exception | None = None
        for address in addresses:
            try:
                stream = await self.inner.connect_tcp(address, port, timeout=timeout,
                                                      local_address=local_address,
                                                      socket_options=socket_options)
                return PooledStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, path: str,
                                  timeout: float | None = None,  # noqa: ASYNC109
                                  socket_options: Iterable[typing.Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        return await self.inner.connect_unix_socket(path, timeout=timeout,
                                                    socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class PooledStream(httpcore.AsyncNetworkStream):
    """A connection that tells the pool whether the server closed it with one poll(2).

    httpcore asks every connection it holds whether it has expired each time
    it assigns a request or takes one back: with 16 kept alive, about 32
    times a request.  anyio answers ``is_readable`` by building a dict of all
    of a socket's attributes (peer name included) and httpcore then makes a
    new poll object: on an all-304 cycle that was a third of the CPU.  Here
    the socket and a poll object registered on it are kept for the
    connection's life.
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")
        self._poll: typing.Any = None
        if self._socket is not None and hasattr(select, "poll"):
            self._poll = select.poll()
            self._poll.register(self._socket.fileno(), select.POLLIN)

    async def read(self, max_bytes: int,
                   timeout: float | None = None) -> bytes:  # noqa: ASYNC109 - httpcore's API
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes,
                    timeout: float | None = None) -> None:  # noqa: ASYNC109 - httpcore's API
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        self._poll = None
        await self._inner.aclose()

    async def start_tls(self, ssl_context: typing.Any, server_hostname: str | None = None,
                        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's API
                        ) -> httpcore.AsyncNetworkStream:
        self._poll = None  # the TLS stream polls the same socket through its own wrapper
        return PooledStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        if info == "is_readable" and self._poll is not None and self._socket is not None:
            # A closed socket counts as readable (expired), as in httpcore's own check.
            return self._socket.fileno() < 0 or bool(self._poll.poll(0))
        return self._inner.get_extra_info(info)


async def _resolve(host: str, port: int) -> list[str]:
    """Every address of ``host``, in resolver order, without repeats."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [host]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"[Errno {exc.errno}] {exc.strerror}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def guarded_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    """httpx's transport with its connection pool using a GuardedBackend.

    httpx does not take a network backend as an argument; its pool does, so
    we set it on the pool, and give the pool OnePerConnectionPool's request
    assignment where this httpcore has the internals it relies on.  With a
    proxy from the environment the proxy resolves names and there is nothing
    to guard here.
    """
    transport = httpx.AsyncHTTPTransport(limits=limits)
    pool = getattr(transport, "_pool", None)
    if type(pool) is httpcore.AsyncConnectionPool:
        pool._network_backend = GuardedBackend()
        if OnePerConnectionPool.fits(pool):
            pool.__class__ = OnePerConnectionPool
    return transport


class OnePerConnectionPool(httpcore.AsyncConnectionPool):
    """httpcore's pool, handing an HTTP/1.1 connection to one waiting request at a time.

    httpcore 1.0.9 gives the first available connection to every queued
    request in a pass, and again to a new request while the one it went to
    has not started on it yet (it stays idle until then).  All but one then
    fail with ConnectionNotAvailable and go round the pool again, each round
    scanning every connection (encode/httpcore#1035, #822).  With 16
    requests in flight to one host that was ten rounds a request and more
    than half the CPU of an all-304 cycle.  Here a connection already handed
    to a request is neither handed out again nor closed as surplus (#1110),
    and each pass looks at every connection once.  We never enable HTTP/2,
    whose connections would take several requests.
    """

    @staticmethod
    def fits(pool: httpcore.AsyncConnectionPool) -> bool:
        """Whether ``pool`` has the internals this assignment reads (httpcore 1.0.x)."""
        names = ("_requests", "_connections", "_max_connections", "_max_keepalive_connections")
        return httpcore.__version__.startswith("1.0.") and not getattr(pool, "_http2", True) \
            and all(hasattr(pool, name) for name in names)

    def _assign_requests_to_connections(self) -> list[typing.Any]:
        """Drop closed and expired connections, then give each queued request its own one.

        Returns the connections to close, as httpcore's own does.
        """
        spoken = {id(r.connection) for r in self._requests if r.connection is not None}
        closing: list[typing.Any] = []
        kept: list[typing.Any] = []
        idle: list[typing.Any] = []
        for connection in self._connections:
            if connection.is_closed():
                continue
            if connection.has_expired():
                closing.append(connection)
            elif id(connection) in spoken or not connection.is_idle():
                kept.append(connection)
            elif len(idle) < self._max_keepalive_connections:
                kept.append(connection)
                idle.append(connection)
            else:
                closing.append(connection)
        self._connections = kept
        for request in [r for r in self._requests if r.is_queued()]:
            origin = request.request.url.origin
            chosen = next((c for c in idle if c.can_handle_request(origin)
                           and c.is_available()), None)
            if chosen is not None:
                idle.remove(chosen)
            else:
                if len(self._connections) >= self._max_connections:
                    if not idle:
                        continue  # wait for a response to finish
                    surplus = idle.pop(0)
                    self._connections.remove(surplus)
                    closing.append(surplus)
                chosen = self.create_connection(origin)
                self._connections.append(chosen)
            request.assign_to_connection(chosen)
        return closing
