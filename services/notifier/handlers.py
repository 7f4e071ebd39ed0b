"""What the notifier does with each event it consumes, in the inbox transaction.

`EVENT_HANDLERS` names the handler of every event type a subscriber may ask for. A handler does its own
event's work (what the notifier learns of complaints and cases, a complainant's Art 78(2) clock) and then
`tell`s: the letters the event calls for, the end of a wait for news, and a pending webhook delivery for each
subscription that asks for the event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry, topics
from docket_contracts.cooperation import ComplaintResolvedEarly, ComplaintTransmitted, CrossBorderComplaintRegistered
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import (
    ADDRESS_CODE,
    CaseAssigned,
    CaseOpened,
    ComplaintAddressCodeIssued,
    ComplaintAddressProven,
    ComplaintAdmissibilityDecided,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintControllerAnswered,
    ComplaintControllerAsked,
    ComplaintFiled,
    ComplaintJoinedInvestigation,
    ComplaintLinked,
    ComplaintTransferred,
    ComplaintWithdrawn,
    Controller,
    ControllerAnswerOverdue,
    ControllerAskedToAct,
    Payload,
    PersonalDataErased,
)
from docket_contracts.progress import clock_start, ends_wait
from docket_messaging.consumer import Handler
from docket_privacy.personal import PersonalData

from .application.languages import Languages
from .application.letters import case_file, write_letters
from .config import NotifierSettings
from .domain import address_proof, letters_for, reminder_due_on
from .store import PostgresRecords, Records


@dataclass(frozen=True)
class Needs:
    """What the handlers need besides the event: the complainants' keys, how many days before three months
    without news end staff are reminded, and the words of each language letters are written in."""

    personal: PersonalData
    lead_days: int
    languages: Languages = field(default_factory=Languages)


EventHandler = Callable[[Records, CloudEvent, Any, Needs], Awaitable[None]]


async def tell(
    records: Records,
    event: CloudEvent,
    payload: Payload,
    needs: Needs,
    *,
    case_id: UUID | None,
    complaint_id: UUID | None,
    everyone: bool,
    controller: Controller | None = None,
) -> None:
    """What every event calls for once its own work is done: its letters (to `complaint_id`'s complainant, and
    to every complainant of `case_id` if `everyone`), the end of a wait for news, and a pending delivery per
    matching subscription, filtered on `controller` (the event's own, else the case's)."""
    case = await case_file(records, needs.personal, case_id, complaint_id, everyone=everyone, languages=needs.languages)
    await write_letters(records, needs.personal, event.id, event.type, letters_for(payload, case))
    if (ends := ends_wait(payload)) is not None:
        await records.stop_waiting(case_id=ends.case_id, complaint_id=ends.complaint_id)
    if controller is None:
        controller = case.controller
    await records.enqueue_deliveries(event, controller.key if controller else None, case_id)


async def address_code_issued(
    records: Records, event: CloudEvent, payload: ComplaintAddressCodeIssued, needs: Needs
) -> None:
    """Keep the code until its complaint.filed, which comes next (the same key) with the address to send it to."""
    await records.keep_address_code(payload.complaint_id, payload.code)
    await records.enqueue_deliveries(event, None, None)


async def complaint_filed(records: Records, event: CloudEvent, payload: ComplaintFiled, needs: Needs) -> None:
    """Learn the complainant (sealed, as the event carries them) and start their three months from the day the
    complaint was received. A filing that came with a code (address_code_issued) gave an address nobody has
    proven: the code goes there, in the first letter, and the others wait for the proof. A case.opened or
    complaint.linked taken in before this event (early_links) has its letter written now that the
    complainant's address is known, after the acknowledgement."""
    code = await records.take_address_code(payload.complaint_id)
    await records.add_complainant(
        payload.complaint_id,
        payload.reference,
        payload.kind,
        payload.complainant.name,
        payload.complainant.email,
        address_proven=code is None,
        language=payload.language,
    )
    if (start := clock_start(payload)) is not None:
        await records.told([payload.complaint_id], start[1], reminder_due_on(start[1], needs.lead_days))
    if code is not None and (opened := await needs.personal.open(ADDRESS_CODE, code)) is not None:
        case = await case_file(
            records, needs.personal, None, payload.complaint_id, everyone=False, languages=needs.languages
        )
        proofs = [address_proof(complainant, opened) for complainant in case.complainants]
        await write_letters(records, needs.personal, event.id, event.type, proofs)
    early = await records.take_early_link(payload.complaint_id)
    await tell(
        records,
        event,
        payload,
        needs,
        case_id=None,
        complaint_id=payload.complaint_id,
        everyone=False,
        controller=payload.controller,
    )
    if early is not None:
        await records.link_complaint(early.complaint_id, early.case_id)
        link = registry.BY_TYPE[early.event_type].payload.model_validate(early.data)
        case = await case_file(
            records, needs.personal, early.case_id, early.complaint_id, everyone=False, languages=needs.languages
        )
        await write_letters(records, needs.personal, early.event_id, early.event_type, letters_for(link, case))


async def case_opened(records: Records, event: CloudEvent, payload: CaseOpened, needs: Needs) -> None:
    """Learn the case's controller and tie the complaint to the case."""
    await records.open_case(payload.case_id, payload.controller)
    await link(records, event, payload.complaint_id, payload.case_id)
    await tell(
        records, event, payload, needs, case_id=payload.case_id, complaint_id=payload.complaint_id, everyone=False
    )


