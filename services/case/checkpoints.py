"""Checkpoints of the case record: the case service signs the heads of the streams appended to since its last
checkpoint and publishes them on docket.checkpoints, a witness outside the database that a rewrite of the
events, however well its hashes are recomputed, contradicts (docket_contracts.checkpoints says how a checkpoint
is signed and checked; docket_operator.witness checks the store against them).

A round is one transaction: under an advisory lock (one instance signs at a time), the heads that moved past
the version last checkpointed, and whose last event is already on docket.cases (its outbox row published, so
that a checkpoint never vouches for an event the topic has not got), become the next checkpoint, numbered and
chained to the previous one; it is written with its outbox row, which the relay publishes. What was
checkpointed is kept here (`checkpoints`, `checkpointed_heads`) only to know where to go on from: the witness
is what was published.
"""

from __future__ import annotations

import logging
import zlib
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import checkpoints, registry, topics
from docket_contracts.events import CHECKPOINT_HEADS, CheckpointedHead
from docket_messaging.outbox import add_to_outbox
from docket_messaging.postgres import run
from docket_messaging.tables import OutboxRow, table_of, utc_column

from .eventstore import SOURCE, EventRow, StreamHeadRow

log = logging.getLogger(__name__)


class CheckpointRow(SQLModel, table=True):
    """A checkpoint signed and handed to the outbox: its number and the digest the next one chains to."""

    __tablename__ = "checkpoints"

    sequence: int = Field(primary_key=True)
    digest: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    key_id: str
    heads: int
    signed_at: datetime = utc_column()


class CheckpointedHeadRow(SQLModel, table=True):
    """The version of each case stream the last checkpoint that named it signed."""

    __tablename__ = "checkpointed_heads"

    stream_id: UUID = Field(primary_key=True)
    version: int
    sequence: int


_HEADS, _DONE, _EVENTS, _OUTBOX = (
    table_of(StreamHeadRow),
    table_of(CheckpointedHeadRow),
    table_of(EventRow),
    table_of(OutboxRow),
)
_CHECKPOINTS = table_of(CheckpointRow)
# The heads that moved since they were last checkpointed, once their last event is published.
_DUE = (
    sa.select(_HEADS.c.stream_id, _HEADS.c.version, _HEADS.c.hash)
    .select_from(
        _HEADS.outerjoin(_DONE, _DONE.c.stream_id == _HEADS.c.stream_id)
        .join(_EVENTS, sa.and_(_EVENTS.c.stream_id == _HEADS.c.stream_id, _EVENTS.c.version == _HEADS.c.version))
        .join(_OUTBOX, _OUTBOX.c.event_id == _EVENTS.c.event_id)
    )
    .where(sa.or_(_DONE.c.version.is_(None), _DONE.c.version < _HEADS.c.version))
    .where(_OUTBOX.c.published_at.is_not(None))
    .order_by(_HEADS.c.stream_id)
    .limit(sa.bindparam("limit"))
)
_LAST = sa.select(_CHECKPOINTS.c.sequence, _CHECKPOINTS.c.digest).order_by(_CHECKPOINTS.c.sequence.desc()).limit(1)


def lock_key(schema: str) -> int:
    return zlib.crc32(f"checkpoint:{schema}".encode())


async def sign_checkpoint(
    session: AsyncSession, key: checkpoints.SigningKey, now: datetime, schema: str, limit: int = CHECKPOINT_HEADS
) -> int:
    """Sign and stage the next checkpoint, of up to `limit` heads, in one transaction; returns how many heads it
    signed (0: nothing moved, or another instance is signing)."""
    async with session.begin():
        if not (await run(session, sa.select(sa.func.pg_try_advisory_xact_lock(lock_key(schema))))).scalar_one():
            return 0
        due = (await run(session, _DUE, {"limit": limit})).all()
        if not due:
            return 0
        last = (await run(session, _LAST)).first()
        sequence, previous = (last.sequence + 1, last.digest) if last else (1, checkpoints.GENESIS)
        heads = [CheckpointedHead(case_id=row.stream_id, version=row.version, hash=row.hash) for row in due]
        checkpoint = key.sign(sequence, previous, now, heads)
        event = registry.new_event(checkpoint, source=SOURCE, subject=topics.CASES, sequence=sequence)
        add_to_outbox(session, [event], topics.CHECKPOINTS)
        session.add(
            CheckpointRow(
                sequence=sequence,
                digest=checkpoints.digest(event.data),
                key_id=key.key_id,
                heads=len(due),
                signed_at=now,
            )
        )
        await run(
            session,
            insert(_DONE)
            .values([{"stream_id": row.stream_id, "version": row.version, "sequence": sequence} for row in due])
            .on_conflict_do_update(
                index_elements=[_DONE.c.stream_id],
                set_={"version": sa.text("excluded.version"), "sequence": sa.text("excluded.sequence")},
            ),
        )
    log.info("checkpoint %d signed: the heads of %d case stream(s)", sequence, len(due))
    return len(due)
