"""The outbox relay: publishes committed events as soon as they are announced, polls as a fallback,
and backs off while Kafka is unreachable without losing anything. A row the broker refuses for good is
parked by the outbox (with the rows of its key held behind it) and the relay carries on. Asked to stop, it
finishes the batch it holds, publishes what is committed by then, and returns.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Sequence
from typing import Protocol

from .backoff import Backoff
from .codec import KafkaMessage
from .failures import describe, kind
from .health import Health
from .outbox import Delivery, Fate, NotAllPublished, Send
from .stopping import until_stopped

log = logging.getLogger(__name__)

# The part of a service's health the relay reports as.
HEALTH_PART = "relay"


class Publisher(Protocol):
    async def publish(self, messages: Sequence[KafkaMessage]) -> None:
        """Send every message and return once the broker acknowledged all of them; else raise."""


class DeliveringPublisher(Protocol):
    async def deliver(self, messages: Sequence[KafkaMessage]) -> Sequence[Delivery]:
        """Send the messages in order and say what became of each; never send a message after an earlier
        one of the same topic and key that was not acknowledged."""


class Outbox(Protocol):
    async def publish_batch(self, send: Send, limit: int) -> int: ...


class Wakeups(Protocol):
    async def wait(self, timeout: float) -> None:
        """Return when new outbox rows are announced, or after `timeout` seconds."""


def crash_test_hold() -> float:
    """Seconds the relay waits between sending a batch and marking it published: 0, except in the crash test
    (tests/e2e/test_relay_crash.py), which kills the process inside that wait. Read from the environment and
    not a setting, so that no deployment's configuration offers it."""
    return max(0.0, float(os.environ.get("RELAY_HOLD_AFTER_SEND_S") or 0))


class Relay:
    def __init__(
        self,
        outbox: Outbox,
        publisher: DeliveringPublisher,
        wakeups: Wakeups,
        *,
        batch_size: int = 200,
        poll_interval: float = 2.0,
        max_backoff: float = 30.0,
        hold_after_send: float = 0.0,
        health: Health | None = None,
        stopping: asyncio.Event | None = None,
    ) -> None:
        self._outbox = outbox
        self._publisher = publisher
        self._wakeups = wakeups
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        # Fault-injection for crash tests: keep the batch claimed but unmarked for this long after sending.
        self._hold_after_send = hold_after_send
        self.health = health or Health()
        # Set when the service stops, once nothing else of it commits outbox rows.
        self.stopping = stopping or asyncio.Event()

    async def _send(self, messages: Sequence[KafkaMessage]) -> Sequence[Delivery]:
        deliveries = await self._watched(self._publisher.deliver(messages))
        if all(delivery.fate is not Fate.FAILED for delivery in deliveries):
            self.health.ok(HEALTH_PART)  # a long drain of a backlog is progress, not trouble
        if self._hold_after_send:
            await asyncio.sleep(self._hold_after_send)
        return deliveries

    async def _watched(self, delivering: Awaitable[Sequence[Delivery]]) -> Sequence[Delivery]:
        """Report the relay degraded if one batch has not been acknowledged within the grace period: an
        idempotent producer waits, rather than fails, while the broker is away."""
        grace = self.health.grace_s
        watch = asyncio.get_running_loop().call_later(
            grace,
            lambda: self.health.degraded(HEALTH_PART, f"publishing has not completed for {grace:g}s", for_s=grace),
        )
        try:
            return await delivering
        finally:
            watch.cancel()

    async def drain(self) -> int:
        """Publish until no row is due; returns how many rows were settled (published or parked).

        A batch that comes back short ends the drain: no row was due beyond it when it was claimed, and a row
        committed since is announced (or found by the next poll). Claiming again to find nothing would cost a
        transaction on every wake-up, which under a steady load is most of them."""
        total = 0
        while settled := await self._outbox.publish_batch(self._send, self._batch_size):
            total += settled
            if settled < self._batch_size:
                break
        return total

    async def run(self) -> None:
        """Publish until `stopping` is set; then publish every row committed by then and return, or raise if
        they could not all be published (they stay in the outbox for the next start)."""
        await self._wakeups.wait(0)  # listen before the first drain, so no announcement falls in between
        backoff = Backoff(0.5, self._max_backoff)
        while not self.stopping.is_set():
            try:
                settled = await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database unreachable: what was not acknowledged stays pending
                reason = str(exc) if isinstance(exc, NotAllPublished) else describe(exc)
                self.health.degraded(HEALTH_PART, f"cannot publish: {kind(exc)}")  # /readyz shows it
                log.warning("relay: publishing failed, retrying in %.1fs: %s", backoff.current, reason)
                await until_stopped(self.stopping, backoff.sleep())
                continue
            self.health.ok(HEALTH_PART)
            backoff.reset()
            if settled:
                log.debug("relay: settled %d outbox rows", settled)
            await until_stopped(self.stopping, self._wakeups.wait(self._poll_interval))
        settled = await self.drain()
        log.info("relay: stopping; published %d more outbox row(s) on the way out", settled)
