"""The notifier against a real PostgreSQL: the subscriptions API, what an event writes, and the workers
(webhooks, e-mail, reminders) driven one round at a time with fake outbound ports.

The notifier runs with its own database role in the shared database, so each test gives its webhooks a URL
of their own and looks only at what went there.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest
import sqlalchemy as sa

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import CaseOpened, FormalNoticeIssued, InvestigationOpened, Order, Payload, Sealed
from docket_contracts.registry import new_event
from docket_devstack.staff import ADMINISTRATOR, AUDITOR, INVESTIGATOR, Tokens, claims
from docket_messaging.backoff import RetrySchedule
from docket_privacy.personal import PersonalData
from docket_service.clock import Clock, SystemClock
from docket_service.database import make_engine
from services.notifier import store
from services.notifier.application import deliveries, letters, reminders
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app
from services.notifier.outbound import Answer
from tests.apps import Running, serve
from tests.factories import CLEARVIEW, openable_complaint_filed

pytestmark = pytest.mark.service

SYSTEM_CLOCK = SystemClock()

FAST = RetrySchedule(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02)
HOOK = "http://127.0.0.1:9/hook"


def hook() -> str:
    """A webhook URL of the test's own (loopback, allowed by the test settings' allow list)."""
    return f"{HOOK}/{uuid.uuid4().hex}"


def settings(configure, bootstrap: str, **changes) -> NotifierSettings:
    values = {
        "kafka_bootstrap_servers": bootstrap,
        "migrate_on_start": False,
        "run_relay": False,
        "run_consumer": False,
        "run_deliveries": False,
        "webhook_allow_list": ["127.0.0.0/8"],
    }
    return configure(NotifierSettings, **(values | changes))


@pytest.fixture
async def notifier(configure, closed_port_bootstrap, tokens: Tokens) -> AsyncIterator[Running]:
    async with serve(create_app(settings(configure, closed_port_bootstrap))) as running:
        running.http.headers.update(tokens(ADMINISTRATOR))  # an administrator; other callers bring their token
        yield running


def personal_of(running: Running) -> PersonalData:
    """The notifier's own view of the key store."""
    return running.app.state.personal


async def beneath(database_url: str, sql: str, **params) -> object:
    """One value read as the database superuser, beneath the notifier and its key store."""
    engine = make_engine(database_url, "notifier")
    try:
        async with engine.connect() as connection:
            return (await connection.execute(sa.text(sql), params)).scalar_one()
    finally:
        await engine.dispose()


def subject_of(headers: dict[str, str]) -> str:
    return claims(headers["Authorization"].removeprefix("Bearer "))["sub"]


@dataclass
class FakeSender:
    """Answers by script per URL; records every POST it was given."""

    answers: dict[str, list[int | None]] = field(default_factory=dict)
    posts: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    delay: float = 0.0

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Answer:
        self.posts.append((url, headers, body))
        if self.delay:
            await asyncio.sleep(self.delay)
        script = self.answers.get(url, [])
        status = script.pop(0) if script else 200
        return Answer(status, None if status else "ConnectError: connection refused", 1)

    def to(self, url: str) -> list[tuple[dict[str, str], bytes]]:
        return [(headers, body) for posted, headers, body in self.posts if posted == url]


async def feed(
    running: Running, payload: Payload, subject: uuid.UUID, sequence: int | None = None, time: datetime | None = None
) -> CloudEvent:
    """Take an event in as the consumer would: its handler, in one transaction."""
    event = new_event(
        payload, source="/docket/case", subject=str(subject), sequence=sequence, **({"time": time} if time else {})
    )
    async with running.runtime.sessions() as session, session.begin():
        await running.runtime.handlers[event.type](session, event, payload)
    return event


