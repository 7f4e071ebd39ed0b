"""The case service's use cases: run a command against a case, route a complaint, fire due timers.

Each runs in one transaction: load, decide, append with outbox and projections, commit.
"""

from __future__ import annotations

import logging
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import ComplaintFiled
from docket_messaging.clock import Clock
from docket_messaging.logs import bind_ids
from docket_messaging.metrics import TIMERS_FIRED

from . import eventstore, readside, store
from .domain import CaseState, Command, ExpireDeadline, LinkComplaint, OpenCase, decide

log = logging.getLogger(__name__)

TIMER_ACTOR = eventstore.Actor("system:deadline-timer")
ROUTING_ACTOR = eventstore.Actor("system:complaint-routing")


class StaleVersion(Exception):
    """The client's expected version is not the case's current version."""

    def __init__(self, case_id: uuid.UUID, expected: int, current: int) -> None:
        super().__init__(f"case {case_id} is at version {current}, not {expected}: reload it and decide again")
        self.current_version = current


async def execute(
    session: AsyncSession, case_id: uuid.UUID, expected_version: int, command: Command, actor: eventstore.Actor
) -> tuple[CaseState, list[CloudEvent]]:
    """Run a staff command against the version of the case the client saw."""
    try:
        async with session.begin():
            state = await eventstore.load(session, case_id)
            if state.version != expected_version:
                raise StaleVersion(case_id, expected_version, state.version)
            return await store.append(session, state, case_id, decide(state, command), actor)
    except sa.exc.IntegrityError:  # another command appended the same version first
        async with session.begin():
            current = await eventstore.load(session, case_id)
        raise StaleVersion(case_id, expected_version, current.version) from None


async def route_complaint(session: AsyncSession, complaint: ComplaintFiled) -> None:
    """Open a case on the complaint's controller, or link it to the controller's open case."""
    if await readside.case_of_complaint(session, complaint.complaint_id):
        return
    case_id = await readside.open_case_for(session, complaint.controller.key)
    if case_id is None:
        case_id = uuid.uuid4()
        state, command = CaseState(), OpenCase(case_id, complaint)
    else:
        state, command = await eventstore.load(session, case_id), LinkComplaint(complaint)
    bind_ids(case_id=case_id)  # the consumer's line for the complaint names its case
    await store.append(session, state, case_id, decide(state, command), actor=ROUTING_ACTOR)


async def fire_due_timers(sessions: async_sessionmaker[AsyncSession], clock: Clock, limit: int = 100) -> int:
    """Look at every case whose formal-notice deadline has passed; returns how many timers fired.

    Rows are claimed with FOR UPDATE SKIP LOCKED and marked in the transaction that appends the
    event, so each deadline expires exactly once however many instances run this.
    """
    today, now = clock.today(), clock.now()
    fired = 0
    async with sessions() as session, session.begin():
        due = (
            await session.exec(
                select(readside.TimerRow)
                .where(col(readside.TimerRow.fired_at).is_(None), col(readside.TimerRow.due_on) <= today)
                .order_by(col(readside.TimerRow.due_on))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for timer in due:
            state = await eventstore.load(session, timer.case_id)
            events = decide(state, ExpireDeadline(timer.notice_id, today, now))
            await store.append(session, state, timer.case_id, events, actor=TIMER_ACTOR)
            timer.fired_at = now
            session.add(timer)
            fired += 1
    TIMERS_FIRED.inc(fired)
    return fired
