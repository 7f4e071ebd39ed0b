"""Webhook deliveries: the worker that claims the due ones, attempts them and records each outcome, and the
integrator's hand on one delivery (look it up, deliver it again).

A worker claims due rows with FOR UPDATE SKIP LOCKED and leases them (attempts + 1, a lease id, the
next attempt pushed past the lease) in a short transaction, sends without holding a transaction,
and records the outcome only if it still holds the lease. Two instances never send the same attempt;
an instance that dies mid-send leaves the row to be tried again when the lease runs out. The e-mail
worker (letters.py) works the same way.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_messaging.backoff import Jitter, RetrySchedule
from docket_privacy.personal import PersonalData

from ..domain.webhooks import CONTENT_TYPE, body_bytes, host_of, signed_headers, verdict
from ..errors import Conflict, NotFound
from ..metrics import WEBHOOKS
from ..outbound import Answer, Sender
from ..store import SECRET, DeliveryAttemptRow, DeliveryRow, SubscriptionRow, as_sealed

log = logging.getLogger(__name__)

# How long an integrator's scopes, as their last token showed them, are taken as still theirs (the setting
# WEBHOOK_SCOPES_MAX_AGE_DAYS; this is its default).
SCOPES_MAX_AGE_S = 7 * 86_400.0


# --- one delivery -----------------------------------------------------------------------------------------


async def delivery(
    session: AsyncSession, delivery_id: UUID, *, owner: str | None = None, for_update: bool = False
) -> DeliveryRow:
    """The delivery, if it exists and (when `owner` is given) is one of `owner`'s subscriptions'."""
    query = select(DeliveryRow).where(col(DeliveryRow.id) == delivery_id)
    if owner is not None:
        query = query.join(SubscriptionRow, col(SubscriptionRow.id) == col(DeliveryRow.subscription_id)).where(
            col(SubscriptionRow.owner) == owner
        )
    row = (await session.exec(query.with_for_update(of=DeliveryRow) if for_update else query)).first()
    if row is None:
        raise NotFound(f"no delivery {delivery_id}")
    return row


async def redeliver(session: AsyncSession, delivery_id: UUID, *, owner: str | None = None) -> DeliveryRow:
    """Put a dead-lettered (or delivered) delivery back in line with a fresh attempt budget, same webhook-id."""
    async with session.begin():
        row = await delivery(session, delivery_id, owner=owner, for_update=True)
        if row.status == "pending":
            raise Conflict(
                f"delivery {delivery_id} is still pending (attempt {row.attempts} made); "
                f"it cannot be redelivered before it is delivered or dead-lettered"
            )
        row.status, row.attempts, row.lease, row.dead_reason = "pending", 0, None, None
        row.next_attempt_at = datetime.now(UTC)
        session.add(row)
    return row


# --- the worker -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    delivery_id: UUID
    lease: UUID
    attempt: int
    subscription_id: UUID
    url: str
    secrets: tuple[str, ...]
    body: bytes


# Due pending deliveries of active subscriptions, oldest first, each only if no earlier delivery of the
# same (subscription, aggregate) is still pending: one in flight per subscriber and case, in order. An
# integrator's subscription whose owner has not shown a token for `scopes_max_age_s` waits: whether they may
# still receive its events is known only from a token (subscriptions.note_scopes).
_CLAIM_DELIVERIES = sa.text("""
    WITH due AS (
        SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND s.status = 'active'
          AND (s.scopes IS NULL OR s.scopes_seen_at > now() - make_interval(secs => :scopes_max_age_s))
          AND NOT EXISTS (SELECT 1 FROM deliveries e
                          WHERE e.subscription_id = d.subscription_id AND e.ordering_key = d.ordering_key
                            AND e.status = 'pending' AND e.seq < d.seq)
        ORDER BY d.seq LIMIT :limit
        FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE deliveries SET attempts = deliveries.attempts + 1, lease = :lease,
                          next_attempt_at = now() + make_interval(secs => :lease_s)
    FROM due, subscriptions s
    WHERE deliveries.id = due.id AND s.id = deliveries.subscription_id
    RETURNING deliveries.id, deliveries.attempts, deliveries.subscription_id, deliveries.body, s.url, s.secret,
              CASE WHEN s.previous_secret_until > now() THEN s.previous_secret END AS previous_secret
""")


async def claim_deliveries(
    sessions: async_sessionmaker[AsyncSession],
    personal: PersonalData,
    limit: int,
    lease_s: float,
    scopes_max_age_s: float = SCOPES_MAX_AGE_S,
) -> list[Claim]:
    lease = uuid4()
    values = {"limit": limit, "lease": lease, "lease_s": lease_s, "scopes_max_age_s": scopes_max_age_s}
    async with sessions() as session, session.begin():
        connection = await session.connection()
        rows = (await connection.execute(_CLAIM_DELIVERIES, values)).all()
    secrets = await personal.open_many(
        [(SECRET, as_sealed(s)) for row in rows for s in (row.secret, row.previous_secret)]
    )
    return [
        Claim(
            row.id,
            lease,
            row.attempts,
            row.subscription_id,
            row.url,
            tuple(s for s in (current, previous) if s),
            body_bytes(row.body),
        )
        for row, current, previous in zip(rows, secrets[::2], secrets[1::2], strict=True)
    ]


async def attempt_delivery(claim: Claim, sender: Sender) -> Answer:
    """One signed POST. The sender resolves the host, checks the addresses and connects to a checked one in
    one step (outbound.GuardedSender), so a name that resolves differently the second time gets nowhere."""
    if not claim.secrets:  # its secret was erased: an unsigned request would be worse than none
        return Answer(None, "refused: the subscription has no signing secret; rotate it to get a new one", 0)
    headers = signed_headers(claim.secrets, str(claim.delivery_id), int(time.time()), claim.body, CONTENT_TYPE)
    return await sender.post(claim.url, headers, claim.body)


async def record_attempt(
    sessions: async_sessionmaker[AsyncSession],
    claim: Claim,
    answer: Answer,
    started_at: datetime,
    schedule: RetrySchedule,
    jitter: Jitter,
) -> str:
    """Log the attempt and move the delivery on: delivered, retried later, or dead-lettered; 410 Gone also
    disables the subscription. Returns the delivery's new status."""
    outcome = verdict(answer.status_code)
    error = answer.error or (f"HTTP {answer.status_code}" if outcome != "delivered" else None)
    values: dict[str, object] = {"lease": None, "last_status_code": answer.status_code, "last_error": error}
    if outcome == "delivered":
        values |= {"status": "delivered", "delivered_at": sa.func.now()}
    elif outcome == "gone":
        values |= {"status": "dead", "dead_reason": "the receiver answered 410 Gone; the subscription was disabled"}
    elif schedule.exhausted(claim.attempt):
        values |= {"status": "dead", "dead_reason": f"gave up after {claim.attempt} attempts; last: {error}"}
    else:
        delay = schedule.delay(claim.attempt, jitter())
        values |= {"next_attempt_at": sa.func.now() + sa.func.make_interval(0, 0, 0, 0, 0, 0, delay)}
    async with sessions() as session, session.begin():
        session.add(
            DeliveryAttemptRow(
                delivery_id=claim.delivery_id,
                number=claim.attempt,
                started_at=started_at,
                latency_ms=answer.latency_ms,
                status_code=answer.status_code,
                error=error,
                verdict=outcome,
            )
        )
        updated = await session.exec(
            sa.update(DeliveryRow)
            .where(col(DeliveryRow.id) == claim.delivery_id, col(DeliveryRow.lease) == claim.lease)
            .values(**values)
            .returning(col(DeliveryRow.status))
        )
        status = updated.scalar() or "lease lost"
        if outcome == "gone":
            await session.exec(
                sa.update(SubscriptionRow)
                .where(col(SubscriptionRow.id) == claim.subscription_id)
                .values(
                    status="disabled",
                    updated_at=sa.func.now(),
                    disabled_reason=f"{claim.url} answered 410 Gone to delivery {claim.delivery_id}",
                )
            )
    return status


async def deliver_due_webhooks(
    sessions: async_sessionmaker[AsyncSession],
    personal: PersonalData,
    sender: Sender,
    *,
    schedule: RetrySchedule,
    batch_size: int,
    timeout_s: float,
    jitter: Jitter = random.random,
    scopes_max_age_s: float = SCOPES_MAX_AGE_S,
) -> int:
    """Claim due deliveries and attempt them concurrently (they are of distinct subscriber-case pairs).
    Returns how many were attempted."""
    claims = await claim_deliveries(sessions, personal, batch_size, 2 * timeout_s + 1, scopes_max_age_s)

    async def one(claim: Claim) -> None:
        started_at = datetime.now(UTC)
        answer = await attempt_delivery(claim, sender)
        status = await record_attempt(sessions, claim, answer, started_at, schedule, jitter)
        WEBHOOKS.labels(verdict(answer.status_code)).observe((answer.latency_ms or 0) / 1000)
        log.info(
            "webhook %s attempt %d to %s: %s -> %s",
            claim.delivery_id,
            claim.attempt,
            host_of(claim.url),
            answer.status_code or answer.error,
            status,
        )

    await asyncio.gather(*(one(claim) for claim in claims))
    return len(claims)
