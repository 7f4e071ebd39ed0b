"""The public door cannot be turned into the authority's mailer: nothing but a code goes to an address before
the complainant proves it, and that first message holds nothing the filer chose.

Before, anyone could file with anyone's address and have the regulator send it a letter repeating a
controller name of the filer's choosing (300 characters: a phone number, a link, "your refund is waiting"):
phishing under the authority's name. Now the first e-mail is the authority's own words, the reference Docket
made and a code; the other letters wait until the code is entered on the status page, with the status token
only the filer holds, so an address is proven only by someone who both filed and reads that mailbox.

Intake and the notifier run in-process on the real database; the events intake puts in its outbox are
handed to the notifier's handlers in outbox order, as the relay and the consumer would, and the notifier's
e-mail worker sends through a mailer that keeps what it is given.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from uuid import uuid4

import pytest
import sqlalchemy as sa

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_devstack.staff import ADMINISTRATOR, INTAKE_OFFICER, Tokens
from docket_messaging.backoff import RetrySchedule
from docket_service.clock import SystemClock
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier.application import letters
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import Running, serve
from tests.factories import submission

pytestmark = pytest.mark.service

LURE = "Refund desk: call +33 1 23 45 67 89 or visit refunds.example.net"  # what a filer could make a "controller"
CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")


@dataclass
class Mailbox:
    sent: list[EmailMessage] = field(default_factory=list)

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.sent if m["To"] == address]


@pytest.fixture
async def intake(configure, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    quiet = {"kafka_bootstrap_servers": closed_port_bootstrap, "run_consumer": False, "run_relay": False}
    async with serve(intake_app(configure(IntakeSettings, **quiet))) as running:
        yield running


@pytest.fixture
async def notifier(configure, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    quiet = {"kafka_bootstrap_servers": closed_port_bootstrap, "run_consumer": False, "run_relay": False}
    async with serve(notifier_app(configure(NotifierSettings, run_deliveries=False, **quiet))) as running:
        yield running


async def carry(intake: Running, notifier: Running, complaint_id: str, seen: set[str]) -> list[str]:
    """Hand the notifier the complaint's events from intake's outbox it has not had yet, in outbox order."""
    async with intake.runtime.engine.connect() as connection:
        rows = (
            await connection.execute(
                sa.text("SELECT event_id, type, dataschema, data, time FROM outbox WHERE key = :k ORDER BY id"),
                {"k": complaint_id},
            )
        ).all()
    carried = []
    for row in rows:
        if row.event_id in seen:
            continue
        event = CloudEvent(
            type=row.type,
            source="/docket/intake",
            subject=complaint_id,
            dataschema=row.dataschema,
            data=row.data,
            id=row.event_id,
            time=row.time,
        )
        async with notifier.runtime.sessions() as session, session.begin():
            await notifier.runtime.handlers[event.type](session, event, registry.parse(event))
        seen.add(row.event_id)
        carried.append(row.type)
    return carried


async def mail(notifier: Running, mailbox: Mailbox) -> None:
    await letters.send_due_letters(
        notifier.runtime.sessions,
        notifier.app.state.personal,
        mailbox,
        sender="Docket <d@x.example>",
        schedule=RetrySchedule(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02),
        batch_size=500,
        lease_s=5,
        clock=SystemClock(),
        lead_days=14,
    )


def body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()


async def test_the_first_mail_to_an_unproven_address_is_a_code_and_nothing_the_filer_typed(
    intake, notifier, tokens: Tokens
):
    victim = f"someone.else.{uuid4().hex[:8]}@example.org"
    filer_name = "Your bank's security team"
    receipt = (
        await intake.http.post(
            "/complaints",
            json=submission(
                complainant={"name": filer_name, "email": victim, "country": "FR"},
                controller={"name": LURE},
                narrative="Click refunds.example.net to claim your money.",
            ),
        )
    ).json()
    seen: set[str] = set()
    assert await carry(intake, notifier, receipt["id"], seen) == [
        "docket.complaint.address_code_issued",
        "docket.complaint.filed",
    ]
    mailbox = Mailbox()
    await mail(notifier, mailbox)

    [first] = mailbox.to(victim)  # one message, and one only
    text = body(first) + first["Subject"]
    assert CODE.search(text) and receipt["reference"] in text
    for chosen in ("Refund desk", "+33", "refunds.example.net", filer_name, "Click"):
        assert chosen not in text, chosen
    held = (
        await notifier.http.get("/notifications", params={"complaint_id": receipt["id"]}, headers=tokens(ADMINISTRATOR))
    ).json()
    assert {(n["kind"], n["email_status"]) for n in held} == {
        ("address_proof", "sent"),
        ("acknowledgement", "unproven"),
    }
    await mail(notifier, mailbox)
    assert len(mailbox.to(victim)) == 1  # the acknowledgement waits

    # The code is never given out again: not in the notification.recorded that intake keeps for an access
    # request (which the filer could ask staff for), so not in the copy of their data.
    async with notifier.runtime.engine.connect() as connection:
        recorded = (
            (
                await connection.execute(
                    sa.text(
                        "SELECT data FROM outbox "
                        "WHERE type = 'docket.notification.recorded' AND data->>'complaint_id' = :id"
                    ),
                    {"id": receipt["id"]},
                )
            )
            .scalars()
            .all()
        )
    assert sorted(data["text"] is None for data in recorded) == [False, True]


async def test_the_code_entered_with_the_status_token_proves_the_address_and_the_letters_follow(intake, notifier):
    address = f"jeanne.{uuid4().hex[:8]}@example.org"
    receipt = (
        await intake.http.post(
            "/complaints",
            json=submission(complainant={"name": "Jeanne", "email": address, "country": "FR"}, language="en"),
        )
    ).json()
    seen: set[str] = set()
    await carry(intake, notifier, receipt["id"], seen)
    mailbox = Mailbox()
    await mail(notifier, mailbox)
    [proof] = mailbox.to(address)
    code = CODE.search(body(proof)).group()
    token = {"X-Status-Token": receipt["status_token"]}
    path = f"/complaints/{receipt['reference']}/address-proof"

    status = (await intake.http.get(f"/complaints/{receipt['reference']}/status", headers=token)).json()
    assert status["address_proven"] is False
    assert (await intake.http.post(path, json={"code": code})).status_code == 404  # the code alone proves nothing
    wrong = await intake.http.post(path, json={"code": "AAAA-AAAA"}, headers=token)
    assert wrong.status_code == 422 and "4 tries left" in wrong.text
    proven = await intake.http.post(path, json={"code": code.lower().replace("-", " ")}, headers=token)
    assert proven.status_code == 200 and proven.json()["address_proven"] is True
    assert proven.json()["progress"][-1]["text"].startswith("You confirmed your e-mail address")
    again = await intake.http.post(path, json={"code": code}, headers=token)
    assert again.status_code == 200  # answered as the first time, announced once

    assert await carry(intake, notifier, receipt["id"], seen) == ["docket.complaint.address_proven"]
    await mail(notifier, mailbox)
    acknowledgement = [m for m in mailbox.to(address) if m["Subject"].startswith("Your complaint was received")]
    assert len(acknowledgement) == 1 and "Clearview AI" in body(acknowledgement[0])


async def test_a_code_guessed_wrong_too_often_is_spent(intake, notifier):
    address = f"guessed.{uuid4().hex[:8]}@example.org"
    receipt = (
        await intake.http.post(
            "/complaints",
            json=submission(complainant={"name": "Jeanne", "email": address, "country": "FR"}, language="en"),
        )
    ).json()
    token = {"X-Status-Token": receipt["status_token"]}
    path = f"/complaints/{receipt['reference']}/address-proof"
    answers = [(await intake.http.post(path, json={"code": "AAAA-AAAA"}, headers=token)).status_code for _ in range(6)]
    assert answers == [422] * 5 + [409]
    seen: set[str] = set()
    await carry(intake, notifier, receipt["id"], seen)
    mailbox = Mailbox()
    await mail(notifier, mailbox)
    [proof] = mailbox.to(address)
    code = CODE.search(body(proof)).group()
    spent = await intake.http.post(path, json={"code": code}, headers=token)  # the right one, too late
    assert spent.status_code == 409
    status = (await intake.http.get(f"/complaints/{receipt['reference']}/status", headers=token)).json()
    assert status["address_proven"] is False


async def test_a_paper_complaint_recorded_by_staff_needs_no_proof(intake, notifier, tokens: Tokens):
    address = f"paper.{uuid4().hex[:8]}@example.org"
    receipt = (
        await intake.http.post(
            "/paper-complaints",
            json=submission(
                complainant={"name": "Jeanne", "email": address, "country": "FR"},
                received_on="2020-05-25",
                language="en",
            ),
            headers=tokens(INTAKE_OFFICER),
        )
    ).json()
    seen: set[str] = set()
    assert await carry(intake, notifier, receipt["id"], seen) == ["docket.complaint.filed"]
    mailbox = Mailbox()
    await mail(notifier, mailbox)
    [acknowledgement] = mailbox.to(address)
    assert acknowledgement["Subject"].startswith("Your complaint was received")
