"""The case record has a witness outside its database.

Whoever holds a superuser's rights (or the schema owner's, or a backup to restore) can rewrite a case's events
with the triggers off and recompute every hash after it and the stream's head: the hash chain then holds, and a
check of the store against itself finds nothing (tests/service/test_integrity.py shows what it does find). The
case service publishes every event on docket.cases and signs checkpoints of its streams' heads on
docket.checkpoints with a key whose public half it serves as a JWKS; `verify-integrity`, the service's command
and the staff's `docket`, checks the store against both and names the rewritten case.

The case service runs here on a database and a broker of its own, so that the whole of each is this test's.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from uuid import UUID

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from docket_contracts import topics
from docket_contracts.checkpoints import SigningKey, check, keys_of
from docket_devstack.database import Databases, provision
from docket_devstack.kafka import KafkaBroker
from docket_devstack.keycloak import KeycloakServer
from docket_devstack.ports import free_port
from docket_devstack.postgres import EmbeddedPostgres
from docket_devstack.staff import AUDITOR, Tokens
from docket_messaging.codec import decode
from docket_service.database import make_engine, migrate
from services.case.config import CaseSettings
from services.case.integrity import GENESIS, event_hash
from services.case.main import create_app
from tests.apps import Running
from tests.conftest import MIGRATIONS, SIGNING_KEY, repo_root
from tests.kafka_reader import eventually, read_topic
from tests.service.test_case_service import FixedClock, investigate, open_case

pytestmark = pytest.mark.e2e


@dataclass
class Witnessed:
    """The case service serving over HTTP, with what it runs on."""

    service: Running
    url: str
    databases: Databases
    broker: KafkaBroker
    issuer: str


@pytest.fixture(scope="module")
def own_database(postgres: EmbeddedPostgres) -> Databases:
    found = provision(postgres, "witness")
    migrate(MIGRATIONS["case"], found.migrator, "case")
    return found


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory, keycloak: KeycloakServer) -> Iterator[KafkaBroker]:
    with KafkaBroker(tmp_path_factory.mktemp("witness-kafka"), keycloak) as found:
        yield found


@pytest.fixture
async def witnessed(
    own_database: Databases, broker: KafkaBroker, keycloak: KeycloakServer, tokens: Tokens
) -> AsyncIterator[Witnessed]:
    import tests.service.test_case_service as cases

    cases.TOKENS = tokens
    settings = CaseSettings(
        database_url=own_database.case,
        oidc_issuer=keycloak.issuer(),
        migrate_on_start=False,
        kafka_bootstrap_servers=broker.bootstrap_servers,
        kafka_oauth_client_id="docket-case",
        kafka_oauth_client_secret=keycloak.client_secret("docket-case"),
        kafka_oauth_token_url=keycloak.token_endpoint(),
        checkpoint_signing_key=SIGNING_KEY,
        checkpoint_interval_s=0.2,
        relay_poll_interval_s=0.2,
        run_consumer=False,
        run_timers=False,
    )
    app = create_app(settings, clock=FixedClock(date(2026, 11, 22)))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    await eventually(lambda: _started(server, serving), timeout=60)
    url = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=url, headers=tokens(AUDITOR), timeout=30) as http:
        yield Witnessed(Running(http, app), url, own_database, broker, keycloak.issuer())
    server.should_exit = True
    await serving


async def _started(server: uvicorn.Server, serving: asyncio.Task[None]) -> bool:
    if serving.done():
        serving.result()  # raises what stopped it
    return server.started


async def a_case(service: Running) -> UUID:
    """A case of three events: opened, investigation opened, finding recorded."""
    case_id, _ = await open_case(service)
    assert await investigate(service, case_id) == 3
    return case_id


async def checkpointed(witnessed: Witnessed, *cases: UUID) -> None:
    """Wait until a checkpoint naming each case at version 3 is on docket.checkpoints."""

    async def all_signed() -> bool:
        signed_heads = set()
        for record in await read_topic(witnessed.broker.operator, topics.CHECKPOINTS):
            data = decode(list(record.headers), record.value).data
            signed_heads |= {(h["case_id"], h["version"]) for h in data["heads"]}
        return {(str(case), 3) for case in cases} <= signed_heads

    await eventually(all_signed, timeout=60, interval=0.3)


async def rewrite(database_url: str, case_id: UUID, version: int, statement: str) -> None:
    """As the superuser with the triggers off, run `statement` on one event, then recompute the hash of every
    event from it on and the stream's head, so that the chain holds again."""
    engine = make_engine(database_url, "case")
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
            await connection.execute(sa.text(statement), {"id": case_id, "version": version})
            rows = (
                await connection.execute(
                    sa.text(
                        "SELECT stream_id, version, event_id, type, schema_version, data, actor, actor_role, "
                        "actor_name, occurred_at FROM events WHERE stream_id = :id ORDER BY version"
                    ),
                    {"id": case_id},
                )
            ).mappings()
            previous = GENESIS
            for row in list(rows):
                digest = event_hash(SimpleNamespace(**row, previous_hash=previous))
                await connection.execute(
                    sa.text("UPDATE events SET previous_hash = :p, hash = :h WHERE stream_id = :id AND version = :v"),
                    {"p": previous, "h": digest, "id": case_id, "v": row["version"]},
                )
                previous = digest
            await connection.execute(
                sa.text("UPDATE stream_heads SET hash = :h WHERE stream_id = :id"), {"h": previous, "id": case_id}
            )
    finally:
        await engine.dispose()


