"""In-memory stand-ins for the messaging ports, for unit tests only."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload
from docket_messaging.codec import KafkaMessage, encode
from docket_messaging.consumer import Handler, Record
from docket_messaging.outbox import Send


@dataclass
class FakePublisher:
    fail_times: int = 0
    sent: list[KafkaMessage] = field(default_factory=list)

    async def publish(self, messages: Sequence[KafkaMessage]) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("broker unreachable")
        self.sent.extend(messages)


@dataclass
class FakeOutbox:
    """Rows in insertion order; a batch is marked published only if `send` returns."""

    events: list[CloudEvent] = field(default_factory=list)
    published: set[str] = field(default_factory=set)
    batches: list[int] = field(default_factory=list)

    async def publish_batch(self, send: Send, limit: int) -> int:
        batch = [e for e in self.events if e.id not in self.published][:limit]
        if not batch:
            return 0
        await send([encode(e, "docket.test") for e in batch])
        self.published.update(e.id for e in batch)
        self.batches.append(len(batch))
        return len(batch)


class NoWakeups:
    async def wait(self, timeout: float) -> None:
        await asyncio.sleep(0)


@dataclass
class FakeInbox:
    seen: set[str] = field(default_factory=set)

    async def apply(self, record: Record, event: CloudEvent, payload: Payload, handler: Handler) -> bool:
        if event.id in self.seen:
            return False
        await handler(None, event, payload)  # type: ignore[arg-type]
        self.seen.add(event.id)
        return True


@dataclass
class InMemoryKeyStore:
    """The KeyStore protocol in a dict; counts trips so that caching can be checked."""

    keys_by_subject: dict = field(default_factory=dict)  # subject -> key, or None once erased
    trips: int = 0

    async def keys(self, subjects, *, create: bool = False):
        self.trips += 1
        found = {}
        for subject in set(subjects):
            if create and subject not in self.keys_by_subject:
                from docket_privacy.cipher import new_key

                self.keys_by_subject[subject] = new_key()
            found[subject] = self.keys_by_subject.get(subject)
        return found

    async def erase(self, subject, by: str) -> bool:
        had = self.keys_by_subject.get(subject, b"") is not None
        self.keys_by_subject[subject] = None
        return had

    async def erased_at(self, subject):
        return None

    async def close(self) -> None:
        pass
