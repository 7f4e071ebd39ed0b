"""The case event store and everything written in the same transaction as an append: the outbox,
the lookups, the read-side projections, the Art 78(2) clocks and the durable deadline timers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry, topics
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import (
    CaseClosed,
    CaseOpened,
    ComplaintLinked,
    FormalNoticeIssued,
    Payload,
)
from docket_contracts.progress import ART_78_MONTHS, clock_start, ends_wait
from docket_messaging.tables import OUTBOX_COLUMNS, OutboxRow, outbox_values, utc_column

from .domain import CaseState, evolve, replay
from .integrity import GENESIS, Head, Verdict, event_hash, verify
from .snapshots import FOLD, SnapshotRow, dump, restore
from .views import case_view

log = logging.getLogger(__name__)

SOURCE = "/docket/case"
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


@dataclass(frozen=True)
class Actor:
    """Who caused an event: a person (the token's subject, the role they acted in, their user name) or a
    part of Docket itself (`system:...`, which no token can claim)."""

    id: str
    role: str | None = None
    name: str | None = None


class EventRow(SQLModel, table=True):
    """One fact of one case; the primary key (stream_id, version) is the optimistic-concurrency check.

    Append-only: the database refuses UPDATE and DELETE (a trigger, and no such grants), and each row
    carries the SHA-256 of its predecessor (see integrity.py)."""

    __tablename__ = "events"
    __mapper_args__ = {"eager_defaults": True}  # read the global position back on insert

    stream_id: UUID = Field(primary_key=True)
    version: int = Field(primary_key=True)
    position: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), unique=True))
    event_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    type: str
    schema_version: int
    data: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    actor: str
    actor_role: str | None = None
    actor_name: str | None = None
    occurred_at: datetime = utc_column()
    recorded_at: datetime = utc_column(server_default=sa.func.now())
    previous_hash: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=False))
    hash: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=False))

    def event(self) -> CloudEvent:
        return stored_event(self)


def stored_event(row: Any) -> CloudEvent:
    """The CloudEvent of a stored event: an EventRow, or a plain row with the same columns."""
    return CloudEvent(
        type=row.type,
        source=SOURCE,
        subject=str(row.stream_id),
        id=row.event_id,
        dataschema=registry.dataschema(row.type, row.schema_version),
        data=row.data,
        time=row.occurred_at,
        sequence=row.version,
    )


class StreamHeadRow(SQLModel, table=True):
    """Where each case stream was last appended to, so that removing the last events of a stream, which
    leaves the remaining links whole, is still detected. Moved by a trigger on events running with the
    owner's rights: the role that serves may only read it."""

    __tablename__ = "stream_heads"

    stream_id: UUID = Field(primary_key=True)
    version: int
    hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))


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


class StreamNotFound(LookupError):
    pass


_EVENTS = EventRow.__table__
# What an append writes of each event (position and recorded_at are the database's).
_EVENT_COLUMNS = (
    "stream_id",
    "version",
    "event_id",
    "type",
    "schema_version",
    "data",
    "actor",
    "actor_role",
    "actor_name",
    "occurred_at",
    "previous_hash",
    "hash",
)


async def rows(session: AsyncSession, case_id: UUID, after: int = 0, limit: int | None = None) -> Sequence[EventRow]:
    """The stored events of a case in order: all of them, or `limit` of them after version `after`."""
    query = select(EventRow).where(EventRow.stream_id == case_id, col(EventRow.version) > after)
    return (await session.exec(query.order_by(col(EventRow.version)).limit(limit))).all()


_HEADS, _SNAPSHOTS = StreamHeadRow.__table__, SnapshotRow.__table__
# The stream's head and its snapshot in one round trip (plain rows: no ORM object to build or track).
_HEAD_AND_SNAPSHOT = (
    sa.select(
        _HEADS.c.version,
        _HEADS.c.hash,
        _SNAPSHOTS.c.version.label("snapshot_version"),
        _SNAPSHOTS.c.fold,
        _SNAPSHOTS.c.state,
    )
    .select_from(_HEADS.outerjoin(_SNAPSHOTS, _SNAPSHOTS.c.stream_id == _HEADS.c.stream_id))
    .where(_HEADS.c.stream_id == sa.bindparam("case_id"))
)
# session.info key: the head `load` read, which `append` in the same transaction chains to.
_HEAD_READ = "docket_case_head"


