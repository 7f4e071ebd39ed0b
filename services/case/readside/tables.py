"""The tables the case service keeps beside its event store: the lookups commands depend on, the case list and
the case detail, the GDPR Art 78(2) clocks, and the deadline timers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from docket_messaging.tables import utc_column


class CaseComplaintRow(SQLModel, table=True):
    """Which case each complaint belongs to, and the case's list of complaints (in the order linked)."""

    __tablename__ = "case_complaints"
    __table_args__ = (sa.Index("ix_case_complaints_case_id_version", "case_id", "version"),)

    complaint_id: UUID = Field(primary_key=True)
    case_id: UUID
    kind: str | None = None  # None only for rows linked before the list was kept (filled by migration 0006)
    received_on: date | None = None
    version: int | None = None  # the case version whose event linked it


class OpenCaseRow(SQLModel, table=True):
    """The one open case per controller that new complaints on that controller are linked to."""

    __tablename__ = "open_cases"

    controller_key: str = Field(primary_key=True)
    case_id: UUID = Field(unique=True)


class CaseSummaryRow(SQLModel, table=True):
    """Projection for the case list."""

    __tablename__ = "case_summaries"

    case_id: UUID = Field(primary_key=True)
    controller_key: str = Field(index=True)
    controller_name: str
    status: str = Field(index=True)
    opened_on: date
    complaints: int
    next_deadline: date | None = Field(default=None, index=True)
    outcome: str | None = None
    version: int
    position: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    # sanctioned, with an injunction neither complied with nor ended: the case stays open under enforcement
    under_enforcement: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false(), index=True)
    )


class CaseDetailRow(SQLModel, table=True):
    """Projection for the case detail: the case as a JSON document."""

    __tablename__ = "case_details"

    case_id: UUID = Field(primary_key=True)
    version: int
    document: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    position: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))


class ComplainantClockRow(SQLModel, table=True):
    """GDPR Art 78(2): when each complainant of an open case was last told of progress."""

    __tablename__ = "complainant_clocks"

    complaint_id: UUID = Field(primary_key=True)
    case_id: UUID = Field(index=True)
    last_progress_on: date
    running: bool = True


class TimerRow(SQLModel, table=True):
    """A durable timer: when a formal notice's deadline has passed, the scheduler looks at the case."""

    __tablename__ = "timers"
    __table_args__ = (sa.Index("ix_timers_due_unfired", "due_on", postgresql_where=sa.text("fired_at IS NULL")),)

    notice_id: UUID = Field(primary_key=True)
    case_id: UUID
    due_on: date
    fired_at: datetime | None = utc_column(nullable=True)
