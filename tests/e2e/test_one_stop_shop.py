"""The one-stop shop between two authorities' Dockets on one machine, through their real services, over HTTPS with
every message signed and checked against the sender's published keys (a certificate authority made for the test):

- the CNIL (FR-CNIL): intake, case and notifier, on the session's Kafka, PostgreSQL and Keycloak, as the other e2e
  tests run them; its case service served by uvicorn over HTTPS, for the DPC to reach;
- the Irish DPC (IE-DPC): its case service only, over HTTPS, with its own database on the same PostgreSQL. Nothing
  of the story reads the DPC's events from Kafka (it runs no intake nor notifier here), so its relay and consumer
  are off and it is given no broker: the cheapest honest setup; its events wait in its outbox, as they would for a
  broker that is down. Its staff sign in to the same Keycloak realm. Its case on the controller is opened from an
  Irish complaint routed beneath the service, since it runs no intake.

Both read one clock, moved from day to day as the story goes (the timers find what they find on the day it shows).

The story (docs/guide.md, "Authorities working together"): a complaint lodged at the CNIL against a controller
whose main establishment is in Ireland, with the admissibility content of Regulation 2025/2518 art 4(1) checked at
filing; registered as cross-border and transmitted to the DPC within six weeks; the DPC attaches it to its case and
confirms its competence; its draft decision; the CNIL's relevant and reasoned objection within four weeks, sent
while the DPC's installation is down and delivered once it is up again on the same port; the revised draft; two
weeks of silence, which each installation's timer finds to be agreement; the DPC's final decision, which the CNIL
tells its complainant of, in their language, with their remedies, and on the status page. Then a forged message,
one from an authority not in the directory and the decision's message again reach the CNIL, and each is refused
(tests/service/test_cooperation_exchange.py checks their records and counts).

In `make faults`, the DPC's installation stays down a whole minute while the CNIL sends it two steps, which arrive
once each, in order, when it is up again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import ssl
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from docket_contracts.checkpoints import new_signing_key
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Controller
from docket_devstack.database import provision
from docket_devstack.ports import free_port
from docket_devstack.staff import INTAKE_OFFICER, INVESTIGATOR, PRESIDENT, Tokens
from docket_devstack.tls import ThrowawayAuthority
from docket_exchange.directory import Directory
from docket_exchange.keys import OwnKey, PeerKeys
from docket_exchange.messages import Exchange
from docket_service.cli import uvicorn_config
from docket_service.database import make_engine, make_sessions, migrate
from services.case.application import route_complaint
from services.case.config import CaseSettings
from services.case.main import create_app as case_app
from services.case.store import PostgresCases
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import Running, serve
from tests.conftest import MIGRATIONS
from tests.factories import complaint_filed, submission
from tests.kafka_reader import eventually

pytestmark = pytest.mark.e2e

FR, IE = "FR-CNIL", "IE-DPC"
# A failed delivery is tried again within a fifth of a second, and timers look every fifth of a second.
FAST = {
    "cooperation_delivery_interval_s": 0.1,
    "cooperation_retry_base_delay_s": 0.1,
    "cooperation_retry_max_delay_s": 0.2,
    "cooperation_retry_max_attempts": 1000,
    "cooperation_keys_refresh_s": 0.2,
    "timer_interval_s": 0.2,
    "run_checkpoints": False,
    "shutdown_grace_s": 1.0,
}


@dataclass
class MovingClock:
    """The regulator's day, moved by the test."""

    day: date

    def now(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 9, tzinfo=UTC)

    def today(self) -> date:
        return self.day


@dataclass
class Served:
    """A case service over HTTPS, and a client of it that trusts the test's certificate authority."""

    settings: CaseSettings
    http: httpx.AsyncClient
    app: FastAPI


@asynccontextmanager
async def over_https(settings: CaseSettings, clock: MovingClock, ca_file: Path) -> AsyncIterator[Served]:
    """The case service of `settings`, served by uvicorn over HTTPS on its port until the block ends."""
    app = case_app(settings, clock=clock)
    server = uvicorn.Server(uvicorn_config(app, settings))
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(60):
            while not server.started:
                if serving.done():
                    serving.result()
                    raise RuntimeError("the case service stopped before it served")
                await asyncio.sleep(0.05)
        verify = ssl.create_default_context(cafile=str(ca_file))
        base = f"https://127.0.0.1:{settings.http_port}"
        async with httpx.AsyncClient(base_url=base, verify=verify, timeout=30) as client:
            yield Served(settings, client, app)
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 30)


