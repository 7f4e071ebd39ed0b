"""Whatever staff and the timer do, in whatever order, a case never reaches a state from which it cannot
be closed lawfully; no sanction, reprimand or injunction of the restricted committee is recorded but as the
outcome of a deliberation reached through the steps of its procedure; and the state built command by command is
the replay of the events recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import get_args
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from docket_contracts.events import (
    CaseOutcome,
    CommitteeDeliberated,
    Injunction,
    Payload,
    PublicationAuthority,
    ReprimandIssued,
    SanctionImposed,
    TimeLimit,
)
from services.case.domain import (
    CaseState,
    CloseCase,
    Command,
    EndInjunction,
    ExpireDeadline,
    ExtendFormalNotice,
    ExtendObservations,
    ImposeSanction,
    InterruptSimplified,
    Invalid,
    IssueFormalNotice,
    LinkComplaint,
    LiquidatePenalty,
    LodgeAppeal,
    NotifyReport,
    OpenInvestigation,
    OpenLiquidation,
    PublishDecision,
    RecordCompliance,
    RecordControllerReply,
    RecordFileAccess,
    RecordFinding,
    RecordHearing,
    RecordInjunctionCompliance,
    RecordLiquidationObservations,
    RecordNoticeNotification,
    RecordObservations,
    RecordRapporteurAnswer,
    RecordRuling,
    RecordSanctionNotification,
    Rejected,
    SummonController,
    WithdrawPublication,
    decide,
    evolve,
    replay,
)
from tests.unit.case_history import (
    ALONE,
    CASE,
    DECIDING_MEMBER,
    DELIBERATION,
    DOCUMENTS,
    FINDING,
    INJUNCTION,
    LIQUIDATION,
    MEMBERS,
    NOTICE,
    OPENED,
    ORDERS,
    RAPPORTEUR,
    REPRIMAND,
    SANCTION,
    SECOND,
    complaint,
    liquidation,
    open_liquidation,
    refer,
    reprimand,
    sanction,
    simplified,
)

OUTCOMES: tuple[CaseOutcome, ...] = get_args(CaseOutcome)

# A sanction decided again after the court annulled the first (or the reprimand), with a penalty of its own: the
# case is referred again, the new report notified, the controller summoned and heard.
DECIDED_AGAIN = ImposeSanction(
    SECOND,
    date(2023, 9, 1),
    1_000_000,
    None,
    (6,),
    Injunction(orders=ORDERS[:1], deadline=date(2023, 10, 1), daily_penalty_eur=1_000),
    deliberation=DELIBERATION,
)
# The restricted committee's procedure, with steps out of time or out of order that it must refuse.
PROCEDURE: list[Command] = [
    refer(),
    refer(kind="agent"),  # refused: an agent is the rapporteur of the simplified procedure only
    refer(rapporteur="Agnès Agent", kind="agent", procedure="simplified", deciding_member=DECIDING_MEMBER),
    replace(refer(date(2023, 6, 15)), proceedings_id=SECOND),
    NotifyReport(date(2022, 7, 14), DOCUMENTS),
    NotifyReport(date(2023, 6, 20), DOCUMENTS),
    RecordFileAccess(date(2022, 7, 20), DOCUMENTS[:1]),
    ExtendObservations(date(2022, 8, 1), date(2022, 9, 14), "the file is long"),
    RecordObservations(date(2022, 8, 10)),
    RecordObservations(date(2022, 9, 10)),
    RecordRapporteurAnswer(date(2022, 9, 1)),
    RecordRapporteurAnswer(date(2022, 11, 1)),
    RecordControllerReply(date(2022, 9, 5)),
    SummonController(date(2022, 9, 13), date(2022, 10, 13)),
    SummonController(date(2022, 9, 20), date(2022, 10, 1)),  # eleven days' notice: refused
    SummonController(date(2023, 7, 25), date(2023, 8, 21)),
    RecordHearing(date(2022, 10, 13), True, ("rapporteur",)),
    RecordHearing(date(2022, 10, 13), True, ("controller", "rapporteur")),  # the controller not last: refused
    RecordHearing(date(2023, 8, 21), False, ("rapporteur", "controller")),
    InterruptSimplified(date(2022, 9, 1), "the case raises new questions of law"),
]
# One publication per decision, by the bureau for the notice and the committee for the rest, its name removed two
# years on, each withdrawn (also once the case is closed).
PUBLISHED = {
    NOTICE: (uuid4(), date(2021, 12, 16)),
    SANCTION: (uuid4(), date(2022, 10, 17)),
    REPRIMAND: (uuid4(), date(2022, 10, 17)),
    SECOND: (uuid4(), date(2023, 9, 1)),
    LIQUIDATION: (uuid4(), date(2023, 5, 10)),
}


def publication(decision: UUID, publication_id: UUID, day: date) -> PublishDecision:
    publisher: PublicationAuthority = "bureau" if decision == NOTICE else "restricted_committee"
    return PublishDecision(publication_id, decision, day, day.replace(year=day.year + 2), publisher)


PUBLICATIONS: list[Command] = [
    *(publication(decision, publication_id, day) for decision, (publication_id, day) in PUBLISHED.items()),
    *(
        WithdrawPublication(
            publication_id, date(2025, 12, 16), "taken down", "bureau" if d == NOTICE else "restricted_committee"
        )
        for d, (publication_id, _) in PUBLISHED.items()
    ),
    # again once the court reduced the fine, in the same form (the name removed on the same day), or refused
    replace(publication(SANCTION, uuid4(), date(2023, 6, 2)), anonymised_on=date(2024, 10, 17)),
    publication(SANCTION, uuid4(), date(2023, 6, 2)),
    replace(publication(NOTICE, uuid4(), date(2021, 12, 16)), decided_by="restricted_committee"),  # refused
]
# One appeal per sanction or reprimand, each with every ruling the court may give.
APPEALS = {
    SANCTION: (uuid4(), date(2022, 12, 16), date(2023, 6, 1)),
    REPRIMAND: (uuid4(), date(2022, 12, 16), date(2023, 6, 1)),
    SECOND: (uuid4(), date(2023, 9, 15), date(2023, 12, 1)),
}
SMALL_INJUNCTION = Injunction(orders=ORDERS[:1], deadline=date(2022, 11, 30), daily_penalty_eur=1_000)

# The enforcement of the sanction's injunction: liquidations opened, answered and decided; the injunction ended.
ENFORCEMENT: list[Command] = [
    open_liquidation(),  # 19 December 2022 up to 9 February 2023, notified on 9 February
    replace(
        open_liquidation(date(2022, 12, 1), date(2022, 12, 31), "inclusive", date(2023, 1, 10), 1_000),
        liquidation_id=uuid4(),
    ),
    RecordLiquidationObservations(SANCTION, date(2023, 2, 20)),
    liquidation(),  # 13 April 2023
    liquidation(date(2023, 1, 30), amount=1_000),
    replace(open_liquidation(date(2023, 2, 9), date(2023, 4, 13), opened_on=date(2023, 4, 14)), liquidation_id=uuid4()),
    liquidation(date(2023, 5, 1), amount=6_300_000),
    EndInjunction(SANCTION, date(2023, 6, 1), "the data was deleted"),
    EndInjunction(SECOND, date(2023, 12, 1), "the processing stopped"),
]

COMMANDS: list[Command] = [
    LinkComplaint(complaint()),
    OpenInvestigation(date(2020, 8, 1), "scraping of facial images", "2020-116C"),
    RecordFinding(FINDING, (6, 12), "no legal basis"),
    IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), TimeLimit(months=2), "MED-2021-134"),
    IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), TimeLimit(days=2), "MED-2021-135", urgency=True),
    RecordNoticeNotification(NOTICE, date(2021, 11, 26)),
    ExtendFormalNotice(NOTICE, date(2022, 1, 20), TimeLimit(months=1), "complex"),
    RecordCompliance(NOTICE, date(2022, 1, 20)),
    RecordCompliance(NOTICE, date(2022, 1, 26)),
    RecordCompliance(NOTICE, date(2022, 1, 27)),
    ExpireDeadline(NOTICE, date(2022, 1, 26), datetime(2022, 1, 26, 0, 5, tzinfo=UTC)),
    ExpireDeadline(NOTICE, date(2022, 1, 27), datetime(2022, 1, 27, 0, 5, tzinfo=UTC)),
    ExpireDeadline(NOTICE, date(2022, 3, 2), datetime(2022, 3, 2, 0, 5, tzinfo=UTC)),
    *PROCEDURE,
    sanction(),
    sanction(deliberation=replace(DELIBERATION, members=(*MEMBERS[:2], RAPPORTEUR))),  # refused: the rapporteur sat
    sanction(deliberation=replace(DELIBERATION, members=MEMBERS[:2])),  # refused: under the quorum
    sanction(orders=("58(2)",)),
    sanction(injunction=None),
    sanction(injunction=SMALL_INJUNCTION),
    sanction(injunction=Injunction(orders=ORDERS[:1], days_after_notification=30, daily_penalty_eur=1_000)),
    simplified(),
    reprimand(),
    reprimand(deliberation=ALONE),
    *PUBLICATIONS,
    DECIDED_AGAIN,
    *(LodgeAppeal(appeal, decision, lodged) for decision, (appeal, lodged, _) in APPEALS.items()),
    *(
        RecordRuling(appeal, ruled, outcome, fine)
        for appeal, _, ruled in APPEALS.values()
        for outcome, fine in (("dismissed", None), ("annulled", None), ("fine_reduced", 10_000))
    ),
    RecordNoticeNotification(NOTICE, date(2021, 12, 1)),
    RecordSanctionNotification(SANCTION, date(2022, 10, 20)),
    RecordSanctionNotification(SANCTION, date(2022, 12, 25)),
    RecordInjunctionCompliance(SANCTION, date(2022, 11, 1)),
    RecordInjunctionCompliance(SANCTION, date(2022, 12, 19)),
    RecordInjunctionCompliance(SANCTION, date(2023, 2, 9)),
    RecordInjunctionCompliance(SANCTION, date(2023, 6, 1)),
    *ENFORCEMENT,
    *(CloseCase(outcome, "reasons given in the decision", date(2023, 4, 13)) for outcome in OUTCOMES),
]


# The ordinary procedure up to the hearing, as the Clearview case went (SAN-2022-019).
HEARD = (PROCEDURE[0], PROCEDURE[4], PROCEDURE[13], PROCEDURE[16])


def attempt(state: CaseState, command: Command) -> CaseState | None:
    """The state after the command, or None when the case refuses it."""
    try:
        events = decide(state, command)
    except (Rejected, Invalid):
        return None
    for event in events:
        state = evolve(state, event)
    return state


def liquidations_due(state: CaseState) -> list[Command]:
    """The written procedure the committee would open for each penalty with days of delay no liquidation counts
    yet (up to the day it stopped, or up to the latest day the record fixes), and the decision of each one opened,
    once the controller's fifteen days are over. The fixed COMMANDS cannot hold one for every date the walk can
    draw."""
    latest = state.latest_fact()
    today = latest[0] if latest else date(2023, 1, 1)
    due: list[Command] = []
    for s in state.standing_sanctions:
        if (pending := s.pending_liquidation) is not None:
            assert pending.observations_due is not None
            decided_on = max(today, pending.observations_due + timedelta(days=1))
            due.append(LiquidatePenalty(s.sanction_id, decided_on, 0, "as the walk decides it"))
        elif s.daily_penalty_eur and (first := s.first_unliquidated) is not None:
            end = s.stopped_on or max(today, first + timedelta(days=1))
            opened_on = max(today, end)
            if first < end:
                due.append(
                    OpenLiquidation(uuid4(), s.sanction_id, opened_on, first, end, "exclusive_end", 0, "the walk's")
                )
    return due


def enforcement_due(state: CaseState) -> list[Command]:
    """What stops a penalty that still runs: the committee's decision ending its injunction, dated on the latest day
    the record fixes; and the notification an injunction still waits for."""
    latest = state.latest_fact()
    if latest is None:
        return []
    return [
        command
        for s in state.standing_sanctions
        for command in (
            EndInjunction(s.sanction_id, latest[0], "the walk ends it"),
            RecordSanctionNotification(s.sanction_id, latest[0]),
        )
        if s.under_enforcement
    ]


def closings_due(state: CaseState) -> list[Command]:
    """Closing on the latest day the record fixes, the earliest a closure may be dated."""
    latest = state.latest_fact()
    return [CloseCase(outcome, "reasons given in the decision", latest[0]) for outcome in OUTCOMES] if latest else []


def closable(state: CaseState, depth: int = 5) -> bool:
    """Some lawful sequence of at most `depth` commands closes the case (the ways out tried first)."""
    if state.status == "closed":
        return True
    if depth == 0:
        return False
    return any(
        closable(after, depth - 1)
        for command in [*closings_due(state), *liquidations_due(state), *enforcement_due(state), *COMMANDS]
        if (after := attempt(state, command)) is not None and after != state
    )


def deliberated_through_the_steps(before: CaseState, events: list[Payload]) -> None:
    """Every sanction or reprimand recorded comes right after the restricted committee's deliberation on it, and
    that deliberation was reached through the steps of its procedure (loi 78-17 art 22 and 22-1; décret 2019-536
    arts 39-42): a referral naming a rapporteur fit for the procedure, the report notified, the controller's time
    for observations respected, heard (ordinary procedure), and members without the rapporteur, enough of them or
    the one member designated."""
    for index, event in enumerate(events):
        if not isinstance(event, SanctionImposed | ReprimandIssued):
            continue
        decision_id = event.sanction_id if isinstance(event, SanctionImposed) else event.reprimand_id
        deliberated = events[index - 1] if index else None
        assert isinstance(deliberated, CommitteeDeliberated) and deliberated.decision_id == decision_id, events
        proceedings = before.current_proceedings
        assert proceedings is not None and proceedings.proceedings_id == deliberated.proceedings_id
        assert proceedings.report_notified_on is not None and proceedings.observations_due is not None
        assert proceedings.rapporteur not in deliberated.members and len(set(deliberated.members)) == len(
            deliberated.members
        )
        assert event.procedure == deliberated.procedure == proceedings.procedure
        if proceedings.procedure == "ordinary":
            assert proceedings.rapporteur_kind == "commissioner" and proceedings.hearing is not None
            assert proceedings.hearing.held_on <= deliberated.deliberated_on
            assert proceedings.summoned_on is not None and proceedings.hearing_on is not None
            assert (proceedings.hearing_on - proceedings.summoned_on).days >= 15
            assert DELIBERATION.quorum <= len(deliberated.members) <= 6
        else:
            assert proceedings.rapporteur_kind == "agent"
            assert deliberated.members == (proceedings.deciding_member,)
            assert proceedings.observations_on or deliberated.deliberated_on > proceedings.observations_due


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_no_reachable_state_is_a_dead_end_and_replay_equals_what_the_commands_built(data):
    """Each step draws one of the commands the case accepts then (six times in seven), or tries any, which may be
    refused or close it, so that the walk goes deep into the lifecycle (the committee's procedure, decisions,
    publications, appeals, decisions taken again) rather than dying on refusals or closing at once."""
    state, recorded = replay([OPENED]), [OPENED]
    for _ in range(data.draw(st.integers(0, 32))):
        accepted = [c for c in COMMANDS if not isinstance(c, CloseCase | LinkComplaint) and attempt(state, c)]
        command = data.draw(
            st.sampled_from(accepted) if accepted and data.draw(st.integers(0, 6)) else st.sampled_from(COMMANDS)
        )
        try:
            events = decide(state, command)
        except (Rejected, Invalid):
            continue
        deliberated_through_the_steps(state, events)
        for event in events:
            state = evolve(state, event)
        recorded += events
    assert replay(recorded) == state
    assert closable(state), f"dead end at {state.status}: {state}"


def test_the_dead_end_of_a_penalty_complied_with_on_time_is_gone():
    state = replay([OPENED])
    for command in (
        OpenInvestigation(date(2020, 8, 1), "s"),
        RecordFinding(FINDING, (6,), "f"),
        *HEARD,
        sanction(injunction=INJUNCTION),
        RecordInjunctionCompliance(SANCTION, date(2022, 12, 18)),
    ):
        state = attempt(state, command)
        assert state is not None
    assert attempt(state, CloseCase("sanctioned", "complied on time", date(2023, 1, 5))).status == "closed"
    assert state.case_id == CASE


def test_a_penalty_complied_with_late_is_liquidated_up_to_compliance_and_the_case_closes():
    """The walk's counterexample: complied with on 19 December, 18 days after the penalty began to accrue."""
    state = replay([OPENED])
    for command in (
        OpenInvestigation(date(2020, 8, 1), "s"),
        RecordFinding(FINDING, (6,), "f"),
        *HEARD,
        sanction(injunction=SMALL_INJUNCTION),
        RecordInjunctionCompliance(SANCTION, date(2022, 12, 19)),
    ):
        state = attempt(state, command)
        assert state is not None
    assert attempt(state, CloseCase("sanctioned", "complied late", date(2023, 1, 5))) is None
    [opened] = liquidations_due(state)
    state = attempt(state, opened)
    assert state is not None and state.sanctions[0].liquidations[0].days_counted == 18
    [liquidation] = liquidations_due(state)
    state = attempt(state, liquidation)
    assert state is not None
    decided = liquidation.decided_on
    assert attempt(state, CloseCase("sanctioned", "complied late", decided - timedelta(days=1))) is None
    assert attempt(state, CloseCase("sanctioned", "complied late", decided)).status == "closed"