async def load(session: AsyncSession, case_id: UUID) -> CaseState:
    """The case now: its snapshot and the events after it, so that the cost does not grow with the case.

    The stream's head is read with the snapshot and kept for `append` in the same transaction."""
    found = (await session.exec(_HEAD_AND_SNAPSHOT, params={"case_id": case_id})).first()  # type: ignore[call-overload]
    if found is None:
        return await replayed(session, case_id)  # no head: a new or damaged stream, read the long way
    session.info[_HEAD_READ] = (case_id, Head(found.version, found.hash))
    snapshot = restore(
        SnapshotRow(stream_id=case_id, version=found.snapshot_version, fold=found.fold, state=found.state)
        if found.fold is not None
        else None
    )
    if snapshot is None:
        return await replayed(session, case_id)
    rows = await _event_rows(session, case_id, after=snapshot.version)
    return replay((registry.parse(stored_event(row)) for row in rows), snapshot)


async def replayed(session: AsyncSession, case_id: UUID, as_of: datetime | None = None) -> CaseState:
    """The case folded from its first event (upcast where stored in an older schema version), as it stood
    at `as_of` if given. What the snapshots are checked against."""
    found = await _event_rows(session, case_id, as_of=as_of)
    if not found:
        raise StreamNotFound(case_id)
    return replay(registry.parse(stored_event(row)) for row in found)


async def _event_rows(
    session: AsyncSession, case_id: UUID, after: int = 0, as_of: datetime | None = None
) -> Sequence[Any]:
    table = EventRow.__table__
    query = sa.select(
        table.c.stream_id,
        table.c.version,
        table.c.event_id,
        table.c.type,
        table.c.schema_version,
        table.c.data,
        table.c.occurred_at,
    ).where(table.c.stream_id == case_id, table.c.version > after)
    if as_of is not None:
        query = query.where(table.c.recorded_at <= as_of)
    return (await session.exec(query.order_by(table.c.version))).all()  # plain rows: no ORM objects to build


async def append(
    session: AsyncSession, state: CaseState, case_id: UUID, payloads: Sequence[Payload], actor: Actor
) -> tuple[CaseState, list[CloudEvent]]:
    """Append after `state.version`; a concurrent writer makes the insert fail (IntegrityError).

    Each event carries its own hash and its predecessor's; the database moves the stream's head. The
    outbox, the lookups and the projections change in the same transaction.
    """
    if not payloads:
        return state, []
    events = [
        registry.new_event(payload, source=SOURCE, subject=str(case_id), sequence=state.version + n)
        for n, payload in enumerate(payloads, start=1)
    ]
    previous = await head_hash(session, case_id, state.version)
    stored = []
    for event, payload in zip(events, payloads, strict=True):
        row = EventRow(
            stream_id=case_id,
            version=event.sequence,
            event_id=event.id,
            type=event.type,
            schema_version=registry.spec_of(payload).version,
            data=event.data,
            actor=actor.id,
            actor_role=actor.role,
            actor_name=actor.name,
            occurred_at=event.time,
            previous_hash=previous,
        )
        row.hash = previous = event_hash(row)
        stored.append({column: getattr(row, column) for column in _EVENT_COLUMNS})
    # The events and their outbox rows in one statement, one transaction's work: the database moves the
    # stream's head (a trigger on events) and announces the outbox rows (a trigger on outbox).
    outbox = outbox_values(events, topics.CASES)
    if len(stored) == 1:  # most commands: a statement built once
        statement, params = _APPEND_ONE, _prefixed(stored[0], "e_") | _prefixed(outbox[0], "o_")
    else:
        statement = (
            insert(_EVENTS)
            .values(stored)
            .returning(_EVENTS.c.position)
            .add_cte(insert(OutboxRow.__table__).values(outbox).cte("outbox_rows"))
        )
        params = {}
    position = max((await (await session.connection()).execute(statement, params)).scalars().all())
    for payload in payloads:
        state = evolve(state, payload)
        await _write_side(session, state, payload)
    await project(session, state, payloads, position)
    return state, events


