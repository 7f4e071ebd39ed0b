"""GDPR Art 78(2) across the three services: one history of events, fed to intake, the case service and the
notifier as their consumers would, gives the same news to the same complainants and the same overdue list.

Each service runs on its own real database; the events travel from one service's outbox to the others'
handlers (Kafka is not what is under test here: tests/e2e carries the same events over the real broker).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlmodel import col, select

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import ComplaintWithdrawn, Payload
from docket_contracts.progress import due, ends_wait, news
from docket_contracts.registry import new_event
from docket_devstack.staff import INTAKE_OFFICER, INVESTIGATOR, PRESIDENT, Tokens
from docket_messaging.codec import decode
from services.case import handlers as case_handlers
from services.case.config import CaseSettings
from services.case.main import create_app as case_app
from services.intake import handlers as intake_handlers
from services.intake import store as intake_store
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier import store as notifier_store
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import Running, serve
from tests.factories import submission
from tests.service.test_case_service import FixedClock
from tests.service.test_notifier_service import FakeMailer, mail

QUIET = {"run_relay": False, "run_consumer": False}
# The case service's timers and checkpoints are taken by hand or not at all: what `published` reads is the
# complaints' news alone (checkpoint.signed goes to docket.checkpoints, which the notifier does not read).
CASE_QUIET = {"run_timers": False, "run_checkpoints": False}


@pytest.fixture
async def services(configure, closed_port_bootstrap: str) -> AsyncIterator[tuple[Running, Running, Running]]:
    common = dict(kafka_bootstrap_servers=closed_port_bootstrap, **QUIET)
    async with (
        serve(intake_app(configure(IntakeSettings, **common))) as intake,
        serve(case_app(configure(CaseSettings, **CASE_QUIET, **common), clock=FixedClock(date(2026, 11, 22)))) as case,
        serve(
            notifier_app(configure(NotifierSettings, run_deliveries=False, migrate_on_start=False, **common))
        ) as notifier,
    ):
        yield intake, case, notifier


async def published(service: Running) -> list[tuple[CloudEvent, Payload]]:
    """What the service's relay would publish next (and marks it published)."""
    messages = []

    async def keep(batch):
        messages.extend(batch)

    while await service.runtime.outbox().publish_batch(keep, 1000):
        pass
    events = [decode(m.headers, m.value) for m in messages]
    return [(event, registry.parse(event)) for event in events]


async def consume(service: Running, handlers, history: list[tuple[CloudEvent, Payload]]) -> None:
    for event, payload in history:
        handler = handlers.get(event.type)
        if handler is not None:
            async with service.runtime.sessions() as session, session.begin():
                await handler(session, event, payload)


async def notifier_takes(notifier: Running, history: list[tuple[CloudEvent, Payload]]) -> None:
    """What the notifier's consumer would take of `history`: the events of the topics it reads (the database's
    outbox is shared by the session's tests, and may hold another test's checkpoint.signed)."""
    for event, payload in history:
        if registry.BY_TYPE[event.type].topic not in notifier.runtime.consumes:
            continue
        async with notifier.runtime.sessions() as session, session.begin():
            await notifier.runtime.handlers[event.type](session, event, payload)


def ours(history: list[tuple[CloudEvent, Payload]], complaints: set[uuid.UUID], case_id: uuid.UUID | None = None):
    return [
        (e, p)
        for e, p in history
        if getattr(p, "complaint_id", None) in complaints or (case_id and getattr(p, "case_id", None) == case_id)
    ]


