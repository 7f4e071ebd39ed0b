"""The tables of a complaint's own handling, kept beside the event store: each complaint's record (the queues, the
workload, the campaigns and the annual figures read it; the handling commands decide on it), the durable timers
of the letters to controllers, and the steps of a campaign already done under an Idempotency-Key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from docket_messaging.tables import utc_column

# The open complaints, where the queues look.
OPEN = sa.text("ended_on IS NULL")


class ComplaintRecordRow(SQLModel, table=True):
    """A complaint's handling as it stands (domain.Complaint, with its case's controller): written in the
    transaction of each event that changes it, made again by rebuild-projections."""

    __tablename__ = "complaint_records"
    __table_args__ = (
        sa.Index("ix_complaint_records_staff_open", "staff", postgresql_where=OPEN),
        sa.Index("ix_complaint_records_team_open", "team", postgresql_where=OPEN),
        sa.Index("ix_complaint_records_step_open", "step", "step_since", postgresql_where=OPEN),
        sa.Index("ix_complaint_records_alike", "controller_key", "category", "received_on"),
    )

    complaint_id: UUID = Field(primary_key=True)
    case_id: UUID = Field(index=True)
    controller_key: str
    kind: str
    category: str | None = None
    body_key: str | None = Field(default=None, index=True)
    # domain.MissingContent: what of Regulation 2025/2518 art 4(1) it was recorded without (the queues date it)
    missing_content: list[str] = Field(
        default_factory=list, sa_column=sa.Column(JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"))
    )
    received_on: date = Field(index=True)
    status: str
    step: str | None = None  # what the authority owes it next (domain.handling.Step); none once it ended
    step_since: date
    staff: str | None = None
    team: str | None = None
    assigned_on: date | None = None
    decided_on: date | None = None
    inadmissible_reason: str | None = None
    letter_id: UUID | None = Field(default=None, index=True)
    asked_on: date | None = None
    answer_due: date | None = None
    reminded_on: date | None = None
    answered_on: date | None = None
    joined_on: date | None = None
    transferred_to: str | None = None
    ended_on: date | None = None
    outcome: str | None = None


class LetterTimerRow(SQLModel, table=True):
    """A durable timer: the day after a letter's answer was due, the scheduler looks whether the controller
    answered, and reminds it if not."""

    __tablename__ = "letter_timers"
    __table_args__ = (sa.Index("ix_letter_timers_due_unfired", "due_on", postgresql_where=sa.text("fired_at IS NULL")),)

    letter_id: UUID = Field(primary_key=True)
    case_id: UUID
    due_on: date
    fired_at: datetime | None = utc_column(nullable=True)


class CampaignStepRow(SQLModel, table=True):
    """One case's share of a campaign's request, done under its Idempotency-Key: written in the transaction that
    appended its events, so a retry answers it again rather than doing it twice."""

    __tablename__ = "campaign_steps"

    key: str = Field(primary_key=True)
    case_id: UUID = Field(primary_key=True)
    request_digest: str
    results: list[dict[str, Any]] = Field(sa_column=sa.Column(JSONB, nullable=False))
    recorded_at: datetime = utc_column(server_default=sa.func.now())
