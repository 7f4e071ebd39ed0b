"""The Clearview story's figures as the pure case domain decides them, and how a case an earlier run left open
is closed before the story plays again (docket_devstack.clearview)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest

from docket_contracts.events import CaseClosed
from docket_devstack import clearview
from services.case.domain import (
    NEXT_STEPS,
    CloseCase,
    EndInjunction,
    ImposeSanction,
    Invalid,
    LiquidatePenalty,
    OpenLiquidation,
    PublishDecision,
    Rejected,
    decide,
    evolve,
    fines,
    replay,
)
from tests.unit.case_history import (
    AT_EXPIRY,
    AT_HEARING,
    AT_SANCTION,
    COMPLIED,
    DELIBERATION,
    FOUND,
    INJUNCTION,
    INVESTIGATING,
    ISSUED,
    LIQUIDATION,
    LIQUIDATION_DONE,
    NOTICE,
    OPENED,
    SANCTION,
)

# --- the story's figures, as the pure domain decides them ---------------------------------------------------


def test_the_story_s_fine_above_the_cap_is_refused_and_its_fine_is_within_it():
    sanction = clearview.SANCTION
    cap = fines.cap(sanction["articles_infringed"], sanction["turnover_eur"], sanction["orders_not_complied"])
    assert cap.paragraph == "83(6)" and clearview.FINE_EUR <= cap.cap_eur < clearview.FINE_ABOVE_CAP_EUR


def test_the_story_s_liquidation_counts_52_days_of_delay_after_its_written_procedure_and_no_compliance():
    day = date.fromisoformat
    opened, decided = clearview.LIQUIDATION_OPENED, clearview.LIQUIDATION
    state = replay(AT_SANCTION)
    [opening] = decide(
        state,
        OpenLiquidation(
            LIQUIDATION,
            SANCTION,
            day(opened["opened_on"]),
            day(opened["period_start"]),
            day(opened["period_end"]),
            opened["convention"],
            opened["envisaged_amount_eur"],
            opened["reasons"],
        ),
    )
    assert (opening.days_counted, opening.maximum_eur, opening.observations_due) == (52, 5_200_000, day("2023-02-24"))
    state = evolve(state, opening)
    [liquidated] = decide(
        state,
        LiquidatePenalty(
            SANCTION, day(decided["decided_on"]), decided["amount_eur"], decided["reasons"], decided["reference"]
        ),
    )
    assert (liquidated.days_counted, liquidated.amount_eur, liquidated.reference) == (52, 5_200_000, "SAN-2023-005")
    state = evolve(state, liquidated)
    assert state.under_enforcement  # no proof of compliance, ever: the case stays open
    with pytest.raises(Rejected, match="neither complied with nor ended"):
        decide(state, CloseCase("sanctioned", clearview.CLOSURE["reasons"], day(clearview.CLOSURE["closed_on"])))


def test_the_story_s_sanction_and_injunction_match_the_domain_s_events():
    injunction = clearview.SANCTION["injunction"]
    assert (injunction["months_after_notification"], injunction["daily_penalty_eur"]) == (
        2,
        INJUNCTION.daily_penalty_eur,
    )
    sanction = clearview.SANCTION
    assert (sanction["reference"], tuple(sanction["members"])) == (DELIBERATION.reference, DELIBERATION.members)
    with pytest.raises(Invalid, match=r"EUR 30,000,000 exceeds the cap of Art 83\(6\)"):
        decide(
            replay(AT_HEARING),
            ImposeSanction(
                SANCTION,
                date.fromisoformat(sanction["decided_on"]),
                clearview.FINE_ABOVE_CAP_EUR,
                sanction["turnover_eur"],
                tuple(sanction["articles_infringed"]),
                INJUNCTION,
                orders_not_complied=tuple(sanction["orders_not_complied"]),
                deliberation=DELIBERATION,
            ),
        )


def test_the_story_s_three_publications_are_made_by_the_authority_the_law_names_with_a_day_the_name_is_removed():
    """The notice by the bureau after the timer's expiry (recorded later than its day), the sanction and the
    liquidation by the restricted committee; each with the day the controller's name is removed, two years on."""
    day = date.fromisoformat
    state = replay([*AT_SANCTION, *LIQUIDATION_DONE])
    assert replay(AT_EXPIRY).status == "notice_expired"  # the notice is made public once the timer expired it
    decisions = (
        (NOTICE, clearview.NOTICE_PUBLISHED, "formal_notice"),
        (SANCTION, clearview.SANCTION_PUBLISHED, "sanction"),
        (LIQUIDATION, clearview.LIQUIDATION_PUBLISHED, "liquidation"),
    )
    for decision_id, published, kind in decisions:
        command = PublishDecision(
            uuid4(),
            decision_id,
            day(published["published_on"]),
            day(published["anonymised_on"]),
            published["decided_by"],
        )
        [made] = decide(state, command)
        assert (made.decision, made.decided_by) == (kind, published["decided_by"])
        assert (made.anonymised_on - made.published_on).days in (730, 731)  # two years
        state = evolve(state, made)
    wrong = PublishDecision(uuid4(), SANCTION, date(2022, 10, 20), date(2024, 10, 20), "bureau")
    with pytest.raises(Invalid, match="made public by the restricted committee"):
        decide(replay([*AT_SANCTION, *LIQUIDATION_DONE]), wrong)


