"""Given events, when a command, then events or a refusal: an appeal before the Conseil d'État and the ruling;
and the refusals of the procedures after a decision.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import uuid4

import pytest

from services.case.domain import (
    Invalid,
    NotifyReport,
    PublishDecision,
    RecordHearing,
    Rejected,
    SummonController,
    decide,
    next_steps,
)
from tests.unit.case_history import (
    APPEALED,
    AT_APPEAL,
    AT_SANCTION,
    COMPLIED_LATE,
    FOUND,
    INVESTIGATING,
    LIQUIDATION_DONE,
    OPENED,
    REPRIMAND,
    REPRIMANDED,
    SANCTION,
    SANCTION_PUBLISHED,
    SECOND,
    appeal,
    close,
    given,
    liquidation,
    open_liquidation,
    played,
    refer,
    ruled,
    ruling,
    sanction,
)
from tests.unit.test_case_decisions import REPRIMAND_BREACHES, REPRIMAND_CONFLICTS
from tests.unit.test_case_publication import PUBLICATION_BREACHES, PUBLICATION_CONFLICTS

# --- an appeal before the Conseil d'État, and the court's ruling ---------------------------------------------


def test_an_appeal_of_the_sanction_is_recorded_and_the_case_cannot_close_before_the_ruling():
    assert decide(given(*AT_SANCTION), appeal()) == [APPEALED]
    assert "record an appeal" in next_steps(given(*AT_SANCTION))
    state = given(*AT_APPEAL, COMPLIED_LATE, *LIQUIDATION_DONE)
    assert state.status == "sanctioned" and "record the court's ruling" in next_steps(state)
    assert "record an appeal" not in next_steps(state)
    with pytest.raises(
        Rejected,
        match=r"\(the appeal against the sanction lodged on 2022-12-16 awaits the court's "
        r"ruling\)",
    ):
        decide(state, close("sanctioned"))
    [opened] = decide(given(*AT_APPEAL), open_liquidation())  # the appeal suspends nothing (CJA L. 4)
    assert decide(given(*AT_APPEAL, opened), liquidation())[0].amount_eur == 5_200_000


@pytest.mark.parametrize(
    ("command", "fine"), [(ruling("dismissed"), None), (ruling("fine_reduced", 10_000_000), 10_000_000)]
)
def test_a_dismissed_appeal_or_a_reduced_fine_leaves_the_sanction_standing_and_the_case_closes(command, fine):
    [decided] = decide(given(*AT_APPEAL, COMPLIED_LATE, *LIQUIDATION_DONE), command)
    assert decided == ruled(command.outcome, fine)
    state = given(*AT_APPEAL, COMPLIED_LATE, *LIQUIDATION_DONE, decided)
    assert state.status == "sanctioned" and state.sanctions[0].reduced_fine_eur == fine
    assert state.appeals[0].outcome == command.outcome and state.pending_appeal is None
    with pytest.raises(Invalid, match="before the court ruled on the appeal"):
        decide(state, close("sanctioned", closed_on=date(2023, 5, 31)))
    assert decide(state, close("sanctioned", closed_on=date(2023, 6, 1)))[0].outcome == "sanctioned"


def test_an_annulled_sanction_no_longer_stands_and_the_case_is_referred_again_or_closed():
    state = given(*AT_APPEAL, SANCTION_PUBLISHED, ruled("annulled"))
    assert state.status == "notice_expired"  # where it stood before the referral
    assert state.sanctions[0].annulled_on == date(2023, 6, 1) and state.standing_sanctions == ()
    assert {"refer the case to the restricted committee", "withdraw a publication"} <= set(next_steps(state))
    with pytest.raises(Rejected, match=r"\(the court annulled the sanction on 2023-06-01\)"):
        decide(state, PublishDecision(uuid4(), SANCTION, date(2023, 6, 2), date(2025, 6, 2), "restricted_committee"))
    with pytest.raises(Rejected, match="the case was not referred to the restricted committee"):
        decide(state, replace(sanction(), sanction_id=SECOND, decided_on=date(2023, 6, 1)))
    with pytest.raises(Invalid) as refused:
        decide(state, replace(refer(date(2023, 5, 31)), proceedings_id=SECOND))
    assert refused.value.message == "2023-05-31 is before the court annulled the earlier decision (2023-06-01)"
    after = played(
        state,
        replace(refer(date(2023, 6, 1)), proceedings_id=SECOND),
        NotifyReport(date(2023, 6, 15), ("the rapporteur's second report",)),
        SummonController(date(2023, 7, 20), date(2023, 9, 1)),
        RecordHearing(date(2023, 9, 1), False, ("rapporteur", "controller")),
        replace(sanction(fine=5_000_000, injunction=None), sanction_id=SECOND, decided_on=date(2023, 9, 5)),
    )
    assert after.status == "sanctioned" and [s.sanction_id for s in after.standing_sanctions] == [SECOND]
    assert [p.deliberated_on for p in after.proceedings] == [date(2022, 10, 17), date(2023, 9, 5)]
    with pytest.raises(Invalid, match=r"the court annulled the sanction .* on 2023-06-01: it no longer stands"):
        decide(after, liquidation())
    assert decide(state, close("dismissed", closed_on=date(2023, 6, 1)))[0].outcome == "dismissed"


def test_an_annulled_reprimand_takes_the_case_back_to_the_investigation():
    lodged = APPEALED.model_copy(update={"decision": "reprimand", "decision_id": REPRIMAND})
    assert decide(given(OPENED, INVESTIGATING, FOUND, REPRIMANDED), appeal(REPRIMAND)) == [lodged]
    state = given(OPENED, INVESTIGATING, FOUND, REPRIMANDED, lodged, ruled("annulled", None, "reprimand", REPRIMAND))
    assert state.status == "investigating" and state.reprimands[0].annulled_on == date(2023, 6, 1)
    assert decide(state, close("no_infringement", closed_on=date(2023, 6, 1)))[0].outcome == "no_infringement"


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
