"""The complainant's rights: erasure of their personal data (GDPR Art 17), and a copy of it (Art 15)."""

from __future__ import annotations

import base64
import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from ..application import rights as application
from ..deps import Administrator, ClockDep, PersonalDep, SessionDep, staff_door
from .complaints import ComplaintOut
from .door import ProgressLine
from .evidence import EvidenceOut

staff = staff_door()


class ErasureOut(BaseModel):
    complaint_id: uuid.UUID
    erased_on: date
    already_erased: bool = Field(description="true if an earlier request had erased it already")


@staff.post(
    "/complaints/{complaint_id}/erasure",
    response_model=ErasureOut,
    summary="Erase the complainant's personal data (GDPR Art 17) by destroying their key",
    description="Every sealed value of the complainant (name, address, narrative, evidence, letters), in "
    "every table and on every topic, reads as erased from now on, and any value of theirs "
    "still in clear (stored by the previous release and not sealed yet) is withheld; the "
    "complaint stays in its case, whose history still reads and verifies. Announced as "
    "complaint.personal_data_erased. Cannot be undone.",
)
async def erase_personal_data(
    complaint_id: uuid.UUID, session: SessionDep, personal: PersonalDep, caller: Administrator, clock: ClockDep
) -> ErasureOut:
    erased = await application.erase_personal_data(session, personal, complaint_id, caller.subject, clock)
    return ErasureOut(complaint_id=complaint_id, erased_on=erased.on, already_erased=erased.already)


class EvidenceExport(EvidenceOut):
    content_base64: str | None = Field(description="the file; null once erased")


class LetterExport(BaseModel):
    title: str | None
    text: str | None = Field(description="null once erased")
    recorded_at: datetime


class PersonalDataExport(BaseModel):
    """Everything Docket holds about the complainant of one complaint."""

    complaint: ComplaintOut
    case_id: uuid.UUID | None
    progress: list[ProgressLine]
    evidence: list[EvidenceExport]
    letters: list[LetterExport] = Field(description="the letters Docket wrote to the complainant")


def evidence_export(file: application.EvidenceCopy) -> EvidenceExport:
    return EvidenceExport(
        id=file.id,
        filename=file.filename,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        uploaded_at=file.uploaded_at,
        content_base64=base64.b64encode(file.content).decode() if file.content else None,
    )


@staff.get(
    "/complaints/{complaint_id}/personal-data",
    response_model=PersonalDataExport,
    summary="Export what Docket holds about the complainant of a complaint (GDPR Art 15)",
)
async def export_personal_data(
    complaint_id: uuid.UUID, session: SessionDep, personal: PersonalDep, caller: Administrator
) -> PersonalDataExport:
    copy = await application.personal_data(session, personal, complaint_id)
    return PersonalDataExport(
        complaint=ComplaintOut.model_validate(copy.complaint, from_attributes=True),
        case_id=copy.case_id,
        progress=[ProgressLine.model_validate(line, from_attributes=True) for line in copy.progress],
        evidence=[evidence_export(file) for file in copy.evidence],
        letters=[LetterExport.model_validate(letter, from_attributes=True) for letter in copy.letters],
    )
