"""rebuild-projections folding the cases in several processes, against the real PostgreSQL: the rows it leaves
are those of the one-process rebuild, byte for byte, and a failure in a worker leaves nothing written and no
worker running. Each test has a database of its own, so that its events are the only ones replayed."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from uuid import uuid4

import asyncpg
import psutil
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import Controller
from docket_devstack.database import Databases, provision
from docket_devstack.postgres import EmbeddedPostgres
from docket_messaging.postgres import asyncpg_dsn
from docket_service.database import make_engine, make_sessions, migrate
from services.case import application, eventstore, readside, store
from services.case.domain import OpenInvestigation, RecordFinding
from services.case.main import ALEMBIC_INI
from tests.factories import complaint_filed

pytestmark = pytest.mark.service

TABLES = ("case_summaries", "case_details", "snapshots", "complaint_records", "complainant_clocks")
ACTOR = eventstore.Actor("user:rebuild-test", role="case-handler", name="Rebuild Test")


@dataclass
class Store:
    databases: Databases
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


@pytest.fixture
async def case_store(postgres: EmbeddedPostgres) -> AsyncIterator[Store]:
    """A database of the test's own, the case schema migrated, and 12 cases: 3 complaints each (one in three an
    alert), every other one investigated with a finding recorded."""
    databases = provision(postgres, f"rebuild_{uuid4().hex[:8]}")
    await asyncio.to_thread(migrate, ALEMBIC_INI, databases.migrator, "case")
    engine = make_engine(databases.case, "case")
    sessions = make_sessions(engine)
    for n in range(12):
        key = f"rebuilt-{n}"
        for k in range(3):
            complaint = complaint_filed(
                controller=Controller(key=key, name=key.title()),
                kind="alert" if k == 2 else "art77_complaint",
                received_on=date(2020, 5, 25 + k),
            )
            async with sessions() as session, session.begin():
                await application.route_complaint(store.PostgresCases(session), complaint)
                case_id = await readside.case_of_complaint(session, complaint.complaint_id)
        assert case_id is not None
        if n % 2:
            async with sessions() as session:
                await application.execute(
                    store.PostgresCases(session), case_id, 3, OpenInvestigation(date(2020, 8, 1), "scraping"), ACTOR
                )
            async with sessions() as session:
                await application.execute(
                    store.PostgresCases(session), case_id, 4, RecordFinding(uuid4(), (5, 6), "kept too long"), ACTOR
                )
    try:
        yield Store(databases, engine, sessions)
    finally:
        await engine.dispose()


async def rebuild(case_store: Store, processes: int) -> int:
    async with case_store.sessions() as session, session.begin():
        return await readside.rebuild_projections(session, batch=7, processes=processes)


async def projections(case_store: Store) -> dict[str, list[str]]:
    """Every row of every projection, as PostgreSQL writes it out as text, in key order."""
    connection = await asyncpg.connect(asyncpg_dsn(case_store.databases.migrator))
    try:
        return {
            table: [r[0] for r in await connection.fetch(f'SELECT t::text FROM "case".{table} AS t ORDER BY 1')]
            for table in TABLES
        }
    finally:
        await connection.close()


def rebuild_workers() -> list[psutil.Process]:
    """This process's children that are a rebuild's workers (multiprocessing's resource tracker, which lives as
    long as this process, is not one)."""
    return [
        child
        for child in psutil.Process().children(recursive=True)
        if "spawn_main" in " ".join(child.cmdline()) and child.is_running()
    ]


async def test_a_rebuild_in_several_processes_leaves_the_rows_of_a_rebuild_in_one(case_store):
    assert await rebuild(case_store, 1) == 12 * 3 + 6 * 2
    alone = await projections(case_store)
    assert all(alone[table] for table in TABLES)
    assert len(alone["case_summaries"]) == 12 and len(alone["complaint_records"]) == 36

    assert await rebuild(case_store, 2) == 12 * 3 + 6 * 2
    assert await projections(case_store) == alone
    assert await rebuild(case_store, 3) == 12 * 3 + 6 * 2
    assert await projections(case_store) == alone
    assert rebuild_workers() == [] and multiprocessing.active_children() == []


async def test_a_worker_that_fails_fails_the_rebuild_which_writes_nothing_and_leaves_no_worker(case_store):
    owner = await asyncpg.connect(asyncpg_dsn(case_store.databases.migrator), server_settings={"search_path": "case"})
    try:
        case_id = await owner.fetchval("SELECT case_id FROM case_summaries WHERE controller_key = 'rebuilt-0'")
        await owner.execute("UPDATE case_summaries SET status = 'garbled' WHERE case_id = $1", case_id)
        # An event no fold can read, as a damaged store would hold it: the rebuild must fail rather than skip it.
        await owner.execute(
            "INSERT INTO events (stream_id, version, event_id, type, schema_version, data, actor, occurred_at, "
            "previous_hash, hash) VALUES ($1, 4, $2, 'docket.finding.recorded', 1, '{\"case_id\": \"garbled\"}', "
            "'system:test', now(), repeat('0', 64), repeat('1', 64))",
            case_id,
            uuid4().hex,
        )
    finally:
        await owner.close()
    before = await projections(case_store)

    with pytest.raises(readside.RebuildFailed, match="a rebuild worker failed"):
        await rebuild(case_store, 2)

    assert await projections(case_store) == before
    assert rebuild_workers() == [] and multiprocessing.active_children() == []
