"""Given events, when a command, then events or a refusal: the restricted committee's decisions, each reached by
its deliberation; the simplified procedure (loi 78-17 art 22-1) and its ceilings; and the reprimand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from docket_contracts.events import CommitteeDeliberated, ReprimandIssued
from services.case.domain import (
    Deliberation,
    Invalid,
    decide,
    next_steps,
)
from tests.unit.case_history import (
    ALONE,
    AT_HEARING,
    AT_NOTICE,
    AT_SANCTION,
    BEFORE_ONE_MEMBER,
    CASE,
    DECIDING_MEMBER,
    DELIBERATION,
    FOUND,
    HEARD_DIRECTLY,
    INVESTIGATING,
    MEMBERS,
    OPENED,
    PROCEEDINGS,
    RAPPORTEUR,
    REPRIMAND,
    REPRIMANDED,
    SMALL,
    close,
    given,
    reprimand,
    sanction,
    simplified,
)

INVESTIGATED = (OPENED, INVESTIGATING, FOUND)
ONE_MEMBER = (*INVESTIGATED, *BEFORE_ONE_MEMBER)  # the report notified on 14 July 2022: observations due 14 August
REPRIMAND_DELIBERATED = CommitteeDeliberated(
    case_id=CASE,
    proceedings_id=PROCEEDINGS,
    deliberated_on=date(2022, 10, 17),
    reference="SAN-2022-019",
    members=MEMBERS,
    decision="reprimand",
    decision_id=REPRIMAND,
)
REPRIMANDED_AFTER_HEARING = (*AT_HEARING, REPRIMAND_DELIBERATED, REPRIMANDED)


# --- the deliberation: its members, without the rapporteur, at least the quorum ------------------------------


def test_the_committee_s_deliberation_is_recorded_before_the_sanction_it_reaches():
    deliberated, imposed, _ = decide(given(*AT_HEARING), sanction(orders=("58(2)",)))
    assert deliberated == CommitteeDeliberated(
        case_id=CASE,
        proceedings_id=PROCEEDINGS,
        deliberated_on=date(2022, 10, 17),
        reference="SAN-2022-019",
        members=MEMBERS,
        decision="sanction",
        decision_id=imposed.sanction_id,
    )
    state = given(*AT_HEARING, deliberated, imposed)
    [proceedings] = state.proceedings
    assert (proceedings.deliberated_on, proceedings.members, proceedings.decision_reference) == (
        date(2022, 10, 17),
        MEMBERS,
        "SAN-2022-019",
    )
    assert state.current_proceedings is None and state.status == "sanctioned"


@pytest.mark.parametrize(
    ("deliberation", "message"),
    [
        (
            Deliberation("SAN-2022-019", (*MEMBERS[:4], RAPPORTEUR), 3),
            "Claude Castelluccia, the rapporteur, may present observations but may not take part in the deliberation "
            "(loi 78-17 art 22)",
        ),
        (
            Deliberation("SAN-2022-019", MEMBERS[:2], 3),
            "2 members sat; the restricted committee deliberates with at least 3 (the quorum the case service is set "
            "with, RESTRICTED_COMMITTEE_QUORUM)",
        ),
        (
            Deliberation("SAN-2022-019", MEMBERS, 6),
            "5 members sat; the restricted committee deliberates with at least 6 (the quorum the case service is set "
            "with, RESTRICTED_COMMITTEE_QUORUM)",
        ),
        (
            Deliberation("SAN-2022-019", (*MEMBERS, "Sixth Member", "Seventh Member"), 3),
            "7 members: the restricted committee has 6 seats",
        ),
        (Deliberation("SAN-2022-019", (MEMBERS[0], MEMBERS[0], MEMBERS[1]), 3), "a member is named twice"),
    ],
)
def test_who_sat_is_checked_the_rapporteur_never_and_at_least_the_quorum(deliberation, message):
    for command in (sanction(deliberation=deliberation), reprimand(deliberation=deliberation)):
        with pytest.raises(Invalid) as refused:
            decide(given(*AT_HEARING), command)
        assert (refused.value.field, refused.value.message) == ("members", message)


def test_the_quorum_is_the_setting_the_command_carries():
    lower = Deliberation("SAN-2022-019", MEMBERS[:2], quorum=2)
    assert decide(given(*AT_HEARING), sanction(deliberation=lower))[0].members == MEMBERS[:2]


def test_a_decision_without_the_members_who_sat_is_refused():
    with pytest.raises(Invalid) as refused:
        decide(given(*AT_HEARING), sanction(deliberation=None))
    assert refused.value.field == "members" and "(loi 78-17 art 22)" in refused.value.message


# --- the simplified procedure (loi Informatique et Libertés art 22-1) ---------------------------------------


def test_a_sanction_says_which_procedure_it_was_taken_under():
    deliberated, imposed, penalty = decide(given(*ONE_MEMBER), simplified())
    assert (deliberated.procedure, deliberated.members) == ("simplified", (DECIDING_MEMBER,))
    assert (imposed.procedure, imposed.fine_eur, penalty.daily_rate_eur) == ("simplified", 20_000, 100)
    assert given(*ONE_MEMBER, deliberated, imposed, penalty).sanctions[0].procedure == "simplified"
    assert decide(given(*AT_HEARING), sanction())[1].procedure == "ordinary"


def test_under_the_simplified_procedure_the_member_designated_decides_alone_without_a_hearing():
    assert {"impose a sanction", "issue a reprimand"} <= set(next_steps(given(*ONE_MEMBER)))
    with pytest.raises(Invalid) as refused:
        decide(given(*ONE_MEMBER), replace(simplified(), deliberation=DELIBERATION))
    assert (refused.value.field, refused.value.message) == (
        "members",
        "under the simplified procedure Alexandre Linden, the member designated, decides alone (loi 78-17 art 22-1)",
    )
    with pytest.raises(Invalid) as early:
        decide(given(*ONE_MEMBER), replace(simplified(), decided_on=date(2022, 8, 14)))
    assert early.value.message == (
        "2022-08-14 is within the controller's time limit for written observations, which runs to 2022-08-14 "
        "(décret 2019-536 art 40)"
    )


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
        decide(given(*ONE_MEMBER), command)
    assert refused.value.field == field and refused.value.message.startswith(message)


def test_the_ordinary_procedure_keeps_its_own_ceilings():
    ordinary = replace(
        simplified(fine=20_001, injunction=SMALL.model_copy(update={"daily_penalty_eur": 100_000})),
        deliberation=DELIBERATION,
    )
    _, imposed, penalty = decide(given(*HEARD_DIRECTLY), ordinary)
    assert (imposed.fine_eur, penalty.daily_rate_eur) == (20_001, 100_000)


# --- the reprimand (GDPR Art 58(2)(b)) ----------------------------------------------------------------------


@pytest.mark.parametrize("history", [HEARD_DIRECTLY, AT_HEARING])
def test_a_reprimand_follows_the_hearing_and_the_case_closes_as_reprimanded(history):
    [deliberated, issued] = decide(given(*history), reprimand())
    assert (deliberated.decision, deliberated.decision_id, issued) == ("reprimand", REPRIMAND, REPRIMANDED)
    state = given(*history, deliberated, REPRIMANDED)
    assert state.status == "reprimanded" and state.reprimands[0].articles == (12, 15) and not state.sanctions
    [closed] = decide(state, close("reprimanded", closed_on=date(2022, 10, 17)))
    assert closed.outcome == "reprimanded"


def test_a_reprimand_may_be_taken_under_the_simplified_procedure():
    [_, issued] = decide(given(*ONE_MEMBER), reprimand(deliberation=ALONE))
    assert isinstance(issued, ReprimandIssued) and issued.procedure == "simplified"
    assert given(*ONE_MEMBER, issued).reprimands[0].procedure == "simplified"


# the reprimand, or its closure, where the state does not fit
REPRIMAND_CONFLICTS = [
    ((OPENED,), reprimand(), "cannot issue a reprimand: the case is open"),
    (
        INVESTIGATED,
        reprimand(),
        "cannot issue a reprimand: the case is investigating (the case was not referred to the restricted committee",
    ),
    (AT_NOTICE, reprimand(), "cannot issue a reprimand: the case is formal notice"),
    (AT_SANCTION, reprimand(), "cannot issue a reprimand: the case is sanctioned"),
    (REPRIMANDED_AFTER_HEARING, reprimand(), "cannot issue a reprimand: the case is reprimanded"),
    (REPRIMANDED_AFTER_HEARING, sanction(), "cannot impose a sanction: the case is reprimanded"),
    (REPRIMANDED_AFTER_HEARING, close("dismissed"), "(the case already has a decision)"),
    (REPRIMANDED_AFTER_HEARING, close("sanctioned"), "(no sanction has been imposed)"),
    (AT_HEARING, close("reprimanded"), "(no reprimand has been issued)"),
    (AT_SANCTION, close("reprimanded"), "(no reprimand has been issued)"),
]


# the reprimand and its closure, dated after what they follow
REPRIMAND_BREACHES = [
    (
        AT_HEARING,
        reprimand(decided_on=date(2022, 10, 12)),
        "decided_on",
        "2022-10-12 is before the hearing was held (2022-10-13)",
    ),
    (
        REPRIMANDED_AFTER_HEARING,
        close("reprimanded", closed_on=date(2022, 10, 16)),
        "closed_on",
        "2022-10-16 is before the restricted committee deliberated (2022-10-17)",
    ),
]
