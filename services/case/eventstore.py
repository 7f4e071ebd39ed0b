"""The case event store: each case is a stream of hash-chained events (`events`), whose head the database
keeps (`stream_heads`). Reading a case (its head, its snapshot and the events after it, in one statement),
appending events with their outbox rows and the rows kept beside them (`Beside`) in one statement, and walking a
stream's chain.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry, topics
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload
from docket_messaging.postgres import run
from docket_messaging.tables import OUTBOX_COLUMNS, OutboxRow, outbox_values, table_of, utc_column

from .application import Actor
from .domain import CaseState, replay
from .errors import StreamNotFound
from .integrity import GENESIS, Head, Verdict, canonical_json, hash_with_data, verify
from .snapshots import FOLD, SnapshotRow, restore

log = logging.getLogger(__name__)

SOURCE = "/docket/case"


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


_EVENTS, _OUTBOX = table_of(EventRow), table_of(OutboxRow)
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


async def history(session: AsyncSession, case_id: UUID, after: int, limit: int) -> tuple[list[EventRow], bool]:
    """Up to `limit` stored events of a case after version `after`, and whether more follow; StreamNotFound if
    there is no such case."""
    found = list(await rows(session, case_id, after=after, limit=limit + 1))
    if not found and not await session.get(StreamHeadRow, case_id):
        raise StreamNotFound(case_id)
    return found[:limit], len(found) > limit


_HEADS, _SNAPSHOTS = table_of(StreamHeadRow), table_of(SnapshotRow)
# The stream's head, its snapshot and the events after the snapshot (all of them without one of this fold), in one
# round trip: the events as one JSON array of [version, event id, type, schema version, data, occurred at].
_LOAD = sa.text("""
    SELECT h.version, h.hash, s.version AS snapshot_version, s.fold, s.state,
           (SELECT json_agg(json_build_array(e.version, e.event_id, e.type, e.schema_version, e.data, e.occurred_at)
                            ORDER BY e.version)
              FROM events AS e
             WHERE e.stream_id = h.stream_id
               AND e.version > CASE WHEN s.fold = :fold THEN s.version ELSE 0 END) AS after
      FROM stream_heads AS h LEFT JOIN snapshots AS s ON s.stream_id = h.stream_id
     WHERE h.stream_id = :case_id""").columns(
    sa.column("version", sa.Integer),
    sa.column("hash", sa.String),
    sa.column("snapshot_version", sa.Integer),
    sa.column("fold", sa.Integer),
    sa.column("state", JSONB),
    sa.column("after", sa.JSON),
)
# session.info key: what `load` read of a stream, which `append` in the same transaction chains to (the head) and
# snapshots after (the version of the snapshot it used, 0 for none).
_HEAD_READ = "docket_case_head"


@dataclass(frozen=True)
class _Read:
    case_id: UUID
    head: Head
    snapshot_version: int


async def load(session: AsyncSession, case_id: UUID) -> CaseState:
    """The case now: its snapshot and the events after it, so that the cost does not grow with the case, in one
    statement. The stream's head is read with them and kept for `append` in the same transaction."""
    connection = await session.connection()
    found = (await connection.execute(_LOAD, {"case_id": case_id, "fold": FOLD})).first()
    if found is None:
        return await replayed(session, case_id)  # no head: a new or damaged stream, read the long way
    snapshot = (
        restore(SnapshotRow(stream_id=case_id, version=found.snapshot_version, fold=found.fold, state=found.state))
        if found.fold == FOLD
        else None
    )
    if snapshot is None and found.fold == FOLD:  # a snapshot of this fold that does not hold: read the long way
        state = await replayed(session, case_id)
        snapshot_version = 0
    else:
        after = found.after or []
        state = replay((_payload(case_id, *event) for event in after), snapshot)
        snapshot_version = snapshot.version if snapshot is not None else 0
    session.info[_HEAD_READ] = _Read(case_id, Head(found.version, found.hash), snapshot_version)
    return state


