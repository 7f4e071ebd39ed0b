"""A step another authority's message reports, through the case service's inbox against the real PostgreSQL: applied
to the case that holds its procedure in the transaction that records the message, kept waiting for staff when it
opens a procedure addressed to this authority, or refused by the rules, the refusal recorded with its reason; and
what this authority's steps become on their way out, in the case's detail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import jwt
import pytest
import sqlalchemy as sa

from docket_contracts import cooperation as co
from docket_contracts.checkpoints import new_signing_key
from docket_contracts.registry import new_event
from docket_devstack.staff import INVESTIGATOR, Tokens
from docket_exchange.directory import Authority, Directory
from docket_exchange.keys import OwnKey, PeerKeys, jwks
from docket_exchange.messages import Exchange, Refused
from services.case.config import CaseSettings
from services.case.cooperation import Directory as Authorities
from services.case.exchange import inbox
from services.case.exchange.handlers import handler_for
from services.case.main import create_app
from tests.apps import Running, serve
from tests.service.test_case_service import FixedClock
from tests.service.test_cooperation import FRAME, a_case, post

pytestmark = pytest.mark.service

OWN, LEAD, ITALY = "FR-CNIL", "IE-DPC", "IT-GPDP"
KEYS = {LEAD: OwnKey(new_signing_key()), ITALY: OwnKey(new_signing_key())}


def entry(authority: str) -> Authority:
    host = f"https://{authority.lower()}.invalid"
    return Authority(
        id=authority,
        name=authority,
        member_state=authority[:2],
        inbox_url=f"{host}/cooperation/messages",
        jwks_url=f"{host}/.well-known/jwks.json",
    )


async def published(url: str) -> dict[str, Any]:
    """Each peer's JWKS, as its case service would publish it."""
    return next(jwks(key) for authority, key in KEYS.items() if authority.lower() in url)


OURS = Exchange(OWN, OwnKey(new_signing_key()), Directory([entry(LEAD), entry(ITALY)]), PeerKeys(published))
AUTHORITIES = Authorities(OWN, frozenset({OWN, LEAD, ITALY}))


def signed(step: co.Step, by: str = LEAD) -> str:
    event = new_event(step, source=f"/docket/{by}/case", subject=str(uuid4()), sequence=1)
    return Exchange(by, KEYS[by], Directory([entry(OWN)]), PeerKeys(published)).sign(event, OWN)


