"""On the real broker: a row the broker refuses for good is parked and cannot block the relay; the later
rows of its key are held, the other keys flow, and `outbox resend` sends them in order once the cause is
fixed. And /readyz tells the truth: a poison message leaves it 200 (dead-lettered), a relay that cannot
reach Kafka makes it 503 naming the relay until it can again.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from collections import defaultdict

import pytest
import sqlalchemy as sa
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from docket_contracts import topics
from docket_contracts.envelope import CloudEvent
from docket_devstack.database import Databases, provision
from docket_devstack.kafka import KafkaBroker
from docket_messaging.codec import KafkaMessage
from docket_messaging.kafka import KafkaPublisher
from docket_messaging.outbox import add_to_outbox
from docket_operator.acls import create_acls, writes
from docket_service.database import make_engine, make_sessions, migrate
from services.intake.config import IntakeSettings
from services.intake.main import create_app
from tests.apps import Running, serve
from tests.conftest import MIGRATIONS, repo_root
from tests.kafka_reader import eventually, headers, read_topic

pytestmark = pytest.mark.e2e

TOPIC_LIMIT = 4096  # the test topic's max.message.bytes: a row of 10 kB is refused by the broker
CLIENT_LIMIT = 1024 * 1024  # the producer's max_request_size: a row of 2 MB is refused before sending


@pytest.fixture
async def own_databases(postgres) -> Databases:
    """A database of the test's own, so that its parked rows meet no other test's relay."""
    found = await asyncio.to_thread(provision, postgres, f"parking_{uuid.uuid4().hex[:8]}")
    await asyncio.to_thread(migrate, MIGRATIONS["intake"], found.migrator, "intake")
    return found


async def create_topic(kafka: KafkaBroker, name: str, max_message_bytes: int) -> None:
    """A topic of the test's own, that intake may write (as it may its own topics)."""
    admin = AIOKafkaAdminClient(**kafka.admin.options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 2, 1, topic_configs={"max.message.bytes": str(max_message_bytes)})])
        for _ in range(50):
            if name in await admin.list_topics():
                break
            await asyncio.sleep(0.2)
    finally:
        await admin.close()
    await create_acls(kafka.admin, writes("docket-intake", name))


async def raise_topic_limit(kafka: KafkaBroker, name: str, max_message_bytes: int) -> None:
    admin = AIOKafkaAdminClient(**kafka.admin.options())
    await admin.start()
    try:
        await admin.alter_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name, configs={"max.message.bytes": str(max_message_bytes)})]
        )
    finally:
        await admin.close()


def event(key: str, label: str, size: int = 0) -> CloudEvent:
    return CloudEvent(
        type="docket.case.opened",
        source="/docket/case",
        subject=key,
        dataschema="urn:x:v1",
        data={"label": label, "padding": "x" * size},
    )


