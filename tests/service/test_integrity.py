"""Tamper evidence of the case event store against the real PostgreSQL: the database refuses UPDATE and
DELETE on events, and every change made behind its back (by a superuser who switches the trigger off) is
found by the hash chain, through the API and the command over all streams."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID

import pytest
import sqlalchemy as sa

from docket_devstack.staff import AUDITOR, INVESTIGATOR, Tokens
from docket_service.database import make_engine
from services.case.config import CaseSettings
from services.case.main import create_app
from tests.apps import Running, serve
from tests.conftest import repo_root
from tests.service.test_case_service import FixedClock, investigate, open_case

pytestmark = pytest.mark.service


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
    )
    async with serve(create_app(settings, clock=FixedClock(date(2026, 11, 22)))) as running:
        running.http.headers.update(tokens(AUDITOR))
        yield running


async def behind_its_back(database_url: str, *statements: str) -> None:
    """Run statements as the superuser with triggers off, as someone with full access to the server could."""
    engine = make_engine(database_url, "case")
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for statement in statements:
                await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


async def a_case(service: Running) -> UUID:
    """A case of three events: opened, investigation opened, finding recorded."""
    case_id, _ = await open_case(service)
    assert await investigate(service, case_id) == 3
    return case_id


async def integrity(service: Running, case_id: UUID) -> dict:
    response = await service.http.get(f"/cases/{case_id}/integrity")
    assert response.status_code == 200, response.text
    return response.json()


async def test_an_untouched_case_verifies(case_service):
    case_id = await a_case(case_service)
    verdict = await integrity(case_service, case_id)
    assert verdict == {
        "case_id": str(case_id),
        "intact": True,
        "events": 3,
        "head_version": 3,
        "first_broken_link": None,
    }
    history = (await case_service.http.get(f"/cases/{case_id}/history")).json()
    assert history[0]["previous_hash"] == "0" * 64 and len({e["previous_hash"] for e in history}) == 3
    assert [e["previous_hash"] for e in history[1:]] == [e["hash"] for e in history[:-1]]


async def test_the_database_refuses_update_and_delete_on_events_to_the_service_and_to_a_superuser(
    case_service, databases
):
    case_id = await a_case(case_service)
    for url, refusal in (
        (databases.case, "permission denied for table events"),
        (databases.admin, "the case event store is append-only: UPDATE"),
    ):
        engine = make_engine(url, "case")
        try:
            with pytest.raises(sa.exc.DBAPIError, match=refusal):
                async with engine.begin() as connection:
                    await connection.execute(
                        sa.text("UPDATE events SET actor = 'someone else' WHERE stream_id = :id"), {"id": case_id}
                    )
            with pytest.raises(sa.exc.DBAPIError, match=r"append-only: DELETE|permission denied"):
                async with engine.begin() as connection:
                    await connection.execute(sa.text("DELETE FROM events WHERE stream_id = :id"), {"id": case_id})
        finally:
            await engine.dispose()
    assert (await integrity(case_service, case_id))["intact"]


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("ALTER TABLE events DISABLE TRIGGER events_append_only", "must be owner of table events"),
        ("GRANT UPDATE ON events TO docket_case", "permission denied|no privileges were granted"),
        (
            "UPDATE stream_heads SET version = version WHERE stream_id = '{id}'",
            "permission denied for table stream_heads",
        ),
        ("DELETE FROM stream_heads WHERE stream_id = '{id}'", "permission denied for table stream_heads"),
        ("TRUNCATE events", "permission denied for table events"),
        ("DROP TABLE events", "must be owner of table events"),
    ],
)
async def test_the_role_that_serves_cannot_undo_what_protects_the_record(case_service, databases, statement, refusal):
    case_id = await a_case(case_service)
    engine = make_engine(databases.case, "case")
    try:
        async with engine.begin() as connection:
            refused = False
            try:
                await connection.execute(sa.text(statement.replace("{id}", str(case_id))))
            except sa.exc.DBAPIError as exc:
                refused = bool(__import__("re").search(refusal, str(exc)))
            if not refused:  # GRANT by a non-owner is a warning, not an error: it must have granted nothing
                privilege = await connection.scalar(sa.text("SELECT has_table_privilege('events', 'UPDATE')"))
                refused = privilege is False and "GRANT" in statement
        assert refused, statement
    finally:
        await engine.dispose()
    assert (await integrity(case_service, case_id))["intact"]


@pytest.mark.parametrize(
    ("tampering", "version", "reason"),
    [
        (
            "UPDATE events SET data = jsonb_set(data, '{scope}', '\"nothing to see\"') WHERE stream_id = '{id}' "
            "AND version = 2",
            2,
            "version 2 was changed after it was recorded",
        ),
        (
            "UPDATE events SET actor = 'someone else' WHERE stream_id = '{id}' AND version = 3",
            3,
            "version 3 was changed after it was recorded",
        ),
        (
            "UPDATE events SET data = jsonb_set(data, '{scope}', '\"nothing to see\"'), hash = 'forged' "
            "WHERE stream_id = '{id}' AND version = 2",
            2,
            "version 2 was changed after it was recorded",
        ),
        ("DELETE FROM events WHERE stream_id = '{id}' AND version = 2", 2, "version 2 is missing"),
        (
            "DELETE FROM events WHERE stream_id = '{id}' AND version = 3",
            3,
            "recorded up to version 3 but 2 event(s) are stored",
        ),
        (
            "UPDATE events SET version = 100 WHERE stream_id = '{id}' AND version = 2; "
            "UPDATE events SET version = 2 WHERE stream_id = '{id}' AND version = 3; "
            "UPDATE events SET version = 3 WHERE stream_id = '{id}' AND version = 100",
            2,
            "version 2 does not follow from version 1",
        ),
    ],
)
async def test_every_change_behind_the_store_s_back_is_found_at_its_first_broken_link(
    case_service, database_url, tampering, version, reason
):
    case_id = await a_case(case_service)
    await behind_its_back(database_url, *tampering.replace("{id}", str(case_id)).split("; "))
    verdict = await integrity(case_service, case_id)
    assert not verdict["intact"]
    assert verdict["first_broken_link"]["version"] == version
    assert reason in verdict["first_broken_link"]["reason"]


async def test_the_command_checks_every_stream_and_names_the_broken_one(
    case_service, database_url, databases, keycloak
):
    intact, broken = await a_case(case_service), await a_case(case_service)
    await behind_its_back(database_url, f"DELETE FROM events WHERE stream_id = '{broken}' AND version = 2")
    env = os.environ | {
        "DATABASE_URL": databases.case,
        "OIDC_ISSUER": keycloak.issuer(),
        "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}",
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.case", "verify-integrity"],
        cwd=repo_root(),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert f"case {broken}: broken at version 2: version 2 is missing" in result.stdout
    assert str(intact) not in result.stdout
    assert "broken" in result.stdout.splitlines()[-1]


async def test_only_auditors_and_administrators_check_integrity(case_service, tokens):
    case_id = await a_case(case_service)
    refused = await case_service.http.get(f"/cases/{case_id}/integrity", headers=tokens(INVESTIGATOR))
    assert refused.status_code == 403