@dataclass
class Network:
    clock: MovingClock
    intake: Running
    notifier: Running
    cnil: Served
    dpc_settings: CaseSettings
    ca_file: Path
    tokens: Tokens


def directory_of(ports: dict[str, int], path: Path) -> str:
    path.write_text(
        json.dumps(
            {
                "authorities": [
                    {
                        "id": authority,
                        "name": authority,
                        "member_state": authority[:2],
                        "inbox_url": f"https://127.0.0.1:{port}/cooperation/messages",
                        "jwks_url": f"https://127.0.0.1:{port}/.well-known/jwks.json",
                    }
                    for authority, port in ports.items()
                ]
            }
        )
    )
    return str(path)


@pytest.fixture(scope="module")
def dpc_database(postgres) -> str:
    """The DPC's own database, on the session's PostgreSQL, migrated as its migrator would."""
    databases = provision(postgres, f"docket_ie_{uuid4().hex[:8]}")
    migrate(MIGRATIONS["case"], databases.migrator, "case")
    return databases.case


@pytest.fixture(scope="module")
async def network(configure, kafka, dpc_database, tokens, tmp_path_factory) -> AsyncIterator[Network]:
    tmp = tmp_path_factory.mktemp("one-stop-shop")
    ca = ThrowawayAuthority()
    ca_file = ca.write_ca(tmp / "ca.crt")
    ports = {FR: free_port(), IE: free_port()}
    directory = directory_of(ports, tmp / "directory.json")
    clock = MovingClock(date(2027, 5, 3))

    def exchanging(authority: str) -> dict[str, Any]:
        server = ca.server(tmp, authority)
        return {
            "authority_id": authority,
            "http_host": "127.0.0.1",
            "http_port": ports[authority],
            "http_tls_certfile": str(server.certfile),
            "http_tls_keyfile": str(server.keyfile),
            "cooperation_directory": directory,
            "cooperation_signing_key": new_signing_key(),
            "cooperation_ca_file": str(ca_file),
            **FAST,
        }

    common = {"kafka_bootstrap_servers": kafka.bootstrap_servers, "relay_poll_interval_s": 0.5}
    cnil = configure(CaseSettings, **common, **exchanging(FR))
    dpc = configure(
        CaseSettings,
        database_url=dpc_database,
        kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",  # no broker: see the module's docstring
        run_relay=False,
        run_consumer=False,
        **exchanging(IE),
    )
    roomy = {"rate_limit_per_minute": 100_000, "rate_limit_burst": 100_000}
    async with AsyncExitStack() as stack:
        intake = await stack.enter_async_context(
            serve(intake_app(configure(IntakeSettings, **common, **roomy), clock=clock))
        )
        notifier = await stack.enter_async_context(serve(notifier_app(configure(NotifierSettings, **common), clock)))
        served = await stack.enter_async_context(over_https(cnil, clock, ca_file))
        yield Network(clock, intake, notifier, served, dpc, ca_file, tokens)


async def call(served: Served, tokens: Tokens, who: str, path: str, body: dict[str, Any], expect: int = 200) -> Any:
    response = await served.http.post(path, json=body, headers=tokens(who))
    assert response.status_code == expect, response.text
    return response.json()


async def read(served: Served, tokens: Tokens, path: str, **params: Any) -> Any:
    response = await served.http.get(path, params=params, headers=tokens(INVESTIGATOR))
    assert response.status_code == 200, response.text
    return response.json()


async def version(served: Served, tokens: Tokens, case_id: UUID | str) -> int:
    return int((await read(served, tokens, f"/cases/{case_id}"))["version"])


async def at_version(served: Served, tokens: Tokens, case_id: UUID | str, path: str, body: dict, who: str) -> Any:
    """POST `body` to the case's `path` at the case's version now."""
    return await call(served, tokens, who, path, body | {"expected_version": await version(served, tokens, case_id)})


async def step(served: Served, tokens: Tokens, case_id: UUID | str, body: dict, who: str = INVESTIGATOR) -> Any:
    return await at_version(served, tokens, case_id, f"/cases/{case_id}/cooperation/steps", body, who)


