"""The case event store: events keyed by (stream_id, version), appended with their outbox rows
and the lookup tables that depend on them, all in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry, topics
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import CaseClosed, CaseOpened, ComplaintLinked, Payload
from docket_messaging.outbox import add_to_outbox
from docket_messaging.tables import utc_column

from .domain import CaseState, replay

SOURCE = "/docket/case"
TABLES = {"events", "case_complaints", "open_cases", "outbox", "inbox"}


class EventRow(SQLModel, table=True):
    """One fact of one case; the primary key is the optimistic-concurrency check."""

    __tablename__ = "events"

    stream_id: UUID = Field(primary_key=True)
    version: int = Field(primary_key=True)
    event_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    type: str
    schema_version: int
    data: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    actor: str
    occurred_at: datetime = utc_column()
    recorded_at: datetime = utc_column(server_default=sa.func.now())

    def event(self) -> CloudEvent:
        return CloudEvent(type=self.type, source=SOURCE, subject=str(self.stream_id), id=self.event_id,
                          dataschema=registry.dataschema(self.type, self.schema_version), data=self.data,
                          time=self.occurred_at, sequence=self.version)


class CaseComplaintRow(SQLModel, table=True):
    """Which case each complaint belongs to."""

    __tablename__ = "case_complaints"

    complaint_id: UUID = Field(primary_key=True)
    case_id: UUID = Field(index=True)


class OpenCaseRow(SQLModel, table=True):
    """The one open case per controller that new complaints on that controller are linked to."""

    __tablename__ = "open_cases"

    controller_key: str = Field(primary_key=True)
    case_id: UUID = Field(unique=True)


class StreamNotFound(LookupError):
    pass


async def load(session: AsyncSession, case_id: UUID) -> CaseState:
    rows = (await session.exec(
        select(EventRow).where(EventRow.stream_id == case_id).order_by(col(EventRow.version))
    )).all()
    if not rows:
        raise StreamNotFound(case_id)
    return replay(registry.parse(row.event()) for row in rows)


async def history(session: AsyncSession, case_id: UUID) -> Sequence[EventRow]:
    return (await session.exec(
        select(EventRow).where(EventRow.stream_id == case_id).order_by(col(EventRow.version))
    )).all()


async def append(session: AsyncSession, case_id: UUID, expected_version: int, payloads: Sequence[Payload],
                 actor: str) -> list[CloudEvent]:
    """Append after `expected_version`; a concurrent writer makes the insert fail (IntegrityError)."""
    events = [registry.new_event(payload, source=SOURCE, subject=str(case_id), sequence=expected_version + n)
              for n, payload in enumerate(payloads, start=1)]
    session.add_all([
        EventRow(stream_id=case_id, version=event.sequence, event_id=event.id, type=event.type,
                 schema_version=registry.spec_of(payload).version, data=event.data, actor=actor,
                 occurred_at=event.time)
        for event, payload in zip(events, payloads, strict=True)
    ])
    for payload in payloads:
        await _project(session, payload)
    add_to_outbox(session, events, topics.CASES)
    await session.flush()
    return events


async def _project(session: AsyncSession, payload: Payload) -> None:
    match payload:
        case CaseOpened():
            session.add(OpenCaseRow(controller_key=payload.controller.key, case_id=payload.case_id))
            session.add(CaseComplaintRow(complaint_id=payload.complaint_id, case_id=payload.case_id))
        case ComplaintLinked():
            session.add(CaseComplaintRow(complaint_id=payload.complaint_id, case_id=payload.case_id))
        case CaseClosed():
            await session.exec(sa.delete(OpenCaseRow).where(col(OpenCaseRow.case_id) == payload.case_id))


async def open_case_for(session: AsyncSession, controller_key: str) -> UUID | None:
    row = await session.get(OpenCaseRow, controller_key)
    return row.case_id if row else None


async def case_of_complaint(session: AsyncSession, complaint_id: UUID) -> UUID | None:
    row = await session.get(CaseComplaintRow, complaint_id)
    return row.case_id if row else None
