"""A cooperation message received: verified (docket_exchange), recorded with its token, handed to the handler of
its type in the same transaction, and counted; or refused, and the refusal recorded and counted too."""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_exchange.messages import Exchange, Refused, Verified
from docket_messaging.tables import table_of
from services.case.metrics import COOPERATION_RECEIVED, COOPERATION_REFUSED

from ..cooperation import Directory
from .handlers import Handler, handler_for
from .tables import ACCEPTED, RECEIVED, CooperationMessageRow, reference_of

log = logging.getLogger(__name__)

MESSAGES = table_of(CooperationMessageRow)
# Tries at applying a message to a case other writers keep appending to, before the sender is asked to come back.
ATTEMPTS = 3


class Busy(Exception):
    """The case the message is about was appended to by others on every try: nothing is recorded, and the sender,
    answered 503 with Retry-After, sends the message again (its outbox retries any 5xx)."""

    def __init__(self, jti: str) -> None:
        super().__init__(f"message {jti}: its case was being changed meanwhile; send it again")


async def receive(
    sessions: async_sessionmaker[AsyncSession],
    exchange: Exchange,
    directory: Directory,
    token: str,
    handlers: Callable[[str], Handler] = handler_for,
) -> Verified:
    """Verify, record and apply the message to the case (`directory`: this authority and those a step may name);
    Refused (recorded and counted) if it is not accepted, by the exchange or by the rules of the step it reports."""
    try:
        message = await exchange.verify(token, lambda sender, jti: was_received(sessions, sender, jti))
        for attempt in range(1, ATTEMPTS + 1):
            try:
                async with sessions() as session, session.begin():
                    await record_accepted(session, message)
                    await handlers(message.event.type)(session, message, directory)
                break
            except sa.exc.IntegrityError:  # staff appended to the case meanwhile: decide the step again on it
                if attempt == ATTEMPTS:
                    raise Busy(message.event.id) from None
    except Refused as refused:
        await record_refused(sessions, token, refused)
        raise
    COOPERATION_RECEIVED.inc()
    log.info("cooperation: %s %s from %s accepted", message.event.type, message.event.id, message.sender.id)
    return message


async def was_received(sessions: async_sessionmaker[AsyncSession], sender: str, jti: str) -> bool:
    async with sessions() as session:
        found = await session.exec(
            select(col(CooperationMessageRow.id)).where(
                col(CooperationMessageRow.direction) == RECEIVED,
                col(CooperationMessageRow.outcome) == ACCEPTED,
                col(CooperationMessageRow.peer) == sender,
                col(CooperationMessageRow.jti) == jti,
            )
        )
        return found.first() is not None


async def record_accepted(session: AsyncSession, message: Verified) -> None:
    """The accepted message's row; Refused as already received if a copy of it was accepted meanwhile."""
    event = message.event
    written = await session.exec(
        insert(MESSAGES)
        .values(
            direction=RECEIVED,
            peer=message.sender.id,
            jti=event.id,
            event_type=event.type,
            cooperation_reference=reference_of(event.data),
            token=message.token,
            outcome=ACCEPTED,
        )
        .on_conflict_do_nothing(
            index_elements=["peer", "jti"], index_where=sa.text("direction = 'received' AND outcome = 'accepted'")
        )
        .returning(MESSAGES.c.id)
    )
    if written.first() is None:
        raise Refused(
            "already_received",
            f"message {event.id} of {message.sender.id} was received before",
            sender=message.sender.id,
            jti=event.id,
            event_type=event.type,
        )


def _text(value: str | None, limit: int | None = None) -> str | None:
    """A string from an unverified message as PostgreSQL's text keeps it: no NUL, at most `limit` characters."""
    return None if value is None else value.replace("\x00", "\ufffd")[:limit]


async def record_refused(sessions: async_sessionmaker[AsyncSession], token: str, refused: Refused) -> None:
    COOPERATION_REFUSED.labels(refused.reason).inc()
    log.warning(
        "cooperation: message %s claiming to be from %s refused: %s (%s)",
        refused.jti,
        refused.sender,
        refused.reason,
        refused.detail,
    )
    async with sessions() as session, session.begin():
        session.add(
            CooperationMessageRow(
                direction=RECEIVED,
                peer=_text(refused.sender, 200),
                jti=_text(refused.jti, 200),
                event_type=_text(refused.event_type, 200),
                token=_text(token) or "",
                outcome="refused",
                reason=refused.reason,
                detail=_text(refused.detail, 2000),
            )
        )
