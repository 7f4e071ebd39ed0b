"""The idempotent consumer: decode, check against the contract, apply once, or dead-letter.

Each event's id goes into the inbox table in the same transaction as the handler's effect, so a
redelivered event changes nothing. Offsets are committed by the caller after `process` returns.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload
from docket_contracts.topics import dead_letter_topic

from .backoff import Backoff
from .codec import Headers, KafkaMessage, UndecodableMessage, decode
from .relay import Publisher
from .tables import InboxRow

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, CloudEvent, Payload], Awaitable[None]]

# Failures that say nothing about the event itself: retried without limit, never dead-lettered.
TRANSIENT: tuple[type[BaseException], ...] = (sa.exc.OperationalError, sa.exc.InterfaceError, OSError)


@dataclass(frozen=True, slots=True)
class Record:
    """A consumed Kafka message, as far as processing needs it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers


class Outcome(enum.Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"  # a contract event this consumer has no handler for
    DEAD_LETTERED = "dead_lettered"


class Inbox(Protocol):
    async def apply(self, record: Record, event: CloudEvent, payload: Payload, handler: Handler) -> bool:
        """Run `handler` and record the event in one transaction; False if it was already recorded."""


class PostgresInbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def apply(self, record: Record, event: CloudEvent, payload: Payload, handler: Handler) -> bool:
        async with self._sessions() as session, session.begin():
            claimed = await session.scalar(
                insert(InboxRow).values(event_id=event.id, type=event.type, topic=record.topic,
                                        partition=record.partition, offset=record.offset)
                .on_conflict_do_nothing().returning(InboxRow.__table__.c.event_id)
            )
            if claimed is None:
                return False
            await handler(session, event, payload)
            return True


def dead_letter(record: Record, group: str, reason: str) -> KafkaMessage:
    """The message as received, with why and where it failed in `dlq_*` headers."""
    headers = [*record.headers,
               ("dlq_reason", reason[:2000].encode()),
               ("dlq_consumer_group", group.encode()),
               ("dlq_source_topic", record.topic.encode()),
               ("dlq_source_partition", str(record.partition).encode()),
               ("dlq_source_offset", str(record.offset).encode())]
    return KafkaMessage(topic=dead_letter_topic(group), key=record.key or b"", value=record.value or b"",
                        headers=headers)


class InboxConsumer:
    def __init__(self, group: str, handlers: Mapping[str, Handler], inbox: Inbox, dead_letters: Publisher,
                 *, max_attempts: int = 5, retry_delay: float = 0.2, max_retry_delay: float = 30.0) -> None:
        unknown = set(handlers) - set(registry.BY_TYPE)
        if unknown:
            raise ValueError(f"handlers for event types not in the contract: {sorted(unknown)}")
        self.group = group
        self._handlers = handlers
        self._inbox = inbox
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self._max_retry_delay = max_retry_delay

    async def process(self, record: Record) -> Outcome:
        try:
            event = decode(record.headers, record.value)
            payload = registry.parse(event)
        except (UndecodableMessage, registry.UnknownEventType, registry.SchemaViolation) as exc:
            return await self._park(record, f"{type(exc).__name__}: {exc}")
        handler = self._handlers.get(event.type)
        if handler is None:
            return Outcome.IGNORED
        attempt, backoff = 0, Backoff(self._retry_delay, self._max_retry_delay)
        while True:
            try:
                applied = await self._inbox.apply(record, event, payload, handler)
                return Outcome.APPLIED if applied else Outcome.DUPLICATE
            except TRANSIENT as exc:
                log.warning("%s: %s %s not applied (transient), retrying: %s", self.group, event.type, event.id, exc)
            except Exception as exc:
                attempt += 1
                if attempt >= self._max_attempts:
                    return await self._park(record, f"handler failed {attempt} times: {type(exc).__name__}: {exc}")
                log.warning("%s: %s %s failed (attempt %d), retrying: %s", self.group, event.type, event.id,
                            attempt, exc)
            await backoff.sleep()

    async def _park(self, record: Record, reason: str) -> Outcome:
        log.error("%s: dead-lettering %s[%d]@%d: %s", self.group, record.topic, record.partition, record.offset,
                  reason)
        await self._dead_letters.publish([dead_letter(record, self.group, reason)])
        return Outcome.DEAD_LETTERED
