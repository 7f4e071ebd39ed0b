"""The President's warning (GDPR Art 58(2)(a); loi 78-17 art 20 I): the controller is told that the processing it
intends is likely to infringe the GDPR. A measure of its own, taken in the investigation; the case may then close
as warned."""

from __future__ import annotations

from docket_contracts.events import Payload, WarningIssued

from .commands import IssueWarning
from .refusals import not_before, require
from .state import CaseState


def issue(state: CaseState, command: IssueWarning) -> list[Payload]:
    require(state, "issue a warning", "investigating")
    assert state.case_id is not None
    not_before("decided_on", command.decided_on, state.investigation_opened_on, "the investigation opened")
    return [
        WarningIssued(
            case_id=state.case_id,
            warning_id=command.warning_id,
            decided_on=command.decided_on,
            reference=command.reference,
            articles=command.articles,
            intended_processing=command.intended_processing,
        )
    ]
