"""The case store: one transaction appends a case's events with their outbox rows (eventstore.py) and brings
what is kept beside them up to date (readside.py): the lookups, the deadline timers, the Art 78(2) clocks,
the case list, the case detail and the snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload

from . import eventstore, readside
from .domain import CaseState, evolve

# What a caller holding a session reads a case with (the application, and tests that set up cases).
from .eventstore import Actor, load
from .readside import case_of_complaint

__all__ = ["TABLES", "Actor", "append", "case_of_complaint", "load"]

# Every table of the case's schema, the outbox and inbox included: what its Alembic history owns.
TABLES = {
    "events",
    "stream_heads",
    "snapshots",
    "case_complaints",
    "open_cases",
    "case_summaries",
    "case_details",
    "complainant_clocks",
    "timers",
    "outbox",
    "inbox",
}


async def append(
    session: AsyncSession, state: CaseState, case_id: UUID, payloads: Sequence[Payload], actor: Actor
) -> tuple[CaseState, list[CloudEvent]]:
    """Append after `state.version`; a concurrent writer makes the insert fail (IntegrityError).

    The events and their outbox rows, the lookups, the timers and the read side change in the same
    transaction; returns the case after the events, and the events.
    """
    if not payloads:
        return state, []
    events, position = await eventstore.append(session, state, case_id, payloads, actor)
    for payload in payloads:
        state = evolve(state, payload)
        await readside.write_lookups(session, state, payload)
    await readside.project(session, state, payloads, position)
    return state, events