async def test_the_three_services_agree_on_news_and_on_who_is_overdue(services, tokens: Tokens):
    intake, case, notifier = services
    controller = f"Agreement {uuid.uuid4().hex[:8]}"
    filed = []
    for kind, received_on in [
        ("art77_complaint", "2026-06-01"),
        ("art80_1_mandated", "2026-06-10"),
        ("alert", "2026-06-15"),
    ]:
        response = await intake.http.post(
            "/paper-complaints",
            headers=tokens(INTAKE_OFFICER),
            json=submission(
                kind=kind,
                received_on=received_on,
                controller={"name": controller, "country": "US"},
                **({"mandate_reference": "MANDATE-1"} if kind == "art80_1_mandated" else {}),
            ),
        )
        assert response.status_code == 201, response.text
        filed.append(uuid.UUID(response.json()["id"]))
    jeanne, noyb, _alert = filed
    complaints = set(filed)

    # complaint.filed, from intake to the case service and the notifier
    history = ours(await published(intake), complaints)
    await consume(case, case_handlers.EVENT_HANDLERS, history)
    await notifier_takes(notifier, history)
    # the case service opens the case and joins the others; staff open the investigation
    taken_in = ours(await published(case), complaints)
    case_id = taken_in[0][1].case_id
    detail = (await case.http.get(f"/cases/{case_id}", headers=tokens(INVESTIGATOR))).json()
    opened = await case.http.post(
        f"/cases/{case_id}/investigation",
        headers=tokens(PRESIDENT) | {"If-Match": f'"{detail["version"]}"'},
        json={"opened_on": "2026-07-01", "scope": "facial recognition", "decision_reference": "2026-101C"},
    )
    assert opened.status_code == 200, opened.text
    case_history = taken_in + ours(await published(case), complaints, case_id)
    await consume(intake, intake_handlers.EVENT_HANDLERS, case_history)
    await notifier_takes(notifier, case_history)
    # noyb withdraws; then the letters go out on 3 July and the case service hears they were sent
    withdrawn = ComplaintWithdrawn(complaint_id=noyb, withdrawn_on=date(2026, 7, 2))
    withdrawal = [(new_event(withdrawn, source="/docket/intake", subject=str(noyb)), withdrawn)]
    await consume(case, case_handlers.EVENT_HANDLERS, withdrawal)
    await notifier_takes(notifier, withdrawal)
    await mail(notifier, FakeMailer(), FixedClock(date(2026, 7, 3)))
    sent = [
        (e, p)
        for e, p in await published(notifier)
        if e.type == "docket.notification.sent" and p.complaint_id in complaints
    ]
    assert sent, "the notifier announces each letter it sent"
    await consume(case, case_handlers.EVENT_HANDLERS, sent)

    # The same news for the same complainants: intake's lines, the notifier's letters and the rule.
    rule = {c: {e.id for e, p in case_history if (n := news(p)) and (n.only in (None, c))} for c in (jeanne, noyb)}
    async with intake.runtime.sessions() as session:
        lines = {
            c: {
                row.event_id
                for row in await intake_store.progress_of(session, c)
                if not row.event_id.startswith("withdrawal:")
            }
            for c in (jeanne, noyb)
        }
    async with notifier.runtime.sessions() as session:
        letters = {
            c: {
                row.source_event_id
                for row in await notifier_store.find(session, None, c, 100, 0)
                if row.recipient_role == "complainant" and row.kind == "progress"
            }
            for c in (jeanne, noyb)
        }
        clocks = {
            row.complaint_id: row
            for row in (
                await session.exec(
                    select(notifier_store.ComplainantRow).where(
                        col(notifier_store.ComplainantRow.complaint_id).in_(complaints)
                    )
                )
            ).all()
        }
    assert lines == letters == rule
    assert all(len(rule[c]) == 2 for c in (jeanne, noyb))  # the case opened or joined, the investigation

    # The same complainants overdue, on every day around the three months' end.
    async def case_overdue(day: date) -> set[uuid.UUID]:
        found = (
            await case.http.get(
                "/art78-overdue", headers=tokens(INVESTIGATOR), params={"as_of": day.isoformat(), "limit": 500}
            )
        ).json()
        return {uuid.UUID(o["complaint_id"]) for o in found} & complaints

    def notifier_overdue(day: date) -> set[uuid.UUID]:
        return {c for c, row in clocks.items() if row.waiting and row.last_news_on and due(row.last_news_on) < day}

    for day in [date(2026, 9, 30), date(2026, 10, 3), date(2026, 10, 4), date(2027, 1, 1)]:
        assert await case_overdue(day) == notifier_overdue(day), day
    assert await case_overdue(date(2026, 10, 3)) == set()
    assert await case_overdue(date(2026, 10, 4)) == {jeanne}  # told on 3 July; noyb withdrew; an alert waits not


