"""The use cases of the authorities working together: a step taken here (through the staff's routes, as any case
command), a step another authority reports, the cooperation deadlines' timers fired, and which steps are to send.

The two points the exchange between installations meets:

- `apply_reported(store, directory, step)`: a step another authority's message reports (its `authority`, its
  `cooperation_reference`, the step's fields, as a docket_contracts.cooperation model) is decided and appended to
  the case that holds its procedure (or to `case_id`, for the first message of a procedure opened elsewhere).
- `to_send(events, own)`: the steps among a case's events that this authority took, to be sent to the others;
  what a clock found (an agreement deemed, a deadline passed or near) and the frame are never sent. `send_steps`
  queues each, in the transaction that appends it, for the authorities the law addresses it to
  (domain/recipients.py), and records it as not sent electronically to those the exchange does not reach.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import sqlalchemy as sa

from docket_contracts.cooperation import STEPS, CompetenceConfirmed, Step
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload
from docket_contracts.registry import parse
from docket_exchange.directory import Directory as Addresses
from docket_service.clock import Clock

from .application import TIMER_ACTOR, Actor, Cases
from .domain import CaseState, Cooperate, LapseCooperation, addressees, decide
from .errors import StaleVersion

ATTEMPTS = 3  # decisions on a case another writer appended to first, before giving up


@dataclass(frozen=True)
class Directory:
    """This authority's id, and the ids of the authorities a step may name (the setting AUTHORITIES)."""

    own: str
    authorities: frozenset[str]


class UnknownCooperation(LookupError):
    """No case holds the procedure a reported step names: the first message of a procedure opened elsewhere names
    the case it belongs to (staff attach it)."""


class NotReported(ValueError):
    """What an authority cannot report: a step it says this authority took, or a fact a clock finds."""


@dataclass(frozen=True)
class DueDeadline:
    """A cooperation deadline whose timer is due: the case is looked at that day."""

    case_id: uuid.UUID
    key: str
    due_on: date


class Cooperating(Cases, Protocol):
    """The case store with what the cooperation reads besides the case's stream (store.PostgresCases)."""

    async def case_of_reference(self, reference: str) -> uuid.UUID | None: ...

    async def due_cooperation_timers(self, today: date, limit: int) -> Sequence[DueDeadline]:
        """Unfired cooperation timers due by `today`, held until the transaction ends."""
        ...

    async def cooperation_timer_fired(self, timer: DueDeadline, now: datetime) -> None: ...


def new_reference(own: str) -> str:
    """A reference for a procedure this authority opens, which the others use too."""
    return f"{own}/{uuid.uuid4().hex[:12].upper()}"


EXCHANGE_ACTOR_ID = "system:cooperation-exchange"


async def apply_reported(
    store: Cooperating, directory: Directory, step: Step, case_id: uuid.UUID | None = None
) -> tuple[CaseState, list[CloudEvent]]:
    """Decide and append a step another authority reports, on the case that holds its procedure (or `case_id`).
    Its `case_id` is the sender's and is replaced; refused as the case's own steps are (Rejected, Invalid)."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with store.transaction():
                found, state, events = await decide_reported(store, directory, step, case_id)
                return await store.append(state, found, events, Actor(EXCHANGE_ACTOR_ID, None, step.authority))
        except sa.exc.IntegrityError:  # another append to the case came first: decide again on it
            if attempt == ATTEMPTS:
                raise StaleVersion(found, state.version, state.version + 1) from None
    raise AssertionError("unreachable")


async def apply_reported_here(store: Cooperating, directory: Directory, step: Step) -> None:
    """apply_reported once, in the transaction the caller opened (the inbox's, which records the message): an
    append another writer came first to fails it, and the sender tries again."""
    found, state, events = await decide_reported(store, directory, step)
    await store.append(state, found, events, Actor(EXCHANGE_ACTOR_ID, None, step.authority))


async def decide_reported(
    store: Cooperating, directory: Directory, step: Step, case_id: uuid.UUID | None = None
) -> tuple[uuid.UUID, CaseState, list[Payload]]:
    """The case that holds the reported step's procedure, as it stands, and the step decided on it."""
    if type(step) not in STEPS:
        raise NotReported(f"{type(step).__name__} is found by each authority's own timer, never reported")
    if step.authority == directory.own:
        raise NotReported(f"a message from another authority cannot report a step of {directory.own}")
    found = case_id or await case_of(store, step)
    if found is None:
        raise UnknownCooperation(step.cooperation_reference)
    state = await store.load(found)
    here = step.model_copy(update={"case_id": found})
    return found, state, decide(state, Cooperate(here, directory.own, directory.authorities))


async def case_of(store: Cooperating, step: Step) -> uuid.UUID | None:
    """The case that holds the step's procedure; for the lead's confirmation of competence for a complaint
    transmitted to it, the case that holds the complaint's procedure (the confirmation opens the lead's)."""
    found = await store.case_of_reference(step.cooperation_reference)
    if found is None and isinstance(step, CompetenceConfirmed) and step.complaint_reference is not None:
        found = await store.case_of_reference(step.complaint_reference)
    return found


def to_send(events: Sequence[CloudEvent | Payload], own: str) -> list[Step]:
    """The steps this authority took among `events` (appended case events, or their payloads): what the exchange
    sends to the other authorities of each procedure."""
    payloads = [parse(e) if isinstance(e, CloudEvent) else e for e in events]
    return [p for p in payloads if type(p) in STEPS and isinstance(p, Step) and p.authority == own]


async def send_steps(
    store: Cases, addresses: Addresses | None, own: str, state: CaseState, events: Sequence[CloudEvent]
) -> None:
    """Queue each step this authority took among `events` for the authorities it is addressed to, in the
    transaction that appends it; one the exchange does not reach (not in its directory, the Board, or no exchange
    configured) is recorded as not sent electronically, with the rule that addresses it, so nothing is lost
    silently."""
    for event in events:
        step = parse(event)
        if type(step) not in STEPS or not isinstance(step, Step) or step.authority != own:
            continue
        for addressee in addressees(state, step):
            found = addresses.get(addressee.authority) if addresses is not None else None
            if found is not None:
                await store.send_to(found, event)
                continue
            why = (
                "this installation exchanges no cooperation messages"
                if addresses is None
                else f"{addressee.authority} is not in the cooperation directory"
            )
            await store.not_sent(addressee.authority, event, f"{why}: send it by other means ({addressee.rule})")


async def fire_cooperation_timers(store: Cooperating, clock: Clock, limit: int = 100) -> int:
    """Look at every case whose cooperation deadline's day has come (cooperation_deadlines.lapse); timers are claimed
    and marked in the transaction that appends, as formal notices' are."""
    today, now = clock.today(), clock.now()
    fired = 0
    async with store.transaction():
        for timer in await store.due_cooperation_timers(today, limit):
            state = await store.load(timer.case_id)
            events = decide(state, LapseCooperation(today, now))
            await store.append(state, timer.case_id, events, TIMER_ACTOR)
            await store.cooperation_timer_fired(timer, now)
            fired += 1
    return fired
