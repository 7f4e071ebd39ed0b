"""Intake reads the case service's events back, to tell each complainant how their complaint progresses,
and the notifier's letters to complainants, to give back on an access request what Docket told them: one
handler per event type, in EVENT_HANDLERS. Each runs in the inbox consumer's transaction, with the event's
record in the inbox."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import CaseOpened, ComplaintLinked, NotificationRecorded, Payload
from docket_contracts.progress import news
from docket_contracts.registry import EVENTS
from docket_contracts.topics import CASES
from docket_messaging.consumer import Handler, Refused

from . import store
from .domain import case_of


async def on_complaint_in_case(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
    """A complaint of ours went into a case (opened on it, or joined to the open one): remember which, and tell
    its complainant."""
    assert isinstance(payload, CaseOpened | ComplaintLinked)
    told = news(payload)
    if told is not None and await store.join_case(session, payload.complaint_id, payload.case_id):
        await store.record_progress(session, [payload.complaint_id], event.id, told.on, told.line, told.stage)


async def on_case_news(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
    """The progress line of every complainant of the case the event is news for, or of the one complaint it is
    about (docket_contracts.progress)."""
    told = news(payload)
    if told is None:
        return
    case_id = case_of(payload)
    complaint_ids = await store.complaints_of_case(session, case_id) if case_id else []
    if told.only is not None:  # news of one complaint's own handling
        complaint_ids = [c for c in complaint_ids if c == told.only]
    if complaint_ids:
        await store.record_progress(session, complaint_ids, event.id, told.on, told.line, told.stage)


async def on_notification(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
    """Keep a letter to a complainant of ours, to give it back on an access request. Its text must be sealed with
    the key of the complaint's data subject (subject id = complaint id): a letter sealed for another subject is
    refused (dead-lettered), never kept under this complaint."""
    assert isinstance(payload, NotificationRecorded)
    if payload.recipient_role != "complainant" or not payload.complaint_id or payload.text is None:
        return
    if payload.text.subject != payload.complaint_id:
        raise Refused(
            f"the letter {payload.notification_id} to the complainant of complaint {payload.complaint_id} is sealed "
            f"for another data subject ({payload.text.subject})"
        )
    if await session.get(store.ComplaintRow, payload.complaint_id) is not None:
        await store.add_letter(
            session, payload.notification_id, payload.complaint_id, payload.title, payload.text, event.time
        )


JOINING = {"docket.case.opened", "docket.complaint.linked"}

EVENT_HANDLERS: dict[str, Handler] = {
    "docket.case.opened": on_complaint_in_case,
    "docket.complaint.linked": on_complaint_in_case,
    **{spec.type: on_case_news for spec in EVENTS if spec.topic == CASES and spec.type not in JOINING},
    "docket.notification.recorded": on_notification,
}
