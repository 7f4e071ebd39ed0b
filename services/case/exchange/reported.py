"""A step another authority's message reports, applied to the case here that holds its procedure, in the transaction
that records the message (handlers.py); or refused, with the reason the sender reads and the record keeps:

- 403 `not_its_act`: the step is not the sender's act (its `authority` names another authority, or this one). The
  sender is who its signature says; an authority reports its own acts, and no other's, so the message is refused
  as one the sender is not allowed to make, whatever its content (not 422: nothing in it is malformed).
- 422 `not_reportable`: what each authority's own clock finds (an agreement deemed, a deadline), or a frame.
- 422 `malformed`: the event is not the contract's (its field named); 422 `invalid`: a rule refuses a field.
- 409 `rejected`: the rule of the step refuses it as the case stands here (the rule named).
- 409 `unknown_procedure`: no case here holds the step's procedure, and it opens none addressed to this authority.

A procedure another authority opens that is addressed to this authority (a complaint transmitted to it as presumed
lead, a request for assistance or for a joint operation, a local case; domain/recipients.awaiting_a_case) has no
case here yet: the message is accepted and waits, with the later steps of its procedure, until staff attach them
to a case (`attach`): the case of the controller, which staff identify in their own records.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

import jwt
from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.cooperation import STEPS, Step
from docket_contracts.envelope import CloudEvent
from docket_contracts.errors import Invalid
from docket_contracts.registry import BY_PAYLOAD, SchemaViolation, parse
from docket_exchange.messages import Reason, Refused, Verified, event_of

from ..application import Actor, first_to_append
from ..cooperation import Directory, NotReported, UnknownCooperation, apply_reported_here, decide_reported
from ..domain import CaseState, Rejected, awaiting_a_case
from ..errors import StaleVersion
from ..readside.cooperation import CooperationReferenceRow
from ..store import PostgresCases
from .tables import ACCEPTED, RECEIVED, CooperationMessageRow

log = logging.getLogger(__name__)

STEP_TYPES = frozenset(BY_PAYLOAD[step].type for step in STEPS)


def refusal(message: Verified, reason: Reason, detail: str, field: str | None = None) -> Refused:
    event = message.event
    return Refused(reason, detail, field=field, sender=message.sender.id, jti=event.id, event_type=event.type)


def step_of(message: Verified) -> Step:
    """The contract's model of the step the message carries; Refused as malformed if it is not one."""
    try:
        step = parse(message.event)
    except (SchemaViolation, ValidationError) as exc:
        raise refusal(message, "malformed", str(exc), field="event.data") from None
    if not isinstance(step, Step):
        raise refusal(message, "malformed", f"{message.event.type} carries no step", field="event.type")
    return step


async def step_reported(session: AsyncSession, message: Verified, directory: Directory) -> None:
    """Apply the step to the case that holds its procedure; or keep it waiting for staff, or refuse it."""
    step = step_of(message)
    sender = message.sender.id
    if step.authority != sender:
        raise refusal(
            message,
            "not_its_act",
            f"{sender} reports a step of {step.authority}: an authority reports its own acts only",
            field="event.data.authority",
        )
    try:
        await apply_reported_here(PostgresCases(session), directory, step)
    except UnknownCooperation:
        rule = awaiting_a_case(step, directory.own)
        earlier = [row for row in await waiting(session, step.cooperation_reference) if row.jti != message.event.id]
        if rule is None and not earlier:
            raise refusal(
                message,
                "unknown_procedure",
                f"no case of {directory.own} holds the procedure {step.cooperation_reference}, and "
                f"{type(step).__name__} opens none addressed to {directory.own}",
                field="event.data.cooperation_reference",
            ) from None
        log.info("cooperation: %s of %s waits for staff to attach it to a case", step.cooperation_reference, sender)
    except NotReported as exc:
        raise refusal(message, "not_its_act", str(exc), field="event.data.authority") from None
    except Rejected as exc:
        raise refusal(message, "rejected", str(exc)) from None
    except Invalid as exc:
        raise refusal(message, "invalid", exc.message, field=f"event.data.{exc.field}") from None


async def never_reported(session: AsyncSession, message: Verified, directory: Directory) -> None:
    """What each authority finds on its own (an agreement deemed, a deadline) or keeps of its own case (the frame)."""
    raise refusal(
        message,
        "not_reportable",
        f"{message.event.type} is found or recorded by each authority on its own, never reported by another",
        field="event.type",
    )


async def waiting(session: AsyncSession, reference: str | None = None) -> Sequence[CooperationMessageRow]:
    """The steps received and accepted whose procedure no case here holds yet (of `reference`, or all), in the
    order received."""
    held = select(CooperationReferenceRow.reference).where(
        col(CooperationReferenceRow.reference) == col(CooperationMessageRow.cooperation_reference)
    )
    query = select(CooperationMessageRow).where(
        col(CooperationMessageRow.direction) == RECEIVED,
        col(CooperationMessageRow.outcome) == ACCEPTED,
        col(CooperationMessageRow.event_type).in_(STEP_TYPES),
        col(CooperationMessageRow.cooperation_reference).is_not(None),
        ~held.exists(),
    )
    if reference is not None:
        query = query.where(col(CooperationMessageRow.cooperation_reference) == reference)
    return (await session.exec(query.order_by(col(CooperationMessageRow.id)))).all()


def event_recorded(row: CooperationMessageRow) -> CloudEvent:
    """The CloudEvent of a message accepted (its signature was checked when it was received)."""
    claims: dict[str, Any] = jwt.decode(row.token, options={"verify_signature": False})
    return event_of(claims["event"])


async def attach(
    session: AsyncSession, directory: Directory, case_id: uuid.UUID, reference: str, version: int, actor: Actor
) -> tuple[CaseState, list[CloudEvent]]:
    """Apply the steps waiting under `reference` to the case staff chose, in the order received, each by its rule
    (Rejected, Invalid), in one transaction: all of them or none."""
    store = PostgresCases(session)
    async with first_to_append(store, case_id, version), session.begin():
        rows = await waiting(session, reference)
        if not rows:
            raise Invalid("cooperation_reference", f"no step received waits to be attached under {reference}")
        state = await store.load(case_id)
        if state.version != version:
            raise StaleVersion(case_id, version, state.version)
        appended: list[CloudEvent] = []
        for row in rows:
            step = parse(event_recorded(row))
            assert isinstance(step, Step)
            _, state, payloads = await decide_reported(store, directory, step, case_id)
            state, events = await store.append(state, case_id, payloads, actor)
            appended += events
    return state, appended