async def subscribe(running: Running, headers: dict[str, str] | None = None, **body) -> dict:
    response = await running.http.post("/subscriptions", json={"url": hook(), **body}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def deliver(running: Running, sender: FakeSender, schedule: RetrySchedule = FAST, batch_size: int = 50) -> int:
    return await deliveries.deliver_due_webhooks(
        running.runtime.sessions, personal_of(running), sender, schedule=schedule, batch_size=batch_size, timeout_s=1.0
    )


async def deliver_until_quiet(
    running: Running, sender: FakeSender, sub: dict, schedule: RetrySchedule = FAST, rounds: int = 200
) -> None:
    """Run delivery rounds until nothing is attempted and `sub` has nothing pending."""
    for _ in range(rounds):
        attempted = await deliver(running, sender, schedule)
        pending = await running.http.get(f"/subscriptions/{sub['id']}/deliveries", params={"status": "pending"})
        if not attempted and not pending.json():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("deliveries still pending")


def signed_by(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Whether one of the request's Standard Webhooks signatures is made with `secret`."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return expected in headers["webhook-signature"].split(" ")


def investigation(case_id: uuid.UUID, n: int) -> InvestigationOpened:
    return InvestigationOpened(case_id=case_id, opened_on=date(2020, 8, n), scope=f"step {n}")


# --- the subscriptions API --------------------------------------------------------------------------------


async def test_a_subscription_shows_its_secret_once_and_can_be_rotated_paused_resumed_deleted(
    notifier, tokens, database_url
):
    created = await subscribe(notifier, event_types=["docket.case.closed"], controller_key="clearview-ai")
    assert created["secret"].startswith("whsec_") and created["status"] == "active"
    assert created["owner"] == tokens.subject(ADMINISTRATOR)
    path = f"/subscriptions/{created['id']}"
    shown = (await notifier.http.get(path)).json()
    assert "secret" not in shown and shown["controller_key"] == "clearview-ai"

    rotated = (await notifier.http.post(f"{path}/rotate-secret")).json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert datetime.fromisoformat(rotated["previous_secret_valid_until"]) > datetime.now(UTC) + timedelta(hours=23)

    assert (await notifier.http.post(f"{path}/pause")).json()["status"] == "paused"
    assert (await notifier.http.post(f"{path}/resume")).json()["status"] == "active"
    assert (await notifier.http.delete(path)).status_code == 204
    assert (await notifier.http.get(path)).status_code == 404
    # Deleting it destroyed the key its secrets were sealed with.
    assert await beneath(
        database_url,
        "SELECT EXISTS (SELECT FROM keystore.erasures WHERE subject_id = :id) "
        "AND NOT EXISTS (SELECT FROM keystore.subject_keys WHERE subject_id = :id)",
        id=created["id"],
    )
    assert (await notifier.http.get(f"{path}/deliveries")).status_code == 404
    for action in ("pause", "resume", "rotate-secret"):
        assert (await notifier.http.post(f"{path}/{action}")).status_code == 404


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({"url": "ftp://example.com/x", "event_types": ["docket.case.closed"]}, ["body", "url"], "http or https"),
        ({"url": "http://10.0.0.5/hook", "event_types": ["docket.case.closed"]}, ["body", "url"], "10.0.0.5"),
        (
            {"url": "http://169.254.169.254/latest", "event_types": ["docket.case.closed"]},
            ["body", "url"],
            "link-local",
        ),
        (
            {"url": HOOK, "event_types": ["docket.case.closed", "docket.case.reopened"]},
            ["body", "event_types", 1],
            "docket.case.opened",
        ),
        ({"url": HOOK, "event_types": ["docket.notification.recorded"]}, ["body", "event_types", 0], ""),
        ({"url": HOOK, "event_types": []}, ["body", "event_types"], "at least 1"),
        (
            {"url": HOOK, "event_types": ["docket.case.closed"], "controller_key": "Not A Key"},
            ["body", "controller_key"],
            "pattern",
        ),
    ],
)
async def test_bad_subscriptions_get_422_naming_the_field(notifier, body, loc, words):
    response = await notifier.http.post("/subscriptions", json=body)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == loc and words in error["msg"]
    assert set(error) == {"loc", "msg", "type"}  # the value sent is not repeated


class InternalResolver:
    """Resolves every name to an address of Docket's own network, as an internal DNS name would."""

    async def resolve(self, host: str) -> list[str]:
        return ["10.0.3.7"]


async def test_private_addresses_need_the_allow_list(configure, closed_port_bootstrap, tokens):
    async with serve(create_app(settings(configure, closed_port_bootstrap, webhook_allow_list=[]))) as strict:
        response = await strict.http.post(
            "/subscriptions", json={"url": HOOK, "event_types": ["docket.case.closed"]}, headers=tokens(ADMINISTRATOR)
        )
    assert response.status_code == 422
    assert "not public (loopback)" in response.json()["detail"][0]["msg"]