@pytest.fixture
async def service(configure, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    settings = configure(
        CaseSettings,
        kafka_bootstrap_servers=closed_port_bootstrap,
        run_relay=False,
        run_consumer=False,
        run_timers=False,
    )
    async with serve(create_app(settings, clock=FixedClock(date(2027, 6, 1)))) as running:
        yield running


async def receive(service: Running, token: str) -> Refused | None:
    try:
        await inbox.receive(service.runtime.sessions, OURS, AUTHORITIES, token)
    except Refused as refused:
        return refused
    return None


async def recorded(service: Running, *tokens: str) -> list[tuple[str, str | None]]:
    """What the record of messages received keeps of each message, in the order received."""
    jtis = [jwt.decode(token, options={"verify_signature": False})["jti"] for token in tokens]
    async with service.runtime.sessions() as session:
        connection = await session.connection()
        rows = await connection.execute(
            sa.text(
                "SELECT outcome, reason FROM cooperation_messages WHERE direction = 'received' "
                "AND jti = ANY(:jtis) ORDER BY id"
            ),
            {"jtis": jtis},
        )
        return [(row.outcome, row.reason) for row in rows]


def reported(model: type[co.Step], reference: str, by: str = LEAD, **fields: Any) -> Any:
    return model(case_id=uuid4(), cooperation_reference=reference, authority=by, **fields)


FIRST_DRAFT_ON = date(2027, 9, 1)


def confirmation(reference: str, complaint: str) -> Any:
    """The lead's confirmation of its competence for the complaint transmitted to it (procedure `complaint`)."""
    return reported(
        co.CompetenceConfirmed,
        reference,
        confirmed_on=date(2027, 6, 15),
        procedure="standard",
        began="complaint",
        began_on=date(2027, 5, 3),
        complaint_reference=complaint,
    )


def first_draft(reference: str) -> Any:
    """The lead's first draft decision, this authority consulted (on FIRST_DRAFT_ON)."""
    on = FIRST_DRAFT_ON
    return reported(
        co.DraftDecisionSubmitted,
        reference,
        draft=1,
        submitted_on=on,
        consulted=(co.Consultation(authority=OWN, consulted_on=on),),
        summary="a reprimand",
    )


async def registered(service: Running, tokens: Tokens) -> tuple[UUID, str, int]:
    """A framed case with a cross-border complaint registered here (FR-CNIL/...), to be sent to IE-DPC."""
    case_id = await a_case(service)
    done = await post(
        service, tokens, INVESTIGATOR, f"/cases/{case_id}/cooperation/frame", FRAME | {"expected_version": 1}
    )
    body = {
        "step": "complaint_registered",
        "complaint_id": str(uuid4()),
        "received_on": "2027-05-03",
        "presumed_lead": LEAD,
        "expected_version": done["case"]["version"],
    }
    done = await post(service, tokens, INVESTIGATOR, f"/cases/{case_id}/cooperation/steps", body)
    return case_id, done["events"][0]["data"]["cooperation_reference"], done["case"]["version"]


async def test_the_lead_s_steps_reach_the_case_that_sent_it_the_complaint_and_steps_here_are_recorded_unsent(
    service, tokens
):
    case_id, complaint, _ = await registered(service, tokens)
    detail = (await service.http.get(f"/cases/{case_id}", headers=tokens(INVESTIGATOR))).json()
    [unsent] = detail["cooperation_messages"]  # no exchange configured here: recorded, not lost
    assert (unsent["authority"], unsent["status"], unsent["cooperation_reference"]) == (LEAD, "not_sent", complaint)
    assert "exchanges no cooperation messages" in unsent["detail"] and "2025/2518 art 4" in unsent["detail"]

    replayed = await service.http.get(
        f"/cases/{case_id}", headers=tokens(INVESTIGATOR), params={"as_of": "2999-01-01T00:00:00Z"}
    )
    assert replayed.json()["cooperation_messages"] == [unsent]  # the case as it stood then names its messages too
    reference = f"IE-DPC/{uuid4().hex[:8]}"
    confirmed = confirmation(reference, complaint)
    tokens_sent = [signed(confirmed)]
    assert await receive(service, tokens_sent[0]) is None  # found by the complaint it names
    draft = first_draft(reference)
    tokens_sent.append(signed(draft))
    assert await receive(service, tokens_sent[1]) is None
    history = (await service.http.get(f"/cases/{case_id}/history", headers=tokens(INVESTIGATOR))).json()
    assert [(e["type"], e["actor"], e["actor_name"]) for e in history[-2:]] == [
        ("docket.cooperation.competence_confirmed", "system:cooperation-exchange", LEAD),
        ("docket.cooperation.draft_decision_submitted", "system:cooperation-exchange", LEAD),
    ]
    assert await recorded(service, *tokens_sent) == [("accepted", None), ("accepted", None)]


async def test_a_step_refused_by_the_rules_or_not_the_sender_s_own_is_answered_and_recorded_with_its_reason(
    service, tokens
):
    _, complaint, _ = await registered(service, tokens)
    reference = f"IE-DPC/{uuid4().hex[:8]}"
    confirmed = confirmation(reference, complaint)
    draft, on = first_draft(reference), FIRST_DRAFT_ON
    refusals = {
        "Italy reports the lead's confirmation": (signed(confirmed, by=ITALY), 403, "not_its_act"),
        "a date before the complaint": (
            signed(confirmed.model_copy(update={"confirmed_on": date(2027, 5, 1)})),
            422,
            "invalid",
        ),
        "a draft of a procedure no case holds": (signed(draft), 409, "unknown_procedure"),
    }
    for what, (token, status, reason) in refusals.items():
        refused = await receive(service, token)
        assert refused is not None and (refused.status, refused.reason) == (status, reason), what
    invalid = await receive(service, refusals["a date before the complaint"][0])
    assert invalid is not None and invalid.answer()["detail"][0]["loc"] == ["body", "event", "data", "confirmed_on"]
    accepted = [signed(confirmed), signed(draft)]
    for token in accepted:
        assert await receive(service, token) is None
    early = reported(
        co.DecisionAdopted, reference, adopted_on=on, notified_on=on, decision="action", summary="a reprimand"
    )
    too_early = signed(early)
    rejected = await receive(service, too_early)
    assert rejected is not None and (rejected.status, rejected.reason) == (409, "rejected")
    assert "the time to object runs: FR-CNIL until 2027-09-29" in rejected.detail
    deemed = reported(
        co.DraftDeemedAgreed, reference, by=LEAD, draft=1, window_ended=on, detected_at="2027-09-30T06:00:00Z"
    )
    found_by_clock = signed(deemed)
    never = await receive(service, found_by_clock)
    assert never is not None and (never.status, never.reason) == (422, "not_reportable")
    sent = [*(token for token, _, _ in refusals.values()), *accepted, too_early, found_by_clock]
    assert await recorded(service, *sent) == [
        ("refused", "not_its_act"),
        ("refused", "invalid"),
        ("refused", "unknown_procedure"),
        ("refused", "invalid"),  # the same message again: refused again
        ("accepted", None),
        ("accepted", None),
        ("refused", "rejected"),
        ("refused", "not_reportable"),
    ]


async def test_a_request_addressed_here_waits_for_staff_who_attach_it_to_the_controller_s_case(service, tokens):
    reference = f"IE-DPC/{uuid4().hex[:8]}"
    asked = reported(
        co.AssistanceRequested,
        reference,
        requested=OWN,
        received_on=date(2027, 6, 2),
        asks="information",
        purpose="the controller's answers to the CNIL",
        reasons="the same processing of people in France",
    )
    assert await receive(service, signed(asked)) is None
    waiting = (await service.http.get("/cooperation/waiting", headers=tokens(INVESTIGATOR))).json()
    [mine] = [w for w in waiting if w["cooperation_reference"] == reference]
    assert (mine["sender"], mine["event_type"]) == (LEAD, "docket.cooperation.assistance_requested")
    assert mine["step"]["purpose"] == "the controller's answers to the CNIL"
    case_id = await a_case(service)
    done = await post(
        service, tokens, INVESTIGATOR, f"/cases/{case_id}/cooperation/frame", FRAME | {"expected_version": 1}
    )
    attach = {"cooperation_reference": reference, "expected_version": done["case"]["version"]}
    attached = await post(service, tokens, INVESTIGATOR, f"/cases/{case_id}/cooperation/attach", attach)
    assert [e["type"] for e in attached["events"]] == ["docket.cooperation.assistance_requested"]
    assert attached["events"][0]["data"]["case_id"] == str(case_id)
    waiting = (await service.http.get("/cooperation/waiting", headers=tokens(INVESTIGATOR))).json()
    assert reference not in {w["cooperation_reference"] for w in waiting}
    gone = await post(service, tokens, INVESTIGATOR, f"/cases/{case_id}/cooperation/attach", attach, expect=422)
    assert "no step received waits" in str(gone)
    listed = await service.http.get("/cooperation/deadlines", params={"days": 60}, headers=tokens(INVESTIGATOR))
    [owed] = [d for d in listed.json()["items"] if d["cooperation_reference"] == reference]
    assert (owed["deadline"], owed["authority"], owed["last_day"]) == ("61(2)", OWN, "2027-07-02")


async def test_a_message_whose_case_others_keep_changing_is_tried_again_then_answered_busy_with_nothing_kept(
    service, tokens
):
    """Staff appending to the case while a reported step is applied make its append fail (the events' key): the
    inbox decides it again on the case as it now stands, and after three such losses asks the sender to come back
    (503, Retry-After), keeping no record of the message, which arrives again whole."""
    case_id, complaint, _ = await registered(service, tokens)
    losses = 0

    def losing(times: int):
        async def handler(session, message, directory) -> None:
            nonlocal losses
            if losses < times:
                losses += 1
                raise sa.exc.IntegrityError("INSERT INTO events", {}, Exception("duplicate key"))
            await handler_for(message.event.type)(session, message, directory)

        return lambda event_type: handler

    reference = f"IE-DPC/{uuid4().hex[:8]}"
    confirmed = signed(confirmation(reference, complaint))
    with pytest.raises(inbox.Busy):
        await inbox.receive(service.runtime.sessions, OURS, AUTHORITIES, confirmed, handlers=losing(3))
    assert losses == 3 and await recorded(service, confirmed) == []
    losses = 0
    await inbox.receive(service.runtime.sessions, OURS, AUTHORITIES, confirmed, handlers=losing(2))
    assert losses == 2 and await recorded(service, confirmed) == [("accepted", None)]
    history = (await service.http.get(f"/cases/{case_id}/history", headers=tokens(INVESTIGATOR))).json()
    assert history[-1]["type"] == "docket.cooperation.competence_confirmed"
