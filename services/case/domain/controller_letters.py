"""The letter to the controller: written once about one complaint or many, asking it to act and to answer by a
day; its answer recorded for each complaint it names; a reminder when the day passes without one (the durable
timer looks the day after, as it does for a formal notice's deadline)."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from docket_contracts.errors import Invalid
from docket_contracts.events import (
    ComplaintControllerAnswered,
    ComplaintControllerAsked,
    ControllerAnswerOverdue,
    ControllerAskedToAct,
    Payload,
)

from .handling import Complaint, ComplaintRejected
from .handling_commands import AskController, RecordControllerAnswer, RemindController
from .refusals import Rejected, not_before
from .state import CaseState

# The statuses from which the controller may be asked (again) to act on a complaint.
ASKABLE = frozenset({"admissible", "controller_answered"})


def check_letter(command: AskController) -> None:
    if command.answer_due <= command.asked_on:
        raise Invalid(
            "answer_due", f"{command.answer_due} is not after the day the letter is written ({command.asked_on})"
        )


def ask(case: CaseState, complaint: Complaint, command: AskController) -> list[Payload]:
    """The complaint's own part of the letter: the controller is asked to act on it."""
    if complaint.status not in ASKABLE:
        raise ComplaintRejected(case, complaint, "ask the controller to act on the complaint")
    latest, what = complaint.latest_fact()
    not_before("asked_on", command.asked_on, latest, what)
    return [
        ComplaintControllerAsked(
            case_id=complaint.case_id,
            complaint_id=complaint.complaint_id,
            letter_id=command.letter_id,
            asked_on=command.asked_on,
            answer_due=command.answer_due,
        )
    ]


def letter(case: CaseState, command: AskController, asked: list[UUID]) -> ControllerAskedToAct:
    """The one letter to the controller, about the complaints it was accepted for."""
    assert case.case_id is not None
    return ControllerAskedToAct(
        case_id=case.case_id,
        letter_id=command.letter_id,
        complaint_ids=tuple(asked),
        request=command.request,
        asked_on=command.asked_on,
        answer_due=command.answer_due,
    )


def of_letter(complaints: Mapping[UUID, Complaint], letter_id: UUID) -> list[Complaint]:
    return [c for c in complaints.values() if c.letter_id == letter_id]


def record_answer(
    case: CaseState, complaints: Mapping[UUID, Complaint], command: RecordControllerAnswer
) -> list[ComplaintControllerAnswered]:
    """The answer, for each complaint of the letter still awaiting one; `complaints` holds the letter's."""
    named = of_letter(complaints, command.letter_id)
    if not named:
        raise Invalid("letter_id", f"the case has no letter {command.letter_id} to the controller awaiting an answer")
    waiting = [c for c in named if c.status == "with_controller"]
    if not waiting:
        raise Rejected(case, "record the controller's answer", f"no complaint of letter {command.letter_id} awaits one")
    not_before("answered_on", command.answered_on, waiting[0].asked_on, "the letter was written")
    return [
        ComplaintControllerAnswered(
            case_id=c.case_id,
            complaint_id=c.complaint_id,
            letter_id=command.letter_id,
            answered_on=command.answered_on,
            summary=command.summary,
        )
        for c in waiting
    ]


def remind(case: CaseState, complaints: Mapping[UUID, Complaint], command: RemindController) -> list[Payload]:
    """The controller is reminded once, if a complaint of the letter still awaits its answer after the day."""
    waiting = [c for c in of_letter(complaints, command.letter_id) if c.status == "with_controller"]
    if not waiting or case.case_id is None:
        return []  # answered, closed or moved on: the timer has nothing to do
    due = waiting[0].answer_due
    assert due is not None
    if command.today <= due or any(c.reminded_on is not None for c in waiting):
        return []
    return [
        ControllerAnswerOverdue(
            case_id=case.case_id, letter_id=command.letter_id, answer_due=due, detected_at=command.now
        )
    ]
