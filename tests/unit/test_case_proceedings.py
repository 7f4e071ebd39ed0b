"""Given events, when a command, then events or a refusal: the restricted committee's procedure (loi 78-17 art 22
and 22-1; décret 2019-536 arts 39-42), from the President's referral to the hearing, and the refusals of a
decision that skips a step, each naming the step and its source."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest

from docket_contracts.events import (
    CaseReferred,
    ControllerReplied,
    ControllerSummoned,
    FileConsulted,
    HearingHeld,
    ObservationsExtended,
    ObservationsReceived,
    Rapporteur,
    RapporteurAnswered,
    ReportNotified,
    SimplifiedProcedureInterrupted,
)
from services.case.domain import (
    ExtendObservations,
    InterruptSimplified,
    Invalid,
    NotifyReport,
    RecordControllerReply,
    RecordFileAccess,
    RecordHearing,
    RecordObservations,
    RecordRapporteurAnswer,
    Rejected,
    SummonController,
    decide,
    next_steps,
)
from tests.unit.case_history import (
    AT_EXPIRY,
    AT_HEARING,
    AT_NOTICE,
    CASE,
    DECIDING_MEMBER,
    DOCUMENTS,
    FOUND,
    HEARD,
    INVESTIGATING,
    OPENED,
    PROCEEDINGS,
    RAPPORTEUR,
    REFERRED,
    REPORTED,
    SIMPLIFIED_REFERRED,
    SUMMONED,
    close,
    given,
    played,
    refer,
    reprimand,
    sanction,
    simplified,
)

INVESTIGATED = (OPENED, INVESTIGATING, FOUND)
REFERRED_AFTER_EXPIRY = (*AT_EXPIRY, REFERRED)
AT_REPORT = (*REFERRED_AFTER_EXPIRY, REPORTED)  # observations due 14 August 2022
AT_SUMMONS = (*AT_REPORT, SUMMONED)  # the hearing set for 13 October 2022
OBSERVED = ObservationsReceived(case_id=CASE, proceedings_id=PROCEEDINGS, received_on=date(2022, 8, 10))
ANSWERED = RapporteurAnswered(case_id=CASE, proceedings_id=PROCEEDINGS, answered_on=date(2022, 9, 1))


# --- the referral: the President names a rapporteur fit for the procedure --------------------------------------


@pytest.mark.parametrize("history", [INVESTIGATED, AT_EXPIRY])
def test_the_president_refers_the_case_and_names_a_commissioner_rapporteur(history):
    assert decide(given(*history), refer()) == [REFERRED]
    state = given(*history, REFERRED)
    [proceedings] = state.proceedings
    assert state.status == "before_committee" and state.current_proceedings == proceedings
    assert (proceedings.rapporteur, proceedings.rapporteur_kind, proceedings.procedure) == (
        RAPPORTEUR,
        "commissioner",
        "ordinary",
    )
    assert next_steps(state)[0] == "notify the rapporteur's report"


def test_under_the_simplified_procedure_an_agent_reports_and_one_member_decides():
    command = refer(rapporteur="Agnès Agent", kind="agent", procedure="simplified", deciding_member=DECIDING_MEMBER)
    assert decide(given(*INVESTIGATED), command) == [SIMPLIFIED_REFERRED]
    assert SIMPLIFIED_REFERRED.rapporteur == Rapporteur(name="Agnès Agent", kind="agent")


@pytest.mark.parametrize(
    ("command", "field", "message"),
    [
        (
            refer(kind="agent"),
            "rapporteur.kind",
            "under the ordinary procedure the rapporteur is a member of the authority who does not sit on the "
            "restricted committee, a commissioner (loi 78-17 art 22; décret 2019-536 art 39)",
        ),
        (
            refer(deciding_member=DECIDING_MEMBER),
            "deciding_member",
            "under the ordinary procedure the restricted committee deliberates; one member decides alone only under "
            "the simplified procedure (loi 78-17 art 22-1)",
        ),
        (
            refer(procedure="simplified", deciding_member=DECIDING_MEMBER),
            "rapporteur.kind",
            "under the simplified procedure the rapporteur is an agent of the authority's services (loi 78-17 art "
            "22-1)",
        ),
        (
            refer(kind="agent", procedure="simplified"),
            "deciding_member",
            "under the simplified procedure the president of the restricted committee, or a member designated, "
            "decides alone (loi 78-17 art 22-1): name them",
        ),
        (refer(date(2020, 7, 31)), "referred_on", "2020-07-31 is before the investigation opened (2020-08-01)"),
    ],
)
def test_a_referral_that_names_the_wrong_rapporteur_or_decider_is_refused_naming_the_law(command, field, message):
    with pytest.raises(Invalid) as refused:
        decide(given(*INVESTIGATED), command)
    assert (refused.value.field, refused.value.message) == (field, message)


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ((OPENED, INVESTIGATING), "the case is investigating (no finding recorded yet)"),
        (AT_NOTICE, "the case is formal notice"),
        ((*INVESTIGATED, REFERRED), "the case is before committee"),
    ],
)
def test_a_referral_where_the_case_is_not_ready_for_one_is_refused(history, message):
    with pytest.raises(Rejected, match="cannot refer the case to the restricted committee") as refused:
        decide(given(*history), refer())
    assert message in str(refused.value)


# --- the report, the file, the controller's month ----------------------------------------------------------------


def test_the_report_is_notified_with_the_file_and_a_month_for_observations():
    [notified] = decide(given(*REFERRED_AFTER_EXPIRY), NotifyReport(date(2022, 7, 14), DOCUMENTS))
    assert notified == REPORTED and notified.observations_due == date(2022, 8, 14)
    state = given(*AT_REPORT)
    assert {"record the controller's access to the file", "summon the controller to a hearing"} <= set(
        next_steps(state)
    )
    with pytest.raises(Rejected, match=r"notify the rapporteur's report: the case is before committee \(it was"):
        decide(state, NotifyReport(date(2022, 7, 15), DOCUMENTS))
    with pytest.raises(Invalid, match="2022-06-01 is before the case was referred"):
        decide(given(*REFERRED_AFTER_EXPIRY), NotifyReport(date(2022, 6, 1), DOCUMENTS))
    with pytest.raises(Invalid, match="list the documents"):
        decide(given(*REFERRED_AFTER_EXPIRY), NotifyReport(date(2022, 7, 14), ()))


def test_the_controller_consults_the_file_once_the_report_is_notified():
    command = RecordFileAccess(date(2022, 7, 20), DOCUMENTS[:1])
    assert decide(given(*AT_REPORT), command) == [
        FileConsulted(case_id=CASE, proceedings_id=PROCEEDINGS, consulted_on=date(2022, 7, 20), documents=DOCUMENTS[:1])
    ]
    with pytest.raises(Rejected, match=r"\(the rapporteur's report has not been notified to the controller"):
        decide(given(*REFERRED_AFTER_EXPIRY), command)


def test_written_observations_come_within_the_month_or_as_extended_by_the_committee_s_president():
    with pytest.raises(Invalid) as late:
        decide(given(*AT_REPORT), RecordObservations(date(2022, 8, 15)))
    assert late.value.message == (
        "2022-08-15 is after the time limit for written observations (2022-08-14: one month from the report's "
        "notification, or as extended; décret 2019-536 art 40)"
    )
    [extended] = decide(given(*AT_REPORT), ExtendObservations(date(2022, 8, 1), date(2022, 9, 14), "a long file"))
    assert extended == ObservationsExtended(
        case_id=CASE,
        proceedings_id=PROCEEDINGS,
        decided_on=date(2022, 8, 1),
        observations_due=date(2022, 9, 14),
        reasons="a long file",
    )
    [received] = decide(given(*AT_REPORT, extended), RecordObservations(date(2022, 8, 15)))
    assert received.received_on == date(2022, 8, 15)
    state = given(*AT_REPORT, extended, received)
    assert state.current_proceedings.observations_on == date(2022, 8, 15)
    with pytest.raises(Rejected, match=r"\(they were received on 2022-08-15\)"):
        decide(state, RecordObservations(date(2022, 8, 16)))


@pytest.mark.parametrize(
    ("command", "field", "message"),
    [
        (
            ExtendObservations(date(2022, 8, 15), date(2022, 9, 14), "late"),
            "decided_on",
            "2022-08-15 is after the time limit for observations ended (2022-08-14)",
        ),
        (
            ExtendObservations(date(2022, 8, 1), date(2022, 8, 14), "none"),
            "until",
            "2022-08-14 is not after the time limit now (2022-08-14)",
        ),
    ],
)
def test_an_extension_is_decided_while_the_time_limit_runs_and_moves_it_later(command, field, message):
    with pytest.raises(Invalid) as refused:
        decide(given(*AT_REPORT), command)
    assert (refused.value.field, refused.value.message) == (field, message)


def test_the_rapporteur_answers_within_a_month_and_the_controller_may_reply():
    with pytest.raises(Rejected, match="the controller's written observations, which the rapporteur answers"):
        decide(given(*AT_REPORT), RecordRapporteurAnswer(date(2022, 9, 1)))
    [answered] = decide(given(*AT_REPORT, OBSERVED), RecordRapporteurAnswer(date(2022, 9, 1)))
    assert answered == ANSWERED
    with pytest.raises(Invalid, match=r"2022-09-11 is after 2022-09-10, one month from the observations"):
        decide(given(*AT_REPORT, OBSERVED), RecordRapporteurAnswer(date(2022, 9, 11)))
    with pytest.raises(Rejected, match="the rapporteur has not answered"):
        decide(given(*AT_REPORT, OBSERVED), RecordControllerReply(date(2022, 9, 5)))
    [replied] = decide(given(*AT_REPORT, OBSERVED, ANSWERED), RecordControllerReply(date(2022, 9, 5)))
    assert replied == ControllerReplied(case_id=CASE, proceedings_id=PROCEEDINGS, replied_on=date(2022, 9, 5))
    assert "record the controller's reply" in next_steps(given(*AT_REPORT, OBSERVED, ANSWERED))


# --- the summons and the hearing -------------------------------------------------------------------------------


def test_the_controller_is_summoned_at_least_fifteen_days_before_the_hearing_once_its_month_is_over():
    [summoned] = decide(given(*AT_REPORT), SummonController(date(2022, 9, 13), date(2022, 10, 13)))
    assert summoned == SUMMONED
    assert "record the hearing" in next_steps(given(*AT_SUMMONS))
    assert decide(given(*AT_REPORT), SummonController(date(2022, 9, 13), date(2022, 9, 28)))  # fifteen days
    with pytest.raises(Invalid) as short:
        decide(given(*AT_REPORT), SummonController(date(2022, 9, 13), date(2022, 9, 27)))
    assert (short.value.field, short.value.message) == (
        "hearing_on",
        "2022-09-27 is 14 days after the summons reached the controller (2022-09-13); it must reach them at least "
        "15 days before the hearing (décret 2019-536, as amended by décret 2022-517)",
    )
    with pytest.raises(Invalid) as early:
        decide(given(*AT_REPORT), SummonController(date(2022, 8, 14), date(2022, 10, 13)))
    assert early.value.message == (
        "2022-08-14 is within the controller's time limit for written observations, which runs to 2022-08-14 "
        "(décret 2019-536 art 40)"
    )
    assert decide(given(*AT_REPORT, OBSERVED), SummonController(date(2022, 8, 11), date(2022, 9, 1)))


def test_a_postponed_hearing_is_summoned_again_until_it_is_held():
    later = SummonController(date(2022, 10, 1), date(2022, 11, 3))
    [again] = decide(given(*AT_SUMMONS), later)
    assert given(*AT_SUMMONS, again).current_proceedings.hearing_on == date(2022, 11, 3)
    with pytest.raises(Rejected, match=r"\(the hearing was held on 2022-10-13\)"):
        decide(given(*AT_HEARING), later)


def test_the_hearing_records_who_spoke_the_controller_able_to_speak_last():
    [heard] = decide(given(*AT_SUMMONS), RecordHearing(date(2022, 10, 13), True, ("rapporteur",)))
    assert heard == HEARD
    spoke = ("rapporteur", "government_commissioner", "controller", "counsel")
    [both] = decide(given(*AT_SUMMONS), RecordHearing(date(2022, 10, 13), False, spoke))
    assert both == HearingHeld(
        case_id=CASE, proceedings_id=PROCEEDINGS, held_on=date(2022, 10, 13), public=False, speakers=spoke
    )


@pytest.mark.parametrize(
    ("history", "command", "refusal", "message"),
    [
        (
            AT_SUMMONS,
            RecordHearing(date(2022, 10, 13), True, ("controller", "rapporteur")),
            Invalid,
            "the controller, or its counsel, must be able to speak last (décret 2019-536 art 42): rapporteur spoke "
            "after them",
        ),
        (
            AT_SUMMONS,
            RecordHearing(date(2022, 10, 14), True, ("rapporteur",)),
            Invalid,
            "the summons named 2022-10-13: summon the controller again for another day",
        ),
        (
            AT_REPORT,
            RecordHearing(date(2022, 10, 13), True, ("rapporteur",)),
            Rejected,
            "(the controller has not been summoned to it (décret 2019-536 arts 40-41))",
        ),
        (AT_HEARING, RecordHearing(date(2022, 10, 13), True, ("rapporteur",)), Rejected, "(it was held on"),
    ],
)
def test_a_hearing_out_of_its_rules_is_refused(history, command, refusal, message):
    with pytest.raises(refusal) as refused:
        decide(given(*history), command)
    assert message in str(refused.value)


# --- no decision without the steps: each refusal names the missing one and its source ------------------------


@pytest.mark.parametrize("decision", [sanction(), reprimand()], ids=["sanction", "reprimand"])
@pytest.mark.parametrize(
    ("history", "missing"),
    [
        (
            AT_EXPIRY,
            "the case was not referred to the restricted committee: the President refers it and names a rapporteur "
            "(loi 78-17 art 22; décret 2019-536 art 39)",
        ),
        (
            REFERRED_AFTER_EXPIRY,
            "the rapporteur's report has not been notified to the controller (décret 2019-536 art 40)",
        ),
        (
            AT_REPORT,
            "the controller has not been heard: the controller has not been summoned to a hearing (décret 2019-536 "
            "arts 40-42)",
        ),
        (
            AT_SUMMONS,
            "the controller has not been heard: the hearing set for 2022-10-13 has not been recorded (décret "
            "2019-536 arts 40-42)",
        ),
    ],
)
def test_a_decision_that_skips_a_step_is_refused_naming_it_and_its_source(decision, history, missing):
    with pytest.raises(Rejected) as refused:
        decide(given(*history), decision)
    assert f"({missing})" in str(refused.value) and "allowed next steps" in str(refused.value)


def test_a_decision_is_not_dated_before_the_hearing():
    with pytest.raises(Invalid) as refused:
        decide(given(*AT_HEARING), sanction(decided_on=date(2022, 10, 12)))
    assert (refused.value.field, refused.value.message) == (
        "decided_on",
        "2022-10-12 is before the hearing was held (2022-10-13)",
    )


# --- the simplified procedure's own path ------------------------------------------------------------------------


def test_the_simplified_procedure_may_be_interrupted_and_the_case_referred_again_under_the_ordinary_one():
    state = given(*AT_EXPIRY, SIMPLIFIED_REFERRED)
    [interrupted] = decide(state, InterruptSimplified(date(2022, 7, 1), "the case raises new questions"))
    assert interrupted == SimplifiedProcedureInterrupted(
        case_id=CASE,
        proceedings_id=PROCEEDINGS,
        interrupted_on=date(2022, 7, 1),
        reasons="the case raises new questions",
    )
    after = given(*AT_EXPIRY, SIMPLIFIED_REFERRED, interrupted)
    assert after.status == "notice_expired" and after.current_proceedings is None
    assert "refer the case to the restricted committee" in next_steps(after)
    with pytest.raises(Rejected, match="under the ordinary procedure"):
        decide(given(*REFERRED_AFTER_EXPIRY), InterruptSimplified(date(2022, 7, 1), "r"))
    again = played(after, replace(refer(date(2022, 7, 2)), proceedings_id=uuid4()))
    assert [p.procedure for p in again.proceedings] == ["simplified", "ordinary"]


def test_a_simplified_decision_needs_the_report_and_no_hearing():
    with pytest.raises(Rejected, match=r"\(the rapporteur's report has not been notified to the controller"):
        decide(given(*INVESTIGATED, SIMPLIFIED_REFERRED), simplified())
    decided = decide(given(*INVESTIGATED, SIMPLIFIED_REFERRED, REPORTED), simplified())
    assert decided[0].procedure == "simplified"


def test_before_the_committee_a_case_may_still_be_closed_when_the_rapporteur_ends_the_procedure():
    [closed] = decide(given(*AT_REPORT), close("dismissed", closed_on=date(2022, 7, 14)))
    assert closed.outcome == "dismissed"
    with pytest.raises(Invalid, match="2022-07-13 is before the report was notified"):
        decide(given(*AT_REPORT), close("dismissed", closed_on=date(2022, 7, 13)))


def test_a_referral_is_recorded_with_its_decision_and_the_case_keeps_where_it_stood():
    assert (
        CaseReferred(
            case_id=CASE,
            proceedings_id=PROCEEDINGS,
            referred_on=date(2022, 6, 2),
            reference="decision of 2 June 2022 designating a rapporteur",
            rapporteur=Rapporteur(name=RAPPORTEUR, kind="commissioner"),
        )
        == REFERRED
    )
    assert given(*REFERRED_AFTER_EXPIRY).current_proceedings.resumes == "notice_expired"
    assert ReportNotified.model_fields.keys() >= {"documents", "observations_due"}
    assert ControllerSummoned.model_fields.keys() >= {"summoned_on", "hearing_on"}