async def types_of(served: Served, tokens: Tokens, case_id: UUID | str) -> list[str]:
    return [e["type"] for e in await read(served, tokens, f"/cases/{case_id}/history")]


async def has(served: Served, tokens: Tokens, case_id: UUID | str, event_type: str, count: int = 1) -> bool:
    return (await types_of(served, tokens, case_id)).count(event_type) >= count


async def a_dpc_case(settings: CaseSettings) -> UUID:
    """The DPC's own case on the controller, opened from an Irish complaint (it runs no intake here)."""
    controller = Controller(key="lumen-social", name="Lumen Social Ltd", country="IE")
    complaint = complaint_filed(controller=controller, territory=("IE",), received_on=date(2027, 4, 20))
    engine = make_engine(settings.database_url, "case")
    try:
        async with make_sessions(engine)() as session, session.begin():
            await route_complaint(PostgresCases(session), complaint)
        async with make_sessions(engine)() as session:
            found = await PostgresCases(session).case_of_complaint(complaint.complaint_id)
    finally:
        await engine.dispose()
    assert found is not None
    return found


async def case_of_complaint(net: Network, filed: dict[str, Any]) -> str:
    """The CNIL's case the complaint filed at its door opened."""

    async def found() -> str | None:
        items = (await read(net.cnil, net.tokens, "/cases", complaint_id=filed["id"]))["items"]
        return items[0]["case_id"] if items else None

    case_id: str = await eventually(found, timeout=60)
    return case_id


def led_by_the_dpc(day: str) -> dict[str, Any]:
    """The CNIL's frame of a case on a controller whose main establishment is in Ireland: the DPC leads, the CNIL is
    concerned, its people affected and the complaint lodged with it (GDPR Arts 4(22)(b), (c), 56(1))."""
    return {
        "recorded_on": day,
        "cross_border": True,
        "basis": "4(23)(a)",
        "establishment": "main_establishment",
        "establishment_state": "IE",
        "role": "concerned",
        "lead": IE,
        "concerned": [{"authority": FR, "reasons": ["b", "c"]}],
    }


