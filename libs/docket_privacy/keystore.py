"""Where data subjects' keys live: a Protocol, so that a KMS or a Vault transit engine can take the place
of the PostgreSQL key store below, which keeps each key wrapped under a master key in a schema of its
own, reached with a database role of its own that only services allowed to read personal data hold.

An erasure destroys the subject's key and leaves a marker that the database keeps for good: the key store's
role may add markers but never change or remove one, and no key can be made, or moved, for a subject that has
one (migration 0002). The destroyed key may outlive the row in old row versions, the WAL, replicas and
backups; there it is wrapped under a master key that `rotate` replaces and the operator then retires
(docs/operations.md, "Master keys, rotation and erasure").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, SQLModel

from docket_messaging.tables import table_of, utc_column
from docket_service.database import make_engine

from . import cipher
from .masterkeys import MasterKeys

TABLES = {"subject_keys", "erasures"}


class KeyStore(Protocol):
    async def keys(self, subjects: Iterable[UUID], *, create: bool = False) -> dict[UUID, bytes | None]:
        """Each subject's key; None for an erased subject (and for an unknown one unless `create`).
        With `create`, a subject that never had a key gets one; an erased subject never gets one again."""

    async def new_subjects(self, count: int) -> dict[UUID, bytes]:
        """Keys for `count` new data subjects, each under an id made here that nothing has used yet (so none can
        have been erased), stored before this returns."""

    async def erase(self, subject: UUID, by: str) -> bool:
        """Destroy the subject's key for good; False if it was already erased."""

    async def erased_at(self, subject: UUID) -> datetime | None:
        """When the subject's key was destroyed, if it was."""

    async def close(self) -> None:
        """Release connections and clients."""


class SubjectKeyRow(SQLModel, table=True):
    """One live data subject's key, wrapped under the master key whose id it names."""

    __tablename__ = "subject_keys"

    subject_id: UUID = Field(primary_key=True)
    wrapped_key: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    master_key_id: str
    created_at: datetime = utc_column(server_default=sa.func.now())


class ErasureRow(SQLModel, table=True):
    """A subject whose key was destroyed, when and by whom: never updated nor deleted (migration 0002)."""

    __tablename__ = "erasures"

    subject_id: UUID = Field(primary_key=True)
    erased_at: datetime = utc_column(server_default=sa.func.now())
    erased_by: str | None = None


@dataclass(frozen=True)
class Rotation:
    """What `rotate` did: keys re-wrapped, and how many live keys each master key wraps now."""

    rewrapped: int
    wrapped_under: dict[str, int]


class PostgresKeyStore:
    """Keys in PostgreSQL, wrapped (AES-GCM) under master keys, which are never stored with them: a copy
    of the database alone opens nothing. The store owns its engine: `close()` it."""

    def __init__(self, url: str, schema: str, master_keys: MasterKeys, engine: AsyncEngine | None = None) -> None:
        self._engine = engine or make_engine(url, schema)
        self._masters = master_keys
        self._keys = table_of(SubjectKeyRow)
        self._erasures = table_of(ErasureRow)

    async def keys(self, subjects: Iterable[UUID], *, create: bool = False) -> dict[UUID, bytes | None]:
        wanted = sorted(set(subjects))
        if not wanted:
            return {}
        keys, erasures = self._keys, self._erasures
        async with self._engine.begin() as connection:
            if create:  # a new subject gets a key; an existing one keeps it, an erased one never gets one
                marked = sa.select(erasures.c.subject_id).where(erasures.c.subject_id.in_(wanted))
                erased = set(await connection.scalars(marked))
                new = [self._new_key(s) for s in wanted if s not in erased]
                if new:
                    await connection.execute(insert(keys).values(new).on_conflict_do_nothing())
            rows = (
                await connection.execute(
                    sa.select(keys.c.subject_id, keys.c.master_key_id, keys.c.wrapped_key).where(
                        keys.c.subject_id.in_(wanted)
                    )
                )
            ).all()
        found: dict[UUID, bytes | None] = dict.fromkeys(wanted)
        for subject, key_id, wrapped in rows:
            found[subject] = self._masters.unwrap(subject, key_id, wrapped)
        return found

    async def new_subjects(self, count: int) -> dict[UUID, bytes]:
        made = {uuid4(): cipher.new_key() for _ in range(count)}
        rows = [self._wrapped(subject, key) for subject, key in made.items()]
        async with self._engine.connect() as connection:  # one statement, committed as it returns: no BEGIN, COMMIT
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(insert(self._keys).values(rows))  # an id taken (never seen) fails it whole
        return made

    def _new_key(self, subject: UUID) -> dict[str, object]:
        return self._wrapped(subject, cipher.new_key())

    def _wrapped(self, subject: UUID, key: bytes) -> dict[str, object]:
        key_id, wrapped = self._masters.wrap(subject, key)
        return {"subject_id": subject, "master_key_id": key_id, "wrapped_key": wrapped}

    async def erase(self, subject: UUID, by: str) -> bool:
        async with self._engine.begin() as connection:
            # The marker first: the database then refuses a key for the subject, and waits for one being made.
            marked = await connection.scalar(
                insert(self._erasures)
                .values(subject_id=subject, erased_by=by)
                .on_conflict_do_nothing()
                .returning(self._erasures.c.subject_id)
            )
            await connection.execute(sa.delete(self._keys).where(self._keys.c.subject_id == subject))
        return marked is not None

    async def erased_at(self, subject: UUID) -> datetime | None:
        async with self._engine.connect() as connection:
            found: datetime | None = await connection.scalar(
                sa.select(self._erasures.c.erased_at).where(self._erasures.c.subject_id == subject)
            )
            return found

    async def rotate(self, batch: int = 500) -> Rotation:
        """Re-wrap under the newest master key every live key wrapped under an older one this service holds, a
        batch per transaction (an erasure meanwhile waits for its batch, then destroys the re-wrapped key). Keys
        wrapped under a master key not held here are left as they are, and counted."""
        keys, masters = self._keys, self._masters
        older = [key_id for key_id in masters.ids if key_id != masters.newest]
        rewrapped = 0
        while older:
            async with self._engine.begin() as connection:
                rows = (
                    await connection.execute(
                        sa.select(keys.c.subject_id, keys.c.master_key_id, keys.c.wrapped_key)
                        .where(keys.c.master_key_id.in_(older))
                        .limit(batch)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
                if not rows:
                    break
                changes = []
                for subject, key_id, wrapped in rows:
                    newest, rewrapped_key = masters.wrap(subject, masters.unwrap(subject, key_id, wrapped))
                    changes.append({"subject": subject, "newest": newest, "wrapped": rewrapped_key})
                await connection.execute(
                    sa.update(keys)
                    .where(keys.c.subject_id == sa.bindparam("subject"))
                    .values(master_key_id=sa.bindparam("newest"), wrapped_key=sa.bindparam("wrapped")),
                    changes,
                )
                rewrapped += len(rows)
        async with self._engine.connect() as connection:
            counts = (
                await connection.execute(
                    sa.select(keys.c.master_key_id, sa.func.count()).group_by(keys.c.master_key_id)
                )
            ).all()
        return Rotation(rewrapped, {str(key_id): int(count) for key_id, count in counts})

    async def close(self) -> None:
        await self._engine.dispose()
