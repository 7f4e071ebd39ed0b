"""The outbox relay: publishes committed events as soon as they are announced, polls as a fallback,
and backs off while Kafka is unreachable without losing anything. A row the broker refuses for good is
parked by the outbox (with the rows of its key held behind it) and the relay carries on. Asked to stop, it
finishes the batches it holds, publishes what is committed by then, and returns.

It keeps the pipe full. While it publishes it holds the outbox's lease (one relay of a service publishes at a
time) and keeps up to `depth` batches on their way to the broker: it claims the next batch and hands it to the
producer while the broker has yet to answer for the earlier ones, at once if the last claim came back full,
or as soon as new rows are announced; and it marks each batch published, oldest first, once the broker has
acknowledged all of it. A partition has one batch on its way at a time: the rows of a partition that has one
wait for its answer, while those of the other partitions go (the window spans partitions). A steady load waits
neither for a poll nor for the round trip of the batch before.

Each key's order holds across failures, as it did when the relay sent one batch at a time and claimed the next
only once the last was marked:

- rows are claimed in insertion order, which is each key's order (a key's rows are committed one after the
  other), and no row is claimed again while it is on its way; the batches are handed to one idempotent
  producer in that order;
- a partition never has two batches on their way: the publisher gives the producer a partition's next batch
  only once the broker has acknowledged the one before, and none if it was not (`KafkaPublisher.hand`), and the
  producer itself sends one batch of a partition at a time. So no message is written after an earlier one of
  its key that was not. The broker's sequence numbers do not ensure it alone: a batch that fails unwritten (too
  large for the broker, corrupt, no leader for longer than the request timeout) leaves a gap before the next,
  which the broker refuses only if it holds state for the producer on the partition, and it holds none before
  the producer's first writes there (after each start, each replacement, or the producer id's expiry);
- once a message is not acknowledged (or refused as it is handed over), the relay hands over nothing more. It
  waits until the broker has answered for every batch on its way and settles them as one batch (the
  publisher's `outcomes`): a message after one of its key that was not acknowledged is held, the acknowledged
  ones are marked published, the refused ones parked. If any failed for a while, the relay pauses and starts
  again from the oldest row not published, so the failed message goes again before everything after it of its
  key; a parked one holds the later rows of its key until it is resent.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager, suppress
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from .backoff import Backoff
from .codec import KafkaMessage
from .failures import describe, kind
from .health import Health
from .outbox import Claimed, Delivery, Fate, NotAllPublished
from .stopping import until_stopped

log = logging.getLogger(__name__)

# The part of a service's health the relay reports as.
HEALTH_PART = "relay"
# Batches on their way to the broker at once.
DEPTH = 4


class Publisher(Protocol):
    async def publish(self, messages: Sequence[KafkaMessage]) -> None:
        """Send every message and return once the broker acknowledged all of them; else raise."""


class Handed(Protocol):
    """Messages handed to a producer, on their way to the broker."""

    def failing(self) -> bool:
        """True once one of them is known not to be acknowledged (refused as it was handed over, or answered)."""

    async def answered(self) -> bool:
        """Wait until the broker has answered for every message; True if it acknowledged them all."""


H = TypeVar("H", bound=Handed)


class DeliveringPublisher(Protocol[H]):
    async def hand(self, messages: Sequence[KafkaMessage], behind: Sequence[H]) -> H:
        """Give the messages to the producer, in order and behind those handed before and not settled (`behind`),
        without waiting for the broker, except on a partition that has a batch of `behind` on its way: its messages
        wait for that batch's answer, and are not sent (they fail) if it was not acknowledged."""

    async def outcomes(self, handed: Sequence[H]) -> list[list[Delivery]]:
        """What became of each message of batches handed one after the other and all answered, settled as one
        batch: never a message acknowledged after an earlier one of the same topic and key that was not."""


class Lease(Protocol):
    async def claim(self, limit: int, in_flight: Collection[int]) -> Sequence[Claimed] | None:
        """The next due rows in insertion order after the rows `in_flight`, at most `limit`; None if a row became
        due behind those since they were claimed (to be claimed once they are settled)."""

    async def settle(self, rows: Sequence[Claimed], fates: Sequence[Delivery]) -> int:
        """Mark the acknowledged rows published and park the refused; returns how many were settled."""


class Outbox(Protocol):
    def lease(self) -> AbstractAsyncContextManager[Lease | None]:
        """The outbox to publish from, or None while another relay holds it."""


class Wakeups(Protocol):
    async def wait(self, timeout: float) -> bool:
        """Return when new outbox rows are announced (True), or after `timeout` seconds (False)."""


def crash_test_hold() -> float:
    """Seconds the relay waits between sending a batch and marking it published: 0, except in the crash test
    (tests/e2e/test_relay_crash.py), which kills the process inside that wait. Read from the environment and
    not a setting, so that no deployment's configuration offers it."""
    return max(0.0, float(os.environ.get("RELAY_HOLD_AFTER_SEND_S") or 0))


