"""Waiting between retries: doubling from a first delay up to a cap, reset after a success."""

from __future__ import annotations

import asyncio


class Backoff:
    def __init__(self, first: float, cap: float) -> None:
        self.first, self.cap, self.current = first, cap, first

    async def sleep(self) -> None:
        """Wait the current delay, then double it for next time (up to the cap)."""
        await asyncio.sleep(self.current)
        self.current = min(self.current * 2, self.cap)

    def reset(self) -> None:
        self.current = self.first
