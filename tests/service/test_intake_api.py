"""Intake over HTTP against the real PostgreSQL; Kafka is down for all of these."""

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from services.intake.config import IntakeSettings
from services.intake.main import create_app
from tests.apps import Running, serve

pytestmark = pytest.mark.service

VALID = {"controller_name": "Clearview AI", "articles_alleged": [15, 17],
         "narrative": "Clearview AI ignored my access request of 2 May 2020."}


@pytest.fixture
async def intake(database_url: str, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    settings = IntakeSettings(database_url=database_url, kafka_bootstrap_servers=closed_port_bootstrap,
                              relay_poll_interval_s=0.2)
    async with serve(create_app(settings)) as client:
        yield client


async def outbox_rows(service: Running, complaint_id: str) -> list[sa.Row]:
    async with service.runtime.engine.connect() as connection:
        result = await connection.execute(
            sa.text("SELECT type, key, published_at, data FROM outbox WHERE subject = :id"), {"id": complaint_id})
        return list(result)


async def test_a_complaint_is_stored_with_its_event_even_while_kafka_is_down(intake):
    response = await intake.http.post("/complaints", json=VALID | {"articles_alleged": [17, 15, 17]})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["controller_key"] == "clearview-ai"
    assert body["articles_alleged"] == [15, 17]
    assert body["kind"] == "art77_complaint"
    assert (await intake.http.get(f"/complaints/{body['id']}")).json() == body
    [row] = await outbox_rows(intake, body["id"])
    assert (row.type, row.key, row.published_at) == ("docket.complaint.filed", body["id"], None)
    assert row.data["controller"] == {"key": "clearview-ai", "name": "Clearview AI"}
    assert "narrative" not in row.data  # personal narrative stays in intake


@pytest.mark.parametrize(("change", "field", "why"), [
    ({"controller_name": None}, "controller_name", "Field required"),
    ({"controller_name": 42}, "controller_name", "valid string"),
    ({"narrative": "   "}, "narrative", "at least 1 character"),
    ({"articles_alleged": [6, 120]}, "articles_alleged", "less than or equal to 99"),
    ({"articles_alleged": []}, "articles_alleged", "at least 1 item"),
    ({"kind": "rumour"}, "kind", "art77_complaint"),
    ({"received_on": "26/11/2021"}, "received_on", "date"),
    ({"complainant_ssn": "x"}, "complainant_ssn", "Extra inputs"),
])
async def test_invalid_fields_get_422_naming_the_field_and_the_rule(intake, change, field, why):
    response = await intake.http.post("/complaints", json={k: v for k, v in (VALID | change).items() if v is not None})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == field or error["loc"][1] == field
    assert why in error["msg"]


async def test_nothing_is_stored_for_a_refused_complaint(intake):
    before = await count_complaints(intake)
    assert (await intake.http.post("/complaints", json=VALID | {"narrative": ""})).status_code == 422
    assert await count_complaints(intake) == before


async def count_complaints(service: Running) -> int:
    async with service.runtime.engine.connect() as connection:
        return (await connection.execute(sa.text("SELECT count(*) FROM complaints"))).scalar_one()


async def test_unknown_routes_and_complaints_are_404(intake):
    assert (await intake.http.get("/nowhere")).status_code == 404
    response = await intake.http.get(f"/complaints/{uuid4()}")
    assert response.status_code == 404 and "no complaint" in response.json()["detail"]
    assert (await intake.http.get("/complaints/not-a-uuid")).status_code == 422


async def test_health_is_alive_and_readiness_names_the_unreachable_broker(intake):
    assert (await intake.http.get("/healthz")).json() == {"status": "ok"}
    response = await intake.http.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["kafka"].startswith("unreachable")


async def test_complaint_ids_are_uuids(intake):
    response = await intake.http.post("/complaints", json=VALID)
    assert UUID(response.json()["id"]).version == 4
