"""GuardedSender: each attempt connects only to the address its own outbound check accepted.

Nothing leaves the machine: the receivers are tiny servers on 127.0.0.1, and connections to any other
address go through a recording network backend that refuses them without touching the network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpcore
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.notifier.outbound import ANSWER_READ_LIMIT, GuardedSender

PUBLIC = "93.184.216.34"
BODY = b'{"type":"docket.case.closed"}'
HEADERS = {"webhook-id": "d-1", "content-type": "application/cloudevents+json"}


# --- fakes ------------------------------------------------------------------------------------------------


@dataclass
class ScriptedResolver:
    """Answers the scripted address lists in turn (the last one from then on), like a rebinding name."""

    answers: list[list[str]]
    asked: list[str] = field(default_factory=list)

    async def resolve(self, host: str) -> list[str]:
        self.asked.append(host)
        return self.answers[min(len(self.asked), len(self.answers)) - 1]


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Records every connection attempt; connects for real to loopback only and fails anything else as
    unreachable, so that tests never leave the machine. A name instead of an address is a test failure."""

    def __init__(self) -> None:
        self.connects: list[tuple[str, int]] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        if ipaddress.ip_address(host).is_loopback:
            return await self._real.connect_tcp(host, port, timeout, local_address, socket_options)
        raise httpcore.ConnectError("unreachable (test backend)")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class TlsRecordingStream(httpcore.AsyncNetworkStream):
    """A connected stream that records the TLS handshake it is asked for, then fails it."""

    def __init__(self, handshakes: list[str | None]) -> None:
        self._handshakes = handshakes

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        self._handshakes.append(server_hostname)
        raise httpcore.ConnectError("handshake stopped (test stream)")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        raise AssertionError("nothing is read before TLS")

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        raise AssertionError("nothing is written before TLS")

    async def aclose(self) -> None:
        pass


class TlsRecordingBackend(RecordingBackend):
    def __init__(self) -> None:
        super().__init__()
        self.handshakes: list[str | None] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        return TlsRecordingStream(self.handshakes)


@dataclass(frozen=True)
class Received:
    head: dict[str, str]
    request_line: str
    body: bytes


class Receiver:
    """A tiny HTTP/1.1 server on 127.0.0.1 that records what reaches it and answers `status` (or, with
    `answer=False`, never answers)."""

    def __init__(
        self, status: int = 204, extra: str = "", answer: bool = True, tls: ssl.SSLContext | None = None
    ) -> None:
        self.received: list[Received] = []
        self._status, self._extra, self._answer, self._tls = status, extra, answer, tls
        self.port = 0

    async def __aenter__(self) -> Receiver:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self._tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            raw = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            head = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in raw[1:] if line)}
            body = await reader.readexactly(int(head.get("content-length", "0")))
            self.received.append(Received(head, raw[0], body))
            if self._answer:
                writer.write(
                    f"HTTP/1.1 {self._status} X\r\ncontent-length: 0\r\n{self._extra}connection: close\r\n\r\n".encode()
                )
                await writer.drain()
            else:
                await reader.read()  # until the sender gives up and hangs up
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


# --- the check and the connection are one ------------------------------------------------------------------


async def test_a_delivery_reaches_the_checked_address_with_the_host_name_and_body():
    resolver = ScriptedResolver([["127.0.0.1"]])
    async with Receiver(status=200) as receiver:
        # hooks.test has no DNS entry: only the pinned address can have been connected to.
        sender = GuardedSender(resolver, ["127.0.0.1"], timeout_s=5)
        answer = await sender.post(f"http://hooks.test:{receiver.port}/hook?x=1", HEADERS, BODY)
    assert (answer.status_code, answer.error) == (200, None)
    assert resolver.asked == ["hooks.test"]
    [request] = receiver.received
    assert request.request_line == "POST /hook?x=1 HTTP/1.1"
    assert request.head["host"] == f"hooks.test:{receiver.port}"
    assert request.head["webhook-id"] == "d-1" and request.head["user-agent"] == "Docket-Webhooks/1"
    assert request.body == BODY


@pytest.mark.parametrize("order", ["public first", "loopback first"])
async def test_a_rebinding_name_never_gets_a_request_to_loopback(order):
    answers = [[PUBLIC], ["127.0.0.1"]] if order == "public first" else [["127.0.0.1"], [PUBLIC]]
    resolver, backend = ScriptedResolver(answers), RecordingBackend()
    async with Receiver(status=200) as receiver:
        sender = GuardedSender(resolver, [], timeout_s=5, network_backend=backend)
        url = f"https://rebind.test:{receiver.port}/hook"
        first, second = [await sender.post(url, HEADERS, BODY) for _ in range(2)]
    assert resolver.asked == ["rebind.test", "rebind.test"]  # once per attempt, never by the HTTP client
    assert backend.connects == [(PUBLIC, receiver.port)]  # only ever the address the check accepted
    assert receiver.received == []
    to_public, refused = (first, second) if order == "public first" else (second, first)
    assert to_public.status_code is None and to_public.error is not None
    assert to_public.error.startswith("ConnectError: ") and PUBLIC in to_public.error
    assert refused.status_code is None and refused.error is not None
    assert refused.error.startswith("refused: host rebind.test resolves to") and "(loopback)" in refused.error
    assert "127.0.0.1" not in refused.error  # the integrator reads it: the kind, never the address