def _payload(
    case_id: UUID, version: int, event_id: str, type_: str, schema_version: int, data: Any, occurred_at: str
) -> Payload:
    """A stored event's payload, from the values `load` reads: validated as it is when stored in its type's
    current schema version, else parsed as a replay parses it (upcast)."""
    spec = registry.BY_TYPE.get(type_)
    if spec is not None and schema_version == spec.version:
        with contextlib.suppress(ValueError):
            return spec.payload.model_validate(data)
    row = SimpleNamespace(
        stream_id=case_id,
        version=version,
        event_id=event_id,
        type=type_,
        schema_version=schema_version,
        data=data,
        occurred_at=datetime.fromisoformat(occurred_at),
    )
    return registry.parse(stored_event(row))


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
    table = _EVENTS
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
    return (await run(session, query.order_by(table.c.version))).all()  # plain rows: no ORM objects to build


@dataclass(frozen=True)
class Beside:
    """Rows an append writes in its own statement, beside its events and their outbox rows: added to `table`, or
    with `upsert` replacing the row of the same key. A value AT_POSITION stands for the global position of the
    append's last event (in a single row)."""

    table: sa.Table
    rows: tuple[dict[str, Any], ...]
    upsert: bool = False


class _AtPosition:
    def __repr__(self) -> str:
        return "AT_POSITION"


AT_POSITION: Any = _AtPosition()


async def append(
    session: AsyncSession,
    state: CaseState,
    case_id: UUID,
    payloads: Sequence[Payload],
    actor: Actor,
    beside: Sequence[Beside] = (),
) -> tuple[list[CloudEvent], int]:
    """Append `payloads` (at least one) after `state.version` with their outbox rows, and the rows `beside`, in one
    statement; returns the events and the global position of the last. A concurrent writer makes the insert fail
    (IntegrityError), and nothing of the statement is written.

    Each event carries its own hash and its predecessor's; the database moves the stream's head. Each event's
    payload is encoded once: that JSON is hashed, and stored as the event's data and its outbox row's.
    """
    events = [
        registry.new_event(payload, source=SOURCE, subject=str(case_id), sequence=state.version + n)
        for n, payload in enumerate(payloads, start=1)
    ]
    previous = await head_hash(session, case_id, state.version)
    params: dict[str, Any] = {}
    for n, (event, payload, outbox) in enumerate(
        zip(events, payloads, outbox_values(events, topics.CASES), strict=True)
    ):
        data = canonical_json(event.data)
        row = SimpleNamespace(
            stream_id=case_id,
            version=state.version + n + 1,
            event_id=event.id,
            type=event.type,
            schema_version=registry.spec_of(payload).version,
            actor=actor.id,
            actor_role=actor.role,
            actor_name=actor.name,
            occurred_at=event.time,
            previous_hash=previous,
        )
        row.hash = previous = hash_with_data(row, data)
        row.data = data
        params |= {f"e{n}_{column}": getattr(row, column) for column in _EVENT_COLUMNS}
        params |= {f"o{n}_{column}": value for column, value in outbox.items() if column != "data"}
    shape = (len(events), tuple(_shape_of(each) for each in beside))
    for k, each in enumerate(beside):
        for j, values in enumerate(each.rows):
            params |= {
                f"b{k}_{j}_{column}": _json(value) if isinstance(each.table.c[column].type, sa.JSON) else value
                for column, value in values.items()
                if value is not AT_POSITION
            }
    connection = await session.connection()
    compiled = _STATEMENTS.get(shape)
    if compiled is None:
        compiled = _compiled(_statement(shape, [each.table for each in beside]), connection.dialect)
        if len(_STATEMENTS) < _STATEMENTS_KEPT:
            _STATEMENTS[shape] = compiled
    sql, names = compiled
    position: int = (await connection.exec_driver_sql(sql, tuple(params[name] for name in names))).scalar_one()
    return events, position


def _json(value: Any) -> str:
    return json.dumps(value)


def _compiled(statement: Any, dialect: sa.Dialect) -> tuple[str, tuple[str, ...]]:
    """The statement's SQL for the driver, and the names of its parameters in their order: run as it is, it costs
    no compiling (SQLAlchemy does not cache a statement of data-modifying CTEs). Values go to the driver as they
    are: a JSON column's as its text."""
    compiled = statement.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup or ())


