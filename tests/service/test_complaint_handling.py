"""A complaint's own handling through the case service, against the real PostgreSQL with real tokens: each path
of a complaint to its end, the refusals, assignment and the queues, the controller's reminder, the records
against a replay of the events, and rebuild-projections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID, uuid4

import pytest

from docket_contracts import registry
from docket_contracts.events import Controller
from docket_devstack.staff import AUDITOR, INTAKE_OFFICER, INVESTIGATOR, PRESIDENT, SANCTIONS_COMMITTEE, Tokens
from services.case import application, eventstore, handling, readside, store
from services.case.config import CaseSettings
from services.case.domain import replay_complaints
from services.case.main import create_app
from tests.apps import Running, serve
from tests.factories import complaint_filed
from tests.service.test_case_service import FixedClock

pytestmark = pytest.mark.service

TODAY = date(2026, 11, 22)


@pytest.fixture
async def service(configure, closed_port_bootstrap: str, tokens: Tokens) -> AsyncIterator[Running]:
    settings = configure(
        CaseSettings,
        kafka_bootstrap_servers=closed_port_bootstrap,
        run_relay=False,
        run_consumer=False,
        run_timers=False,
    )
    async with serve(create_app(settings, clock=FixedClock(TODAY))) as running:
        yield running


async def received(service: Running, count: int = 1, **changes) -> tuple[UUID, list[UUID]]:
    """A case with `count` complaints, routed as the consumer routes them; returns (case id, complaint ids)."""
    key = f"controller-{uuid4().hex[:8]}"
    ids = []
    for _ in range(count):
        complaint = complaint_filed(
            controller=Controller(key=key, name=key.title()), received_on=date(2026, 9, 1), **changes
        )
        async with service.runtime.sessions() as session, session.begin():
            await application.route_complaint(store.PostgresCases(session), complaint)
        ids.append(complaint.complaint_id)
    async with service.runtime.sessions() as session:
        case_id = await readside.case_of_complaint(session, ids[0])
    assert case_id is not None
    return case_id, ids


async def post(service: Running, tokens: Tokens, who: str, path: str, body: dict, expect: int = 200) -> dict:
    response = await service.http.post(path, json=body, headers=tokens(who))
    assert response.status_code == expect, response.text
    return response.json()


async def events_of(service: Running, case_id: UUID) -> list:
    async with service.runtime.sessions() as session:
        return [row.type.removeprefix("docket.") for row in await eventstore.rows(session, case_id)]


async def test_a_complaint_found_inadmissible_ends_there_with_its_reasons(service, tokens):
    case_id, [complaint] = await received(service, category="video_surveillance")
    refused = await post(
        service,
        tokens,
        INTAKE_OFFICER,
        f"/complaints/{complaint}/admissibility",
        {"decision": "inadmissible", "reason": "no_prior_request", "reasons": "no request was made"},
        expect=422,
    )
    assert "needs no prior request" in refused["detail"][0]["msg"]
    done = await post(
        service,
        tokens,
        INTAKE_OFFICER,
        f"/complaints/{complaint}/admissibility",
        {"decision": "inadmissible", "reason": "not_personal_data", "reasons": "a parcel delivered late"},
    )
    assert done["complaint"]["status"] == "inadmissible" and done["complaint"]["ended_on"] == TODAY.isoformat()
    assert done["complaint"]["allowed_next_steps"] == []
    again = await post(
        service, tokens, INTAKE_OFFICER, f"/complaints/{complaint}/admissibility", {"decision": "admissible"}, 409
    )
    assert again["status"] == "inadmissible" and "decided on 2026-11-22" in again["detail"]
    assert (await events_of(service, case_id))[-1] == "case.complaint_admissibility_decided"


async def test_a_complaint_put_to_the_controller_is_resolved_once_it_answered(service, tokens):
    case_id, [complaint] = await received(service)
    await post(service, tokens, INTAKE_OFFICER, f"/complaints/{complaint}/admissibility", {"decision": "admissible"})
    asked = await post(
        service,
        tokens,
        INTAKE_OFFICER,
        f"/complaints/{complaint}/controller-letters",
        {"request": "Answer the complainant's access request (GDPR Art 15)."},
    )
    record = asked["complaint"]
    assert (record["status"], record["step"], record["answer_due"]) == (
        "with_controller",
        "controller_answer",
        "2026-12-22",
    )
    early = await post(
        service, tokens, INTAKE_OFFICER, f"/complaints/{complaint}/closure", {"reason": "resolved", "reasons": "r"}, 409
    )
    assert "no answer of the controller" in early["detail"]
    answered = await post(
        service,
        tokens,
        INVESTIGATOR,
        f"/cases/{case_id}/controller-letters/{record['letter_id']}/answer",
        {"summary": "access given on 20 November", "answered_on": "2026-11-22"},
    )
    assert answered["answered"] == [str(complaint)]
    closed = await post(
        service,
        tokens,
        INVESTIGATOR,
        f"/complaints/{complaint}/closure",
        {"reason": "resolved", "reasons": "the controller gave access"},
    )
    assert (closed["complaint"]["status"], closed["complaint"]["outcome"]) == ("closed", "resolved")
    assert await events_of(service, case_id) == [
        "case.opened",
        "case.complaint_admissibility_decided",
        "case.controller_asked_to_act",
        "case.complaint_controller_asked",
        "case.complaint_controller_answered",
        "case.complaint_closed",
    ]
    case = (await service.http.get(f"/cases/{case_id}", headers=tokens(AUDITOR))).json()
    assert case["status"] == "open"  # the complaint closed, its case goes on


async def test_a_complaint_joins_the_investigation_and_ends_with_its_case(service, tokens):
    case_id, [complaint, other] = await received(service, 2)
    for c in (complaint, other):
        await post(service, tokens, INTAKE_OFFICER, f"/complaints/{c}/admissibility", {"decision": "admissible"})
    refused = await post(service, tokens, INVESTIGATOR, f"/complaints/{complaint}/investigation", {}, 409)
    assert "no investigation open" in refused["detail"]
    opened = await service.http.post(
        f"/cases/{case_id}/investigation",
        json={"opened_on": "2026-11-01", "scope": "the complaints' processing", "decision_reference": "2026-002C"},
        headers=tokens(PRESIDENT) | {"If-Match": '"4"'},
    )
    assert opened.status_code == 200, opened.text
    assert await post(service, tokens, INTAKE_OFFICER, f"/complaints/{complaint}/investigation", {}, 403)
    joined = await post(service, tokens, INVESTIGATOR, f"/complaints/{complaint}/investigation", {})
    assert joined["complaint"]["status"] == "investigation"
    closing = await service.http.post(
        f"/cases/{case_id}/closure",
        json={"outcome": "no_infringement", "reasons": "none found", "closed_on": "2026-11-22"},
        headers=tokens(INVESTIGATOR) | {"If-Match": '"6"'},
    )
    assert closing.status_code == 200, closing.text
    for c in (complaint, other):
        record = (await service.http.get(f"/complaints/{c}/handling", headers=tokens(AUDITOR))).json()
        assert (record["status"], record["outcome"], record["ended_on"]) == ("closed", "case_closed", "2026-11-22")


async def test_a_complaint_is_transferred_to_the_authority_competent_for_it(service, tokens):
    _, [complaint] = await received(service)
    body = {
        "authority": "Data Protection Commission",
        "authority_country": "IE",
        "reasons": "main establishment (Art 56)",
    }
    sent = await post(service, tokens, INTAKE_OFFICER, f"/complaints/{complaint}/transfer", body)
    assert (sent["complaint"]["status"], sent["complaint"]["transferred_to"]) == (
        "transferred",
        "Data Protection Commission",
    )
    assert await post(service, tokens, SANCTIONS_COMMITTEE, f"/complaints/{complaint}/transfer", body, 403)
    unknown = await service.http.post(f"/complaints/{uuid4()}/transfer", json=body, headers=tokens(INTAKE_OFFICER))
    assert unknown.status_code == 404


async def test_assignment_fills_the_queues_and_the_workload(service, tokens):
    _, [mine, teams, nobodys] = await received(service, 3)
    await post(
        service, tokens, INTAKE_OFFICER, f"/complaints/{mine}/assignment", {"me": True, "team": "complaints-desk"}
    )
    await post(service, tokens, INVESTIGATOR, f"/complaints/{teams}/assignment", {"team": "complaints-desk"})

    async def queue(view: str, who: str = INTAKE_OFFICER) -> set[UUID]:
        page = (await service.http.get(f"/queue/{view}", headers=tokens(who), params={"limit": 500})).json()
        return {UUID(item["id"]) for item in page["items"]}

    assert mine in await queue("mine") and teams not in await queue("mine")
    assert {mine, teams} <= await queue("team")  # ines.intake is in the complaints desk
    assert not ({mine, teams} & await queue("team", INVESTIGATOR))  # victor is in investigations
    assert nobodys in await queue("unassigned") and mine not in await queue("unassigned")
    # received on 1 September: admissibility was due 30 days later, and Art 78(2)'s three months ended 1 December
    page = (await service.http.get("/queue/overdue", headers=tokens(AUDITOR), params={"limit": 500})).json()
    item = next(i for i in page["items"] if UUID(i["id"]) == mine)
    assert (item["due_on"], item["art78_due_on"], item["overdue"]) == ("2026-10-01", "2026-12-01", True)
    workload = (await service.http.get("/workload", headers=tokens(AUDITOR))).json()
    desk = next(load for load in workload["teams"] if load["holder"] == "complaints-desk")
    assert desk["open"] >= 2 and desk["overdue"] >= 2 and desk["oldest_since"] <= "2026-09-01"


async def test_a_complaint_lacking_art_4_1_content_is_due_for_its_admissibility_within_two_weeks(service, tokens):
    """Regulation 2025/2518 art 4(2), as reported: received on 1 September without a body's proof of constitution,
    its admissibility is due on 15 September, not after the authority's 30 days."""
    lacking = {"kind": "art80_2_unmandated", "missing_content": ("constitution_proof",)}
    _, [complaint] = await received(service, **lacking)
    record = (await service.http.get(f"/complaints/{complaint}/handling", headers=tokens(AUDITOR))).json()
    assert record["missing_content"] == ["constitution_proof"]
    page = (await service.http.get("/queue/overdue", headers=tokens(AUDITOR), params={"limit": 500})).json()
    item = next(i for i in page["items"] if UUID(i["id"]) == complaint)
    assert (item["step"], item["due_on"], item["overdue"]) == ("admissibility", "2026-09-15", True)
    declared = {"decision": "inadmissible", "reason": "cross_border_content_missing", "reasons": "no proof given"}
    _, [whole] = await received(service)
    refused = await post(service, tokens, INTAKE_OFFICER, f"/complaints/{whole}/admissibility", declared, expect=422)
    assert refused["detail"][0]["loc"][-1] == "reason" and "art 4(2), as reported" in refused["detail"][0]["msg"]
    done = await post(service, tokens, INTAKE_OFFICER, f"/complaints/{complaint}/admissibility", declared)
    assert done["events"][0]["data"]["missing_content"] == ["constitution_proof"]


