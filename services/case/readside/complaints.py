"""Each complaint's record, read and written: what a handling command decides on (`records`, `of_letter`), what
each append brings up to date in its transaction (`project`), the rows rebuild-projections writes (`row_of`),
and the letters' durable timers (`due_letters`, `letter_fired`).

The case's stream is the truth; the record is the fold of its events for one complaint (domain.fold). An append
to the case fails on its primary key if another came first, so the records a command decided on are those of
the version it appends after.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import (
    CaseClosed,
    CaseOpened,
    ComplaintLinked,
    ControllerAnswerOverdue,
    ControllerAskedToAct,
    Payload,
)
from docket_messaging.tables import table_of

from ..domain import CaseState, Complaint, fold
from .handling_tables import ComplaintRecordRow, LetterTimerRow

FIELDS = tuple(f.name for f in dataclasses.fields(Complaint))


def complaint_of(row: Any) -> Complaint:
    values = {name: getattr(row, name) for name in FIELDS}
    return Complaint(**(values | {"missing_content": tuple(values["missing_content"])}))


def row_of(complaint: Complaint, controller_key: str) -> dict[str, Any]:
    """The record's row: the complaint, its next step and since when, and its case's controller. Its fields
    are plain values, taken as they are (`dataclasses.asdict` deep-copies each: most of a rebuild's time)."""
    return {name: getattr(complaint, name) for name in FIELDS} | {
        "controller_key": controller_key,
        "step": complaint.step,
        "step_since": complaint.step_since,
    }


async def records(session: AsyncSession, case_id: UUID, complaint_ids: Iterable[UUID]) -> dict[UUID, Complaint]:
    """The complaints of the case among `complaint_ids`, as their records stand."""
    wanted = list(complaint_ids)
    if not wanted:
        return {}
    rows = await session.exec(
        select(ComplaintRecordRow).where(
            col(ComplaintRecordRow.case_id) == case_id, col(ComplaintRecordRow.complaint_id).in_(wanted)
        )
    )
    return {row.complaint_id: complaint_of(row) for row in rows.all()}


async def of_letter(session: AsyncSession, case_id: UUID, letter_id: UUID) -> dict[UUID, Complaint]:
    """The complaints of the case a letter to the controller was last about."""
    rows = await session.exec(
        select(ComplaintRecordRow).where(
            col(ComplaintRecordRow.case_id) == case_id, col(ComplaintRecordRow.letter_id) == letter_id
        )
    )
    return {row.complaint_id: complaint_of(row) for row in rows.all()}


async def cases_of(session: AsyncSession, complaint_ids: Iterable[UUID]) -> dict[UUID, UUID]:
    """The case of each complaint among `complaint_ids` that has a record."""
    wanted = list(complaint_ids)
    if not wanted:
        return {}
    rows = await session.exec(
        select(ComplaintRecordRow.complaint_id, ComplaintRecordRow.case_id).where(
            col(ComplaintRecordRow.complaint_id).in_(wanted)
        )
    )
    return dict(rows.all())


async def project(session: AsyncSession, state: CaseState, payloads: Sequence[Payload]) -> None:
    """Bring the records the events change up to date, given the case right after them: those they take in or
    are about, folded and written in one statement; a closing case's open ones in one more."""
    assert state.controller is not None and state.case_id is not None
    known = await _needed(session, state.case_id, payloads)
    changed: dict[UUID, Complaint] = {}
    for payload in payloads:
        found = fold(known, payload)
        known |= found
        changed |= found
        if isinstance(payload, ControllerAskedToAct):
            await _letter_timer(session, payload)
    if changed:
        values = [row_of(c, state.controller.key) for c in changed.values()]
        await (await session.connection()).execute(_UPSERT, values)
    closed = next((p for p in payloads if isinstance(p, CaseClosed)), None)
    if closed is not None:  # those not loaded: every open complaint of the case closes with it
        await session.exec(
            sa.update(ComplaintRecordRow)
            .where(col(ComplaintRecordRow.case_id) == state.case_id, col(ComplaintRecordRow.ended_on).is_(None))
            .values(status="closed", outcome="case_closed", ended_on=closed.closed_on, step=None)
        )


async def _needed(session: AsyncSession, case_id: UUID, payloads: Sequence[Payload]) -> dict[UUID, Complaint]:
    """The records the events are about that they do not take in themselves: read once."""
    taken_in = {p.complaint_id for p in payloads if isinstance(p, CaseOpened | ComplaintLinked)}
    about = {p.complaint_id for p in payloads if hasattr(p, "complaint_id")} - taken_in
    known = await records(session, case_id, about)
    for payload in payloads:
        if isinstance(payload, ControllerAnswerOverdue):
            known |= await of_letter(session, case_id, payload.letter_id)
    return known


def _upsert() -> Any:
    """INSERT ... ON CONFLICT (complaint_id) DO UPDATE of every column, from EXCLUDED: built once."""
    table = table_of(ComplaintRecordRow)
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=["complaint_id"],
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name != "complaint_id"},
    )


_UPSERT = _upsert()


async def _letter_timer(session: AsyncSession, letter: ControllerAskedToAct) -> None:
    """The timer that looks at the letter the day after its answer was due."""
    session.add(
        LetterTimerRow(letter_id=letter.letter_id, case_id=letter.case_id, due_on=letter.answer_due + timedelta(days=1))
    )
    await session.flush()


async def due_letters(session: AsyncSession, today: date, limit: int) -> Sequence[LetterTimerRow]:
    """Unfired letter timers due by `today`, earliest first, claimed with FOR UPDATE SKIP LOCKED."""
    return (
        await session.exec(
            select(LetterTimerRow)
            .where(col(LetterTimerRow.fired_at).is_(None), col(LetterTimerRow.due_on) <= today)
            .order_by(col(LetterTimerRow.due_on))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def letter_fired(session: AsyncSession, letter_id: UUID, now: datetime) -> None:
    await session.exec(sa.update(LetterTimerRow).where(col(LetterTimerRow.letter_id) == letter_id).values(fired_at=now))
