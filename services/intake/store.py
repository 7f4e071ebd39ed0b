"""Intake's tables and the one transaction that stores a submission with its outbox event."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import topics
from docket_contracts.events import ComplaintFiled
from docket_contracts.registry import new_event
from docket_messaging.outbox import add_to_outbox
from docket_messaging.tables import utc_column

SOURCE = "/docket/intake"
TABLES = {"complaints", "outbox", "inbox"}


class ComplaintRow(SQLModel, table=True):
    __tablename__ = "complaints"

    id: UUID = Field(primary_key=True)
    kind: str
    controller_key: str = Field(index=True)
    controller_name: str
    articles_alleged: list[int] = Field(sa_column=sa.Column(JSONB, nullable=False))
    narrative: str
    received_on: date
    filed_at: datetime = utc_column(server_default=sa.func.now())

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()


async def file(session: AsyncSession, filed: ComplaintFiled, narrative: str) -> ComplaintRow:
    """Store the complaint and its complaint.filed event in one transaction."""
    row = ComplaintRow(id=filed.complaint_id, kind=filed.kind, controller_key=filed.controller.key,
                       controller_name=filed.controller.name, articles_alleged=list(filed.articles_alleged),
                       narrative=narrative, received_on=filed.received_on)
    async with session.begin():
        session.add(row)
        add_to_outbox(session, [new_event(filed, source=SOURCE, subject=str(filed.complaint_id))], topics.COMPLAINTS)
    return row


async def get(session: AsyncSession, complaint_id: UUID) -> ComplaintRow | None:
    return await session.get(ComplaintRow, complaint_id)
