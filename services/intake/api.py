"""Intake's REST routes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from docket_contracts.events import ComplaintKind, GdprArticle
from docket_messaging.http import SessionDep

from . import domain, store

router = APIRouter(tags=["complaints"])

NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ComplaintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ComplaintKind = "art77_complaint"
    controller_name: Annotated[NonBlank, StringConstraints(max_length=300, pattern=r"[A-Za-z0-9]")]
    articles_alleged: Annotated[list[GdprArticle], Field(min_length=1, max_length=99)]
    narrative: Annotated[NonBlank, StringConstraints(max_length=20_000)]
    received_on: date | None = Field(default=None, description="defaults to today (UTC)")


class ComplaintOut(BaseModel):
    id: uuid.UUID
    kind: ComplaintKind
    controller_key: str
    controller_name: str
    articles_alleged: list[int]
    narrative: str
    received_on: date
    filed_at: datetime


@router.post("/complaints", status_code=status.HTTP_201_CREATED, response_model=ComplaintOut)
async def file_complaint(body: ComplaintIn, session: SessionDep) -> store.ComplaintRow:
    command = domain.FileComplaint(
        complaint_id=uuid.uuid4(), kind=body.kind, controller_name=body.controller_name,
        articles_alleged=tuple(body.articles_alleged), narrative=body.narrative,
        received_on=body.received_on or datetime.now(UTC).date())
    row = await store.file(session, domain.file_complaint(command), body.narrative)
    await session.refresh(row)
    return row


@router.get("/complaints/{complaint_id}", response_model=ComplaintOut)
async def get_complaint(complaint_id: uuid.UUID, session: SessionDep) -> store.ComplaintRow:
    row = await store.get(session, complaint_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no complaint {complaint_id}")
    return row
