"""Cooperation messages on their way out: queued in the transaction of the case event they carry (`queue`), then
delivered by a worker of the case service (`deliver_due`) that signs each at send time and POSTs it to the
peer's inbox, retrying with exponential backoff, recording each attempt and the outcome.

The worker claims due rows with FOR UPDATE SKIP LOCKED and leases them in a short transaction, sends without
holding one, and records the outcome only if it still holds the lease, as the notifier's webhook deliveries do
(services/notifier/application/deliveries.py): two instances never send the same attempt, and an instance that
dies mid-send leaves the row to be tried again when the lease runs out. One message per peer and case is on
its way at a time, in the order queued.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_exchange.directory import Authority
from docket_exchange.messages import Exchange, event_of
from docket_exchange.transport import Answer, Sender
from docket_messaging.backoff import Jitter, RetrySchedule
from docket_messaging.tables import table_of
from services.case.metrics import COOPERATION_SEND_FAILURES, COOPERATION_SENT

from .tables import SENT, CooperationAttemptRow, CooperationMessageRow, CooperationOutboxRow, reference_of

log = logging.getLogger(__name__)

OUTBOX = table_of(CooperationOutboxRow)
Verdict = Literal["delivered", "retry", "dead"]
NOT_SENT = "not_sent"  # addressed to an authority the exchange does not reach: recorded, never claimed


async def queue(session: AsyncSession, authority: Authority, event: CloudEvent) -> None:
    """A pending message of `event` to `authority`, in the caller's transaction (the same event to the same
    authority twice is one message)."""
    await session.exec(
        insert(OUTBOX)
        .values(
            id=uuid4(),
            peer=authority.id,
            event_id=event.id,
            event_type=event.type,
            cooperation_reference=reference_of(event.data),
            ordering_key=event.subject,
            event=event.structured(),
            status="pending",
            attempts=0,
        )
        .on_conflict_do_nothing()
    )


async def not_sent(session: AsyncSession, authority: str, event: CloudEvent, why: str) -> None:
    """The record of `event` addressed to `authority` but not sent electronically (the authority is not in the
    directory, or the exchange is off), in the caller's transaction: the case shows it, and staff send it otherwise.
    Never claimed for delivery."""
    await session.exec(
        insert(OUTBOX)
        .values(
            id=uuid4(),
            peer=authority,
            event_id=event.id,
            event_type=event.type,
            cooperation_reference=reference_of(event.data),
            ordering_key=event.subject,
            event=event.structured(),
            status=NOT_SENT,
            attempts=0,
            dead_reason=why,
        )
        .on_conflict_do_nothing()
    )


async def of_case(session: AsyncSession, case_id: str, until: datetime | None = None) -> list[dict[str, object]]:
    """What the case's steps became on their way to the other authorities, in the order queued: those of events up to
    `until` where it is given (the case as it stood then), each as it stands now."""
    queued = await session.exec(
        select(CooperationOutboxRow)
        .where(col(CooperationOutboxRow.ordering_key) == case_id)
        .order_by(col(CooperationOutboxRow.seq))
    )
    rows = [row for row in queued if until is None or datetime.fromisoformat(row.event["time"]) <= until]
    return [
        {
            "event_id": row.event_id,
            "event_type": row.event_type,
            "cooperation_reference": row.cooperation_reference,
            "authority": row.peer,
            "status": row.status,
            "detail": row.dead_reason or row.last_error,
        }
        for row in rows
    ]


# What the peer's rules refused of a message it believed (docket_exchange.messages.STATUS): sending it again
# changes nothing until someone acts (staff at either end, then resend-cooperation).
REFUSED_BY_RULE = {"not_its_act", "unknown_procedure", "rejected"}


def verdict(answer: Answer) -> Verdict:
    """What an answer means: 2xx, or 409 already_received (a copy got through and its answer was lost), is
    delivered; 422 (malformed, or refused for a field), 413 (too large), and a 403 or 409 of the peer's rules will
    never be accepted as they stand; anything else (refused as not believed, 5xx, no answer) is tried again."""
    code = answer.status_code
    if code is not None and (200 <= code < 300 or (code == 409 and answer.reason == "already_received")):
        return "delivered"
    if code in (413, 422) or (code in (403, 409) and answer.reason in REFUSED_BY_RULE):
        return "dead"
    return "retry"


@dataclass(frozen=True)
class Claim:
    outbox_id: UUID
    lease: UUID
    attempt: int
    peer: str
    event: CloudEvent


_CLAIM = sa.text("""
    WITH due AS (
        SELECT o.id FROM cooperation_outbox o
        WHERE o.status = 'pending' AND o.next_attempt_at <= now()
          AND NOT EXISTS (SELECT 1 FROM cooperation_outbox e
                          WHERE e.peer = o.peer AND e.ordering_key = o.ordering_key
                            AND e.status = 'pending' AND e.seq < o.seq)
        ORDER BY o.seq LIMIT :limit
        FOR UPDATE OF o SKIP LOCKED
    )
    UPDATE cooperation_outbox SET attempts = cooperation_outbox.attempts + 1, lease = :lease,
                                  next_attempt_at = now() + make_interval(secs => :lease_s)
    FROM due WHERE cooperation_outbox.id = due.id
    RETURNING cooperation_outbox.id, cooperation_outbox.attempts, cooperation_outbox.peer, cooperation_outbox.event
