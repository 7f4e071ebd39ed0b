"""The complainant's door: the status page of their complaint, and its withdrawal (X-Status-Token required)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Header, Path
from pydantic import BaseModel

from docket_contracts.events import ComplaintKind

from ..application import door as application
from ..deps import ClockDep, SessionDep, public_door

public = public_door()

StatusToken = Annotated[
    str | None, Header(alias="X-Status-Token", max_length=200, description="the secret token of the receipt")
]
REFERENCE_PATTERN = r"^DKT-[0-9]{4}-[0-9A-Z]{6}$"
STATUS_PATH = "/complaints/{reference}/status"
Reference = Annotated[str, Path(pattern=REFERENCE_PATTERN, description="the receipt's reference, e.g. DKT-2020-7K3Q9Z")]


class ProgressLine(BaseModel):
    on: date | None
    text: str


class StatusOut(BaseModel):
    reference: str
    kind: ComplaintKind
    controller_name: str
    received_on: date
    status: str
    progress: list[ProgressLine]


@public.get(
    STATUS_PATH,
    response_model=StatusOut,
    name="complaint_status",
    summary="The complainant's view of their complaint (X-Status-Token required)",
)
async def complaint_status(reference: Reference, session: SessionDep, token: StatusToken = None) -> StatusOut:
    found = await application.complaint_status(session, reference, token)
    return StatusOut.model_validate(found, from_attributes=True)


@public.post(
    "/complaints/{reference}/withdrawal",
    response_model=StatusOut,
    summary="The complainant withdraws the complaint (X-Status-Token required)",
)
async def withdraw_complaint(
    reference: Reference, session: SessionDep, clock: ClockDep, token: StatusToken = None
) -> StatusOut:
    await application.withdraw(session, reference, token, clock)
    return await complaint_status(reference, session, token)
