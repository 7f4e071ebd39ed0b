"""What the case service keeps beside its event store, written in the same transaction as each append: the
lookups commands depend on (the open case of each controller, the case of each complaint), the durable deadline
timers, the GDPR Art 78(2) clocks, and the read side (the case list and the case detail, with the snapshot),
which `rebuild_projections` can make again from the events.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlmodel import Field, SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import (
    CaseClosed,
    CaseOpened,
    ComplaintLinked,
    FormalNoticeIssued,
    Payload,
)
from docket_contracts.progress import ART_78_MONTHS, clock_start, ends_wait
from docket_messaging.tables import utc_column

from .domain import CaseState, evolve
from .eventstore import SOURCE, EventRow, prefixed
from .snapshots import FOLD, SnapshotRow, dump
from .views import case_view


class CaseComplaintRow(SQLModel, table=True):
    """Which case each complaint belongs to, and the case's list of complaints (in the order linked)."""

    __tablename__ = "case_complaints"
    __table_args__ = (sa.Index("ix_case_complaints_case_id_version", "case_id", "version"),)

    complaint_id: UUID = Field(primary_key=True)
    case_id: UUID
    kind: str | None = None  # None only for rows linked before the list was kept (filled by migration 0006)
    received_on: date | None = None
    version: int | None = None  # the case version whose event linked it


class OpenCaseRow(SQLModel, table=True):
    """The one open case per controller that new complaints on that controller are linked to."""

    __tablename__ = "open_cases"

    controller_key: str = Field(primary_key=True)
    case_id: UUID = Field(unique=True)


class CaseSummaryRow(SQLModel, table=True):
    """Projection for the case list."""

    __tablename__ = "case_summaries"

    case_id: UUID = Field(primary_key=True)
    controller_key: str = Field(index=True)
    controller_name: str
    status: str = Field(index=True)
    opened_on: date
    complaints: int
    next_deadline: date | None = Field(default=None, index=True)
    outcome: str | None = None
    version: int
    position: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))


class CaseDetailRow(SQLModel, table=True):
    """Projection for the case detail: the case as a JSON document."""

    __tablename__ = "case_details"

    case_id: UUID = Field(primary_key=True)
    version: int
    document: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    position: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))


class ComplainantClockRow(SQLModel, table=True):
    """GDPR Art 78(2): when each complainant of an open case was last told of progress."""

    __tablename__ = "complainant_clocks"

    complaint_id: UUID = Field(primary_key=True)
    case_id: UUID = Field(index=True)
    last_progress_on: date
    running: bool = True


class TimerRow(SQLModel, table=True):
    """A durable timer: when a formal notice's deadline has passed, the scheduler looks at the case."""

    __tablename__ = "timers"
    __table_args__ = (sa.Index("ix_timers_due_unfired", "due_on", postgresql_where=sa.text("fired_at IS NULL")),)

    notice_id: UUID = Field(primary_key=True)
    case_id: UUID
    due_on: date
    fired_at: datetime | None = utc_column(nullable=True)


async def write_lookups(session: AsyncSession, state: CaseState, payload: Payload) -> None:
    """The lookups the commands depend on, and the deadline timers: not projections, never rebuilt.

    `state` is the case right after `payload`."""
    match payload:
        case CaseOpened():
            session.add(OpenCaseRow(controller_key=payload.controller.key, case_id=payload.case_id))
            session.add(
                CaseComplaintRow(
                    complaint_id=payload.complaint_id,
                    case_id=payload.case_id,
                    kind=payload.complaint_kind,
                    received_on=payload.opened_on,
                    version=state.version,
                )
            )
        case ComplaintLinked():
            session.add(
                CaseComplaintRow(
                    complaint_id=payload.complaint_id,
                    case_id=payload.case_id,
                    kind=payload.complaint_kind,
                    received_on=payload.received_on,
                    version=state.version,
                )
            )
        case CaseClosed():
            await session.exec(sa.delete(OpenCaseRow).where(col(OpenCaseRow.case_id) == payload.case_id))
        case FormalNoticeIssued():
            session.add(
                TimerRow(
                    notice_id=payload.notice_id,
                    case_id=payload.case_id,
                    due_on=payload.compliance_deadline + timedelta(days=1),
                )
            )
    await session.flush()


async def project(session: AsyncSession, state: CaseState, payloads: Sequence[Payload], position: int | None) -> None:
    """Bring the read side up to date with events, given the case right after the last of them: the clocks,
    then the summary, the detail document and the snapshot in one statement."""
    assert state.case_id is not None and state.controller is not None and state.opened_on is not None
    assert position is not None
    for payload in payloads:
        await _clocks(session, state, payload)
    connection = await session.connection()
    await connection.execute(
        _PROJECT,
        prefixed(_summary(state, position), "s_")
        | prefixed(_detail(state, position), "d_")
        | prefixed(_snapshot(state), "n_"),
    )