async def test_each_path_of_a_complaint_to_its_own_end_is_told_alike_by_the_three_services(services, tokens: Tokens):
    """Five complaints against one controller, each down its own path: inadmissible; put to the controller,
    answered and resolved; transferred; joined to the investigation and ended with the case; closed as not
    pursued. Intake's lines, the notifier's letters and the rule agree, every letter that ends a complaint names
    the remedies, and no complaint that ended waits for news."""
    intake, case, notifier = services
    controller = f"Paths {uuid.uuid4().hex[:8]}"
    filed = []
    for _ in range(5):
        response = await intake.http.post(
            "/paper-complaints",
            headers=tokens(INTAKE_OFFICER),
            json=submission(received_on="2026-06-01", controller={"name": controller, "country": "FR"}),
        )
        assert response.status_code == 201, response.text
        filed.append(uuid.UUID(response.json()["id"]))
    inadmissible, resolved, transferred, joined, not_pursued = filed
    complaints = set(filed)
    history = ours(await published(intake), complaints)
    await consume(case, case_handlers.EVENT_HANDLERS, history)
    await notifier_takes(notifier, history)
    taken_in = ours(await published(case), complaints)
    case_id = taken_in[0][1].case_id

    async def staff(path: str, body: dict, who: str = INTAKE_OFFICER, version: int | None = None) -> dict:
        headers = tokens(who) | ({"If-Match": f'"{version}"'} if version is not None else {})
        response = await case.http.post(path, json=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    admit = {"decision": "admissible", "decided_on": "2026-06-10"}
    await staff(
        f"/complaints/{inadmissible}/admissibility",
        {
            "decision": "inadmissible",
            "reason": "not_personal_data",
            "reasons": "a parcel came late",
            "decided_on": "2026-06-10",
        },
    )
    for c in (resolved, joined, not_pursued):
        await staff(f"/complaints/{c}/admissibility", admit)
    letter = await staff(
        f"/complaints/{resolved}/controller-letters",
        {"request": "Give access (Art 15).", "asked_on": "2026-06-11", "answer_due": "2026-07-11"},
    )
    await staff(
        f"/cases/{case_id}/controller-letters/{letter['complaint']['letter_id']}/answer",
        {"summary": "access given", "answered_on": "2026-07-01"},
    )
    await staff(
        f"/complaints/{resolved}/closure", {"reason": "resolved", "reasons": "access given", "closed_on": "2026-07-02"}
    )
    await staff(
        f"/complaints/{transferred}/transfer",
        {
            "authority": "CNPD",
            "authority_country": "LU",
            "reasons": "main establishment",
            "transferred_on": "2026-06-12",
        },
    )
    await staff(
        f"/complaints/{not_pursued}/closure", {"reason": "not_pursued", "reasons": "r", "closed_on": "2026-06-20"}
    )
    detail = (await case.http.get(f"/cases/{case_id}", headers=tokens(INVESTIGATOR))).json()
    await staff(
        f"/cases/{case_id}/investigation",
        {"opened_on": "2026-07-05", "scope": "s", "decision_reference": "2026-001C"},
        PRESIDENT,
        detail["version"],
    )
    await staff(f"/complaints/{joined}/investigation", {"joined_on": "2026-07-06"}, INVESTIGATOR)
    detail = (await case.http.get(f"/cases/{case_id}", headers=tokens(INVESTIGATOR))).json()
    closing = {"outcome": "no_infringement", "reasons": "none found", "closed_on": "2026-08-01"}
    await staff(f"/cases/{case_id}/closure", closing, INVESTIGATOR, detail["version"])
    case_history = taken_in + ours(await published(case), complaints, case_id)
    await consume(intake, intake_handlers.EVENT_HANDLERS, case_history)
    await notifier_takes(notifier, case_history)

    def rule(complaint: uuid.UUID) -> set[str]:
        told, ended = set(), False
        for event, payload in case_history:
            found = news(payload)
            if not ended and found and found.only in (None, complaint):
                told.add(event.id)
            ends = ends_wait(payload)  # its own end, or its case's closure
            ended |= ends is not None and (ends.complaint_id == complaint or ends.case_id == case_id)
        return told

    async with intake.runtime.sessions() as session:
        lines = {c: {row.event_id for row in await intake_store.progress_of(session, c)} for c in filed}
        statuses = {c: (await session.get(intake_store.ComplaintRow, c)).status for c in filed}
    async with notifier.runtime.sessions() as session:
        written = {c: await notifier_store.find(session, None, c, 100, 0) for c in filed}
        waiting = {
            row.complaint_id: row.waiting
            for row in (
                await session.exec(
                    select(notifier_store.ComplainantRow).where(
                        col(notifier_store.ComplainantRow.complaint_id).in_(complaints)
                    )
                )
            ).all()
        }
    letters = {
        c: {r.source_event_id for r in rows if r.recipient_role == "complainant" and r.kind == "progress"}
        for c, rows in written.items()
    }
    assert lines == letters == {c: rule(c) for c in filed}
    assert statuses == {
        inadmissible: "inadmissible",
        resolved: "closed",
        transferred: "transferred",
        joined: "closed",
        not_pursued: "closed",
    }
    assert not any(waiting.values())
    for c in (inadmissible, resolved, not_pursued):
        last = [r for r in written[c] if r.recipient_role == "complainant"][-1]
        assert (
            last.source_event_type
            in (
                "docket.case.complaint_admissibility_decided",
                "docket.case.complaint_closed",
            )
            and last.personal is not None
        )
    assert await overdue_after(case, tokens, complaints) == set()


async def overdue_after(case: Running, tokens: Tokens, complaints: set[uuid.UUID]) -> set[uuid.UUID]:
    found = (
        await case.http.get(
            "/art78-overdue", headers=tokens(INVESTIGATOR), params={"as_of": "2027-06-01", "limit": 500}
        )
    ).json()
    return {uuid.UUID(o["complaint_id"]) for o in found} & complaints