def test_a_case_under_enforcement_ends_only_by_compliance_or_a_decision_ending_the_injunction():
    """The Clearview case as the record leaves it: no compliance, a first liquidation; a way out remains."""
    state = replay([OPENED])
    for command in (
        OpenInvestigation(date(2020, 8, 1), "s"),
        RecordFinding(FINDING, (6,), "f"),
        *HEARD,
        sanction(injunction=INJUNCTION),
        ENFORCEMENT[0],
        ENFORCEMENT[3],
    ):
        state = attempt(state, command)
        assert state is not None
    assert state.under_enforcement
    assert not any(attempt(state, close) for close in closings_due(state) if close.outcome == "sanctioned")
    assert closable(state)


def test_whatever_the_court_rules_on_a_penalty_still_awaiting_its_notification_the_case_closes():
    """The longest way out: the ruling, the notification that fixes the deadline, the liquidation, the closure."""
    period = Injunction(orders=ORDERS[:1], days_after_notification=30, daily_penalty_eur=1_000)
    appeal_id, lodged, ruled = APPEALS[SANCTION]
    for outcome, fine in (("dismissed", None), ("annulled", None), ("fine_reduced", 10_000)):
        state = replay([OPENED])
        for command in (
            OpenInvestigation(date(2020, 8, 1), "s"),
            RecordFinding(FINDING, (6,), "f"),
            *HEARD,
            sanction(injunction=period),
            LodgeAppeal(appeal_id, SANCTION, lodged),
            RecordRuling(appeal_id, ruled, outcome, fine),
        ):
            state = attempt(state, command)
            assert state is not None
        assert closable(state), outcome
        assert state.status == ("investigating" if outcome == "annulled" else "sanctioned")


def test_the_walk_meets_decisions_and_each_came_through_the_committee_s_steps():
    """The property has something to check: the walk's commands reach a sanction and a reprimand."""
    state = replay([OPENED])
    for command in (OpenInvestigation(date(2020, 8, 1), "s"), RecordFinding(FINDING, (6,), "f"), *HEARD):
        state = attempt(state, command)
        assert state is not None
    for decision in (sanction(), reprimand()):
        events = decide(state, decision)
        deliberated_through_the_steps(state, events)
        assert isinstance(events[0], CommitteeDeliberated)
