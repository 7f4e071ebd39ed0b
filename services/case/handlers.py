"""What the case service does with the events it consumes: one handler per event type."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import ComplaintFiled, Payload
from docket_messaging.consumer import Handler

from . import store
from .domain import CaseState, LinkComplaint, OpenCase, decide

ACTOR = "system:complaint-routing"


async def on_complaint_filed(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
    """Open a case on the controller, or link the complaint to the controller's open case."""
    assert isinstance(payload, ComplaintFiled)
    if await store.case_of_complaint(session, payload.complaint_id):
        return
    case_id = await store.open_case_for(session, payload.controller.key)
    if case_id is None:
        case_id = uuid.uuid4()
        state, command = CaseState(), OpenCase(case_id, payload)
    else:
        state, command = await store.load(session, case_id), LinkComplaint(payload)
    await store.append(session, case_id, state.version, decide(state, command), actor=ACTOR)


HANDLERS: dict[str, Handler] = {
    "docket.complaint.filed": on_complaint_filed,
}
