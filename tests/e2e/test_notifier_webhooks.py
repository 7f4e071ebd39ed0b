"""Webhooks and letters end to end: events on the real Kafka broker, the notifier on a real PostgreSQL,
a real local HTTP receiver that verifies Standard Webhooks signatures, and a real SMTP server (aiosmtpd).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller as SmtpController

from docket_contracts import topics
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import (
    CaseOpened,
    Controller,
    FineCap,
    FormalNoticeIssued,
    InvestigationOpened,
    Order,
    Payload,
    SanctionImposed,
)
from docket_contracts.registry import new_event
from docket_devstack.database import provision
from docket_devstack.kafka import KafkaBroker
from docket_devstack.ports import free_port
from docket_devstack.staff import ADMINISTRATOR, Tokens
from docket_devstack.webhook_receiver import WebhookReceiver
from docket_messaging.access import KafkaAccess
from docket_messaging.codec import encode
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app
from tests.apps import Running, serve
from tests.factories import openable_complaint_filed
from tests.kafka_reader import eventually, headers, read_topic

pytestmark = pytest.mark.e2e

LIFECYCLE = [
    "docket.case.opened",
    "docket.investigation.opened",
    "docket.formal_notice.issued",
    "docket.sanction.imposed",
]


class Mailbox:
    """aiosmtpd handler: keeps every message the server accepted."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = SmtpController(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@dataclass(frozen=True)
class AheadClock:
    """The regulator's calendar 100 days from now, so that Art 78(2) reminders fall due at once."""

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(days=100)

    def today(self) -> date:
        return self.now().date()


class Bearer(httpx.Auth):
    """A token on every request, fetched again before it expires: `fetch` is e.g. `tokens.integrator`."""

    def __init__(self, fetch: Callable[[], dict[str, str]]) -> None:
        self.fetch = fetch

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self.fetch())
        yield request


@dataclass
class Stack:
    """The notifier, a producer standing in for the other services, and the callers of its API: the demo
    integrator (the default), who owns the subscriptions and follows their deliveries, and an administrator,
    who sets controllers' contacts and reads the letters (`auth=stack.administrator`)."""

    settings: NotifierSettings
    reader: KafkaAccess
    producer: AIOKafkaProducer
    integrator: httpx.Auth
    administrator: httpx.Auth
    notifier: Running | None = None
    _serving: AbstractAsyncContextManager[Running] | None = None

    async def start(self) -> None:
        self._serving = serve(create_app(self.settings, clock=AheadClock()))
        self.notifier = await self._serving.__aenter__()
        self.notifier.http.auth = self.integrator

    async def stop(self) -> None:
        """Lifespan shutdown: consumer and workers are cancelled, whatever they were doing."""
        assert self._serving is not None
        await self._serving.__aexit__(None, None, None)
        self.notifier = self._serving = None

    async def publish(self, payload: Payload, subject: uuid.UUID, sequence: int | None = None) -> CloudEvent:
        event = new_event(payload, source="/docket/test", subject=str(subject), sequence=sequence)
        topic = topics.COMPLAINTS if event.type.startswith("docket.complaint.") else topics.CASES
        message = encode(event, topic)
        await self.producer.send_and_wait(message.topic, message.value, key=message.key, headers=message.headers)
        return event

    @property
    def http(self) -> httpx.AsyncClient:
        assert self.notifier is not None
        return self.notifier.http


@pytest.fixture(scope="module")
def kafka(tmp_path_factory: pytest.TempPathFactory, keycloak) -> Iterator[KafkaBroker]:
    """A broker of this module's own: it publishes complaint.filed events that no case service consumes, and
    other modules count what their case service consumes from the same topic."""
    broker = KafkaBroker(tmp_path_factory.mktemp("kafka-notifier"), keycloak)
    with broker:
        yield broker


