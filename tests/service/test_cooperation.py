"""The authorities working together through the case service, against the real PostgreSQL with real tokens: the
frame and the steps through their routes, the refusals (409 naming the rule, 422 naming the field), the deadlines'
timers firing, the staff's list of deadlines, and the two points the exchange between installations meets: a step
another authority reports, and the steps this authority took, to send."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID, uuid4

import pytest

from docket_contracts import cooperation as co
from docket_contracts.events import Controller
from docket_devstack.staff import INVESTIGATOR, PRESIDENT, RAPPORTEUR, Tokens
from services.case import application, cooperation, eventstore, readside, store
from services.case.config import CaseSettings
from services.case.main import create_app
from tests.apps import Running, serve
from tests.factories import complaint_filed
from tests.service.test_case_service import FixedClock

pytestmark = pytest.mark.service

TODAY = date(2027, 6, 1)
FRAME = {
    "recorded_on": "2027-05-10",
    "cross_border": True,
    "basis": "4(23)(a)",
    "establishment": "main_establishment",
    "establishment_state": "IE",
    "role": "concerned",
    "lead": "IE-DPC",
    "concerned": [{"authority": "FR-CNIL", "reasons": ["b", "c"]}, {"authority": "IT-GPDP", "reasons": ["b"]}],
}
DRAFT = {
    "step": "draft_decision_submitted",
    "authority": "IE-DPC",
    "cooperation_reference": "IE-DPC/2027/0042",
    "draft": 1,
    "submitted_on": "2027-06-01",
    "consulted": [
        {"authority": "FR-CNIL", "consulted_on": "2027-06-01"},
        {"authority": "IT-GPDP", "consulted_on": "2027-06-01"},
    ],
    "summary": "a fine of EUR 5 million",
}


@pytest.fixture
async def service(configure, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    settings = configure(
        CaseSettings,
        kafka_bootstrap_servers=closed_port_bootstrap,
        run_relay=False,
        run_consumer=False,
        run_timers=False,
    )
    async with serve(create_app(settings, clock=FixedClock(TODAY))) as running:
        yield running


async def a_case(service: Running) -> UUID:
    key = f"controller-{uuid4().hex[:8]}"
    complaint = complaint_filed(controller=Controller(key=key, name=key.title()), received_on=date(2027, 5, 3))
    async with service.runtime.sessions() as session, session.begin():
        await application.route_complaint(store.PostgresCases(session), complaint)
    async with service.runtime.sessions() as session:
        case_id = await readside.case_of_complaint(session, complaint.complaint_id)
    assert case_id is not None
    return case_id


async def post(service: Running, tokens: Tokens, who: str, path: str, body: dict, expect: int = 200) -> dict:
    response = await service.http.post(path, json=body, headers=tokens(who))
    assert response.status_code == expect, response.text
    return response.json()


async def framed(service: Running, tokens: Tokens) -> tuple[UUID, int]:
    case_id = await a_case(service)
    done = await post(
        service, tokens, INVESTIGATOR, f"/cases/{case_id}/cooperation/frame", FRAME | {"expected_version": 1}
    )
    return case_id, done["case"]["version"]


async def test_a_draft_reported_by_the_lead_an_objection_here_and_the_rules_that_refuse(service, tokens):
    case_id, version = await framed(service, tokens)
    steps = f"/cases/{case_id}/cooperation/steps"
    done = await post(service, tokens, INVESTIGATOR, steps, DRAFT | {"expected_version": version})
    assert [e["type"] for e in done["events"]] == ["docket.cooperation.draft_decision_submitted"]
    version = done["case"]["version"]
    late = {
        "step": "objection_raised",
        "cooperation_reference": "IE-DPC/2027/0042",
        "draft": 1,
        "raised_on": "2027-06-30",
        "concerns": "envisaged_action",
        "subject": "the fine",
        "relevant": True,
        "reasoned": True,
        "risks": "the processing goes on",
        "expected_version": version,
    }
    refused = await post(service, tokens, PRESIDENT, steps, late, expect=422)
    assert "four weeks" in str(refused) and "60(4)" in str(refused) and "raised_on" in str(refused)
    done = await post(service, tokens, PRESIDENT, steps, late | {"raised_on": "2027-06-29"})
    assert done["events"][0]["data"]["authority"] == "FR-CNIL"  # taken here: this authority's
    adopt = {
        "step": "decision_adopted",
        "authority": "IE-DPC",
        "cooperation_reference": "IE-DPC/2027/0042",
        "adopted_on": "2027-07-01",
        "notified_on": "2027-07-01",
        "decision": "action",
        "summary": "s",
        "expected_version": done["case"]["version"],
    }
    conflict = await post(service, tokens, PRESIDENT, steps, adopt, expect=409)
    assert "FR-CNIL objected" in conflict["detail"] and "65(1)(a)" in conflict["detail"]
    bad = await post(service, tokens, INVESTIGATOR, steps, adopt | {"authority": "XX-NOBODY"}, expect=422)
    assert "directory" in str(bad)
    wrong = await post(service, tokens, INVESTIGATOR, steps, adopt | {"adopted_on": "3000-01-01"}, expect=422)
    assert wrong["detail"][0]["loc"][-1] == "adopted_on"
    control = await post(service, tokens, INVESTIGATOR, steps, adopt | {"summary": "a\x00b"}, expect=422)
    assert control["detail"][0]["loc"][-1] == "summary"
    unknown = await post(service, tokens, INVESTIGATOR, steps, {"step": "deadline_passed", "expected_version": 1}, 422)
    assert unknown["detail"]
    await post(service, tokens, RAPPORTEUR, steps, adopt, expect=403)


async def test_silence_is_agreement_found_by_the_timer_and_deadlines_are_listed_before(service, tokens):
    case_id, version = await framed(service, tokens)
    await post(
        service, tokens, INVESTIGATOR, f"/cases/{case_id}/cooperation/steps", DRAFT | {"expected_version": version}
    )
    listed = await service.http.get("/cooperation/deadlines", params={"days": 60}, headers=tokens(INVESTIGATOR))
    mine = [d for d in listed.json()["items"] if d["case_id"] == str(case_id)]
    assert {(d["deadline"], d["authority"], d["last_day"], d["overdue"]) for d in mine} == {
        ("60(4)", "FR-CNIL", "2027-06-29", False),
        ("60(4)", "IT-GPDP", "2027-06-29", False),
    }
    async with service.runtime.sessions() as session:
        assert (
            await cooperation.fire_cooperation_timers(store.PostgresCases(session), FixedClock(date(2027, 6, 29))) == 0
        )
    async with service.runtime.sessions() as session:
        fired = await cooperation.fire_cooperation_timers(store.PostgresCases(session), FixedClock(date(2027, 6, 30)))
    assert fired >= 2
    async with service.runtime.sessions() as session:
        types = [row.type for row in await eventstore.rows(session, case_id)]
        state = await store.load(session, case_id)
    assert types.count("docket.cooperation.draft_deemed_agreed") == 2
    assert state.cooperation.procedure("IE-DPC/2027/0042").draft.settled
    listed = await service.http.get("/cooperation/deadlines", params={"days": 60}, headers=tokens(INVESTIGATOR))
    assert not [d for d in listed.json()["items"] if d["case_id"] == str(case_id)]
    adopt = {
        "step": "decision_adopted",
        "authority": "IE-DPC",
        "cooperation_reference": "IE-DPC/2027/0042",
        "adopted_on": "2027-07-01",
        "notified_on": "2027-07-02",
        "decision": "action",
        "summary": "a fine of EUR 5 million",
        "expected_version": state.version,
    }
    done = await post(service, tokens, PRESIDENT, f"/cases/{case_id}/cooperation/steps", adopt)
    assert done["case"]["cooperation"]["procedures"][0]["ending"] == "the final decision was adopted"


async def test_a_request_for_assistance_goes_overdue_and_the_month_s_end_is_listed_overdue(service, tokens):
    case_id, version = await framed(service, tokens)
    asked = {
        "step": "assistance_requested",
        "requested": "IT-GPDP",
        "received_on": "2027-04-20",
        "asks": "information",
        "purpose": "the controller's answers",
        "reasons": "the same processing in Italy",
        "expected_version": version,
    }
    done = await post(service, tokens, INVESTIGATOR, f"/cases/{case_id}/cooperation/steps", asked)
    reference = done["events"][0]["data"]["cooperation_reference"]
    assert reference.startswith("FR-CNIL/")
    async with service.runtime.sessions() as session:
        await cooperation.fire_cooperation_timers(store.PostgresCases(session), FixedClock(TODAY))
    listed = await service.http.get("/cooperation/deadlines", headers=tokens(INVESTIGATOR))
    [overdue] = [d for d in listed.json()["items"] if d["case_id"] == str(case_id)]
    assert overdue == {
        "case_id": str(case_id),
        "cooperation_reference": reference,
        "deadline": "61(2)",
        "authority": "IT-GPDP",
        "last_day": "2027-05-20",
        "overdue": True,
    }


async def test_a_step_another_authority_reports_finds_its_case_and_only_this_authority_s_steps_are_sent(
    service, tokens
):
    case_id, _ = await framed(service, tokens)
    directory = cooperation.Directory("FR-CNIL", frozenset({"FR-CNIL", "IE-DPC", "IT-GPDP"}))
    elsewhere = uuid4()  # the lead's own case id, which means nothing here
    draft = co.DraftDecisionSubmitted(
        case_id=elsewhere,
        cooperation_reference="IE-DPC/2027/0077",
        authority="IE-DPC",
        draft=1,
        submitted_on=date(2027, 6, 1),
        consulted=(co.Consultation(authority="FR-CNIL", consulted_on=date(2027, 6, 1)),),
        summary="a reprimand",
    )
    async with service.runtime.sessions() as session:
        with pytest.raises(cooperation.UnknownCooperation):
            await cooperation.apply_reported(store.PostgresCases(session), directory, draft)
    async with service.runtime.sessions() as session:
        _, events = await cooperation.apply_reported(store.PostgresCases(session), directory, draft, case_id)
    assert cooperation.to_send(events, "FR-CNIL") == []
    agreed = co.DraftAgreed(
        case_id=elsewhere,
        cooperation_reference="IE-DPC/2027/0077",
        authority="IT-GPDP",
        draft=1,
        agreed_on=date(2027, 6, 2),
    )
    async with service.runtime.sessions() as session:
        with pytest.raises(Exception, match="not consulted"):
            await cooperation.apply_reported(store.PostgresCases(session), directory, agreed)
    mine = agreed.model_copy(update={"authority": "FR-CNIL"})
    async with service.runtime.sessions() as session:
        with pytest.raises(cooperation.NotReported):
            await cooperation.apply_reported(store.PostgresCases(session), directory, mine)
    async with service.runtime.sessions() as session:
        state = await store.load(session, case_id)
    done = await post(
        service,
        tokens,
        INVESTIGATOR,
        f"/cases/{case_id}/cooperation/steps",
        {
            "step": "draft_agreed",
            "cooperation_reference": "IE-DPC/2027/0077",
            "draft": 1,
            "agreed_on": "2027-06-02",
            "expected_version": state.version,
        },
    )
    async with service.runtime.sessions() as session:
        stored = [eventstore.stored_event(row) for row in await eventstore.rows(session, case_id)]
    sent = cooperation.to_send(stored, "FR-CNIL")
    assert [type(step) for step in sent] == [co.DraftAgreed]  # not the frame, not the lead's draft
    assert done["events"][0]["data"]["authority"] == "FR-CNIL"