def outbox_command(databases: Databases, issuer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m services.intake outbox ...` as an operator runs it: the service's role, nothing else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEYSTORE_", "DATABASE_", "KAFKA_"))}
    env |= {
        "DATABASE_URL": databases.intake,
        "OIDC_ISSUER": issuer,
        "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "services.intake", "outbox", *args],
        cwd=repo_root(),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def labels_by_key(kafka: KafkaBroker, topic: str) -> dict[str, list[str]]:
    """Each key's labels in the order the topic holds them."""
    found: dict[str, list[str]] = defaultdict(list)
    for record in sorted(await read_topic(kafka.admin, topic), key=lambda r: (r.partition, r.offset)):
        found[record.key.decode()].append(json.loads(record.value)["label"])
    return dict(found)


async def test_a_refused_row_is_parked_its_key_held_the_others_flow_and_resend_restores_the_order(
    own_databases, configure, kafka, keycloak
):
    topic = f"parking-{uuid.uuid4().hex[:8]}"
    await create_topic(kafka, topic, TOPIC_LIMIT)
    k1, k2, k3, k4 = (str(uuid.uuid4()) for _ in range(4))
    rows = [
        event(k1, "a1"),
        event(k2, "b1", size=10_000),
        event(k1, "a2"),
        event(k2, "b2"),
        event(k3, "c1", size=2 * CLIENT_LIMIT),
        event(k3, "c2"),
        event(k4, "d1"),
    ]
    engine = make_engine(own_databases.intake, "intake")
    async with make_sessions(engine)() as session, session.begin():
        add_to_outbox(session, rows, topic)

    settings = configure(
        IntakeSettings,
        database_url=own_databases.intake,
        run_consumer=False,
        kafka_bootstrap_servers=kafka.bootstrap_servers,
        relay_poll_interval_s=0.5,
    )
    async with serve(create_app(settings)) as intake:

        async def parked() -> list[dict]:
            body = (await intake.http.get("/readyz")).json()
            found = body.get("outbox", {}).get("parked", [])
            return found if len(found) == 2 else []

        b1, c1 = await eventually(parked, timeout=60, interval=0.5)
        assert await labels_by_key(kafka, topic) == {k1: ["a1", "a2"], k4: ["d1"]}
        ready = await intake.http.get("/readyz")
        assert ready.status_code == 200, ready.text  # parked rows need an operator; the service works
        assert ready.json()["outbox"]["held_keys"] == sorted([k2, k3])
        assert (b1["key"], b1["held"], c1["key"], c1["held"]) == (k2, 1, k3, 1)
        assert b1["reason"].startswith("[Error 10] MessageSizeTooLargeError")  # the broker's refusal
        assert "larger than the maximum request size" in c1["reason"]  # the producer's, before sending
        async with engine.connect() as connection:
            unpublished = dict(
                (
                    await connection.execute(
                        sa.text("SELECT data->>'label', parked_at IS NOT NULL FROM outbox WHERE published_at IS NULL")
                    )
                ).all()
            )
        assert unpublished == {"b1": True, "b2": False, "c1": True, "c2": False}

        listing = await asyncio.to_thread(outbox_command, own_databases, keycloak.issuer(), "parked")
        assert listing.returncode == 0, listing.stderr
        lines = listing.stdout.splitlines()
        assert lines[-1] == "2 parked row(s), 2 row(s) held behind them"
        assert any(str(b1["id"]) in line and k2 in line and "MessageSizeTooLargeError" in line for line in lines)

        # Fix the causes: the topic takes larger messages, and c1's data is cut down (as an operator would).
        await raise_topic_limit(kafka, topic, 2 * CLIENT_LIMIT)
        admin_engine = make_engine(own_databases.admin, "intake")
        async with admin_engine.begin() as connection:
            await connection.execute(
                sa.text("UPDATE outbox SET data = data - 'padding' WHERE id = :id"), {"id": c1["id"]}
            )
        await admin_engine.dispose()
        resent = await asyncio.to_thread(outbox_command, own_databases, keycloak.issuer(), "resend", "--all")
        assert resent.returncode == 0, resent.stderr
        assert f"unparked 2 row(s): {b1['id']}, {c1['id']}" in resent.stdout

        async def everything() -> dict | None:
            found = await labels_by_key(kafka, topic)
            return found if sum(map(len, found.values())) == len(rows) else None

        assert await eventually(everything, timeout=60, interval=0.5) == {
            k1: ["a1", "a2"],
            k2: ["b1", "b2"],
            k3: ["c1", "c2"],
            k4: ["d1"],
        }
        body = (await intake.http.get("/readyz")).json()
        assert body["outbox"] == {"parked": [], "held_keys": []} and body["parts"]["relay"]["status"] == "ok"
    await engine.dispose()


async def test_a_poison_message_is_dead_lettered_and_readiness_stays_200(own_databases, configure, kafka):
    settings = configure(
        IntakeSettings,
        database_url=own_databases.intake,
        kafka_bootstrap_servers=kafka.bootstrap_servers,
        health_grace_s=1.0,
    )
    poison_key = str(uuid.uuid4()).encode()
    now = "2026-11-24T10:00:00Z"
    notice_v1 = [
        ("ce_specversion", b"1.0"),
        ("ce_id", f"poison-{uuid.uuid4()}".encode()),
        ("ce_type", b"docket.formal_notice.issued"),
        ("ce_source", b"/poison"),
        ("ce_subject", poison_key),
        ("ce_time", now.encode()),
        ("ce_dataschema", b"urn:docket:schema:docket.formal_notice.issued:v1"),
        ("content-type", b"application/json"),
    ]
    nested = [(k, f"poison-{uuid.uuid4()}".encode() if k == "ce_id" else v) for k, v in notice_v1]
    async with serve(create_app(settings)) as intake:
        publisher = KafkaPublisher(kafka.service("case"), client_id="test-poison")  # the case service gone wrong
        try:
            await publisher.publish(
                [
                    KafkaMessage(topic=topics.CASES, key=poison_key, value=b'{"orders": 5}', headers=notice_v1),
                    KafkaMessage(topic=topics.CASES, key=poison_key, value=b"[" * 100_000, headers=nested),
                ]
            )
        finally:
            await publisher.close()

        async def dead_lettered():
            found = [
                r
                for r in await read_topic(kafka.operator, topics.dead_letter_topic("docket-intake"))
                if r.key == poison_key
            ]
            return found if len(found) == 2 else None

        first, second = await eventually(dead_lettered, timeout=90, interval=0.5)
        assert headers(first)["dlq_reason"].startswith("SchemaViolation: docket.formal_notice.issued v1 payload")
        assert headers(second)["dlq_reason"] == "UndecodableMessage: value is not JSON: nested too deeply"
        for _ in range(3):  # past the grace period: nothing is restarting or retrying
            ready = await intake.http.get("/readyz")
            assert ready.status_code == 200, ready.text
            await asyncio.sleep(0.6)
        parts = ready.json()["parts"]
        assert parts["consumer"]["status"] == "ok" and "intake-consumer" not in parts


async def test_a_relay_that_cannot_reach_kafka_makes_readiness_503_naming_it_until_it_can(
    own_databases, configure, keycloak, tmp_path
):
    broker = KafkaBroker(tmp_path / "kafka", keycloak)
    await asyncio.to_thread(broker.start)
    try:
        settings = configure(
            IntakeSettings,
            database_url=own_databases.intake,
            run_consumer=False,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            relay_poll_interval_s=0.5,
            health_grace_s=1.0,
        )
        async with serve(create_app(settings)) as intake:
            sessions = make_sessions(intake.runtime.engine)
            async with sessions() as session, session.begin():  # the relay has published before the outage
                add_to_outbox(session, [event(str(uuid.uuid4()), "before the outage")], topics.COMPLAINTS)
            await eventually(lambda: is_ready(intake, pending=0), timeout=60, interval=0.5)
            await asyncio.to_thread(broker.stop)
            async with sessions() as session, session.begin():
                add_to_outbox(session, [event(str(uuid.uuid4()), "during the outage")], topics.COMPLAINTS)

            async def relay_named() -> dict | None:
                response = await intake.http.get("/readyz")
                return response.json() if response.status_code == 503 and "relay" in response.json()["checks"] else None

            body = await eventually(relay_named, timeout=60, interval=0.5)
            # The producer waits for the broker rather than failing: the batch is overdue.
            assert body["checks"]["relay"].startswith("degraded since ")
            assert "publishing has not completed" in body["checks"]["relay"]
            assert body["parts"]["relay"]["status"] == "degraded"

            await asyncio.to_thread(broker.start)  # same port, same data
            await eventually(lambda: is_ready(intake, pending=0), timeout=120, interval=0.5)
    finally:
        await asyncio.to_thread(broker.stop)


async def is_ready(service: Running, pending: int | None = None) -> bool:
    """/readyz is 200 with the relay ok (and, if given, that many outbox rows unpublished)."""
    response = await service.http.get("/readyz")
    if response.status_code != 200 or response.json()["parts"].get("relay", {}).get("status") != "ok":
        return False
    if pending is None:
        return True
    async with service.runtime.engine.connect() as connection:
        unpublished = (
            await connection.execute(sa.text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
        ).scalar_one()
    return unpublished == pending
