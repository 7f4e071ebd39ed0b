"""The fold of the cooperation between authorities: each event of it to the change it makes to the case's record
of the frame and the procedures (cooperation_state.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from docket_contracts.cooperation import (
    AssistanceAnswered,
    AssistanceRequested,
    BoardDecisionReceived,
    BoardPeriodExtended,
    CompetenceConfirmed,
    ComplaintResolvedEarly,
    ComplaintTransmitted,
    CooperationFrameRecorded,
    CrossBorderComplaintRegistered,
    DeadlineNear,
    DeadlinePassed,
    DecisionAdopted,
    DisputeReferred,
    DraftAgreed,
    DraftDecisionSubmitted,
    DraftDeemedAgreed,
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

from .cooperation import passed_key
from .cooperation_state import (
    AnyProcedure,
    Assistance,
    Concerned,
    Cooperation,
    CrossBorderComplaint,
    Dispute,
    Draft,
    Findings,
    Frame,
    JointOperation,
    LocalCase,
    OneStopShop,
    Urgency,
)
from .state import CaseState


def _with(state: CaseState, cooperation: Cooperation) -> CaseState:
    return replace(state, cooperation=cooperation)


def _opened(state: CaseState, procedure: AnyProcedure) -> CaseState:
    cooperation = state.cooperation
    return _with(state, replace(cooperation, procedures=(*cooperation.procedures, procedure)))


def _changed(state: CaseState, reference: str, **changes: Any) -> CaseState:
    cooperation = state.cooperation
    procedures = tuple(replace(p, **changes) if p.reference == reference else p for p in cooperation.procedures)
    return _with(state, replace(cooperation, procedures=procedures))


def _ended(state: CaseState, reference: str, on: date, ending: str, **changes: Any) -> CaseState:
    return _changed(state, reference, ended_on=on, ending=ending, **changes)


def _the(state: CaseState, reference: str) -> Any:
    return state.cooperation.procedure(reference)


def _frame(state: CaseState, event: CooperationFrameRecorded) -> CaseState:
    frame = Frame(
        event.recorded_on,
        event.authority,
        event.cross_border,
        event.basis,
        event.establishment,
        event.establishment_state,
        event.public_interest,
        event.role,
        event.lead,
        tuple(Concerned(c.authority, c.reasons) for c in event.concerned),
    )
    return _with(state, replace(state.cooperation, frame=frame))


# --- Art 56 and Art 60 -------------------------------------------------------------------------------------------


def _local_notified(state: CaseState, event: LocalCaseNotified) -> CaseState:
    local = LocalCase(event.cooperation_reference, event.authority, event.informed_on, lead=event.lead)
    return _opened(state, local)


def _local_decided(state: CaseState, event: LocalCaseDecided) -> CaseState:
    ending = "the lead handles it (Art 60)" if event.handling == "one_stop_shop" else "handled locally (Art 56(5))"
    return _ended(state, event.cooperation_reference, event.decided_on, ending, handling=event.handling)


def _confirmed(state: CaseState, event: CompetenceConfirmed) -> CaseState:
    procedure = OneStopShop(
        event.cooperation_reference,
        event.authority,
        event.confirmed_on,
        confirmed_on=event.confirmed_on,
        simple=event.procedure == "simple",
        began_on=event.began_on,
    )
    return _opened(state, procedure)


def _extended(state: CaseState, event: InvestigationExtended) -> CaseState:
    procedure = _the(state, event.cooperation_reference)
    return _changed(state, event.cooperation_reference, extension_months=procedure.extension_months + event.months)


def _draft(state: CaseState, event: DraftDecisionSubmitted) -> CaseState:
    reference = event.cooperation_reference
    if _the(state, reference) is None:
        state = _opened(state, OneStopShop(reference, event.authority, event.submitted_on))
    consulted = tuple((c.authority, c.consulted_on) for c in event.consulted)
    draft = Draft(event.draft, event.submitted_on, consulted)
    return _changed(state, reference, drafts=(*_the(state, reference).drafts, draft))


def _answer(state: CaseState, reference: str, **changes: Any) -> CaseState:
    procedure = _the(state, reference)
    draft = replace(procedure.draft, **changes)
    return _changed(state, reference, drafts=(*procedure.drafts[:-1], draft))


def _agreed(state: CaseState, event: DraftAgreed) -> CaseState:
    draft = _the(state, event.cooperation_reference).draft
    return _answer(state, event.cooperation_reference, agreed=(*draft.agreed, event.authority))


def _deemed(state: CaseState, event: DraftDeemedAgreed) -> CaseState:
    draft = _the(state, event.cooperation_reference).draft
    return _answer(state, event.cooperation_reference, deemed=(*draft.deemed, event.authority))


def _objected(state: CaseState, event: ObjectionRaised) -> CaseState:
    draft = _the(state, event.cooperation_reference).draft
    objections = (*draft.objections, (event.authority, event.raised_on))
    return _answer(state, event.cooperation_reference, objections=objections)


def _adopted(state: CaseState, event: DecisionAdopted) -> CaseState:
    procedure = _the(state, event.cooperation_reference)
    decisions = (*procedure.decisions, (event.decision, event.authority, event.split))
    state = _changed(state, event.cooperation_reference, decisions=decisions)
    if not event.split or {d for d, _, _ in decisions} == {"action", "rejection"}:
        return _ended(state, event.cooperation_reference, event.adopted_on, "the final decision was adopted")
    return state


def _findings(state: CaseState, event: PreliminaryFindingsSent) -> CaseState:
    procedure = _the(state, event.cooperation_reference)
    findings = Findings(event.party, event.sent_on, event.answer_due, event.authority)
    return _changed(state, event.cooperation_reference, findings=(*procedure.findings, findings))


def _views(state: CaseState, event: PartyViewsReceived) -> CaseState:
    procedure = _the(state, event.cooperation_reference)
    last = max(i for i, f in enumerate(procedure.findings) if f.party == event.party)
    findings = tuple(
        replace(f, views_on=event.received_on) if i == last else f for i, f in enumerate(procedure.findings)
    )
    return _changed(state, event.cooperation_reference, findings=findings)


def _file_access(state: CaseState, event: FileAccessGiven) -> CaseState:
    procedure = _the(state, event.cooperation_reference)
    access = (*procedure.file_access, (event.party, event.given_on))
    return _changed(state, event.cooperation_reference, file_access=access)


def _key_issues(state: CaseState, event: KeyIssuesSummarised) -> CaseState:
    return _changed(state, event.cooperation_reference, key_issues_on=event.summarised_on)


def _key_issues_commented(state: CaseState, event: KeyIssuesCommented) -> CaseState:
    procedure = _the(state, event.cooperation_reference)
    comments = (*procedure.key_issues_comments, (event.authority, event.commented_on))
    return _changed(state, event.cooperation_reference, key_issues_comments=comments)


# --- Arts 61, 62, 65, 66 -----------------------------------------------------------------------------------------


def _assistance_requested(state: CaseState, event: AssistanceRequested) -> CaseState:
    request = Assistance(
        event.cooperation_reference,
        event.authority,
        event.received_on,
        requested=event.requested,
        received_on=event.received_on,
    )
    return _opened(state, request)


def _assistance_answered(state: CaseState, event: AssistanceAnswered) -> CaseState:
    ending = f"answered: {event.outcome}" + (f" ({event.refusal_ground})" if event.refusal_ground else "")
    return _ended(state, event.cooperation_reference, event.answered_on, ending, outcome=event.outcome)


def _joint_requested(state: CaseState, event: JointOperationRequested) -> CaseState:
    operation = JointOperation(
        event.cooperation_reference,
        event.authority,
        event.received_on,
        request=event.kind,
        addressed_to=event.addressed_to,
        received_on=event.received_on,
    )
    return _opened(state, operation)


def _joint_answered(state: CaseState, event: JointOperationAnswered) -> CaseState:
    ending = "accepted" if event.accepted else "declined"
    return _ended(state, event.cooperation_reference, event.answered_on, ending, accepted=event.accepted)


def _referred(state: CaseState, event: DisputeReferred) -> CaseState:
    dispute = Dispute(
        event.cooperation_reference,
        event.authority,
        event.referred_on,
        ground=event.ground,
        concerning=event.concerning,
    )
    return _opened(state, dispute)


def _board_extended(state: CaseState, event: BoardPeriodExtended) -> CaseState:
    return _changed(state, event.cooperation_reference, extended_on=event.decided_on)


def _board_decided(state: CaseState, event: BoardDecisionReceived) -> CaseState:
    found = _the(state, event.cooperation_reference)
    if isinstance(found, Urgency):
        return _ended(state, found.reference, event.decided_on, "the Board decided", board_decided_on=event.decided_on)
    state = _ended(state, found.reference, event.decided_on, "the Board decided", decided_on=event.decided_on)
    concerning = _the(state, found.concerning or "")
    if isinstance(concerning, OneStopShop):
        state = _changed(state, concerning.reference, board_notified_on=event.notified_on)
    return state


def _measure(state: CaseState, event: ProvisionalMeasureAdopted) -> CaseState:
    urgency = Urgency(
        event.cooperation_reference,
        event.authority,
        event.adopted_on,
        basis=event.basis,
        concerning=event.concerning,
        expires_on=event.expires_on,
    )
    state = _opened(state, urgency)
    if event.basis != "66(1)" and event.concerning is not None:
        ending = f"unanswered: provisional measure {event.cooperation_reference} (Art {event.basis})"
        state = _ended(state, event.concerning, event.adopted_on, ending)
    return state


def _urgent_request(state: CaseState, event: UrgentRequestMade) -> CaseState:
    return _changed(state, event.cooperation_reference, requested_on=event.requested_on, asks=event.asks)


def _withdrawn(state: CaseState, event: ProcedureWithdrawn) -> CaseState:
    return _ended(state, event.cooperation_reference, event.withdrawn_on, "withdrawn")


# --- a complaint lodged here, and the clocks ---------------------------------------------------------------------


def _registered(state: CaseState, event: CrossBorderComplaintRegistered) -> CaseState:
    complaint = CrossBorderComplaint(
        event.cooperation_reference,
        event.authority,
        event.received_on,
        complaint_id=event.complaint_id,
        received_on=event.received_on,
        presumed_lead=event.presumed_lead,
    )
    return _opened(state, complaint)


def _transmitted(state: CaseState, event: ComplaintTransmitted) -> CaseState:
    return _ended(
        state, event.cooperation_reference, event.transmitted_on, f"transmitted to {event.lead}", lead=event.lead
    )


def _resolved(state: CaseState, event: ComplaintResolvedEarly) -> CaseState:
    return _ended(state, event.cooperation_reference, event.resolved_on, "resolved early (2025/2518 art 5)")


def _passed(state: CaseState, event: DeadlinePassed) -> CaseState:
    """A deadline found passed; a provisional measure whose validity ran out ends its procedure, unless the Board
    was asked and has not answered."""
    procedure = _the(state, event.cooperation_reference)
    passed = (*procedure.passed, f"{procedure.reference}|{passed_key(event.deadline, event.last_day)}")
    state = _changed(state, procedure.reference, passed=passed)
    waits_for_the_board = isinstance(procedure, Urgency) and procedure.requested_on is not None
    if event.deadline == "66(1)" and not waits_for_the_board:
        return _ended(state, procedure.reference, event.last_day, "the provisional measure expired")
    return state


def _near(state: CaseState, event: DeadlineNear) -> CaseState:
    procedure = _the(state, event.cooperation_reference)
    passed = (*procedure.passed, f"{procedure.reference}|{passed_key(event.deadline, event.last_day, warning=True)}")
    return _changed(state, procedure.reference, passed=passed)


FOLDS: dict[type[Any], Callable[[CaseState, Any], CaseState]] = {
    CooperationFrameRecorded: _frame,
    LocalCaseNotified: _local_notified,
    LocalCaseDecided: _local_decided,
    CompetenceConfirmed: _confirmed,
    InvestigationExtended: _extended,
    DraftDecisionSubmitted: _draft,
    DraftAgreed: _agreed,
    DraftDeemedAgreed: _deemed,
    ObjectionRaised: _objected,
    DecisionAdopted: _adopted,
    PreliminaryFindingsSent: _findings,
    PartyViewsReceived: _views,
    FileAccessGiven: _file_access,
    KeyIssuesSummarised: _key_issues,
    KeyIssuesCommented: _key_issues_commented,
    AssistanceRequested: _assistance_requested,
    AssistanceAnswered: _assistance_answered,
    JointOperationRequested: _joint_requested,
    JointOperationAnswered: _joint_answered,
    DisputeReferred: _referred,
    BoardPeriodExtended: _board_extended,
    BoardDecisionReceived: _board_decided,
    ProvisionalMeasureAdopted: _measure,
    UrgentRequestMade: _urgent_request,
    ProcedureWithdrawn: _withdrawn,
    CrossBorderComplaintRegistered: _registered,
    ComplaintTransmitted: _transmitted,
    ComplaintResolvedEarly: _resolved,
    DeadlinePassed: _passed,
    DeadlineNear: _near,
}
