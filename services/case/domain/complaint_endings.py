"""How a complaint's handling goes on or ends here: joined to its case's investigation (it then ends with the
case, unless closed before), or closed with its reason while its case may go on."""

from __future__ import annotations

from docket_contracts.errors import Invalid
from docket_contracts.events import ComplaintClosed, ComplaintJoinedInvestigation, Payload

from .handling import JOINS_INVESTIGATION, Complaint, ComplaintRejected, investigation_open
from .handling_commands import CloseComplaints, JoinInvestigation
from .refusals import not_before
from .state import CaseState


def join_investigation(case: CaseState, complaint: Complaint, command: JoinInvestigation) -> list[Payload]:
    action = "join the complaint to the investigation"
    if complaint.status not in JOINS_INVESTIGATION:
        raise ComplaintRejected(case, complaint, action)
    if not investigation_open(case):
        raise ComplaintRejected(
            case, complaint, action, f"the case is {case.status.replace('_', ' ')}, with no investigation open"
        )
    not_before("joined_on", command.joined_on, case.investigation_opened_on, "the investigation opened")
    latest, what = complaint.latest_fact()
    not_before("joined_on", command.joined_on, latest, what)
    return [
        ComplaintJoinedInvestigation(
            case_id=complaint.case_id, complaint_id=complaint.complaint_id, joined_on=command.joined_on
        )
    ]


def close(case: CaseState, complaint: Complaint, command: CloseComplaints) -> list[Payload]:
    """Close the complaint with its reason. A complaint whose admissibility is not decided yet can only be
    withdrawn (its admissibility is decided first, or it is transferred); `resolved` says the controller acted
    after the authority's letter, so its answer must be on record."""
    action = f"close the complaint as {command.reason.replace('_', ' ')}"
    if complaint.ended:
        raise ComplaintRejected(case, complaint, action)
    if complaint.status == "received" and command.reason != "withdrawn":
        raise ComplaintRejected(case, complaint, action, "its admissibility is not decided yet")
    if command.reason == "resolved" and complaint.answered_on is None:
        raise ComplaintRejected(
            case, complaint, action, "no answer of the controller to the authority's letter is on record"
        )
    if not command.reasons:
        raise Invalid("reasons", "a closure states its reasons")
    latest, what = complaint.latest_fact()
    not_before("closed_on", command.closed_on, latest, what)
    return [
        ComplaintClosed(
            case_id=complaint.case_id,
            complaint_id=complaint.complaint_id,
            reason=command.reason,
            reasons=command.reasons,
            closed_on=command.closed_on,
        )
    ]
