"""The notifier's delivery log and the transaction that records a notification with its event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import topics
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import NotificationRecorded
from docket_contracts.registry import new_event
from docket_messaging.outbox import add_to_outbox
from docket_messaging.tables import utc_column

from .domain import Draft

SOURCE = "/docket/notifier"
TABLES = {"notifications", "outbox", "inbox"}


class NotificationRow(SQLModel, table=True):
    __tablename__ = "notifications"

    id: UUID = Field(primary_key=True)
    source_event_id: str = Field(index=True)
    source_event_type: str
    channel: str
    recipient_role: str
    case_id: UUID | None = Field(default=None, index=True)
    complaint_id: UUID | None = Field(default=None, index=True)
    body: str
    created_at: datetime = utc_column(server_default=sa.func.now())


async def record(session: AsyncSession, source: CloudEvent, drafts: Sequence[Draft]) -> None:
    """Add one notification row per draft and announce each as notification.recorded."""
    events = []
    for draft in drafts:
        row = NotificationRow(id=uuid4(), source_event_id=source.id, source_event_type=source.type,
                              channel=draft.channel, recipient_role=draft.recipient_role, case_id=draft.case_id,
                              complaint_id=draft.complaint_id, body=draft.body)
        session.add(row)
        recorded = NotificationRecorded(notification_id=row.id, source_event_id=source.id,
                                        source_event_type=source.type, channel=draft.channel,
                                        recipient_role=draft.recipient_role, case_id=draft.case_id,
                                        complaint_id=draft.complaint_id)
        events.append(new_event(recorded, source=SOURCE, subject=str(row.id)))
    add_to_outbox(session, events, topics.NOTIFICATIONS)


async def find(session: AsyncSession, case_id: UUID | None, complaint_id: UUID | None,
               limit: int, offset: int) -> Sequence[NotificationRow]:
    query = select(NotificationRow)
    if case_id is not None:
        query = query.where(NotificationRow.case_id == case_id)
    if complaint_id is not None:
        query = query.where(NotificationRow.complaint_id == complaint_id)
    query = query.order_by(col(NotificationRow.created_at), col(NotificationRow.id)).limit(limit).offset(offset)
    return (await session.exec(query)).all()
