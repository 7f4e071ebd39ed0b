"""A walk through the authorities' procedures: any order of the steps the rules allow, with time passing and the timer
looking at the case. No step breaks a rule of the law (no decision while the Board decides, no objection after its
window, nothing found by the timer before its day, no summary of key issues under the simple procedure nor after
the draft, no procedure reopened), and every procedure, however the walk left it, reaches an end by the steps that
follow it, without being withdrawn."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from docket_contracts import cooperation as co
from docket_contracts.errors import Invalid
from docket_contracts.progress import add_months
from services.case.domain import CaseState, Rejected, open_deadlines, replay
from services.case.domain.cooperation_state import (
    Assistance,
    CrossBorderComplaint,
    Dispute,
    JointOperation,
    LocalCase,
    OneStopShop,
    Urgency,
)
from services.case.domain.one_stop_shop import window_ends
from tests.unit.cooperation_history import COMPLAINT, ITALY, LEAD, OWN, framed, lapse, step, take

START = date(2027, 6, 1)
CONSULTED = (OWN, ITALY)


def _openers(fresh: str, today: date) -> list[Any]:
    """Steps that open a procedure under the reference `fresh`."""
    return [
        step(co.LocalCaseNotified, fresh, by=OWN, lead=LEAD, informed_on=today, subject="a shop"),
        step(
            co.CompetenceConfirmed,
            fresh,
            confirmed_on=today,
            procedure="standard",
            began="complaint",
            began_on=today - timedelta(days=10),
        ),
        step(
            co.CompetenceConfirmed,
            fresh,
            confirmed_on=today,
            procedure="simple",
            began="complaint",
            began_on=today - timedelta(days=10),
        ),
        _draft(fresh, 1, today),
        step(
            co.AssistanceRequested,
            fresh,
            by=OWN,
            requested=ITALY,
            received_on=today,
            asks="information",
            purpose="p",
            reasons="r",
        ),
        step(
            co.JointOperationRequested,
            fresh,
            by=OWN,
            kind="participation_request",
            addressed_to=LEAD,
            received_on=today,
            scope="s",
        ),
        step(
            co.ProvisionalMeasureAdopted,
            fresh,
            by=OWN,
            adopted_on=today,
            expires_on=add_months(today, 3),
            basis="66(1)",
            territory="FR",
            measure="stop",
        ),
        step(
            co.CrossBorderComplaintRegistered,
            fresh,
            by=OWN,
            complaint_id=COMPLAINT,
            received_on=today,
            presumed_lead=LEAD,
        ),
    ]


def _draft(reference: str, number: int, today: date) -> Any:
    consulted = tuple(co.Consultation(authority=a, consulted_on=today) for a in CONSULTED)
    return step(
        co.DraftDecisionSubmitted, reference, draft=number, submitted_on=today, consulted=consulted, summary="s"
    )


def _one_stop_shop(p: OneStopShop, today: date) -> list[Any]:
    ref, number = p.reference, len(p.drafts)
    board = {"decided_on": today, "notified_on": today, "summary": "s"}
    found = [
        _draft(ref, number + 1, today),
        step(co.InvestigationExtended, ref, decided_on=today, months=6, reasons="complex"),
    ]
    for authority in CONSULTED:
        found += [
            step(co.DraftAgreed, ref, by=authority, draft=max(number, 1), agreed_on=today),
            step(
                co.ObjectionRaised,
                ref,
                by=authority,
                draft=max(number, 1),
                raised_on=today,
                concerns="infringement",
                subject="s",
                relevant=True,
                reasoned=True,
                risks="r",
            ),
        ]
    found += [
        step(co.DecisionAdopted, ref, adopted_on=today, notified_on=today, decision="action", summary="s"),
        step(
            co.DecisionAdopted,
            ref,
            by=OWN,
            adopted_on=today,
            notified_on=today,
            decision="rejection",
            split=True,
            summary="s",
        ),
        step(co.DecisionAdopted, ref, adopted_on=today, notified_on=today, decision="action", split=True, summary="s"),
        step(co.DisputeReferred, f"{ref}-D", referred_on=today, ground="65(1)(a)", concerning=ref, matters="m"),
        step(co.PreliminaryFindingsSent, ref, party="controller", sent_on=today, answer_due=today + timedelta(days=30)),
        step(co.PartyViewsReceived, ref, party="controller", received_on=today),
        step(co.KeyIssuesSummarised, ref, summarised_on=today, summary="s"),
        *[step(co.KeyIssuesCommented, ref, by=a, commented_on=today, comments="c") for a in CONSULTED],
        step(co.BoardDecisionReceived, ref, by=co.BOARD, majority="simple", **board),
    ]
    return found


def _moves(p: Any, today: date) -> list[Any]:
    """The steps a running procedure may take next, in the order that moves it to its end first."""
    ref = p.reference
    board = {"decided_on": today, "notified_on": today, "summary": "s"}
    match p:
        case LocalCase():
            return [step(co.LocalCaseDecided, ref, decided_on=today, handling="one_stop_shop")]
        case OneStopShop():
            return _one_stop_shop(p, today)
        case Assistance():
            return [
                step(co.AssistanceAnswered, ref, by=ITALY, answered_on=today, outcome="provided", summary="s"),
                step(
                    co.ProvisionalMeasureAdopted,
                    f"{ref}-U",
                    by=OWN,
                    adopted_on=today,
                    expires_on=add_months(today, 2),
                    basis="61(8)",
                    concerning=ref,
                    territory="FR",
                    measure="m",
                ),
            ]
        case JointOperation():
            return [
                step(co.JointOperationAnswered, ref, answered_on=today, accepted=True),
                step(
                    co.ProvisionalMeasureAdopted,
                    f"{ref}-U",
                    by=OWN,
                    adopted_on=today,
                    expires_on=add_months(today, 2),
                    basis="62(7)",
                    concerning=ref,
                    territory="FR",
                    measure="m",
                ),
            ]
        case Dispute():
            return [
                step(co.BoardDecisionReceived, ref, by=co.BOARD, majority="simple", **board),
                step(co.BoardDecisionReceived, ref, by=co.BOARD, majority="two_thirds", **board),
                step(co.BoardPeriodExtended, ref, by=co.BOARD, decided_on=today),
            ]
        case Urgency():
            return [
                step(co.BoardDecisionReceived, ref, by=co.BOARD, majority="simple", **board),
                step(co.UrgentRequestMade, ref, by=OWN, requested_on=today, asks="binding_decision"),
            ]
        case CrossBorderComplaint():
            return [
                step(
                    co.ComplaintTransmitted,
                    ref,
                    by=OWN,
                    complaint_id=COMPLAINT,
                    transmitted_on=today,
                    lead=LEAD,
                    assessment="a",
                ),
                step(
                    co.ComplaintResolvedEarly,
                    ref,
                    by=OWN,
                    complaint_id=COMPLAINT,
                    resolved_on=today,
                    infringement_ended_on=today,
                    complainant_objected=False,
                ),
            ]
    raise AssertionError(p)


def _allowed(state: CaseState, payload: Any) -> list[Any] | None:
    try:
        return take(state, payload)
    except (Rejected, Invalid):
        return None


class Cooperation(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.state, self.today, self.made, self.ended = framed(), START, 0, {}

    def _apply(self, events: list[Any]) -> None:
        before = self.state
        for event in events:
            self._lawful(before, event)
        self.state = replay(events, before)

    def _lawful(self, before: CaseState, event: Any) -> None:
        if isinstance(event, co.DecisionAdopted):
            disputed = [
                d for d in before.cooperation.running_disputes() if d.concerning in (None, event.cooperation_reference)
            ]
            assert not disputed, "a decision while the Board decides (Art 65(4))"
        if isinstance(event, co.ObjectionRaised):
            draft = before.cooperation.procedure(event.cooperation_reference).draft
            assert event.raised_on <= window_ends(draft, dict(draft.consulted)[event.authority])
        if isinstance(event, co.DraftDeemedAgreed | co.DeadlinePassed):
            last = event.window_ended if isinstance(event, co.DraftDeemedAgreed) else event.last_day
            assert self.today > last, "found before its day"
        if isinstance(event, co.KeyIssuesSummarised | co.KeyIssuesCommented):
            procedure = before.cooperation.procedure(event.cooperation_reference)
            assert not procedure.simple, "Regulation 2025/2518 art 10 under the simple procedure (art 6(1))"
            if isinstance(event, co.KeyIssuesSummarised):
                assert not procedure.drafts, "a summary of key issues after the draft decision"
            else:
                assert procedure.key_issues_on is not None, "a comment on a summary never shared"
        if isinstance(event, co.DeadlineNear):
            assert self.today >= event.last_day - timedelta(days=7)

    @rule(days=st.integers(min_value=1, max_value=40))
    def time_passes(self, days: int) -> None:
        self.today += timedelta(days=days)
        self._apply(lapse(self.state, self.today))

    @rule(data=st.data())
    def a_step(self, data: st.DataObject) -> None:
        """A step that opens a procedure, or (three times in four) one of a running procedure's."""
        self.made += 1
        moves = []
        for p in self.state.cooperation.procedures:
            if p.open:
                moves += _moves(p, self.today)
                moves.append(
                    step(co.ProcedureWithdrawn, p.reference, by=p.opened_by, withdrawn_on=self.today, reasons="r")
                )
        opening = not moves or data.draw(st.integers(min_value=0, max_value=3)) == 0
        candidates = _openers(f"P{self.made}", self.today) if opening else moves
        events = _allowed(self.state, data.draw(st.sampled_from(candidates)))
        if events:
            self._apply(events)

    @invariant()
    def no_procedure_reopens(self) -> None:
        for p in self.state.cooperation.procedures:
            if p.reference in self.ended:
                assert p.ended_on == self.ended[p.reference]
            elif not p.open:
                self.ended[p.reference] = p.ended_on

    @invariant()
    def deadlines_are_found_once(self) -> None:
        keys = [d.key for d in open_deadlines(self.state)]
        assert len(keys) == len(set(keys))

    def teardown(self) -> None:
        if not hasattr(self, "state"):
            return
        for _ in range(40):
            self.today += timedelta(days=100)
            self._apply(lapse(self.state, self.today))
            running = [p for p in self.state.cooperation.procedures if p.open]
            if not running:
                return
            for p in running:
                for move in _moves(p, self.today):
                    if (events := _allowed(self.state, move)) is not None:
                        self._apply(events)
                        break
        raise AssertionError(f"still running: {[p for p in self.state.cooperation.procedures if p.open]}")


Cooperation.TestCase.settings = settings(
    max_examples=200, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestCooperation = Cooperation.TestCase
