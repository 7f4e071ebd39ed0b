"""The notifier's use cases: take in an event, manage subscriptions, and the three workers that send
what the events called for (webhooks, e-mails, Art 78(2) reminders to staff).

A worker claims due rows with FOR UPDATE SKIP LOCKED and leases them (attempts + 1, a lease id, the
next attempt pushed past the lease) in a short transaction, sends without holding a transaction,
and records the outcome only if it still holds the lease. Two instances never send the same attempt;
an instance that dies mid-send leaves the row to be tried again when the lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Literal, cast
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import (
    CaseOpened,
    ComplaintFiled,
    ComplaintKind,
    ComplaintLinked,
    ComplaintWithdrawn,
    NotificationSent,
    Payload,
    PersonalDataErased,
    Sealed,
)
from docket_contracts.progress import clock_start, ends_wait, tells_of_progress
from docket_messaging.clock import Clock
from docket_messaging.metrics import EMAILS, WEBHOOKS
from docket_privacy.personal import PersonalData

from . import store
from .domain import CaseFile, Complainant, Letter, letters_for, reminder, reminder_due_on
from .outbound import Answer, Mailer, Resolver, Sender
from .store import PERSONAL_LETTER_FIELDS, DeliveryAttemptRow, DeliveryRow, NotificationRow, SubscriptionRow, as_sealed
from .webhooks import (
    CONTENT_TYPE,
    RetrySchedule,
    body_bytes,
    check_url,
    host_of,
    new_secret,
    signed_headers,
    verdict,
)

log = logging.getLogger(__name__)

Jitter = Callable[[], float]


class NotFound(LookupError):
    """No such subscription or delivery."""


class Conflict(Exception):
    """The request does not fit the current state; the text says why."""


class OutOfScope(Exception):
    """An integrator asked for event types its token's scope does not cover."""

    def __init__(self, refused: dict[str, str]) -> None:
        needs = "; ".join(f"{event_type} needs the scope {scope}" for event_type, scope in sorted(refused.items()))
        super().__init__(f"the token's scope does not cover these event types: {needs}")
        self.refused = refused


# --- taking in an event -----------------------------------------------------------------------------------

# Events whose letters concern one complaint only (the event's complaint_id).
ONE_COMPLAINT = (ComplaintFiled, CaseOpened, ComplaintLinked, ComplaintWithdrawn, PersonalDataErased)


async def take_in(
    session: AsyncSession, personal: PersonalData, event: CloudEvent, payload: Payload, *, lead_days: int
) -> None:
    """Everything an event calls for, in the consumer's transaction: the notifier's lookups, the letters,
    the complainants' Art 78(2) clocks, and a pending delivery per matching subscription."""
    case_id: UUID | None = getattr(payload, "case_id", None)
    complaint_id: UUID | None = getattr(payload, "complaint_id", None)
    early = None
    if isinstance(payload, ComplaintFiled):
        await store.add_complainant(
            session,
            payload.complaint_id,
            payload.reference,
            payload.kind,
            payload.complainant.name,
            payload.complainant.email,
        )
        if (start := clock_start(payload)) is not None:  # three months from receipt
            await store.told(session, [payload.complaint_id], start[1], reminder_due_on(start[1], lead_days))
        early = await store.take_early_link(session, payload.complaint_id)
    elif isinstance(payload, CaseOpened | ComplaintLinked):
        if isinstance(payload, CaseOpened):
            await store.open_case(session, payload.case_id, payload.controller)
        if not await store.link_complaint(session, payload.complaint_id, payload.case_id):
            await store.keep_early_link(session, event, payload.complaint_id, payload.case_id)
    elif isinstance(payload, ComplaintWithdrawn | PersonalDataErased):
        case_id = await store.case_of_complaint(session, payload.complaint_id)
        if isinstance(payload, PersonalDataErased):
            personal.forget(payload.complaint_id)

    # A letter about one complaint (its acknowledgement, its case opened or joined, its withdrawal) needs only
    # its complainant: opening every complainant of the case for each complaint joined made a campaign of
    # thousands against one controller quadratic.
    one = isinstance(payload, ONE_COMPLAINT)
    case = await case_file(session, personal, case_id, complaint_id, everyone=not one)
    await write_letters(session, personal, event.id, event.type, letters_for(payload, case))
    if early is not None:  # the case.opened or complaint.linked that came before this complaint
        await store.link_complaint(session, early.complaint_id, early.case_id)
        link = registry.BY_TYPE[early.event_type].payload.model_validate(early.data)
        await write_letters(
            session,
            personal,
            early.event_id,
            early.event_type,
            letters_for(link, await case_file(session, personal, early.case_id, early.complaint_id, everyone=False)),
        )
    if (ends := ends_wait(payload)) is not None:
        await store.stop_waiting(session, case_id=ends.case_id, complaint_id=ends.complaint_id)

    controller = payload.controller if isinstance(payload, ComplaintFiled) else case.controller
    await store.enqueue_deliveries(session, event, controller.key if controller else None, case_id)


