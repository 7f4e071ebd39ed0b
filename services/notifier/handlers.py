"""What the notifier does with the events it consumes: every event a subscriber may ask for goes
through `take_in` (letters, Art 78(2) clocks, webhook deliveries) in the inbox transaction.
"""

from __future__ import annotations

from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import (
    CaseOpened,
    ComplaintFiled,
    ComplaintLinked,
    ComplaintWithdrawn,
    Payload,
    PersonalDataErased,
)
from docket_contracts.progress import clock_start, ends_wait
from docket_messaging.consumer import Handler
from docket_privacy.personal import PersonalData

from . import store
from .config import NotifierSettings
from .domain import letters_for, reminder_due_on
from .letters import case_file, write_letters
from .webhooks import SUBSCRIBABLE


def handlers(settings: NotifierSettings, personal: PersonalData) -> dict[str, Handler]:
    async def on_event(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
        await take_in(session, personal, event, payload, lead_days=settings.art78_reminder_lead_days)

    return dict.fromkeys(SUBSCRIBABLE, on_event)


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
