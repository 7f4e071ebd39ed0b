"""Given events, when a command, then events or a refusal: a sanction's enforcement. The penalty runs until
compliance is recorded or the restricted committee ends the injunction; until then the case stays open under
enforcement. A liquidation has a written procedure first (décret 2019-536 art 44: reasons and amount notified,
fifteen days to answer), then the committee fixes the amount up to days x rate; liquidations repeat for later
periods."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest

from docket_contracts.events import (
    InjunctionComplied,
    InjunctionEnded,
    LiquidationObservationsReceived,
    LiquidationOpened,
    PenaltyPaymentLiquidated,
    SanctionImposed,
)
from docket_contracts.progress import news
from services.case.domain import (
    EndInjunction,
    Invalid,
    RecordInjunctionCompliance,
    RecordLiquidationObservations,
    Rejected,
    decide,
    next_steps,
)
from tests.unit.case_history import (
    AT_SANCTION,
    CASE,
    COMPLIED_LATE,
    FOUND,
    INVESTIGATING,
    LIQUIDATED,
    LIQUIDATION,
    LIQUIDATION_DONE,
    LIQUIDATION_OPENED,
    OPENED,
    SANCTION,
    SANCTIONED,
    close,
    given,
    liquidation,
    open_liquidation,
)

NOT_COMPLIED = (*AT_SANCTION, *LIQUIDATION_DONE)  # the Clearview case as the record leaves it
ENDED = InjunctionEnded(case_id=CASE, sanction_id=SANCTION, ended_on=date(2023, 6, 1), reasons="the data was deleted")


# --- the written procedure, then the decision ----------------------------------------------------------------


def test_a_liquidation_opens_with_its_reasons_and_amount_and_fifteen_days_for_the_controller():
    assert decide(given(*AT_SANCTION), open_liquidation()) == [LIQUIDATION_OPENED]
    state = given(*AT_SANCTION, LIQUIDATION_OPENED)
    assert state.sanctions[0].pending_liquidation.observations_due == date(2023, 2, 24)
    assert next_steps(state)[:2] == ("record the observations on the liquidation", "decide the liquidation")
    with pytest.raises(Rejected, match=r"\(the liquidation opened on 2023-02-09 awaits its decision\)"):
        decide(state, open_liquidation(start=date(2023, 2, 9), end=date(2023, 3, 1), opened_on=date(2023, 3, 1)))


def test_days_are_counted_by_the_stated_convention_and_the_maximum_is_days_times_rate():
    [inclusive] = decide(
        given(*AT_SANCTION), open_liquidation(convention="inclusive", opened_on=date(2023, 2, 10), amount=1)
    )
    assert (inclusive.days_counted, inclusive.maximum_eur) == (53, 5_300_000)
    assert inclusive.convention == "inclusive: calendar days from period_start to period_end, both included"


def test_the_committee_decides_after_the_fifteen_days_up_to_days_times_rate_with_its_reasons():
    state = given(*AT_SANCTION, LIQUIDATION_OPENED)
    assert decide(state, liquidation()) == [LIQUIDATED]
    [lower] = decide(state, liquidation(amount=2_600_000))  # the controller's conduct, its difficulties
    assert (lower.amount_eur, lower.maximum_eur) == (2_600_000, 5_200_000)
    liquidated = given(*AT_SANCTION, LIQUIDATION_OPENED, LIQUIDATED).sanctions[0].liquidations[0]
    assert (liquidated.decided_on, liquidated.amount_eur, liquidated.reference) == (
        date(2023, 4, 13),
        5_200_000,
        "SAN-2023-005",
    )


@pytest.mark.parametrize(
    ("command", "field", "message"),
    [
        (
            liquidation(decided_on=date(2023, 2, 24)),
            "decided_on",
            "2023-02-24 is within the fifteen days the controller has to answer in writing, which run to 2023-02-24 "
            "(décret 2019-536 art 44)",
        ),
        (
            liquidation(amount=5_200_001),
            "amount_eur",
            "EUR 5,200,001 is more than the 52 days of delay at EUR 100,000 a day (EUR 5,200,000): the committee "
            "fixes the amount up to that (décret 2019-536 art 44)",
        ),
    ],
)
def test_a_decision_too_early_or_above_days_times_rate_is_refused_naming_the_decree(command, field, message):
    with pytest.raises(Invalid) as refused:
        decide(given(*AT_SANCTION, LIQUIDATION_OPENED), command)
    assert (refused.value.field, refused.value.message) == (field, message)


def test_the_decision_does_not_go_above_the_amount_the_controller_was_told_of():
    [opened] = decide(given(*AT_SANCTION), open_liquidation(amount=4_000_000))
    with pytest.raises(Invalid, match="more than the EUR 4,000,000 notified to the controller"):
        decide(given(*AT_SANCTION, opened), liquidation(amount=4_000_001))


def test_no_liquidation_is_decided_without_its_written_procedure():
    with pytest.raises(Rejected) as refused:
        decide(given(*AT_SANCTION), liquidation())
    assert (
        "(no liquidation was opened: its reasons and envisaged amount are notified to the controller first, who has "
        "fifteen days to answer in writing (décret 2019-536 art 44))"
    ) in str(refused.value)


def test_the_controller_answers_within_its_fifteen_days():
    state = given(*AT_SANCTION, LIQUIDATION_OPENED)
    [answered] = decide(state, RecordLiquidationObservations(SANCTION, date(2023, 2, 24)))
    assert answered == LiquidationObservationsReceived(
        case_id=CASE, sanction_id=SANCTION, liquidation_id=LIQUIDATION, received_on=date(2023, 2, 24)
    )
    with pytest.raises(Invalid, match="after the fifteen days the controller had to answer, to 2023-02-24"):
        decide(state, RecordLiquidationObservations(SANCTION, date(2023, 2, 25)))
    with pytest.raises(Rejected, match="no liquidation was opened"):
        decide(given(*AT_SANCTION), RecordLiquidationObservations(SANCTION, date(2023, 2, 20)))


@pytest.mark.parametrize(
    ("command", "field", "message"),
    [
        (
            open_liquidation(start=date(2022, 12, 18)),
            "period_start",
            "2022-12-18 is before the penalty began to accrue (2022-12-19)",
        ),
        (open_liquidation(end=date(2022, 12, 19)), "period_end", "the period counts no day of delay"),
        (
            open_liquidation(opened_on=date(2023, 2, 8)),
            "opened_on",
            "2023-02-08 is not after the last day of delay the period counts (2023-02-08): a liquidation counts days "
            "that have passed",
        ),
        (
            open_liquidation(convention="inclusive", opened_on=date(2023, 2, 9)),
            "opened_on",
            "2023-02-09 is not after the last day of delay the period counts (2023-02-09)",
        ),
        (
            open_liquidation(amount=5_200_001),
            "envisaged_amount_eur",
            "EUR 5,200,001 is more than the 52 days of delay at EUR 100,000 a day (EUR 5,200,000) (décret 2019-536 "
            "art 44)",
        ),
        (open_liquidation(sanction_id=uuid4()), "sanction_id", "the case has no sanction"),
    ],
)
def test_a_liquidation_counts_days_of_delay_that_have_passed_within_days_times_rate(command, field, message):
    with pytest.raises(Invalid) as refused:
        decide(given(*AT_SANCTION), command)
    assert refused.value.field == field and refused.value.message.startswith(message)


# --- liquidations repeat while non-compliance lasts ----------------------------------------------------------------


def test_a_later_period_is_liquidated_again_after_the_first_without_overlapping_it():
    second = open_liquidation(start=date(2023, 2, 9), end=date(2023, 4, 13), opened_on=date(2023, 4, 13))
    [opened] = decide(given(*NOT_COMPLIED), replace(second, liquidation_id=uuid4()))
    assert (opened.days_counted, opened.maximum_eur) == (63, 6_300_000)
    with pytest.raises(Invalid) as overlap:
        decide(given(*NOT_COMPLIED), replace(second, period_start=date(2023, 2, 1)))
    assert (overlap.value.field, overlap.value.message) == (
        "period_start",
        "overlaps the period already liquidated, up to 2023-02-08",
    )


# --- the penalty stops on compliance recorded or a decision ending it; until then the case stays open -----------


def test_a_case_whose_injunction_is_neither_complied_with_nor_ended_stays_open_under_enforcement():
    state = given(*NOT_COMPLIED)
    assert state.under_enforcement and state.status == "sanctioned"
    with pytest.raises(Rejected) as refused:
        decide(state, close("sanctioned", closed_on=date(2023, 5, 10)))
    assert (
        "(the injunction of the sanction of 2022-10-17 is neither complied with nor ended: the case stays open under "
        "enforcement, its penalty running until compliance is recorded or a decision ends it)"
    ) in str(refused.value)
    assert {"record compliance with the injunction", "end the injunction"} <= set(next_steps(state))


def test_the_committee_may_end_the_injunction_and_the_days_before_are_still_liquidated():
    [ended] = decide(given(*NOT_COMPLIED), EndInjunction(SANCTION, date(2023, 6, 1), "the data was deleted"))
    assert ended == ENDED
    state = given(*NOT_COMPLIED, ENDED)
    assert not state.under_enforcement and state.sanctions[0].stopped_on == date(2023, 6, 1)
    with pytest.raises(Rejected, match=r"has not all been liquidated \(décret 2019-536 art 44\)"):
        decide(state, close("sanctioned", closed_on=date(2023, 6, 1)))
    rest = open_liquidation(start=date(2023, 2, 9), end=date(2023, 6, 1), opened_on=date(2023, 6, 2), amount=0)
    [opened] = decide(state, replace(rest, liquidation_id=uuid4()))
    assert opened.days_counted == 112
    with pytest.raises(Invalid, match="not before the penalty stopped"):
        decide(state, replace(rest, period_end=date(2023, 6, 2), opened_on=date(2023, 6, 3)))
    decided = decide(given(*NOT_COMPLIED, ENDED, opened), liquidation(decided_on=date(2023, 6, 18), amount=0))
    [closed] = decide(given(*NOT_COMPLIED, ENDED, opened, *decided), close("sanctioned", closed_on=date(2023, 6, 18)))
    assert closed.outcome == "sanctioned"


@pytest.mark.parametrize(
    ("history", "command", "refusal", "message"),
    [
        ((*NOT_COMPLIED, ENDED), EndInjunction(SANCTION, date(2023, 7, 1), "r"), Rejected, "its penalty stopped on"),
        (
            (*AT_SANCTION, COMPLIED_LATE),
            EndInjunction(SANCTION, date(2023, 7, 1), "r"),
            Rejected,
            "its penalty stopped on 2023-02-09",
        ),
        (NOT_COMPLIED, EndInjunction(SANCTION, date(2023, 2, 8), "r"), Invalid, "within the period a liquidation"),
        (
            (*NOT_COMPLIED, ENDED),
            RecordInjunctionCompliance(SANCTION, date(2023, 7, 1)),
            Rejected,
            "the committee ended the injunction on 2023-06-01",
        ),
    ],
)
def test_the_injunction_ends_once_by_compliance_or_decision(history, command, refusal, message):
    with pytest.raises(refusal) as refused:
        decide(given(*history), command)
    assert message in str(refused.value)


def test_an_injunction_complied_with_by_its_deadline_leaves_nothing_to_liquidate_and_the_case_closes():
    complied = decide(given(*AT_SANCTION), RecordInjunctionCompliance(SANCTION, date(2022, 12, 10)))
    assert complied == [InjunctionComplied(case_id=CASE, sanction_id=SANCTION, complied_on=date(2022, 12, 10))]
    state = given(*AT_SANCTION, *complied)
    with pytest.raises(Rejected, match="before any day of delay"):
        decide(state, open_liquidation())
    assert decide(state, close("sanctioned"))[0].outcome == "sanctioned"


def test_an_injunction_complied_with_late_leaves_only_the_delay_to_liquidate():
    state = given(*AT_SANCTION, COMPLIED_LATE)
    with pytest.raises(Rejected, match="accrued up to 2023-02-09 has not all been liquidated"):
        decide(state, close("sanctioned"))
    assert decide(state, open_liquidation()) == [LIQUIDATION_OPENED]  # exclusive end: the day of compliance
    with pytest.raises(Invalid) as refused:
        decide(state, open_liquidation(convention="inclusive", opened_on=date(2023, 2, 10)))  # counts the day complied
    assert refused.value.field == "period_end" and "2023-02-09" in refused.value.message
    with pytest.raises(Rejected, match="the liquidation opened on 2023-02-09 awaits its decision"):
        decide(given(*AT_SANCTION, COMPLIED_LATE, LIQUIDATION_OPENED), close("sanctioned"))
    assert decide(given(*AT_SANCTION, COMPLIED_LATE, *LIQUIDATION_DONE), close("sanctioned"))[0].outcome == "sanctioned"


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
        decide(state, open_liquidation())


@pytest.mark.parametrize(
    ("history", "complied_on", "expected"),
    [
        (AT_SANCTION, date(2022, 10, 16), "before the sanction was decided (2022-10-17)"),
        (NOT_COMPLIED, date(2023, 2, 8), "last day of delay is 2023-02-08"),
    ],
)
def test_injunction_compliance_dates_must_hold_together(history, complied_on, expected):
    with pytest.raises(Invalid) as refused:
        decide(given(*history), RecordInjunctionCompliance(SANCTION, complied_on))
    assert refused.value.field == "complied_on" and expected in refused.value.message


# --- a liquidation recorded before the written procedure was kept ------------------------------------------------

V1 = PenaltyPaymentLiquidated(
    case_id=CASE,
    sanction_id=SANCTION,
    period_start=date(2022, 12, 19),
    period_end=date(2023, 2, 9),
    days_counted=52,
    convention="exclusive_end: ...",
    amount_eur=5_200_000,
)


def test_a_liquidation_recorded_before_the_written_procedure_keeps_its_meaning():
    state = given(*AT_SANCTION, COMPLIED_LATE, V1)
    [liquidated] = state.sanctions[0].liquidations
    assert (liquidated.decided_on, liquidated.amount_eur, liquidated.liquidation_id) == (
        date(2023, 2, 9),  # dated by its period's end, as before
        5_200_000,
        None,
    )
    assert news(V1).on == date(2023, 2, 9) and news(LIQUIDATED).on == date(2023, 4, 13)
    assert decide(state, close("sanctioned", closed_on=date(2023, 2, 9)))[0].outcome == "sanctioned"
    assert isinstance(LIQUIDATION_OPENED, LiquidationOpened)
