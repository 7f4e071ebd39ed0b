"""Idempotency-Keys: a key is its caller's own, and what is kept of the request it came with reveals nothing of
it and goes with the complainant's erasure.

Before, every key was in one namespace: whoever sent another caller's key with the same body was answered
that caller's receipt, status token included, and with another body refused their retry (409). And the digest
kept beside each key was an unsalted SHA-256 of the whole body, names and address included: whoever read the
table could confirm a guess at who filed, and it outlived the complainant's erasure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from docket_contracts.events import Sealed
from docket_devstack.staff import ADMINISTRATOR, INTAKE_OFFICER, Tokens
from docket_service.database import make_engine
from services.intake.config import IntakeSettings
from services.intake.main import create_app
from tests.apps import Running, serve
from tests.factories import submission

pytestmark = pytest.mark.service


@pytest.fixture
async def intake(configure, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    settings = configure(IntakeSettings, kafka_bootstrap_servers=closed_port_bootstrap, run_consumer=False)
    async with serve(create_app(settings)) as running:
        yield running


async def beneath(database_url: str, sql: str, **params) -> object:
    engine = make_engine(database_url, "intake")
    try:
        async with engine.connect() as connection:
            return (await connection.execute(sa.text(sql), params)).scalar_one()
    finally:
        await engine.dispose()


def today_body() -> dict:
    """A body both doors take as it is: dated today, so that the public door accepts its date too."""
    return submission(controller={"name": f"Idemco {uuid4().hex[:6]}"}, received_on=date.today().isoformat())


async def test_an_officers_key_sent_at_the_public_door_is_not_answered_with_the_officers_receipt(intake, tokens):
    key, body = f"officer-{uuid4()}", today_body()
    officer = tokens(INTAKE_OFFICER)
    paper = await intake.http.post("/paper-complaints", json=body, headers=officer | {"Idempotency-Key": key})
    assert paper.status_code == 201, paper.text
    public = await intake.http.post("/complaints", json=body, headers={"Idempotency-Key": key})
    assert public.status_code == 201 and "Idempotent-Replayed" not in public.headers
    assert public.json()["id"] != paper.json()["id"]
    assert public.json()["status_token"] != paper.json()["status_token"]
    # The officer's own retry is still answered as the first time.
    retried = await intake.http.post("/paper-complaints", json=body, headers=officer | {"Idempotency-Key": key})
    assert retried.headers["Idempotent-Replayed"] == "true" and retried.json() == paper.json()


async def test_a_key_used_at_the_public_door_does_not_refuse_an_officers_retry(intake, tokens):
    key = f"shared-{uuid4()}"
    assert (
        await intake.http.post("/complaints", json=today_body(), headers={"Idempotency-Key": key})
    ).status_code == 201
    paper = await intake.http.post(
        "/paper-complaints", json=today_body(), headers=tokens(INTAKE_OFFICER) | {"Idempotency-Key": key}
    )
    assert paper.status_code == 201, paper.text


async def test_the_digest_kept_with_a_key_is_sealed_and_goes_with_the_complainants_erasure(
    intake, tokens: Tokens, database_url
):
    key, body = f"sealed-{uuid4()}", today_body()
    first = await intake.http.post("/complaints", json=body, headers={"Idempotency-Key": key})
    receipt = first.json()
    kept = await beneath(database_url, "SELECT request_digest FROM intake.idempotency_keys WHERE key = :k", k=key)
    plain = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    assert plain not in json.dumps(kept)
    assert Sealed.model_validate(kept).subject == UUID(receipt["id"])
    assert (await intake.http.post("/complaints", json=body, headers={"Idempotency-Key": key})).json() == receipt

    erased = await intake.http.post(f"/complaints/{receipt['id']}/erasure", headers=tokens(ADMINISTRATOR))
    assert erased.status_code == 200, erased.text
    # Nothing of the first request can be compared with any more: its key is refused, never replayed.
    again = await intake.http.post("/complaints", json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 409