@pytest.mark.parametrize(
    "addresses",
    [
        ["169.254.169.254"],
        ["127.0.0.1"],
        ["10.0.0.1"],
        ["::ffff:127.0.0.1"],
        ["64:ff9b::a9fe:a9fe"],
        ["2002:7f00:1::1"],
        [PUBLIC, "192.168.1.1"],
        [],
    ],
)
async def test_a_refused_address_is_answered_without_any_connection(addresses):
    backend = RecordingBackend()
    sender = GuardedSender(ScriptedResolver([addresses]), [], timeout_s=5, network_backend=backend)
    answer = await sender.post("https://hooks.example/hook", HEADERS, BODY)
    assert answer.status_code is None and answer.error is not None and answer.error.startswith("refused: ")
    assert answer.latency_ms >= 0
    assert backend.connects == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://hooks.example/", "refused: must be an absolute http or https URL"),
        ("https://hooks.example/\x01", "refused: is not a valid URL: Invalid non-printable ASCII character"),
        ("https://xn--/hook", "refused: is not a valid URL"),
    ],
)
async def test_a_bad_url_is_refused_before_any_lookup(url, reason):
    resolver = ScriptedResolver([[PUBLIC]])
    answer = await GuardedSender(resolver, [], timeout_s=5).post(url, HEADERS, BODY)
    assert answer.status_code is None and answer.error is not None and answer.error.startswith(reason)
    assert resolver.asked == []


async def test_no_connection_outlives_its_attempt():
    # The second attempt's answer is no longer allow-listed: a kept-alive connection must not carry it.
    resolver, backend = ScriptedResolver([["127.0.0.1"], ["10.0.0.1"]]), RecordingBackend()
    async with Receiver(status=200) as receiver:
        sender = GuardedSender(resolver, ["127.0.0.1/32"], timeout_s=5, network_backend=backend)
        url = f"http://hooks.test:{receiver.port}/hook"
        first, second = [await sender.post(url, HEADERS, BODY) for _ in range(2)]
    assert first.status_code == 200
    assert second.status_code is None and second.error is not None and "(private)" in second.error
    assert len(receiver.received) == 1 and backend.connects == [("127.0.0.1", receiver.port)]


async def test_the_checked_addresses_are_tried_in_turn():
    resolver, backend = ScriptedResolver([[PUBLIC, "127.0.0.1"]]), RecordingBackend()
    async with Receiver(status=202) as receiver:
        sender = GuardedSender(resolver, [PUBLIC, "127.0.0.1"], timeout_s=5, network_backend=backend)
        answer = await sender.post(f"http://hooks.test:{receiver.port}/hook", HEADERS, BODY)
    assert answer.status_code == 202
    assert backend.connects == [(PUBLIC, receiver.port), ("127.0.0.1", receiver.port)]


async def test_a_redirect_is_an_answer_not_a_hop():
    async with Receiver(status=302, extra="location: http://127.0.0.1:1/elsewhere\r\n") as receiver:
        sender = GuardedSender(ScriptedResolver([["127.0.0.1"]]), ["127.0.0.1"], timeout_s=5)
        answer = await sender.post(f"http://hooks.test:{receiver.port}/hook", HEADERS, BODY)
    assert (answer.status_code, answer.error) == (302, None)
    assert len(receiver.received) == 1


async def test_the_whole_exchange_is_bounded_by_the_timeout():
    async with Receiver(answer=False) as receiver:
        sender = GuardedSender(ScriptedResolver([["127.0.0.1"]]), ["127.0.0.1"], timeout_s=0.2)
        answer = await sender.post(f"http://hooks.test:{receiver.port}/hook", HEADERS, BODY)
    assert (answer.status_code, answer.error) == (None, "timed out after 0.2s")
    assert len(receiver.received) == 1


async def test_a_closed_port_is_an_answer_not_an_exception():
    async with Receiver() as receiver:
        port = receiver.port
    answer = await GuardedSender(ScriptedResolver([["127.0.0.1"]]), ["127.0.0.1"], timeout_s=5).post(
        f"http://hooks.test:{port}/hook", HEADERS, BODY
    )
    assert answer.status_code is None and answer.error is not None
    assert answer.error.startswith("ConnectError: could not connect to hooks.test at 127.0.0.1:")