@pytest.fixture(scope="module")
async def stack(postgres, kafka, mailbox, configure, tokens: Tokens) -> AsyncIterator[Stack]:
    _, smtp_port = mailbox
    # A database of its own (its reminders would otherwise cover every complainant other modules filed), reached
    # with the notifier's role; the key store is the run's, the one `personal` seals test complaints with.
    own = await asyncio.to_thread(provision, postgres, "notifier_e2e")
    settings = configure(
        NotifierSettings,
        database_url=own.notifier,
        migrate_on_start=True,
        migration_database_url=own.migrator,
        kafka_bootstrap_servers=kafka.bootstrap_servers,
        relay_poll_interval_s=1.0,
        webhook_allow_list=["127.0.0.0/8"],
        webhook_timeout_s=1.0,
        retry_max_attempts=5,
        retry_base_delay_s=0.05,
        retry_max_delay_s=0.3,
        delivery_interval_s=0.05,
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        smtp_timeout_s=5.0,
        staff_email="casework@authority.example",
    )
    # Standing in for both intake and the case service, it signs in as the broker's super user.
    producer = AIOKafkaProducer(**kafka.admin.options(), enable_idempotence=True)
    await producer.start()
    stack = Stack(
        settings,
        kafka.operator,
        producer,
        integrator=Bearer(tokens.integrator),
        administrator=Bearer(lambda: tokens(ADMINISTRATOR)),
    )
    try:
        await stack.start()
        yield stack
    finally:
        if stack.notifier is not None:
            await stack.stop()
        await producer.stop()


