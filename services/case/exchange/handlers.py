"""What the case service does with a verified cooperation message, by its CloudEvent type: the extension point of
the cooperation procedures.

Each handler runs in the transaction that records the message as accepted, so its effect and the record are
kept together or not at all, and a message is applied once (a copy is refused as already received). A type with
no handler of its own is recorded only: that is every type until the cooperation procedures (Art 56, 60, 61, 66)
add theirs here, one line each:

    EXCHANGE_HANDLERS["docket.case.mutual_assistance_requested"] = mutual_assistance.received
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_exchange.messages import Verified

Handler = Callable[[AsyncSession, Verified], Awaitable[None]]


async def record_only(session: AsyncSession, message: Verified) -> None:
    """Nothing beyond the record of the message (inbox.receive writes it): staff read it there."""


EXCHANGE_HANDLERS: dict[str, Handler] = {}


def handler_for(event_type: str) -> Handler:
    return EXCHANGE_HANDLERS.get(event_type, record_only)
