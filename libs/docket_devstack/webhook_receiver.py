"""A real HTTP receiver for webhooks, for the tests and `make run`'s story: a small asyncio HTTP/1.1 server
on a free local port that verifies Standard Webhooks signatures on its own (not with the notifier's code),
counts deliveries by `webhook-id`, and misbehaves on request (the tests' plans; by default it accepts every
signed delivery): 500, a closed connection, an answer slower than the sender's timeout, or 410 Gone.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from docket_devstack.ports import free_port

Behaviour = Literal["ok", "fail", "close", "slow", "gone"]
# Decides how to answer the k-th request (1-based) carrying a given webhook-id and event.
Plan = Callable[[str, int, dict[str, Any]], Behaviour]


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance_s: int = 300) -> bool:
    """The receiver's side of the Standard Webhooks spec: any `v1` signature in the header must be the
    base64 HMAC-SHA256 of `id.timestamp.body` under the base64-decoded secret, and the timestamp recent."""
    try:
        webhook_id, timestamp = headers["webhook-id"], int(headers["webhook-timestamp"])
        key = base64.b64decode(secret.split("_", 1)[1])
    except (KeyError, ValueError, IndexError):
        return False
    if abs(time.time() - timestamp) > tolerance_s:
        return False
    expected = base64.b64encode(
        hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    offered = [
        part.split(",", 1)[1] for part in headers.get("webhook-signature", "").split(" ") if part.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


@dataclass
class Request:
    webhook_id: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    answered: Behaviour


@dataclass
class WebhookReceiver:
    secret: str = ""
    plan: Plan = lambda webhook_id, k, event: "ok"
    slow_s: float = 2.0
    requests: list[Request] = field(default_factory=list)
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # webhook-id -> event, once: the effect
    accepted_order: list[str] = field(default_factory=list)
    _server: asyncio.Server | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/docket"

    async def __aenter__(self) -> WebhookReceiver:
        self.port = free_port()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.go_down()

    async def go_down(self) -> None:
        """Stop listening: connections are refused until `come_back`."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def come_back(self) -> None:
        """Listen again, on the same port."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    def tries(self, webhook_id: str) -> int:
        return Counter(r.webhook_id for r in self.requests)[webhook_id]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {
                k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            webhook_id = headers.get("webhook-id", "")
            verified = verify(self.secret, headers, body)
            behaviour = self.plan(webhook_id, self.tries(webhook_id) + 1, json.loads(body)) if verified else "fail"
            self.requests.append(Request(webhook_id, headers, body, verified, behaviour))
            if behaviour == "close":
                return
            if behaviour == "slow":
                await asyncio.sleep(self.slow_s)
            status = {
                "ok": "204 No Content",
                "slow": "204 No Content",
                "fail": "500 Internal Server Error",
                "gone": "410 Gone",
            }[behaviour]
            if not verified:
                status = "401 Unauthorized"
            elif status.startswith("204") and webhook_id not in self.accepted:
                self.accepted[webhook_id] = json.loads(body)
                self.accepted_order.append(webhook_id)
            writer.write(f"HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".encode())
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def events_in_order(self) -> list[dict[str, Any]]:
        """The events whose delivery took effect, in the order they took effect."""
        return [self.accepted[webhook_id] for webhook_id in self.accepted_order]
