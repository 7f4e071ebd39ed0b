"""What the notifier knows of complaints, cases and controllers: the complainants and their Art 78(2) clocks,
links taken in before their complaint, each case's controller, and where letters to a controller go."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Controller, Sealed

from .tables import (
    AddressCodeRow,
    CaseControllerRow,
    ComplainantRow,
    ControllerContactRow,
    EarlyLinkRow,
    NotificationRow,
)


async def add_complainant(
    session: AsyncSession,
    complaint_id: UUID,
    reference: str,
    kind: str,
    name: Sealed,
    email: Sealed,
    *,
    address_proven: bool = True,
    language: str | None = None,
) -> None:
    await hold_complaint(session, complaint_id)
    await session.exec(
        insert(ComplainantRow)
        .values(
            complaint_id=complaint_id,
            reference=reference,
            kind=kind,
            name=name.model_dump(mode="json"),
            email=email.model_dump(mode="json"),
            waiting=True,
            address_proven=address_proven,
            language=language,
        )
        .on_conflict_do_nothing()
    )


async def hold_complaint(session: AsyncSession, complaint_id: UUID) -> None:
    """Until the transaction ends, no other one learns the complainant or links the complaint. The complaint's
    complaint.filed and its case's link come from two topics, which processes of the notifier may take in at the
    same moment: held, a link waits for the complainant's commit and finds them, or is kept as early before
    complaint.filed looks for it, instead of each missing the other."""
    key = sa.func.hashtextextended(f"docket notifier complaint {complaint_id}", 0)
    await session.scalar(sa.select(sa.func.pg_advisory_xact_lock(key)))


async def keep_address_code(session: AsyncSession, complaint_id: UUID, code: Sealed) -> None:
    await session.exec(
        insert(AddressCodeRow)
        .values(complaint_id=complaint_id, code=code.model_dump(mode="json"))
        .on_conflict_do_nothing()
    )


async def take_address_code(session: AsyncSession, complaint_id: UUID) -> Sealed | None:
    row = await session.get(AddressCodeRow, complaint_id)
    if row is None:
        return None
    await session.delete(row)
    return Sealed.model_validate(row.code)


async def prove_address(session: AsyncSession, complaint_id: UUID) -> None:
    """The complainant proved their address: letters go there from now on, those held for it first."""
    await session.exec(
        sa.update(ComplainantRow).where(col(ComplainantRow.complaint_id) == complaint_id).values(address_proven=True)
    )
    await session.exec(
        sa.update(NotificationRow)
        .where(col(NotificationRow.complaint_id) == complaint_id, col(NotificationRow.email_status) == "unproven")
        .values(email_status="pending", next_attempt_at=sa.func.now())
    )


async def open_case(session: AsyncSession, case_id: UUID, controller: Controller) -> None:
    await session.exec(
        insert(CaseControllerRow)
        .values(case_id=case_id, controller_key=controller.key, controller_name=controller.name)
        .on_conflict_do_nothing()
    )


async def link_complaint(session: AsyncSession, complaint_id: UUID, case_id: UUID) -> bool:
    """Tie the complaint to its case; False if the complaint is not known yet."""
    await hold_complaint(session, complaint_id)
    result = await session.exec(
        sa.update(ComplainantRow).where(col(ComplainantRow.complaint_id) == complaint_id).values(case_id=case_id)
    )
    return bool(result.rowcount)


async def keep_early_link(session: AsyncSession, event: CloudEvent, complaint_id: UUID, case_id: UUID) -> None:
    await session.exec(
        insert(EarlyLinkRow)
        .values(
            complaint_id=complaint_id,
            case_id=case_id,
            event_id=event.id,
            event_type=event.type,
            data=event.data,
            event_time=event.time,
        )
        .on_conflict_do_nothing()
    )


async def take_early_link(session: AsyncSession, complaint_id: UUID) -> EarlyLinkRow | None:
    row = await session.get(EarlyLinkRow, complaint_id)
    if row is not None:
        await session.delete(row)
    return row


async def case_of_complaint(session: AsyncSession, complaint_id: UUID) -> UUID | None:
    return await session.scalar(
        sa.select(col(ComplainantRow.case_id)).where(col(ComplainantRow.complaint_id) == complaint_id)
    )


async def controller_of(session: AsyncSession, case_id: UUID | None) -> tuple[Controller | None, str | None]:
    """The case's controller and its contact address, as far as they are known."""
    if case_id is None or (row := await session.get(CaseControllerRow, case_id)) is None:
        return None, None
    contact = await session.get(ControllerContactRow, row.controller_key)
    return Controller(key=row.controller_key, name=row.controller_name), contact.email if contact else None


async def waiting_complainants(
    session: AsyncSession, case_id: UUID | None, complaint_id: UUID | None = None
) -> Sequence[ComplainantRow]:
    """The complainants of the case (and of `complaint_id`) still owed news, by reference."""
    wanted = []
    if case_id is not None:
        wanted.append(col(ComplainantRow.case_id) == case_id)
    if complaint_id is not None:
        wanted.append(col(ComplainantRow.complaint_id) == complaint_id)
    if not wanted:
        return []
    return (
        await session.exec(
            select(ComplainantRow)
            .where(sa.or_(*wanted), col(ComplainantRow.waiting))
            .order_by(col(ComplainantRow.reference))
        )
    ).all()


async def told(session: AsyncSession, complaint_ids: Sequence[UUID], on: date, reminder_due_on: date) -> None:
    """Complainants had news on `on` (or their complaint was received then): their Art 78(2) three months run
    from it, unless they run from a later day already or no news is owed to them any more."""
    if complaint_ids:
        later = sa.or_(col(ComplainantRow.last_news_on).is_(None), col(ComplainantRow.last_news_on) <= on)
        await session.exec(
            sa.update(ComplainantRow)
            .where(col(ComplainantRow.complaint_id).in_(complaint_ids), col(ComplainantRow.waiting), later)
            .values(last_news_on=on, reminder_due_on=reminder_due_on)
        )


async def stop_waiting(session: AsyncSession, *, case_id: UUID | None = None, complaint_id: UUID | None = None) -> None:
    """No complainant of the closed case (or the withdrawn complaint) waits for news any more."""
    where = col(ComplainantRow.case_id) == case_id if case_id else col(ComplainantRow.complaint_id) == complaint_id
    await session.exec(sa.update(ComplainantRow).where(where).values(waiting=False, reminder_due_on=None))


async def set_controller_contact(session: AsyncSession, key: str, email: str, by: str) -> None:
    """Record the address (and who set it) and send it the letters that were waiting for one."""
    await session.exec(
        insert(ControllerContactRow)
        .values(controller_key=key, email=email, updated_by=by)
        .on_conflict_do_update(
            index_elements=["controller_key"], set_={"email": email, "updated_by": by, "updated_at": sa.func.now()}
        )
    )
    await session.exec(
        sa.update(NotificationRow)
        .where(
            col(NotificationRow.controller_key) == key,
            col(NotificationRow.recipient_role) == "controller",
            col(NotificationRow.email_status) == "no_address",
        )
        .values(recipient_address=email, email_status="pending", next_attempt_at=sa.func.now())
    )