async def test_a_complaint_lodged_at_the_cnil_is_decided_by_the_irish_lead_and_told_to_its_complainant(network):
    net, tokens = network, network.tokens
    cnil = net.cnil

    # Day 0, 3 May 2027: the complaint, with what 2025/2518 art 4(1) asks of it, and nothing less.
    body = submission(
        controller={"name": "Lumen Social Ltd", "country": "IE", "website": "lumen.example"},
        complainant={"name": "Camille Durand", "email": "camille.durand@example.org", "country": "FR"},
        territory=["FR", "IE"],
        language="fr",
        narrative="Lumen Social shares my location history with advertisers; I never agreed to it.",
    )
    for missing in ("controller", "narrative"):
        refused = await net.intake.http.post("/complaints", json={k: v for k, v in body.items() if k != missing})
        assert refused.status_code == 422 and missing in refused.text
    filed = (await net.intake.http.post("/complaints", json=body)).json()
    assert filed["received_on"] == "2027-05-03"

    case_id = await case_of_complaint(net, filed)
    frame = led_by_the_dpc("2027-05-03")
    await at_version(cnil, tokens, case_id, f"/cases/{case_id}/cooperation/frame", frame, INVESTIGATOR)
    registered = await step(
        cnil,
        tokens,
        case_id,
        {"step": "complaint_registered", "complaint_id": filed["id"], "received_on": "2027-05-03", "presumed_lead": IE},
    )
    complaint_reference = registered["events"][0]["data"]["cooperation_reference"]
    deadlines = await read(cnil, tokens, "/cooperation/deadlines", days=60)
    assert {
        (d["deadline"], d["last_day"]) for d in deadlines["items"] if d["cooperation_reference"] == complaint_reference
    } == {("2025/2518-transmission", "2027-06-14")}

    # Day 29, 1 June: transmitted to the presumed lead, within the six weeks.
    net.clock.day = date(2027, 6, 1)
    transmitted = {
        "step": "complaint_transmitted",
        "cooperation_reference": complaint_reference,
        "complaint_id": filed["id"],
        "transmitted_on": "2027-06-01",
        "lead": IE,
        "assessment": "cross-border processing by a controller whose main establishment is in Ireland",
    }
    await step(cnil, tokens, case_id, transmitted)

    async with over_https(net.dpc_settings, net.clock, net.ca_file) as dpc:

        async def waiting_at_the_dpc() -> list[dict[str, Any]]:
            found = await read(dpc, tokens, "/cooperation/waiting")
            mine = [w for w in found if w["cooperation_reference"] == complaint_reference]
            return mine if len(mine) == 2 else []

        waiting = await eventually(waiting_at_the_dpc, timeout=60)
        assert [w["event_type"] for w in waiting] == [
            "docket.cooperation.complaint_registered",
            "docket.cooperation.complaint_transmitted",
        ]
        assert {w["sender"] for w in waiting} == {FR}
        dpc_case = await a_dpc_case(net.dpc_settings)
        dpc_frame = frame | {"role": "lead", "concerned": [{"authority": FR, "reasons": ["b", "c"]}]}
        path = f"/cases/{dpc_case}/cooperation/frame"
        await call(
            dpc, tokens, INVESTIGATOR, path, dpc_frame | {"expected_version": await version(dpc, tokens, dpc_case)}
        )
        attach = {"cooperation_reference": complaint_reference}
        attached = await call(
            dpc,
            tokens,
            INVESTIGATOR,
            f"/cases/{dpc_case}/cooperation/attach",
            attach | {"expected_version": await version(dpc, tokens, dpc_case)},
        )
        assert len(attached["events"]) == 2

        # Day 43, 15 June: the DPC confirms its competence for the complaint; the CNIL's case learns of it.
        net.clock.day = date(2027, 6, 15)
        confirmed = await step(
            dpc,
            tokens,
            dpc_case,
            {
                "step": "competence_confirmed",
                "confirmed_on": "2027-06-15",
                "procedure": "standard",
                "began": "complaint",
                "began_on": "2027-05-03",
                "complaint_reference": complaint_reference,
            },
        )
        reference = confirmed["events"][0]["data"]["cooperation_reference"]
        assert reference.startswith("IE-DPC/")
        await eventually(lambda: has(cnil, tokens, case_id, "docket.cooperation.competence_confirmed"), timeout=60)

        # Day 121, 1 September: the draft decision, submitted to the CNIL for its opinion.
        net.clock.day = date(2027, 9, 1)
        draft = {
            "step": "draft_decision_submitted",
            "cooperation_reference": reference,
            "draft": 1,
            "submitted_on": "2027-09-01",
            "consulted": [{"authority": FR, "consulted_on": "2027-09-01"}],
            "summary": "a reprimand, and an order to stop sharing location data without consent",
        }
        await step(dpc, tokens, dpc_case, draft, who=PRESIDENT)
        await eventually(lambda: has(cnil, tokens, case_id, "docket.cooperation.draft_decision_submitted"), timeout=60)

    # Day 140, 20 September: the DPC's installation is down; the CNIL objects, within its four weeks.
    net.clock.day = date(2027, 9, 20)
    objection = {
        "step": "objection_raised",
        "cooperation_reference": reference,
        "draft": 1,
        "raised_on": "2027-09-20",
        "concerns": "envisaged_action",
        "subject": "a reprimand does not end the sharing",
        "relevant": True,
        "reasoned": True,
        "risks": "millions of people in France keep being located for advertisers",
    }
    objected = await step(cnil, tokens, case_id, objection, who=PRESIDENT)
    objection_id = objected["events"][0]["event_id"]

    async def tried_while_down() -> bool:
        messages = (await read(cnil, tokens, f"/cases/{case_id}"))["cooperation_messages"]
        [mine] = [m for m in messages if m["event_id"] == objection_id]
        return mine["status"] == "pending" and bool(mine["detail"])  # an attempt failed, and it waits

    await eventually(tried_while_down, timeout=60)

    async with over_https(net.dpc_settings, net.clock, net.ca_file) as dpc:  # up again, on the same port
        await eventually(lambda: has(dpc, tokens, dpc_case, "docket.cooperation.objection_raised"), timeout=60)

        # Day 155, 5 October: the revised draft follows the objection; two weeks to object to it.
        net.clock.day = date(2027, 10, 5)
        revised = draft | {
            "draft": 2,
            "submitted_on": "2027-10-05",
            "consulted": [{"authority": FR, "consulted_on": "2027-10-05"}],
            "summary": "an order to stop sharing location data without consent within three months, and a fine",
        }
        await step(dpc, tokens, dpc_case, revised, who=PRESIDENT)
        await eventually(
            lambda: has(cnil, tokens, case_id, "docket.cooperation.draft_decision_submitted", 2), timeout=60
        )

        # Day 170, 20 October: two weeks of silence are agreement (GDPR Art 60(6)), as each installation finds.
        net.clock.day = date(2027, 10, 20)
        for served, case in ((cnil, case_id), (dpc, dpc_case)):
            await eventually(lambda s=served, c=case: has(s, tokens, c, "docket.cooperation.draft_deemed_agreed"))

        # Day 175, 25 October: the DPC adopts the final decision and notifies it (GDPR Art 60(7)).
        net.clock.day = date(2027, 10, 25)
        adopted = {
            "step": "decision_adopted",
            "cooperation_reference": reference,
            "adopted_on": "2027-10-25",
            "notified_on": "2027-10-25",
            "decision": "action",
            "summary": "Lumen Social is ordered to stop sharing location data without consent, and fined",
        }
        decided = await step(dpc, tokens, dpc_case, adopted, who=PRESIDENT)
        await eventually(lambda: has(cnil, tokens, case_id, "docket.cooperation.decision_adopted"), timeout=60)
        dpc_messages = (await read(dpc, tokens, f"/cases/{dpc_case}"))["cooperation_messages"]

    # The Board is told by other means than Docket: the DPC's case says so, beside what was delivered.
    decision_messages = {
        (m["authority"], m["status"]) for m in dpc_messages if m["event_type"] == "docket.cooperation.decision_adopted"
    }
    assert decision_messages == {(FR, "delivered"), ("EU-EDPB", "not_sent")}
    cnil_messages = (await read(cnil, tokens, f"/cases/{case_id}"))["cooperation_messages"]
    assert [(m["event_type"].rsplit(".", 1)[1], m["authority"], m["status"]) for m in cnil_messages] == [
        ("complaint_registered", IE, "delivered"),
        ("complaint_transmitted", IE, "delivered"),
        ("objection_raised", IE, "delivered"),
    ]
    history = await read(cnil, tokens, f"/cases/{case_id}/history")
    reported = [(e["type"].rsplit(".", 1)[1], e["actor"], e["actor_name"]) for e in history if e["actor_name"] == IE]
    assert reported == [
        ("competence_confirmed", "system:cooperation-exchange", IE),
        ("draft_decision_submitted", "system:cooperation-exchange", IE),
        ("draft_decision_submitted", "system:cooperation-exchange", IE),
        ("decision_adopted", "system:cooperation-exchange", IE),
    ]

    # The CNIL's case on a time axis, as the guide shows it: every event a mark, the cooperation's in its lane.
    picture = await cnil.http.get(f"/cases/{case_id}/timeline.svg", headers=tokens(INVESTIGATOR))
    assert picture.status_code == 200, picture.text
    marks = re.findall(r'data-versions="([^"]*)"', picture.text)
    assert sorted(int(v) for versions in marks for v in versions.split()) == [event["version"] for event in history]
    assert "decision adopted (IE-DPC)" in picture.text and "objection raised (FR-CNIL)" in picture.text
    guide_picture = Path(__file__).parents[2] / "docs" / "one-stop-shop-timeline.svg"
    if os.environ.get("DOCKET_REDRAW_PICTURES"):
        guide_picture.write_text(picture.text)
    assert picture.text == guide_picture.read_text(), "the guide's picture is stale: DOCKET_REDRAW_PICTURES=1"

    # The CNIL's complainant reads the decision, in French, with their remedies, and on the status page.
    async def decision_letter() -> dict[str, Any] | None:
        response = await net.notifier.http.get(
            "/notifications", params={"complaint_id": filed["id"]}, headers=tokens(INTAKE_OFFICER)
        )
        found = [n for n in response.json() if n["source_event_type"] == "docket.cooperation.decision_adopted"]
        return found[0] if found else None

    letter = await eventually(decision_letter, timeout=60)
    assert letter["recipient_role"] == "complainant"
    assert letter["subject"].startswith("Les autorités ont statué sur le responsable du traitement")
    assert "Conseil d'État" in letter["text"] and "78" in letter["text"]

    async def status_line() -> list[dict[str, Any]] | None:
        response = await net.intake.http.get(
            f"/complaints/{filed['reference']}/status", headers={"X-Status-Token": filed["status_token"]}
        )
        lines = [p for p in response.json()["progress"] if p["on"] == "2027-10-25"]
        return lines or None

    [line] = await eventually(status_line, timeout=60)
    assert line["text"]

    # A forged message, one of an authority not in the directory, and the decision's message again: each refused.
    dpc_key = OwnKey(net.dpc_settings.cooperation_signing_key.get_secret_value())
    impostor = OwnKey(new_signing_key())
    impostor.key_id = dpc_key.key_id  # the DPC's published kid, someone else's key
    directory = Directory.load(net.dpc_settings.cooperation_directory or "")
    nobody = PeerKeys(lambda url: asyncio.sleep(0, {}))
    event = CloudEvent(
        type="docket.cooperation.decision_adopted",
        source="/docket/IE-DPC/case",
        subject=str(uuid4()),
        dataschema="",
        data=adopted | {"authority": IE},
    )
    replayed = dataclasses.replace(event, id=decided["events"][0]["event_id"])
    tokens_sent = {
        "bad_signature": Exchange(IE, impostor, directory, nobody).sign(event, FR),
        "unknown_authority": Exchange("DE-BFDI", OwnKey(new_signing_key()), directory, nobody).sign(event, FR),
        "already_received": Exchange(IE, dpc_key, directory, nobody).sign(replayed, FR),
    }
    for reason, token in tokens_sent.items():
        answer = await cnil.http.post(
            "/cooperation/messages", content=token, headers={"content-type": "application/jwt"}
        )
        assert answer.json()["reason"] == reason


