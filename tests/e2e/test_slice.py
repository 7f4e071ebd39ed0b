"""The thin slice end to end, on the real broker and the real database:
POST /complaints -> complaint.filed -> case.opened -> a notification, each visible through a GET.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Generator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from docket_contracts import topics
from docket_devstack.kafka import KafkaBroker
from docket_devstack.staff import INTAKE_OFFICER, INVESTIGATOR, Tokens
from services.case.config import CaseSettings
from services.case.main import create_app as case_app
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import Running, serve
from tests.factories import JEANNE, submission
from tests.kafka_reader import eventually, headers, read_topic

pytestmark = pytest.mark.e2e


@dataclass
class Docket:
    intake: Running
    case: Running
    notifier: Running
    kafka: KafkaBroker


class Staff(httpx.Auth):
    """A staff member's bearer token on every request, fetched again before it expires."""

    def __init__(self, tokens: Tokens, user: str) -> None:
        self.tokens, self.user = tokens, user

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self.tokens(self.user))
        yield request


@pytest.fixture(scope="module")
async def docket(configure, kafka, tokens: Tokens) -> AsyncIterator[Docket]:
    common = {"kafka_bootstrap_servers": kafka.bootstrap_servers, "relay_poll_interval_s": 1.0}
    async with AsyncExitStack() as stack:
        intake, case, notifier = [
            await stack.enter_async_context(serve(factory(configure(settings, **common))))
            for factory, settings in (
                (intake_app, IntakeSettings),
                (case_app, CaseSettings),
                (notifier_app, NotifierSettings),
            )
        ]
        # The complainant files without a token; staff read cases and letters with theirs.
        case.http.auth = Staff(tokens, INVESTIGATOR)
        notifier.http.auth = Staff(tokens, INTAKE_OFFICER)
        yield Docket(intake, case, notifier, kafka=kafka)


def complaint(controller: str) -> dict:
    return submission(controller={"name": controller}, articles_alleged=[12, 15, 17])


async def case_of(docket: Docket, complaint_id: str) -> dict | None:
    found = (await docket.case.http.get("/cases", params={"complaint_id": complaint_id})).json()["items"]
    return found[0] if found else None


async def test_a_complaint_opens_a_case_and_the_complainant_is_notified(docket):
    controller = f"Clearview AI {uuid4().hex[:6]}"
    filed = (await docket.intake.http.post("/complaints", json=complaint(controller))).json()

    case = await eventually(lambda: case_of(docket, filed["id"]))
    assert case["status"] == "open" and case["version"] == 1
    assert case["controller_name"] == controller
    detail = (await docket.case.http.get(f"/cases/{case['case_id']}")).json()
    assert detail["complaint_count"] == 1
    listed = (await docket.case.http.get(f"/cases/{case['case_id']}/complaints")).json()
    assert listed["items"] == [
        {
            "complaint_id": filed["id"],
            "kind": "art77_complaint",
            "received_on": filed["received_on"],
            "linked_at_version": 1,
        }
    ]
    assert detail["controller"]["key"] == case["controller_key"]

    async def letters():
        response = await docket.notifier.http.get("/notifications", params={"complaint_id": filed["id"]})
        found = response.json()
        return (
            found
            if {n["source_event_type"] for n in found} >= {"docket.complaint.filed", "docket.case.opened"}
            else None
        )

    notes = await eventually(letters)
    assert {n["recipient_role"] for n in notes} == {"complainant"}
    # intake sealed the complainant's name and address; the notifier opened them with the key store
    assert {(n["recipient_name"], n["recipient_address"]) for n in notes} == {JEANNE}
    assert any(n["case_id"] == case["case_id"] for n in notes)
    one = notes[0]
    assert (await docket.notifier.http.get(f"/notifications/{one['id']}")).json() == one

    [history] = (await docket.case.http.get(f"/cases/{case['case_id']}/history")).json()
    assert history["type"] == "docket.case.opened" and history["version"] == 1


