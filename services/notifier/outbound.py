"""The notifier's outbound calls, each behind a small Protocol and each with a timeout: name resolution,
the webhook POST, and SMTP.
"""

from __future__ import annotations

import asyncio
import ipaddress
import smtplib
import socket
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx


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
            infos = await asyncio.wait_for(asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM),
                                           self.timeout_s)
        except (OSError, TimeoutError):
            return []
        return sorted({str(info[4][0]).split("%")[0] for info in infos})


class HttpSender:
    """httpx without redirects (a 3xx is a failed attempt, never a hop to somewhere unchecked)."""

    def __init__(self, timeout_s: float) -> None:
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout_s), follow_redirects=False,
                                         headers={"user-agent": "Docket-Webhooks/1"})
        self._timeout_s = timeout_s

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Answer:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout_s):  # bounds the whole exchange, not each read
                response = await self._client.post(url, headers=headers, content=body)
            return Answer(response.status_code, None, _ms_since(started))
        except TimeoutError:
            return Answer(None, f"timed out after {self._timeout_s:g}s", _ms_since(started))
        except httpx.HTTPError as exc:
            return Answer(None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
                          _ms_since(started))

    async def close(self) -> None:
        await self._client.aclose()


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    timeout_s: float
    starttls: bool = False
    username: str | None = None
    password: str | None = None

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
