"""Two authorities' installations exchanging cooperation messages for real: FR-CNIL's and IT-GPDP's case
services, each with its own database (on the one embedded PostgreSQL) and its own signing key, served by uvicorn
over HTTPS on free ports, trusting a certificate authority made for the test. A message one sends is delivered,
verified and recorded by the other with its signature; a forged message, an authority not in the directory and
a replayed message are each refused, recorded and counted; a peer down for a while loses nothing."""

from __future__ import annotations

import asyncio
import json
import ssl
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import sqlalchemy as sa
import uvicorn
from prometheus_client import REGISTRY

from docket_contracts.checkpoints import new_signing_key
from docket_contracts.envelope import CloudEvent
from docket_devstack.database import provision
from docket_devstack.ports import free_port
from docket_devstack.tls import ThrowawayAuthority
from docket_exchange.directory import Directory
from docket_exchange.keys import OwnKey, PeerKeys
from docket_exchange.messages import Exchange
from docket_service.cli import uvicorn_config
from docket_service.database import make_engine, make_sessions, migrate
from services.case.application import send_to
from services.case.config import CaseSettings
from services.case.exchange import Cooperation
from services.case.exchange.outbox import resend_given_up
from services.case.main import create_app
from services.case.store import PostgresCases
from tests.conftest import MIGRATIONS, SIGNING_KEY

pytestmark = pytest.mark.service

FR, IT = "FR-CNIL", "IT-GPDP"
# Fast enough for a test: a failed attempt is tried again within a fifth of a second.
FAST = {
    "cooperation_delivery_interval_s": 0.05,
    "cooperation_retry_base_delay_s": 0.05,
    "cooperation_retry_max_delay_s": 0.2,
    "cooperation_retry_max_attempts": 1000,
    "cooperation_keys_refresh_s": 0.2,
}


@dataclass
class Authority:
    """One authority's installation, as its settings describe it (running or not)."""

    id: str
    settings: CaseSettings
    admin_url: str

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.settings.http_port}"


@dataclass
class Two:
    fr: Authority
    it: Authority
    ca_file: Path

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(verify=ssl.create_default_context(cafile=str(self.ca_file)), timeout=10)


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ThrowawayAuthority, Path]:
    directory = tmp_path_factory.mktemp("tls")
    authority = ThrowawayAuthority()
    return authority, authority.write_ca(directory / "ca.crt")


@pytest.fixture
def two(postgres, tls, tmp_path: Path, closed_port_bootstrap: str) -> Two:
    """FR-CNIL and IT-GPDP, each with its database migrated, its key, its certificate and a directory of both."""
    ca, ca_file = tls
    ports = {FR: free_port(), IT: free_port()}
    directory = tmp_path / "directory.json"
    directory.write_text(
        json.dumps(
            {
                "authorities": [
                    {
                        "id": authority_id,
                        "name": authority_id,
                        "member_state": authority_id[:2],
                        "inbox_url": f"https://127.0.0.1:{port}/cooperation/messages",
                        "jwks_url": f"https://127.0.0.1:{port}/.well-known/jwks.json",
                    }
                    for authority_id, port in ports.items()
                ]
            }
        )
    )
    found = {}
    for authority_id, port in ports.items():
        databases = provision(postgres, f"docket_{authority_id[:2].lower()}_{uuid.uuid4().hex[:8]}")
        migrate(MIGRATIONS["case"], databases.migrator, "case")
        server = ca.server(tmp_path, authority_id)
        settings = CaseSettings(
            database_url=databases.case,
            oidc_issuer="https://idp.invalid/realms/docket",  # no staff token is asked for here
            migrate_on_start=False,
            kafka_bootstrap_servers=closed_port_bootstrap,
            kafka_security_protocol="PLAINTEXT",
            run_relay=False,
            run_consumer=False,
            run_timers=False,
            run_checkpoints=False,
            checkpoint_signing_key=SIGNING_KEY,
            shutdown_grace_s=1.0,  # a peer's kept-alive connection is not waited for long
            http_host="127.0.0.1",
            http_port=port,
            http_tls_certfile=str(server.certfile),
            http_tls_keyfile=str(server.keyfile),
            authority_id=authority_id,
            cooperation_directory=str(directory),
            cooperation_signing_key=new_signing_key(),
            cooperation_ca_file=str(ca_file),
            **FAST,
        )
        found[authority_id] = Authority(authority_id, settings, databases.admin)
    return Two(found[FR], found[IT], ca_file)


@asynccontextmanager
async def running(authority: Authority) -> AsyncIterator[Cooperation]:
    """The authority's case service, served over HTTPS on its port until the block ends."""
    app = create_app(authority.settings)
    server = uvicorn.Server(uvicorn_config(app, authority.settings))
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if serving.done():
                    serving.result()  # raises what stopped it
                    raise RuntimeError(f"{authority.id} stopped before it served")
                await asyncio.sleep(0.02)
        yield app.state.cooperation
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 30)


