"""Given events, when a command, then events or a refusal: the simplified procedure and the reprimand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.case.domain import (
    Invalid,
    decide,
)
from tests.unit.case_history import (
    AT_EXPIRY,
    AT_NOTICE,
    AT_SANCTION,
    FOUND,
    INVESTIGATING,
    OPENED,
    REPRIMANDED,
    SMALL,
    close,
    given,
    reprimand,
    sanction,
    simplified,
)

# --- the simplified procedure (loi Informatique et Libertés art 22-1) ---------------------------------------


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
