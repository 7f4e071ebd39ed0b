"""Engines bound to one service's schema, LISTEN/NOTIFY wake-ups, and migrations on start."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_messaging.failures import sqlstates

log = logging.getLogger(__name__)


# A connection that met one of these is not to be used again: after a failover it reaches a standby
# (25006), or the server is going away (57P01 administrator command, 57P02 crash, 57P03 starting up).
DISCARD_CONNECTION_SQLSTATES = frozenset({"25006", "57P01", "57P02", "57P03"})


# The pool: a fixed number of connections, opened once and kept (DATABASE_POOL_SIZE). No overflow: in a burst
# beyond it a request waits for a pooled connection (up to pool_timeout, 30 s) rather than opening one and
# closing it again when it is returned, which costs the server a backend start per burst.
DEFAULT_POOL_SIZE = 10
# Connections are replaced after this long, so that no server-side state (caches, memory) grows for ever.
POOL_RECYCLE_S = 1800
# What pool_pre_ping did on every checkout (BEGIN, ";", ROLLBACK: three round trips, six per request that uses
# two engines), done only where it can find something: a pooled connection whose socket the server closed
# (a restart, a crash, a terminated backend) is seen at once, without a round trip, from asyncpg's own state;
# one unused for longer than PING_IDLE_AFTER_S, which may have been cut without a word (a firewall, a host
# gone), is pinged. Either way the pool is invalidated, as pre_ping does, and a fresh connection is opened.
# A connection that finished a statement a moment ago and whose socket is open is handed out as it is; if it
# died in between, the statement meets the error, and the handle_error listener below discards it.
PING_IDLE_AFTER_S = 1.0
_RETURNED_AT = "docket_returned_at"


def make_engine(
    url: str, schema: str, *, pool_size: int = DEFAULT_POOL_SIZE, max_overflow: int = 0, **kwargs: Any
) -> AsyncEngine:
    """An asyncpg engine whose connections resolve unqualified names in `schema`, which checks a pooled
    connection before handing it out (see PING_IDLE_AFTER_S), and which drops a pooled connection that met a
    failover or a shutdown rather than handing it to the next caller."""
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=POOL_RECYCLE_S,
        connect_args={"server_settings": {"search_path": schema}},
        **kwargs,
    )
    sa.event.listen(engine.sync_engine, "handle_error", _discard_after_failover)
    sa.event.listen(engine.sync_engine.pool, "connect", _opened)
    sa.event.listen(engine.sync_engine.pool, "checkin", _returned)
    sa.event.listen(engine.sync_engine.pool, "checkout", _check_before_use)
    return engine


def _opened(dbapi_connection: Any, record: Any) -> None:
    record.info.pop(_RETURNED_AT, None)  # just opened: nothing to check


def _returned(dbapi_connection: Any, record: Any) -> None:
    record.info[_RETURNED_AT] = time.monotonic()


def _check_before_use(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    driver = record.driver_connection
    if driver is None or driver.is_closed():
        raise sa.exc.InvalidatePoolError("the server closed a pooled connection")
    returned = record.info.get(_RETURNED_AT)
    if returned is not None and time.monotonic() - returned > PING_IDLE_AFTER_S:
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise sa.exc.InvalidatePoolError(f"a pooled connection did not answer: {exc}") from exc


async def warm(engine: AsyncEngine, connections: int) -> None:
    """Open `connections` of the engine's pool at once, so that the first requests do not each wait for one."""
    held = [await engine.connect() for _ in range(connections)]
    for connection in held:
        await connection.close()


def _discard_after_failover(context: sa.engine.ExceptionContext) -> None:
    if set(sqlstates(context.original_exception)) & DISCARD_CONNECTION_SQLSTATES:
        context.is_disconnect = True


def make_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def migrate(alembic_ini: Path, url: str, schema: str, revision: str = "head") -> None:
    """Run a service's Alembic history up to `revision` (blocking; call it in a thread)."""
    config = Config(str(alembic_ini))
    config.attributes["database_url"] = url
    config.attributes["schema"] = schema
    command.upgrade(config, revision)


async def at_head(alembic_ini: Path, url: str, schema: str) -> bool:
    """Whether `schema` has been migrated to the head of the history of `alembic_ini`. Reads the version table
    only, so a role that may read the schema's tables (the service's own) can tell, without the owner's."""
    heads = set(ScriptDirectory.from_config(Config(str(alembic_ini))).get_heads())
    engine = make_engine(url, schema, pool_size=1)
    try:
        async with engine.connect() as connection:
            table = f'"{schema}".alembic_version'
            if await connection.scalar(sa.text("SELECT to_regclass(:table)"), {"table": table}) is None:
                return False
            current = set((await connection.execute(sa.text(f"SELECT version_num FROM {table}"))).scalars())
    finally:
        await engine.dispose()
    return current == heads


async def page(session: AsyncSession, query: Any, *order_by: Any, limit: int, offset: int) -> tuple[int, Sequence[Any]]:
    """How many rows `query` matches in all, and the `limit` of them from `offset` in `order_by` order."""
    total = await session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = (await session.exec(query.order_by(*order_by).limit(limit).offset(offset))).all()
    return total, rows


async def check_database(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))
