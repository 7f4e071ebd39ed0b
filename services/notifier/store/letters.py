"""Letters: recorded (a complainant's sealed) and announced as notification.recorded, their sending announced
as notification.sent, and found for staff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID, uuid4

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import topics
from docket_contracts.events import NotificationRecorded, NotificationSent, Sealed
from docket_contracts.registry import new_event
from docket_messaging.outbox import add_to_outbox

from ..domain import Letter
from .tables import SOURCE, NotificationRow


async def record_letters(
    session: AsyncSession,
    source_id: str,
    source_type: str,
    letters: Sequence[Letter],
    sealed: Sequence[dict[str, Sealed] | None],
) -> None:
    """Store each letter (to be e-mailed when it has an address) and announce it as notification.recorded.

    `sealed[i]` holds letter i's personal fields sealed (a letter to a complainant), or is None (in clear).
    """
    events = []
    for letter, personal in zip(letters, sealed, strict=True):
        clear = personal is None
        row = NotificationRow(
            id=uuid4(),
            source_event_id=source_id,
            source_event_type=source_type,
            channel=letter.channel,
            recipient_role=letter.recipient_role,
            case_id=letter.case_id,
            complaint_id=letter.complaint_id,
            body=letter.summary,
            kind=letter.kind,
            subject=letter.subject,
            text=letter.text if clear else "",
            html=letter.html if clear else "",
            recipient_name=letter.recipient_name if clear else "",
            recipient_address=letter.address if clear else None,
            personal=None if personal is None else {k: v.model_dump(mode="json") for k, v in personal.items()},
            controller_key=letter.controller_key,
            email_status=("unproven" if letter.waits_for_proof else "pending") if letter.address else "no_address",
            next_attempt_at=datetime.now(UTC),
        )
        session.add(row)
        recorded = NotificationRecorded(
            notification_id=row.id,
            source_event_id=source_id,
            source_event_type=source_type,
            channel=letter.channel,
            recipient_role=letter.recipient_role,
            case_id=letter.case_id,
            complaint_id=letter.complaint_id,
            title=None if clear else letter.subject,
            # The letter asking for the proof carries the code: it is not given out again, not even on an access
            # request, which the one who filed could make to learn the code they were not sent.
            text=None if personal is None or letter.asks_for_proof else personal["text"],
        )
        events.append(new_event(recorded, source=SOURCE, subject=str(row.id)))
    add_to_outbox(session, events, topics.NOTIFICATIONS)


def announce_sent(session: AsyncSession, sent: NotificationSent) -> None:
    add_to_outbox(session, [new_event(sent, source=SOURCE, subject=str(sent.notification_id))], topics.NOTIFICATIONS)


async def find(
    session: AsyncSession, case_id: UUID | None, complaint_id: UUID | None, limit: int, offset: int
) -> Sequence[NotificationRow]:
    query = select(NotificationRow)
    if case_id is not None:
        query = query.where(NotificationRow.case_id == case_id)
    if complaint_id is not None:
        query = query.where(NotificationRow.complaint_id == complaint_id)
    query = query.order_by(col(NotificationRow.created_at), col(NotificationRow.id)).limit(limit).offset(offset)
    return (await session.exec(query)).all()
