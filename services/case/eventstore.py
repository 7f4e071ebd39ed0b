"""The case event store: each case is a stream of hash-chained events (`events`), whose head the database
keeps (`stream_heads`). Reading a case (from its snapshot and the events after it), appending events with
their outbox rows in one statement, and walking a stream's chain.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
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
from .integrity import GENESIS, Head, Verdict, event_hash, verify
from .snapshots import SnapshotRow, restore

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
    connection = await session.connection()
    found = (await connection.execute(_HEAD_AND_SNAPSHOT, {"case_id": case_id})).first()
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


async def append(
    session: AsyncSession, state: CaseState, case_id: UUID, payloads: Sequence[Payload], actor: Actor
) -> tuple[list[CloudEvent], int]:
    """Append `payloads` (at least one) after `state.version` with their outbox rows; returns the events and
    the global position of the last. A concurrent writer makes the insert fail (IntegrityError).

    Each event carries its own hash and its predecessor's; the database moves the stream's head.
    """
    events = [
        registry.new_event(payload, source=SOURCE, subject=str(case_id), sequence=state.version + n)
        for n, payload in enumerate(payloads, start=1)
    ]
    previous = await head_hash(session, case_id, state.version)
    stored = []
    for version, (event, payload) in enumerate(zip(events, payloads, strict=True), start=state.version + 1):
        row = EventRow(
            stream_id=case_id,
            version=version,
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
        statement, params = _APPEND_ONE, prefixed(stored[0], "e_") | prefixed(outbox[0], "o_")
    else:
        statement = (
            insert(_EVENTS)
            .values(stored)
            .returning(_EVENTS.c.position)
            .add_cte(insert(_OUTBOX).values(outbox).cte("outbox_rows"))
        )
        params = {}
    position = max((await (await session.connection()).execute(statement, params)).scalars().all())
    return events, position


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


def prefixed(values: dict[str, Any], prefix: str) -> dict[str, Any]:
    """`values` as the parameters of a statement that binds each column as `prefix` + its name."""
    return {prefix + name: value for name, value in values.items()}


# Built once, so that a command spends nothing on building statements and their cache keys (the profile of 32
# concurrent commands put that ahead of the work itself). One event with its outbox row:
_APPEND_ONE = (
    insert(_EVENTS)
    .values({name: sa.bindparam("e_" + name) for name in _EVENT_COLUMNS})
    .returning(_EVENTS.c.position)
    .add_cte(insert(_OUTBOX).values({name: sa.bindparam("o_" + name) for name in OUTBOX_COLUMNS}).cte("outbox_row"))
)
