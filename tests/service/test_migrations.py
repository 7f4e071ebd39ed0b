"""Each Alembic history (the services' and the key store's) goes up and down on a schema of its own, run as
the migrator that runs it in production, which owns the schemas; the roles that serve can change none."""

import asyncio
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from docket_contracts.events import Controller
from docket_privacy.settings import KEYSTORE_ALEMBIC_INI
from docket_service.cli import wait_for_migrations
from docket_service.database import at_head, make_engine, make_sessions, migrate
from docket_service.runtime import Migration
from services.case import application
from services.case import store as case_store
from services.intake import store as intake_store
from services.notifier import store as notifier_store
from tests.conftest import MIGRATIONS
from tests.factories import complaint_filed

pytestmark = pytest.mark.service

HISTORIES = MIGRATIONS | {"keystore": KEYSTORE_ALEMBIC_INI}
MODELS = {"intake": intake_store.TABLES, "case": case_store.TABLES, "notifier": notifier_store.TABLES}
MESSAGING = {"outbox", "inbox"}
OWN_TABLES = {
    "intake": {
        "complaints",
        "evidence",
        "idempotency_keys",
        "complaint_cases",
        "progress_entries",
        "letters",
        "rate_limits",
    }
    | MESSAGING,
    "case": {
        "events",
        "stream_heads",
        "case_complaints",
        "open_cases",
        "case_summaries",
        "case_details",
        "complainant_clocks",
        "timers",
        "snapshots",
        "complaint_records",
        "letter_timers",
        "campaign_steps",
        "checkpoints",
        "checkpointed_heads",
        "cooperation_messages",
        "cooperation_outbox",
        "cooperation_attempts",
        "cooperation_timers",
        "cooperation_references",
    }
    | MESSAGING,
    "notifier": {
        "notifications",
        "complainants",
        "address_codes",
        "early_links",
        "case_controllers",
        "controller_contacts",
        "subscriptions",
        "deliveries",
        "delivery_attempts",
    }
    | MESSAGING,
    "keystore": {"subject_keys", "erasures"},
}


async def tables(url: str, schema: str) -> set[str]:
    engine = make_engine(url, schema)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: set(sa.inspect(c).get_table_names(schema=schema)))
    await engine.dispose()
    return names


async def schema_owned_by(admin_url: str, role: str = "docket_migrator") -> str:
    """A new schema owned by `role`, made by the superuser as deploy/postgres/roles.sql makes each part's."""
    schema = f"m_{uuid.uuid4().hex[:8]}"
    engine = make_engine(admin_url, "public")
    async with engine.begin() as connection:
        await connection.execute(sa.text(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{role}"'))
    await engine.dispose()
    return schema


def drift(connection: sa.Connection, part: str) -> list:
    """What `alembic revision --autogenerate` would write for `part`: its models against its schema, types too."""
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "include_object": lambda obj, name, kind, *_: kind != "table" or name in MODELS[part],
        },
    )
    return compare_metadata(context, SQLModel.metadata)


@pytest.mark.parametrize("part", sorted(MODELS))
async def test_the_migrations_build_exactly_what_the_models_declare(databases, database_url, part):
    """Indexes (partial ones too), foreign keys, column types: one declaration, in the models."""
    schema = await schema_owned_by(database_url)
    await asyncio.to_thread(migrate, HISTORIES[part], databases.migrator, schema)
    engine = make_engine(databases.migrator, schema)
    async with engine.connect() as connection:
        found = await connection.run_sync(drift, part)
    await engine.dispose()
    assert found == []


@pytest.mark.parametrize("part", sorted(HISTORIES))
async def test_upgrade_downgrade_upgrade(databases, database_url, part):
    own_role = databases.migrator
    schema = await schema_owned_by(database_url)
    await asyncio.to_thread(migrate, HISTORIES[part], own_role, schema)
    assert await tables(database_url, schema) == OWN_TABLES[part] | {"alembic_version"}
    config = Config(str(HISTORIES[part]))
    config.attributes.update(database_url=own_role, schema=schema)
    await asyncio.to_thread(command.downgrade, config, "base")
    assert await tables(database_url, schema) == {"alembic_version"}
    await asyncio.to_thread(command.upgrade, config, "head")
    assert await tables(database_url, schema) == OWN_TABLES[part] | {"alembic_version"}


