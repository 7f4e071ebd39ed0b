"""The complainant's rights: a copy of what Docket holds about them (GDPR Art 15), and its erasure (Art 17)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import LETTER_TEXT
from docket_privacy.personal import PersonalData
from docket_service.clock import Clock

from .. import legacy, store
from .complaints import Complaint, complaint, complaint_row
from .door import Progress, progress_of
from .evidence import Evidence, file_names


@dataclass(frozen=True)
class EvidenceCopy(Evidence):
    content: bytes | None  # None once erased


@dataclass(frozen=True)
class LetterCopy:
    title: str | None
    text: str | None  # None once erased
    recorded_at: datetime


@dataclass(frozen=True)
class PersonalDataCopy:
    """Everything Docket holds about the complainant of one complaint (GDPR Art 15)."""

    complaint: Complaint
    case_id: uuid.UUID | None
    progress: tuple[Progress, ...]
    evidence: tuple[EvidenceCopy, ...]
    letters: tuple[LetterCopy, ...]


async def personal_data(session: AsyncSession, personal: PersonalData, complaint_id: uuid.UUID) -> PersonalDataCopy:
    """What Docket holds about the complaint's complainant, opened (what was erased reads as erased)."""
    found = await complaint(session, personal, complaint_id)
    files = await store.evidence_files(session, complaint_id)
    letters = await store.letters_of(session, complaint_id)
    texts = await personal.open_many([(LETTER_TEXT, store.as_sealed(letter.text)) for letter in letters])
    names = await file_names(personal, [file.filename for file in files])
    copies = []
    for file, name in zip(files, names, strict=True):
        content = (
            await personal.open_bytes(complaint_id, store.EVIDENCE_CONTENT, file.content)
            if file.sealed
            else file.content
        )
        copies.append(
            EvidenceCopy(
                id=file.id,
                filename=name,
                content_type=file.content_type,
                size=file.size,
                sha256=file.sha256,
                uploaded_at=file.uploaded_at,
                content=content,
            )
        )
    case = await session.get(store.ComplaintCaseRow, complaint_id)
    return PersonalDataCopy(
        complaint=found,
        case_id=case.case_id if case else None,
        progress=await progress_of(session, complaint_id),
        evidence=tuple(copies),
        letters=tuple(
            LetterCopy(title=letter.title, text=text, recorded_at=letter.recorded_at)
            for letter, text in zip(letters, texts, strict=True)
        ),
    )


@dataclass(frozen=True)
class Erasure:
    on: date
    already: bool  # an earlier request had erased it already


async def erase_personal_data(
    session: AsyncSession, personal: PersonalData, complaint_id: uuid.UUID, by: str, clock: Clock
) -> Erasure:
    """Destroy the complainant's key, withhold what of theirs is still in clear, record and announce it
    (complaint.personal_data_erased) once."""
    async with session.begin():
        await complaint_row(session, complaint_id)  # unknown before anything is destroyed
    # The key first, then the record and the event: a crash in between leaves the key destroyed and the
    # event still to be announced, which a retry does; never an announced erasure that did not happen.
    await personal.keystore.erase(complaint_id, by=by)
    personal.forget(complaint_id)
    async with session.begin():
        row = await session.get(store.ComplaintRow, complaint_id, with_for_update=True, populate_existing=True)
        assert row is not None
        await legacy.withhold_in_clear(session, complaint_id)  # the key no longer covers what was never sealed
        already = row.personal_data_erased_on is not None
        if not already:
            store.erase(session, row, clock.today())
    assert row.personal_data_erased_on is not None
    return Erasure(on=row.personal_data_erased_on, already=already)
