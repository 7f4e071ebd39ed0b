"""Where data subjects' keys live: a Protocol, so that a KMS or a Vault transit engine can take the place
of the PostgreSQL key store below, which keeps each key wrapped under a master key in a schema of its
own, reached with a database role of its own that only services allowed to read personal data hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import Field, SQLModel

from docket_messaging.tables import table_of, utc_column
from docket_service.database import make_engine

from . import cipher

TABLES = {"subject_keys"}
# The field a subject's key is sealed as, wrapped under the master key.
WRAPPED = "subject_key"


class KeyStore(Protocol):
    async def keys(self, subjects: Iterable[UUID], *, create: bool = False) -> dict[UUID, bytes | None]:
        """Each subject's key; None for an erased subject (and for an unknown one unless `create`).
        With `create`, a subject that never had a key gets one; an erased subject never gets one again."""

    async def erase(self, subject: UUID, by: str) -> bool:
        """Destroy the subject's key for good; False if it was already erased."""

    async def erased_at(self, subject: UUID) -> datetime | None:
        """When the subject's key was destroyed, if it was."""

    async def close(self) -> None:
        """Release connections and clients."""


class SubjectKeyRow(SQLModel, table=True):
    """One data subject's key, wrapped under the master key; erased: no key, and when and by whom."""

    __tablename__ = "subject_keys"
    __table_args__ = (
        sa.CheckConstraint("(wrapped_key IS NULL) = (erased_at IS NOT NULL)", name="erased_means_no_key"),
    )

    subject_id: UUID = Field(primary_key=True)
    wrapped_key: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary, nullable=True))
    created_at: datetime = utc_column(server_default=sa.func.now())
    erased_at: datetime | None = utc_column(nullable=True)
    erased_by: str | None = None


class PostgresKeyStore:
    """Keys in PostgreSQL, wrapped (AES-GCM) under the master key, which is never stored with them: a copy
    of the database alone opens nothing. The store owns its engine: `close()` it."""

    def __init__(self, url: str, schema: str, master_key: bytes, engine: AsyncEngine | None = None) -> None:
        self._engine = engine or make_engine(url, schema)
        self._master = master_key
        self._table = table_of(SubjectKeyRow)

    async def keys(self, subjects: Iterable[UUID], *, create: bool = False) -> dict[UUID, bytes | None]:
        wanted = sorted(set(subjects))
        if not wanted:
            return {}
        table = self._table
        async with self._engine.begin() as connection:
            if create:  # a new subject gets a key; an existing (or erased) one keeps what it has
                await connection.execute(
                    insert(table)
                    .values(
                        [
                            {"subject_id": s, "wrapped_key": cipher.seal(self._master, s, WRAPPED, cipher.new_key())}
                            for s in wanted
                        ]
                    )
                    .on_conflict_do_nothing()
                )
            rows = (
                await connection.execute(
                    sa.select(table.c.subject_id, table.c.wrapped_key).where(table.c.subject_id.in_(wanted))
                )
            ).all()
        found: dict[UUID, bytes | None] = dict.fromkeys(wanted)
        for subject, wrapped in rows:
            found[subject] = (
                cipher.open_sealed(self._master, subject, WRAPPED, wrapped) if wrapped is not None else None
            )
        return found

    async def erase(self, subject: UUID, by: str) -> bool:
        table = self._table
        async with self._engine.begin() as connection:
            # A subject erased before it ever had a key gets a tombstone, so that no key is made for it later.
            tombstoned = await connection.scalar(
                insert(table)
                .values(subject_id=subject, wrapped_key=None, erased_at=sa.func.now(), erased_by=by)
                .on_conflict_do_nothing()
                .returning(table.c.subject_id)
            )
            if tombstoned is not None:
                return True
            destroyed = await connection.execute(
                sa.update(table)
                .where(table.c.subject_id == subject, table.c.wrapped_key.is_not(None))
                .values(wrapped_key=None, erased_at=sa.func.now(), erased_by=by)
            )
        return bool(destroyed.rowcount)

    async def erased_at(self, subject: UUID) -> datetime | None:
        async with self._engine.connect() as connection:
            found: datetime | None = await connection.scalar(
                sa.select(self._table.c.erased_at).where(self._table.c.subject_id == subject)
            )
            return found

    async def close(self) -> None:
        await self._engine.dispose()
