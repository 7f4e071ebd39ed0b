"""Who holds a case or a complaint: a staff member (the subject of their tokens), a team (a group in their
tokens), both, or nobody. An assignment and a reassignment are the same fact; an item that has ended is held
by nobody any more and takes none."""

from __future__ import annotations

from docket_contracts.events import CaseAssigned, ComplaintAssigned, Payload

from .handling import Complaint, ComplaintRejected
from .handling_commands import AssignCase, AssignComplaints
from .refusals import Rejected, not_before
from .state import CaseState


def assign_case(case: CaseState, command: AssignCase) -> list[Payload]:
    if case.status in ("none", "closed"):
        raise Rejected(case, "assign the case")
    assert case.case_id is not None
    not_before("assigned_on", command.assigned_on, case.opened_on, "the case opened")
    return [CaseAssigned(case_id=case.case_id, staff=command.staff, team=command.team, assigned_on=command.assigned_on)]


def assign_complaint(case: CaseState, complaint: Complaint, command: AssignComplaints) -> list[Payload]:
    if complaint.ended:
        raise ComplaintRejected(case, complaint, "assign the complaint")
    not_before("assigned_on", command.assigned_on, complaint.received_on, "the complaint was received")
    return [
        ComplaintAssigned(
            case_id=complaint.case_id,
            complaint_id=complaint.complaint_id,
            staff=command.staff,
            team=command.team,
            assigned_on=command.assigned_on,
        )
    ]
