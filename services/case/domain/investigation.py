"""The investigation: the President's decision to carry out checks opens it on an open case (loi 78-17 art 19);
investigators record the checks carried out (a questionnaire, an online or on-site check, a hearing) and the
findings a decision needs."""

from __future__ import annotations

from docket_contracts.events import CheckRecorded, FindingRecorded, InvestigationOpened, Payload

from .commands import OpenInvestigation, RecordCheck, RecordFinding
from .refusals import not_before, require
from .state import CaseState, Status

# Where checks are recorded: in the investigation, while a formal notice runs or after it expired, and before the
# restricted committee, whose rapporteur may ask for more (décret 2019-536 art 39).
INVESTIGATING: tuple[Status, ...] = ("investigating", "formal_notice", "notice_expired", "before_committee")


def open_investigation(state: CaseState, command: OpenInvestigation) -> list[Payload]:
    require(state, "open an investigation", "open")
    assert state.case_id is not None and state.opened_on is not None
    not_before("opened_on", command.opened_on, state.opened_on, "the case opened")
    return [
        InvestigationOpened(
            case_id=state.case_id,
            opened_on=command.opened_on,
            scope=command.scope,
            decision_reference=command.reference,
        )
    ]


def record_check(state: CaseState, command: RecordCheck) -> list[Payload]:
    require(state, "record a check", *INVESTIGATING)
    assert state.case_id is not None
    not_before("carried_out_on", command.carried_out_on, state.investigation_opened_on, "the investigation opened")
    return [
        CheckRecorded(
            case_id=state.case_id,
            check_id=command.check_id,
            kind=command.kind,
            carried_out_on=command.carried_out_on,
            description=command.description,
        )
    ]


def record_finding(state: CaseState, command: RecordFinding) -> list[Payload]:
    require(state, "record a finding", "investigating", "formal_notice")
    assert state.case_id is not None
    return [
        FindingRecorded(
            case_id=state.case_id, finding_id=command.finding_id, articles=command.articles, facts=command.facts
        )
    ]