async def test_a_refused_url_names_the_kind_of_address_not_how_the_name_resolves(
    configure, closed_port_bootstrap, tokens
):
    app = create_app(settings(configure, closed_port_bootstrap, webhook_allow_list=[]), resolver=InternalResolver())
    async with serve(app) as strict:
        response = await strict.http.post(
            "/subscriptions",
            headers=tokens.integrator(),
            json={"url": "https://db.internal/hook", "event_types": ["docket.case.closed"]},
        )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (
        error["msg"] == "host db.internal resolves to an address that is not public (private) and not on the allow-list"
    )
    assert "10.0.3.7" not in response.text


async def test_an_integrator_subscribes_only_to_the_event_types_its_scope_covers(notifier, tokens):
    integrator = tokens.integrator()
    url = hook()
    refused = await notifier.http.post(
        "/subscriptions", headers=integrator, json={"url": url, "event_types": ["docket.complaint.filed"]}
    )
    assert refused.status_code == 403, refused.text
    assert "docket.events.complaints" in refused.json()["detail"]
    assert "docket.complaint.filed" in refused.json()["detail"]
    mixed = await notifier.http.post(
        "/subscriptions",
        headers=integrator,
        json={"url": url, "event_types": ["docket.case.opened", "docket.complaint.filed"]},
    )
    assert mixed.status_code == 403 and "docket.events.complaints" in mixed.json()["detail"]
    assert url not in str((await notifier.http.get("/subscriptions", params={"limit": 500})).json())

    created = await notifier.http.post(
        "/subscriptions", headers=integrator, json={"url": url, "event_types": ["docket.case.opened"]}
    )
    assert created.status_code == 201, created.text
    assert created.json()["owner"] == subject_of(integrator) and created.json()["secret"].startswith("whsec_")
    assert (await notifier.http.delete(f"/subscriptions/{created.json()['id']}", headers=integrator)).status_code == 204


async def test_an_integrator_reaches_only_its_own_subscriptions(notifier, tokens):
    integrator = tokens.integrator()
    staff = await subscribe(notifier, event_types=["docket.case.opened"])
    own = await subscribe(notifier, headers=integrator, event_types=["docket.case.opened"])
    staff_path, own_path = f"/subscriptions/{staff['id']}", f"/subscriptions/{own['id']}"

    assert (await notifier.http.get(staff_path, headers=integrator)).status_code == 404
    assert (await notifier.http.post(f"{staff_path}/pause", headers=integrator)).status_code == 404
    for action in ("resume", "rotate-secret"):
        assert (await notifier.http.post(f"{staff_path}/{action}", headers=integrator)).status_code == 404
    assert (await notifier.http.get(f"{staff_path}/deliveries", headers=integrator)).status_code == 404
    assert (await notifier.http.delete(staff_path, headers=integrator)).status_code == 404
    assert (await notifier.http.get(staff_path)).json()["status"] == "active"  # untouched
    listed = (await notifier.http.get("/subscriptions", params={"limit": 500}, headers=integrator)).json()
    assert own["id"] in {s["id"] for s in listed} and staff["id"] not in {s["id"] for s in listed}
    assert {s["owner"] for s in listed} == {subject_of(integrator)}

    assert (await notifier.http.get(own_path, headers=integrator)).status_code == 200
    assert (await notifier.http.post(f"{own_path}/pause", headers=integrator)).json()["status"] == "paused"
    seen = (await notifier.http.get(own_path)).json()  # the administrator sees the integrator's
    assert (seen["owner"], seen["status"]) == (subject_of(integrator), "paused")
    everyone = {s["id"] for s in (await notifier.http.get("/subscriptions", params={"limit": 500})).json()}
    assert {staff["id"], own["id"]} <= everyone
    assert (await notifier.http.get(own_path, headers=tokens(AUDITOR))).status_code == 200
    assert (await notifier.http.get(own_path, headers=tokens(INVESTIGATOR))).status_code == 403
    for path in (staff_path, own_path):
        assert (await notifier.http.delete(path)).status_code == 204


