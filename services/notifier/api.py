"""The notifier's REST routes: the notifications it has recorded."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from docket_messaging.http import SessionDep

from . import store
from .domain import Channel, Role

router = APIRouter(tags=["notifications"])


class NotificationOut(BaseModel):
    id: uuid.UUID
    source_event_id: str
    source_event_type: str
    channel: Channel
    recipient_role: Role
    case_id: uuid.UUID | None
    complaint_id: uuid.UUID | None
    body: str
    created_at: datetime


@router.get("/notifications", response_model=list[NotificationOut])
async def list_notifications(session: SessionDep, case_id: uuid.UUID | None = None,
                             complaint_id: uuid.UUID | None = None,
                             limit: Annotated[int, Query(ge=1, le=500)] = 100,
                             offset: Annotated[int, Query(ge=0)] = 0) -> list[store.NotificationRow]:
    return list(await store.find(session, case_id, complaint_id, limit, offset))


@router.get("/notifications/{notification_id}", response_model=NotificationOut)
async def get_notification(notification_id: uuid.UUID, session: SessionDep) -> store.NotificationRow:
    row = await session.get(store.NotificationRow, notification_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no notification {notification_id}")
    return row
