"""Abuse limits of the public door: a per-client rate limit, checked by deps.rate_limited. The request body
limit every service shares is in docket_service.limits; intake sets its own per path (main.py): evidence
uploads may be larger."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from fastapi import HTTPException, status

from .domain import TokenBucket


class RateLimiter:
    """Token buckets per client address, in this process (each instance limits on its own)."""

    def __init__(self, rate_per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate, self._burst, self._clock = rate_per_minute, burst, clock
        self._buckets: dict[str, TokenBucket] = {}

    def check(self, client: str) -> None:
        bucket = self._buckets.setdefault(client, TokenBucket(self._rate, self._burst))
        wait = bucket.take(self._clock())
        if wait:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                "too many requests from this client; retry later",
                headers={"Retry-After": str(math.ceil(wait))},
            )
