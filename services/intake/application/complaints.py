"""Staff's reads of complaints: a search, and one complaint, their personal values opened (or ERASED)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_privacy.personal import ERASED, PersonalData

from .. import store
from ..errors import UnknownComplaint


@dataclass(frozen=True)
class Complaint:
    """A submission as staff read it: its personal values opened, or ERASED."""

    id: uuid.UUID
    reference: str
    kind: str
    mandate_reference: str | None
    constitution_proof: str | None
    complainant_name: str
    complainant_email: str
    complainant_country: str
    controller_key: str
    controller_name: str
    controller_country: str | None
    controller_website: str | None
    category: str
    articles_alleged: tuple[int, ...]
    territory: tuple[str, ...]
    narrative: str
    received_on: date
    filed_at: datetime
    status: str
    personal_data_erased: bool
    language: str


async def opened(personal: PersonalData, rows: Sequence[store.ComplaintRow]) -> list[Complaint]:
    """The complaints with their personal values opened, or shown as erased (one trip to the key store)."""
    opened = await personal.open_many(
        [
            (field, store.as_sealed(getattr(row, column)))
            for row in rows
            for column, field in store.SEALED_COLUMNS.items()
        ]
    )
    found = []
    for index, row in enumerate(rows):
        each = len(store.SEALED_COLUMNS)
        name, email, narrative = opened[index * each : (index + 1) * each]
        found.append(
            Complaint(
                id=row.id,
                reference=row.reference,
                kind=row.kind,
                mandate_reference=row.mandate_reference,
                constitution_proof=row.constitution_proof,
                complainant_name=ERASED if name is None else name,
                complainant_email=ERASED if email is None else email,
                complainant_country=row.complainant_country,
                controller_key=row.controller_key,
                controller_name=row.controller_name,
                controller_country=row.controller_country,
                controller_website=row.controller_website,
                category=row.category,
                articles_alleged=tuple(row.articles_alleged),
                territory=tuple(row.territory),
                narrative=ERASED if narrative is None else narrative,
                received_on=row.received_on,
                filed_at=row.filed_at,
                status=row.status,
                personal_data_erased=row.personal_data_erased_on is not None or name is None,
                language=row.language,
            )
        )
    return found


@dataclass(frozen=True)
class Found:
    """A page of a search: how many complaints match in all, and those of the page."""

    total: int
    complaints: list[Complaint]


async def search_complaints(
    session: AsyncSession,
    personal: PersonalData,
    *,
    controller: str | None,
    kind: str | None,
    status: str | None,
    received_from: date | None,
    received_to: date | None,
    limit: int,
    offset: int,
) -> Found:
    """The complaints that match, newest received first."""
    total, rows = await store.search(
        session,
        controller=controller,
        kind=kind,
        status=status,
        received_from=received_from,
        received_to=received_to,
        limit=limit,
        offset=offset,
    )
    return Found(total=total, complaints=await opened(personal, rows))


async def complaint_row(session: AsyncSession, complaint_id: uuid.UUID) -> store.ComplaintRow:
    row = await session.get(store.ComplaintRow, complaint_id)
    if row is None:
        raise UnknownComplaint(f"no complaint {complaint_id}")
    return row


async def complaint(session: AsyncSession, personal: PersonalData, complaint_id: uuid.UUID) -> Complaint:
    [found] = await opened(personal, [await complaint_row(session, complaint_id)])
    return found
