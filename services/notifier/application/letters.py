"""Letters: written when an event calls for them (what the case file says, a complainant's sealed with
their key), and e-mailed when due by a worker that leases them as the webhook worker does (deliveries.py).
A letter sent about progress restarts its complainant's Art 78(2) three months.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import cast
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import COMPLAINANT_EMAIL, COMPLAINANT_NAME, ComplaintKind, NotificationSent, Sealed
from docket_contracts.progress import tells_of_progress
from docket_messaging.backoff import Jitter, RetrySchedule
from docket_privacy.personal import PersonalData
from docket_service.clock import Clock

from .. import store
from ..domain import CaseFile, Complainant, Letter, reminder_due_on
from ..metrics import EMAILS
from ..outbound import Mailer
from ..store import PERSONAL_LETTER_FIELDS, NotificationRow, Records, as_sealed
from .languages import Languages

log = logging.getLogger(__name__)

# --- writing ----------------------------------------------------------------------------------------------


async def case_file(
    records: Records,
    personal: PersonalData,
    case_id: UUID | None,
    complaint_id: UUID | None = None,
    *,
    everyone: bool = True,
    languages: Languages | None = None,
) -> CaseFile:
    """What the letters need: the case's controller and address, and its complainants (and `complaint_id`'s;
    only `complaint_id`'s unless `everyone`) with their names and addresses opened and the words of their
    language; the authority's words for the controller. An erased complainant is left out: nobody can write to
    them."""
    languages = languages or Languages()
    controller, controller_email = await records.controller_of(case_id)
    rows = await records.waiting_complainants(case_id if everyone else None, complaint_id)
    opened = await personal.open_many(
        [
            pair
            for row in rows
            for pair in ((COMPLAINANT_NAME, as_sealed(row.name)), (COMPLAINANT_EMAIL, as_sealed(row.email)))
        ]
    )
    complainants = tuple(
        Complainant(
            row.complaint_id,
            row.reference,
            cast(ComplaintKind, row.kind),
            name,
            email,
            row.address_proven,
            words=languages.words(row.language),
        )
        for row, name, email in zip(rows, opened[::2], opened[1::2], strict=True)
        if name is not None and email is not None
    )
    return CaseFile(
        case_id=case_id,
        controller=controller,
        controller_email=controller_email,
        complainants=complainants,
        words=languages.authority,
    )


def to_complainant(letter: Letter) -> bool:
    return letter.recipient_role == "complainant" and letter.complaint_id is not None


async def write_letters(
    records: Records, personal: PersonalData, source_id: str, source_type: str, letters: list[Letter]
) -> None:
    """Record the letters, a complainant's sealed with their key. A complainant is told when theirs is sent."""
    sealed: list[dict[str, Sealed] | None] = []
    for letter in letters:
        if to_complainant(letter):
            assert letter.complaint_id is not None
            clear = (letter.recipient_name, letter.address or "", letter.text, letter.html)
            values = await personal.seal_many(
                letter.complaint_id, list(zip(PERSONAL_LETTER_FIELDS.values(), clear, strict=True))
            )
            sealed.append(dict(zip(PERSONAL_LETTER_FIELDS, values, strict=True)))
        else:
            sealed.append(None)
    await records.record_letters(source_id, source_type, letters, sealed)


async def set_controller_contact(session: AsyncSession, controller_key: str, email: str, *, by: str) -> None:
    """Where letters to the controller go from now on (and who said so); the letters that were waiting for an
    address are e-mailed there."""
    async with session.begin():
        await store.set_controller_contact(session, controller_key, email, by)


# --- e-mail -----------------------------------------------------------------------------------------------


async def opened(personal: PersonalData, rows: list[NotificationRow]) -> list[dict[str, str | None]]:
    """Each letter's recipient, address and text: in clear, or opened from its sealed copy (None once erased)."""
    sealed = [
        (field, as_sealed((row.personal or {}).get(column)))
        for row in rows
        for column, field in PERSONAL_LETTER_FIELDS.items()
    ]
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
    recipients = getattr(exc, "recipients", None)
    if code is None and isinstance(recipients, dict):  # SMTPRecipientsRefused
        code = next((answer[0] for answer in recipients.values()), None)
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
