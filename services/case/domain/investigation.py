"""The investigation: opened on an open case, it records the findings a decision needs."""

from __future__ import annotations

from docket_contracts.events import FindingRecorded, InvestigationOpened, Payload

from .commands import OpenInvestigation, RecordFinding
from .refusals import not_before, require
from .state import CaseState


def open_investigation(state: CaseState, command: OpenInvestigation) -> list[Payload]:
    require(state, "open an investigation", "open")
    assert state.case_id is not None and state.opened_on is not None
    not_before("opened_on", command.opened_on, state.opened_on, "the case opened")
    return [InvestigationOpened(case_id=state.case_id, opened_on=command.opened_on, scope=command.scope)]


def record_finding(state: CaseState, command: RecordFinding) -> list[Payload]:
    require(state, "record a finding", "investigating", "formal_notice")
    assert state.case_id is not None
    return [
        FindingRecorded(
            case_id=state.case_id, finding_id=command.finding_id, articles=command.articles, facts=command.facts
        )
    ]