def _shape_of(beside: Beside) -> tuple[Any, ...]:
    """What the statement for `beside` depends on: its table, its columns, how many rows, which are AT_POSITION."""
    columns = tuple(beside.rows[0])
    at_position = tuple(column for column, value in beside.rows[0].items() if value is AT_POSITION)
    if at_position and len(beside.rows) > 1:
        raise ValueError("AT_POSITION stands in a single row")
    return beside.table.name, columns, len(beside.rows), at_position, beside.upsert


# The statements appends have run, compiled, by shape (events and rows beside), so that a command spends nothing on
# building or compiling one (the profile of 32 concurrent commands put that ahead of the work itself). Shapes are
# few (a command, a complaint opening or joining a case); a long run of unusual ones is compiled each time.
_STATEMENTS: dict[tuple[Any, ...], tuple[str, tuple[str, ...]]] = {}
_STATEMENTS_KEPT = 256


def _statement(shape: tuple[Any, ...], tables: Sequence[sa.Table]) -> Any:
    """WITH appended AS (INSERT the events RETURNING position), published AS (INSERT their outbox rows), beside_k
    AS (INSERT or upsert each Beside) SELECT the last position: one statement, one transaction's work."""
    count, besides = shape

    def bound(table: sa.Table, prefix: str, n: int) -> dict[str, Any]:
        """A row's values as parameters `prefix{n}_column`; its `data` the event's JSON, bound once for its row
        and for its outbox row."""
        return {
            column.name: sa.cast(sa.bindparam(f"e{n}_data", type_=sa.Text), JSONB)
            if column.name == "data"
            else sa.bindparam(f"{prefix}{n}_{column.name}", type_=column.type)
            for column in table.columns
            if column.name in (_EVENT_COLUMNS if table is _EVENTS else OUTBOX_COLUMNS)
        }

    appended = (
        insert(_EVENTS).values([bound(_EVENTS, "e", n) for n in range(count)]).returning(_EVENTS.c.position)
    ).cte("appended")
    published = insert(_OUTBOX).values([bound(_OUTBOX, "o", n) for n in range(count)])
    position = sa.select(sa.func.max(appended.c.position)).scalar_subquery()
    statement = sa.select(position).add_cte(appended).add_cte(published.cte("published"))
    for k, ((_, columns, rows, at_position, upsert), table) in enumerate(zip(besides, tables, strict=True)):

        def value(j: int, column: str, k: int = k, table: sa.Table = table) -> Any:
            return sa.bindparam(f"b{k}_{j}_{column}", type_=table.c[column].type)

        if at_position:
            written = insert(table).from_select(
                list(columns), sa.select(*[position if c in at_position else value(0, c) for c in columns])
            )
        else:
            written = insert(table).values([{c: value(j, c) for c in columns} for j in range(rows)])
        if upsert:
            key = [c.name for c in table.primary_key]
            written = written.on_conflict_do_update(
                index_elements=key, set_={c: written.excluded[c] for c in columns if c not in key}
            )
        statement = statement.add_cte(written.cte(f"beside_{k}"))
    return statement


def snapshot_version(session: AsyncSession, case_id: UUID) -> int:
    """The version of the snapshot `load` restored the case from in this transaction (0: none, or not loaded)."""
    read = session.info.get(_HEAD_READ)
    return read.snapshot_version if isinstance(read, _Read) and read.case_id == case_id else 0


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
    if isinstance(read, _Read) and read.case_id == case_id:
        head: Head | None = read.head
    else:
        connection = await session.connection()
        found = (
            await connection.execute(sa.select(_HEADS.c.version, _HEADS.c.hash).where(_HEADS.c.stream_id == case_id))
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
    return [verify(stream_id, found, head) async for stream_id, found, head in streams(session)]


async def streams(session: AsyncSession) -> AsyncIterator[tuple[UUID, Sequence[EventRow], Head | None]]:
    """Every stream, with a head or with events or both, in id order: its events and its head, one stream at a
    time (the session forgets each stream's rows before reading the next)."""
    heads = {row.stream_id: Head(row.version, row.hash) for row in (await session.exec(select(StreamHeadRow))).all()}
    found = set(heads) | set((await session.exec(select(EventRow.stream_id).distinct())).all())
    for stream_id in sorted(found):
        yield stream_id, await rows(session, stream_id), heads.get(stream_id)
        session.expunge_all()
