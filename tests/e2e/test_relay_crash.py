"""Kill the relay process between sending a batch and marking it, restart it, and show that every
outbox row reached Kafka at least once and every consumer effect happened exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Mapping

import pytest
import sqlalchemy as sa

from docket_contracts import topics
from docket_contracts.events import Controller
from docket_devstack.database import Databases, provision
from docket_service.database import make_engine, make_sessions, migrate
from services.case.config import CaseSettings
from services.case.main import create_app as case_app
from services.intake import store as intake_store
from tests.apps import serve
from tests.conftest import MIGRATIONS, repo_root
from tests.factories import complaint_filed, sealed
from tests.kafka_reader import eventually, read_topic

pytestmark = pytest.mark.e2e

COMPLAINTS = 240
BATCH = 60


def start_relay(databases: Databases, issuer: str, kafka: Mapping[str, str], hold: float) -> subprocess.Popen:
    """Intake's relay as its own process, configured as in production: its own role and the issuer, and no key
    store (it publishes the rows as they were sealed, so it never holds the master key); Kafka as intake."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYSTORE_")}
    env |= {
        "DATABASE_URL": databases.intake,
        "OIDC_ISSUER": issuer,
        **kafka,
        "RELAY_BATCH_SIZE": str(BATCH),
        "RELAY_HOLD_AFTER_SEND_S": str(hold),
        "RELAY_POLL_INTERVAL_S": "0.2",
        "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "services.intake", "relay"],
        cwd=repo_root(),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


async def test_relay_killed_mid_batch_loses_nothing_and_duplicates_nothing(postgres, kafka, keycloak, configure):
    databases = await asyncio.to_thread(provision, postgres, f"crash_{uuid.uuid4().hex[:8]}")
    for schema in ("intake", "case"):
        await asyncio.to_thread(migrate, MIGRATIONS[schema], databases.migrator, schema)
    intake_engine = make_engine(databases.intake, "intake")
    sessions = make_sessions(intake_engine)
    run = uuid.uuid4().hex[:6]
    ids = set()
    for n in range(COMPLAINTS):
        filed = complaint_filed(controller=Controller(key=f"crash-{run}-{n % 8}", name=f"Crash {run} {n % 8}"))
        async with sessions() as session:
            await intake_store.file(session, filed, sealed(filed.complaint_id, "narrative"))
        ids.add(str(filed.complaint_id))

    async def ours_on_topic() -> Counter:
        return Counter(
            r.key.decode()
            for r in await read_topic(kafka.operator, topics.COMPLAINTS)
            if r.key and r.key.decode() in ids
        )

    async def unpublished() -> int:
        async with intake_engine.connect() as connection:
            return (
                await connection.execute(sa.text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
            ).scalar_one()

    relay = start_relay(databases, keycloak.issuer(), kafka.service_env("intake"), hold=60)
    try:
        await eventually(lambda: _at_least(ours_on_topic, BATCH), timeout=60)
        os.killpg(relay.pid, signal.SIGKILL)  # batches are on Kafka but not yet marked published
    finally:
        relay.wait(10)
    # What the killed relay sent: its first batch at least, and those it kept on their way beside it (a batch per
    # partition at most); each row once, and none of them marked.
    sent_before = await ours_on_topic()
    assert sum(sent_before.values()) >= BATCH and set(sent_before.values()) == {1}
    assert await unpublished() == COMPLAINTS

    relay = start_relay(databases, keycloak.issuer(), kafka.service_env("intake"), hold=0)
    try:
        await eventually(lambda: _is_zero(unpublished), timeout=60)
    finally:
        os.killpg(relay.pid, signal.SIGTERM)
        relay.wait(10)

    on_topic = await ours_on_topic()
    assert set(on_topic) == ids  # every row published at least once
    assert on_topic == Counter(ids) + sent_before  # what the killed relay sent went out twice, the rest once

    settings = configure(
        CaseSettings, database_url=databases.case, kafka_bootstrap_servers=kafka.bootstrap_servers, run_relay=False
    )
    async with serve(case_app(settings)) as case:

        async def applied() -> int:
            async with case.runtime.engine.connect() as connection:
                return (await connection.execute(sa.text("SELECT count(*) FROM case_complaints"))).scalar_one()

        await eventually(lambda: _at_least(applied, COMPLAINTS), timeout=90)
        await asyncio.sleep(1.0)  # let the duplicates arrive too
        async with case.runtime.engine.connect() as connection:
            events = (await connection.execute(sa.text("SELECT type, count(*) FROM events GROUP BY type"))).all()
            inbox = (await connection.execute(sa.text("SELECT count(*) FROM inbox"))).scalar_one()
        linked = await applied()
    assert linked == COMPLAINTS
    assert dict(events) == {"docket.case.opened": 8, "docket.complaint.linked": COMPLAINTS - 8}
    assert inbox == COMPLAINTS
    await intake_engine.dispose()


async def _at_least(probe, n: int):
    value = await probe()
    total = sum(value.values()) if isinstance(value, Counter) else value
    return value if total >= n else None


async def _is_zero(probe) -> bool:
    return await probe() == 0
