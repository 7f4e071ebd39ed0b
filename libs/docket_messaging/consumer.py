"""The idempotent consumer: decode, check against the contract, apply once, or dead-letter.

Each event's id goes into the inbox table in the same transaction as the handler's effect, so a
redelivered event changes nothing. Offsets are committed by the caller after `process` (or `process_all`)
returns.

The messages of one partition's fetch are applied together (`process_all`): their inbox rows and their
handlers' effects in one transaction, in the partition's order, so that a burst costs a commit per fetch
rather than per event. Each handler still runs as if alone: in its own span and log ids, and with what the
handlers before it wrote flushed and nothing of theirs left in the session. If anything fails, the transaction
is rolled back whole and the fetch applied again message by message, as `process` applies one: the failing
message is retried and dead-lettered as below, the others are applied.

No message can stop the consumer: whatever fails while a message is read (decoded, upcast, validated)
sends it to the dead-letter topic. A failure of the handler is classified (failures.py): a transient one
(the database away, a deadlock) is retried without limit and never costs the event its effect; a conflict
(another process of the service committed the same key first) is retried at once, up to `max_conflicts` times
in a row; any other is retried `max_attempts` times and then dead-lettered.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import sqlalchemy as sa
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Tracer
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload
from docket_contracts.topics import dead_letter_topic

from .backoff import Backoff
from .codec import Headers, KafkaMessage, UndecodableMessage, decode
from .context import continuing, current_ids, log_ids, trace_id
from .failures import describe, is_conflict, is_transient, refused_for_good
from .health import Health
from .metrics import BATCHES, DEAD_LETTERED, PROCESSED, RETRIES
from .outbox import end_failed
from .postgres import run
from .relay import Publisher
from .tables import InboxRow, table_of

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, CloudEvent, Payload], Awaitable[None]]

# The failures of reading a message whose text is written to name the problem and not the values.
READ_FAILURES: tuple[type[Exception], ...] = (UndecodableMessage, registry.UnknownEventType, registry.SchemaViolation)
# The part of a service's health the consumer reports as.
HEALTH_PART = "consumer"
# Conflicts in a row after which a handler is taken to break a key every time (a bug) and its failure counts as
# an attempt: far more than two processes racing for one case ever lose in a row.
MAX_CONFLICTS = 100


class Refused(Exception):
    """A handler's refusal of an event for what it is (it would refuse it however often it came): the event is
    dead-lettered at once, its reason the exception's message, and the consumer goes on."""


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


@dataclass(slots=True)
class Step:
    """A message read and due to be applied: its event, the payload parsed from it, and its handler. `ids` are
    the log ids its handler left bound (the case it routed to...), for the line that says it was applied."""

    record: Record
    event: CloudEvent
    payload: Payload
    handler: Handler
    ids: Mapping[str, object] = field(default_factory=dict)


class Inbox(Protocol):
    async def apply(self, record: Record, event: CloudEvent, payload: Payload, handler: Handler) -> bool:
        """Run `handler` and record the event in one transaction; False if it was already recorded."""

    async def apply_all(self, steps: Sequence[Step], go_on: Callable[[], bool]) -> list[bool]:
        """Run the steps' handlers in order and record their events, all in one transaction, checking `go_on()`
        before each step: the steps before the first for which it says no are committed, and the flags returned
        are theirs (False for an event already recorded, before or by an earlier step). All or nothing: if
        anything fails, nothing is committed and the failure is raised."""


# The inbox rows of a batch in one statement whatever its size (one prepared statement), claiming the events
# not recorded yet: an event another transaction is recording waits for it, and is then not claimed.
_CLAIM_ALL = sa.text(
    'INSERT INTO inbox (event_id, type, topic, "partition", "offset") '
    "SELECT * FROM unnest(CAST(:event_ids AS varchar[]), CAST(:types AS varchar[]), CAST(:topics AS varchar[]), "
    "CAST(:partitions AS integer[]), CAST(:offsets AS bigint[])) "
    "ON CONFLICT DO NOTHING RETURNING event_id"
)
_UNCLAIM = sa.text("DELETE FROM inbox WHERE event_id = ANY(CAST(:event_ids AS varchar[]))")


class PostgresInbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def apply(self, record: Record, event: CloudEvent, payload: Payload, handler: Handler) -> bool:
        async with self._sessions() as session:
            transaction = await session.begin()
            try:
                claimed = await session.scalar(
                    insert(InboxRow)
                    .values(
                        event_id=event.id,
                        type=event.type,
                        topic=record.topic,
                        partition=record.partition,
                        offset=record.offset,
                    )
                    .on_conflict_do_nothing()
                    .returning(table_of(InboxRow).c.event_id)
                )
                if claimed is not None:
                    await handler(session, event, payload)
                await transaction.commit()
                return claimed is not None
            except BaseException as exc:
                await end_failed(session, transaction, exc)
                raise

    async def apply_all(self, steps: Sequence[Step], go_on: Callable[[], bool]) -> list[bool]:
        async with self._sessions() as session:
            transaction = await session.begin()
            try:
                claimed = set(
                    (
                        await run(
                            session,
                            _CLAIM_ALL,
                            {
                                "event_ids": [step.event.id for step in steps],
                                "types": [step.event.type for step in steps],
                                "topics": [step.record.topic for step in steps],
                                "partitions": [step.record.partition for step in steps],
                                "offsets": [step.record.offset for step in steps],
                            },
                        )
                    ).scalars()
                )
                applied: list[bool] = []
                info = dict(session.info)
                for step in steps:
                    if not go_on():
                        break
                    first = step.event.id in claimed
                    if first:
                        claimed.discard(step.event.id)
                        await step.handler(session, step.event, step.payload)
                        await alone_again(session, info)
                    applied.append(first)
                if claimed:  # the events of the steps not reached: they are applied when they come again
                    await run(session, _UNCLAIM, {"event_ids": sorted(claimed)})
                await transaction.commit()
                return applied
            except BaseException as exc:
                await end_failed(session, transaction, exc)
                raise


async def alone_again(session: AsyncSession, info: Mapping[str, object]) -> None:
    """Leave the session to the next handler of a batch as a session of its own would be: what the last one
    wrote flushed (so that any statement sees it), no object of its own tracked (which a statement written
    without the ORM could have made stale), its `info` as it was before the first (`info`)."""
    await session.flush()
    session.expunge_all()
    session.info.clear()
    session.info.update(info)


def ids_of(event: CloudEvent, payload: Payload) -> dict[str, object]:
    """The ids the lines logged while an event is applied carry: its own, its case's and its complaint's, and
    its trace's (the traceparent the codec read from the message)."""
    return {
        "event_id": event.id,
        "case_id": getattr(payload, "case_id", None),
        "complaint_id": getattr(payload, "complaint_id", None),
        "trace_id": trace_id(event.traceparent),
    }


def dead_letter(record: Record, group: str, reason: str) -> KafkaMessage:
    """The message as received, with why and where it failed in `dlq_*` headers."""
    headers = [
        *record.headers,
        ("dlq_reason", reason[:2000].encode()),
        ("dlq_consumer_group", group.encode()),
        ("dlq_source_topic", record.topic.encode()),
        ("dlq_source_partition", str(record.partition).encode()),
        ("dlq_source_offset", str(record.offset).encode()),
    ]
    return KafkaMessage(
        topic=dead_letter_topic(group), key=record.key or b"", value=record.value or b"", headers=headers
    )


def without_value(message: KafkaMessage, why: str) -> KafkaMessage:
    """The dead letter of a message too large (or otherwise refused) to be dead-lettered whole: its headers
    and where it came from, so that it can be found at its source offset; the value stays there."""
    return KafkaMessage(
        topic=message.topic,
        key=message.key[:1024],
        value=b"",
        headers=[*message.headers, ("dlq_value_omitted", why[:500].encode())],
    )


def unreadable(exc: Exception) -> str:
    """Why a message could not be read, without its values: the text of the failures written for that, only
    the type of anything else (a RecursionError, an upcaster's KeyError quoting a field's value...)."""
    if isinstance(exc, READ_FAILURES):
        return f"{type(exc).__name__}: {exc}"
    return f"{type(exc).__name__} while reading the message"


