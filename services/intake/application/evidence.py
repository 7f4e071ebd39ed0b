"""Evidence: the complainant attaches files (sealed, name and content); staff list and download them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_privacy.personal import ERASED, ErasedSubject, PersonalData

from .. import domain, store
from ..config import IntakeSettings
from ..errors import UnknownEvidence
from .complaints import complaint_row
from .door import own_complaint


@dataclass(frozen=True)
class EvidenceFile:
    """A file as the complainant sent it: its display name (domain.safe_filename), declared type and bytes."""

    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Evidence:
    """An evidence file as staff see it listed: its name opened (or ERASED), without its content."""

    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


@dataclass(frozen=True)
class Upload:
    """What an upload's request says of its file before its body is read: for which complaint (the reference
    and the status token), the display name, the declared type and size (Content-Length, if given)."""

    reference: str
    token: str | None
    name: str
    content_type: str
    declared_size: int | None


async def admit_evidence(session: AsyncSession, settings: IntakeSettings, upload: Upload) -> uuid.UUID:
    """The complaint the upload is for, if its token is its own and the file may be added as declared: a type
    accepted, a size within the limit and within the complaint's quota. Nothing of the body has been read: a
    request refused here costs its sender a round trip, not Docket memory."""
    async with session.begin():
        complaint = await own_complaint(session, upload.reference, upload.token)
        domain.check_declared_evidence(
            upload.content_type, upload.declared_size, settings.evidence_types, settings.evidence_max_bytes
        )
        files, total = await store.evidence_totals(session, complaint.id)
    domain.check_quota(files, total, upload.declared_size or 0, settings.evidence_quota)
    return complaint.id


async def add_evidence(
    session: AsyncSession,
    personal: PersonalData,
    settings: IntakeSettings,
    complaint_id: uuid.UUID,
    file: EvidenceFile,
) -> Evidence:
    """Attach a file to an admitted complaint (admit_evidence), its name and content sealed with the
    complainant's key. The quota is checked again on the file as it came, with the complaint held, so that
    uploads in parallel cannot pass it together."""
    async with session.begin():
        domain.check_evidence(file.content_type, file.content, settings.evidence_types, settings.evidence_max_bytes)
        await store.lock_complaint(session, complaint_id)
        files, total = await store.evidence_totals(session, complaint_id)
        domain.check_quota(files, total, len(file.content), settings.evidence_quota)
        sealed_name = await personal.seal(complaint_id, store.EVIDENCE_NAME, file.name)
        sealed = await personal.seal_bytes(complaint_id, store.EVIDENCE_CONTENT, file.content)
        row = store.add_evidence(session, complaint_id, sealed_name, file.content_type, file.content, sealed)
        await session.flush()
    await session.refresh(row)
    return Evidence(
        id=row.id,
        filename=file.name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_at=row.uploaded_at,
    )


async def file_names(personal: PersonalData, stored: Sequence[Any]) -> list[str]:
    """Evidence file names as staff read them: opened, or ERASED (one trip to the key store). A name still
    in clear (stored before names were sealed, and not sealed yet) reads as it is."""
    opened = await personal.open_many([(store.EVIDENCE_NAME, store.as_sealed(value)) for value in stored])
    return [
        value if isinstance(value, str) else ERASED if name is None else name
        for value, name in zip(stored, opened, strict=True)
    ]


async def evidence(session: AsyncSession, personal: PersonalData, complaint_id: uuid.UUID) -> list[Evidence]:
    """The complaint's evidence files, oldest first, without their content."""
    await complaint_row(session, complaint_id)
    rows = await store.evidence_of(session, complaint_id)
    names = await file_names(personal, [row.filename for row in rows])
    return [
        Evidence(
            id=row.id,
            filename=name,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            uploaded_at=row.uploaded_at,
        )
        for row, name in zip(rows, names, strict=True)
    ]


@dataclass(frozen=True)
class Download:
    """An evidence file opened, with the name to save it under (made safe) and the SHA-256 of its content."""

    content: bytes
    content_type: str
    filename: str
    sha256: str


async def download_evidence(
    session: AsyncSession, personal: PersonalData, complaint_id: uuid.UUID, evidence_id: uuid.UUID
) -> Download:
    """The file opened; ErasedSubject once its complainant's personal data was erased."""
    row = await session.get(store.EvidenceRow, evidence_id)
    if row is None or row.complaint_id != complaint_id:
        raise UnknownEvidence(f"no evidence {evidence_id} on complaint {complaint_id}")
    content = (
        await personal.open_bytes(complaint_id, store.EVIDENCE_CONTENT, row.content) if row.sealed else row.content
    )
    if content is None:
        raise ErasedSubject(complaint_id)
    [name] = await file_names(personal, [row.filename])
    # Made safe again: a name stored by the previous release may not have been.
    return Download(content, row.content_type, domain.safe_filename(name), row.sha256)
