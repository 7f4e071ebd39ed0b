"""Given events, when a command, then events or a refusal: the case aggregate without I/O.

Dates and amounts follow the CNIL's Clearview AI case (MED-2021-134, SAN-2022-019).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from docket_contracts.events import (
    AppealDecided,
    AppealLodged,
    Body,
    CaseClosed,
    CaseOpened,
    ComplaintFiled,
    ComplaintLinked,
    ConductFined,
    Controller,
    FindingRecorded,
    FineCap,
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeIssued,
    FormalNoticeNotified,
    Injunction,
    InjunctionComplied,
    InvestigationOpened,
    Order,
    PenaltyPaymentImposed,
    PenaltyPaymentLiquidated,
    PublicationMade,
    PublicationWithdrawn,
    ReprimandIssued,
    SanctionImposed,
    SanctionNotified,
)
from docket_contracts.progress import news
from services.case.domain import (
    CaseState,
    CloseCase,
    ExpireDeadline,
    ImposeSanction,
    Invalid,
    IssueFormalNotice,
    IssueReprimand,
    LinkComplaint,
    LiquidatePenalty,
    LodgeAppeal,
    OpenCase,
    OpenInvestigation,
    PublishDecision,
    RecordCompliance,
    RecordFinding,
    RecordInjunctionCompliance,
    RecordNoticeNotification,
    RecordRuling,
    RecordSanctionNotification,
    Rejected,
    WithdrawPublication,
    decide,
    next_steps,
    replay,
)
from tests.factories import complaint_filed

CLEARVIEW = Controller(key="clearview-ai", name="Clearview AI")
CASE = UUID("00000000-0000-0000-0000-0000000000c1")
NOTICE = UUID("00000000-0000-0000-0000-00000000000a")
SANCTION = UUID("00000000-0000-0000-0000-00000000000b")
FINDING = UUID("00000000-0000-0000-0000-00000000000f")
FIRST = UUID("00000000-0000-0000-0000-000000000001")

ORDERS = (
    Order(point="f", text="stop collecting and processing data of people in France without a legal basis"),
    Order(point="g", text="delete the data of people in France"),
    Order(point="c", text="honour access and erasure requests"),
)
INJUNCTION = Injunction(orders=ORDERS, deadline=date(2022, 12, 18), daily_penalty_eur=100_000)


def complaint(kind: str = "art77_complaint", complaint_id: UUID | None = None) -> ComplaintFiled:
    return complaint_filed(complaint_id=complaint_id or uuid4(), kind=kind, controller=CLEARVIEW)


OPENED = CaseOpened(
    case_id=CASE,
    controller=CLEARVIEW,
    complaint_id=FIRST,
    complaint_kind="art77_complaint",
    opened_on=date(2020, 5, 25),
    category="access_request_ignored",
)
INVESTIGATING = InvestigationOpened(case_id=CASE, opened_on=date(2020, 8, 1), scope="scraping of facial images")
FOUND = FindingRecorded(
    case_id=CASE,
    finding_id=FINDING,
    articles=(6, 12, 15, 17),
    facts="no legal basis; access and erasure requests left unanswered",
)
ISSUED = FormalNoticeIssued(
    case_id=CASE, notice_id=NOTICE, orders=ORDERS, issued_on=date(2021, 11, 26), compliance_deadline=date(2022, 1, 26)
)
COMPLIED = FormalNoticeComplied(case_id=CASE, notice_id=NOTICE, complied_on=date(2022, 1, 20))
EXPIRED = FormalNoticeDeadlineExpired(
    case_id=CASE, notice_id=NOTICE, deadline=date(2022, 1, 26), detected_at=datetime(2022, 1, 27, 0, 5, tzinfo=UTC)
)
CAP_83_6 = FineCap(
    paragraph="83(6)", fixed_eur=20_000_000, turnover_percent=4, turnover_eur=100_000_000, cap_eur=20_000_000
)
SANCTIONED = SanctionImposed(
    case_id=CASE,
    sanction_id=SANCTION,
    decided_on=date(2022, 10, 17),
    fine_eur=20_000_000,
    articles_infringed=(6, 12, 15, 17, 58),
    cap=CAP_83_6,
    injunction=INJUNCTION,
    conducts=(
        ConductFined(
            articles_infringed=(6, 12, 15, 17), orders_not_complied=("58(2)",), fine_eur=20_000_000, cap=CAP_83_6
        ),
    ),
)
PENALTY = PenaltyPaymentImposed(
    case_id=CASE, sanction_id=SANCTION, daily_rate_eur=100_000, accrues_from=date(2022, 12, 19)
)
LIQUIDATED = PenaltyPaymentLiquidated(
    case_id=CASE,
    sanction_id=SANCTION,
    period_start=date(2022, 12, 19),
    period_end=date(2023, 2, 9),
    days_counted=52,
    convention="exclusive_end: ...",
    amount_eur=5_200_000,
    decided_on=date(2023, 4, 13),
)

AT_NOTICE = (OPENED, INVESTIGATING, FOUND, ISSUED)
AT_EXPIRY = (*AT_NOTICE, EXPIRED)
AT_SANCTION = (*AT_EXPIRY, SANCTIONED, PENALTY)


def given(*events) -> CaseState:
    return replay(events)


def sanction(
    fine: int = 20_000_000,
    turnover: int | None = 100_000_000,
    articles=(6, 12, 15, 17),
    injunction: Injunction | None = INJUNCTION,
    decided_on: date = date(2022, 10, 17),
    orders=(),
    conducts=(),
) -> ImposeSanction:
    return ImposeSanction(
        sanction_id=SANCTION,
        decided_on=decided_on,
        fine_eur=fine,
        turnover_eur=turnover,
        articles=articles,
        injunction=injunction,
        orders_not_complied=orders,
        conducts=conducts,
    )


def liquidation(
    start=date(2022, 12, 19), end=date(2023, 2, 9), convention="exclusive_end", decided_on=date(2023, 4, 13)
) -> LiquidatePenalty:
    return LiquidatePenalty(
        sanction_id=SANCTION, period_start=start, period_end=end, convention=convention, decided_on=decided_on
    )


def close(outcome: str, closed_on: date = date(2023, 4, 13)) -> CloseCase:
    return CloseCase(outcome=outcome, reasons="reasons given in the decision", closed_on=closed_on)


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


def test_findings_are_recorded_during_the_investigation_and_under_a_formal_notice():
    command = RecordFinding(
        finding_id=FINDING,
        articles=(6, 12, 15, 17),
        facts="no legal basis; access and erasure requests left unanswered",
    )
    assert decide(given(OPENED, INVESTIGATING), command) == [FOUND]
    assert len(decide(given(*AT_NOTICE), command)) == 1


def test_a_formal_notice_carries_its_orders_and_deadline():
    command = IssueFormalNotice(
        notice_id=NOTICE, orders=ORDERS, issued_on=date(2021, 11, 26), compliance_deadline=date(2022, 1, 26)
    )
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
    assert decide(given(*AT_EXPIRY), sanction(orders=("58(2)",))) == [SANCTIONED, PENALTY]


def test_a_sanction_can_follow_the_investigation_directly_without_injunction():
    [imposed] = decide(given(OPENED, INVESTIGATING, FOUND), sanction(fine=1_000_000, injunction=None))
    assert imposed.cap.paragraph == "83(5)" and imposed.injunction is None


def test_the_higher_of_fixed_amount_and_turnover_share_is_the_cap():
    [imposed] = decide(given(*AT_EXPIRY), sanction(fine=30_000_000, turnover=1_000_000_000, injunction=None))
    assert imposed.cap.cap_eur == 40_000_000


def test_liquidation_counts_days_by_the_stated_convention():
    assert decide(given(*AT_SANCTION), liquidation()) == [
        PenaltyPaymentLiquidated(
            case_id=CASE,
            sanction_id=SANCTION,
            period_start=date(2022, 12, 19),
            period_end=date(2023, 2, 9),
            days_counted=52,
            convention="exclusive_end: days of delay from period_start up to but not including "
            "period_end, the day compliance was recorded",
            amount_eur=5_200_000,
            decided_on=date(2023, 4, 13),
        )
    ]
    [inclusive] = decide(given(*AT_SANCTION), liquidation(convention="inclusive"))
    assert (inclusive.days_counted, inclusive.amount_eur) == (53, 5_300_000)


@pytest.mark.parametrize(
    ("convention", "decided_on", "refused"),
    [
        ("exclusive_end", date(2023, 2, 9), None),  # the day after the last day counted (8 February)
        (
            "exclusive_end",
            date(2023, 2, 8),
            "2023-02-08 is not after the last day of delay the period counts (2023-02-08)",
        ),
        ("inclusive", date(2023, 2, 9), "2023-02-09 is not after the last day of delay the period counts (2023-02-09)"),
    ],
)
def test_a_liquidation_is_decided_after_the_days_it_counts(convention, decided_on, refused):
    command = liquidation(convention=convention, decided_on=decided_on)
    if refused is None:
        assert decide(given(*AT_SANCTION), command)[0].decided_on == decided_on
        return
    with pytest.raises(Invalid) as error:
        decide(given(*AT_SANCTION), command)
    assert (error.value.field, error.value.message.split(":")[0]) == ("decided_on", refused)


def test_a_liquidation_is_dated_by_its_decision_and_one_recorded_without_it_by_its_period_end():
    state = given(*AT_SANCTION, LIQUIDATED)
    assert state.sanctions[0].liquidations[0].decided_on == date(2023, 4, 13)
    assert news(LIQUIDATED).on == date(2023, 4, 13)
    older = LIQUIDATED.model_copy(update={"decided_on": None})
    assert given(*AT_SANCTION, older).sanctions[0].liquidations[0].decided_on == date(2023, 2, 9)
    assert news(older).on == date(2023, 2, 9)
    with pytest.raises(Invalid) as refused:
        decide(state, close("sanctioned", closed_on=date(2023, 4, 12)))
    assert refused.value.message == "2023-04-12 is before the penalty payment was liquidated (2023-04-13)"


def test_a_liquidated_sanctioned_case_closes_as_sanctioned():
    [closed] = decide(given(*AT_SANCTION, LIQUIDATED), close("sanctioned"))
    assert closed.outcome == "sanctioned"


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
            IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), date(2022, 1, 26)),
            "cannot issue a formal notice: the case is open",
        ),
        (
            (OPENED, INVESTIGATING),
            IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), date(2022, 1, 26)),
            "the case is investigating (no finding recorded yet)",
        ),
        ((OPENED, INVESTIGATING), sanction(), "cannot impose a sanction: the case is investigating (no finding"),
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
        (AT_EXPIRY, liquidation(), "cannot liquidate the penalty payment: the case is notice expired"),
        (AT_SANCTION, close("sanctioned"), "(the periodic penalty payment has not been liquidated, and compliance"),
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


def test_a_penalty_free_sanction_has_nothing_to_liquidate():
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
    with pytest.raises(Rejected, match="carries no periodic penalty payment"):
        decide(state, liquidation())


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


def test_an_injunction_complied_with_by_its_deadline_leaves_nothing_to_liquidate_and_the_case_closes():
    complied = decide(given(*AT_SANCTION), RecordInjunctionCompliance(SANCTION, date(2022, 12, 10)))
    assert complied == [InjunctionComplied(case_id=CASE, sanction_id=SANCTION, complied_on=date(2022, 12, 10))]
    state = given(*AT_SANCTION, *complied)
    with pytest.raises(Rejected, match="before any day of delay"):
        decide(state, liquidation())
    assert decide(state, close("sanctioned"))[0].outcome == "sanctioned"


def test_an_injunction_complied_with_late_leaves_only_the_delay_to_liquidate():
    state = given(*AT_SANCTION, InjunctionComplied(case_id=CASE, sanction_id=SANCTION, complied_on=date(2023, 2, 9)))
    with pytest.raises(Rejected, match="not been liquidated"):
        decide(state, close("sanctioned"))
    [liquidated] = decide(state, liquidation(end=date(2023, 2, 9)))  # exclusive end: the day of compliance
    assert (liquidated.days_counted, liquidated.amount_eur) == (52, 5_200_000)
    with pytest.raises(Invalid) as refused:
        decide(state, liquidation(end=date(2023, 2, 9), convention="inclusive"))  # would count the day complied
    assert refused.value.field == "period_end" and "2023-02-09" in refused.value.message
    assert (
        decide(
            given(
                *AT_SANCTION,
                InjunctionComplied(case_id=CASE, sanction_id=SANCTION, complied_on=date(2023, 2, 9)),
                liquidated,
            ),
            close("sanctioned"),
        )[0].outcome
        == "sanctioned"
    )


@pytest.mark.parametrize(
    ("history", "complied_on", "expected"),
    [
        (
            (
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
            ),
            date(2022, 12, 1),
            "carries no injunction",
        ),
        (
            (*AT_SANCTION, InjunctionComplied(case_id=CASE, sanction_id=SANCTION, complied_on=date(2022, 12, 1))),
            date(2022, 12, 2),
            "already recorded, on 2022-12-01",
        ),
    ],
)
def test_injunction_compliance_that_does_not_fit_is_refused(history, complied_on, expected):
    with pytest.raises(Rejected, match=expected):
        decide(given(*history), RecordInjunctionCompliance(SANCTION, complied_on))


@pytest.mark.parametrize(
    ("history", "complied_on", "expected"),
    [
        (AT_SANCTION, date(2022, 10, 16), "before the sanction was decided (2022-10-17)"),
        ((*AT_SANCTION, LIQUIDATED), date(2023, 2, 8), "last day of delay is 2023-02-08"),
    ],
)
def test_injunction_compliance_dates_must_hold_together(history, complied_on, expected):
    with pytest.raises(Invalid) as refused:
        decide(given(*history), RecordInjunctionCompliance(SANCTION, complied_on))
    assert refused.value.field == "complied_on" and expected in refused.value.message


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
            IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), date(2021, 11, 26)),
            "compliance_deadline",
            "2021-11-26 is not after the day the notice is issued (2021-11-26)",
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
            AT_EXPIRY,
            sanction(fine=30_000_000, orders=("58(2)",)),
            "fine_eur",
            "EUR 30,000,000 exceeds the cap of Art 83(6): the higher of EUR 20,000,000 and 4 % of the preceding year's "
            "worldwide turnover of EUR 100,000,000 (EUR 4,000,000) = EUR 20,000,000",
        ),
        (
            (OPENED, INVESTIGATING, FOUND),
            sanction(fine=12_000_000, articles=(25, 32), turnover=None, injunction=None),
            "fine_eur",
            "Art 83(4): EUR 10,000,000 (no turnover given, so the fixed amount applies)",
        ),
        ((OPENED, INVESTIGATING, FOUND), sanction(articles=(2, 6)), "articles_infringed", "Art 2 is not among"),
        (
            AT_EXPIRY,
            sanction(injunction=INJUNCTION.model_copy(update={"daily_penalty_eur": 100_001})),
            "injunction.daily_penalty_eur",
            "exceeds the cap of EUR 100,000 a day",
        ),
        (
            AT_EXPIRY,
            sanction(injunction=INJUNCTION.model_copy(update={"deadline": date(2022, 10, 1)})),
            "injunction.deadline",
            "2022-10-01 is not after the day the sanction is decided (2022-10-17)",
        ),
        (
            AT_SANCTION,
            liquidation(start=date(2022, 12, 18)),
            "period_start",
            "2022-12-18 is before the penalty began to accrue (2022-12-19)",
        ),
        (AT_SANCTION, liquidation(end=date(2022, 12, 19)), "period_end", "counts no day"),
        (
            (*AT_SANCTION, LIQUIDATED),
            liquidation(start=date(2023, 2, 1), end=date(2023, 3, 1)),
            "period_start",
            "overlaps the period already liquidated up to 2023-02-09",
        ),
        (
            AT_SANCTION,
            LiquidatePenalty(uuid4(), date(2022, 12, 19), date(2023, 2, 9), "inclusive", date(2023, 4, 13)),
            "sanction_id",
            "no sanction",
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
            IssueFormalNotice(NOTICE, ORDERS, date(2020, 7, 1), date(2020, 9, 1)),
            "issued_on",
            "2020-07-01 is before the investigation opened (2020-08-01)",
        ),
        (
            (OPENED, INVESTIGATING, FOUND),
            sanction(decided_on=date(2020, 7, 31), injunction=None),
            "decided_on",
            "2020-07-31 is before the investigation opened (2020-08-01)",
        ),
        (
            AT_EXPIRY,
            sanction(decided_on=date(2022, 1, 26), injunction=None),
            "decided_on",
            "2022-01-26 is not after the formal notice's compliance deadline (2022-01-26)",
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
            (OPENED, INVESTIGATING, FOUND, SANCTIONED),
            CloseCase("sanctioned", "r", date(2022, 10, 16)),
            "closed_on",
            "2022-10-16 is before the sanction was decided (2022-10-17)",
        ),
        (
            (*AT_SANCTION, LIQUIDATED),
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
        ((OPENED, INVESTIGATING, FOUND), IssueFormalNotice(NOTICE, ORDERS, date(2020, 8, 1), date(2020, 9, 1))),
        ((OPENED, INVESTIGATING, FOUND), sanction(decided_on=date(2020, 8, 1), injunction=None)),
        (AT_EXPIRY, sanction(decided_on=date(2022, 1, 27), injunction=None)),
        ((OPENED,), CloseCase("dismissed", "r", date(2020, 5, 25))),
        ((OPENED, INVESTIGATING, FOUND, SANCTIONED), CloseCase("sanctioned", "r", date(2022, 10, 17))),
        ((*AT_SANCTION, LIQUIDATED), CloseCase("sanctioned", "r", date(2023, 4, 13))),
    ],
)
def test_the_same_day_or_the_first_lawful_day_is_accepted(history, command):
    assert decide(given(*history), command)


# --- the fold ---------------------------------------------------------------------------------------------


def test_the_whole_clearview_story_folds_into_a_closed_sanctioned_case():
    story = [
        *AT_SANCTION,
        LIQUIDATED,
        CaseClosed(case_id=CASE, outcome="sanctioned", reasons="fine and penalty paid", closed_on=date(2023, 4, 13)),
    ]
    state = replay(story)
    assert (state.version, state.status, state.outcome) == (len(story), "closed", "sanctioned")
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
    assert given(*AT_NOTICE).version == 4
    assert given(*AT_NOTICE).pending_notice.deadline == date(2022, 1, 26)
    assert given(*AT_NOTICE, COMPLIED).pending_notice is None
    assert given(*AT_NOTICE, COMPLIED).notices[0].complied_on == date(2022, 1, 20)


# --- notification to the controller -------------------------------------------------------------------------

PERIOD_INJUNCTION = Injunction(orders=ORDERS, days_after_notification=60, daily_penalty_eur=100_000)


def test_a_formal_notice_records_the_day_it_was_notified_once():
    [notified] = decide(given(*AT_NOTICE), RecordNoticeNotification(NOTICE, date(2021, 12, 1)))
    assert notified == FormalNoticeNotified(case_id=CASE, notice_id=NOTICE, notified_on=date(2021, 12, 1))
    state = given(*AT_NOTICE, notified)
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
    with pytest.raises(Invalid) as refused:
        decide(given(*AT_NOTICE), RecordNoticeNotification(NOTICE, notified_on))
    assert (refused.value.field, refused.value.message) == ("notified_on", message)


def test_an_injunction_due_a_period_after_notification_starts_its_penalty_when_notified():
    [imposed] = decide(given(*AT_EXPIRY), sanction(injunction=PERIOD_INJUNCTION))  # no penalty yet: no deadline
    state = given(*AT_EXPIRY, imposed)
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
    after = given(*AT_EXPIRY, imposed, notified, penalty)
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
    [imposed] = decide(given(*AT_EXPIRY), sanction(injunction=PERIOD_INJUNCTION))
    [complied] = decide(given(*AT_EXPIRY, imposed), RecordInjunctionCompliance(SANCTION, date(2022, 10, 18)))
    state = given(*AT_EXPIRY, imposed, complied)
    with pytest.raises(Invalid, match="after the injunction was complied with"):
        decide(state, RecordSanctionNotification(SANCTION, date(2022, 10, 20)))
    [notified, _] = decide(state, RecordSanctionNotification(SANCTION, date(2022, 10, 18)))
    assert given(*AT_EXPIRY, imposed, complied, notified).sanctions[0].days_late == 0


def test_a_closure_is_not_dated_before_a_notification():
    [notified] = decide(given(*AT_NOTICE), RecordNoticeNotification(NOTICE, date(2021, 12, 1)))
    with pytest.raises(Invalid) as refused:
        decide(given(*AT_NOTICE, notified), close("dismissed", closed_on=date(2021, 11, 30)))
    assert refused.value.message == "2021-11-30 is before the formal notice was notified (2021-12-01)"


# --- the simplified procedure (loi Informatique et Libertés art 22-1) ---------------------------------------

SMALL = Injunction(orders=ORDERS[:1], deadline=date(2022, 12, 18), daily_penalty_eur=100)


def simplified(fine: int = 20_000, injunction: Injunction | None = SMALL) -> ImposeSanction:
    return replace(sanction(fine=fine, turnover=None, articles=(15,), injunction=injunction), procedure="simplified")


def test_a_sanction_says_which_procedure_it_was_taken_under():
    imposed, penalty = decide(given(OPENED, INVESTIGATING, FOUND), simplified())
    assert (imposed.procedure, imposed.fine_eur, penalty.daily_rate_eur) == ("simplified", 20_000, 100)
    assert given(OPENED, INVESTIGATING, FOUND, imposed, penalty).sanctions[0].procedure == "simplified"
    assert decide(given(*AT_EXPIRY), sanction())[0].procedure == "ordinary"


@pytest.mark.parametrize(
    ("command", "field", "message"),
    [
        (
            simplified(fine=20_001),
            "fine_eur",
            "EUR 20,001 exceeds the cap of EUR 20,000 of the simplified procedure"
            " (loi Informatique et Libertés art 22-1)",
        ),
        (
            simplified(injunction=SMALL.model_copy(update={"daily_penalty_eur": 101})),
            "injunction.daily_penalty_eur",
            "EUR 101 a day exceeds the cap of EUR 100 a day of the simplified procedure (loi Informatique et Libertés "
            "art 22-1)",
        ),
    ],
)
def test_the_simplified_procedure_refuses_a_fine_or_a_penalty_above_its_ceilings(command, field, message):
    with pytest.raises(Invalid) as refused:
        decide(given(OPENED, INVESTIGATING, FOUND), command)
    assert refused.value.field == field and refused.value.message.startswith(message)


def test_the_ordinary_procedure_keeps_its_own_ceilings():
    ordinary = replace(
        simplified(fine=20_001, injunction=SMALL.model_copy(update={"daily_penalty_eur": 100_000})),
        procedure="ordinary",
    )
    imposed, penalty = decide(given(OPENED, INVESTIGATING, FOUND), ordinary)
    assert (imposed.fine_eur, penalty.daily_rate_eur) == (20_001, 100_000)


# --- the reprimand (GDPR Art 58(2)(b)) ----------------------------------------------------------------------

REPRIMAND = UUID("00000000-0000-0000-0000-00000000000e")
REPRIMANDED = ReprimandIssued(
    case_id=CASE,
    reprimand_id=REPRIMAND,
    decided_on=date(2022, 10, 17),
    articles_infringed=(12, 15),
    reasons="requests answered late; no fine needed",
)


def reprimand(decided_on: date = date(2022, 10, 17), procedure: str = "ordinary") -> IssueReprimand:
    return IssueReprimand(
        reprimand_id=REPRIMAND,
        decided_on=decided_on,
        articles=(12, 15),
        reasons="requests answered late; no fine needed",
        procedure=procedure,
    )


@pytest.mark.parametrize("history", [(OPENED, INVESTIGATING, FOUND), AT_EXPIRY])
def test_a_reprimand_follows_the_investigation_or_an_expired_notice_and_the_case_closes_as_reprimanded(history):
    assert decide(given(*history), reprimand()) == [REPRIMANDED]
    state = given(*history, REPRIMANDED)
    assert state.status == "reprimanded" and state.reprimands[0].articles == (12, 15) and not state.sanctions
    [closed] = decide(state, close("reprimanded", closed_on=date(2022, 10, 17)))
    assert closed.outcome == "reprimanded"


def test_a_reprimand_may_be_taken_under_the_simplified_procedure():
    [issued] = decide(given(OPENED, INVESTIGATING, FOUND), reprimand(procedure="simplified"))
    assert issued.procedure == "simplified"
    assert given(OPENED, INVESTIGATING, FOUND, issued).reprimands[0].procedure == "simplified"


# the reprimand, or its closure, where the state does not fit
REPRIMAND_CONFLICTS = [
    ((OPENED,), reprimand(), "cannot issue a reprimand: the case is open"),
    ((OPENED, INVESTIGATING), reprimand(), "cannot issue a reprimand: the case is investigating (no finding"),
    (AT_NOTICE, reprimand(), "cannot issue a reprimand: the case is formal notice"),
    (AT_SANCTION, reprimand(), "cannot issue a reprimand: the case is sanctioned"),
    ((*AT_EXPIRY, REPRIMANDED), reprimand(), "cannot issue a reprimand: the case is reprimanded"),
    ((*AT_EXPIRY, REPRIMANDED), sanction(), "cannot impose a sanction: the case is reprimanded"),
    ((*AT_EXPIRY, REPRIMANDED), close("dismissed"), "(the case already has a decision)"),
    ((*AT_EXPIRY, REPRIMANDED), close("sanctioned"), "(no sanction has been imposed)"),
    (AT_EXPIRY, close("reprimanded"), "(no reprimand has been issued)"),
    (AT_SANCTION, close("reprimanded"), "(no reprimand has been issued)"),
]


# the reprimand and its closure, dated after what they follow
REPRIMAND_BREACHES = [
    (
        (OPENED, INVESTIGATING, FOUND),
        reprimand(decided_on=date(2020, 7, 31)),
        "decided_on",
        "2020-07-31 is before the investigation opened (2020-08-01)",
    ),
    (
        AT_EXPIRY,
        reprimand(decided_on=date(2022, 1, 26)),
        "decided_on",
        "2022-01-26 is not after the formal notice's compliance deadline (2022-01-26)",
    ),
    (
        (*AT_EXPIRY, REPRIMANDED),
        close("reprimanded", closed_on=date(2022, 10, 16)),
        "closed_on",
        "2022-10-16 is before the reprimand was decided (2022-10-17)",
    ),
]


# --- publication of a decision, and its withdrawal ---------------------------------------------------------

PUBLICATION = UUID("00000000-0000-0000-0000-0000000000d1")
NOTICE_PUBLISHED = PublicationMade(
    case_id=CASE,
    publication_id=PUBLICATION,
    decision="formal_notice",
    decision_id=NOTICE,
    decision_dated=date(2021, 11, 26),
    published_on=date(2021, 12, 16),
)
WITHDRAWN = PublicationWithdrawn(
    case_id=CASE,
    publication_id=PUBLICATION,
    decision="formal_notice",
    decision_id=NOTICE,
    withdrawn_on=date(2023, 12, 16),
    reasons="public for two years",
)


def publish(decision_id: UUID = NOTICE, published_on: date = date(2021, 12, 16)) -> PublishDecision:
    return PublishDecision(publication_id=PUBLICATION, decision_id=decision_id, published_on=published_on)


def withdraw(withdrawn_on: date = date(2023, 12, 16), publication_id: UUID = PUBLICATION) -> WithdrawPublication:
    return WithdrawPublication(publication_id=publication_id, withdrawn_on=withdrawn_on, reasons="public for two years")


def test_the_clearview_formal_notice_was_made_public_on_16_december_2021():
    assert decide(given(*AT_NOTICE), publish()) == [NOTICE_PUBLISHED]
    state = given(*AT_NOTICE, NOTICE_PUBLISHED)
    assert state.status == "formal_notice" and state.publications[0].published_on == date(2021, 12, 16)
    assert "withdraw a publication" in next_steps(state) and "make a decision public" not in next_steps(state)
    assert "make a decision public" in next_steps(given(*AT_NOTICE))


@pytest.mark.parametrize(
    ("history", "decision_id", "kind", "dated"),
    [
        (AT_SANCTION, SANCTION, "sanction", date(2022, 10, 17)),
        ((*AT_EXPIRY, REPRIMANDED), REPRIMAND, "reprimand", date(2022, 10, 17)),
        ((*AT_SANCTION, LIQUIDATED), NOTICE, "formal_notice", date(2021, 11, 26)),  # a notice, later in the case
    ],
)
def test_a_sanction_a_reprimand_or_a_notice_is_made_public_on_or_after_its_day(history, decision_id, kind, dated):
    [made] = decide(given(*history), publish(decision_id, dated))
    assert (made.decision, made.decision_id, made.decision_dated, made.published_on) == (
        kind,
        decision_id,
        dated,
        dated,
    )


def test_a_publication_is_withdrawn_once_even_after_the_case_closed():
    assert decide(given(*AT_NOTICE, NOTICE_PUBLISHED), withdraw()) == [WITHDRAWN]
    closed = given(
        *AT_NOTICE,
        COMPLIED,
        NOTICE_PUBLISHED,
        CaseClosed(case_id=CASE, outcome="complied", reasons="r", closed_on=date(2022, 2, 1)),
    )
    assert next_steps(closed) == ("withdraw a publication",)
    assert decide(closed, withdraw()) == [WITHDRAWN]
    after = given(
        *AT_NOTICE,
        COMPLIED,
        NOTICE_PUBLISHED,
        CaseClosed(case_id=CASE, outcome="complied", reasons="r", closed_on=date(2022, 2, 1)),
        WITHDRAWN,
    )
    assert after.status == "closed" and after.publications[0].withdrawn_on == date(2023, 12, 16)
    assert next_steps(after) == ()
    with pytest.raises(
        Rejected,
        match=r"\(it was withdrawn on 2023-12-16\); allowed next steps: none, the case is "
        r"closed",
    ):
        decide(after, withdraw(date(2024, 1, 1)))


SIMPLIFIED_SANCTION = SANCTIONED.model_copy(update={"fine_eur": 15_000, "procedure": "simplified", "injunction": None})
CLOSED_AT_NOTICE = CaseClosed(case_id=CASE, outcome="dismissed", reasons="r", closed_on=date(2022, 1, 1))


# a publication or a withdrawal where the state does not fit
PUBLICATION_CONFLICTS = [
    (
        (OPENED, INVESTIGATING, FOUND, SIMPLIFIED_SANCTION),
        publish(SANCTION, date(2022, 10, 17)),
        "(the sanction was taken under the simplified procedure, whose decisions are not made public (loi "
        "Informatique et Libertés art 22-1))",
    ),
    ((*AT_NOTICE, NOTICE_PUBLISHED), publish(), "(the formal notice was made public on 2021-12-16)"),
    ((*AT_NOTICE, NOTICE_PUBLISHED, WITHDRAWN), publish(), "(the formal notice was made public on 2021-12-16)"),
    ((*AT_NOTICE, CLOSED_AT_NOTICE), publish(), "cannot make a decision public: the case is closed"),
    (
        (*AT_NOTICE, NOTICE_PUBLISHED, WITHDRAWN),
        withdraw(),
        "cannot withdraw a publication: the case is formal notice (it was withdrawn on 2023-12-16)",
    ),
]


# a publication dated from its decision, a withdrawal from the publication
PUBLICATION_BREACHES = [
    (
        AT_NOTICE,
        publish(published_on=date(2021, 11, 25)),
        "published_on",
        "2021-11-25 is before the formal notice was issued (2021-11-26)",
    ),
    (
        AT_SANCTION,
        publish(SANCTION, date(2022, 10, 16)),
        "published_on",
        "2022-10-16 is before the sanction was decided (2022-10-17)",
    ),
    (AT_NOTICE, publish(uuid4()), "decision_id", "the case has no formal notice, sanction or reprimand"),
    (
        (*AT_NOTICE, NOTICE_PUBLISHED),
        withdraw(date(2021, 12, 15)),
        "withdrawn_on",
        "2021-12-15 is before the formal notice was made public (2021-12-16)",
    ),
    ((*AT_NOTICE, NOTICE_PUBLISHED), withdraw(publication_id=uuid4()), "publication_id", "the case has no publication"),
    (
        (*AT_NOTICE, NOTICE_PUBLISHED),
        close("dismissed", closed_on=date(2021, 12, 15)),
        "closed_on",
        "2021-12-15 is before the formal notice was made public (2021-12-16)",
    ),
]


# --- an appeal before the Conseil d'État, and the court's ruling ---------------------------------------------

APPEAL = UUID("00000000-0000-0000-0000-0000000000a1")
SECOND = UUID("00000000-0000-0000-0000-0000000000b2")
APPEALED = AppealLodged(
    case_id=CASE,
    appeal_id=APPEAL,
    decision="sanction",
    decision_id=SANCTION,
    decision_dated=date(2022, 10, 17),
    lodged_on=date(2022, 12, 16),
)
AT_APPEAL = (*AT_SANCTION, APPEALED)


def appeal(decision_id: UUID = SANCTION, lodged_on: date = date(2022, 12, 16)) -> LodgeAppeal:
    return LodgeAppeal(appeal_id=APPEAL, decision_id=decision_id, lodged_on=lodged_on)


def ruling(outcome: str, fine: int | None = None, decided_on: date = date(2023, 6, 1)) -> RecordRuling:
    return RecordRuling(appeal_id=APPEAL, decided_on=decided_on, outcome=outcome, fine_eur=fine)


def ruled(outcome: str, fine: int | None = None, decision: str = "sanction", decision_id: UUID = SANCTION):
    return AppealDecided(
        case_id=CASE,
        appeal_id=APPEAL,
        decision=decision,
        decision_id=decision_id,
        decision_dated=date(2022, 10, 17),
        decided_on=date(2023, 6, 1),
        outcome=outcome,
        fine_eur=fine,
    )


def test_an_appeal_of_the_sanction_is_recorded_and_the_case_cannot_close_before_the_ruling():
    assert decide(given(*AT_SANCTION), appeal()) == [APPEALED]
    assert "record an appeal" in next_steps(given(*AT_SANCTION))
    state = given(*AT_APPEAL, LIQUIDATED)
    assert state.status == "sanctioned" and "record the court's ruling" in next_steps(state)
    assert "record an appeal" not in next_steps(state)
    with pytest.raises(
        Rejected,
        match=r"\(the appeal against the sanction lodged on 2022-12-16 awaits the court's "
        r"ruling\)",
    ):
        decide(state, close("sanctioned"))
    assert decide(given(*AT_APPEAL), liquidation())[0].amount_eur == 5_200_000  # the appeal suspends nothing


@pytest.mark.parametrize(
    ("command", "fine"), [(ruling("dismissed"), None), (ruling("fine_reduced", 10_000_000), 10_000_000)]
)
def test_a_dismissed_appeal_or_a_reduced_fine_leaves_the_sanction_standing_and_the_case_closes(command, fine):
    [decided] = decide(given(*AT_APPEAL, LIQUIDATED), command)
    assert decided == ruled(command.outcome, fine)
    state = given(*AT_APPEAL, LIQUIDATED, decided)
    assert state.status == "sanctioned" and state.sanctions[0].reduced_fine_eur == fine
    assert state.appeals[0].outcome == command.outcome and state.pending_appeal is None
    with pytest.raises(Invalid, match="before the court ruled on the appeal"):
        decide(state, close("sanctioned", closed_on=date(2023, 5, 31)))
    assert decide(state, close("sanctioned", closed_on=date(2023, 6, 1)))[0].outcome == "sanctioned"


def test_an_annulled_sanction_no_longer_stands_and_the_case_is_decided_again_or_closed():
    state = given(*AT_APPEAL, SANCTION_PUBLISHED, ruled("annulled"))
    assert state.status == "notice_expired"  # where it stood before the sanction
    assert state.sanctions[0].annulled_on == date(2023, 6, 1) and state.standing_sanctions == ()
    assert {"impose a sanction", "issue a reprimand", "withdraw a publication"} <= set(next_steps(state))
    with pytest.raises(Rejected, match=r"\(the court annulled the sanction on 2023-06-01\)"):
        decide(state, PublishDecision(uuid4(), SANCTION, date(2023, 6, 2)))
    with pytest.raises(Invalid) as refused:
        decide(state, replace(sanction(), sanction_id=SECOND, decided_on=date(2023, 5, 31)))
    assert refused.value.message == "2023-05-31 is before the court annulled the earlier decision (2023-06-01)"
    [again] = decide(
        state, replace(sanction(fine=5_000_000, injunction=None), sanction_id=SECOND, decided_on=date(2023, 6, 1))
    )
    after = given(*AT_APPEAL, SANCTION_PUBLISHED, ruled("annulled"), again)
    assert after.status == "sanctioned" and [s.sanction_id for s in after.standing_sanctions] == [SECOND]
    with pytest.raises(Invalid, match=r"the court annulled the sanction .* on 2023-06-01: it no longer stands"):
        decide(after, liquidation())
    assert decide(state, close("dismissed", closed_on=date(2023, 6, 1)))[0].outcome == "dismissed"


def test_an_annulled_reprimand_takes_the_case_back_to_the_investigation():
    lodged = APPEALED.model_copy(update={"decision": "reprimand", "decision_id": REPRIMAND})
    assert decide(given(OPENED, INVESTIGATING, FOUND, REPRIMANDED), appeal(REPRIMAND)) == [lodged]
    state = given(OPENED, INVESTIGATING, FOUND, REPRIMANDED, lodged, ruled("annulled", None, "reprimand", REPRIMAND))
    assert state.status == "investigating" and state.reprimands[0].annulled_on == date(2023, 6, 1)
    assert decide(state, close("no_infringement", closed_on=date(2023, 6, 1)))[0].outcome == "no_infringement"


SANCTION_PUBLISHED = NOTICE_PUBLISHED.model_copy(
    update={
        "decision": "sanction",
        "decision_id": SANCTION,
        "decision_dated": date(2022, 10, 17),
        "published_on": date(2022, 10, 17),
    }
)


# an appeal or a ruling where the state does not fit
APPEAL_CONFLICTS = [
    (
        (OPENED, INVESTIGATING, FOUND),
        appeal(),
        "cannot record an appeal: the case is investigating (no sanction or reprimand stands to appeal)",
    ),
    (AT_APPEAL, replace(appeal(), appeal_id=uuid4()), "(an appeal against the sanction was lodged on 2022-12-16)"),
    (
        (*AT_APPEAL, ruled("dismissed")),
        ruling("annulled"),
        "cannot record the court's ruling: the case is sanctioned "
        "(the court ruled on 2023-06-01: the appeal was dismissed)",
    ),
    ((), ruling("dismissed"), "cannot record the court's ruling: the case is none"),
]


# an appeal and a ruling, dated and valued by what they follow
APPEAL_BREACHES = [
    (
        AT_SANCTION,
        appeal(lodged_on=date(2022, 10, 16)),
        "lodged_on",
        "2022-10-16 is before the sanction was decided (2022-10-17)",
    ),
    (AT_SANCTION, appeal(uuid4()), "decision_id", "the case has no sanction or reprimand"),
    (
        AT_APPEAL,
        ruling("dismissed", decided_on=date(2022, 12, 15)),
        "decided_on",
        "2022-12-15 is before the appeal was lodged (2022-12-16)",
    ),
    (AT_APPEAL, replace(ruling("dismissed"), appeal_id=uuid4()), "appeal_id", "the case has no appeal"),
    (AT_APPEAL, ruling("fine_reduced"), "fine_eur", "give the fine as the court reduced it"),
    (
        AT_APPEAL,
        ruling("fine_reduced", 20_000_000),
        "fine_eur",
        "EUR 20,000,000 is not below the fine the sanction imposed (EUR 20,000,000)",
    ),
    (AT_APPEAL, ruling("annulled", 1), "fine_eur", "only a ruling that reduces the fine sets one"),
    (
        (
            OPENED,
            INVESTIGATING,
            FOUND,
            REPRIMANDED,
            APPEALED.model_copy(update={"decision": "reprimand", "decision_id": REPRIMAND}),
        ),
        ruling("fine_reduced", 1),
        "outcome",
        "a reprimand imposes no fine to reduce",
    ),
]


# --- the procedures' refusals: 409 naming the state and the next steps, 422 naming the field ----------------


@pytest.mark.parametrize(
    ("history", "command", "message"), [*REPRIMAND_CONFLICTS, *PUBLICATION_CONFLICTS, *APPEAL_CONFLICTS]
)
def test_a_procedure_step_that_does_not_fit_the_state_is_refused_naming_it_and_the_next_steps(
    history, command, message
):
    with pytest.raises(Rejected, match="allowed next steps") as refused:
        decide(given(*history), command)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("history", "command", "field", "message"), [*REPRIMAND_BREACHES, *PUBLICATION_BREACHES, *APPEAL_BREACHES]
)
def test_a_procedure_step_whose_values_break_a_rule_is_refused_naming_the_field(history, command, field, message):
    with pytest.raises(Invalid) as refused:
        decide(given(*history), command)
    assert refused.value.field == field and refused.value.message.startswith(message)
