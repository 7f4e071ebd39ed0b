"""The notifier's outbound calls, each behind a small Protocol and each with a timeout: name resolution,
the webhook POST, and SMTP.

A webhook URL is chosen by an integrator, so the POST goes only to an address that passed the outbound check
(webhooks.check_url) in the same attempt: GuardedSender resolves the host once, checks the answer, and has
httpx connect to exactly those addresses. Checking first and letting the HTTP client resolve the name again
would let a DNS-rebinding name answer a public address to the check and 127.0.0.1 or 169.254.169.254 to
the connection.
"""

from __future__ import annotations

import asyncio
import ipaddress
import smtplib
import socket
import ssl
import time
from collections.abc import AsyncGenerator, Iterable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol, cast

import httpcore
import httpx

from .domain.webhooks import RefusedUrl, check_url, host_of


class Resolver(Protocol):
    async def resolve(self, host: str) -> list[str]:
        """The addresses `host` resolves to (empty if it does not)."""


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str | None
    latency_ms: int


class Sender(Protocol):
    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Answer:
        """POST once; a timeout or a broken connection is an Answer with no status code, never an exception."""


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Hand the message to the mail server; raise if it was not accepted."""


@dataclass(frozen=True)
class SystemResolver:
    timeout_s: float

    async def resolve(self, host: str) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        try:
            infos = await asyncio.wait_for(
                asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM), self.timeout_s
            )
        except (OSError, TimeoutError):
            return []
        return sorted({str(info[4][0]).split("%")[0] for info in infos})


class GuardedSender:
    """The webhook POST, to an address checked in the same attempt.

    Each attempt resolves the URL's host once with `resolver`, refuses it (`Answer(None, "refused: …")`, no
    connection made) unless webhooks.check_url accepts those addresses with `allow_list`, and connects only
    to one of them, in the resolver's order. The request keeps the URL's host name in the Host header and in
    TLS (SNI, and the certificate is verified against the name), so https works as before.

    Also, because every attempt must be checked on its own: no connection outlives its attempt (a kept-alive
    connection would carry a later request past a check it would now fail); no redirects (a 3xx is a failed
    attempt, never a hop to somewhere unchecked); no proxies or .netrc from the environment (a proxy would
    resolve the name itself). The whole exchange is bounded by `timeout_s`; name resolution by the
    resolver's own timeout.
    """

    def __init__(
        self,
        resolver: Resolver,
        allow_list: Iterable[str],
        timeout_s: float,
        *,
        ssl_context: ssl.SSLContext | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._resolver = resolver
        self._allow_list = tuple(allow_list)
        self._timeout_s = timeout_s
        self._ssl_context = ssl_context or httpx.create_ssl_context()
        self._network_backend = network_backend or httpcore.AnyIOBackend()

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Answer:
        started = time.perf_counter()
        try:
            target, addresses = await self._checked(url)
        except RefusedUrl as exc:
            return Answer(None, f"refused: {exc}", _ms_since(started))
        transport = _PinnedTransport(_PinnedBackend(addresses, self._network_backend), self._ssl_context)
        async with httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(self._timeout_s),
            follow_redirects=False,
            trust_env=False,
            headers={"user-agent": USER_AGENT},
        ) as client:
            try:
                async with asyncio.timeout(self._timeout_s):  # bounds the whole exchange, not each read
                    response = await client.post(target, headers=headers, content=body)
                return Answer(response.status_code, None, _ms_since(started))
            except TimeoutError:
                return Answer(None, f"timed out after {self._timeout_s:g}s", _ms_since(started))
            except httpx.HTTPError as exc:
                return Answer(
                    None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, _ms_since(started)
                )

    async def close(self) -> None:
        """Nothing to release: no connection outlives its attempt."""

    async def _checked(self, url: str) -> tuple[httpx.URL, tuple[str, ...]]:
        """The URL as httpx will send it and the addresses its host resolves to now, or RefusedUrl if Docket
        may not call them (a URL httpx cannot send is refused here, not raised later)."""
        host = host_of(url)
        try:
            target = httpx.URL(url)
            target.host  # noqa: B018 -- decodes IDNA labels, which httpx otherwise does only when sending
        except (httpx.InvalidURL, ValueError) as exc:
            raise RefusedUrl(f"is not a valid URL: {exc}") from None
        addresses = await self._resolver.resolve(host)
        check_url(url, addresses, self._allow_list)
        return target, tuple(addresses)


USER_AGENT = "Docket-Webhooks/1"


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting to the checked addresses whatever host httpcore names.

    httpcore passes the URL's host to connect_tcp and, for https, the same host to start_tls as
    server_hostname; swapping only the TCP destination keeps SNI and certificate checks on the name.
    One backend serves one attempt, so the addresses are never stale.
    """

    def __init__(self, addresses: Sequence[str], inner: httpcore.AsyncNetworkBackend) -> None:
        if not addresses:
            raise ValueError("no checked address to connect to")
        self._addresses = tuple(addresses)
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        failures: list[str] = []
        for address in self._addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failures.append(f"{_netloc(address, port)}: {exc or type(exc).__name__}")
        raise httpcore.ConnectError(f"could not connect to {host} at {'; '.join(failures)}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are not sent over unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _netloc(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


# The most of an answer's body an attempt reads (give or take one network read); the rest stays unread.
ANSWER_READ_LIMIT = 64 * 1024


class _PinnedTransport(httpx.AsyncBaseTransport):
    """What httpx.AsyncHTTPTransport does without a proxy, over a connection pool with our network backend
    (httpx offers no public way to give its transport one), and without keep-alive or retries.

    The answer's body is not kept: the status decides, and an integrator's endpoint answering 200 with
    gigabytes (or a small compressed body that inflates to them) must not fill the notifier's memory. Up to
    ANSWER_READ_LIMIT bytes are read and dropped, so that an ordinary short answer ends its exchange cleanly;
    then the connection is closed, with whatever is left unread.
    """

    def __init__(self, backend: httpcore.AsyncNetworkBackend, ssl_context: ssl.SSLContext) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            network_backend=backend,
            max_keepalive_connections=0,
            http1=True,
            http2=False,
            retries=0,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = await self._pool.handle_async_request(core)
            try:
                await _skim(response, ANSWER_READ_LIMIT)
            finally:
                await response.aclose()  # closes the connection: no keep-alive, and the rest is left unread
        except Exception as exc:
            raise _as_httpx_error(exc, request) from exc
        return httpx.Response(
            response.status, headers=response.headers, extensions=response.extensions, request=request
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


async def _skim(response: httpcore.Response, limit: int) -> int:
    """Read and drop the body until its end or until `limit` bytes were read (the last network read may take
    it past `limit` by up to one read buffer, 64 KiB in httpcore); returns how many bytes were read."""
    read = 0
    # httpcore declares an AsyncIterator; it is an async generator, which aclosing closes when the loop breaks.
    stream = cast("AsyncGenerator[bytes, None]", response.aiter_stream())
    async with aclosing(stream) as chunks:
        async for chunk in chunks:
            read += len(chunk)
            if read >= limit:
                break
    return read


# httpcore's exceptions and the httpx ones callers expect, most specific first (the names are the same).
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
)


def _as_httpx_error(exc: Exception, request: httpx.Request) -> Exception:
    """The httpx exception for an httpcore one, so that callers catch httpx.HTTPError as with httpx's own
    transport; anything else unchanged."""
    for core_type, httpx_type in _HTTPX_ERRORS:
        if isinstance(exc, core_type):
            return httpx_type(str(exc), request=request)
    return exc


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


class PlainLogin(Exception):
    """A login at the mail server was asked for over a connection that is not encrypted."""


@dataclass(frozen=True)
class SmtpMailer:
    """E-mail through one mail server. With `starttls`, the connection is upgraded before anything else is said,
    and the server's certificate is verified against `host` (the system's trusted CAs, or `ssl_context`'s); a
    server that offers no STARTTLS, or a certificate that does not verify, fails the attempt. A login is only
    ever sent over that encrypted connection: a username without `starttls` is refused, before connecting."""

    host: str
    port: int
    timeout_s: float
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    ssl_context: ssl.SSLContext | None = None

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        if self.username and not self.starttls:
            raise PlainLogin("the mail server's login is sent only over STARTTLS (SMTP_STARTTLS)")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls(context=self.ssl_context or ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