async def subscribe(
    stack: Stack, receiver: WebhookReceiver, controller_key: str, event_types: list[str] = LIFECYCLE
) -> dict:
    response = await stack.http.post(
        "/subscriptions", json={"url": receiver.url, "event_types": event_types, "controller_key": controller_key}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    receiver.secret = created["secret"]
    return created


async def until(condition: Callable[[], object], timeout: float = 30) -> None:
    async def probe() -> object:
        return condition()

    await eventually(probe, timeout=timeout)


def controller() -> Controller:
    key = f"acme-{uuid.uuid4().hex[:8]}"
    return Controller(key=key, name=f"Acme {key[-4:]}")


async def open_case(stack: Stack, on: Controller) -> tuple[uuid.UUID, CloudEvent]:
    case_id = uuid.uuid4()
    return case_id, await stack.publish(
        CaseOpened(
            case_id=case_id,
            controller=on,
            complaint_id=uuid.uuid4(),
            complaint_kind="art77_complaint",
            opened_on=date(2020, 5, 25),
        ),
        case_id,
        1,
    )


def step(case_id: uuid.UUID, n: int) -> InvestigationOpened:
    return InvestigationOpened(case_id=case_id, opened_on=date(2020, 8, 1) + timedelta(days=n), scope=f"step {n}")


async def test_an_event_reaches_the_receiver_signed_as_a_cloudevent(stack):
    on = controller()
    async with WebhookReceiver() as receiver:
        await subscribe(stack, receiver, on.key)
        case_id, opened = await open_case(stack, on)
        await until(lambda: receiver.accepted, timeout=30)
    [request] = receiver.requests
    assert request.verified and request.headers["content-type"] == "application/cloudevents+json"
    assert request.headers["webhook-signature"].startswith("v1,")
    event = receiver.events_in_order()[0]
    assert (event["id"], event["type"], event["subject"], event["sequence"]) == (
        opened.id,
        "docket.case.opened",
        str(case_id),
        "1",
    )
    assert event["data"]["controller"]["key"] == on.key and event["specversion"] == "1.0"

    async def recorded() -> list[dict]:  # the receiver answered; the notifier records that just after
        found = (await stack.http.get("/deliveries", params={"event_id": opened.id})).json()
        return found if found and found[0]["status"] == "delivered" else []

    [delivery] = await eventually(recorded)
    assert delivery["id"] == request.webhook_id
    assert delivery["log"][0]["status_code"] == 204 and delivery["log"][0]["latency_ms"] >= 0


def flaky():
    """A plan where, in the order the receiver first sees them, deliveries succeed at once, fail once (500),
    or fail twice: a 500, then alternately a closed connection or an answer slower than the sender's
    timeout (which takes effect although the sender gives up and tries again)."""
    seen: dict[str, int] = {}

    def plan(webhook_id: str, k: int, event: dict):
        index = seen.setdefault(webhook_id, len(seen))
        if k > index % 3:
            return "ok"
        if k == 1:
            return "fail"
        return "close" if (index // 3) % 2 == 0 else "slow"

    return plan


async def test_a_flaky_receiver_gets_every_event_once_in_effect_in_order_per_case_across_a_restart(stack):
    on = controller()
    async with WebhookReceiver(plan=flaky(), slow_s=1.5) as receiver:
        sub = await subscribe(stack, receiver, on.key)
        cases = {}
        for _ in range(3):
            case_id, opened = await open_case(stack, on)
            cases[case_id] = [opened.id]
        for n in range(2, 4):
            for case_id in cases:
                cases[case_id].append((await stack.publish(step(case_id, n), case_id, n)).id)
        await until(lambda: len(receiver.accepted) >= 4, timeout=30)

        await stack.stop()  # mid-stream: some deliveries in flight or waiting for a retry
        for n in range(4, 7):  # published while the notifier is down
            for case_id in cases:
                cases[case_id].append((await stack.publish(step(case_id, n), case_id, n)).id)
        await stack.start()

        expected = sum(len(ids) for ids in cases.values())
        await until(lambda: len(receiver.accepted) == expected, timeout=45)
        await asyncio.sleep(0.5)  # anything still in flight would show up as a second effect below

    assert all(r.verified for r in receiver.requests)
    assert len(receiver.accepted) == expected  # one effect per webhook-id ...
    effects = defaultdict(list)
    for event in receiver.events_in_order():
        effects[event["subject"]].append(event["id"])
    assert {str(case_id): ids for case_id, ids in cases.items()} == dict(effects)  # ... one per event, in order
    assert len(receiver.requests) > expected  # failures were retried
    assert {r.answered for r in receiver.requests} >= {"ok", "fail", "close", "slow"}

    async def all_recorded() -> list[dict]:
        found = (await stack.http.get(f"/subscriptions/{sub['id']}/deliveries")).json()
        return found if {d["status"] for d in found} == {"delivered"} else []

    log = await eventually(all_recorded)
    assert max(d["attempts"] for d in log) >= 3


async def test_410_gone_disables_the_subscription(stack):
    on = controller()
    async with WebhookReceiver(plan=lambda webhook_id, k, event: "gone") as receiver:
        sub = await subscribe(stack, receiver, on.key)
        _, opened = await open_case(stack, on)

        async def disabled():
            return (await stack.http.get(f"/subscriptions/{sub['id']}")).json()["status"] == "disabled"

        await eventually(disabled, timeout=30)
        _case_id, _ = await open_case(stack, on)
        await asyncio.sleep(0.5)
    assert len(receiver.requests) == 1  # not retried, and nothing more is sent
    [delivery] = (await stack.http.get("/deliveries", params={"event_id": opened.id})).json()
    assert delivery["status"] == "dead" and "410 Gone" in delivery["dead_reason"]
    assert (await stack.http.get(f"/subscriptions/{sub['id']}/deliveries")).json() == [delivery]


async def test_a_dead_lettered_delivery_is_redelivered_through_the_endpoint_while_others_flow(stack):
    on = controller()
    refused_case = uuid.uuid4()
    down = {str(refused_case)}

    def plan(webhook_id: str, k: int, event: dict):
        return "fail" if event["subject"] in down else "ok"

    async with WebhookReceiver(plan=plan) as receiver:
        await subscribe(stack, receiver, on.key)
        refused = await stack.publish(
            CaseOpened(
                case_id=refused_case,
                controller=on,
                complaint_id=uuid.uuid4(),
                complaint_kind="art77_complaint",
                opened_on=date(2020, 5, 25),
            ),
            refused_case,
            1,
        )
        _, other = await open_case(stack, on)  # another case of the same subscriber is not held up

        async def dead():
            found = (await stack.http.get("/deliveries", params={"event_id": refused.id})).json()
            return found[0] if found and found[0]["status"] == "dead" else None

        dead_letter = await eventually(dead, timeout=30)
        assert dead_letter["dead_reason"].startswith("gave up after 5 attempts") and len(dead_letter["log"]) == 5
        assert other.id in {e["id"] for e in receiver.events_in_order()}

        down.clear()
        response = await stack.http.post(f"/deliveries/{dead_letter['id']}/redeliver")
        assert response.status_code == 202
        await until(lambda: dead_letter["id"] in receiver.accepted, timeout=30)
    assert receiver.accepted[dead_letter["id"]]["id"] == refused.id
    assert receiver.tries(dead_letter["id"]) == 6

    async def delivered() -> bool:
        return (await stack.http.get(f"/deliveries/{dead_letter['id']}")).json()["status"] == "delivered"

    await eventually(delivered)


async def test_a_poison_event_is_dead_lettered_and_the_next_event_is_delivered(stack):
    on = controller()
    async with WebhookReceiver() as receiver:
        await subscribe(stack, receiver, on.key)
        poison_key = f"poison-{uuid.uuid4()}".encode()
        await stack.producer.send_and_wait(
            topics.CASES, b'{"case_id": "not a case"}', key=poison_key, headers=[("ce_type", b"docket.case.opened")]
        )
        _, opened = await open_case(stack, on)
        await until(lambda: opened.id in {e["id"] for e in receiver.events_in_order()})

    async def parked():
        return [
            r
            for r in await read_topic(stack.reader, topics.dead_letter_topic("docket-notifier"))
            if r.key == poison_key
        ]

    [record] = await eventually(parked, timeout=30)
    assert "missing CloudEvents header" in headers(record)["dlq_reason"]


async def test_letters_reach_complainant_controller_and_staff_over_smtp(stack, mailbox, personal):
    box, _ = mailbox
    on = controller()
    complainant = f"{uuid.uuid4().hex[:10]}@example.org"
    dpo = f"dpo-{uuid.uuid4().hex[:6]}@{on.key}.example"
    assert (
        await stack.http.put(f"/controllers/{on.key}/contact", json={"email": dpo}, auth=stack.administrator)
    ).status_code == 200
    # sealed with the complainant's key, as intake files it: the notifier opens the address to write to it
    filed = await openable_complaint_filed(personal, email=complainant, controller=on)
    case_id = uuid.uuid4()
    await stack.publish(filed, filed.complaint_id)
    await stack.publish(
        CaseOpened(
            case_id=case_id,
            controller=on,
            complaint_id=filed.complaint_id,
            complaint_kind="art77_complaint",
            opened_on=date(2020, 5, 25),
        ),
        case_id,
        1,
    )
    await stack.publish(
        FormalNoticeIssued(
            case_id=case_id,
            notice_id=uuid.uuid4(),
            issued_on=date(2021, 11, 26),
            compliance_deadline=date(2022, 1, 26),
            orders=(Order(point="f", text="stop the processing of the data of people in France"),),
        ),
        case_id,
        2,
    )
    await stack.publish(
        SanctionImposed(
            case_id=case_id,
            sanction_id=uuid.uuid4(),
            decided_on=date(2022, 10, 17),
            fine_eur=20_000_000,
            articles_infringed=(6, 12, 15, 17),
            cap=FineCap(
                paragraph="83(5)", fixed_eur=20_000_000, turnover_percent=4, turnover_eur=None, cap_eur=20_000_000
            ),
        ),
        case_id,
        3,
    )

    await until(lambda: len(box.to(complainant)) >= 4 and len(box.to(dpo)) >= 2)
    to_complainant = sorted(m["Subject"] for m in box.to(complainant))
    assert all(filed.reference in subject for subject in to_complainant)
    assert {s.split(" (")[0] for s in to_complainant} == {
        "Your complaint was received",
        "A case was opened",
        "A formal notice was issued",
        "A sanction was imposed",
    }
    notice, decision = sorted(box.to(dpo), key=lambda m: m["Subject"])
    assert notice["Subject"] == "Formal notice of 26 November 2021"
    assert "Art 58(2)(f) GDPR: stop the processing" in notice.get_body(("plain",)).get_content()
    assert "<li>Art 58(2)(f) GDPR" in notice.get_body(("html",)).get_content()
    assert decision["Subject"] == "Sanction decision of 17 October 2022"
    assert "EUR 20,000,000" in decision.get_body(("plain",)).get_content()

    async def reminded():
        return [m for m in box.to("casework@authority.example") if filed.reference in m["Subject"]]

    [reminder, *_] = await eventually(reminded, timeout=30)
    assert "Art 78(2)" in reminder["Subject"]

    async def all_sent() -> bool:  # the server has the mail; the notifier records that just after
        letters = (
            await stack.http.get("/notifications", params={"case_id": str(case_id)}, auth=stack.administrator)
        ).json()
        return {letter["email_status"] for letter in letters if letter["recipient_role"] != "staff"} == {"sent"}

    await eventually(all_sent)
