"""The engines' pool: sized by DATABASE_POOL_SIZE, opened at start, and never handing out a connection the
server has closed (what pool_pre_ping did, without its three round trips on every checkout)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

from docket_messaging.postgres import asyncpg_dsn
from docket_service import database
from docket_service.database import make_engine
from services.intake.config import IntakeSettings
from services.intake.main import create_app
from tests.apps import serve

pytestmark = pytest.mark.service


async def backend(engine) -> tuple[int, asyncpg.Connection]:
    """The server process behind the connection the pool hands out, and that connection."""
    async with engine.connect() as connection:
        pid = (await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
        return int(pid), (await connection.get_raw_connection()).driver_connection


async def test_a_pooled_connection_the_server_closed_is_replaced_before_anyone_uses_it(database_url, monkeypatch):
    monkeypatch.setattr(database, "PING_IDLE_AFTER_S", 3600.0)  # no ping: asyncpg's own state must tell
    engine = make_engine(database_url, "public", pool_size=1)
    admin = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        first, pooled = await backend(engine)
        await admin.execute("SELECT pg_terminate_backend($1)", first)  # as a restart or a crash would
        for _ in range(100):
            if pooled.is_closed():
                break
            await asyncio.sleep(0.05)
        assert pooled.is_closed()

        second, _ = await backend(engine)  # no error: the closed connection was never handed out
        assert second != first
    finally:
        await admin.close()
        await engine.dispose()


async def test_a_pooled_connection_unused_for_a_while_is_pinged_and_replaced_if_it_does_not_answer(
    database_url, monkeypatch
):
    monkeypatch.setattr(database, "PING_IDLE_AFTER_S", 0.0)
    engine = make_engine(database_url, "public", pool_size=1)
    pings: list[int] = []

    def no_answer(connection: object) -> None:
        pings.append(1)
        raise OSError("no answer")  # as from a connection a firewall cut without a word

    try:
        first, _ = await backend(engine)
        monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", no_answer)
        second, _ = await backend(engine)  # the ping failed: a fresh connection, and no error
        assert pings == [1] and second != first
    finally:
        await engine.dispose()


async def test_the_pool_is_as_large_as_the_setting_and_opened_at_start(configure, closed_port_bootstrap):
    settings = configure(
        IntakeSettings,
        kafka_bootstrap_servers=closed_port_bootstrap,
        run_consumer=False,
        run_relay=False,
        database_pool_size=3,
    )
    async with serve(create_app(settings)) as intake:
        pool = intake.runtime.engine.pool
        assert (pool.size(), pool.checkedin(), pool.overflow()) == (3, 3, 0)
