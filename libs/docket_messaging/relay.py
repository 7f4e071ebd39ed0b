"""The outbox relay: publishes committed events as soon as they are announced, polls as a fallback,
and backs off while Kafka is unreachable without losing anything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Protocol

from .backoff import Backoff
from .codec import KafkaMessage
from .outbox import Send

log = logging.getLogger(__name__)


class Publisher(Protocol):
    async def publish(self, messages: Sequence[KafkaMessage]) -> None:
        """Send every message and return once the broker acknowledged all of them."""


class Outbox(Protocol):
    async def publish_batch(self, send: Send, limit: int) -> int: ...


class Wakeups(Protocol):
    async def wait(self, timeout: float) -> None:
        """Return when new outbox rows are announced, or after `timeout` seconds."""


class Relay:
    def __init__(self, outbox: Outbox, publisher: Publisher, wakeups: Wakeups, *, batch_size: int = 200,
                 poll_interval: float = 2.0, max_backoff: float = 30.0, hold_after_send: float = 0.0) -> None:
        self._outbox = outbox
        self._publisher = publisher
        self._wakeups = wakeups
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        # Fault-injection for crash tests: keep the batch claimed but unmarked for this long after sending.
        self._hold_after_send = hold_after_send

    async def _send(self, messages: Sequence[KafkaMessage]) -> None:
        await self._publisher.publish(messages)
        if self._hold_after_send:
            await asyncio.sleep(self._hold_after_send)

    async def drain(self) -> int:
        """Publish until the outbox is empty; returns how many rows were published."""
        total = 0
        while published := await self._outbox.publish_batch(self._send, self._batch_size):
            total += published
        return total

    async def run(self) -> None:
        await self._wakeups.wait(0)  # listen before the first drain, so no announcement falls in between
        backoff = Backoff(0.5, self._max_backoff)
        while True:
            try:
                published = await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database unreachable: nothing was marked, retry later
                log.warning("relay: publishing failed, retrying in %.1fs: %s", backoff.current, exc)
                await backoff.sleep()
                continue
            backoff.reset()
            if published:
                log.debug("relay: published %d events", published)
            await self._wakeups.wait(self._poll_interval)