async def rows(authority: Authority, query: str, **values: Any) -> list[dict[str, Any]]:
    """What the authority's case schema holds, read beneath the service."""
    engine = make_engine(authority.admin_url, "case")
    try:
        async with engine.connect() as connection:
            return [dict(row) for row in (await connection.execute(sa.text(query), values)).mappings()]
    finally:
        await engine.dispose()


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 30) -> None:
    async with asyncio.timeout(timeout_s):
        while not await check():
            await asyncio.sleep(0.05)


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def an_event(reference: str = "IMI-2026-0001", subject: str | None = None, **data: Any) -> CloudEvent:
    return CloudEvent(
        type="docket.case.mutual_assistance_requested",
        source="/docket/FR-CNIL/case",
        subject=subject or str(uuid.uuid4()),
        dataschema="",
        data={"cooperation_reference": reference, **data},
    )


async def queued(cooperation: Cooperation, authority: Authority, to: str, *events: CloudEvent) -> None:
    """Send `events` to `to` as a staff command will: in a transaction of the service's own role."""
    engine = make_engine(authority.settings.database_url, "case")
    try:
        async with make_sessions(engine)() as session, session.begin():
            for event in events:
                await send_to(PostgresCases(session), cooperation.directory, to, event)
    finally:
        await engine.dispose()


async def received(authority: Authority, jti: str) -> list[dict[str, Any]]:
    return await rows(
        authority, "SELECT * FROM cooperation_messages WHERE direction = 'received' AND jti = :jti", jti=jti
    )


async def test_a_message_sent_by_one_authority_is_delivered_verified_and_recorded_by_the_other(two):
    sent_before = counted("docket_cooperation_sent_total")
    event = an_event(request="the controller's answers to our questions of 2 March")
    async with running(two.fr) as fr, running(two.it):
        await queued(fr, two.fr, IT, event)

        async def delivered() -> bool:
            return bool(await received(two.it, event.id))

        await eventually(delivered)
        [record] = await received(two.it, event.id)
        async with two.client() as client:
            published = (await client.get(f"{two.fr.url}/.well-known/jwks.json")).json()
        [outbox] = await rows(two.fr, "SELECT * FROM cooperation_outbox WHERE event_id = :id", id=event.id)
        [sent] = await rows(
            two.fr, "SELECT * FROM cooperation_messages WHERE direction = 'sent' AND jti = :id", id=event.id
        )
    assert (record["peer"], record["outcome"], record["event_type"]) == (FR, "accepted", event.type)
    assert record["cooperation_reference"] == "IMI-2026-0001"
    # The token as received is the one FR recorded as delivered, and it verifies under the key FR publishes.
    assert record["token"] == sent["token"] and sent["outcome"] == "delivered" and sent["peer"] == IT
    kid = jwt.get_unverified_header(record["token"])["kid"]
    key = next(jwt.PyJWK(k) for k in published["keys"] if k["kid"] == kid)
    claims = jwt.decode(record["token"], key, algorithms=["EdDSA"], audience=IT, issuer=FR, leeway=600)
    assert claims["event"]["id"] == event.id and claims["event"]["data"] == event.data
    assert (outbox["status"], outbox["attempts"]) == ("delivered", 1)
    assert counted("docket_cooperation_sent_total") == sent_before + 1


async def test_a_forged_a_stranger_s_and_a_replayed_message_are_each_refused_recorded_and_counted(two):
    fr_key = OwnKey(two.fr.settings.cooperation_signing_key.get_secret_value())
    directory = Directory.load(two.fr.settings.cooperation_directory)
    nobody = PeerKeys(lambda url: asyncio.sleep(0, {}))

    def signer(own: str, key: OwnKey) -> Exchange:
        return Exchange(own, key, directory, nobody)

    impostor = OwnKey(new_signing_key())
    impostor.key_id = fr_key.key_id  # FR's published kid, someone else's key
    genuine, forged_event, stranger_event = an_event(), an_event(), an_event()
    tokens = {
        "genuine": signer(FR, fr_key).sign(genuine, IT),
        "forged": signer(FR, impostor).sign(forged_event, IT),
        "stranger": signer("DE-BFDI", OwnKey(new_signing_key())).sign(stranger_event, IT),
    }
    reasons = ("bad_signature", "unknown_authority", "already_received")
    before = {reason: counted("docket_cooperation_refused_total", reason=reason) for reason in reasons}
    async with running(two.fr), running(two.it), two.client() as client:

        async def post(token: str) -> httpx.Response:
            return await client.post(
                f"{two.it.url}/cooperation/messages", content=token, headers={"content-type": "application/jwt"}
            )

        first = await post(tokens["genuine"])
        forged, stranger, replayed = [await post(tokens[name]) for name in ("forged", "stranger", "genuine")]
        again = await post(signer(FR, fr_key).sign(genuine, IT))  # a sender's retry, signed anew
        malformed = await post("not a token")
    assert first.status_code == 200 and first.json() == {"received": genuine.id, "sender": FR}
    assert (forged.status_code, forged.json()["reason"]) == (401, "bad_signature")
    assert (stranger.status_code, stranger.json()["reason"]) == (401, "unknown_authority")
    assert "DE-BFDI" in stranger.json()["detail"]
    for copy in (replayed, again):
        assert (copy.status_code, copy.json()["reason"]) == (409, "already_received")
    assert (malformed.status_code, malformed.json()["reason"]) == (422, "malformed")
    assert malformed.json()["detail"][0]["loc"] == ["body", "token"]
    recorded = {
        (r["jti"], r["outcome"], r["reason"])
        for r in await rows(two.it, "SELECT * FROM cooperation_messages WHERE direction = 'received'")
    }
    assert {
        (genuine.id, "accepted", None),
        (forged_event.id, "refused", "bad_signature"),
        (stranger_event.id, "refused", "unknown_authority"),
        (genuine.id, "refused", "already_received"),
        (None, "refused", "malformed"),
    } <= recorded
    assert counted("docket_cooperation_refused_total", reason="bad_signature") == before["bad_signature"] + 1
    assert counted("docket_cooperation_refused_total", reason="unknown_authority") == before["unknown_authority"] + 1
    assert counted("docket_cooperation_refused_total", reason="already_received") == before["already_received"] + 2