@dataclass
class Batch:
    """Claimed rows on their way: `answered` resolves once the broker has answered for all of them."""

    rows: Sequence[Claimed]
    handed: Handed
    answered: asyncio.Future[bool]


class Relay:
    def __init__(
        self,
        outbox: Outbox,
        publisher: DeliveringPublisher[Any],
        wakeups: Wakeups,
        *,
        batch_size: int = 200,
        depth: int = DEPTH,
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
        self._depth = depth
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        # Fault-injection for crash tests: keep each batch unmarked for this long after the broker answered.
        self._hold_after_send = hold_after_send
        self.health = health or Health()
        # Set when the service stops, once nothing else of it commits outbox rows.
        self.stopping = stopping or asyncio.Event()

    async def drain(self) -> int:
        """Publish until no row is due; returns how many rows were settled (published or parked), 0 if another
        relay holds the outbox.

        A claim that comes back short ends the claiming, unless new rows are announced while batches are on their
        way: no row was due beyond it when it was claimed. Claiming again to find nothing would cost a statement
        on every wake-up, which under a steady load is most of them."""
        async with self._outbox.lease() as lease:
            if lease is None:
                return 0
            return await self._publish(lease)

    async def _publish(self, lease: Lease) -> int:
        window: deque[Batch] = deque()
        settled, due, listening, behind = 0, True, True, False
        wakeup: asyncio.Future[bool] | None = None
        try:
            while True:
                while due and len(window) < self._depth and not any(b.handed.failing() for b in window):
                    rows = await lease.claim(self._batch_size, [row.id for batch in window for row in batch.rows])
                    if rows is None:  # a row behind the window: claim again once it is settled
                        due, behind = False, True
                        break
                    due = len(rows) == self._batch_size
                    if not rows:
                        break
                    window.append(await self._hand(rows, window))
                if not window:
                    if not behind:
                        return settled
                    due, behind = True, False
                    continue
                oldest = window[0]
                if listening and len(window) < self._depth and not oldest.answered.done():
                    # New rows announced while the oldest batch is on its way are claimed at once. A wait that ends
                    # without one is not repeated until a batch is settled, nor is one that finds nothing.
                    wakeup = wakeup or asyncio.ensure_future(self._wakeups.wait(self._poll_interval))
                    await asyncio.wait({oldest.answered, wakeup}, return_when=asyncio.FIRST_COMPLETED)
                    if wakeup.done():
                        due = listening = bool(wakeup.result())
                        wakeup = None
                        continue
                if await oldest.answered and not any(b.handed.failing() for b in window):
                    await self._held()
                    settled += await lease.settle(oldest.rows, [Delivery.ok()] * len(oldest.rows))
                    window.popleft()
                    self.health.ok(HEALTH_PART)  # a long drain of a backlog is progress, not trouble
                    listening = True
                    continue
                settled += await self._settle_together(lease, list(window))
                window.clear()
                due = listening = True
        except Exception:
            # Nothing of this round may still be on its way when the next one claims its rows again: wait for the
            # broker's answers (the producer gives each one in the end), and leave the rows to be claimed again.
            await asyncio.gather(*(batch.answered for batch in window), return_exceptions=True)
            raise
        finally:
            if wakeup is not None:
                wakeup.cancel()
                with suppress(BaseException):
                    await wakeup

    async def _hand(self, rows: Sequence[Claimed], window: Sequence[Batch]) -> Batch:
        handed = await self._publisher.hand([row.message for row in rows], [batch.handed for batch in window])
        answered = asyncio.ensure_future(handed.answered())
        # Degraded if the broker has not answered within the grace period: an idempotent producer waits, rather
        # than fails, while the broker is away.
        grace = self.health.grace_s
        watch = asyncio.get_running_loop().call_later(
            grace,
            lambda: self.health.degraded(HEALTH_PART, f"publishing has not completed for {grace:g}s", for_s=grace),
        )
        answered.add_done_callback(lambda _: watch.cancel())
        return Batch(rows, handed, answered)

    async def _held(self) -> None:
        if self._hold_after_send:
            await asyncio.sleep(self._hold_after_send)

    async def _settle_together(self, lease: Lease, window: Sequence[Batch]) -> int:
        """Settle the batches on their way as one, once the broker has answered for all of them; raise
        NotAllPublished, after marking the acknowledged and parking the refused, if some failed for a while."""
        await asyncio.gather(*(batch.answered for batch in window))
        await self._held()
        outcomes = await self._publisher.outcomes([batch.handed for batch in window])
        settled = 0
        for batch, fates in zip(window, outcomes, strict=True):
            settled += await lease.settle(batch.rows, fates)
        failed = [fate for fates in outcomes for fate in fates if fate.fate is Fate.FAILED]
        if failed:
            total = sum(len(batch.rows) for batch in window)
            raise NotAllPublished(f"{len(failed)} of {total} outbox rows not acknowledged: {failed[0].reason}")
        self.health.ok(HEALTH_PART)
        return settled

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