class InboxConsumer:
    def __init__(
        self,
        group: str,
        handlers: Mapping[str, Handler],
        inbox: Inbox,
        dead_letters: Publisher,
        *,
        max_attempts: int = 5,
        retry_delay: float = 0.2,
        max_retry_delay: float = 30.0,
        max_conflicts: int = MAX_CONFLICTS,
        health: Health | None = None,
        tracer: Tracer | None = None,
    ) -> None:
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
        self._max_conflicts = max_conflicts
        self.health = health or Health()
        self._tracer = tracer or trace.NoOpTracer()

    async def process(self, record: Record) -> Outcome:
        read = self._read(record)
        if isinstance(read, str):
            return await self._park(record, read, kind="unreadable")
        if read is None:
            PROCESSED.labels(self.group, Outcome.IGNORED.value).inc()
            return Outcome.IGNORED
        with self._context(read):
            return await self._apply(record, read.event, read.payload, read.handler)

    async def process_all(self, records: Sequence[Record], go_on: Callable[[], bool] = lambda: True) -> list[Outcome]:
        """Process the messages of one partition's fetch, in order: the events it handles in one transaction
        (Inbox.apply_all), then the dead letters of those it cannot read; if the transaction fails, each message
        on its own, as `process` does. `go_on()` is asked before each message is applied; once it says no, the
        rest are left (for the partition's next holder, or the next start), and the outcomes returned are those
        of the messages before."""
        if not go_on():
            return []
        read = [self._read(record) for record in records]
        steps = [step for step in read if isinstance(step, Step)]
        if len(steps) < 2:
            return await self._one_by_one(records, go_on)
        try:
            applied = await self._inbox.apply_all([self._in_context(step) for step in steps], go_on)
        except Exception as exc:  # a handler failed or refused, or the database: find which, one by one
            BATCHES.labels(self.group, "one_by_one").inc()
            log.info(
                "%s: %d messages of %s[%d] from offset %d not applied together (%s); applying them one by one",
                self.group,
                len(records),
                records[0].topic,
                records[0].partition,
                records[0].offset,
                describe(exc),
            )
            return await self._one_by_one(records, go_on)
        BATCHES.labels(self.group, "applied").inc()
        self.health.ok(HEALTH_PART)
        outcomes: list[Outcome] = []
        flags = iter(applied)
        for record, this in zip(records, read, strict=True):
            if isinstance(this, Step):
                flag = next(flags, None)
                if flag is None:  # go_on() said no: the rest is left
                    break
                outcomes.append(self._applied(this.event, applied=flag, ids=this.ids))
            elif this is None:
                PROCESSED.labels(self.group, Outcome.IGNORED.value).inc()
                outcomes.append(Outcome.IGNORED)
            elif go_on():
                outcomes.append(await self._park(record, this, kind="unreadable"))
            else:  # the partition's next holder dead-letters it
                break
        return outcomes

    async def _one_by_one(self, records: Sequence[Record], go_on: Callable[[], bool]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for record in records:
            if not go_on():
                break
            outcomes.append(await self.process(record))
        return outcomes

    def _read(self, record: Record) -> Step | str | None:
        """The message as a step to apply; None if no handler takes its event type; else why it is unreadable."""
        try:
            event = decode(record.headers, record.value)
            payload = registry.parse(event)
        except Exception as exc:  # whatever a message holds, it must not stop the consumer
            return unreadable(exc)
        handler = self._handlers.get(event.type)
        return None if handler is None else Step(record, event, payload, handler, ids_of(event, payload))

    def _context(self, step: Step) -> contextlib.ExitStack:
        """The log ids and the span an event is applied in. The handler continues the trace of the work that wrote
        the event; what it writes continues it further."""
        stack = contextlib.ExitStack()
        stack.enter_context(log_ids(**ids_of(step.event, step.payload)))
        stack.enter_context(
            self._tracer.start_as_current_span(
                f"{step.event.type} process",
                context=continuing(step.event.traceparent),
                kind=SpanKind.CONSUMER,
                attributes={
                    "messaging.destination.name": step.record.topic,
                    "messaging.consumer.group.name": self.group,
                    "messaging.message.id": step.event.id,
                },
            )
        )
        return stack

    def _in_context(self, step: Step) -> Step:
        """The step with its handler run in the event's own context, keeping the log ids the handler leaves."""
        handler = step.handler

        async def handle(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
            with self._context(step):
                await handler(session, event, payload)
                step.ids = current_ids()

        return Step(step.record, step.event, step.payload, handle)

    def _applied(self, event: CloudEvent, *, applied: bool, ids: Mapping[str, object] | None = None) -> Outcome:
        with log_ids(**(ids or {})):
            log.info("%s: %s %s", self.group, event.type, "applied" if applied else "already applied, dropped")
        outcome = Outcome.APPLIED if applied else Outcome.DUPLICATE
        PROCESSED.labels(self.group, outcome.value).inc()
        return outcome

    async def _apply(self, record: Record, event: CloudEvent, payload: Payload, handler: Handler) -> Outcome:
        """Apply the event once, retrying what may pass; dead-letter it after `max_attempts` failures."""
        attempt, conflicts, backoff = 0, 0, Backoff(self._retry_delay, self._max_retry_delay)
        while True:
            try:
                applied = await self._inbox.apply(record, event, payload, handler)
            except Refused as exc:
                log.warning("%s: %s %s refused: %s", self.group, event.type, event.id, exc)
                return await self._park(record, f"refused: {exc}", kind="refused")
            except Exception as exc:
                if is_conflict(exc) and conflicts < self._max_conflicts:
                    # The winner has committed: read its effect and decide again, after a pause drawn at
                    # random so that two losers do not collide again in step.
                    conflicts += 1
                    RETRIES.labels(self.group, "conflict").inc()
                    log.info(
                        "%s: %s %s met a concurrent writer (%s), retrying",
                        self.group,
                        event.type,
                        event.id,
                        describe(exc),
                    )
                    await asyncio.sleep(random.uniform(0, self._retry_delay / 4))
                    continue
                if is_transient(exc):
                    RETRIES.labels(self.group, "transient").inc()
                    self.health.degraded(HEALTH_PART, f"{event.type} waits for the database: {describe(exc)}")
                    log.warning(
                        "%s: %s %s not applied (transient: %s), retrying in %.1fs",
                        self.group,
                        event.type,
                        event.id,
                        describe(exc),
                        backoff.current,
                    )
                else:
                    attempt += 1
                    if attempt >= self._max_attempts:
                        self.health.ok(HEALTH_PART)
                        return await self._park(
                            record, f"handler failed {attempt} times: {describe(exc)}", kind="handler_failed"
                        )
                    RETRIES.labels(self.group, "failed").inc()
                    log.warning(
                        "%s: %s %s failed (attempt %d: %s), retrying in %.1fs",
                        self.group,
                        event.type,
                        event.id,
                        attempt,
                        describe(exc),
                        backoff.current,
                    )
                await backoff.sleep()
                continue
            self.health.ok(HEALTH_PART)
            return self._applied(event, applied=applied)

    async def _park(self, record: Record, reason: str, *, kind: str) -> Outcome:
        """Dead-letter the message; `reason` goes with it, `kind` (unreadable, handler_failed) to the metrics."""
        log.error("%s: dead-lettering %s[%d]@%d: %s", self.group, record.topic, record.partition, record.offset, reason)
        message = dead_letter(record, self.group, reason)
        try:
            await self._dead_letters.publish([message])
        except Exception as exc:
            if not refused_for_good(exc):
                raise  # Kafka is away: the loop reconnects and this message comes again
            log.error(
                "%s: the dead letter of %s[%d]@%d was refused (%s); dead-lettering it without its value",
                self.group,
                record.topic,
                record.partition,
                record.offset,
                describe(exc),
            )
            await self._dead_letters.publish([without_value(message, describe(exc))])
        DEAD_LETTERED.labels(self.group, kind).inc()
        PROCESSED.labels(self.group, Outcome.DEAD_LETTERED.value).inc()
        return Outcome.DEAD_LETTERED