async def test_a_peer_down_for_a_while_loses_nothing_once_it_is_up(two):
    case = str(uuid.uuid4())
    events = [an_event("IMI-2026-0002", case, n=n) for n in range(3)]  # of one case: delivered in order
    async with running(two.fr) as fr:
        await queued(fr, two.fr, IT, *events)

        async def tried_a_few_times() -> bool:
            found = await rows(two.fr, "SELECT * FROM cooperation_attempts")
            return len(found) >= 3

        await eventually(tried_a_few_times)  # IT is not up: each attempt fails and is tried again
        async with running(two.it):

            async def all_delivered() -> bool:
                found = await rows(two.fr, "SELECT status FROM cooperation_outbox WHERE ordering_key = :k", k=case)
                return [r["status"] for r in found] == ["delivered"] * 3

            await eventually(all_delivered)
    at_it = await rows(two.it, "SELECT jti FROM cooperation_messages WHERE direction = 'received' ORDER BY id")
    assert [r["jti"] for r in at_it] == [e.id for e in events]  # all of them, in order, once each
    attempts = await rows(
        two.fr,
        "SELECT verdict, error FROM cooperation_attempts a JOIN cooperation_outbox o ON o.id = a.outbox_id "
        "WHERE o.event_id = :id ORDER BY a.number",
        id=events[0].id,
    )
    assert len(attempts) >= 2 and attempts[-1]["verdict"] == "delivered"
    assert all(a["verdict"] == "retry" and a["error"] for a in attempts[:-1])


async def test_the_record_of_messages_is_added_to_and_never_rewritten_by_the_role_that_serves(two):
    engine = make_engine(two.fr.settings.database_url, "case")  # docket_case, as the service connects
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO cooperation_messages (direction, token, outcome) VALUES ('received', 't', 'refused')"
                )
            )
        for statement in ("UPDATE cooperation_messages SET token = 'x'", "DELETE FROM cooperation_messages"):
            with pytest.raises(sa.exc.DBAPIError, match="permission denied"):
                async with engine.begin() as connection:
                    await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


async def test_a_message_given_up_is_recorded_undelivered_and_goes_once_put_back_in_line(two):
    two.fr.settings = two.fr.settings.model_copy(update={"cooperation_retry_max_attempts": 2})
    given_up_before = counted("docket_cooperation_send_failures_total", outcome="given_up")
    event = an_event()

    async def status() -> str:
        [row] = await rows(two.fr, "SELECT status FROM cooperation_outbox WHERE event_id = :id", id=event.id)
        return str(row["status"])

    async with running(two.fr) as fr:  # IT is down throughout
        await queued(fr, two.fr, IT, event)

        async def given_up() -> bool:
            return await status() == "dead"

        await eventually(given_up)
    [record] = await rows(two.fr, "SELECT * FROM cooperation_messages WHERE jti = :id", id=event.id)
    assert (record["direction"], record["outcome"], record["peer"]) == ("sent", "undelivered", IT)
    assert "gave up after 2 attempts" in record["detail"]
    assert counted("docket_cooperation_send_failures_total", outcome="given_up") == given_up_before + 1
    engine = make_engine(two.fr.settings.database_url, "case")
    try:
        async with make_sessions(engine)() as session, session.begin():
            assert await resend_given_up(session) == 1
    finally:
        await engine.dispose()
    async with running(two.fr), running(two.it):

        async def delivered() -> bool:
            return await status() == "delivered"

        await eventually(delivered)
    assert [r["outcome"] for r in await received(two.it, event.id)] == ["accepted"]
