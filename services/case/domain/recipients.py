"""Who a step this authority took is addressed to, and by which rule: the authorities the exchange sends it to (a
draft decision to every authority consulted, an objection to the lead, a request for assistance to the requested
authority, a complaint to the presumed lead...). What a clock finds (an agreement deemed, a deadline passed or near)
is found by each authority on its own and addressed to no one; the frame is this authority's own reading of the case.

`addressees(state, step)` reads the case as it stands once the step is taken (its procedure recorded). The Board
(EU-EDPB) is among the addressees where the text names it; no installation of Docket is the Board's, so what is
addressed to it is recorded as not sent electronically, as is what goes to an authority the exchange does not reach.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from docket_contracts import cooperation as co

from .cooperation_state import (
    AnyProcedure,
    Assistance,
    CrossBorderComplaint,
    Dispute,
    Frame,
    JointOperation,
    LocalCase,
    OneStopShop,
    Urgency,
)
from .state import CaseState

# Regulation 2025/2518's rules were read on secondary sources only (its Official Journal text was not read).
AS_REPORTED = ", as reported"


@dataclass(frozen=True)
class Addressee:
    """An authority a step is addressed to, and the rule that addresses it there."""

    authority: str
    rule: str


def addressees(state: CaseState, step: co.Step) -> tuple[Addressee, ...]:
    """The authorities the law addresses `step` to (never the authority that took it), each once, in order."""
    frame = state.cooperation.frame
    procedure = state.cooperation.procedure(step.cooperation_reference)
    found: list[Addressee] = []
    for authorities, rule in _addressed(step, frame, procedure):
        for authority in authorities:
            if authority != step.authority and all(a.authority != authority for a in found):
                found.append(Addressee(authority, rule))
    return tuple(found)


def _addressed(step: co.Step, frame: Frame | None, procedure: AnyProcedure | None) -> list[tuple[Iterable[str], str]]:
    """The authorities of each rule that addresses `step` to them."""
    case = _of_case(frame)
    match step:
        case co.LocalCaseNotified():
            return [([step.lead], "GDPR Art 56(3)")]
        case co.LocalCaseDecided() if isinstance(procedure, LocalCase):
            return [([procedure.opened_by], "GDPR Art 56(3)-(5)")]
        case co.CompetenceConfirmed():
            return [(case, "Regulation 2025/2518 art 4(6)" + AS_REPORTED)]
        case co.InvestigationExtended():
            return [(case, "Regulation 2025/2518 art 12" + AS_REPORTED)]
        case co.DraftDecisionSubmitted():
            return [([c.authority for c in step.consulted], "GDPR Art 60(3)" if step.draft == 1 else "GDPR Art 60(5)")]
        case co.DraftAgreed() if procedure is not None:
            return [([procedure.opened_by], "GDPR Art 60(3)")]
        case co.ObjectionRaised() if procedure is not None:
            return [([procedure.opened_by], "GDPR Art 60(4)")]
        case co.DecisionAdopted() if frame is not None and step.authority == frame.lead:
            return [(case, "GDPR Art 60(7)"), ([co.BOARD], "GDPR Art 60(7)")]
        case co.DecisionAdopted():
            return [(case, "GDPR Art 60(8)-(9)")]
        case co.AssistanceRequested():
            return [([step.requested], "GDPR Art 61(1)")]
        case co.AssistanceAnswered() if procedure is not None:
            return [([procedure.opened_by], "GDPR Art 61(5)")]
        case co.JointOperationRequested():
            return [([step.addressed_to], "GDPR Art 62(2)")]
        case co.JointOperationAnswered() if procedure is not None:
            return [([procedure.opened_by], "GDPR Art 62(2)")]
        case co.DisputeReferred():
            return [([co.BOARD], "GDPR Art 65(1)"), (case, "GDPR Art 65(1)")]
        case co.ProvisionalMeasureAdopted():
            return [(case, "GDPR Art 66(1)"), ([co.BOARD], "GDPR Art 66(1)")]
        case co.UrgentRequestMade():
            return [([co.BOARD], "GDPR Art 66(2)-(3)")]
        case co.ProcedureWithdrawn() if procedure is not None:
            return [(_taking_part(procedure, frame), "no article: those taking part learn that it ended")]
        case co.CrossBorderComplaintRegistered():
            return [([step.presumed_lead], "Regulation 2025/2518 art 4" + AS_REPORTED)]
        case co.ComplaintTransmitted():
            return [([step.lead], "Regulation 2025/2518 art 4" + AS_REPORTED)]
        case co.ComplaintResolvedEarly() if isinstance(procedure, CrossBorderComplaint):
            lead = procedure.lead or procedure.presumed_lead
            return [([lead], "Regulation 2025/2518 arts 5, 9(1)(e)" + AS_REPORTED)]
        case co.KeyIssuesSummarised() | co.KeyIssuesCommented():
            return [(case, "Regulation 2025/2518 arts 9(1)(f), 10" + AS_REPORTED)]
        case co.PreliminaryFindingsSent() | co.PartyViewsReceived() | co.FileAccessGiven():
            return [(case, "Regulation 2025/2518 art 9" + AS_REPORTED)]
    return []  # the Board's own steps, and what a clock finds: never this authority's to send


def _of_case(frame: Frame | None) -> list[str]:
    """The lead authority and the authorities concerned, as the frame names them."""
    if frame is None:
        return []
    return ([frame.lead] if frame.lead else []) + [c.authority for c in frame.concerned]


def _taking_part(procedure: AnyProcedure, frame: Frame | None) -> list[str]:
    """The authorities a procedure was addressed to, or that take part in it."""
    match procedure:
        case LocalCase():
            return [procedure.lead, procedure.opened_by]
        case Assistance():
            return [procedure.requested, procedure.opened_by]
        case JointOperation():
            return [procedure.addressed_to, procedure.opened_by]
        case CrossBorderComplaint():
            return [procedure.lead or procedure.presumed_lead]
        case Dispute() | Urgency():
            return [co.BOARD, *_of_case(frame)]
        case OneStopShop():
            return _of_case(frame)
    return []


def awaiting_a_case(step: co.Step, own: str) -> str | None:
    """The rule by which a step another authority reports opens a procedure addressed to this authority, which no
    case here holds yet (staff attach it to the controller's case); None for any other step."""
    match step:
        case co.CrossBorderComplaintRegistered() if step.presumed_lead == own:
            return "Regulation 2025/2518 art 4" + AS_REPORTED
        case co.ComplaintTransmitted() if step.lead == own:
            return "Regulation 2025/2518 art 4" + AS_REPORTED
        case co.AssistanceRequested() if step.requested == own:
            return "GDPR Art 61(1)"
        case co.JointOperationRequested() if step.addressed_to == own:
            return "GDPR Art 62(2)"
        case co.LocalCaseNotified() if step.lead == own:
            return "GDPR Art 56(3)"
    return None
