"""The case store: one statement appends a case's events with their outbox rows (eventstore.py) and brings
what is kept beside them up to date (readside/): the lookups, the deadline timers, the Art 78(2) clocks,
the case list, the case detail and, when due, the snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload
from docket_exchange.directory import Authority

from . import checkpoints, eventstore, readside
from .application import Actor, DueTimer
from .cooperation import DueDeadline
from .domain import CaseState, Complaint, evolve
from .eventstore import load
from .exchange import outbox as cooperation_outbox
from .exchange.tables import TABLES as COOPERATION_TABLES
from .handling import DueLetter, Step
from .readside import case_of_complaint, timers
from .snapshots import SNAPSHOT_EVERY

# Beside the store: what a caller holding a session reads a case with (tests that set up cases): Actor, load,
# case_of_complaint; and the checkpoints, whose tables are the schema's too.
__all__ = ["TABLES", "Actor", "PostgresCases", "append", "case_of_complaint", "checkpoints", "load"]

# Every table of the case's schema, the outbox and inbox included: what its Alembic history owns.
TABLES = {
    "events",
    "stream_heads",
    "checkpoints",
    "checkpointed_heads",
    "snapshots",
    "case_complaints",
    "open_cases",
    "case_summaries",
    "case_details",
    "complainant_clocks",
    "timers",
    "outbox",
    "inbox",
    "complaint_records",
    "letter_timers",
    "campaign_steps",
    "cooperation_timers",
    "cooperation_references",
} | COOPERATION_TABLES


async def append(
    session: AsyncSession, state: CaseState, case_id: UUID, payloads: Sequence[Payload], actor: Actor
) -> tuple[CaseState, list[CloudEvent]]:
    """Append after `state.version`; a concurrent writer makes the insert fail (IntegrityError).

    The events and their outbox rows, the lookups, the timers, the clocks and the read side change in one
    statement (and a closing case's lookup and clocks, and each complaint's record, in the next statements of the
    same transaction); the snapshot when the events since the last one have reached SNAPSHOT_EVERY. Returns the
    case after the events, and the events.
    """
    if not payloads:
        return state, []
    states = []
    after = state
    for payload in payloads:
        after = evolve(after, payload)
        states.append(after)
    due = after.version - eventstore.snapshot_version(session, case_id) >= SNAPSHOT_EVERY
    beside = readside.beside(states, payloads, snapshot=due)
    events, _ = await eventstore.append(session, state, case_id, payloads, actor, beside)
    await readside.after_append(session, payloads, after)
    await readside.complaints.project(session, after, payloads)
    return after, events


class PostgresCases:
    """The case store the use cases run against (application.Cases), over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def transaction(self) -> AbstractAsyncContextManager[Any]:
        return self.session.begin()

    async def load(self, case_id: UUID) -> CaseState:
        return await load(self.session, case_id)

    async def append(
        self, state: CaseState, case_id: UUID, payloads: Sequence[Payload], actor: Actor
    ) -> tuple[CaseState, list[CloudEvent]]:
        return await append(self.session, state, case_id, payloads, actor)

    async def open_case_for(self, controller_key: str) -> UUID | None:
        return await readside.open_case_for(self.session, controller_key)

    async def case_of_complaint(self, complaint_id: UUID) -> UUID | None:
        return await case_of_complaint(self.session, complaint_id)

    async def due_timers(self, today: date, limit: int) -> Sequence[DueTimer]:
        """Claimed with FOR UPDATE SKIP LOCKED: another instance passes over them until this transaction ends."""
        rows = await timers.due(self.session, today, limit)
        return [DueTimer(row.notice_id, row.case_id, row.due_on) for row in rows]

    async def fired(self, timer: DueTimer, now: datetime) -> None:
        await timers.mark_fired(self.session, timer.notice_id, now)

    async def send_to(self, authority: Authority, event: CloudEvent) -> None:
        await cooperation_outbox.queue(self.session, authority, event)

    async def not_sent(self, authority: str, event: CloudEvent, why: str) -> None:
        await cooperation_outbox.not_sent(self.session, authority, event, why)

    # --- the authorities working together (cooperation.Cooperating) ------------------------------------------------

    async def case_of_reference(self, reference: str) -> UUID | None:
        return await readside.cooperation.case_of_reference(self.session, reference)

    async def due_cooperation_timers(self, today: date, limit: int) -> Sequence[DueDeadline]:
        rows = await readside.cooperation.due(self.session, today, limit)
        return [DueDeadline(row.case_id, row.key, row.due_on) for row in rows]

    async def cooperation_timer_fired(self, timer: DueDeadline, now: datetime) -> None:
        await readside.cooperation.mark_fired(self.session, timer.case_id, timer.key, now)

    # --- a complaint's handling (handling.Handling) ------------------------------------------------------------

    async def complaints(self, case_id: UUID, complaint_ids: Sequence[UUID]) -> dict[UUID, Complaint]:
        return await readside.complaints.records(self.session, case_id, complaint_ids)

    async def complaints_of_letter(self, case_id: UUID, letter_id: UUID) -> dict[UUID, Complaint]:
        return await readside.complaints.of_letter(self.session, case_id, letter_id)

    async def cases_of(self, complaint_ids: Sequence[UUID]) -> dict[UUID, UUID]:
        return await readside.complaints.cases_of(self.session, complaint_ids)

    async def due_letters(self, today: date, limit: int) -> Sequence[DueLetter]:
        rows = await readside.complaints.due_letters(self.session, today, limit)
        return [DueLetter(row.letter_id, row.case_id, row.due_on) for row in rows]

    async def letter_fired(self, letter: DueLetter, now: datetime) -> None:
        await readside.complaints.letter_fired(self.session, letter.letter_id, now)

    async def step_done(self, step: Step, case_id: UUID) -> tuple[str, list[dict[str, Any]]] | None:
        return await readside.campaigns.step_done(self.session, step.key, case_id)

    async def record_step(self, step: Step, case_id: UUID, results: list[dict[str, Any]]) -> None:
        await readside.campaigns.record_step(self.session, step.key, case_id, step.request_digest, results)