async def test_events_on_the_topics_are_cloudevents_keyed_by_aggregate(docket):
    filed = (await docket.intake.http.post("/complaints", json=complaint(f"Acme {uuid4().hex[:6]}"))).json()
    case = await eventually(lambda: case_of(docket, filed["id"]))

    async def on_topic(topic: str, subject: str, event_type: str):
        found = await read_topic(docket.kafka.operator, topic)
        return [r for r in found if r.key == subject.encode() and headers(r)["ce_type"] == event_type]

    # The filing's complaint.address_code_issued goes before it, under the same key.
    [filed_record] = await eventually(lambda: on_topic(topics.COMPLAINTS, filed["id"], "docket.complaint.filed"))
    [opened_record] = await eventually(lambda: on_topic(topics.CASES, case["case_id"], "docket.case.opened"))
    filed_headers, opened_headers = headers(filed_record), headers(opened_record)
    assert filed_headers["ce_type"] == "docket.complaint.filed"
    assert filed_headers["ce_source"] == "/docket/intake"
    assert filed_headers["ce_specversion"] == "1.0"
    assert filed_headers["ce_dataschema"] == "urn:docket:schema:docket.complaint.filed:v4"
    assert filed_headers["content-type"] == "application/json"
    filed_data = json.loads(filed_record.value)
    assert filed_data["complaint_id"] == filed["id"]
    # personal data travels sealed with the complainant's key: nothing on the topic reads as who they are
    name, email = JEANNE
    for plaintext in (name, email, name.split()[-1], email.split("@")[0]):
        assert plaintext.encode() not in filed_record.value
        assert plaintext not in str(filed_record.headers)
    for field in ("name", "email"):
        assert set(filed_data["complainant"][field]) == {"subject", "ciphertext"}
        assert filed_data["complainant"][field]["subject"] == filed["id"]
    assert filed_data["complainant"]["country"] == "FR"
    assert opened_headers["ce_type"] == "docket.case.opened"
    assert opened_headers["ce_subject"] == case["case_id"]
    assert opened_headers["ce_sequence"] == "1"
    assert json.loads(opened_record.value)["complaint_id"] == filed["id"]


async def test_a_second_complaint_on_the_same_controller_joins_the_open_case(docket):
    controller = f"Clearview AI {uuid4().hex[:6]}"
    first = (await docket.intake.http.post("/complaints", json=complaint(controller))).json()
    # Once the first has opened the case: keyed by their own ids, two complaints may sit on different partitions,
    # and the case service could take the second first.
    case_one = await eventually(lambda: case_of(docket, first["id"]))
    second = (await docket.intake.http.post("/complaints", json=complaint(controller.upper()))).json()
    case_two = await eventually(lambda: case_of(docket, second["id"]))
    assert case_one["case_id"] == case_two["case_id"]

    async def both_linked():
        case = (await docket.case.http.get(f"/cases/{case_one['case_id']}")).json()
        return case if case["complaint_count"] == 2 else None

    case = await eventually(both_linked)
    assert case["version"] == 2
    listed = (await docket.case.http.get(f"/cases/{case['id']}/complaints")).json()
    assert [c["complaint_id"] for c in listed["items"]] == [first["id"], second["id"]] and listed["total"] == 2


async def test_a_poison_message_is_dead_lettered_and_the_next_complaint_still_flows(docket):
    producer = AIOKafkaProducer(**docket.kafka.service("intake").options())  # intake gone wrong
    await producer.start()
    poison_key = f"poison-{uuid4()}".encode()
    try:
        await producer.send_and_wait(
            topics.COMPLAINTS, b"{not json", key=poison_key, headers=[("ce_type", b"docket.complaint.filed")]
        )
    finally:
        await producer.stop()
    filed = (await docket.intake.http.post("/complaints", json=complaint(f"After {uuid4().hex[:6]}"))).json()
    assert await eventually(lambda: case_of(docket, filed["id"]))

    async def parked(group: str):
        return [
            r for r in await read_topic(docket.kafka.operator, topics.dead_letter_topic(group)) if r.key == poison_key
        ]

    for group in ("docket-case", "docket-notifier"):
        [record] = await eventually(lambda: parked(group))  # noqa: B023 - awaited in this iteration
        reason = headers(record)["dlq_reason"]
        assert "missing CloudEvents header" in reason and "ce_id" in reason
        assert headers(record)["dlq_source_topic"] == topics.COMPLAINTS
        assert record.value == b"{not json"


async def test_every_service_is_ready(docket):
    for service in (docket.intake, docket.case, docket.notifier):
        response = await service.http.get("/readyz")
        assert response.status_code == 200, response.text
        assert response.json()["checks"] == {"database": "ok", "kafka": "ok", "identity": "ok"}
