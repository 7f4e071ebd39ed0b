"""Abuse limits of the public door: a request body size limit and a per-client rate limit."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, Request, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .domain import TokenBucket


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Answers 413 as soon as a request body is larger than the limit for its path (declared or streamed)."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        received, started = 0, False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        body = f'{{"detail":"request body larger than {limit} bytes"}}'.encode()
        await send({"type": "http.response.start", "status": status.HTTP_413_CONTENT_TOO_LARGE,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """Token buckets per client address, in this process (each instance limits on its own)."""

    def __init__(self, rate_per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate, self._burst, self._clock = rate_per_minute, burst, clock
        self._buckets: dict[str, TokenBucket] = {}

    def check(self, client: str) -> None:
        bucket = self._buckets.setdefault(client, TokenBucket(self._rate, self._burst))
        wait = bucket.take(self._clock())
        if wait:
            raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many requests from this client; retry later",
                                headers={"Retry-After": str(math.ceil(wait))})


def rate_limited(request: Request) -> None:
    """Dependency of the public routes."""
    limiter: Any = request.app.state.rate_limiter
    limiter.check(request.client.host if request.client else "unknown")
