"""Each service's Alembic history goes up and down on a schema of its own."""

import asyncio
import uuid

import pytest
from alembic import command
from alembic.config import Config
import sqlalchemy as sa

from docket_messaging.database import make_engine, migrate
from tests.conftest import MIGRATIONS

pytestmark = pytest.mark.service

OWN_TABLES = {"intake": {"complaints", "evidence", "idempotency_keys", "complaint_cases", "progress_entries"}, "case": {"events", "case_complaints", "open_cases", "case_summaries",
                                                  "case_details", "complainant_clocks", "timers",
                                                  "projection_positions"},
              "notifier": {"notifications", "complainants", "early_links", "case_controllers", "controller_contacts",
                           "subscriptions", "deliveries", "delivery_attempts"}}


async def tables(url: str, schema: str) -> set[str]:
    engine = make_engine(url, schema)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: set(sa.inspect(c).get_table_names(schema=schema)))
    await engine.dispose()
    return names


@pytest.mark.parametrize("service", sorted(MIGRATIONS))
async def test_upgrade_downgrade_upgrade(database_url, service):
    schema = f"m_{service}_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(migrate, MIGRATIONS[service], database_url, schema)
    assert await tables(database_url, schema) == OWN_TABLES[service] | {"outbox", "inbox", "alembic_version"}
    config = Config(str(MIGRATIONS[service]))
    config.attributes.update(database_url=database_url, schema=schema)
    await asyncio.to_thread(command.downgrade, config, "base")
    assert await tables(database_url, schema) == {"alembic_version"}
    await asyncio.to_thread(command.upgrade, config, "head")
    assert await tables(database_url, schema) == OWN_TABLES[service] | {"outbox", "inbox", "alembic_version"}
