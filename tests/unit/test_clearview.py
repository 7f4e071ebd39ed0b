"""The Clearview story's figures as the pure case domain decides them, and how a case an earlier run left open
is closed before the story plays again (docket_devstack.clearview)."""

from __future__ import annotations

from datetime import date

import pytest

from docket_contracts.events import CaseClosed
from docket_devstack import clearview
from services.case.domain import (
    NEXT_STEPS,
    CloseCase,
    ImposeSanction,
    Invalid,
    LiquidatePenalty,
    RecordInjunctionCompliance,
    RecordSanctionNotification,
    Rejected,
    decide,
    evolve,
    fines,
    replay,
)
from tests.unit.case_history import (
    AT_HEARING,
    AT_SANCTION,
    COMPLIED,
    DELIBERATION,
    FOUND,
    INJUNCTION,
    INVESTIGATING,
    ISSUED,
    OPENED,
    SANCTION,
)

# --- the story's figures, as the pure domain decides them ---------------------------------------------------


def test_the_story_s_fine_above_the_cap_is_refused_and_its_fine_is_within_it():
    sanction = clearview.SANCTION
    cap = fines.cap(sanction["articles_infringed"], sanction["turnover_eur"], sanction["orders_not_complied"])
    assert cap.paragraph == "83(6)" and clearview.FINE_EUR <= cap.cap_eur < clearview.FINE_ABOVE_CAP_EUR


def test_the_story_s_liquidation_counts_52_days_of_delay_after_its_notification_and_late_compliance():
    day = date.fromisoformat
    state = replay(AT_SANCTION)
    for command in (
        RecordSanctionNotification(SANCTION, day(clearview.SANCTION_NOTIFIED["notified_on"])),
        RecordInjunctionCompliance(SANCTION, day(clearview.INJUNCTION_COMPLIED["complied_on"])),
    ):
        [event] = decide(state, command)
        state = evolve(state, event)
    liquidation = clearview.LIQUIDATION
    [liquidated] = decide(
        state,
        LiquidatePenalty(
            SANCTION,
            day(liquidation["period_start"]),
            day(liquidation["period_end"]),
            liquidation["convention"],
            day(liquidation["decided_on"]),
        ),
    )
    assert (liquidated.days_counted, liquidated.amount_eur) == (52, 5_200_000)
    closure = clearview.CLOSURE
    [closed] = decide(
        evolve(state, liquidated), CloseCase(closure["outcome"], closure["reasons"], day(closure["closed_on"]))
    )
    assert closed.outcome == "sanctioned"


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


# --- an earlier run's case ---------------------------------------------------------------------------------

TODAY = date(2026, 11, 22)
HISTORY = list(AT_SANCTION)


@pytest.mark.parametrize("length", range(1, len(HISTORY)))
def test_a_case_left_open_before_its_penalty_closes_with_the_outcome_its_state_allows(length):
    state = replay(HISTORY[:length])
    outcome = clearview.CLOSING_OUTCOMES[state.status]
    [closed] = decide(state, CloseCase(outcome, "left open by an earlier run", TODAY))
    assert isinstance(closed, CaseClosed) and closed.outcome == outcome


def test_a_case_complied_with_closes_as_complied():
    state = replay([OPENED, INVESTIGATING, FOUND, ISSUED, COMPLIED])
    [closed] = decide(state, CloseCase(clearview.CLOSING_OUTCOMES[state.status], "left open", TODAY))
    assert closed.outcome == "complied"


def test_a_sanctioned_case_whose_penalty_is_owed_is_not_closed_by_inventing_a_fact():
    state = replay(HISTORY)
    with pytest.raises(Rejected, match="the periodic penalty payment has not been liquidated"):
        decide(state, CloseCase(clearview.CLOSING_OUTCOMES[state.status], "left open", TODAY))


def test_every_state_a_case_can_be_left_open_in_has_an_outcome():
    assert set(clearview.CLOSING_OUTCOMES) == set(NEXT_STEPS) - {"none", "closed"}
