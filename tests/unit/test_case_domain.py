"""Given events, when a command, then events or a refusal: the case aggregate without I/O, from the first
complaint to the closure (the fixtures: tests/unit/case_history.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from docket_contracts.events import (
    Body,
    CaseClosed,
    CheckRecorded,
    ComplaintLinked,
    FormalNoticeComplied,
    FormalNoticeExpirySuperseded,
    FormalNoticeNotified,
    PenaltyPaymentImposed,
    SanctionImposed,
    SanctionNotified,
    TimeLimit,
)
from services.case.domain import (
    CaseState,
    CloseCase,
    ExpireDeadline,
    Invalid,
    IssueFormalNotice,
    LinkComplaint,
    OpenCase,
    OpenInvestigation,
    RecordCheck,
    RecordCompliance,
    RecordFinding,
    RecordInjunctionCompliance,
    RecordNoticeNotification,
    RecordSanctionNotification,
    Rejected,
    decide,
    replay,
)
from tests.factories import complaint_filed
from tests.unit.case_history import (
    AT_EXPIRY,
    AT_HEARING,
    AT_ISSUE,
    AT_NOTICE,
    AT_SANCTION,
    CASE,
    COMPLIED,
    COMPLIED_LATE,
    DELIBERATED,
    EXPIRED,
    FINDING,
    FINED,
    FIRST,
    FOUND,
    HEARD_DIRECTLY,
    INJUNCTION,
    INVESTIGATING,
    ISSUED,
    ISSUED_V2,
    LIQUIDATION_DONE,
    NOTICE,
    OPENED,
    ORDERS,
    PENALTY,
    PERIOD_INJUNCTION,
    SANCTION,
    SANCTIONED,
    TWO_MONTHS,
    close,
    complaint,
    given,
    liquidation,
    refer,
    sanction,
)

# --- transitions ------------------------------------------------------------------------------------------


def test_a_first_complaint_opens_a_case_on_its_controller_on_the_day_it_was_received():
    first = complaint(complaint_id=FIRST)
    assert decide(CaseState(), OpenCase(CASE, first)) == [OPENED]


def test_a_further_complaint_or_alert_is_linked_to_the_open_case_with_its_date():
    alert = complaint("alert")
    assert decide(given(OPENED), LinkComplaint(alert)) == [
        ComplaintLinked(
            case_id=CASE,
            complaint_id=alert.complaint_id,
            complaint_kind="alert",
            received_on=date(2020, 5, 25),
            category="access_request_ignored",
        )
    ]


def test_the_case_keeps_what_gathers_a_campaign_the_category_and_the_art_80_body():
    body = complaint_filed(kind="art80_2_unmandated", category="direct_marketing", body=Body(key="noyb", name="noyb"))
    [linked] = decide(given(OPENED), LinkComplaint(body))
    assert (linked.category, linked.body_key) == ("direct_marketing", "noyb")


def test_the_case_keeps_what_of_art_4_1_a_complaint_was_recorded_without():
    """Regulation 2025/2518 art 4(2), as reported: its two weeks are counted where the case keeps the complaint."""
    body = complaint_filed(kind="art80_2_unmandated", body=Body(key="noyb", name="noyb"))
    lacking = body.model_copy(update={"missing_content": ("constitution_proof",)})
    [linked] = decide(given(OPENED), LinkComplaint(lacking))
    [opened] = decide(CaseState(), OpenCase(CASE, lacking))
    assert linked.missing_content == opened.missing_content == ("constitution_proof",)
    assert decide(given(OPENED), LinkComplaint(body))[0].missing_content == ()


@pytest.mark.parametrize("history", [(OPENED,), AT_NOTICE, AT_EXPIRY, AT_SANCTION])
def test_complaints_are_linked_in_every_open_state(history):
    assert len(decide(given(*history), LinkComplaint(complaint()))) == 1


def test_a_case_counts_its_complaints_and_alerts():
    linked = [
        ComplaintLinked(case_id=CASE, complaint_id=uuid4(), complaint_kind=kind, received_on=date(2020, 6, 1))
        for kind in ("alert", "art77_complaint")
    ]
    assert given(OPENED).complaint_count == 1 and given(OPENED, *linked).complaint_count == 3


def test_staff_open_an_investigation():
    command = OpenInvestigation(opened_on=date(2020, 8, 1), scope="scraping of facial images")
    assert decide(given(OPENED), command) == [INVESTIGATING]


def test_the_president_s_decision_to_carry_out_checks_opens_the_investigation_with_its_reference():
    [opened] = decide(given(OPENED), OpenInvestigation(date(2020, 8, 26), "facial images", "2020-116C"))
    assert (opened.opened_on, opened.decision_reference) == (date(2020, 8, 26), "2020-116C")
    state = given(OPENED, opened)
    assert (state.status, state.investigation_reference) == ("investigating", "2020-116C")


QUESTIONNAIRE = RecordCheck(FINDING, "questionnaire", date(2020, 10, 27), "the questionnaire of 27 October 2020")


def test_an_investigator_records_the_checks_carried_out():
    [check] = decide(given(OPENED, INVESTIGATING), QUESTIONNAIRE)
    assert check == CheckRecorded(
        case_id=CASE,
        check_id=FINDING,
        kind="questionnaire",
        carried_out_on=date(2020, 10, 27),
        description="the questionnaire of 27 October 2020",
    )
    assert given(OPENED, INVESTIGATING, check).checks == (check,)
    assert decide(given(*AT_EXPIRY), QUESTIONNAIRE)  # also once a formal notice expired
    with pytest.raises(Rejected, match="cannot record a check: the case is open"):
        decide(given(OPENED), QUESTIONNAIRE)
    with pytest.raises(Invalid) as refused:
        decide(given(OPENED, INVESTIGATING), replace(QUESTIONNAIRE, carried_out_on=date(2020, 7, 31)))
    assert (refused.value.field, refused.value.message) == (
        "carried_out_on",
        "2020-07-31 is before the investigation opened (2020-08-01)",
    )
    with pytest.raises(Invalid, match="2020-10-26 is before the questionnaire check"):
        decide(given(OPENED, INVESTIGATING, check), close("dismissed", closed_on=date(2020, 10, 26)))


def test_findings_are_recorded_during_the_investigation_and_under_a_formal_notice():
    command = RecordFinding(
        finding_id=FINDING,
        articles=(6, 12, 15, 17),
        facts="no legal basis; access and erasure requests left unanswered",
    )
    assert decide(given(OPENED, INVESTIGATING), command) == [FOUND]
    assert len(decide(given(*AT_NOTICE), command)) == 1


def test_a_formal_notice_carries_its_orders_reference_and_time_limit():
    command = IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), TWO_MONTHS, "MED-2021-134")
    assert decide(given(OPENED, INVESTIGATING, FOUND), command) == [ISSUED]


def test_compliance_within_the_deadline_is_recorded_and_the_case_closes_as_complied():
    state = given(*AT_NOTICE)
    assert decide(state, RecordCompliance(notice_id=NOTICE, complied_on=date(2022, 1, 20))) == [COMPLIED]
    [closed] = decide(given(*AT_NOTICE, COMPLIED), close("complied"))
    assert closed.outcome == "complied"


def test_the_timer_expires_the_deadline_the_day_after_it():
    now = datetime(2022, 1, 27, 0, 5, tzinfo=UTC)
    assert decide(given(*AT_NOTICE), ExpireDeadline(NOTICE, date(2022, 1, 27), now)) == [EXPIRED]


@pytest.mark.parametrize(
    ("history", "today"),
    [
        (AT_NOTICE, date(2022, 1, 26)),  # the deadline day itself is still within the deadline
        ((*AT_NOTICE, COMPLIED), date(2022, 2, 1)),  # complied in time
        (AT_EXPIRY, date(2022, 2, 1)),  # already expired: never twice
        (
            (*AT_NOTICE, CaseClosed(case_id=CASE, outcome="dismissed", reasons="x", closed_on=date(2022, 1, 1))),
            date(2022, 2, 1),
        ),
    ],
)
def test_the_timer_does_nothing_when_there_is_nothing_to_expire(history, today):
    assert decide(given(*history), ExpireDeadline(NOTICE, today, datetime(2022, 2, 1, tzinfo=UTC))) == []


def test_a_sanction_charging_the_expired_notice_is_capped_under_83_6_and_starts_a_penalty_payment():
    assert decide(given(*AT_HEARING), sanction(orders=("58(2)",))) == [DELIBERATED, SANCTIONED, PENALTY]


def test_a_sanction_can_follow_the_investigation_directly_without_injunction():
    [_, imposed] = decide(given(*HEARD_DIRECTLY), sanction(fine=1_000_000, injunction=None))
    assert imposed.cap.paragraph == "83(5)" and imposed.injunction is None


def test_the_higher_of_fixed_amount_and_turnover_share_is_the_cap():
    [_, imposed] = decide(given(*AT_HEARING), sanction(fine=30_000_000, turnover=1_000_000_000, injunction=None))
    assert imposed.cap.cap_eur == 40_000_000


def test_a_sanction_without_penalty_closes_without_liquidation():
    state = given(
        OPENED,
        INVESTIGATING,
        FOUND,
        SanctionImposed(
            case_id=CASE,
            sanction_id=SANCTION,
            decided_on=date(2022, 10, 17),
            fine_eur=1,
            articles_infringed=(6,),
            cap=SANCTIONED.cap,
        ),
    )
    assert len(decide(state, close("sanctioned"))) == 1


@pytest.mark.parametrize("history", [(OPENED,), (OPENED, INVESTIGATING), AT_NOTICE, AT_EXPIRY])
@pytest.mark.parametrize("outcome", ["dismissed", "no_infringement"])
def test_any_state_before_a_decision_can_close_as_dismissed_or_no_infringement(history, outcome):
    [closed] = decide(given(*history), close(outcome))
    assert closed.outcome == outcome and closed.reasons == "reasons given in the decision"


# --- refusals: the command does not fit the state (409) ---------------------------------------------------


@pytest.mark.parametrize(
    ("history", "command", "message"),
    [
        ((OPENED,), OpenCase(CASE, complaint()), "cannot open a case: the case is open"),
        ((), LinkComplaint(complaint()), "cannot link a complaint: the case is none"),
        ((OPENED, INVESTIGATING), OpenInvestigation(date(2020, 9, 1), "again"), "the case is investigating"),
        ((OPENED,), RecordFinding(FINDING, (6,), "f"), "cannot record a finding: the case is open"),
        (
            (OPENED,),
            IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), TWO_MONTHS),
            "cannot issue a formal notice: the case is open",
        ),
        (
            (OPENED, INVESTIGATING),
            IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), TWO_MONTHS),
            "the case is investigating (no finding recorded yet)",
        ),
        (
            (OPENED, INVESTIGATING, FOUND),
            sanction(),
            "cannot impose a sanction: the case is investigating (the case was not referred to the restricted "
            "committee: the President refers it and names a rapporteur (loi 78-17 art 22; décret 2019-536 art 39))",
        ),
        (
            (OPENED, INVESTIGATING, FOUND),
            RecordCompliance(NOTICE, date(2022, 1, 1)),
            "cannot record compliance with the formal notice: the case is investigating",
        ),
        (AT_NOTICE, sanction(), "cannot impose a sanction: the case is formal notice"),
        (AT_SANCTION, RecordCompliance(NOTICE, date(2022, 1, 20)), "the case is sanctioned"),
        (
            (*AT_NOTICE, COMPLIED),
            RecordInjunctionCompliance(SANCTION, date(2022, 12, 1)),
            "the case is notice complied",
        ),
        (AT_SANCTION, sanction(), "cannot impose a sanction: the case is sanctioned"),
        (AT_EXPIRY, liquidation(), "cannot decide the liquidation: the case is notice expired"),
        (
            AT_SANCTION,
            close("sanctioned"),
            "(the injunction of the sanction of 2022-10-17 is neither complied with nor ended: the case stays open "
            "under enforcement",
        ),
        (AT_SANCTION, close("dismissed"), "(the case already has a decision)"),
        ((*AT_NOTICE, COMPLIED), close("no_infringement"), "(the case already has a decision)"),
        ((OPENED, INVESTIGATING, FOUND), close("complied"), "(compliance with a formal notice has not been recorded)"),
        (AT_EXPIRY, close("sanctioned"), "(no sanction has been imposed)"),
    ],
)
def test_commands_that_do_not_fit_the_state_are_refused_naming_state_and_next_steps(history, command, message):
    with pytest.raises(Rejected, match="allowed next steps") as refused:
        decide(given(*history), command)
    assert message in str(refused.value)


def test_a_closed_case_refuses_everything_and_says_no_step_is_left():
    closed = given(OPENED, CaseClosed(case_id=CASE, outcome="dismissed", reasons="x", closed_on=date(2020, 6, 1)))
    for command in (LinkComplaint(complaint()), OpenInvestigation(date(2020, 8, 1), "s"), close("dismissed")):
        with pytest.raises(Rejected, match="the case is closed; allowed next steps: none, the case is closed"):
            decide(closed, command)


# --- compliance recorded late, and compliance with an injunction -----------------------------------------


def test_compliance_by_the_deadline_recorded_after_the_timer_supersedes_the_expiry():
    events = decide(given(*AT_EXPIRY), RecordCompliance(NOTICE, date(2022, 1, 25)))
    assert events == [
        FormalNoticeExpirySuperseded(case_id=CASE, notice_id=NOTICE, complied_on=date(2022, 1, 25)),
        FormalNoticeComplied(case_id=CASE, notice_id=NOTICE, complied_on=date(2022, 1, 25)),
    ]
    state = given(*AT_EXPIRY, *events)
    assert state.status == "notice_complied"
    assert (state.notices[0].status, state.notices[0].expiry_superseded) == ("complied", True)
    assert decide(state, close("complied"))[0].outcome == "complied"


def test_compliance_after_the_deadline_cannot_supersede_the_expiry():
    with pytest.raises(Invalid) as refused:
        decide(given(*AT_EXPIRY), RecordCompliance(NOTICE, date(2022, 1, 27)))
    assert refused.value.field == "complied_on"
    assert "2022-01-27" in refused.value.message and "2022-01-26" in refused.value.message


# --- refusals: a value breaks a rule (422) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "command", "field", "message"),
    [
        (
            (OPENED,),
            OpenInvestigation(date(2020, 5, 1), "s"),
            "opened_on",
            "2020-05-01 is before the case opened (2020-05-25)",
        ),
        (
            (OPENED, INVESTIGATING, FOUND),
            IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), TimeLimit(days=9)),
            "time_limit.days",
            "9 days is less than the ten days a formal notice gives at least, unless urgency is invoked (décret "
            "2019-536 art 38)",
        ),
        (AT_NOTICE, RecordCompliance(uuid4(), date(2022, 1, 20)), "notice_id", "no formal notice"),
        (
            AT_NOTICE,
            RecordCompliance(NOTICE, date(2021, 11, 1)),
            "complied_on",
            "2021-11-01 is before the notice was issued (2021-11-26)",
        ),
        (AT_NOTICE, RecordCompliance(NOTICE, date(2022, 1, 27)), "complied_on", "after the compliance deadline"),
        (
            AT_HEARING,
            sanction(fine=30_000_000, orders=("58(2)",)),
            "fine_eur",
            "EUR 30,000,000 exceeds the cap of Art 83(6): the higher of EUR 20,000,000 and 4 % of the preceding year's "
            "worldwide turnover of EUR 100,000,000 (EUR 4,000,000) = EUR 20,000,000",
        ),
        (
            HEARD_DIRECTLY,
            sanction(fine=12_000_000, articles=(25, 32), turnover=None, injunction=None),
            "fine_eur",
            "Art 83(4): EUR 10,000,000 (no turnover given, so the fixed amount applies)",
        ),
        (HEARD_DIRECTLY, sanction(articles=(2, 6)), "articles_infringed", "Art 2 is not among"),
        (
            AT_HEARING,
            sanction(injunction=INJUNCTION.model_copy(update={"daily_penalty_eur": 100_001})),
            "injunction.daily_penalty_eur",
            "exceeds the cap of EUR 100,000 a day",
        ),
        (
            AT_HEARING,
            sanction(injunction=INJUNCTION.model_copy(update={"deadline": date(2022, 10, 1)})),
            "injunction.deadline",
            "2022-10-01 is not after the day the sanction is decided (2022-10-17)",
        ),
    ],
)
def test_values_that_break_a_rule_are_refused_naming_the_field(history, command, field, message):
    with pytest.raises(Invalid) as refused:
        decide(given(*history), command)
    assert refused.value.field == field
    assert message in refused.value.message


# --- dates that hold together: each refusal names the field's day and the day it contradicts ---------------


@pytest.mark.parametrize(
    ("history", "command", "field", "message"),
    [
        (
            (OPENED, INVESTIGATING, FOUND),
            IssueFormalNotice(NOTICE, ORDERS, date(2020, 7, 1), TWO_MONTHS),
            "issued_on",
            "2020-07-01 is before the investigation opened (2020-08-01)",
        ),
        (
            HEARD_DIRECTLY,
            sanction(decided_on=date(2022, 10, 12), injunction=None),
            "decided_on",
            "2022-10-12 is before the hearing was held (2022-10-13)",
        ),
        (
            AT_EXPIRY,
            refer(referred_on=date(2022, 1, 26)),
            "referred_on",
            "2022-01-26 is before the day after the notice's deadline (2022-01-27)",
        ),
        (
            (OPENED,),
            CloseCase("dismissed", "r", date(2020, 5, 24)),
            "closed_on",
            "2020-05-24 is before the case opened (2020-05-25)",
        ),
        (
            (OPENED, INVESTIGATING),
            CloseCase("no_infringement", "r", date(2020, 7, 1)),
            "closed_on",
            "2020-07-01 is before the investigation opened (2020-08-01)",
        ),
        (
            (*AT_NOTICE, COMPLIED),
            CloseCase("complied", "r", date(2022, 1, 19)),
            "closed_on",
            "2022-01-19 is before the formal notice was complied with (2022-01-20)",
        ),
        (
            (OPENED, INVESTIGATING, FOUND, FINED),
            CloseCase("sanctioned", "r", date(2022, 10, 16)),
            "closed_on",
            "2022-10-16 is before the sanction was decided (2022-10-17)",
        ),
        (
            (*AT_SANCTION, COMPLIED_LATE, *LIQUIDATION_DONE),
            CloseCase("sanctioned", "r", date(2023, 4, 12)),
            "closed_on",
            "2023-04-12 is before the penalty payment was liquidated (2023-04-13)",
        ),
    ],
)
def test_a_date_before_what_the_record_already_fixes_is_refused_naming_both(history, command, field, message):
    with pytest.raises(Invalid) as refused:
        decide(given(*history), command)
    assert refused.value.field == field and refused.value.message.startswith(message)


@pytest.mark.parametrize(
    ("history", "command"),
    [
        ((OPENED, INVESTIGATING, FOUND), IssueFormalNotice(NOTICE, ORDERS, date(2020, 8, 1), TimeLimit(days=10))),
        (HEARD_DIRECTLY, sanction(decided_on=date(2022, 10, 13), injunction=None)),
        (AT_EXPIRY, refer(referred_on=date(2022, 1, 27))),
        ((OPENED,), CloseCase("dismissed", "r", date(2020, 5, 25))),
        ((OPENED, INVESTIGATING, FOUND, FINED), CloseCase("sanctioned", "r", date(2022, 10, 17))),
        ((*AT_SANCTION, COMPLIED_LATE, *LIQUIDATION_DONE), CloseCase("sanctioned", "r", date(2023, 4, 13))),
    ],
)
def test_the_same_day_or_the_first_lawful_day_is_accepted(history, command):
    assert decide(given(*history), command)


# --- the fold ---------------------------------------------------------------------------------------------


def test_the_whole_clearview_story_folds_into_a_case_left_open_under_enforcement():
    story = [*AT_SANCTION, *LIQUIDATION_DONE]
    state = replay(story)
    assert (state.version, state.status, state.outcome) == (len(story), "sanctioned", None)
    assert state.under_enforcement and state.sanctions[0].stopped_on is None
    [notice] = state.notices
    assert notice.status == "expired"
    [imposed] = state.sanctions
    assert (imposed.fine_eur, imposed.daily_penalty_eur, imposed.accrues_from) == (
        20_000_000,
        100_000,
        date(2022, 12, 19),
    )
    assert [(liq.days_counted, liq.amount_eur) for liq in imposed.liquidations] == [(52, 5_200_000)]


def test_versions_count_events_and_the_pending_notice_is_tracked():
    assert given(*AT_NOTICE).version == 5
    assert given(*AT_NOTICE).pending_notice.deadline == date(2022, 1, 26)
    assert given(*AT_NOTICE, COMPLIED).pending_notice is None
    assert given(*AT_NOTICE, COMPLIED).notices[0].complied_on == date(2022, 1, 20)


def test_a_formal_notice_records_the_day_it_was_notified_once():
    [notified] = decide(given(*AT_ISSUE), RecordNoticeNotification(NOTICE, date(2021, 12, 1)))
    assert notified == FormalNoticeNotified(
        case_id=CASE, notice_id=NOTICE, notified_on=date(2021, 12, 1), compliance_deadline=date(2022, 2, 1)
    )
    state = given(*AT_ISSUE, notified)
    assert state.notices[0].notified_on == date(2021, 12, 1) and state.status == "formal_notice"
    with pytest.raises(Rejected, match="it was notified on 2021-12-01"):
        decide(state, RecordNoticeNotification(NOTICE, date(2021, 12, 2)))


@pytest.mark.parametrize(
    ("notified_on", "message"),
    [
        (date(2021, 11, 25), "2021-11-25 is before the notice was issued (2021-11-26)"),
        (date(2022, 1, 27), "2022-01-27 is after the notice's compliance deadline (2022-01-26)"),
    ],
)
def test_a_notice_is_notified_between_its_issue_and_its_deadline(notified_on, message):
    """A notice recorded before time limits were kept fixed its deadline at issue, and is notified by then."""
    with pytest.raises(Invalid) as refused:
        decide(given(OPENED, INVESTIGATING, FOUND, ISSUED_V2), RecordNoticeNotification(NOTICE, notified_on))
    assert (refused.value.field, refused.value.message) == ("notified_on", message)


def test_an_injunction_due_a_period_after_notification_starts_its_penalty_when_notified():
    [deliberated, imposed] = decide(given(*AT_HEARING), sanction(injunction=PERIOD_INJUNCTION))  # no penalty yet
    state = given(*AT_HEARING, deliberated, imposed)
    assert state.sanctions[0].awaits_notification and state.sanctions[0].daily_penalty_eur == 0
    with pytest.raises(Rejected, match="runs from the decision's notification"):
        decide(state, close("sanctioned"))

    notified, penalty = decide(state, RecordSanctionNotification(SANCTION, date(2022, 10, 20)))
    assert notified == SanctionNotified(
        case_id=CASE, sanction_id=SANCTION, notified_on=date(2022, 10, 20), injunction_deadline=date(2022, 12, 19)
    )
    assert penalty == PenaltyPaymentImposed(
        case_id=CASE, sanction_id=SANCTION, daily_rate_eur=100_000, accrues_from=date(2022, 12, 20)
    )
    after = given(*AT_HEARING, deliberated, imposed, notified, penalty)
    assert after.sanctions[0].injunction.deadline == date(2022, 12, 19) and not after.sanctions[0].awaits_notification
    assert after.sanctions[0].accrues_from == date(2022, 12, 20)
    with pytest.raises(Rejected, match="it was notified on 2022-10-20"):
        decide(after, RecordSanctionNotification(SANCTION, date(2022, 10, 21)))


def test_a_decision_with_a_fixed_deadline_is_notified_without_changing_it():
    [notified] = decide(given(*AT_SANCTION), RecordSanctionNotification(SANCTION, date(2022, 10, 20)))
    assert notified.injunction_deadline is None
    assert given(*AT_SANCTION, notified).sanctions[0].injunction.deadline == date(2022, 12, 18)


@pytest.mark.parametrize(
    ("history", "notified_on", "message"),
    [
        (AT_SANCTION, date(2022, 10, 16), "2022-10-16 is before the sanction was decided (2022-10-17)"),
    ],
)
def test_a_sanction_is_notified_on_or_after_its_decision(history, notified_on, message):
    with pytest.raises(Invalid) as refused:
        decide(given(*history), RecordSanctionNotification(SANCTION, notified_on))
    assert (refused.value.field, refused.value.message) == ("notified_on", message)


def test_an_injunction_complied_with_before_a_later_notification_is_refused_that_notification():
    decided = decide(given(*AT_HEARING), sanction(injunction=PERIOD_INJUNCTION))
    [complied] = decide(given(*AT_HEARING, *decided), RecordInjunctionCompliance(SANCTION, date(2022, 10, 18)))
    state = given(*AT_HEARING, *decided, complied)
    with pytest.raises(Invalid, match="after the injunction was complied with"):
        decide(state, RecordSanctionNotification(SANCTION, date(2022, 10, 20)))
    [notified, _] = decide(state, RecordSanctionNotification(SANCTION, date(2022, 10, 18)))
    assert given(*AT_HEARING, *decided, complied, notified).sanctions[0].days_late == 0


def test_a_closure_is_not_dated_before_a_notification():
    [notified] = decide(given(*AT_ISSUE), RecordNoticeNotification(NOTICE, date(2021, 12, 1)))
    with pytest.raises(Invalid) as refused:
        decide(given(*AT_ISSUE, notified), close("dismissed", closed_on=date(2021, 11, 30)))
    assert refused.value.message == "2021-11-30 is before the formal notice was notified (2021-12-01)"
