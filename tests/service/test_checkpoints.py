"""The case service's checkpoints against the real PostgreSQL: a round signs the heads that moved once their
events are published, numbers the checkpoint and chains it to the one before, hands it to the outbox for
docket.checkpoints, and starts from what the database kept, whichever instance or process runs it next."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from uuid import UUID

import pytest
import sqlalchemy as sa
from asgi_lifespan import LifespanManager

from docket_contracts import checkpoints, topics
from docket_contracts.checkpoints import SigningKey
from docket_devstack.staff import AUDITOR, Tokens
from services.case.checkpoints import sign_checkpoint
from services.case.config import CaseSettings, SigningKeyMissing
from services.case.main import create_app
from tests.apps import Running, serve
from tests.conftest import SIGNING_KEY
from tests.service.test_case_service import FixedClock, staff_for
from tests.service.test_integrity import a_case, behind_its_back

pytestmark = pytest.mark.service

KEY = SigningKey(SIGNING_KEY)
NOW = datetime(2026, 12, 6, 10, tzinfo=UTC)


@pytest.fixture
async def case_service(configure, closed_port_bootstrap: str, tokens: Tokens) -> AsyncIterator[Running]:
    import tests.service.test_case_service as cases

    cases.TOKENS = tokens
    settings = configure(
        CaseSettings,
        kafka_bootstrap_servers=closed_port_bootstrap,
        run_relay=False,
        run_consumer=False,
        run_timers=False,
        run_checkpoints=False,  # the rounds are this test's
    )
    async with serve(create_app(settings, clock=FixedClock(date(2026, 11, 22)))) as running:
        running.http.headers.update(tokens(AUDITOR))
        yield running


async def published(database_url: str, case_id: UUID) -> None:
    """Mark the case's outbox rows published, as the relay does once the broker acknowledged them."""
    await behind_its_back(database_url, f"UPDATE outbox SET published_at = now() WHERE key = '{case_id}'")


async def a_round(service: Running) -> int:
    async with service.runtime.sessions() as session:
        return await sign_checkpoint(session, KEY, NOW, "case")


async def signed(service: Running) -> list[dict]:
    """Every checkpoint in the outbox, in order, as it is published."""
    async with service.runtime.engine.connect() as connection:
        rows = await connection.execute(
            sa.text("SELECT data FROM outbox WHERE topic = :topic ORDER BY id"), {"topic": topics.CHECKPOINTS}
        )
        return [row.data for row in rows]


def heads_of(checkpoint: dict) -> dict[str, tuple[int, str]]:
    return {head["case_id"]: (head["version"], head["hash"]) for head in checkpoint["heads"]}


async def test_a_round_signs_the_heads_that_moved_once_their_events_are_published(case_service, database_url):
    case_id = await a_case(case_service)
    await a_round(case_service)  # whatever other tests left due
    before = await signed(case_service)
    assert await a_round(case_service) == 0  # published nowhere yet: nothing to vouch for
    await published(database_url, case_id)
    assert await a_round(case_service) >= 1
    checkpoint = (await signed(case_service))[-1]
    history = (await case_service.http.get(f"/cases/{case_id}/history")).json()
    assert heads_of(checkpoint)[str(case_id)] == (3, history[-1]["hash"])
    assert checkpoints.check(checkpoint, checkpoints.keys_of(checkpoints.jwks([KEY.public]))) is None
    if before:
        assert checkpoint["sequence"] == before[-1]["sequence"] + 1
        assert checkpoint["previous"] == checkpoints.digest(before[-1])
    assert await a_round(case_service) == 0  # nothing moved since


async def test_the_next_checkpoint_names_only_what_moved_and_chains_to_the_last(case_service, database_url):
    first, second = await a_case(case_service), await a_case(case_service)
    await published(database_url, first)
    await published(database_url, second)
    await a_round(case_service)
    earlier = (await signed(case_service))[-1]
    await case_service.http.post(  # a fourth event of the first case only
        f"/cases/{first}/findings",
        json={"articles": [5], "facts": "kept too long"},
        headers=staff_for("/findings") | {"If-Match": '"3"'},
    )
    await published(database_url, first)
    assert await a_round(case_service) >= 1
    later = (await signed(case_service))[-1]
    assert later["sequence"] == earlier["sequence"] + 1 and later["previous"] == checkpoints.digest(earlier)
    assert heads_of(later)[str(first)][0] == 4 and str(second) not in heads_of(later)


async def test_one_instance_signs_at_a_time(case_service, database_url):
    case_id = await a_case(case_service)
    await published(database_url, case_id)
    counts = await asyncio.gather(*(a_round(case_service) for _ in range(4)))
    assert sum(1 for count in counts if count) == 1  # the others found the lock taken, or nothing left
    sequences = [checkpoint["sequence"] for checkpoint in await signed(case_service)]
    assert sequences == list(range(sequences[0], sequences[0] + len(sequences)))


async def test_the_service_does_not_serve_without_its_signing_key(configure, closed_port_bootstrap):
    settings = configure(CaseSettings, kafka_bootstrap_servers=closed_port_bootstrap, checkpoint_signing_key=None)
    with pytest.raises(SigningKeyMissing, match="set CHECKPOINT_SIGNING_KEY"):
        async with LifespanManager(create_app(settings), startup_timeout=60):
            pass


async def test_the_jwks_names_the_signing_key_then_the_retired_ones(configure, closed_port_bootstrap):
    retired = SigningKey(checkpoints.new_signing_key())
    settings = configure(
        CaseSettings,
        kafka_bootstrap_servers=closed_port_bootstrap,
        run_relay=False,
        run_consumer=False,
        run_timers=False,
        run_checkpoints=False,
        checkpoint_retired_keys=retired.jwk["x"],
    )
    async with serve(create_app(settings)) as running:
        answer = await running.http.get("/.well-known/jwks.json")  # no token: the keys are public
    assert answer.status_code == 200 and "max-age" in answer.headers["Cache-Control"]
    assert answer.json() == {"keys": [KEY.jwk, retired.jwk]}
