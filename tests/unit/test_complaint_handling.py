"""Given a case's events, when a command of a complaint's handling, then events or a refusal: the rules of a
complaint's own path, without I/O. Each refusal names its source, as the rule does."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from docket_contracts.events import (
    CaseAssigned,
    CaseClosed,
    ComplaintAdmissibilityDecided,
    ComplaintAssigned,
    ComplaintClosed,
    ComplaintControllerAnswered,
    ComplaintControllerAsked,
    ComplaintJoinedInvestigation,
    ComplaintLinked,
    ComplaintTransferred,
    ControllerAnswerOverdue,
    ControllerAskedToAct,
    InvestigationOpened,
    Payload,
)
from services.case.domain import (
    AskController,
    AssignCase,
    AssignComplaints,
    CloseComplaints,
    ComplaintRejected,
    DecideAdmissibility,
    Handled,
    HandlingCommand,
    Invalid,
    JoinInvestigation,
    RecordControllerAnswer,
    Rejected,
    RemindController,
    TransferComplaints,
    admissibility_days,
    complaint_steps,
    handle,
    replay,
    replay_complaints,
)
from tests.unit.test_case_domain import CASE, FIRST, OPENED

SECOND = UUID("00000000-0000-0000-0000-000000000002")
VIDEO = UUID("00000000-0000-0000-0000-000000000003")
LETTER = UUID("00000000-0000-0000-0000-00000000001e")
LINKED = ComplaintLinked(
    case_id=CASE,
    complaint_id=SECOND,
    complaint_kind="art80_1_mandated",
    received_on=date(2020, 5, 28),
    category="access_request_ignored",
    body_key="noyb",
)
CAMERA = ComplaintLinked(
    case_id=CASE,
    complaint_id=VIDEO,
    complaint_kind="art77_complaint",
    received_on=date(2020, 6, 2),
    category="video_surveillance",
)
RECEIVED = (OPENED, LINKED, CAMERA)


def admitted(complaint_id: UUID, on: date = date(2020, 6, 15)) -> ComplaintAdmissibilityDecided:
    return ComplaintAdmissibilityDecided(case_id=CASE, complaint_id=complaint_id, decision="admissible", decided_on=on)


def asked(complaint_id: UUID, due: date = date(2020, 7, 15)) -> ComplaintControllerAsked:
    return ComplaintControllerAsked(
        case_id=CASE, complaint_id=complaint_id, letter_id=LETTER, asked_on=date(2020, 6, 16), answer_due=due
    )


ADMITTED = (*RECEIVED, admitted(FIRST), admitted(SECOND))
WITH_CONTROLLER = (*ADMITTED, asked(FIRST), asked(SECOND))
ANSWERED = (
    *WITH_CONTROLLER,
    *(
        ComplaintControllerAnswered(
            case_id=CASE, complaint_id=c, letter_id=LETTER, answered_on=date(2020, 7, 10), summary="access given"
        )
        for c in (FIRST, SECOND)
    ),
)
INVESTIGATING = InvestigationOpened(case_id=CASE, opened_on=date(2020, 8, 1), scope="scraping of facial images")


def when(history: tuple[Payload, ...], command: HandlingCommand) -> Handled:
    return handle(replay(history), replay_complaints(history), command)


def then_refused(handled: Handled, complaint_id: UUID, refusal: type[Exception], words: str) -> None:
    assert not handled.events and complaint_id in handled.refused, handled
    assert isinstance(handled.refused[complaint_id], refusal) and words in str(handled.refused[complaint_id])


def decide(complaint_id: UUID, decision: str = "admissible", **fields: object) -> DecideAdmissibility:
    decided_on = fields.pop("decided_on", date(2020, 6, 15))
    return DecideAdmissibility((complaint_id,), decision, decided_on, **fields)


# --- taken in ------------------------------------------------------------------------------------------------


def test_a_complaint_taken_in_by_its_case_is_received_with_what_gathers_it_into_a_campaign():
    complaints = replay_complaints(RECEIVED)
    second = complaints[SECOND]
    assert (second.status, second.kind, second.category, second.body_key) == (
        "received",
        "art80_1_mandated",
        "access_request_ignored",
        "noyb",
    )
    assert (second.step, second.step_since) == ("admissibility", date(2020, 5, 28))
    assert complaint_steps(replay(RECEIVED), second) == (
        "decide its admissibility",
        "transfer it",
        "close it as withdrawn",
        "assign it",
    )


# --- admissibility -------------------------------------------------------------------------------------------


LACKING = ComplaintLinked(
    case_id=CASE,
    complaint_id=uuid4(),
    complaint_kind="art80_2_unmandated",
    received_on=date(2020, 6, 1),
    body_key="noyb",
    missing_content=("constitution_proof",),
)


def test_a_complaint_recorded_without_art_4_1_content_keeps_it_missing_until_its_admissibility_is_decided():
    complaint = replay_complaints((OPENED, LACKING))[LACKING.complaint_id]
    assert (complaint.missing_content, complaint.step) == (("constitution_proof",), "admissibility")


def test_a_complaint_lacking_art_4_1_content_is_declared_inadmissible_for_it_naming_what_it_lacks():
    """Regulation 2025/2518 art 4(2), as reported; the reason is refused for a complaint that lacks nothing."""
    history = (OPENED, LACKING)
    lacking = decide(LACKING.complaint_id, "inadmissible", reason="cross_border_content_missing", reasons="no proof")
    [decided] = when(history, lacking).events
    assert (decided.reason, decided.missing_content) == ("cross_border_content_missing", ("constitution_proof",))
    assert replay_complaints((*history, decided))[LACKING.complaint_id].status == "inadmissible"
    whole = decide(FIRST, "inadmissible", reason="cross_border_content_missing", reasons="no proof")
    then_refused(when(history, whole), FIRST, Invalid, "Regulation 2025/2518 art 4(2), as reported")


@pytest.mark.parametrize(
    ("target", "missing", "days"), [(30, False, 30), (30, True, 14), (10, True, 10), (10, False, 10)]
)
def test_a_complaint_lacking_art_4_1_content_is_due_for_its_admissibility_within_two_weeks(target, missing, days):
    """Regulation 2025/2518 art 4(2), as reported: "within two weeks of receiving that complaint"; the authority's
    own target stands where it is shorter, or where nothing is missing."""
    assert admissibility_days(target, content_missing=missing) == days


def test_a_complaint_is_found_admissible():
    handled = when(RECEIVED, decide(FIRST))
    assert handled.events == [admitted(FIRST)] and handled.done == (FIRST,)
    assert replay_complaints((*RECEIVED, *handled.events))[FIRST].step == "handling"


@pytest.mark.parametrize(
    "reason", ["not_personal_data", "outside_competence", "no_prior_request", "manifestly_unfounded_or_excessive"]
)
def test_an_inadmissible_complaint_ends_with_its_reason_and_reasons(reason):
    handled = when(RECEIVED, decide(FIRST, "inadmissible", reason=reason, reasons="as the file shows"))
    [decided] = handled.events
    assert (decided.decision, decided.reason, decided.reasons) == ("inadmissible", reason, "as the file shows")
    complaint = replay_complaints((*RECEIVED, decided))[FIRST]
    assert (complaint.status, complaint.outcome, complaint.ended_on) == (
        "inadmissible",
        "inadmissible",
        date(2020, 6, 15),
    )
    assert complaint_steps(replay(RECEIVED), complaint) == ()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"decision": "inadmissible", "reasons": "no"}, "reason", "closed list"),
        ({"decision": "inadmissible", "reason": "not_personal_data"}, "reasons", "L211-2"),
        ({"reason": "duplicate", "duplicate_of": SECOND}, "reason", "no reason of inadmissibility"),
        (
            {"decision": "inadmissible", "reason": "duplicate", "reasons": "again"},
            "duplicate_of",
            "names the complaint",
        ),
    ],
)
def test_an_inadmissibility_states_its_reason_and_its_reasons(fields, field, words):
    with pytest.raises(Invalid) as refused:
        when(RECEIVED, decide(FIRST, **fields))
    assert refused.value.field == field and words in refused.value.message


def test_a_prior_request_to_the_controller_is_needed_only_for_a_complaint_about_ones_rights():
    command = DecideAdmissibility(
        (FIRST, VIDEO), "inadmissible", date(2020, 6, 15), "no_prior_request", "no request to the controller"
    )
    handled = when(RECEIVED, command)
    assert handled.done == (FIRST,)  # access refused: a right; the camera: not one
    refusal = handled.refused[VIDEO]
    assert isinstance(refusal, Invalid) and "video_surveillance needs no prior request" in refusal.message


def test_a_complaint_is_found_manifestly_unfounded_or_excessive_on_its_own_evidence():
    one = DecideAdmissibility(
        (FIRST,), "inadmissible", date(2020, 6, 15), "manifestly_unfounded_or_excessive", "the tenth identical one"
    )
    assert when(RECEIVED, one).done == (FIRST,)


def test_a_selection_is_never_found_excessive_at_once():
    many = DecideAdmissibility(
        (FIRST, SECOND), "inadmissible", date(2020, 6, 15), "manifestly_unfounded_or_excessive", "many of them"
    )
    with pytest.raises(Invalid) as refused:
        when(RECEIVED, many)
    assert "never for the number of complaints alone (CJEU C-416/23)" in refused.value.message


def test_a_duplicate_names_another_complaint():
    handled = when(RECEIVED, decide(SECOND, "inadmissible", reason="duplicate", reasons="same", duplicate_of=SECOND))
    then_refused(handled, SECOND, Invalid, "does not repeat itself")
    handled = when(RECEIVED, decide(SECOND, "inadmissible", reason="duplicate", reasons="same", duplicate_of=FIRST))
    assert handled.events[0].duplicate_of == FIRST


def test_admissibility_is_decided_once_and_not_before_the_complaint_was_received():
    then_refused(when(ADMITTED, decide(FIRST)), FIRST, ComplaintRejected, "decided on 2020-06-15")
    then_refused(when(RECEIVED, decide(VIDEO, decided_on=date(2020, 6, 1))), VIDEO, Invalid, "complaint was received")


# --- the letter to the controller ----------------------------------------------------------------------------


def test_the_controller_is_written_to_once_for_every_complaint_it_may_be_asked_about():
    command = AskController(
        (FIRST, SECOND, VIDEO), LETTER, "Answer the access requests.", date(2020, 6, 16), date(2020, 7, 15)
    )
    handled = when(ADMITTED, command)
    letter, *each = handled.events
    assert letter == ControllerAskedToAct(
        case_id=CASE,
        letter_id=LETTER,
        complaint_ids=(FIRST, SECOND),
        request="Answer the access requests.",
        asked_on=date(2020, 6, 16),
        answer_due=date(2020, 7, 15),
    )
    assert each == [asked(FIRST), asked(SECOND)]
    assert set(handled.refused) == {VIDEO}  # not admissible yet: its admissibility comes first
    complaint = replay_complaints((*ADMITTED, *handled.events))[FIRST]
    assert (complaint.status, complaint.step, complaint.answer_due) == (
        "with_controller",
        "controller_answer",
        date(2020, 7, 15),
    )


def test_no_letter_when_no_complaint_may_be_put_to_the_controller():
    handled = when(RECEIVED, AskController((FIRST,), LETTER, "Act.", date(2020, 6, 16), date(2020, 7, 15)))
    then_refused(handled, FIRST, ComplaintRejected, "allowed next steps: decide its admissibility")


def test_the_answer_is_due_after_the_letter():
    with pytest.raises(Invalid, match="not after the day the letter is written"):
        when(ADMITTED, AskController((FIRST,), LETTER, "Act.", date(2020, 6, 16), date(2020, 6, 16)))


def test_the_answer_is_recorded_for_every_complaint_of_the_letter_still_awaiting_one():
    closed_first = ComplaintClosed(
        case_id=CASE, complaint_id=FIRST, reason="withdrawn", reasons="withdrawn by letter", closed_on=date(2020, 7, 1)
    )
    handled = when((*WITH_CONTROLLER, closed_first), RecordControllerAnswer(LETTER, date(2020, 7, 10), "access given"))
    assert handled.events == [
        ComplaintControllerAnswered(
            case_id=CASE, complaint_id=SECOND, letter_id=LETTER, answered_on=date(2020, 7, 10), summary="access given"
        )
    ]
    with pytest.raises(Rejected, match="awaits one"):
        when(ANSWERED, RecordControllerAnswer(LETTER, date(2020, 7, 12), "again"))
    with pytest.raises(Invalid, match="no letter"):
        when(ADMITTED, RecordControllerAnswer(uuid4(), date(2020, 7, 10), "?"))
    with pytest.raises(Invalid, match="before the letter was written"):
        when(WITH_CONTROLLER, RecordControllerAnswer(LETTER, date(2020, 6, 1), "early"))


def test_the_controller_is_reminded_once_the_day_after_its_answer_was_due():
    at = datetime(2020, 7, 16, 0, 5, tzinfo=UTC)
    assert when(WITH_CONTROLLER, RemindController(LETTER, date(2020, 7, 15), at)).events == []  # not late yet
    [overdue] = when(WITH_CONTROLLER, RemindController(LETTER, date(2020, 7, 16), at)).events
    assert overdue == ControllerAnswerOverdue(
        case_id=CASE, letter_id=LETTER, answer_due=date(2020, 7, 15), detected_at=at
    )
    reminded = replay_complaints((*WITH_CONTROLLER, overdue))
    assert {reminded[c].reminded_on for c in (FIRST, SECOND)} == {date(2020, 7, 16)}
    assert when((*WITH_CONTROLLER, overdue), RemindController(LETTER, date(2020, 7, 20), at)).events == []  # once
    assert when(ANSWERED, RemindController(LETTER, date(2020, 7, 20), at)).events == []  # answered


# --- the investigation, a transfer, a closure ----------------------------------------------------------------


def test_a_complaint_joins_the_investigation_once_one_is_open():
    then_refused(
        when(ADMITTED, JoinInvestigation((FIRST,), date(2020, 8, 2))), FIRST, ComplaintRejected, "no investigation open"
    )
    history = (*ADMITTED, INVESTIGATING)
    assert "join it to the investigation" in complaint_steps(replay(history), replay_complaints(history)[FIRST])
    then_refused(when(history, JoinInvestigation((FIRST,), date(2020, 7, 31))), FIRST, Invalid, "investigation opened")
    assert when(history, JoinInvestigation((FIRST,), date(2020, 8, 2))).events == [
        ComplaintJoinedInvestigation(case_id=CASE, complaint_id=FIRST, joined_on=date(2020, 8, 2))
    ]


def test_a_complaint_is_transferred_before_its_handling_began_and_ends_here():
    command = TransferComplaints(
        (FIRST, VIDEO), "Data Protection Commission", "IE", "main establishment in Ireland", date(2020, 6, 20)
    )
    handled = when((*RECEIVED, admitted(FIRST)), command)
    assert [type(e) for e in handled.events] == [ComplaintTransferred, ComplaintTransferred]
    complaint = replay_complaints((*RECEIVED, *handled.events))[VIDEO]
    assert (complaint.status, complaint.transferred_to, complaint.outcome) == (
        "transferred",
        "Data Protection Commission",
        "transferred",
    )
    late = TransferComplaints((FIRST,), "Data Protection Commission", "IE", "too late", date(2020, 6, 20))
    then_refused(when(WITH_CONTROLLER, late), FIRST, ComplaintRejected, "is with controller")


def test_a_complaint_not_yet_found_admissible_can_only_be_withdrawn():
    not_pursued = CloseComplaints((VIDEO,), "not_pursued", "no resources", date(2020, 6, 20))
    then_refused(when(RECEIVED, not_pursued), VIDEO, ComplaintRejected, "admissibility is not decided yet")
    withdrawn = CloseComplaints((VIDEO,), "withdrawn", "withdrawn by letter of 19 June", date(2020, 6, 20))
    assert when(RECEIVED, withdrawn).events[0].reason == "withdrawn"


def test_a_complaint_is_resolved_only_once_the_controller_answered_the_authoritys_letter():
    resolved = CloseComplaints((FIRST,), "resolved", "access given on 8 July", date(2020, 7, 20))
    then_refused(when(WITH_CONTROLLER, resolved), FIRST, ComplaintRejected, "no answer of the controller")
    [closed] = when(ANSWERED, resolved).events
    complaint = replay_complaints((*ANSWERED, closed))[FIRST]
    assert (complaint.status, complaint.outcome, complaint.ended_on) == ("closed", "resolved", date(2020, 7, 20))
    then_refused(
        when((*ANSWERED, closed), resolved), FIRST, ComplaintRejected, "allowed next steps: none, it is closed"
    )


def test_a_closure_is_not_dated_before_the_last_step_of_the_complaint():
    early = CloseComplaints((FIRST,), "not_pursued", "r", date(2020, 7, 1))
    then_refused(when(ANSWERED, early), FIRST, Invalid, "before the controller's answer was recorded (2020-07-10)")


def test_a_complaint_is_closed_while_its_case_goes_on_and_closing_the_case_closes_those_still_open():
    first_closed = ComplaintClosed(
        case_id=CASE, complaint_id=FIRST, reason="no_infringement", reasons="r", closed_on=date(2020, 7, 20)
    )
    case_closed = CaseClosed(case_id=CASE, outcome="dismissed", reasons="r", closed_on=date(2020, 9, 1))
    history = (*ANSWERED, first_closed)
    assert replay(history).status == "open"
    complaints = replay_complaints((*history, case_closed))
    assert (complaints[FIRST].outcome, complaints[FIRST].ended_on) == ("no_infringement", date(2020, 7, 20))
    assert {(complaints[c].status, complaints[c].outcome) for c in (SECOND, VIDEO)} == {("closed", "case_closed")}


# --- assignment ----------------------------------------------------------------------------------------------


def test_complaints_and_cases_are_assigned_and_reassigned():
    handled = when(RECEIVED, AssignComplaints((FIRST, SECOND), "sub-victor", "investigations", date(2020, 6, 1)))
    assert handled.events == [
        ComplaintAssigned(
            case_id=CASE, complaint_id=c, staff="sub-victor", team="investigations", assigned_on=date(2020, 6, 1)
        )
        for c in (FIRST, SECOND)
    ]
    again = when((*RECEIVED, *handled.events), AssignComplaints((FIRST,), None, "complaints-desk", date(2020, 6, 2)))
    complaint = replay_complaints((*RECEIVED, *handled.events, *again.events))[FIRST]
    assert (complaint.staff, complaint.team) == (None, "complaints-desk")
    [case] = when(RECEIVED, AssignCase("sub-victor", None, date(2020, 6, 1))).events
    assert case == CaseAssigned(case_id=CASE, staff="sub-victor", team=None, assigned_on=date(2020, 6, 1))
    assert replay((*RECEIVED, case)).staff == "sub-victor"


def test_what_has_ended_is_assigned_to_nobody():
    closed = (*RECEIVED, CaseClosed(case_id=CASE, outcome="dismissed", reasons="r", closed_on=date(2020, 9, 1)))
    then_refused(
        when(closed, AssignComplaints((FIRST,), "s", None, date(2020, 9, 2))), FIRST, ComplaintRejected, "is closed"
    )
    with pytest.raises(Rejected, match="assign the case"):
        when(closed, AssignCase("s", None, date(2020, 9, 2)))


def test_a_selection_is_decided_complaint_by_complaint_each_once():
    stranger = uuid4()
    handled = when(RECEIVED, CloseComplaints((VIDEO, stranger, VIDEO, FIRST), "withdrawn", "r", date(2020, 6, 20)))
    assert handled.done == (VIDEO, FIRST) and len(handled.events) == 2
    then_refused(Handled([], refused=handled.refused), stranger, Invalid, f"the case has no complaint {stranger}")