async def test_a_late_controller_is_reminded_once_by_the_timer(service, tokens):
    case_id, [complaint] = await received(service)
    admitted = {"decision": "admissible", "decided_on": "2026-10-01"}
    await post(service, tokens, INTAKE_OFFICER, f"/complaints/{complaint}/admissibility", admitted)
    body = {"request": "Act.", "asked_on": "2026-11-01", "answer_due": "2026-11-15"}
    await post(service, tokens, INTAKE_OFFICER, f"/complaints/{complaint}/controller-letters", body)
    sessions = service.runtime.sessions
    for day, reminders in ((date(2026, 11, 15), 0), (date(2026, 11, 16), 1), (date(2026, 11, 20), 1)):
        async with sessions() as session:  # other tests' letters may be due too: this case's events tell
            await handling.fire_letter_timers(store.PostgresCases(session), FixedClock(day), limit=10_000)
        assert (await events_of(service, case_id)).count("case.controller_answer_overdue") == reminders, day
    record = (await service.http.get(f"/complaints/{complaint}/handling", headers=tokens(AUDITOR))).json()
    assert record["reminded_on"] == "2026-11-16"


async def test_the_records_are_the_fold_of_the_events_and_a_rebuild_makes_them_again(service, tokens):
    case_id, ids = await received(service, 3)
    await post(service, tokens, INTAKE_OFFICER, f"/complaints/{ids[0]}/admissibility", {"decision": "admissible"})
    await post(
        service, tokens, INTAKE_OFFICER, f"/complaints/{ids[1]}/closure", {"reason": "withdrawn", "reasons": "r"}
    )
    await post(service, tokens, INVESTIGATOR, f"/complaints/{ids[2]}/assignment", {"me": True})

    async def records() -> dict:
        async with service.runtime.sessions() as session:
            return await readside.complaints.records(session, case_id, ids)

    async with service.runtime.sessions() as session:
        history = [registry.parse(eventstore.stored_event(row)) for row in await eventstore.rows(session, case_id)]
    kept = await records()
    assert replay_complaints(history) == kept
    async with service.runtime.sessions() as session, session.begin():
        await readside.rebuild_projections(session)
    assert await records() == kept
