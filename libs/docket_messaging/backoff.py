"""Waiting between retries: doubling from a first delay up to a cap, reset after a success (Backoff, for a loop
that waits in place); and the schedule of a message tried again later (RetrySchedule, for a row that records
when its next attempt is due: a webhook, an e-mail, a cooperation message)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

# A draw in [0, 1) that spreads the retries of a message (RetrySchedule.delay).
Jitter = Callable[[], float]


class Backoff:
    def __init__(self, first: float, cap: float) -> None:
        self.first, self.cap, self.current = first, cap, first

    async def sleep(self) -> None:
        """Wait the current delay, then double it for next time (up to the cap)."""
        await asyncio.sleep(self.current)
        self.current = min(self.current * 2, self.cap)

    def reset(self) -> None:
        self.current = self.first


@dataclass(frozen=True)
class RetrySchedule:
    max_attempts: int
    base_delay_s: float
    max_delay_s: float

    def delay(self, attempts_made: int, jitter: float) -> float:
        """Seconds before the next attempt after `attempts_made` failures: exponential, capped, with half of it
        jittered (`jitter` in [0, 1)), so that receivers coming back are not hit by every sender at once."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempts_made - 1))
        return ceiling / 2 + ceiling / 2 * jitter

    def exhausted(self, attempts_made: int) -> bool:
        return attempts_made >= self.max_attempts
