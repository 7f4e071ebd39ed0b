"""A complaint's own handling: its record, the steps it allows next, its refusal, and the fold that builds it
from the events of its case's stream.

A complaint enters its case (case.opened, complaint.linked) received; it is found admissible or not, then
handled: its controller is asked to act (and answers, or is reminded), it joins the case's investigation, it
is transferred, or it is closed. It ends inadmissible, transferred or closed; closing the case closes every
complaint still open. The record is kept per complaint beside the case, not in the case's own state, so that a
case of ten thousand complaints costs a command what a case of ten does (readside/complaints.py keeps it, in
the transaction of each append).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal
from uuid import UUID

from docket_contracts.events import (
    CaseClosed,
    CaseOpened,
    ComplaintAdmissibilityDecided,
    ComplaintAssigned,
    ComplaintCategory,
    ComplaintClosed,
    ComplaintControllerAnswered,
    ComplaintControllerAsked,
    ComplaintJoinedInvestigation,
    ComplaintKind,
    ComplaintLinked,
    ComplaintTransferred,
    ControllerAnswerOverdue,
    InadmissibilityReason,
    MissingContent,
    Payload,
)

from .state import CaseState

ComplaintStatus = Literal[
    "received",
    "admissible",
    "with_controller",
    "controller_answered",
    "investigation",
    "inadmissible",
    "transferred",
    "closed",
]
ENDED: frozenset[ComplaintStatus] = frozenset({"inadmissible", "transferred", "closed"})
# How a complaint ended: inadmissible, transferred, closed with its reason, or closed with its case.
ComplaintOutcome = Literal[
    "inadmissible", "transferred", "resolved", "no_infringement", "withdrawn", "not_pursued", "case_closed"
]
# What the authority owes a complaint next, which the queues date (readside/queues.py): its admissibility, a
# decision on how to handle it, the controller's answer, a decision once the controller answered; a complaint
# in the investigation follows its case.
Step = Literal["admissibility", "handling", "controller_answer", "decision", "investigation"]
STEPS: dict[ComplaintStatus, Step] = {
    "received": "admissibility",
    "admissible": "handling",
    "with_controller": "controller_answer",
    "controller_answered": "decision",
    "investigation": "investigation",
}


@dataclass(frozen=True)
class Complaint:
    """One complaint of a case, as its handling stands."""

    complaint_id: UUID
    case_id: UUID
    kind: ComplaintKind
    received_on: date
    category: ComplaintCategory | None = None
    body_key: str | None = None
    # What Regulation 2025/2518 art 4(1) requires of a cross-border complaint and it was recorded without, from
    # paper: art 4(2) gives two weeks from receipt to declare it inadmissible (admissibility.py).
    missing_content: tuple[MissingContent, ...] = ()
    status: ComplaintStatus = "received"
    staff: str | None = None  # who holds it: a staff member (token subject), a team, both or neither
    team: str | None = None
    assigned_on: date | None = None
    decided_on: date | None = None  # its admissibility
    inadmissible_reason: InadmissibilityReason | None = None
    letter_id: UUID | None = None  # the last letter to the controller about it
    asked_on: date | None = None
    answer_due: date | None = None
    reminded_on: date | None = None
    answered_on: date | None = None
    joined_on: date | None = None
    transferred_to: str | None = None
    ended_on: date | None = None
    outcome: ComplaintOutcome | None = None

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def step(self) -> Step | None:
        return STEPS.get(self.status)

    @property
    def step_since(self) -> date:
        """The day its current step began: what a target of days runs from."""
        days = (self.received_on, self.decided_on, self.asked_on, self.answered_on, self.joined_on)
        return max(day for day in days if day is not None)

    def dated_facts(self) -> list[tuple[date, str]]:
        """Every day its handling fixes, with what happened on it: what a later step may not precede."""
        facts = [(self.received_on, "the complaint was received")]
        named = (
            (self.decided_on, "its admissibility was decided"),
            (self.asked_on, "the controller was asked to act"),
            (self.answered_on, "the controller's answer was recorded"),
            (self.joined_on, "it joined the investigation"),
        )
        return facts + [(day, what) for day, what in named if day is not None]

    def latest_fact(self) -> tuple[date, str]:
        return max(self.dated_facts(), key=lambda fact: fact[0])


def complaint_steps(case: CaseState, complaint: Complaint) -> tuple[str, ...]:
    """What the complaint allows now."""
    if complaint.ended:
        return ()
    steps: tuple[str, ...] = {
        "received": ("decide its admissibility", "transfer it", "close it as withdrawn"),
        "admissible": ("ask the controller to act", "transfer it", "close it"),
        "with_controller": ("record the controller's answer", "close it"),
        "controller_answered": ("ask the controller again", "close it"),
        "investigation": ("close it",),
    }[complaint.status]
    if complaint.status in JOINS_INVESTIGATION and investigation_open(case):
        steps += ("join it to the investigation",)
    return (*steps, "assign it")


# The statuses from which a complaint may join its case's investigation.
JOINS_INVESTIGATION: frozenset[ComplaintStatus] = frozenset({"admissible", "with_controller", "controller_answered"})


def investigation_open(case: CaseState) -> bool:
    return case.investigation_opened_on is not None and case.status != "closed"


class ComplaintRejected(Exception):
    """A command that does not fit a complaint's handling (HTTP 409): it names the complaint's status and the
    steps it allows."""

    def __init__(self, case: CaseState, complaint: Complaint, action: str, why: str = "") -> None:
        allowed = "; ".join(complaint_steps(case, complaint)) or f"none, it is {complaint.status}"
        reason = f" ({why})" if why else ""
        super().__init__(
            f"cannot {action}: complaint {complaint.complaint_id} is {complaint.status.replace('_', ' ')}{reason}; "
            f"allowed next steps: {allowed}"
        )
        self.complaint = complaint
        self.allowed = complaint_steps(case, complaint)


# --- the fold ------------------------------------------------------------------------------------------------


def taken_in(event: CaseOpened | ComplaintLinked) -> Complaint:
    """The complaint as its case takes it in: received."""
    received = event.opened_on if isinstance(event, CaseOpened) else event.received_on
    return Complaint(
        event.complaint_id,
        event.case_id,
        event.complaint_kind,
        received,
        event.category,
        event.body_key,
        event.missing_content,
    )


def evolve_complaint(complaint: Complaint, event: Payload) -> Complaint:
    """The complaint after one event of its own handling."""
    match event:
        case ComplaintAssigned():
            return replace(complaint, staff=event.staff, team=event.team, assigned_on=event.assigned_on)
        case ComplaintAdmissibilityDecided() if event.decision == "admissible":
            return replace(complaint, status="admissible", decided_on=event.decided_on)
        case ComplaintAdmissibilityDecided():
            return replace(
                complaint,
                status="inadmissible",
                decided_on=event.decided_on,
                inadmissible_reason=event.reason,
                ended_on=event.decided_on,
                outcome="inadmissible",
            )
        case ComplaintControllerAsked():
            return replace(
                complaint,
                status="with_controller",
                letter_id=event.letter_id,
                asked_on=event.asked_on,
                answer_due=event.answer_due,
                reminded_on=None,
                answered_on=None,
            )
        case ComplaintControllerAnswered():
            return replace(complaint, status="controller_answered", answered_on=event.answered_on)
        case ComplaintJoinedInvestigation():
            return replace(complaint, status="investigation", joined_on=event.joined_on)
        case ComplaintTransferred():
            return replace(
                complaint,
                status="transferred",
                transferred_to=event.authority,
                ended_on=event.transferred_on,
                outcome="transferred",
            )
        case ComplaintClosed():
            return replace(complaint, status="closed", ended_on=event.closed_on, outcome=event.reason)
    return complaint


def fold(complaints: Mapping[UUID, Complaint], event: Payload) -> dict[UUID, Complaint]:
    """The complaints `event` changes, as they stand after it: the one it takes in or is about, the open ones
    a letter's overdue answer or the case's closure concerns (of those in `complaints`)."""
    match event:
        case CaseOpened() | ComplaintLinked():
            return {event.complaint_id: taken_in(event)}
        case ControllerAnswerOverdue():
            day = event.detected_at.date()
            return {
                c.complaint_id: replace(c, reminded_on=day)
                for c in complaints.values()
                if c.letter_id == event.letter_id and c.status == "with_controller"
            }
        case CaseClosed():
            return {
                c.complaint_id: replace(c, status="closed", ended_on=event.closed_on, outcome="case_closed")
                for c in complaints.values()
                if not c.ended
            }
    complaint_id = getattr(event, "complaint_id", None)
    if complaint_id is None or complaint_id not in complaints:
        return {}
    return {complaint_id: evolve_complaint(complaints[complaint_id], event)}


def replay_complaints(
    events: Iterable[Payload], complaints: Mapping[UUID, Complaint] | None = None
) -> dict[UUID, Complaint]:
    """Every complaint of a case, folded from its events."""
    found = dict(complaints or {})
    for event in events:
        found |= fold(found, event)
    return found