""")


async def claim_due(sessions: async_sessionmaker[AsyncSession], limit: int, lease_s: float) -> list[Claim]:
    lease = uuid4()
    async with sessions() as session, session.begin():
        connection = await session.connection()
        rows = (await connection.execute(_CLAIM, {"limit": limit, "lease": lease, "lease_s": lease_s})).all()
    return [Claim(row.id, lease, row.attempts, row.peer, event_of(row.event)) for row in rows]


async def attempt(claim: Claim, exchange: Exchange, sender: Sender) -> tuple[str | None, Answer]:
    """One POST of the message, signed now; no token if the peer has left the directory."""
    authority = exchange.directory.get(claim.peer)
    if authority is None:
        return None, Answer(None, None, f"{claim.peer} is no longer in the directory", 0)
    token = exchange.sign(claim.event, authority.id)
    return token, await sender.post(authority.inbox_url, token)


async def record_attempt(
    sessions: async_sessionmaker[AsyncSession],
    claim: Claim,
    token: str | None,
    answer: Answer,
    started_at: datetime,
    schedule: RetrySchedule,
    jitter: Jitter,
) -> str:
    """Log the attempt and move the message on: delivered (and recorded with the token that got it there),
    retried later, or given up (and recorded as undelivered). Returns the message's new status."""
    outcome = verdict(answer) if token is not None else "dead"
    error = answer.error or (None if outcome == "delivered" else f"HTTP {answer.status_code} {answer.reason or ''}")
    if outcome == "retry" and schedule.exhausted(claim.attempt):
        outcome = "dead"
        error = f"gave up after {claim.attempt} attempts; last: {error}"
    values: dict[str, object] = {"lease": None, "last_status_code": answer.status_code, "last_error": error}
    if outcome == "delivered":
        values |= {"status": "delivered", "delivered_at": sa.func.now()}
    elif outcome == "dead":
        values |= {"status": "dead", "dead_reason": error}
    else:
        delay = schedule.delay(claim.attempt, jitter())
        values |= {"next_attempt_at": sa.func.now() + sa.func.make_interval(0, 0, 0, 0, 0, 0, delay)}
    async with sessions() as session, session.begin():
        session.add(
            CooperationAttemptRow(
                outbox_id=claim.outbox_id,
                number=claim.attempt,
                started_at=started_at,
                latency_ms=answer.latency_ms,
                status_code=answer.status_code,
                reason=answer.reason,
                error=error,
                verdict=outcome,
            )
        )
        updated = await session.exec(
            sa.update(CooperationOutboxRow)
            .where(col(CooperationOutboxRow.id) == claim.outbox_id, col(CooperationOutboxRow.lease) == claim.lease)
            .values(**values)
            .returning(col(CooperationOutboxRow.status))
        )
        status = updated.scalar() or "lease lost"
        if status in ("delivered", "dead"):
            session.add(
                CooperationMessageRow(
                    direction=SENT,
                    peer=claim.peer,
                    jti=claim.event.id,
                    event_type=claim.event.type,
                    cooperation_reference=reference_of(claim.event.data),
                    token=token or "",
                    outcome="delivered" if status == "delivered" else "undelivered",
                    reason=None if status == "delivered" else answer.reason or "gave_up",
                    detail=error,
                )
            )
    return status


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession],
    exchange: Exchange,
    sender: Sender,
    *,
    schedule: RetrySchedule,
    batch_size: int,
    timeout_s: float,
    jitter: Jitter = random.random,
) -> int:
    """Claim the due messages and attempt them concurrently (they are of distinct peer-case pairs). Returns how
    many were attempted."""
    claims = await claim_due(sessions, batch_size, 2 * timeout_s + 1)

    async def one(claim: Claim) -> None:
        started_at = datetime.now(UTC)
        token, answer = await attempt(claim, exchange, sender)
        status = await record_attempt(sessions, claim, token, answer, started_at, schedule, jitter)
        if status == "delivered":
            COOPERATION_SENT.inc()
        elif status != "lease lost":
            COOPERATION_SEND_FAILURES.labels("given_up" if status == "dead" else "retried").inc()
        log.info(
            "cooperation: %s %s to %s, attempt %d: %s -> %s",
            claim.event.type,
            claim.event.id,
            claim.peer,
            claim.attempt,
            answer.status_code or answer.error,
            status,
        )

    await asyncio.gather(*(one(claim) for claim in claims))
    return len(claims)


async def pending_count(session: AsyncSession) -> int:
    """How many messages wait to be delivered (the gauge docket_cooperation_outbox_pending)."""
    pending = col(CooperationOutboxRow.status) == "pending"
    found = await session.exec(select(sa.func.count()).select_from(CooperationOutboxRow).where(pending))
    return int(found.one())


async def resend_given_up(session: AsyncSession) -> int:
    """Put every message given up back in line with a fresh budget of attempts (once the peer is fixed); returns
    how many. Their attempts so far stay recorded."""
    resent = await session.exec(
        sa.update(CooperationOutboxRow)
        .where(col(CooperationOutboxRow.status) == "dead")
        .values(status="pending", attempts=0, lease=None, dead_reason=None, next_attempt_at=sa.func.now())
        .returning(col(CooperationOutboxRow.id))
    )
    return len(resent.all())
