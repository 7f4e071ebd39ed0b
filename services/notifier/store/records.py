"""What taking in an event reads and writes (`Records`), and its PostgreSQL side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Controller, Sealed

from ..domain import Letter
from .cases import (
    add_complainant,
    case_of_complaint,
    controller_of,
    keep_address_code,
    keep_early_link,
    link_complaint,
    open_case,
    prove_address,
    stop_waiting,
    take_address_code,
    take_early_link,
    told,
    waiting_complainants,
)
from .deliveries import enqueue_deliveries
from .letters import record_letters
from .tables import ComplainantRow, EarlyLinkRow


class Records(Protocol):
    """The notifier's knowledge of complaints and cases, its letters and its pending webhook deliveries, as the
    event handlers (handlers.py) read and write them. `PostgresRecords` keeps them in the notifier's tables, in
    the consumer's transaction; the unit tests keep them in memory."""

    async def add_complainant(
        self,
        complaint_id: UUID,
        reference: str,
        kind: str,
        name: Sealed,
        email: Sealed,
        *,
        address_proven: bool = True,
        language: str | None = None,
    ) -> None: ...
    async def keep_address_code(self, complaint_id: UUID, code: Sealed) -> None: ...
    async def take_address_code(self, complaint_id: UUID) -> Sealed | None: ...
    async def prove_address(self, complaint_id: UUID) -> None: ...
    async def open_case(self, case_id: UUID, controller: Controller) -> None: ...
    async def link_complaint(self, complaint_id: UUID, case_id: UUID) -> bool: ...
    async def keep_early_link(self, event: CloudEvent, complaint_id: UUID, case_id: UUID) -> None: ...
    async def take_early_link(self, complaint_id: UUID) -> EarlyLinkRow | None: ...
    async def case_of_complaint(self, complaint_id: UUID) -> UUID | None: ...
    async def controller_of(self, case_id: UUID | None) -> tuple[Controller | None, str | None]: ...
    async def waiting_complainants(
        self, case_id: UUID | None, complaint_id: UUID | None = None
    ) -> Sequence[ComplainantRow]: ...
    async def told(self, complaint_ids: Sequence[UUID], on: date, reminder_due_on: date) -> None: ...
    async def stop_waiting(self, *, case_id: UUID | None = None, complaint_id: UUID | None = None) -> None: ...
    async def record_letters(
        self,
        source_id: str,
        source_type: str,
        letters: Sequence[Letter],
        sealed: Sequence[dict[str, Sealed] | None],
    ) -> None: ...
    async def enqueue_deliveries(self, event: CloudEvent, controller_key: str | None, case_id: UUID | None) -> int: ...


@dataclass(frozen=True)
class PostgresRecords:
    """Records in the notifier's tables, through one session (the consumer's, in its transaction)."""

    session: AsyncSession

    async def add_complainant(
        self,
        complaint_id: UUID,
        reference: str,
        kind: str,
        name: Sealed,
        email: Sealed,
        *,
        address_proven: bool = True,
        language: str | None = None,
    ) -> None:
        await add_complainant(
            self.session, complaint_id, reference, kind, name, email, address_proven=address_proven, language=language
        )

    async def keep_address_code(self, complaint_id: UUID, code: Sealed) -> None:
        await keep_address_code(self.session, complaint_id, code)

    async def take_address_code(self, complaint_id: UUID) -> Sealed | None:
        return await take_address_code(self.session, complaint_id)

    async def prove_address(self, complaint_id: UUID) -> None:
        await prove_address(self.session, complaint_id)

    async def open_case(self, case_id: UUID, controller: Controller) -> None:
        await open_case(self.session, case_id, controller)

    async def link_complaint(self, complaint_id: UUID, case_id: UUID) -> bool:
        return await link_complaint(self.session, complaint_id, case_id)

    async def keep_early_link(self, event: CloudEvent, complaint_id: UUID, case_id: UUID) -> None:
        await keep_early_link(self.session, event, complaint_id, case_id)

    async def take_early_link(self, complaint_id: UUID) -> EarlyLinkRow | None:
        return await take_early_link(self.session, complaint_id)

    async def case_of_complaint(self, complaint_id: UUID) -> UUID | None:
        return await case_of_complaint(self.session, complaint_id)

    async def controller_of(self, case_id: UUID | None) -> tuple[Controller | None, str | None]:
        return await controller_of(self.session, case_id)

    async def waiting_complainants(
        self, case_id: UUID | None, complaint_id: UUID | None = None
    ) -> Sequence[ComplainantRow]:
        return await waiting_complainants(self.session, case_id, complaint_id)

    async def told(self, complaint_ids: Sequence[UUID], on: date, reminder_due_on: date) -> None:
        await told(self.session, complaint_ids, on, reminder_due_on)

    async def stop_waiting(self, *, case_id: UUID | None = None, complaint_id: UUID | None = None) -> None:
        await stop_waiting(self.session, case_id=case_id, complaint_id=complaint_id)

    async def record_letters(
        self,
        source_id: str,
        source_type: str,
        letters: Sequence[Letter],
        sealed: Sequence[dict[str, Sealed] | None],
    ) -> None:
        await record_letters(self.session, source_id, source_type, letters, sealed)

    async def enqueue_deliveries(self, event: CloudEvent, controller_key: str | None, case_id: UUID | None) -> int:
        return await enqueue_deliveries(self.session, event, controller_key, case_id)
