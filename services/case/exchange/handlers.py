"""What the case service does with a verified cooperation message, by its CloudEvent type: the extension point of
the cooperation procedures.

Each handler runs in the transaction that records the message as accepted, so its effect and the record are
kept together or not at all, and a message is applied once (a copy is refused as already received). A handler
that refuses the message raises docket_exchange's Refused: the transaction is undone, and the refusal is recorded
and answered to the sender with its reason. A type with no handler of its own is recorded only.

Every step of a procedure another authority may report (docket_contracts.cooperation.STEPS) is applied to the
case that holds its procedure (reported.py); what each authority's own clock finds, and the frame each authority
keeps of its own case, are refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.cooperation import FOUND_BY_CLOCK, STEPS, CooperationFrameRecorded
from docket_contracts.events import Payload
from docket_contracts.registry import BY_PAYLOAD
from docket_exchange.messages import Verified

from ..cooperation import Directory
from . import reported

Handler = Callable[[AsyncSession, Verified, Directory], Awaitable[None]]


async def record_only(session: AsyncSession, message: Verified, directory: Directory) -> None:
    """Nothing beyond the record of the message (inbox.receive writes it): staff read it there."""


NEVER_REPORTED: tuple[type[Payload], ...] = (*FOUND_BY_CLOCK, CooperationFrameRecorded)
EXCHANGE_HANDLERS: dict[str, Handler] = {
    **{BY_PAYLOAD[step].type: reported.step_reported for step in STEPS},
    **{BY_PAYLOAD[fact].type: reported.never_reported for fact in NEVER_REPORTED},
}


def handler_for(event_type: str) -> Handler:
    return EXCHANGE_HANDLERS.get(event_type, record_only)
