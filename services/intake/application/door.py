"""The complainant's door: their complaint's status, opened with its reference and token, and its withdrawal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_service.clock import Clock

from .. import domain, store
from ..errors import AlreadyWithdrawn, UnknownComplaint


@dataclass(frozen=True)
class Progress:
    """One line of a complaint's progress, as its complainant reads it."""

    on: date | None
    text: str


@dataclass(frozen=True)
class Status:
    """The complainant's view of their complaint: its receipt, then each line of news."""

    reference: str
    kind: str
    controller_name: str
    received_on: date
    status: str
    progress: tuple[Progress, ...]


async def own_complaint(session: AsyncSession, reference: str, token: str | None) -> store.ComplaintRow:
    """The complaint, if the token is its own; UnknownComplaint otherwise, so nothing is revealed."""
    complaint = await store.by_reference(session, reference)
    if complaint is None or not domain.token_matches(token, complaint.status_token_digest):
        raise UnknownComplaint(f"no complaint {reference} for this token")
    return complaint


async def progress_of(session: AsyncSession, complaint_id: uuid.UUID) -> tuple[Progress, ...]:
    return tuple(Progress(on=line.on, text=line.text) for line in await store.progress_of(session, complaint_id))


async def complaint_status(session: AsyncSession, reference: str, token: str | None) -> Status:
    """The complaint's status page, if the token is its own."""
    complaint = await own_complaint(session, reference, token)
    received = Progress(on=complaint.received_on, text="We received your complaint.")
    return Status(
        reference=complaint.reference,
        kind=complaint.kind,
        controller_name=complaint.controller_name,
        received_on=complaint.received_on,
        status=complaint.status,
        progress=(received, *await progress_of(session, complaint.id)),
    )


async def withdraw(session: AsyncSession, reference: str, token: str | None, clock: Clock) -> None:
    """The complainant withdraws their complaint (once), announced as complaint.withdrawn."""
    async with session.begin():
        complaint = await own_complaint(session, reference, token)
        if complaint.status == "withdrawn":
            raise AlreadyWithdrawn(f"complaint {reference} is already withdrawn")
        store.withdraw(session, complaint, clock.today())