# The rows the read side keeps of a case, as `project` writes them after each append and `rebuild_projections`
# writes them once per case.
def _summary(state: CaseState, position: int) -> dict[str, Any]:
    assert state.controller is not None
    pending = state.pending_notice
    return {
        "case_id": state.case_id,
        "controller_key": state.controller.key,
        "controller_name": state.controller.name,
        "status": state.status,
        "opened_on": state.opened_on,
        "complaints": state.complaint_count,
        "next_deadline": pending.deadline if pending else None,
        "outcome": state.outcome,
        "version": state.version,
        "position": position,
    }


def _detail(state: CaseState, position: int) -> dict[str, Any]:
    return {"case_id": state.case_id, "version": state.version, "document": case_view(state), "position": position}


def _snapshot(state: CaseState) -> dict[str, Any]:
    return {"stream_id": state.case_id, "version": state.version, "fold": FOLD, "state": dump(state)}


def _upsert(table: sa.Table, columns: Sequence[str], prefix: str) -> Any:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE of `columns`, bound as `prefix` + column name."""
    key = [c.name for c in table.primary_key]
    statement = insert(table).values({name: sa.bindparam(prefix + name) for name in columns})
    return statement.on_conflict_do_update(  # the new values from EXCLUDED: each is sent once
        index_elements=key, set_={name: statement.excluded[name] for name in columns if name not in key}
    )


# The summary, with the detail document and the snapshot as data-modifying CTEs: one round trip.
_PROJECT = (
    _upsert(CaseSummaryRow.__table__, [c.name for c in CaseSummaryRow.__table__.columns], "s_")
    .add_cte(_upsert(CaseDetailRow.__table__, ["case_id", "version", "document", "position"], "d_").cte("detail"))
    .add_cte(_upsert(SnapshotRow.__table__, ["stream_id", "version", "fold", "state"], "n_").cte("snapshot"))
)


async def _clocks(session: AsyncSession, state: CaseState, payload: Payload) -> None:
    """Start the Art 78(2) clock of a complaint the case takes in; stop every clock of a case that closes.
    Only a letter sent restarts a clock (`told`)."""
    if (clock := clock_start(payload)) is not None:
        complaint_id, started = clock
        session.add(
            ComplainantClockRow(
                complaint_id=complaint_id,
                case_id=state.case_id,
                last_progress_on=started,
                running=state.status != "closed",
            )
        )
        await session.flush()
    if (ends := ends_wait(payload)) is not None and ends.case_id is not None:
        await session.exec(
            sa.update(ComplainantClockRow).where(col(ComplainantClockRow.case_id) == ends.case_id).values(running=False)
        )


async def told(session: AsyncSession, complaint_id: UUID, on: date) -> None:
    """A letter about progress was sent to the complainant on `on`: their three months run again from it,
    unless no news is owed to them any more."""
    await session.exec(
        sa.update(ComplainantClockRow)
        .where(col(ComplainantClockRow.complaint_id) == complaint_id, col(ComplainantClockRow.running))
        .values(last_progress_on=sa.func.greatest(ComplainantClockRow.last_progress_on, on))
    )


def overdue_on(day: date) -> sa.ColumnElement[bool]:
    """The clocks still running whose three months (as docket_contracts.progress.due counts them) ended
    before `day`."""
    ends = col(ComplainantClockRow.last_progress_on) + sa.text(f"interval '{ART_78_MONTHS} months'")
    return sa.and_(col(ComplainantClockRow.running), ends < day)


async def stop_clock(session: AsyncSession, complaint_id: UUID) -> None:
    await session.exec(
        sa.update(ComplainantClockRow)
        .where(col(ComplainantClockRow.complaint_id) == complaint_id)
        .values(running=False)
    )


async def open_case_for(session: AsyncSession, controller_key: str) -> UUID | None:
    row = await session.get(OpenCaseRow, controller_key)
    return row.case_id if row else None


async def case_of_complaint(session: AsyncSession, complaint_id: UUID) -> UUID | None:
    row = await session.get(CaseComplaintRow, complaint_id)
    return row.case_id if row else None


# Events read per query by rebuild_projections.
REBUILD_BATCH = 10_000


async def rebuild_projections(session: AsyncSession, batch: int = REBUILD_BATCH) -> int:
    """Empty the projections and replay every event in position order; returns the events replayed.

    The snapshots are made again from the same replay, so a change of the fold takes effect everywhere.
    Appends wait meanwhile (they update the same rows), then apply on top of the rebuilt state.

    The rows are those `project` leaves after each case's events, written in bulk once every case is
    folded: events are read as plain rows a batch at a time (no ORM objects), and only each case's state
    and the Art 78(2) clocks it started are kept, not its events. The clocks are not emptied (`_KEEP_CLOCKS`).
    """
    await session.exec(
        sa.text("LOCK TABLE case_summaries, case_details, complainant_clocks, snapshots IN EXCLUSIVE MODE")
    )
    for table in (CaseSummaryRow, CaseDetailRow, SnapshotRow):
        await session.exec(sa.delete(table))
    cases: dict[UUID, _Rebuilt] = {}
    events = EventRow.__table__.c
    query = sa.select(
        events.stream_id,
        events.version,
        events.event_id,
        events.type,
        events.schema_version,
        sa.cast(events.data, sa.Text).label("data"),
        events.occurred_at,
        events.position,
    )
    replayed = after = 0
    while chunk := (
        await session.exec(query.where(events.position > after).order_by(events.position).limit(batch))
    ).all():
        for row in chunk:
            rebuilt = cases.get(row.stream_id)
            if rebuilt is None:
                rebuilt = cases[row.stream_id] = _Rebuilt()
            rebuilt.apply(_stored_payload(row), row.position)
        after = chunk[-1].position
        replayed += len(chunk)
    await _insert_many(session, SnapshotRow, [rebuilt.snapshot() for rebuilt in cases.values()])
    await _insert_many(session, CaseSummaryRow, [rebuilt.summary() for rebuilt in cases.values()])
    await _insert_many(session, CaseDetailRow, [rebuilt.detail() for rebuilt in cases.values()])
    await _insert_many(
        session,
        ComplainantClockRow,
        [clock for rebuilt in cases.values() for clock in rebuilt.clocks()],
        on_conflict=_KEEP_CLOCKS,
    )
    return replayed


def _stored_payload(row: Any) -> Payload:
    """`registry.parse(stored_event(row))` for a row whose `data` is JSON text. A row in its type's current
    schema version is validated from the text as it comes (no dict, no envelope in between); any other row,
    and one that does not validate so, takes the general path, which upcasts it or raises as a replay does."""
    spec = registry.BY_TYPE.get(row.type)
    if spec is not None and row.schema_version == spec.version:
        try:
            return spec.payload.model_validate_json(row.data)
        except ValueError:
            pass
    return registry.parse(
        CloudEvent(
            type=row.type,
            source=SOURCE,
            subject=str(row.stream_id),
            id=row.event_id,
            dataschema=registry.dataschema(row.type, row.schema_version),
            data=json.loads(row.data),
            time=row.occurred_at,
            sequence=row.version,
        )
    )


class _Rebuilt:
    """One case as `rebuild_projections` replays it: the state so far, the position of its last event, and
    the Art 78(2) clocks its complaints started."""

    __slots__ = ("_started", "position", "state")

    def __init__(self) -> None:
        self.state = CaseState()
        self.position = 0
        self._started: list[tuple[UUID, date]] = []  # (complaint_id, receipt), in the order the clocks started

    def apply(self, payload: Payload, position: int) -> None:
        self.state = evolve(self.state, payload)
        self.position = position
        if (clock := clock_start(payload)) is not None:
            self._started.append(clock)

    def _checked(self) -> CaseState:
        state = self.state
        assert state.case_id is not None and state.controller is not None and state.opened_on is not None
        return state

    def snapshot(self) -> dict[str, Any]:
        return _snapshot(self._checked())

    def summary(self) -> dict[str, Any]:
        return _summary(self._checked(), self.position)

    def detail(self) -> dict[str, Any]:
        return _detail(self._checked(), self.position)

    def clocks(self) -> list[dict[str, Any]]:
        state = self._checked()
        return [
            {
                "complaint_id": complaint_id,
                "case_id": state.case_id,
                "running": state.status != "closed",
                "last_progress_on": started,
            }
            for complaint_id, started in self._started
        ]


# The clocks are not the case's alone: letters sent restart them and withdrawals stop them, and neither is in
# its events. A rebuild keeps what they did and adds what the events start.
_KEEP_CLOCKS = (
    "ON CONFLICT (complaint_id) DO UPDATE SET case_id = EXCLUDED.case_id, "
    "last_progress_on = greatest(complainant_clocks.last_progress_on, EXCLUDED.last_progress_on), "
    "running = complainant_clocks.running AND EXCLUDED.running"
)


async def _insert_many(
    session: AsyncSession,
    table: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    chunk: int = 10_000,
    on_conflict: str = "",
) -> None:
    """Insert `rows` (dicts of every column of `table`) a chunk at a time, each chunk one statement that
    unnests one array per column: the rows cross as a few arrays, not one parameter set each."""
    if not rows:
        return
    columns = list(sa.inspect(table).local_table.columns)
    dialect = postgresql.dialect()
    arrays, selected = [], []
    for n, column in enumerate(columns):
        json_column = isinstance(column.type, JSONB)
        arrays.append(f"CAST(:c{n} AS {'TEXT' if json_column else column.type.compile(dialect)}[])")
        selected.append(f"c{n}::jsonb" if json_column else f"c{n}")
    statement = sa.text(
        f"INSERT INTO {table.__tablename__} ({', '.join(c.name for c in columns)}) "
        f"SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) "
        f"AS t({', '.join(f'c{n}' for n in range(len(columns)))}) {on_conflict}"
    )
    for offset in range(0, len(rows), chunk):
        part = rows[offset : offset + chunk]
        values = {
            f"c{n}": [json.dumps(row[c.name]) if isinstance(c.type, JSONB) else row[c.name] for row in part]
            for n, c in enumerate(columns)
        }
        await session.exec(statement, params=values)