async def head_hash(session: AsyncSession, case_id: UUID, version: int) -> str:
    """The hash the next event of the stream chains to: its head's, or GENESIS for a new stream.

    A head ahead of the version the command was decided on means a concurrent append won: the insert then
    fails on the primary key, as it would without the head. A head that is missing or behind means the
    store was tampered with; the event is chained to GENESIS so the break stays visible where it is, rather
    than to the stored predecessor, which would vouch for whatever was written there.
    """
    if version == 0:
        return GENESIS
    read = session.info.pop(_HEAD_READ, None)
    if read is not None and read[0] == case_id:
        head: Head | None = read[1]
    else:
        found = (
            await session.exec(
                sa.select(_HEADS.c.version, _HEADS.c.hash).where(_HEADS.c.stream_id == case_id)  # type: ignore[call-overload]
            )
        ).first()
        head = Head(found.version, found.hash) if found else None
    if head is not None and head.version == version:
        return head.hash
    if head is None or head.version < version:
        log.error(
            "case %s: stream head %s does not match version %d; the chain is broken there",
            case_id,
            head.version if head else "missing",
            version,
        )
    return GENESIS


async def integrity(session: AsyncSession, case_id: UUID) -> Verdict:
    """Walk one case's chain and report the first broken link."""
    head = await session.get(StreamHeadRow, case_id, populate_existing=True)
    found = await rows(session, case_id)
    if not found and head is None:
        raise StreamNotFound(case_id)
    return verify(case_id, found, Head(head.version, head.hash) if head else None)


async def integrity_of_all(session: AsyncSession) -> list[Verdict]:
    """Every stream's verdict, streams with a head and streams with events alike."""
    heads = {row.stream_id: Head(row.version, row.hash) for row in (await session.exec(select(StreamHeadRow))).all()}
    streams = set(heads) | set((await session.exec(select(EventRow.stream_id).distinct())).all())
    return [verify(stream_id, await rows(session, stream_id), heads.get(stream_id)) for stream_id in sorted(streams)]


async def _write_side(session: AsyncSession, state: CaseState, payload: Payload) -> None:
    """Lookups the commands depend on, and the deadline timers: not projections, never rebuilt.

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
        _prefixed(_summary(state, position), "s_")
        | _prefixed(_detail(state, position), "d_")
        | _prefixed(_snapshot(state), "n_"),
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


def _prefixed(values: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {prefix + name: value for name, value in values.items()}


def _upsert(table: sa.Table, columns: Sequence[str], prefix: str) -> Any:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE of `columns`, bound as `prefix` + column name."""
    key = [c.name for c in table.primary_key]
    statement = insert(table).values({name: sa.bindparam(prefix + name) for name in columns})
    return statement.on_conflict_do_update(  # the new values from EXCLUDED: each is sent once
        index_elements=key, set_={name: statement.excluded[name] for name in columns if name not in key}
    )


# Built once, so that a command spends nothing on building statements and their cache keys (the profile of 32
# concurrent commands put that ahead of the work itself). One event with its outbox row:
_APPEND_ONE = (
    insert(_EVENTS)
    .values({name: sa.bindparam("e_" + name) for name in _EVENT_COLUMNS})
    .returning(_EVENTS.c.position)
    .add_cte(
        insert(OutboxRow.__table__)
        .values({name: sa.bindparam("o_" + name) for name in OUTBOX_COLUMNS})
        .cte("outbox_row")
    )
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
    columns = list(table.__table__.columns)  # type: ignore[attr-defined]
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
