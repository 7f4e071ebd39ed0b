"""The commands of a complaint's handling and of assignment, one frozen dataclass each, and `HandlingCommand`,
their union. Each but the case's assignment, the answer and the reminder names a selection of complaints of one
case: one complaint, or a campaign's share of them (at most CAMPAIGN_MAX), each decided on its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from docket_contracts.events import Admissibility, ComplaintClosure, InadmissibilityReason


@dataclass(frozen=True)
class AssignCase:
    """Give the case to a staff member, a team, both, or nobody (release it)."""

    staff: str | None
    team: str | None
    assigned_on: date


@dataclass(frozen=True)
class AssignComplaints:
    complaint_ids: tuple[UUID, ...]
    staff: str | None
    team: str | None
    assigned_on: date


@dataclass(frozen=True)
class DecideAdmissibility:
    complaint_ids: tuple[UUID, ...]
    decision: Admissibility
    decided_on: date
    reason: InadmissibilityReason | None = None
    reasons: str | None = None
    duplicate_of: UUID | None = None


@dataclass(frozen=True)
class AskController:
    """Write once to the controller about the complaints, asking it to act and to answer by `answer_due`."""

    complaint_ids: tuple[UUID, ...]
    letter_id: UUID
    request: str
    asked_on: date
    answer_due: date


@dataclass(frozen=True)
class RecordControllerAnswer:
    """The controller's answer to a letter: recorded for every complaint of it still awaiting one."""

    letter_id: UUID
    answered_on: date
    summary: str


@dataclass(frozen=True)
class RemindController:
    """Sent by the durable timer the day after a letter's answer was due, never by a person."""

    letter_id: UUID
    today: date
    now: datetime


@dataclass(frozen=True)
class JoinInvestigation:
    complaint_ids: tuple[UUID, ...]
    joined_on: date


@dataclass(frozen=True)
class TransferComplaints:
    complaint_ids: tuple[UUID, ...]
    authority: str
    authority_country: str
    reasons: str
    transferred_on: date


@dataclass(frozen=True)
class CloseComplaints:
    complaint_ids: tuple[UUID, ...]
    reason: ComplaintClosure
    reasons: str
    closed_on: date


HandlingCommand = (
    AssignCase
    | AssignComplaints
    | DecideAdmissibility
    | AskController
    | RecordControllerAnswer
    | RemindController
    | JoinInvestigation
    | TransferComplaints
    | CloseComplaints
)
# The commands a campaign gives to a selection of complaints: one request, each complaint decided on its own.
SelectionCommand = (
    AssignComplaints | DecideAdmissibility | AskController | JoinInvestigation | TransferComplaints | CloseComplaints
)
