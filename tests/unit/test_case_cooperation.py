"""The authorities working together on a case: the frame, each procedure's steps and refusals, and each deadline the
timer keeps, asserted at its boundary day (GDPR Arts 56, 60-62, 65, 66; Regulation 2025/2518, as reported)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from docket_contracts import cooperation as co
from docket_contracts.errors import Invalid
from docket_contracts.progress import add_months
from services.case.domain import Deliberation, ImposeSanction, Rejected, open_deadlines, replay
from tests.unit.cooperation_history import (
    CASE,
    COMPLAINT,
    ITALY,
    LEAD,
    OWN,
    SPAIN,
    adopted,
    draft,
    frame,
    framed,
    lapse,
    no_establishment,
    objection,
    opened,
    step,
    take,
    then,
)

DAY = date(2027, 6, 1)


def only(events: list, kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]


# --- the frame -----------------------------------------------------------------------------------------------------


def test_a_frame_is_the_event_it_records():
    state = replay([opened()])
    assert take(state, frame()) == [frame()]
    recorded = then(state, frame()).cooperation.frame
    assert recorded is not None and recorded.one_stop_shop and recorded.received_complaint(OWN)


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"lead": None}, "lead", "Art 56(1)"),
        ({"lead": "XX-NOBODY"}, "lead", "directory"),
        ({"basis": None}, "basis", "Art 4(23)"),
        ({"role": "lead"}, "role", "leads only"),
        ({"authority": LEAD}, "authority", "each authority records its frame"),
        ({"public_interest": True}, "lead", "Art 55(2)"),
        # Clearview AI affects people in many Member States, but with no establishment in the Union its processing
        # is not cross-border in the GDPR's sense (Art 4(23)).
        ({"establishment": "none_in_union", "establishment_state": None, "lead": None}, "cross_border", "Art 4(23)"),
    ],
)
def test_a_frame_that_does_not_hold_together_is_refused_naming_the_rule(changes, field, rule):
    with pytest.raises(Invalid, match=re.escape(rule)) as refused:
        take(replay([opened()]), frame(**changes))
    assert refused.value.field == field


def test_without_an_establishment_in_the_union_there_is_no_one_stop_shop_but_assistance_runs():
    """Clearview AI (Art 3(2)): no lead, no Art 60; each authority acts on its territory, and asks others under Art
    61."""
    state = replay([opened(), no_establishment()])
    with pytest.raises(Rejected, match=r"Art 3\(2\)"):
        take(state, draft(consulted=(OWN,)))
    request = step(
        co.AssistanceRequested,
        "FR-CNIL/1",
        by=OWN,
        requested=ITALY,
        received_on=DAY,
        asks="information",
        purpose="p",
        reasons="r",
    )
    assert take(state, request) == [request]


def test_a_step_before_the_frame_or_by_an_unknown_authority_is_refused():
    with pytest.raises(Rejected, match="cooperation frame first"):
        take(replay([opened()]), draft())
    with pytest.raises(Invalid, match="directory") as refused:
        take(framed(), draft(by="XX-NOBODY"))
    assert refused.value.field == "authority"


# --- Art 56(3): a local case ------------------------------------------------------------------------------------------


def test_the_lead_has_three_weeks_to_decide_on_a_local_case_and_the_timer_only_marks_it_overdue():
    notified = step(co.LocalCaseNotified, "FR-CNIL/L1", by=OWN, lead=LEAD, informed_on=DAY, subject="a shop")
    state = then(framed(), notified)
    assert lapse(state, DAY + timedelta(weeks=3)) == []
    [passed] = lapse(state, DAY + timedelta(weeks=3, days=1))
    assert isinstance(passed, co.DeadlinePassed) and passed.deadline == "56(3)" and passed.authority == LEAD
    assert passed.last_day == date(2027, 6, 22)
    state = replay([passed], state)
    assert state.cooperation.procedure("FR-CNIL/L1").open  # overdue, not decided
    decided = step(co.LocalCaseDecided, "FR-CNIL/L1", decided_on=date(2027, 7, 1), handling="local")
    state = then(state, decided)
    assert state.cooperation.procedure("FR-CNIL/L1").ending == "handled locally (Art 56(5))"
    with pytest.raises(Invalid, match=r"Art 56\(3\)"):
        take(framed(notified), step(co.LocalCaseDecided, "FR-CNIL/L1", by=ITALY, decided_on=DAY, handling="local"))


# --- Art 60: drafts, objections, silence ------------------------------------------------------------------------------


def test_silence_for_four_weeks_is_agreement_and_not_a_day_before():
    state = framed(draft())
    assert lapse(state, DAY + timedelta(weeks=4)) == []
    deemed = lapse(state, DAY + timedelta(weeks=4, days=1))
    assert {(e.authority, e.window_ended) for e in deemed} == {(OWN, date(2027, 6, 29)), (ITALY, date(2027, 6, 29))}
    assert all(isinstance(e, co.DraftDeemedAgreed) for e in deemed)
    state = replay(deemed, state)
    assert lapse(state, date(2027, 12, 1)) == []  # found once
    assert take(state, adopted(date(2027, 7, 1))) == [adopted(date(2027, 7, 1))]
    assert not replay([adopted(date(2027, 7, 1))], state).cooperation.procedure("IE-DPC/2027/1").open


def test_an_objection_on_the_last_of_the_four_weeks_is_taken_and_the_day_after_is_refused():
    state = framed(draft())
    last = DAY + timedelta(weeks=4)
    assert take(state, objection(on=last)) == [objection(on=last)]
    with pytest.raises(Invalid, match=r"four weeks.*Art 60\(4\)") as refused:
        take(state, objection(on=last + timedelta(days=1)))
    assert refused.value.field == "raised_on"


def test_an_objection_is_relevant_and_reasoned_and_by_an_authority_consulted():
    state = framed(draft(consulted=(OWN,)))
    with pytest.raises(Invalid, match=r"Art 4\(24\)"):
        take(state, objection().model_copy(update={"reasoned": False}))
    with pytest.raises(Invalid, match="was not consulted"):
        take(state, objection(by=ITALY))
    with pytest.raises(Invalid, match=r"Art 60\(3\)"):
        take(framed(), draft(by=ITALY))


def test_the_final_decision_waits_for_every_window_and_an_objection_for_a_revision_or_the_board():
    state = framed(draft(), step(co.DraftAgreed, by=ITALY, draft=1, agreed_on=DAY))
    with pytest.raises(Rejected, match=r"FR-CNIL until 2027-06-29.*Art 60\(4\)-\(6\)"):
        take(state, adopted(DAY))
    state = then(state, objection())
    with pytest.raises(Rejected, match=r"FR-CNIL objected.*Art 60\(4\)-\(5\), 65\(1\)\(a\)"):
        take(state, adopted(DAY + timedelta(days=20)))


def test_a_revised_draft_follows_an_objection_and_gets_two_weeks():
    state = framed(draft())
    with pytest.raises(Rejected, match=r"follows an objection.*Art 60\(5\)"):
        take(state, draft(2, on=date(2027, 6, 20)))
    revised_on = date(2027, 6, 20)
    state = replay([objection(), *take(then(state, objection()), draft(2, on=revised_on))], state)
    assert lapse(state, revised_on + timedelta(weeks=2)) == []
    deemed = lapse(state, revised_on + timedelta(weeks=2, days=1))
    assert {(e.draft, e.window_ended) for e in deemed} == {(2, date(2027, 7, 4))}
    with pytest.raises(Invalid, match=r"two weeks.*Art 60\(5\)"):
        take(state, objection(2, on=revised_on + timedelta(weeks=2, days=1)))


def test_a_rejection_is_adopted_by_the_authority_the_complaint_was_lodged_with_and_a_split_takes_both_parts():
    state = framed(draft(consulted=(OWN,)), step(co.DraftAgreed, by=OWN, draft=1, agreed_on=DAY))
    with pytest.raises(Invalid, match=r"Art 60\(8\)"):
        take(state, adopted(DAY, decision="rejection", by=ITALY))
    with pytest.raises(Invalid, match=r"Art 60\(7\)"):
        take(state, adopted(DAY, decision="action", by=OWN))
    state = then(state, adopted(DAY, decision="action", split=True))
    assert state.cooperation.procedure("IE-DPC/2027/1").open  # the rejected part is still to decide (Art 60(9))
    with pytest.raises(Rejected, match=r"Art 60\(9\)"):
        take(state, adopted(DAY, decision="action", split=True))
    state = then(state, adopted(DAY, decision="rejection", by=OWN, split=True))
    assert not state.cooperation.procedure("IE-DPC/2027/1").open


# --- Art 65: the Board ------------------------------------------------------------------------------------------------


def referral(on: date = date(2027, 7, 1)) -> co.DisputeReferred:
    return step(
        co.DisputeReferred,
        "IE-DPC/2027/D1",
        referred_on=on,
        ground="65(1)(a)",
        concerning="IE-DPC/2027/1",
        matters="the fine",
    )


def board(kind: type, **fields) -> co.Step:
    return step(kind, "IE-DPC/2027/D1", by=co.BOARD, **fields)


def test_no_decision_on_the_subject_while_the_board_decides():
    state = framed(draft(), objection())
    state = then(state, referral())
    with pytest.raises(Rejected, match=r"Art 65\(4\)"):
        take(state, adopted(date(2027, 7, 2)))
    sanction = ImposeSanction(
        sanction_id=CASE,
        decided_on=date(2027, 7, 2),
        fine_eur=1,
        turnover_eur=None,
        articles=(6,),
        injunction=None,
        deliberation=Deliberation("SAN-1", ("a", "b", "c", "d"), 4),
    )
    from services.case.domain import decide

    with pytest.raises(Rejected):
        decide(state, sanction)


def test_the_board_has_a_month_a_second_if_extended_then_two_weeks_by_simple_majority():
    referred = date(2027, 7, 1)
    state = framed(draft(consulted=(OWN,)), objection(), referral(referred))
    assert lapse(state, add_months(referred, 1)) == []
    [two_thirds] = lapse(state, add_months(referred, 1) + timedelta(days=1))
    assert two_thirds.deadline == "65(2)" and two_thirds.last_day == date(2027, 8, 1)
    extended = then(state, board(co.BoardPeriodExtended, decided_on=date(2027, 7, 20)))
    assert lapse(extended, date(2027, 8, 2)) == []
    [two_months] = lapse(extended, date(2027, 9, 2))
    assert two_months.last_day == date(2027, 9, 1)
    with pytest.raises(Rejected, match="once"):
        take(extended, board(co.BoardPeriodExtended, decided_on=date(2027, 7, 21)))
    simple = [d for d in open_deadlines(extended) if d.kind == "65(3)"]
    assert [d.last_day for d in simple] == [date(2027, 9, 15)]
    late = board(
        co.BoardDecisionReceived,
        decided_on=date(2027, 9, 2),
        notified_on=date(2027, 9, 3),
        majority="two_thirds",
        summary="s",
    )
    with pytest.raises(Invalid, match=r"simple majority after.*65\(2\)-\(3\)"):
        take(extended, late)


def test_the_final_decision_follows_the_board_s_within_a_month_of_its_notification():
    state = framed(draft(consulted=(OWN,)), objection(), referral())
    decided = board(
        co.BoardDecisionReceived,
        decided_on=date(2027, 7, 25),
        notified_on=date(2027, 7, 28),
        majority="two_thirds",
        summary="raise the fine",
    )
    state = then(state, decided)
    assert [d.last_day for d in open_deadlines(state) if d.kind == "65(6)"] == [date(2027, 8, 28)]
    assert lapse(state, date(2027, 8, 28)) == []
    assert [e.deadline for e in lapse(state, date(2027, 8, 29))] == ["65(6)"]
    assert take(state, adopted(date(2027, 8, 20))) == [adopted(date(2027, 8, 20))]


# --- Arts 61 and 62 ---------------------------------------------------------------------------------------------------


def request(received_on: date = DAY) -> co.AssistanceRequested:
    return step(
        co.AssistanceRequested,
        "FR-CNIL/A1",
        by=OWN,
        requested=ITALY,
        received_on=received_on,
        asks="information",
        purpose="the controller's answers",
        reasons="the same processing in Italy",
    )


def measure(basis: str, adopted_on: date, concerning: str | None = None, **changes) -> co.ProvisionalMeasureAdopted:
    fields = {
        "adopted_on": adopted_on,
        "expires_on": add_months(adopted_on, 3),
        "basis": basis,
        "concerning": concerning,
        "territory": "FR",
        "measure": "stop the processing",
    } | changes
    return step(co.ProvisionalMeasureAdopted, "FR-CNIL/U1", by=OWN, **fields)


def test_a_request_for_assistance_has_a_month_then_the_61_8_measure_and_not_before():
    state = framed(request(date(2027, 6, 1)))
    assert lapse(state, date(2027, 7, 1)) == []
    [passed] = lapse(state, date(2027, 7, 2))
    assert passed.deadline == "61(2)" and passed.authority == ITALY
    with pytest.raises(Invalid, match=r"until 2027-07-01.*Art 61\(8\)") as refused:
        take(state, measure("61(8)", date(2027, 7, 1), "FR-CNIL/A1"))
    assert refused.value.field == "adopted_on"
    state = then(replay([passed], state), measure("61(8)", date(2027, 7, 2), "FR-CNIL/A1"))
    assert state.cooperation.procedure("FR-CNIL/A1").ending.startswith("unanswered")
    with pytest.raises(Invalid, match=r"binding decision.*Art 66\(2\)"):
        take(state, step(co.UrgentRequestMade, "FR-CNIL/U1", by=OWN, requested_on=date(2027, 7, 3), asks="opinion"))


def test_assistance_is_refused_only_on_the_grounds_of_61_4():
    state = framed(request())
    refused = step(co.AssistanceAnswered, "FR-CNIL/A1", by=ITALY, answered_on=DAY, outcome="refused", summary="no")
    with pytest.raises(Invalid, match=r"Art 61\(4\)") as error:
        take(state, refused)
    assert error.value.field == "refusal_ground"
    grounded = refused.model_copy(update={"refusal_ground": "61(4)(a)"})
    assert then(state, grounded).cooperation.procedure("FR-CNIL/A1").ending == "answered: refused (61(4)(a))"


def test_a_request_to_take_part_in_a_joint_operation_has_a_month():
    asked = step(
        co.JointOperationRequested,
        "FR-CNIL/J1",
        by=OWN,
        kind="participation_request",
        addressed_to=LEAD,
        received_on=DAY,
        scope="on-site checks in Dublin",
    )
    state = framed(asked)
    assert lapse(state, date(2027, 7, 1)) == []
    assert [e.deadline for e in lapse(state, date(2027, 7, 2))] == ["62(7)"]
    invitation = asked.model_copy(update={"cooperation_reference": "FR-CNIL/J2", "kind": "invitation"})
    assert lapse(framed(invitation), date(2028, 1, 1)) == []  # the text gives an invitation no time


# --- Art 66 -----------------------------------------------------------------------------------------------------------


def test_a_provisional_measure_lasts_three_months_at_most():
    adopted_on = date(2027, 6, 1)
    state = framed()
    assert take(state, measure("66(1)", adopted_on)) == [measure("66(1)", adopted_on)]
    with pytest.raises(Invalid, match=r"three months at most \(GDPR Art 66\(1\)\)") as refused:
        take(state, measure("66(1)", adopted_on, expires_on=date(2027, 9, 2)))
    assert refused.value.field == "expires_on"
    state = then(state, measure("66(1)", adopted_on))
    assert lapse(state, date(2027, 9, 1)) == []
    [expired] = lapse(state, date(2027, 9, 2))
    assert expired.deadline == "66(1)"
    assert replay([expired], state).cooperation.procedure("FR-CNIL/U1").ending == "the provisional measure expired"


def test_the_urgent_request_is_made_four_weeks_before_the_measure_expires_and_the_board_has_two_weeks():
    state = framed(measure("66(1)", date(2027, 6, 1)))  # expires on 1 September 2027
    latest = date(2027, 9, 1) - timedelta(weeks=4)
    asked = step(co.UrgentRequestMade, "FR-CNIL/U1", by=OWN, requested_on=latest, asks="opinion")
    with pytest.raises(Invalid, match=r"at least four weeks.*2025/2518"):
        take(state, asked.model_copy(update={"requested_on": latest + timedelta(days=1)}))
    state = then(state, asked)
    assert lapse(state, latest + timedelta(weeks=2)) == []
    assert [e.deadline for e in lapse(state, latest + timedelta(weeks=2, days=1))] == ["66(4)"]


def test_before_the_regulation_applies_the_request_has_no_four_weeks_limit():
    adopted_on = date(2026, 6, 1)
    state = framed(measure("66(1)", adopted_on))
    late = step(co.UrgentRequestMade, "FR-CNIL/U1", by=OWN, requested_on=date(2026, 8, 30), asks="opinion")
    assert take(state, late) == [late]


# --- Regulation 2025/2518: the investigation's time limits -----------------------------------------------------------


def confirmed(began_on: date, procedure: str = "standard", on: date = date(2027, 6, 1)) -> co.CompetenceConfirmed:
    return step(co.CompetenceConfirmed, confirmed_on=on, procedure=procedure, began="complaint", began_on=began_on)


@pytest.mark.parametrize(("procedure", "months"), [("standard", 15), ("simple", 12)])
def test_the_draft_decision_is_due_15_months_after_the_confirmation_or_12_under_the_simple_procedure(procedure, months):
    state = framed(confirmed(date(2027, 5, 1), procedure))
    last = add_months(date(2027, 6, 1), months)
    assert lapse(state, last) == []
    [passed] = lapse(state, last + timedelta(days=1))
    assert passed.deadline == "2025/2518-investigation" and passed.last_day == last


def test_a_complex_investigation_gets_up_to_twelve_months_more():
    state = framed(confirmed(date(2027, 5, 1)))
    extension = step(co.InvestigationExtended, decided_on=date(2028, 1, 1), months=12, reasons="complex")
    state = then(state, extension)
    assert [d.last_day for d in open_deadlines(state)] == [date(2029, 9, 1)]
    with pytest.raises(Invalid, match="up to 12 more"):
        take(state, extension.model_copy(update={"months": 1}))
    with pytest.raises(Rejected, match="simple procedure"):
        take(framed(confirmed(date(2027, 5, 1), "simple")), extension)


def test_a_complaint_lodged_by_2_april_2027_has_no_time_limit_of_the_regulation():
    state = framed(confirmed(date(2027, 4, 2)))
    assert open_deadlines(state) == []
    assert framed(confirmed(date(2027, 4, 3))) and open_deadlines(framed(confirmed(date(2027, 4, 3))))


# --- a complaint lodged here ------------------------------------------------------------------------------------------


def registered(received_on: date) -> co.CrossBorderComplaintRegistered:
    return step(
        co.CrossBorderComplaintRegistered,
        "FR-CNIL/C1",
        by=OWN,
        complaint_id=COMPLAINT,
        received_on=received_on,
        presumed_lead=LEAD,
    )


def test_the_complaint_is_transmitted_within_six_weeks_and_staff_are_warned_a_week_before():
    received = date(2027, 5, 3)
    state = framed(registered(received))
    assert lapse(state, received + timedelta(days=34)) == []
    [near] = lapse(state, received + timedelta(days=35))
    assert isinstance(near, co.DeadlineNear) and near.last_day == date(2027, 6, 14)
    state = replay([near], state)
    assert lapse(state, date(2027, 6, 14)) == []
    [overdue] = lapse(state, date(2027, 6, 15))
    assert isinstance(overdue, co.DeadlinePassed) and overdue.deadline == "2025/2518-transmission"
    state = replay([overdue], state)
    sent = step(
        co.ComplaintTransmitted,
        "FR-CNIL/C1",
        by=OWN,
        complaint_id=COMPLAINT,
        transmitted_on=date(2027, 6, 20),
        lead=LEAD,
        assessment="admissible; the controller's main establishment is in Ireland",
    )
    assert then(state, sent).cooperation.procedure("FR-CNIL/C1").ending == f"transmitted to {LEAD}"


def test_a_complaint_lodged_before_the_regulation_has_no_six_weeks():
    assert open_deadlines(framed(registered(date(2027, 4, 2)))) == []


def test_early_resolution_needs_the_complainant_not_to_object():
    state = framed(registered(date(2027, 5, 3)))
    resolved = step(
        co.ComplaintResolvedEarly,
        "FR-CNIL/C1",
        by=OWN,
        complaint_id=COMPLAINT,
        resolved_on=date(2027, 5, 20),
        infringement_ended_on=date(2027, 5, 15),
        complainant_objected=True,
    )
    with pytest.raises(Invalid, match="art 5") as refused:
        take(state, resolved)
    assert refused.value.field == "complainant_objected"
    done = then(state, resolved.model_copy(update={"complainant_objected": False}))
    assert done.cooperation.procedure("FR-CNIL/C1").ending == "resolved early (2025/2518 art 5)"


# --- the parties' rights ---------------------------------------------------------------------------------------------


def test_preliminary_findings_give_a_time_to_answer_and_a_complainant_gets_them_for_a_rejection():
    state = framed(confirmed(date(2027, 5, 1)))
    findings = step(
        co.PreliminaryFindingsSent, party="controller", sent_on=date(2027, 9, 1), answer_due=date(2027, 10, 1)
    )
    state = then(state, findings)
    assert lapse(state, date(2027, 10, 1)) == []
    assert [e.deadline for e in lapse(state, date(2027, 10, 2))] == ["2025/2518-views-controller"]
    late = step(co.PartyViewsReceived, party="controller", received_on=date(2027, 10, 2))
    with pytest.raises(Invalid, match="after the time to answer"):
        take(state, late)
    to_complainant = step(
        co.PreliminaryFindingsSent, by=OWN, party="complainant", sent_on=date(2027, 9, 1), answer_due=date(2027, 10, 1)
    )
    with pytest.raises(Invalid, match="rejection is intended") as refused:
        take(state, to_complainant)
    assert refused.value.field == "rejection_intended"
    with pytest.raises(Invalid, match=r"Art 56\(6\)"):
        take(state, findings.model_copy(update={"authority": OWN}))


def test_access_to_the_file_records_each_document_withheld_with_its_ground():
    state = framed(confirmed(date(2027, 5, 1)))
    access = step(
        co.FileAccessGiven,
        by=OWN,
        party="complainant",
        given_on=date(2027, 9, 5),
        documents=("the draft decision",),
        withheld=(co.WithheldDocument(document="the objection of IT-GPDP", ground="24(3)(a)"),),
    )
    assert take(state, access) == [access]
    with pytest.raises(Invalid, match="both given and withheld"):
        take(state, access.model_copy(update={"documents": ("the objection of IT-GPDP",)}))


# --- the summary of key issues (Regulation 2025/2518 art 10, as reported) ----------------------------------------


def summary(on: date = date(2027, 7, 1), by: str = LEAD) -> co.KeyIssuesSummarised:
    return step(co.KeyIssuesSummarised, by=by, summarised_on=on, summary="facial recognition scraped from profiles")


def comments(on: date = date(2027, 7, 20), by: str = OWN) -> co.KeyIssuesCommented:
    return step(co.KeyIssuesCommented, by=by, commented_on=on, comments="the scope should include Art 9")


def test_the_lead_shares_a_summary_of_key_issues_and_each_authority_concerned_may_comment_without_a_time_limit():
    state = framed(confirmed(date(2027, 5, 1)))
    assert take(state, summary()) == [summary()]
    state = then(state, summary())
    assert state.cooperation.procedure("IE-DPC/2027/1").key_issues_on == date(2027, 7, 1)
    for authority in (OWN, ITALY):
        state = then(state, comments(by=authority))
    assert state.cooperation.procedure("IE-DPC/2027/1").key_issues_comments == (
        (OWN, date(2027, 7, 20)),
        (ITALY, date(2027, 7, 20)),
    )
    # No time limit for comments was found in any source read: the timer finds nothing, a year on either.
    assert [d.kind for d in open_deadlines(state)] == ["2025/2518-investigation"]
    assert take(state, comments(on=date(2028, 7, 20))) == [comments(on=date(2028, 7, 20))]


def test_the_summary_of_key_issues_is_refused_under_the_simple_procedure_naming_art_6_1():
    state = framed(confirmed(date(2027, 5, 1), "simple"))
    with pytest.raises(Rejected, match=r"simple procedure art 10 does not apply \(Regulation 2025/2518 art 6\(1\)"):
        take(state, summary())
    with pytest.raises(Rejected, match=r"art 6\(1\)"):
        take(state, comments())


@pytest.mark.parametrize(
    ("history", "taken", "refusal", "rule"),
    [
        ((), summary(by=OWN), Invalid, "the lead authority"),
        ((), comments(), Rejected, "no summary of key issues to comment on"),
        ((summary(),), comments(by=LEAD), Invalid, "authorities concerned comment"),
        ((summary(),), comments(by=SPAIN), Invalid, r"not an authority concerned"),
        ((summary(),), comments(on=date(2027, 6, 30)), Invalid, "before the summary was shared"),
        ((), summary(on=date(2027, 5, 31)), Invalid, "before the competence was confirmed"),
        ((draft(on=date(2027, 6, 10)),), summary(), Rejected, "comes before it"),
    ],
)
def test_a_summary_or_a_comment_out_of_place_is_refused_naming_the_rule(history, taken, refusal, rule):
    state = framed(confirmed(date(2027, 5, 1)), *history)
    with pytest.raises(refusal, match=rule):
        take(state, taken)


def test_an_investigation_the_regulation_does_not_govern_has_no_summary_of_key_issues():
    state = framed(confirmed(date(2027, 3, 1)))
    with pytest.raises(Rejected, match=r"after 2 April 2027 \(art 36"):
        take(state, summary())


# --- withdrawal -------------------------------------------------------------------------------------------------------


def test_only_the_authority_that_opened_a_procedure_withdraws_it():
    state = framed(request())
    by_italy = step(co.ProcedureWithdrawn, "FR-CNIL/A1", by=ITALY, withdrawn_on=DAY, reasons="r")
    with pytest.raises(Invalid, match="authority that opened it"):
        take(state, by_italy)
    done = then(state, by_italy.model_copy(update={"authority": OWN}))
    assert done.cooperation.procedure("FR-CNIL/A1").ending == "withdrawn"
    assert open_deadlines(done) == []
    with pytest.raises(Rejected, match="ended"):
        take(done, by_italy.model_copy(update={"authority": OWN}))


def test_a_step_reported_by_an_authority_not_concerned_is_refused():
    with pytest.raises(Invalid, match=r"not an authority concerned.*Art 4\(22\)"):
        take(framed(), draft(consulted=(SPAIN,)))