async def service_command(witnessed: Witnessed) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "DATABASE_URL": witnessed.databases.case,
        **witnessed.broker.service_env("case"),  # signed in as the case service, which may read both topics
        "OIDC_ISSUER": witnessed.issuer,
        "CHECKPOINT_SIGNING_KEY": SIGNING_KEY,
        "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}",
    }
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.case", "verify-integrity"],
        cwd=repo_root(),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def staff_command(witnessed: Witnessed, tokens: Tokens) -> subprocess.CompletedProcess[str]:
    token = tokens(AUDITOR)["Authorization"].removeprefix("Bearer ")
    env = os.environ | {
        "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}",
        # Kafka read as `docket events tail` reads it: the operator tools' client
        "DOCKET_KAFKA_CLIENT_SECRET": witnessed.broker.identity.client_secret("docket-operator"),
    }
    return await asyncio.to_thread(
        subprocess.run,
        [
            *(sys.executable, "-m", "docket_cli"),
            *("--case-url", witnessed.url, "--kafka", witnessed.broker.bootstrap_servers, "--token", token),
            *("--issuer", witnessed.issuer),
            "verify-integrity",
        ],
        cwd=repo_root(),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_checkpoints_verify_under_the_keys_the_case_service_publishes(witnessed):
    case_id = await a_case(witnessed.service)
    await checkpointed(witnessed, case_id)
    answer = await httpx.AsyncClient().get(f"{witnessed.url}/.well-known/jwks.json")  # no token needed
    assert answer.status_code == 200
    keys = keys_of(answer.json())
    assert list(keys) == [SigningKey(SIGNING_KEY).key_id]
    published = [
        decode(list(r.headers), r.value) for r in await read_topic(witnessed.broker.operator, topics.CHECKPOINTS)
    ]
    assert published and all(check(event.data, keys) is None for event in published)
    assert [event.sequence for event in published] == list(range(1, len(published) + 1))


async def test_a_superuser_s_rewrite_with_recomputed_hashes_is_named_by_verify_integrity(witnessed, tokens):
    kept, rewritten = await a_case(witnessed.service), await a_case(witnessed.service)
    await checkpointed(witnessed, kept, rewritten)
    for command in (service_command, lambda w: staff_command(w, tokens)):
        before = await command(witnessed)
        assert before.returncode == 0, before.stdout + before.stderr
        assert " 0 broken" in before.stdout.splitlines()[-1]

    await rewrite(
        witnessed.databases.admin,
        rewritten,
        2,
        "UPDATE events SET data = jsonb_set(data, '{scope}', '\"nothing to see\"') "
        "WHERE stream_id = :id AND version = :version",
    )
    chain = (await witnessed.service.http.get(f"/cases/{rewritten}/integrity")).json()
    assert chain["intact"]  # the store agrees with itself: only the witness can tell

    for command in (service_command, lambda w: staff_command(w, tokens)):
        after = await command(witnessed)
        assert after.returncode == 1, after.stdout + after.stderr
        assert (
            f"case {rewritten}: the witness disagrees at version 2: version 2 is not the event published for it on "
            "docket.cases: its payload differs"
        ) in after.stdout
        assert (
            f"case {rewritten}: the witness disagrees at version 3: version 3 is not what checkpoint"
        ) in after.stdout
        assert str(kept) not in after.stdout
        assert " 1 broken" in after.stdout.splitlines()[-1]
