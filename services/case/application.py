"""The case service's use cases: run a command against a case, route a complaint, fire due timers, send a case
event to another authority.

Each runs against a `Cases` store in one unit of work: load, decide, append with outbox and projections,
commit. A command and the timers open and commit their own transaction; a complaint is routed inside the
consumer's, which also records the event in the inbox.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import sqlalchemy as sa

from docket_contracts.envelope import CloudEvent
from docket_contracts.errors import Invalid
from docket_contracts.events import ComplaintFiled, Payload
from docket_exchange.directory import Authority, Directory
from docket_messaging.context import bind_ids
from docket_service.clock import Clock
from services.case.metrics import TIMERS_FIRED

from .domain import CaseState, Command, ExpireDeadline, LinkComplaint, OpenCase, decide
from .errors import StaleVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """Who caused an event: a person (the token's subject, the role they acted in, their user name) or a
    part of Docket itself (`system:...`, which no token can claim)."""

    id: str
    role: str | None = None
    name: str | None = None


TIMER_ACTOR = Actor("system:deadline-timer")
ROUTING_ACTOR = Actor("system:complaint-routing")


@dataclass(frozen=True)
class DueTimer:
    """A formal notice's deadline timer that is due: the day after the deadline, the case is looked at."""

    notice_id: uuid.UUID
    case_id: uuid.UUID
    due_on: date


class Cases(Protocol):
    """The case store a use case runs against: PostgreSQL's (store.PostgresCases over one session, which the
    callers build: deps.py, main.py, handlers.py) or the unit tests' in memory. What it writes between entering
    and leaving `transaction()` is kept all or none."""

    def transaction(self) -> AbstractAsyncContextManager[Any]: ...

    async def load(self, case_id: uuid.UUID) -> CaseState:
        """The case now; errors.StreamNotFound if it has no events."""
        ...

    async def append(
        self, state: CaseState, case_id: uuid.UUID, payloads: Sequence[Payload], actor: Actor
    ) -> tuple[CaseState, list[CloudEvent]]:
        """Append after `state.version` and return the case after the events, and the events. When another
        writer appended that version first, sqlalchemy's IntegrityError (the events' primary key)."""
        ...

    async def open_case_for(self, controller_key: str) -> uuid.UUID | None: ...

    async def case_of_complaint(self, complaint_id: uuid.UUID) -> uuid.UUID | None: ...

    async def due_timers(self, today: date, limit: int) -> Sequence[DueTimer]:
        """Unfired timers due by `today`, earliest first, held until the transaction ends so that no other
        instance fires them."""
        ...

    async def fired(self, timer: DueTimer, now: datetime) -> None: ...

    async def send_to(self, authority: Authority, event: CloudEvent) -> None:
        """Queue `event` for `authority` (the cooperation outbox), in the transaction open."""
        ...

    async def not_sent(self, authority: str, event: CloudEvent, why: str) -> None:
        """Record that `event`, addressed to `authority`, is not sent electronically, and why."""
        ...


# What follows a command's events in its transaction: the cooperation steps queued for the other authorities.
Then = Callable[[CaseState, list[CloudEvent]], Awaitable[None]]


async def execute(
    cases: Cases, case_id: uuid.UUID, expected_version: int, command: Command, actor: Actor, then: Then | None = None
) -> tuple[CaseState, list[CloudEvent]]:
    """Run a staff command against the version of the case the client saw, in a transaction of its own; `then`
    is given the case and the events appended, in that transaction."""
    async with first_to_append(cases, case_id, expected_version), cases.transaction():
        state = await cases.load(case_id)
        if state.version != expected_version:
            raise StaleVersion(case_id, expected_version, state.version)
        state, events = await cases.append(state, case_id, decide(state, command), actor)
        if then is not None:
            await then(state, events)
        return state, events


@asynccontextmanager
async def first_to_append(cases: Cases, case_id: uuid.UUID, expected_version: int) -> AsyncIterator[None]:
    """Around a transaction appending to the case at `expected_version`: if another appended the same version
    first (the stream's unique version), StaleVersion with the version the case is at now."""
    try:
        yield
    except sa.exc.IntegrityError:
        async with cases.transaction():
            current = await cases.load(case_id)
        raise StaleVersion(case_id, expected_version, current.version) from None


async def route_complaint(cases: Cases, complaint: ComplaintFiled) -> None:
    """Open a case on the complaint's controller, or link it to the controller's open case, in the
    transaction the caller opened (the consumer's, which records the event in its inbox)."""
    if await cases.case_of_complaint(complaint.complaint_id):
        return
    case_id = await cases.open_case_for(complaint.controller.key)
    command: Command
    if case_id is None:
        case_id = uuid.uuid4()
        state, command = CaseState(), OpenCase(case_id, complaint)
    else:
        state, command = await cases.load(case_id), LinkComplaint(complaint)
    bind_ids(case_id=case_id)  # the consumer's line for the complaint names its case
    await cases.append(state, case_id, decide(state, command), actor=ROUTING_ACTOR)


async def fire_due_timers(cases: Cases, clock: Clock, limit: int = 100) -> int:
    """Look at every case whose formal-notice deadline has passed; returns how many timers fired.

    Timers are claimed (in PostgreSQL with FOR UPDATE SKIP LOCKED) and marked in the transaction that
    appends the event, so each deadline expires exactly once however many instances run this.
    """
    today, now = clock.today(), clock.now()
    fired = 0
    async with cases.transaction():
        for timer in await cases.due_timers(today, limit):
            state = await cases.load(timer.case_id)
            events = decide(state, ExpireDeadline(timer.notice_id, today, now))
            await cases.append(state, timer.case_id, events, actor=TIMER_ACTOR)
            await cases.fired(timer, now)
            fired += 1
    TIMERS_FIRED.inc(fired)
    return fired


async def send_to(cases: Cases, directory: Directory, authority: str, event: CloudEvent) -> None:
    """Send a case event to another authority, in the transaction the caller opened (the one that appends the
    event): it waits in the cooperation outbox until the cooperation worker has delivered it, signed, to the
    authority's inbox. What a staff command of a cooperation procedure calls once it has the events to send.
    Invalid (422) naming `authority` if it is not in the directory."""
    found = directory.get(authority)
    if found is None:
        raise Invalid("authority", f"{authority} is not in the cooperation directory")
    await cases.send_to(found, event)
