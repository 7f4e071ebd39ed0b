"""A case opens from a complaint about a controller; later complaints about the same controller join it."""

from __future__ import annotations

from docket_contracts.events import CaseOpened, ComplaintLinked, Payload

from .commands import LinkComplaint, OpenCase
from .refusals import Rejected, require
from .state import CaseState


def open_case(state: CaseState, command: OpenCase) -> list[Payload]:
    require(state, "open a case", "none")
    complaint = command.complaint
    return [
        CaseOpened(
            case_id=command.case_id,
            controller=complaint.controller,
            complaint_id=complaint.complaint_id,
            complaint_kind=complaint.kind,
            opened_on=complaint.received_on,
            category=complaint.category,
            body_key=complaint.body.key if complaint.body else None,
            missing_content=complaint.missing_content,
        )
    ]


def link_complaint(state: CaseState, command: LinkComplaint) -> list[Payload]:
    if state.status in ("none", "closed"):
        raise Rejected(state, "link a complaint")
    complaint = command.complaint
    assert state.case_id is not None
    return [
        ComplaintLinked(
            case_id=state.case_id,
            complaint_id=complaint.complaint_id,
            complaint_kind=complaint.kind,
            received_on=complaint.received_on,
            category=complaint.category,
            body_key=complaint.body.key if complaint.body else None,
            missing_content=complaint.missing_content,
        )
    ]