async def case_file(
    session: AsyncSession,
    personal: PersonalData,
    case_id: UUID | None,
    complaint_id: UUID | None = None,
    *,
    everyone: bool = True,
) -> CaseFile:
    """What the letters need: the case's controller and address, and its complainants (and `complaint_id`'s;
    only `complaint_id`'s unless `everyone`) with their names and addresses opened. An erased complainant is
    left out: nobody can write to them."""
    controller, controller_email = await store.controller_of(session, case_id)
    rows = await store.waiting_complainants(session, case_id if everyone else None, complaint_id)
    opened = await personal.open_many([as_sealed(value) for row in rows for value in (row.name, row.email)])
    complainants = tuple(
        Complainant(row.complaint_id, row.reference, cast(ComplaintKind, row.kind), name, email)
        for row, name, email in zip(rows, opened[::2], opened[1::2], strict=True)
        if name is not None and email is not None
    )
    return CaseFile(
        case_id=case_id, controller=controller, controller_email=controller_email, complainants=complainants
    )


def to_complainant(letter: Letter) -> bool:
    return letter.recipient_role == "complainant" and letter.complaint_id is not None


async def write_letters(
    session: AsyncSession, personal: PersonalData, source_id: str, source_type: str, letters: list[Letter]
) -> None:
    """Record the letters, a complainant's sealed with their key. A complainant is told when theirs is sent."""
    sealed: list[dict[str, Sealed] | None] = []
    for letter in letters:
        if to_complainant(letter):
            assert letter.complaint_id is not None
            values = await personal.seal_many(
                letter.complaint_id, [letter.recipient_name, letter.address or "", letter.text, letter.html]
            )
            sealed.append(dict(zip(PERSONAL_LETTER_FIELDS, values, strict=True)))
        else:
            sealed.append(None)
    await store.record_letters(session, source_id, source_type, letters, sealed)


# --- subscriptions ----------------------------------------------------------------------------------------


async def check_reachable(url: str, resolver: Resolver, allow_list: list[str]) -> None:
    """Raise RefusedUrl unless `url` is one Docket may call (see webhooks.check_url)."""
    check_url(url, await resolver.resolve(host_of(url)), allow_list)


async def create_subscription(
    session: AsyncSession,
    personal: PersonalData,
    resolver: Resolver,
    allow_list: list[str],
    *,
    owner: str,
    url: str,
    event_types: list[str],
    controller_key: str | None,
    case_id: UUID | None,
    description: str | None,
) -> tuple[SubscriptionRow, str]:
    """The subscription and its signing secret, which is stored only sealed (with a key of the
    subscription's own, destroyed when it is deleted) and shown to the caller only now."""
    await check_reachable(url, resolver, allow_list)
    subscription_id, secret = uuid4(), new_secret()
    row = SubscriptionRow(
        id=subscription_id,
        owner=owner,
        url=url,
        event_types=sorted(set(event_types)),
        controller_key=controller_key,
        case_id=case_id,
        description=description,
        secret=(await personal.seal(subscription_id, secret)).model_dump(mode="json"),
    )
    async with session.begin():
        session.add(row)
    return row, secret


async def subscription(
    session: AsyncSession, subscription_id: UUID, *, owner: str | None = None, for_update: bool = False
) -> SubscriptionRow:
    """The subscription, if it exists and (when `owner` is given) belongs to `owner`: another integrator's
    subscription is as unknown as one that does not exist."""
    query = select(SubscriptionRow).where(col(SubscriptionRow.id) == subscription_id)
    if owner is not None:
        query = query.where(col(SubscriptionRow.owner) == owner)
    row = (await session.exec(query.with_for_update() if for_update else query)).first()
    if row is None:
        raise NotFound(f"no subscription {subscription_id}")
    return row


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


