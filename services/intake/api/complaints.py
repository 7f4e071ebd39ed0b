"""Staff's reads of complaints: a search, and one complaint, their personal values opened (or erased)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from docket_contracts.events import ComplaintCategory, ComplaintKind, Language
from docket_privacy.personal import ERASED
from docket_service.limits import DAY_RANGE, MAX_OFFSET, Day, query_text

from ..application import complaints as application
from ..deps import PersonalDep, SessionDep, SubmissionReader, staff_door

staff = staff_door()


class ComplaintOut(BaseModel):
    id: uuid.UUID
    reference: str
    kind: ComplaintKind
    mandate_reference: str | None
    constitution_proof: str | None = Field(description="a body's proof that it is properly constituted")
    complainant_name: str = Field(description=f"{ERASED!r} once the complainant's personal data was erased")
    complainant_email: str
    complainant_country: str
    controller_key: str
    controller_name: str
    controller_country: str | None
    controller_website: str | None
    category: ComplaintCategory
    articles_alleged: list[int]
    territory: list[str]
    narrative: str
    received_on: date
    filed_at: datetime
    status: str
    personal_data_erased: bool
    language: Language = Field(description="the language the complainant is written to in")


class ComplaintPage(BaseModel):
    items: list[ComplaintOut]
    total: int
    limit: int
    offset: int


@staff.get("/complaints", response_model=ComplaintPage, summary="Search submissions, newest received first")
async def list_complaints(
    session: SessionDep,
    caller: SubmissionReader,
    personal: PersonalDep,
    controller: query_text(300, "key or part of the name") = None,
    kind: ComplaintKind | None = None,
    status_: query_text(50, "the complaint's stage", alias="status") = None,
    received_from: Annotated[Day | None, Query(description=f"received on or after; {DAY_RANGE}")] = None,
    received_to: Annotated[Day | None, Query(description=f"received on or before; {DAY_RANGE}")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ComplaintPage:
    found = await application.search_complaints(
        session,
        personal,
        controller=controller,
        kind=kind,
        status=status_,
        received_from=received_from,
        received_to=received_to,
        limit=limit,
        offset=offset,
    )
    items = [ComplaintOut.model_validate(complaint, from_attributes=True) for complaint in found.complaints]
    return ComplaintPage(items=items, total=found.total, limit=limit, offset=offset)


@staff.get("/complaints/{complaint_id}", response_model=ComplaintOut)
async def get_complaint(
    complaint_id: uuid.UUID, session: SessionDep, caller: SubmissionReader, personal: PersonalDep
) -> ComplaintOut:
    found = await application.complaint(session, personal, complaint_id)
    return ComplaintOut.model_validate(found, from_attributes=True)
