"""cooperate(state, command) -> events: a step of the cooperation between authorities, taken here or reported by
another authority, to the rule of its procedure (RULES); the step is the event. The timer's look at the deadlines is
cooperation_deadlines.lapse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docket_contracts.cooperation import (
    BOARD,
    AssistanceAnswered,
    AssistanceRequested,
    BoardDecisionReceived,
    BoardPeriodExtended,
    CompetenceConfirmed,
    ComplaintResolvedEarly,
    ComplaintTransmitted,
    CooperationFrameRecorded,
    CrossBorderComplaintRegistered,
    DecisionAdopted,
    DisputeReferred,
    DraftAgreed,
    DraftDecisionSubmitted,
    FileAccessGiven,
    InvestigationExtended,
    JointOperationAnswered,
    JointOperationRequested,
    KeyIssuesCommented,
    KeyIssuesSummarised,
    LocalCaseDecided,
    LocalCaseNotified,
    ObjectionRaised,
    PartyViewsReceived,
    PreliminaryFindingsSent,
    ProcedureWithdrawn,
    ProvisionalMeasureAdopted,
    UrgentRequestMade,
)
from docket_contracts.errors import Invalid
from docket_contracts.events import Payload

from . import (
    assistance,
    cooperation,
    disputes,
    key_issues,
    local_case,
    one_stop_shop,
    parties,
    transmission,
    urgency,
)
from .commands import Cooperate
from .cooperation_state import Dispute, Urgency
from .refusals import Rejected
from .state import CaseState

Rule = Callable[[CaseState, Any, frozenset[str]], None]


def _board_decision(state: CaseState, step: BoardDecisionReceived, authorities: frozenset[str]) -> None:
    """The Board's decision on a dispute (Art 65) or an urgent request (Art 66(4))."""
    action = "record the Board's decision"
    cooperation.check_step(state, step, action, authorities)
    cooperation.by(step, BOARD, "the Board", "GDPR Arts 65, 66")
    found = state.cooperation.procedure(step.cooperation_reference)
    if not isinstance(found, Dispute | Urgency):
        raise Invalid("cooperation_reference", f"the case has no dispute or urgency {step.cooperation_reference}")
    if not found.open:
        raise Rejected(state, action, f"the procedure {found.reference} ended on {found.ended_on} ({found.ending})")
    cooperation.not_before("notified_on", step.notified_on, step.decided_on, "the Board decided")
    if isinstance(found, Dispute):
        disputes.decided(state, step, found)
    else:
        urgency.decided(state, step, found)


RULES: dict[type[Any], Rule] = {
    LocalCaseNotified: local_case.notify,
    LocalCaseDecided: local_case.decide,
    CompetenceConfirmed: one_stop_shop.confirm_competence,
    InvestigationExtended: one_stop_shop.extend,
    DraftDecisionSubmitted: one_stop_shop.submit_draft,
    DraftAgreed: one_stop_shop.agree,
    ObjectionRaised: one_stop_shop.object_to,
    DecisionAdopted: one_stop_shop.adopt,
    KeyIssuesSummarised: key_issues.summarise,
    KeyIssuesCommented: key_issues.comment,
    PreliminaryFindingsSent: parties.send_findings,
    PartyViewsReceived: parties.receive_views,
    FileAccessGiven: parties.give_file_access,
    AssistanceRequested: assistance.request,
    AssistanceAnswered: assistance.answer,
    JointOperationRequested: assistance.request_joint_operation,
    JointOperationAnswered: assistance.answer_joint_operation,
    DisputeReferred: disputes.refer,
    BoardPeriodExtended: disputes.extend,
    BoardDecisionReceived: _board_decision,
    ProvisionalMeasureAdopted: urgency.adopt_measure,
    UrgentRequestMade: urgency.request_board,
    ProcedureWithdrawn: cooperation.withdraw,
    CrossBorderComplaintRegistered: transmission.register,
    ComplaintTransmitted: transmission.transmit,
    ComplaintResolvedEarly: transmission.resolve_early,
}


def cooperate(state: CaseState, command: Cooperate) -> list[Payload]:
    """The step, once its procedure's rule allows it (Rejected, Invalid otherwise)."""
    step = command.step
    if state.case_id is not None and step.case_id != state.case_id:
        raise Invalid("case_id", f"the step is for case {step.case_id}, not {state.case_id}")
    if isinstance(step, CooperationFrameRecorded):
        if state.status in ("none", "closed"):
            raise Rejected(state, "record the cooperation frame")
        cooperation.record_frame(state, step, command.own, command.authorities)
        return [step]
    rule = RULES.get(type(step))
    if rule is None:  # what a clock finds is found here, never taken as a step
        raise Invalid("step", f"{type(step).__name__} is found by this authority's own timer, not taken")
    rule(state, step, command.authorities)
    return [step]
