"""While Kafka is down intake still takes complaints; the outbox publishes them when it returns."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from docket_contracts import topics
from docket_devstack.kafka import KafkaBroker
from services.intake.config import IntakeSettings
from services.intake.main import create_app
from tests.apps import serve
from tests.factories import submission
from tests.kafka_reader import eventually, read_topic

pytestmark = pytest.mark.e2e


async def test_a_complaint_filed_during_an_outage_is_published_when_kafka_returns(configure, keycloak, tmp_path):
    broker = KafkaBroker(tmp_path / "kafka", keycloak)
    await asyncio.to_thread(broker.start)
    try:
        settings = configure(
            IntakeSettings, kafka_bootstrap_servers=broker.bootstrap_servers, relay_poll_interval_s=0.5
        )
        async with serve(create_app(settings)) as intake:
            assert (await intake.http.get("/readyz")).status_code == 200
            await asyncio.to_thread(broker.stop)

            response = await intake.http.post("/complaints", json=submission(controller={"name": "Outage Ltd"}))
            assert response.status_code == 201
            complaint_id = response.json()["id"]
            ready = await intake.http.get("/readyz")
            assert ready.status_code == 503 and ready.json()["checks"]["kafka"].startswith("unreachable")
            async with intake.runtime.engine.connect() as connection:
                published_at = (
                    await connection.execute(
                        sa.text(
                            "SELECT published_at FROM outbox WHERE subject = :id AND type = 'docket.complaint.filed'"
                        ),
                        {"id": complaint_id},
                    )
                ).scalar_one()
            assert published_at is None

            await asyncio.to_thread(broker.start)  # same port, same data

            async def published():
                return [
                    r
                    for r in await read_topic(broker.operator, topics.COMPLAINTS)
                    if r.key == complaint_id.encode() and dict(r.headers)["ce_type"] == b"docket.complaint.filed"
                ]

            [record] = await eventually(published, timeout=90, interval=0.5)
            assert dict(record.headers)["ce_type"] == b"docket.complaint.filed"
    finally:
        await asyncio.to_thread(broker.stop)
