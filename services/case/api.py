"""The case service's REST routes (read side of the skeleton)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from docket_contracts.events import Controller
from docket_messaging.http import SessionDep

from . import store
from .domain import Status

router = APIRouter(tags=["cases"])


class CaseOut(BaseModel):
    id: uuid.UUID
    version: int
    status: Status
    controller: Controller
    complaints: list[uuid.UUID]


class EventOut(BaseModel):
    version: int
    event_id: str
    type: str
    schema_version: int
    actor: str
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, Any]


async def _case(session: SessionDep, case_id: uuid.UUID) -> CaseOut:
    try:
        state = await store.load(session, case_id)
    except store.StreamNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}") from None
    assert state.controller is not None
    return CaseOut(id=case_id, version=state.version, status=state.status, controller=state.controller,
                   complaints=list(state.complaints))


@router.get("/cases/{case_id}", response_model=CaseOut)
async def get_case(case_id: uuid.UUID, session: SessionDep) -> CaseOut:
    return await _case(session, case_id)


@router.get("/cases", response_model=list[CaseOut], summary="Cases, found by one of their complaints")
async def find_cases(complaint_id: uuid.UUID, session: SessionDep) -> list[CaseOut]:
    case_id = await store.case_of_complaint(session, complaint_id)
    return [await _case(session, case_id)] if case_id else []


@router.get("/cases/{case_id}/history", response_model=list[EventOut])
async def case_history(case_id: uuid.UUID, session: SessionDep) -> list[store.EventRow]:
    rows = await store.history(session, case_id)
    if not rows:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no case {case_id}")
    return list(rows)