async def test_the_signing_secret_is_stored_sealed_and_signs_the_deliveries(notifier, database_url):
    case = uuid.uuid4()
    sub = await subscribe(notifier, event_types=["docket.investigation.opened"], case_id=str(case))
    secret = sub["secret"]
    row = await beneath(database_url, "SELECT s::text FROM notifier.subscriptions s WHERE s.id = :id", id=sub["id"])
    assert sub["url"] in row  # the right row
    assert secret not in row and secret.removeprefix("whsec_") not in row
    stored = await beneath(database_url, "SELECT secret FROM notifier.subscriptions WHERE id = :id", id=sub["id"])
    assert Sealed.model_validate(stored).subject == uuid.UUID(sub["id"])

    sender = FakeSender()
    await feed(notifier, investigation(case, 1), case, 1)
    await deliver_until_quiet(notifier, sender, sub)
    [(headers, body)] = sender.to(sub["url"])
    assert signed_by(secret, headers, body)

    rotated = (await notifier.http.post(f"/subscriptions/{sub['id']}/rotate-secret")).json()["secret"]
    row = await beneath(database_url, "SELECT s::text FROM notifier.subscriptions s WHERE s.id = :id", id=sub["id"])
    for value in (secret, rotated):
        assert value not in row and value.removeprefix("whsec_") not in row
    await feed(notifier, investigation(case, 2), case, 2)
    await deliver_until_quiet(notifier, sender, sub)
    _, (headers, body) = sender.to(sub["url"])
    assert signed_by(rotated, headers, body) and signed_by(secret, headers, body)  # the old one within its grace
    assert not signed_by("whsec_" + base64.b64encode(b"x" * 32).decode(), headers, body)
    await notifier.http.delete(f"/subscriptions/{sub['id']}")


# --- what an event writes ---------------------------------------------------------------------------------