async def test_a_schema_is_at_head_once_migrated_and_no_longer_one_step_down(databases, database_url):
    schema = await schema_owned_by(database_url)
    assert not await at_head(MIGRATIONS["case"], databases.migrator, schema)  # not even a version table
    await asyncio.to_thread(migrate, MIGRATIONS["case"], databases.migrator, schema)
    assert await at_head(MIGRATIONS["case"], databases.migrator, schema)
    config = Config(str(MIGRATIONS["case"]))
    config.attributes.update(database_url=databases.migrator, schema=schema)
    await asyncio.to_thread(command.downgrade, config, "-1")
    assert not await at_head(MIGRATIONS["case"], databases.migrator, schema)


@pytest.mark.parametrize("part", sorted(HISTORIES))
async def test_the_role_that_serves_can_tell_its_schema_is_migrated(databases, part):
    assert await at_head(HISTORIES[part], databases.of(part), part)


async def test_waiting_for_migrations_ends_once_the_owner_has_migrated(databases, database_url):
    schema = await schema_owned_by(database_url)
    waiting = asyncio.create_task(
        wait_for_migrations([Migration(MIGRATIONS["intake"], databases.migrator, schema)], interval_s=0.05)
    )
    await asyncio.sleep(0.5)
    assert not waiting.done()
    await asyncio.to_thread(migrate, MIGRATIONS["intake"], databases.migrator, schema)
    await asyncio.wait_for(waiting, 10)


async def test_the_complaint_lists_of_existing_cases_are_filled_from_their_events(databases, database_url):
    schema = await schema_owned_by(database_url)
    await asyncio.to_thread(migrate, MIGRATIONS["case"], databases.migrator, schema)
    engine = make_engine(databases.migrator, schema)
    complaints = [
        complaint_filed(
            kind=kind, received_on=date(2020, 5, 25 + n), controller=Controller(key="clearview-ai", name="Clearview AI")
        )
        for n, kind in enumerate(["art77_complaint", "alert", "art77_complaint"])
    ]
    async with make_sessions(engine)() as session, session.begin():
        for complaint in complaints:
            await application.route_complaint(case_store.PostgresCases(session), complaint)

    async def listed() -> list[tuple]:
        async with engine.connect() as connection:
            return [
                tuple(row)
                for row in await connection.execute(
                    sa.text("SELECT complaint_id, kind, received_on, version FROM case_complaints ORDER BY version")
                )
            ]

    before = await listed()
    assert [(kind, day, version) for _, kind, day, version in before] == [
        ("art77_complaint", date(2020, 5, 25), 1),
        ("alert", date(2020, 5, 26), 2),
        ("art77_complaint", date(2020, 5, 27), 3),
    ]
    config = Config(str(MIGRATIONS["case"]))
    config.attributes.update(database_url=databases.migrator, schema=schema)
    await asyncio.to_thread(command.downgrade, config, "0005")  # the rows as they were before the list was kept
    await asyncio.to_thread(command.upgrade, config, "head")
    assert await listed() == before
    await engine.dispose()


@pytest.mark.parametrize("part", sorted(HISTORIES))
async def test_the_role_that_serves_cannot_change_its_schema_nor_another_s(databases, database_url, part):
    # A schema like its own: the migrator's, which it may use but not change.
    schema = await schema_owned_by(database_url)
    engine = make_engine(database_url, "public")
    async with engine.begin() as connection:
        await connection.execute(sa.text(f'GRANT USAGE ON SCHEMA "{schema}" TO docket_{part}'))
    await engine.dispose()
    with pytest.raises(Exception, match="permission denied for schema"):
        await asyncio.to_thread(migrate, HISTORIES[part], databases.of(part), schema)
    other = "intake" if part != "intake" else "case"
    with pytest.raises(Exception, match="permission denied"):
        await asyncio.to_thread(migrate, HISTORIES[part], databases.of(part), other)
