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
from docket_contracts.progress import due, news
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


@pytest.fixture
async def services(configure, closed_port_bootstrap: str) -> AsyncIterator[tuple[Running, Running, Running]]:
    common = dict(kafka_bootstrap_servers=closed_port_bootstrap, **QUIET)
    async with (
        serve(intake_app(configure(IntakeSettings, **common))) as intake,
        serve(
            case_app(configure(CaseSettings, run_timers=False, **common), clock=FixedClock(date(2026, 11, 22)))
        ) as case,
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
    for event, payload in history:
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
