"""What the routes of a complaint's handling, the queues and the campaigns take and give. A day left out is
today, in the regulator's time zone."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from docket_contracts.events import (
    CAMPAIGN_MAX,
    Admissibility,
    ComplaintCategory,
    ComplaintClosure,
    ComplaintKind,
    CountryCode,
    InadmissibilityReason,
    MissingContent,
    StaffSubject,
    TeamName,
)
from docket_service.limits import day, text

from .bounds import MAX_TEXT_CHARS


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def optional_day(what: str) -> Any:
    return Field(default=None, description=f"{what}; today when left out")


class AssignmentIn(Body):
    staff: StaffSubject | None = Field(default=None, description="the staff member, by the subject of their tokens")
    team: TeamName | None = Field(default=None, description="the team: a group of the identity provider")
    me: bool = Field(default=False, description="to yourself: staff is your token's subject")
    assigned_on: day("the day it is assigned") | None = optional_day("the day it is assigned")


class AdmissibilityIn(Body):
    decision: Admissibility
    reason: InadmissibilityReason | None = Field(
        default=None,
        description=(
            "with inadmissible: not_personal_data (GDPR Art 4(1)); outside_competence (Art 55); no_prior_request "
            "(a complaint about one's rights, Arts 15-22); manifestly_unfounded_or_excessive (Art 57(4), one "
            "complaint at a time, CJEU C-416/23); duplicate (with duplicate_of); cross_border_content_missing (a "
            "cross-border complaint recorded without content Regulation 2025/2518 art 4(1) lists, within two weeks "
            "of its receipt: art 4(2), as reported)"
        ),
    )
    reasons: text(MAX_TEXT_CHARS, "the reasons, in words: required with inadmissible") | None = None
    duplicate_of: uuid.UUID | None = Field(default=None, description="with duplicate: the complaint it repeats")
    decided_on: day("the day of the decision") | None = optional_day("the day of the decision")


class ControllerLetterIn(Body):
    request: text(MAX_TEXT_CHARS, "what the controller is asked to do")
    asked_on: day("the day of the letter") | None = optional_day("the day of the letter")
    answer_due: day("the day the controller must answer by, after asked_on") | None = Field(
        default=None, description="the day to answer by; CONTROLLER_ANSWER_DAYS (30) after asked_on when left out"
    )


class AnswerIn(Body):
    summary: text(MAX_TEXT_CHARS, "what the controller says it did")
    answered_on: day("the day the answer came") | None = optional_day("the day the answer came")


class JoinIn(Body):
    joined_on: day("the day it joins the investigation") | None = optional_day("the day it joins the investigation")


class TransferIn(Body):
    authority: text(300, "the authority competent for it")
    authority_country: CountryCode
    reasons: text(MAX_TEXT_CHARS, "why that authority is competent")
    transferred_on: day("the day it is sent") | None = optional_day("the day it is sent")


class ComplaintClosureIn(Body):
    reason: ComplaintClosure = Field(
        description="resolved (the controller acted, its answer on record), no_infringement, withdrawn, not_pursued"
    )
    reasons: text(MAX_TEXT_CHARS, "the reasons, in words")
    closed_on: day("the day it is closed") | None = optional_day("the day it is closed")


Selection = Annotated[
    list[uuid.UUID],
    Field(min_length=1, max_length=CAMPAIGN_MAX, description=f"the complaints, 1 to {CAMPAIGN_MAX:,} of them"),
]


class CampaignAssignmentIn(AssignmentIn):
    complaint_ids: Selection


class CampaignAdmissibilityIn(AdmissibilityIn):
    complaint_ids: Selection


class CampaignLetterIn(ControllerLetterIn):
    complaint_ids: Selection


class CampaignClosureIn(ComplaintClosureIn):
    complaint_ids: Selection


# --- answers -------------------------------------------------------------------------------------------------


class ComplaintOut(BaseModel):
    """A complaint's handling as it stands, and what it allows next."""

    complaint_id: uuid.UUID
    case_id: uuid.UUID
    controller_key: str
    kind: ComplaintKind
    category: ComplaintCategory | None
    body_key: str | None
    missing_content: list[MissingContent] = Field(
        description="what Regulation 2025/2518 art 4(1) requires of a cross-border complaint and it was recorded "
        "without: its admissibility is due within two weeks of receipt (art 4(2), as reported)"
    )
    received_on: date
    status: str
    step: str | None = Field(description="what the authority owes it next; none once it ended")
    step_since: date
    staff: str | None
    team: str | None
    assigned_on: date | None
    decided_on: date | None
    inadmissible_reason: InadmissibilityReason | None
    letter_id: uuid.UUID | None
    asked_on: date | None
    answer_due: date | None
    reminded_on: date | None
    answered_on: date | None
    joined_on: date | None
    transferred_to: str | None
    ended_on: date | None
    outcome: str | None
    allowed_next_steps: list[str]


class HandlingOut(BaseModel):
    complaint: ComplaintOut
    events: list[dict[str, Any]]


class Result(BaseModel):
    complaint_id: uuid.UUID
    result: Literal["done", "refused"]
    status: int = Field(description="200 done; 404 no such complaint; 409 it does not fit the complaint; 422 a value")
    detail: str | None = None


class CampaignOut(BaseModel):
    done: int
    refused: int
    results: list[Result] = Field(description="one per complaint named, in the order named")


class AlikeOut(BaseModel):
    complaint_id: uuid.UUID
    case_id: uuid.UUID
    controller_key: str
    kind: ComplaintKind
    category: ComplaintCategory | None
    body_key: str | None
    received_on: date
    status: str


class AlikePage(BaseModel):
    total: int = Field(description="how many complaints match in all")
    items: list[AlikeOut] = Field(
        description=f"the first of them, the earliest received first, at most {CAMPAIGN_MAX:,}"
    )


class QueueItem(BaseModel):
    item: Literal["complaint", "case"]
    id: uuid.UUID
    case_id: uuid.UUID
    controller_key: str
    status: str
    step: str | None = Field(description="a complaint's next step; a case's status")
    staff: str | None
    team: str | None
    since: date = Field(description="the day its current step began (a case: the day it opened)")
    due_on: date | None = Field(description="the earlier of its step's target and GDPR Art 78(2)'s three months")
    art78_due_on: date | None = Field(description="when three months without news end for its complainant")
    overdue: bool


class QueuePage(BaseModel):
    view: str
    items: list[QueueItem]
    total: int
    limit: int
    offset: int


class Load(BaseModel):
    """What one staff member or team holds: open items, the oldest, those overdue."""

    holder: str
    open: int
    oldest_since: date | None
    overdue: int


class WorkloadOut(BaseModel):
    as_of: date
    staff: list[Load]
    teams: list[Load]
    unassigned: Load