class CountingStream(httpcore.AsyncNetworkStream):
    """A real connection that counts the bytes the sender takes off it."""

    def __init__(self, inner: httpcore.AsyncNetworkStream, backend: CountingBackend) -> None:
        self._inner, self._backend = inner, backend

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = await self._inner.read(max_bytes, timeout)
        self._backend.read += len(data)
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        self._backend.closed = True
        await self._inner.aclose()


class CountingBackend(RecordingBackend):
    def __init__(self) -> None:
        super().__init__()
        self.read, self.closed = 0, False

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return CountingStream(await super().connect_tcp(host, port, timeout, local_address, socket_options), self)


class Flood:
    """A tiny server on 127.0.0.1 that answers 200 with a body of `size` bytes, streamed in 64 KiB pieces
    (with a Content-Length, or chunked), and records how much of it it could write before the sender hung up."""

    PIECE = b"x" * 65536

    def __init__(self, size: int, chunked: bool) -> None:
        self._size, self._chunked = size, chunked
        self.written, self.cut = 0, False
        self.done = asyncio.Event()

    async def __aenter__(self) -> Flood:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
            await reader.readexactly(int(head.split("content-length:")[1].split("\r\n")[0]))
            framing = "transfer-encoding: chunked" if self._chunked else f"content-length: {self._size}"
            writer.write(f"HTTP/1.1 200 OK\r\n{framing}\r\n\r\n".encode())
            while self.written < self._size:
                writer.write(b"10000\r\n" + self.PIECE + b"\r\n" if self._chunked else self.PIECE)
                await writer.drain()
                self.written += len(self.PIECE)
            if self._chunked:
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        except ConnectionError:
            self.cut = True
        finally:
            writer.close()
            self.done.set()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_huge_answer_is_not_read_the_status_decides(chunked):
    size = 64 * 1024 * 1024
    backend = CountingBackend()
    async with Flood(size, chunked) as flood:
        sender = GuardedSender(ScriptedResolver([["127.0.0.1"]]), ["127.0.0.1"], timeout_s=20, network_backend=backend)
        answer = await sender.post(f"http://hooks.test:{flood.port}/hook", HEADERS, BODY)
        await asyncio.wait_for(flood.done.wait(), 20)
    assert (answer.status_code, answer.error) == (200, None)
    assert backend.read <= ANSWER_READ_LIMIT + 65536 + 1024  # the limit, one network read and the head
    assert backend.closed
    # The sender hung up: the server's writes failed long before the end of the body (what it wrote is
    # what the kernels' buffers took in, a few MiB at most).
    assert flood.cut and flood.written < size // 4


# --- https keeps the host name ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "addresses", "host", "port"),
    [
        ("https://hooks.example/hook", [PUBLIC], "hooks.example", 443),
        ("https://Hooks.Example:8443/hook", ["2606:4700:4700::1111"], "hooks.example", 8443),
        (f"https://{PUBLIC}/hook", [PUBLIC], PUBLIC, 443),
    ],
)
async def test_tls_is_started_with_the_urls_host_name_not_the_address(url, addresses, host, port):
    backend = TlsRecordingBackend()
    sender = GuardedSender(ScriptedResolver([addresses]), [], timeout_s=5, network_backend=backend)
    answer = await sender.post(url, HEADERS, BODY)
    assert backend.connects == [(addresses[0], port)]
    assert backend.handshakes == [host]
    assert answer.status_code is None and answer.error is not None and "handshake stopped" in answer.error


def _certificate(name: str, directory: Path) -> tuple[Path, Path, bytes]:
    """A self-signed certificate for `name` (only: no IP address in it), its key, and its PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(pem)
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file, pem


@pytest.fixture
async def tls_receiver(tmp_path: Path) -> AsyncIterator[tuple[Receiver, ssl.SSLContext]]:
    cert_file, key_file, pem = _certificate("hooks.test", tmp_path)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    async with Receiver(status=200, tls=server) as receiver:
        yield receiver, ssl.create_default_context(cadata=pem.decode())


async def test_https_to_a_pinned_address_verifies_the_certificate_of_the_host_name(tls_receiver):
    receiver, trust = tls_receiver
    sender = GuardedSender(ScriptedResolver([["127.0.0.1"]]), ["127.0.0.1"], timeout_s=5, ssl_context=trust)
    answer = await sender.post(f"https://hooks.test:{receiver.port}/hook", HEADERS, BODY)
    assert (answer.status_code, answer.error) == (200, None)
    assert receiver.received[0].head["host"] == f"hooks.test:{receiver.port}"


async def test_https_refuses_a_certificate_for_another_name(tls_receiver):
    receiver, trust = tls_receiver
    sender = GuardedSender(ScriptedResolver([["127.0.0.1"]]), ["127.0.0.1"], timeout_s=5, ssl_context=trust)
    answer = await sender.post(f"https://other.test:{receiver.port}/hook", HEADERS, BODY)
    assert answer.status_code is None and answer.error is not None and "certificate verify failed" in answer.error
    assert receiver.received == []