@pytest.mark.faults  # a minute of waiting: `make faults`
async def test_what_is_sent_to_a_peer_down_for_a_minute_arrives_once_and_in_order_when_it_is_up(network):
    net, tokens, cnil = network, network.tokens, network.cnil
    day = net.clock.today().isoformat()
    body = submission(
        controller={"name": "Umbra Analytics Ltd", "country": "IE", "website": "umbra.example"},
        complainant={"name": "Lucie Bernard", "email": "lucie.bernard@example.org", "country": "FR"},
        territory=["FR", "IE"],
        language="fr",
        narrative="Umbra Analytics keeps a profile of my purchases that I never agreed to.",
    )
    filed = (await net.intake.http.post("/complaints", json=body)).json()
    case_id = await case_of_complaint(net, filed)
    await at_version(cnil, tokens, case_id, f"/cases/{case_id}/cooperation/frame", led_by_the_dpc(day), INVESTIGATOR)
    registered = {"step": "complaint_registered", "complaint_id": filed["id"], "received_on": day, "presumed_lead": IE}
    answer = await step(cnil, tokens, case_id, registered)
    reference = answer["events"][0]["data"]["cooperation_reference"]
    transmitted = {
        "step": "complaint_transmitted",
        "cooperation_reference": reference,
        "complaint_id": filed["id"],
        "transmitted_on": day,
        "lead": IE,
        "assessment": "cross-border processing by a controller whose main establishment is in Ireland",
    }
    sent = [answer["events"][0]["event_id"], (await step(cnil, tokens, case_id, transmitted))["events"][0]["event_id"]]

    await asyncio.sleep(60)  # the DPC's installation is down a minute: the CNIL keeps trying, and keeps both
    messages = (await read(cnil, tokens, f"/cases/{case_id}"))["cooperation_messages"]
    assert [(m["event_id"], m["status"]) for m in messages] == [(sent[0], "pending"), (sent[1], "pending")]
    assert messages[0]["detail"]  # why its last attempt failed; the second waits behind it, in the case's order

    async with over_https(net.dpc_settings, net.clock, net.ca_file) as dpc:

        async def both_delivered() -> bool:
            messages = (await read(cnil, tokens, f"/cases/{case_id}"))["cooperation_messages"]
            return [m["status"] for m in messages] == ["delivered", "delivered"]

        await eventually(both_delivered, timeout=60)
        found = await read(dpc, tokens, "/cooperation/waiting")
    waiting = [w for w in found if w["cooperation_reference"] == reference]
    assert [w["event_type"] for w in waiting] == [  # each once, in the order sent
        "docket.cooperation.complaint_registered",
        "docket.cooperation.complaint_transmitted",
    ]