async def test_letters_are_stored_rendered_and_go_to_the_controller_once_its_address_is_known(notifier, tokens):
    personal = personal_of(notifier)
    controller = CLEARVIEW.model_copy(update={"key": f"clearview-{uuid.uuid4().hex[:8]}"})
    filed = await openable_complaint_filed(personal, controller=controller)
    alert = await openable_complaint_filed(personal, controller=controller, kind="alert")
    case_id = uuid.uuid4()
    await feed(notifier, filed, filed.complaint_id)
    await feed(notifier, alert, alert.complaint_id)
    await feed(
        notifier,
        CaseOpened(
            case_id=case_id,
            controller=controller,
            complaint_id=filed.complaint_id,
            complaint_kind="art77_complaint",
            opened_on=date(2020, 5, 25),
        ),
        case_id,
        1,
    )
    await feed(
        notifier,
        FormalNoticeIssued(
            case_id=case_id,
            notice_id=uuid.uuid4(),
            issued_on=date(2021, 11, 26),
            compliance_deadline=date(2022, 1, 26),
            orders=(Order(point="f", text="stop the processing"),),
        ),
        case_id,
        2,
    )

    letters = (
        await notifier.http.get("/notifications", params={"case_id": str(case_id)}, headers=tokens(INVESTIGATOR))
    ).json()
    by_role = defaultdict(list)
    for letter in letters:
        by_role[letter["recipient_role"]].append(letter)
    assert [letter["kind"] for letter in by_role["complainant"]] == ["progress", "progress"]
    assert {letter["recipient_address"] for letter in by_role["complainant"]} == {"jeanne.martin@example.org"}
    assert {letter["email_status"] for letter in by_role["complainant"]} == {"pending"}
    [notice] = by_role["controller"]
    assert (notice["kind"], notice["email_status"], notice["recipient_address"]) == (
        "formal_notice",
        "no_address",
        None,
    )
    assert "Art 58(2)(f) GDPR: stop the processing" in notice["text"] and "<li>" in notice["html"]
    alert_letters = await notifier.http.get("/notifications", params={"complaint_id": str(alert.complaint_id)})
    assert alert_letters.json() == []

    path = f"/controllers/{controller.key}/contact"
    refused = await notifier.http.put(path, json={"email": "dpo@clearview.example"}, headers=tokens(INVESTIGATOR))
    assert refused.status_code == 403
    assert (await notifier.http.get(path)).status_code == 404  # the investigator set nothing
    put = await notifier.http.put(path, json={"email": "dpo@clearview.example"})
    assert put.status_code == 200 and put.json()["email"] == "dpo@clearview.example"
    assert put.json()["updated_by"] == tokens.subject(ADMINISTRATOR)
    assert (await notifier.http.get(path, headers=tokens(AUDITOR))).json() == put.json()
    again = (await notifier.http.get(f"/notifications/{notice['id']}")).json()
    assert (again["email_status"], again["recipient_address"]) == ("pending", "dpo@clearview.example")
    bad = await notifier.http.put(path, json={"email": "not-an-address"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "email"]
    assert (await notifier.http.get("/controllers/nobody-here/contact")).status_code == 404


async def test_a_letter_to_a_complainant_is_stored_sealed_and_read_opened(notifier, tokens, database_url):
    marker = uuid.uuid4().hex
    name, address = f"Jeanne Martin {marker}", f"jeanne.{marker}@example.org"
    filed = await openable_complaint_filed(personal_of(notifier), name=name, email=address)
    await feed(notifier, filed, filed.complaint_id)

    [letter] = (
        await notifier.http.get(
            "/notifications", params={"complaint_id": str(filed.complaint_id)}, headers=tokens(INVESTIGATOR)
        )
    ).json()
    assert (letter["recipient_role"], letter["recipient_name"], letter["recipient_address"]) == (
        "complainant",
        name,
        address,
    )
    assert f"Dear {name}," in letter["text"] and filed.reference in letter["text"]
    assert filed.reference in letter["html"] and letter["email_status"] == "pending"

    clear = await beneath(
        database_url,
        "SELECT json_build_array(text, html, recipient_name, recipient_address) "
        "FROM notifier.notifications WHERE id = :id",
        id=letter["id"],
    )
    assert clear == ["", "", "", None]
    row = await beneath(database_url, "SELECT n::text FROM notifier.notifications n WHERE n.id = :id", id=letter["id"])
    assert filed.reference in row  # the subject line names the complaint, in clear
    for value in (name, address, marker, letter["text"], letter["html"]):
        assert value not in row
    sealed = await beneath(database_url, "SELECT personal FROM notifier.notifications WHERE id = :id", id=letter["id"])
    assert set(sealed) == {"recipient_name", "recipient_address", "text", "html"}
    assert {Sealed.model_validate(value).subject for value in sealed.values()} == {filed.complaint_id}
    # The notification.recorded it announced carries the letter sealed too.
    event = await beneath(
        database_url,
        "SELECT data::text FROM notifier.outbox WHERE subject = :id AND type = 'docket.notification.recorded'",
        id=letter["id"],
    )
    assert letter["id"] in event and name not in event and address not in event and marker not in event
    assert (await notifier.http.get(f"/notifications/{letter['id']}")).json() == letter


async def test_a_filtered_subscription_gets_only_its_case_and_a_redelivered_event_only_once(notifier):
    case_id, other_case = uuid.uuid4(), uuid.uuid4()
    sub = await subscribe(notifier, event_types=["docket.investigation.opened"], case_id=str(case_id))
    event = await feed(notifier, investigation(case_id, 1), case_id, 2)
    await feed(notifier, investigation(other_case, 1), other_case, 2)
    async with notifier.runtime.sessions() as session, session.begin():  # the consumer seeing it again
        await store.enqueue_deliveries(session, event, None, case_id)
    found = (await notifier.http.get(f"/subscriptions/{sub['id']}/deliveries")).json()
    assert [(d["event_id"], d["status"], d["ordering_key"]) for d in found] == [(event.id, "pending", str(case_id))]
    await notifier.http.delete(f"/subscriptions/{sub['id']}")


# --- the webhook worker -----------------------------------------------------------------------------------


async def test_each_case_reaches_a_subscriber_in_order_one_in_flight_despite_failures(notifier):
    cases = [uuid.uuid4() for _ in range(3)]
    sub = await subscribe(notifier, event_types=["docket.investigation.opened"])
    sent = {case: [(await feed(notifier, investigation(case, n), case, n)).id for n in range(1, 5)] for case in cases}
    sender = FakeSender(answers={sub["url"]: [500, None, 200, 503, 200, 502] * 4})
    await deliver_until_quiet(
        notifier, sender, sub, RetrySchedule(max_attempts=20, base_delay_s=0.01, max_delay_s=0.02)
    )

    delivered_order: dict[str, list[str]] = defaultdict(list)
    ids_per_event: dict[str, set[str]] = defaultdict(set)
    for headers, body in sender.to(sub["url"]):
        event = json.loads(body)
        ids_per_event[event["id"]].add(headers["webhook-id"])
        if event["id"] not in delivered_order[event["subject"]]:
            delivered_order[event["subject"]].append(event["id"])
    assert {str(case): order for case, order in sent.items()} == dict(delivered_order)
    assert all(len(ids) == 1 for ids in ids_per_event.values())  # the same webhook-id on every attempt

    log = (await notifier.http.get(f"/subscriptions/{sub['id']}/deliveries")).json()
    assert len(log) == 12 and {d["status"] for d in log} == {"delivered"}
    retried = [d for d in log if d["attempts"] > 1]
    assert retried and all(d["next_attempt_at"] is None for d in log)
    assert {a["verdict"] for d in retried for a in d["log"]} == {"retry", "delivered"}
    assert any(a["status_code"] is None and "ConnectError" in a["error"] for d in retried for a in d["log"])
    await notifier.http.delete(f"/subscriptions/{sub['id']}")


async def test_two_workers_never_send_the_same_attempt(notifier):
    sub = await subscribe(notifier, event_types=["docket.investigation.opened"])
    for _ in range(10):
        case = uuid.uuid4()
        await feed(notifier, investigation(case, 1), case, 1)
    sender = FakeSender(delay=0.05)
    await asyncio.gather(*(deliver(notifier, sender, batch_size=4) for _ in range(6)))
    await deliver_until_quiet(notifier, sender, sub)
    counts = Counter(headers["webhook-id"] for headers, _ in sender.to(sub["url"]))
    assert len(counts) == 10 and set(counts.values()) == {1}
    await notifier.http.delete(f"/subscriptions/{sub['id']}")


async def test_410_disables_the_subscription_and_paused_deliveries_wait(notifier):
    gone_url, case = f"http://127.0.0.1:9/gone/{uuid.uuid4().hex}", uuid.uuid4()
    sub = await subscribe(notifier, url=gone_url, event_types=["docket.investigation.opened"])
    await feed(notifier, investigation(case, 1), case, 1)
    await feed(notifier, investigation(case, 2), case, 2)
    sender = FakeSender(answers={gone_url: [410]})
    await deliver(notifier, sender)
    shown = (await notifier.http.get(f"/subscriptions/{sub['id']}")).json()
    assert shown["status"] == "disabled" and "410 Gone" in shown["disabled_reason"]
    first, second = (await notifier.http.get(f"/subscriptions/{sub['id']}/deliveries")).json()
    assert (first["status"], second["status"]) == ("dead", "pending")
    assert "410 Gone" in first["dead_reason"]
    await deliver(notifier, sender)
    assert len(sender.to(gone_url)) == 1  # nothing goes to a disabled subscription
    await notifier.http.post(f"/subscriptions/{sub['id']}/resume")
    await deliver_until_quiet(notifier, sender, sub)
    assert len(sender.to(gone_url)) == 2
    await notifier.http.delete(f"/subscriptions/{sub['id']}")


async def test_a_dead_letter_frees_its_case_and_can_be_redelivered(notifier):
    case = uuid.uuid4()
    sub = await subscribe(notifier, event_types=["docket.investigation.opened"])
    await feed(notifier, investigation(case, 1), case, 1)
    await feed(notifier, investigation(case, 2), case, 2)
    sender = FakeSender(answers={sub["url"]: [500, 500, 500]})
    await deliver_until_quiet(notifier, sender, sub)
    dead, delivered = (await notifier.http.get(f"/subscriptions/{sub['id']}/deliveries")).json()
    assert (dead["status"], delivered["status"]) == ("dead", "delivered")
    assert dead["dead_reason"] == "gave up after 3 attempts; last: HTTP 500"
    assert [a["status_code"] for a in dead["log"]] == [500, 500, 500]
    assert all(a["latency_ms"] >= 0 for a in dead["log"])
    assert (await notifier.http.post(f"/deliveries/{delivered['id']}/redeliver")).status_code == 202

    again = await notifier.http.post(f"/deliveries/{dead['id']}/redeliver")
    assert again.status_code == 202 and again.json()["status"] == "pending"
    await deliver_until_quiet(notifier, sender, sub)
    final = (await notifier.http.get(f"/deliveries/{dead['id']}")).json()
    assert final["status"] == "delivered" and len(final["log"]) == 4
    assert (await notifier.http.post(f"/deliveries/{uuid.uuid4()}/redeliver")).status_code == 404
    by_event = (await notifier.http.get("/deliveries", params={"event_id": dead["event_id"]})).json()
    assert [d["id"] for d in by_event if d["subscription_id"] == sub["id"]] == [dead["id"]]
    await notifier.http.delete(f"/subscriptions/{sub['id']}")


# --- e-mail and reminders ---------------------------------------------------------------------------------


@dataclass
class FakeMailer:
    """Refuses the first `failures[address]` messages to an address (with an error that names it, as mail
    servers' errors do); records what it accepted."""

    failures: dict[str, int] = field(default_factory=dict)
    sent: list[EmailMessage] = field(default_factory=list)

    async def send(self, message: EmailMessage) -> None:
        if self.failures.get(message["To"], 0):
            self.failures[message["To"]] -= 1
            raise ConnectionRefusedError(f"mail server down, cannot reach {message['To']}")
        self.sent.append(message)


async def mail(running: Running, mailer: FakeMailer, clock: Clock = SYSTEM_CLOCK) -> None:
    await letters.send_due_letters(
        running.runtime.sessions,
        personal_of(running),
        mailer,
        sender="Docket <d@x.example>",
        schedule=FAST,
        batch_size=500,
        lease_s=5,
        clock=clock,
        lead_days=14,
    )


async def mail_until_settled(running: Running, mailer: FakeMailer, complaint_id: uuid.UUID) -> dict:
    for _ in range(100):
        await mail(running, mailer)
        [letter] = (await running.http.get("/notifications", params={"complaint_id": str(complaint_id)})).json()
        if letter["email_status"] != "pending":
            return letter
        await asyncio.sleep(0.01)
    raise AssertionError("the letter is still pending")


async def test_letters_are_mailed_retried_and_given_up(notifier):
    lucky, unlucky = f"{uuid.uuid4().hex}@example.org", f"{uuid.uuid4().hex}@example.org"
    filed = await openable_complaint_filed(personal_of(notifier), email=lucky)
    lost = await openable_complaint_filed(personal_of(notifier), email=unlucky)
    await feed(notifier, filed, filed.complaint_id)
    await feed(notifier, lost, lost.complaint_id)
    mailer = FakeMailer(failures={lucky: 1, unlucky: 1000})

    letter = await mail_until_settled(notifier, mailer, filed.complaint_id)
    assert (letter["email_status"], letter["attempts"]) == ("sent", 2)
    [message] = [m for m in mailer.sent if m["X-Docket-Notification"] == letter["id"]]
    assert message["To"] == lucky and filed.reference in message["Subject"]
    assert {part.get_content_type() for part in message.iter_parts()} == {"text/plain", "text/html"}
    assert "Dear Jeanne Martin," in message.get_body(("plain",)).get_content()  # opened from its sealed copy

    failed = await mail_until_settled(notifier, mailer, lost.complaint_id)
    assert (failed["email_status"], failed["attempts"]) == ("failed", 3)
    # The error is kept without the server's text, which names the recipient.
    assert failed["last_error"] == "ConnectionRefusedError" and unlucky not in failed["last_error"]


@dataclass(frozen=True)
class FixedClock:
    day: date

    def now(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 12, tzinfo=UTC)

    def today(self) -> date:
        return self.day


async def test_staff_are_reminded_once_before_three_months_without_news(notifier):
    """Three months run from the complaint's receipt; a letter about progress restarts them when it is sent,
    not when it is written."""
    filed = await openable_complaint_filed(personal_of(notifier), received_on=date(2040, 3, 2))  # no other test's
    case = uuid.uuid4()
    await feed(notifier, filed, filed.complaint_id, time=datetime(2040, 3, 5, 10, tzinfo=UTC))
    await feed(
        notifier,
        CaseOpened(
            case_id=case,
            controller=CLEARVIEW,
            complaint_id=filed.complaint_id,
            complaint_kind="art77_complaint",
            opened_on=date(2040, 3, 2),
        ),
        case,
        1,
        time=datetime(2040, 4, 20, 10, tzinfo=UTC),
    )

    async def remind(day: date) -> list[dict]:
        await reminders.send_due_reminders(
            notifier.runtime.sessions, FixedClock(day), staff_address="staff@authority.example", batch_size=500
        )
        letters = (await notifier.http.get("/notifications", params={"complaint_id": str(filed.complaint_id)})).json()
        return [letter for letter in letters if letter["recipient_role"] == "staff"]

    assert await remind(date(2040, 5, 17)) == []  # 2 June is three months; 14 days before is 19 May
    [reminder] = await remind(date(2040, 5, 19))  # the letter about the case, written on 20 April, is not sent
    assert (reminder["channel"], reminder["recipient_address"]) == ("email", "staff@authority.example")
    assert filed.reference in reminder["subject"] and "2 June 2040" in reminder["text"]
    assert "Jeanne Martin" not in reminder["text"]  # staff find the complainant through the reference
    assert await remind(date(2040, 5, 25)) == [reminder]  # one reminder per silence

    await mail(notifier, FakeMailer(), FixedClock(date(2040, 5, 26)))  # the two letters go out on 26 May
    assert len(await remind(date(2040, 8, 11))) == 1  # from the case opened's letter: 26 August, less 14 days
    assert len(await remind(date(2040, 8, 12))) == 2

    alert = await openable_complaint_filed(personal_of(notifier), kind="alert")
    await feed(notifier, alert, alert.complaint_id)
    await remind(date(2041, 1, 1))
    assert (await notifier.http.get("/notifications", params={"complaint_id": str(alert.complaint_id)})).json() == []


async def test_a_case_opened_taken_in_while_another_process_takes_its_complaint_in_is_told(notifier):
    filed, case_id = await openable_complaint_filed(personal_of(notifier)), uuid.uuid4()
    opened = CaseOpened(
        case_id=case_id,
        controller=CLEARVIEW,
        complaint_id=filed.complaint_id,
        complaint_kind="art77_complaint",
        opened_on=date(2020, 5, 25),
    )
    event = new_event(filed, source="/docket/intake", subject=str(filed.complaint_id))
    async with notifier.runtime.sessions() as session, session.begin():  # one process takes complaint.filed in
        await notifier.runtime.handlers[event.type](session, event, filed)
        linking = asyncio.create_task(feed(notifier, opened, case_id, 1))  # another, the case's, meanwhile
        await asyncio.sleep(0.5)
    await linking

    letters = (await notifier.http.get("/notifications", params={"complaint_id": str(filed.complaint_id)})).json()
    assert sorted(letter["source_event_type"] for letter in letters) == ["docket.case.opened", "docket.complaint.filed"]


async def test_a_case_opened_taken_in_before_its_complaint_is_told_once_the_complaint_arrives(notifier):
    filed, case_id = await openable_complaint_filed(personal_of(notifier)), uuid.uuid4()
    opened = await feed(
        notifier,
        CaseOpened(
            case_id=case_id,
            controller=CLEARVIEW,
            complaint_id=filed.complaint_id,
            complaint_kind="art77_complaint",
            opened_on=date(2020, 5, 25),
        ),
        case_id,
        1,
    )
    assert (await notifier.http.get("/notifications", params={"case_id": str(case_id)})).json() == []
    await feed(notifier, filed, filed.complaint_id)

    letters = sorted(
        (await notifier.http.get("/notifications", params={"complaint_id": str(filed.complaint_id)})).json(),
        key=lambda letter: letter["source_event_type"],
    )
    assert [(letter["source_event_type"], letter["case_id"]) for letter in letters] == [
        ("docket.case.opened", str(case_id)),
        ("docket.complaint.filed", None),
    ]
    assert letters[0]["source_event_id"] == opened.id
    assert letters[0]["body"].startswith("A case on Clearview AI was opened on 2020-05-25")
    assert {letter["recipient_address"] for letter in letters} == {"jeanne.martin@example.org"}
    await feed(notifier, InvestigationOpened(case_id=case_id, opened_on=date(2020, 8, 1), scope="checks"), case_id, 2)
    later = (await notifier.http.get("/notifications", params={"complaint_id": str(filed.complaint_id)})).json()
    assert len(later) == 3  # the complaint is now part of its case