async def rotate_secret(
    session: AsyncSession, personal: PersonalData, subscription_id: UUID, grace_s: float, *, owner: str | None = None
) -> tuple[SubscriptionRow, str]:
    """A new secret signs from now on; the old one also signs for `grace_s` seconds, so that receivers
    can switch without rejecting a delivery. Returns the subscription and the new secret (shown once)."""
    secret = new_secret()
    async with session.begin():
        # Found (and the caller's) before anything is sealed: a key is made only for a real subscription.
        row = await subscription(session, subscription_id, owner=owner, for_update=True)
        sealed = (await personal.seal(row.id, secret)).model_dump(mode="json")
        row.previous_secret, row.secret = row.secret, sealed
        row.previous_secret_until = datetime.now(UTC) + timedelta(seconds=grace_s)
        row.updated_at = datetime.now(UTC)
        session.add(row)
    return row, secret


async def set_status(
    session: AsyncSession, subscription_id: UUID, status: Literal["active", "paused"], *, owner: str | None = None
) -> SubscriptionRow:
    """Pause or resume (resuming also re-enables a subscription disabled by 410 Gone)."""
    async with session.begin():
        row = await subscription(session, subscription_id, owner=owner, for_update=True)
        row.status, row.disabled_reason, row.updated_at = status, None, datetime.now(UTC)
        session.add(row)
    return row


async def delete_subscription(
    session: AsyncSession, personal: PersonalData, subscription_id: UUID, *, by: str, owner: str | None = None
) -> None:
    """Deletes the subscription with its deliveries and their log, and destroys the key of its secrets."""
    async with session.begin():
        row = await subscription(session, subscription_id, owner=owner, for_update=True)
        await session.delete(row)
    await personal.keystore.erase(subscription_id, by=by)
    personal.forget(subscription_id)


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


