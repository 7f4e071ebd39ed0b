"""The complainant's door: their complaint's status, opened with its reference and token, the proof of their
address, and its withdrawal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.errors import Invalid
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
    address_proven: bool


async def own_complaint(
    session: AsyncSession, reference: str, token: str | None, *, for_update: bool = False
) -> store.ComplaintRow:
    """The complaint, if the token is its own; UnknownComplaint otherwise, so nothing is revealed."""
    complaint = await store.by_reference(session, reference, for_update=for_update)
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
        address_proven=complaint.address_proven,
    )


async def withdraw(session: AsyncSession, reference: str, token: str | None, clock: Clock) -> None:
    """The complainant withdraws their complaint (once), announced as complaint.withdrawn."""
    async with session.begin():
        complaint = await own_complaint(session, reference, token)
        if complaint.status == "withdrawn":
            raise AlreadyWithdrawn(f"complaint {reference} is already withdrawn")
        store.withdraw(session, complaint, clock.today())


async def prove_address(session: AsyncSession, reference: str, token: str | None, code: str, clock: Clock) -> None:
    """The complainant enters the code sent to their address: the address is proven (once), announced as
    complaint.address_proven, and letters go there from then on. A wrong code counts against the few tries
    the code has (domain.ADDRESS_CODE_TRIES), and the count is kept although the request is refused."""
    refused: Exception | None = None
    async with session.begin():
        complaint = await own_complaint(session, reference, token, for_update=True)
        if complaint.address_proven or complaint.address_code_digest is None:
            return
        try:
            domain.check_address_code(code, complaint.address_code_digest, complaint.address_code_tries)
        except Invalid as wrong:
            store.count_wrong_code(session, complaint)
            refused = wrong
        else:
            store.prove_address(session, complaint, clock.today())
    if refused is not None:
        raise refused
