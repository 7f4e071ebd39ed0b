"""handle(case, complaints, command) -> Handled: each command of a complaint's handling or of assignment to the
rule that decides it. A command on a selection is decided complaint by complaint: the events of those it fits,
the refusal of each it does not (a campaign's per-complaint result); a rule of the command itself refuses it
whole (Invalid). `complaints` holds the complaints the command names (for an answer or a reminder, the letter's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from docket_contracts.errors import Invalid
from docket_contracts.events import Payload

from . import admissibility, assignment, complaint_endings, controller_letters
from .handling import Complaint, ComplaintRejected
from .handling_commands import (
    AskController,
    AssignCase,
    AssignComplaints,
    CloseComplaints,
    DecideAdmissibility,
    HandlingCommand,
    JoinInvestigation,
    RecordControllerAnswer,
    RemindController,
    SelectionCommand,
    TransferComplaints,
)
from .state import CaseState

Refusal = ComplaintRejected | Invalid


@dataclass(frozen=True)
class Handled:
    """What a command decided: its events, the complaints they are about, and why each other one was refused."""

    events: list[Payload]
    done: tuple[UUID, ...] = ()
    refused: dict[UUID, Refusal] = field(default_factory=dict)


# The rule that decides a selection's command for one complaint.
RULES: dict[type[Any], Callable[[CaseState, Complaint, Any], list[Payload]]] = {
    AssignComplaints: assignment.assign_complaint,
    DecideAdmissibility: admissibility.decide_admissibility,
    AskController: controller_letters.ask,
    JoinInvestigation: complaint_endings.join_investigation,
    TransferComplaints: admissibility.transfer,
    CloseComplaints: complaint_endings.close,
}


def handle(case: CaseState, complaints: Mapping[UUID, Complaint], command: HandlingCommand) -> Handled:
    match command:
        case AssignCase():
            return Handled(assignment.assign_case(case, command))
        case RecordControllerAnswer():
            answered = controller_letters.record_answer(case, complaints, command)
            return Handled(list(answered), tuple(e.complaint_id for e in answered))
        case RemindController():
            return Handled(controller_letters.remind(case, complaints, command))
        case DecideAdmissibility():
            admissibility.check_admissibility(command)
        case AskController():
            controller_letters.check_letter(command)
    return each(case, complaints, command)


def each(case: CaseState, complaints: Mapping[UUID, Complaint], command: SelectionCommand) -> Handled:
    """Decide `command` for each complaint it names, in the order named (each once)."""
    if not command.complaint_ids:
        raise Invalid("complaint_ids", "name at least one complaint")
    rule = RULES[type(command)]
    events: list[Payload] = []
    done: list[UUID] = []
    refused: dict[UUID, Refusal] = {}
    for complaint_id in dict.fromkeys(command.complaint_ids):
        complaint = complaints.get(complaint_id)
        if complaint is None:
            refused[complaint_id] = Invalid("complaint_ids", f"the case has no complaint {complaint_id}")
            continue
        try:
            events += rule(case, complaint, command)
        except (ComplaintRejected, Invalid) as refusal:
            refused[complaint_id] = refusal
            continue
        done.append(complaint_id)
    if isinstance(command, AskController) and done:
        events.insert(0, controller_letters.letter(case, command, done))
    return Handled(events, tuple(done), refused)
