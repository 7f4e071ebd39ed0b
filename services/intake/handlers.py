"""Intake reads the case service's events back, to tell each complainant how their complaint progresses,
and the notifier's letters to complainants, to give back on an access request what Docket told them."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import CaseOpened, ComplaintLinked, NotificationRecorded, Payload
from docket_contracts.progress import news
from docket_contracts.registry import EVENTS
from docket_contracts.topics import CASES
from docket_messaging.consumer import Handler

from . import store
from .domain import case_of


async def on_case_event(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
    """The progress line of every complainant the event is news for (docket_contracts.progress)."""
    told = news(payload)
    if told is None:
        return
    match payload:
        case CaseOpened() | ComplaintLinked():
            joined = await store.join_case(session, payload.complaint_id, payload.case_id)
            complaint_ids = [payload.complaint_id] if joined else []
        case _:
            case_id = case_of(payload)
            complaint_ids = await store.complaints_of_case(session, case_id) if case_id else []
    if complaint_ids:
        await store.record_progress(session, complaint_ids, event.id, told.on, told.line, told.stage)


async def on_notification(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
    assert isinstance(payload, NotificationRecorded)
    if (
        payload.recipient_role == "complainant"
        and payload.complaint_id
        and payload.text is not None
        and await session.get(store.ComplaintRow, payload.complaint_id) is not None
    ):
        await store.add_letter(
            session, payload.notification_id, payload.complaint_id, payload.title, payload.text, event.time
        )


HANDLERS: dict[str, Handler] = {
    **{spec.type: on_case_event for spec in EVENTS if spec.topic == CASES},
    "docket.notification.recorded": on_notification,
}