# --- webhook deliveries -----------------------------------------------------------------------------------


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
# same (subscription, aggregate) is still pending: one in flight per subscriber and case, in order.
_CLAIM_DELIVERIES = sa.text("""
    WITH due AS (
        SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND s.status = 'active'
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
    sessions: async_sessionmaker[AsyncSession], personal: PersonalData, limit: int, lease_s: float
) -> list[Claim]:
    lease = uuid4()
    async with sessions() as session, session.begin():
        connection = await session.connection()
        rows = (await connection.execute(_CLAIM_DELIVERIES, {"limit": limit, "lease": lease, "lease_s": lease_s})).all()
    secrets = await personal.open_many([as_sealed(s) for row in rows for s in (row.secret, row.previous_secret)])
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
) -> int:
    """Claim due deliveries and attempt them concurrently (they are of distinct subscriber-case pairs).
    Returns how many were attempted."""
    claims = await claim_deliveries(sessions, personal, batch_size, lease_s=2 * timeout_s + 1)

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


# --- e-mail -----------------------------------------------------------------------------------------------


async def opened(personal: PersonalData, rows: list[NotificationRow]) -> list[dict[str, str | None]]:
    """Each letter's recipient, address and text: in clear, or opened from its sealed copy (None once erased)."""
    sealed = [as_sealed((row.personal or {}).get(f)) for row in rows for f in PERSONAL_LETTER_FIELDS]
    values = await personal.open_many(sealed)
    out = []
    for index, row in enumerate(rows):
        if row.personal is None:
            out.append(
                {
                    "recipient_name": row.recipient_name,
                    "recipient_address": row.recipient_address,
                    "text": row.text,
                    "html": row.html,
                }
            )
        else:
            out.append(dict(zip(PERSONAL_LETTER_FIELDS, values[index * 4 : index * 4 + 4], strict=True)))
    return out


def email_of(row: NotificationRow, letter: dict[str, str | None], sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = letter["recipient_address"]
    message["Subject"] = row.subject
    # The same Message-ID on every attempt lets mail systems drop a duplicate sent after a lost lease.
    message["Message-ID"] = make_msgid(idstring=str(row.id), domain="docket.notifier")
    message["X-Docket-Notification"] = str(row.id)
    message.set_content(letter["text"] or "")
    message.add_alternative(letter["html"] or "", subtype="html")
    return message


def mail_error(exc: Exception) -> str:
    """What went wrong, without the server's text: it often repeats the recipient's address."""
    code = getattr(exc, "smtp_code", None)
    if code is None and isinstance(getattr(exc, "recipients", None), dict):  # SMTPRecipientsRefused
        code = next((answer[0] for answer in exc.recipients.values()), None)  # type: ignore[attr-defined]
    return f"{type(exc).__name__}" + (f" (SMTP {code})" if code is not None else "")


async def send_due_letters(
    sessions: async_sessionmaker[AsyncSession],
    personal: PersonalData,
    mailer: Mailer,
    *,
    sender: str,
    schedule: RetrySchedule,
    batch_size: int,
    lease_s: float,
    clock: Clock,
    lead_days: int,
    jitter: Jitter = random.random,
) -> int:
    """E-mail the letters that are due. One sent is announced (notification.sent), and a letter about progress
    restarts its complainant's Art 78(2) three months from the day it was sent."""
    lease = uuid4()
    async with sessions() as session, session.begin():
        due = (
            await session.exec(
                select(NotificationRow)
                .where(
                    col(NotificationRow.email_status) == "pending",
                    col(NotificationRow.next_attempt_at) <= sa.func.now(),
                )
                .order_by(col(NotificationRow.created_at))
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in due:
            row.attempts, row.lease = row.attempts + 1, lease
            row.next_attempt_at = datetime.now(UTC) + timedelta(seconds=lease_s)
            session.add(row)
    letters = await opened(personal, list(due))
    for row, letter in zip(due, letters, strict=True):
        values: dict[str, object] = {"lease": None}
        if letter["recipient_address"] is None or letter["text"] is None:  # the complainant was erased meanwhile
            values |= {"email_status": "erased", "last_error": None}
            async with sessions() as session, session.begin():
                await session.exec(
                    sa.update(NotificationRow)
                    .where(col(NotificationRow.id) == row.id, col(NotificationRow.lease) == lease)
                    .values(**values)
                )
            continue
        try:
            await mailer.send(email_of(row, letter, sender))
        except Exception as exc:  # the server refused or could not be reached: try again later
            values["last_error"] = mail_error(exc)
            EMAILS.labels("failed").inc()
            if schedule.exhausted(row.attempts):
                EMAILS.labels("given_up").inc()
                values["email_status"] = "failed"
            else:
                delay = schedule.delay(row.attempts, jitter())
                values["next_attempt_at"] = datetime.now(UTC) + timedelta(seconds=delay)
            log.warning("letter %s not sent (attempt %d): %s", row.id, row.attempts, type(exc).__name__)
        else:
            EMAILS.labels("sent").inc()
            await _sent(sessions, row, lease, clock, lead_days)
            continue
        async with sessions() as session, session.begin():
            await session.exec(
                sa.update(NotificationRow)
                .where(col(NotificationRow.id) == row.id, col(NotificationRow.lease) == lease)
                .values(**values)
            )
    return len(due)


async def _sent(
    sessions: async_sessionmaker[AsyncSession], row: NotificationRow, lease: UUID, clock: Clock, lead_days: int
) -> None:
    sent_at, sent_on = clock.now(), clock.today()
    async with sessions() as session, session.begin():
        held = await session.exec(
            sa.update(NotificationRow)
            .where(col(NotificationRow.id) == row.id, col(NotificationRow.lease) == lease)
            .values(lease=None, email_status="sent", sent_at=sent_at, last_error=None)
        )
        if not held.rowcount:  # the lease ran out meanwhile: whoever holds it now records the outcome
            return
        if tells_of_progress(row.recipient_role, row.complaint_id, row.source_event_type):
            assert row.complaint_id is not None
            await store.told(session, [row.complaint_id], sent_on, reminder_due_on(sent_on, lead_days))
        store.announce_sent(
            session,
            NotificationSent(
                notification_id=row.id,
                source_event_type=row.source_event_type,
                recipient_role=row.recipient_role,
                case_id=row.case_id,
                complaint_id=row.complaint_id,
                sent_at=sent_at,
                sent_on=sent_on,
            ),
        )


# --- GDPR Art 78(2) reminders -----------------------------------------------------------------------------


async def send_due_reminders(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, *, staff_address: str | None, batch_size: int
) -> int:
    """A reminder to staff for each waiting complainant whose reminder day has come; one per silence."""
    async with sessions() as session, session.begin():
        due = (
            await session.exec(
                select(store.ComplainantRow)
                .where(col(store.ComplainantRow.waiting), col(store.ComplainantRow.reminder_due_on) <= clock.today())
                .order_by(col(store.ComplainantRow.reminder_due_on))
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in due:
            case = await session.get(store.CaseControllerRow, row.case_id) if row.case_id else None
            assert row.last_news_on is not None
            letter = reminder(
                row.complaint_id,
                row.reference,
                row.case_id,
                case.controller_name if case else None,
                row.last_news_on,
                staff_address,
            )
            await store.record_letters(
                session, f"art78:{row.complaint_id}:{row.last_news_on.isoformat()}", "art78_reminder", [letter], [None]
            )
            row.reminder_due_on = None
            session.add(row)
    return len(due)
