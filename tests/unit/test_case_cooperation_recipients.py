"""Who a step this authority took is addressed to, and by which rule: given the case's events, when the step, then
the authorities the exchange sends it to (domain/recipients.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from docket_contracts import cooperation as co
from services.case.domain import Addressee, addressees, replay
from tests.unit.cooperation_history import (
    COMPLAINT,
    ITALY,
    LEAD,
    OWN,
    adopted,
    draft,
    frame,
    framed,
    objection,
    step,
    then,
)

DAY = date(2027, 6, 1)


def to(state, taken) -> list[tuple[str, str]]:
    """The addressees of `taken`, read on the case once it is taken."""
    return [(a.authority, a.rule) for a in addressees(replay([taken], state), taken)]


def test_a_draft_goes_to_every_authority_consulted_and_a_revised_one_too():
    state = framed()
    assert to(state, draft()) == [(OWN, "GDPR Art 60(3)"), (ITALY, "GDPR Art 60(3)")]
    state = replay([draft(), objection()], state)
    assert to(state, draft(2, on=date(2027, 6, 20), consulted=(OWN,))) == [(OWN, "GDPR Art 60(5)")]


def test_an_objection_or_an_agreement_goes_to_the_lead_only():
    state = framed(draft())
    assert to(state, objection()) == [(LEAD, "GDPR Art 60(4)")]
    agreed = step(co.DraftAgreed, by=OWN, draft=1, agreed_on=DAY)
    assert to(state, agreed) == [(LEAD, "GDPR Art 60(3)")]


def test_the_lead_s_final_decision_goes_to_the_authorities_concerned_and_the_board():
    state = framed(draft(), *[step(co.DraftAgreed, by=a, draft=1, agreed_on=DAY) for a in (OWN, ITALY)])
    assert to(state, adopted(DAY)) == [
        (OWN, "GDPR Art 60(7)"),
        (ITALY, "GDPR Art 60(7)"),
        (co.BOARD, "GDPR Art 60(7)"),
    ]
    # A rejection the complaint's authority adopts goes to the lead and the others concerned (GDPR Art 60(8)-(9)).
    rejected = adopted(DAY, decision="rejection", by=OWN)
    assert to(state, rejected) == [(LEAD, "GDPR Art 60(8)-(9)"), (ITALY, "GDPR Art 60(8)-(9)")]


def test_a_complaint_lodged_here_goes_to_the_presumed_lead_registered_then_transmitted():
    state = framed()
    registered = step(
        co.CrossBorderComplaintRegistered,
        "FR-CNIL/C1",
        by=OWN,
        complaint_id=COMPLAINT,
        received_on=date(2027, 5, 3),
        presumed_lead=LEAD,
    )
    assert to(state, registered) == [(LEAD, "Regulation 2025/2518 art 4, as reported")]
    transmitted = step(
        co.ComplaintTransmitted,
        "FR-CNIL/C1",
        by=OWN,
        complaint_id=COMPLAINT,
        transmitted_on=date(2027, 6, 1),
        lead=LEAD,
        assessment="cross-border; the DPC leads",
    )
    assert to(then(state, registered), transmitted) == [(LEAD, "Regulation 2025/2518 art 4, as reported")]


def test_a_request_for_assistance_goes_to_the_requested_authority_and_its_answer_and_withdrawal_follow_it():
    asked = step(
        co.AssistanceRequested,
        "FR-CNIL/A1",
        by=OWN,
        requested=ITALY,
        received_on=DAY,
        asks="information",
        purpose="the controller's answers",
        reasons="the same processing in Italy",
    )
    state = framed()
    assert to(state, asked) == [(ITALY, "GDPR Art 61(1)")]
    withdrawn = step(co.ProcedureWithdrawn, "FR-CNIL/A1", by=OWN, withdrawn_on=DAY, reasons="answered otherwise")
    assert [a for a, _ in to(then(state, asked), withdrawn)] == [ITALY]
    # At the Garante's, its answer goes back to the authority that asked (GDPR Art 61(5)).
    answered = step(
        co.AssistanceAnswered, "FR-CNIL/A1", by=ITALY, answered_on=DAY, outcome="provided", summary="answers"
    )
    assert to(then(state, asked), answered) == [(OWN, "GDPR Art 61(5)")]


def test_what_the_lead_confirms_goes_to_every_authority_concerned_and_an_urgent_request_to_the_board():
    state = replay([frame(role="lead", lead=LEAD, concerned=(co.ConcernedAuthority(authority=OWN, reasons=("c",)),))])
    confirmed = step(
        co.CompetenceConfirmed,
        confirmed_on=DAY,
        procedure="standard",
        began="complaint",
        began_on=date(2027, 5, 3),
    )
    assert to(state, confirmed) == [(OWN, "Regulation 2025/2518 art 4(6), as reported")]
    urgent = step(co.UrgentRequestMade, "FR-CNIL/U1", by=OWN, requested_on=DAY, asks="opinion")
    assert to(state, urgent) == [(co.BOARD, "GDPR Art 66(2)-(3)")]


def test_what_a_clock_finds_is_addressed_to_no_one_nor_is_a_step_to_the_authority_that_took_it():
    state = framed(draft())
    deemed = step(
        co.DraftDeemedAgreed,
        by=OWN,
        draft=1,
        window_ended=date(2027, 6, 29),
        detected_at=datetime(2027, 6, 30, tzinfo=UTC),
    )
    assert addressees(replay([deemed], state), deemed) == ()
    own_draft = draft(consulted=(LEAD, OWN)).model_copy(update={"cooperation_reference": f"x-{uuid4().hex[:6]}"})
    assert all(a.authority != LEAD for a in addressees(state, own_draft))
    assert Addressee(OWN, "GDPR Art 60(3)") in addressees(state, own_draft)


def test_the_summary_of_key_issues_goes_to_the_authorities_concerned_and_a_comment_to_the_lead_and_the_others():
    state = replay(
        [
            step(
                co.CompetenceConfirmed,
                confirmed_on=DAY,
                procedure="standard",
                began="complaint",
                began_on=date(2027, 5, 3),
            )
        ],
        framed(),
    )
    summarised = step(co.KeyIssuesSummarised, summarised_on=DAY, summary="the key issues")
    rule = "Regulation 2025/2518 arts 9(1)(f), 10, as reported"
    assert to(state, summarised) == [(OWN, rule), (ITALY, rule)]
    commented = step(co.KeyIssuesCommented, by=OWN, commented_on=DAY, comments="Art 9 too")
    assert to(then(state, summarised), commented) == [(LEAD, rule), (ITALY, rule)]
