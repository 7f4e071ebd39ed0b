"""Engines bound to one service's schema, LISTEN/NOTIFY wake-ups, and migrations on start."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from .failures import sqlstates

log = logging.getLogger(__name__)


# A connection that met one of these is not to be used again: after a failover it reaches a standby
# (25006), or the server is going away (57P01 administrator command, 57P02 crash, 57P03 starting up).
DISCARD_CONNECTION_SQLSTATES = frozenset({"25006", "57P01", "57P02", "57P03"})


def make_engine(url: str, schema: str, **kwargs: object) -> AsyncEngine:
    """An asyncpg engine whose connections resolve unqualified names in `schema`, and which drops a pooled
    connection that met a failover or a shutdown rather than handing it to the next caller."""
    engine = create_async_engine(url, pool_pre_ping=True,
                                 connect_args={"server_settings": {"search_path": schema}}, **kwargs)
    sa.event.listen(engine.sync_engine, "handle_error", _discard_after_failover)
    return engine


def _discard_after_failover(context: sa.engine.ExceptionContext) -> None:
    if set(sqlstates(context.original_exception)) & DISCARD_CONNECTION_SQLSTATES:
        context.is_disconnect = True


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL as a plain DSN that asyncpg.connect accepts."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def migrate(alembic_ini: Path, url: str, schema: str, revision: str = "head") -> None:
    """Run a service's Alembic history up to `revision` (blocking; call it in a thread)."""
    config = Config(str(alembic_ini))
    config.attributes["database_url"] = url
    config.attributes["schema"] = schema
    command.upgrade(config, revision)


async def page(session: AsyncSession, query: Any, *order_by: Any, limit: int, offset: int) -> tuple[int, Sequence[Any]]:
    """How many rows `query` matches in all, and the `limit` of them from `offset` in `order_by` order."""
    total = await session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = (await session.exec(query.order_by(*order_by).limit(limit).offset(offset))).all()
    return total, rows


async def check_database(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))


class Notifications:
    """Waits for NOTIFY on one channel; reconnects lazily, so a lost connection only costs a poll."""

    def __init__(self, url: str, channel: str) -> None:
        self._dsn = asyncpg_dsn(url)
        self._channel = channel
        self._connection: asyncpg.Connection | None = None
        self._event = asyncio.Event()

    def _notified(self, *_: object) -> None:
        self._event.set()

    async def _listen(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            return
        try:
            self._connection = await asyncpg.connect(self._dsn)
            await self._connection.add_listener(self._channel, self._notified)
        except (OSError, asyncpg.PostgresError) as exc:
            self._connection = None
            log.warning("LISTEN %s failed, polling instead: %s", self._channel, exc)

    async def wait(self, timeout: float) -> None:
        await self._listen()
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            pass
        self._event.clear()

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