async def complaint_linked(records: Records, event: CloudEvent, payload: ComplaintLinked, needs: Needs) -> None:
    """Tie the complaint to the case it joined."""
    await link(records, event, payload.complaint_id, payload.case_id)
    await tell(
        records, event, payload, needs, case_id=payload.case_id, complaint_id=payload.complaint_id, everyone=False
    )


async def link(records: Records, event: CloudEvent, complaint_id: UUID, case_id: UUID) -> None:
    """Tie the complaint to its case; if its complaint.filed has not come yet (the two topics are consumed
    independently), keep the event for when it does (see complaint_filed)."""
    if not await records.link_complaint(complaint_id, case_id):
        await records.keep_early_link(event, complaint_id, case_id)


async def address_proven(records: Records, event: CloudEvent, payload: ComplaintAddressProven, needs: Needs) -> None:
    """The complainant proved their address: the letters held for it go out, and the next ones with them."""
    await records.prove_address(payload.complaint_id)
    case_id = await records.case_of_complaint(payload.complaint_id)
    await tell(records, event, payload, needs, case_id=case_id, complaint_id=payload.complaint_id, everyone=False)


async def complaint_withdrawn(records: Records, event: CloudEvent, payload: ComplaintWithdrawn, needs: Needs) -> None:
    """The withdrawal is confirmed to its complainant, who waits for no news any more."""
    case_id = await records.case_of_complaint(payload.complaint_id)
    await tell(records, event, payload, needs, case_id=case_id, complaint_id=payload.complaint_id, everyone=False)


async def personal_data_erased(records: Records, event: CloudEvent, payload: PersonalDataErased, needs: Needs) -> None:
    """The complainant's key is gone: drop it from the cache too, so that nothing of theirs opens any more."""
    case_id = await records.case_of_complaint(payload.complaint_id)
    needs.personal.forget(payload.complaint_id)
    await tell(records, event, payload, needs, case_id=case_id, complaint_id=payload.complaint_id, everyone=False)


async def case_event(records: Records, event: CloudEvent, payload: Payload, needs: Needs) -> None:
    """An event of the case as a whole: its letters go to the controller, staff and every complainant waiting."""
    case_id = getattr(payload, "case_id", None)
    assert isinstance(case_id, UUID), "every event of the cases topic names its case"
    await tell(records, event, payload, needs, case_id=case_id, complaint_id=None, everyone=True)


# The events of one complaint's own handling, and those of the case that concern no complainant.
ComplaintEvent = (
    ComplaintAssigned
    | ComplaintAdmissibilityDecided
    | ComplaintControllerAsked
    | ComplaintControllerAnswered
    | ComplaintJoinedInvestigation
    | ComplaintTransferred
    | ComplaintClosed
    | CrossBorderComplaintRegistered
    | ComplaintTransmitted
    | ComplaintResolvedEarly
)
ControllerEvent = CaseAssigned | ControllerAskedToAct | ControllerAnswerOverdue


async def complaint_event(records: Records, event: CloudEvent, payload: ComplaintEvent, needs: Needs) -> None:
    """A step of one complaint's handling: its letter goes to that complaint's complainant only (and its end,
    if it is one, ends their wait)."""
    await tell(
        records, event, payload, needs, case_id=payload.case_id, complaint_id=payload.complaint_id, everyone=False
    )


async def controller_event(records: Records, event: CloudEvent, payload: ControllerEvent, needs: Needs) -> None:
    """An event of the case no complainant is written to about: its letter, if any, goes to the controller."""
    await tell(records, event, payload, needs, case_id=payload.case_id, complaint_id=None, everyone=False)


# Every event type a subscriber may ask for (webhooks.SUBSCRIBABLE), and its handler: those of complaints, of
# the opening or the joining of a case and of a complaint's own handling each their own, every other event of a
# case `case_event`.
EVENT_HANDLERS: dict[type[Payload], EventHandler] = {
    ComplaintFiled: complaint_filed,
    ComplaintAddressCodeIssued: address_code_issued,
    ComplaintAddressProven: address_proven,
    ComplaintWithdrawn: complaint_withdrawn,
    PersonalDataErased: personal_data_erased,
    CaseOpened: case_opened,
    ComplaintLinked: complaint_linked,
    **{
        spec.payload: case_event
        for spec in registry.EVENTS
        if spec.topic == topics.CASES and spec.payload not in (CaseOpened, ComplaintLinked)
    },
    CaseAssigned: controller_event,
    ComplaintAssigned: complaint_event,
    ComplaintAdmissibilityDecided: complaint_event,
    ControllerAskedToAct: controller_event,
    ComplaintControllerAsked: complaint_event,
    ControllerAnswerOverdue: controller_event,
    ComplaintControllerAnswered: complaint_event,
    ComplaintJoinedInvestigation: complaint_event,
    ComplaintTransferred: complaint_event,
    ComplaintClosed: complaint_event,
    CrossBorderComplaintRegistered: complaint_event,
    ComplaintTransmitted: complaint_event,
    ComplaintResolvedEarly: complaint_event,
}


def handlers(settings: NotifierSettings, personal: PersonalData) -> dict[str, Handler]:
    """EVENT_HANDLERS as the consumer calls them: by event type, in the consumer's session, with what they need
    bound."""
    needs = Needs(personal, settings.art78_reminder_lead_days, Languages(settings.authority_language))

    def bound(handler: EventHandler) -> Handler:
        async def handle(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
            await handler(PostgresRecords(session), event, payload, needs)

        return handle

    return {registry.BY_PAYLOAD[payload].type: bound(handler) for payload, handler in EVENT_HANDLERS.items()}
