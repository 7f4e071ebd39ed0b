"""What the case service does with the events it consumes: one handler per event type."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import (
    ComplaintFiled,
    ComplaintWithdrawn,
    NotificationSent,
    Payload,
    PersonalDataErased,
)
from docket_contracts.progress import tells_of_progress
from docket_messaging.consumer import Handler

from . import readside
from .application import route_complaint
from .handling import withdrawn
from .store import PostgresCases


async def on_complaint_filed(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
    assert isinstance(payload, ComplaintFiled)
    await route_complaint(PostgresCases(session), payload)


async def on_complaint_withdrawn(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
    """A withdrawn complaint stays in its case's history, closed as withdrawn, and its complainant is owed no
    more news; nor is one whose personal data was erased, since nobody can write to them any more."""
    assert isinstance(payload, ComplaintWithdrawn | PersonalDataErased)
    await readside.stop_clock(session, payload.complaint_id)
    if isinstance(payload, ComplaintWithdrawn):
        await withdrawn(PostgresCases(session), payload.complaint_id, payload.withdrawn_on)


async def on_notification_sent(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
    """A letter about progress reached its complainant: their Art 78(2) three months run again from that day."""
    assert isinstance(payload, NotificationSent)
    if tells_of_progress(payload.recipient_role, payload.complaint_id, payload.source_event_type):
        assert payload.complaint_id is not None
        await readside.told(session, payload.complaint_id, payload.sent_on)


EVENT_HANDLERS: dict[str, Handler] = {
    "docket.complaint.filed": on_complaint_filed,
    "docket.complaint.withdrawn": on_complaint_withdrawn,
    "docket.complaint.personal_data_erased": on_complaint_withdrawn,
    "docket.notification.sent": on_notification_sent,
}