def test_the_story_s_steps_follow_its_days_but_the_notice_s_publication_recorded_after_the_timer():
    days = [(step.name, step.on) for step in clearview.STEPS if step.on]
    late = [name for (name, on), (_, before) in zip(days[1:], days, strict=False) if on < before]
    assert late == ["notice made public"]
    assert clearview.NOTICE_PUBLISHED["published_on"] < clearview.NOTICE_DEADLINE


# --- an earlier run's case ---------------------------------------------------------------------------------

TODAY = date(2026, 11, 22)
HISTORY = list(AT_SANCTION)


@pytest.mark.parametrize("length", range(1, len(HISTORY) - 2))
def test_a_case_left_open_before_its_sanction_closes_with_the_outcome_its_state_allows(length):
    state = replay(HISTORY[:length])
    outcome = clearview.CLOSING_OUTCOMES[state.status]
    [closed] = decide(state, CloseCase(outcome, "left open by an earlier run", TODAY))
    assert isinstance(closed, CaseClosed) and closed.outcome == outcome


def test_a_case_complied_with_closes_as_complied():
    state = replay([OPENED, INVESTIGATING, FOUND, ISSUED, COMPLIED])
    [closed] = decide(state, CloseCase(clearview.CLOSING_OUTCOMES[state.status], "left open", TODAY))
    assert closed.outcome == "complied"


def test_a_case_left_under_enforcement_is_wound_up_by_decisions_that_say_so_and_closes_as_sanctioned():
    """What clearview.wind_up asks of the case service, as the pure domain takes it: the committee ends the
    injunction sixteen days ago, the days of delay left are liquidated at nothing after their written procedure,
    and the case closes; nothing says Clearview AI complied."""
    ended_on = TODAY - timedelta(days=16)
    state = replay([*AT_SANCTION, *LIQUIDATION_DONE])
    for command in (
        EndInjunction(SANCTION, ended_on, clearview.EARLIER_RUN),
        OpenLiquidation(uuid4(), SANCTION, ended_on, date(2023, 2, 9), ended_on, "exclusive_end", 0, "wound up"),
        LiquidatePenalty(SANCTION, TODAY, 0, clearview.EARLIER_RUN),
    ):
        for event in decide(state, command):
            state = evolve(state, event)
    assert state.sanctions[0].injunction_complied_on is None and not state.under_enforcement
    [closed] = decide(state, CloseCase("sanctioned", clearview.EARLIER_RUN, TODAY))
    assert closed.outcome == "sanctioned"


def test_every_state_a_case_can_be_left_open_in_has_an_outcome():
    assert set(clearview.CLOSING_OUTCOMES) == set(NEXT_STEPS) - {"none", "closed"}
