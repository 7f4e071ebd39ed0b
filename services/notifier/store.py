"""The notifier's tables: letters with their e-mail state, what it knows of complaints, cases and
controllers, and the webhook subscriptions with their deliveries and attempts. Everything an event
calls for is written in the transaction that records the event in the inbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import topics
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Controller, NotificationRecorded, NotificationSent, Sealed
from docket_contracts.registry import new_event
from docket_messaging.outbox import add_to_outbox
from docket_messaging.tables import utc_column

from .domain import Letter
from .webhooks import Filter, matches

SOURCE = "/docket/notifier"
TABLES = {
    "notifications",
    "complainants",
    "early_links",
    "case_controllers",
    "controller_contacts",
    "subscriptions",
    "deliveries",
    "delivery_attempts",
    "outbox",
    "inbox",
}


def as_sealed(value: Any) -> Sealed | None:
    """The Sealed in a JSON column, or None for a value that is not one (a clear value from before sealing)."""
    return Sealed.model_validate(value) if isinstance(value, dict) else None


# The fields of a letter to a complainant that are personal: kept sealed in `NotificationRow.personal`.
PERSONAL_LETTER_FIELDS = ("recipient_name", "recipient_address", "text", "html")


class NotificationRow(SQLModel, table=True):
    """A letter or e-mail, rendered, with the state of its sending by e-mail. A letter to a complainant
    keeps its recipient, address and text sealed with the complainant's key in `personal` (the clear
    columns stay empty); letters to controllers and staff are in clear."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.Index("ix_notifications_email_due", "next_attempt_at", postgresql_where=sa.text("email_status = 'pending'")),
    )

    id: UUID = Field(primary_key=True)
    source_event_id: str = Field(index=True)
    source_event_type: str
    channel: str
    recipient_role: str
    case_id: UUID | None = Field(default=None, index=True)
    complaint_id: UUID | None = Field(default=None, index=True)
    body: str = Field(sa_type=sa.Text)  # one-line summary
    created_at: datetime = utc_column(server_default=sa.func.now())
    kind: str = ""
    subject: str = ""
    text: str = Field(default="", sa_type=sa.Text)
    html: str = Field(default="", sa_type=sa.Text)
    recipient_name: str = ""
    recipient_address: str | None = None
    controller_key: str | None = Field(default=None, index=True)
    personal: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONB, nullable=True))
    # pending (to e-mail) | sent | failed (attempts exhausted) | no_address (recorded only) | erased
    email_status: str = "no_address"
    attempts: int = 0
    next_attempt_at: datetime | None = utc_column(nullable=True)
    lease: UUID | None = None
    sent_at: datetime | None = utc_column(nullable=True)
    last_error: str | None = Field(default=None, sa_type=sa.Text)


class ComplainantRow(SQLModel, table=True):
    """A complaint's complainant, name and address sealed as complaint.filed carried them, and the
    Art 78(2) clock of when they last had news."""

    __tablename__ = "complainants"

    complaint_id: UUID = Field(primary_key=True)
    reference: str
    kind: str
    name: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    email: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    case_id: UUID | None = Field(default=None, index=True)
    waiting: bool = True  # false once the case is closed or the complaint withdrawn
    last_news_on: date | None = None
    reminder_due_on: date | None = Field(default=None, index=True)


class EarlyLinkRow(SQLModel, table=True):
    """A case.opened or complaint.linked taken in before its complaint.filed (the two topics are consumed
    independently): its letter is written when the complaint, and so the complainant's address, arrives."""

    __tablename__ = "early_links"

    complaint_id: UUID = Field(primary_key=True)
    case_id: UUID
    event_id: str
    event_type: str
    data: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    event_time: datetime = utc_column()


class CaseControllerRow(SQLModel, table=True):
    """Which controller each case is about (from case.opened)."""

    __tablename__ = "case_controllers"

    case_id: UUID = Field(primary_key=True)
    controller_key: str = Field(index=True)
    controller_name: str


class ControllerContactRow(SQLModel, table=True):
    """Where letters to a controller go; events carry no controller address."""

    __tablename__ = "controller_contacts"

    controller_key: str = Field(primary_key=True)
    email: str
    updated_at: datetime = utc_column(server_default=sa.func.now())
    updated_by: str | None = None


class SubscriptionRow(SQLModel, table=True):
    __tablename__ = "subscriptions"

    id: UUID = Field(primary_key=True)
    owner: str = Field(index=True)  # the subject of the token that created it
    url: str
    event_types: list[str] = Field(sa_column=sa.Column(ARRAY(sa.String), nullable=False))
    controller_key: str | None = None
    case_id: UUID | None = None
    description: str | None = None
    status: str = "active"  # active | paused | disabled
    disabled_reason: str | None = None
    # Signing secrets, sealed with a key of the subscription's own (subject id = subscription id).
    secret: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    previous_secret: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONB, nullable=True))
    previous_secret_until: datetime | None = utc_column(nullable=True)
    created_at: datetime = utc_column(server_default=sa.func.now())
    updated_at: datetime = utc_column(server_default=sa.func.now())

    @property
    def filter(self) -> Filter:
        return Filter(tuple(self.event_types), self.controller_key, self.case_id)


class DeliveryRow(SQLModel, table=True):
    """One event to one subscriber; its id is the `webhook-id`, the same on every attempt."""

    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "event_id"),
        # The claim's two questions: what is due, and is an earlier delivery of the same case still pending.
        sa.Index("ix_deliveries_due", "next_attempt_at", postgresql_where=sa.text("status = 'pending'")),
        sa.Index(
            "ix_deliveries_pending_per_key",
            "subscription_id",
            "ordering_key",
            "seq",
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )

    id: UUID = Field(primary_key=True)
    seq: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), unique=True))
    subscription_id: UUID = Field(
        sa_column=sa.Column(sa.Uuid, sa.ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False)
    )
    event_id: str = Field(index=True)
    event_type: str
    ordering_key: str  # the event's aggregate (its case or complaint): delivered in order per subscriber
    body: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    status: str = "pending"  # pending | delivered | dead
    attempts: int = 0
    next_attempt_at: datetime = utc_column(server_default=sa.func.now())
    lease: UUID | None = None
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    dead_reason: str | None = Field(default=None, sa_type=sa.Text)
    delivered_at: datetime | None = utc_column(nullable=True)
    created_at: datetime = utc_column(server_default=sa.func.now())


class DeliveryAttemptRow(SQLModel, table=True):
    __tablename__ = "delivery_attempts"

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True))
    delivery_id: UUID = Field(
        sa_column=sa.Column(sa.Uuid, sa.ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    number: int
    started_at: datetime = utc_column()
    latency_ms: int
    status_code: int | None = None
    error: str | None = Field(default=None, sa_type=sa.Text)
    verdict: str


# --- what the notifier knows of complaints and cases ------------------------------------------------------


async def add_complainant(
    session: AsyncSession, complaint_id: UUID, reference: str, kind: str, name: Sealed, email: Sealed
) -> None:
    await session.exec(
        insert(ComplainantRow)
        .values(
            complaint_id=complaint_id,
            reference=reference,
            kind=kind,
            name=name.model_dump(mode="json"),
            email=email.model_dump(mode="json"),
            waiting=True,
        )
        .on_conflict_do_nothing()
    )


async def open_case(session: AsyncSession, case_id: UUID, controller: Controller) -> None:
    await session.exec(
        insert(CaseControllerRow)
        .values(case_id=case_id, controller_key=controller.key, controller_name=controller.name)
        .on_conflict_do_nothing()
    )


async def link_complaint(session: AsyncSession, complaint_id: UUID, case_id: UUID) -> bool:
    """Tie the complaint to its case; False if the complaint is not known yet."""
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


# --- letters ----------------------------------------------------------------------------------------------


async def record_letters(
    session: AsyncSession,
    source_id: str,
    source_type: str,
    letters: Sequence[Letter],
    sealed: Sequence[dict[str, Sealed] | None],
) -> None:
    """Store each letter (to be e-mailed when it has an address) and announce it as notification.recorded.

    `sealed[i]` holds letter i's personal fields sealed (a letter to a complainant), or is None (in clear).
    """
    events = []
    for letter, personal in zip(letters, sealed, strict=True):
        clear = personal is None
        row = NotificationRow(
            id=uuid4(),
            source_event_id=source_id,
            source_event_type=source_type,
            channel=letter.channel,
            recipient_role=letter.recipient_role,
            case_id=letter.case_id,
            complaint_id=letter.complaint_id,
            body=letter.summary,
            kind=letter.kind,
            subject=letter.subject,
            text=letter.text if clear else "",
            html=letter.html if clear else "",
            recipient_name=letter.recipient_name if clear else "",
            recipient_address=letter.address if clear else None,
            personal=None if personal is None else {k: v.model_dump(mode="json") for k, v in personal.items()},
            controller_key=letter.controller_key,
            email_status="pending" if letter.address else "no_address",
            next_attempt_at=datetime.now(UTC),
        )
        session.add(row)
        recorded = NotificationRecorded(
            notification_id=row.id,
            source_event_id=source_id,
            source_event_type=source_type,
            channel=letter.channel,
            recipient_role=letter.recipient_role,
            case_id=letter.case_id,
            complaint_id=letter.complaint_id,
            title=None if clear else letter.subject,
            text=None if personal is None else personal["text"],
        )
        events.append(new_event(recorded, source=SOURCE, subject=str(row.id)))
    add_to_outbox(session, events, topics.NOTIFICATIONS)


def announce_sent(session: AsyncSession, sent: NotificationSent) -> None:
    add_to_outbox(session, [new_event(sent, source=SOURCE, subject=str(sent.notification_id))], topics.NOTIFICATIONS)


async def find(
    session: AsyncSession, case_id: UUID | None, complaint_id: UUID | None, limit: int, offset: int
) -> Sequence[NotificationRow]:
    query = select(NotificationRow)
    if case_id is not None:
        query = query.where(NotificationRow.case_id == case_id)
    if complaint_id is not None:
        query = query.where(NotificationRow.complaint_id == complaint_id)
    query = query.order_by(col(NotificationRow.created_at), col(NotificationRow.id)).limit(limit).offset(offset)
    return (await session.exec(query)).all()


# --- webhook deliveries -----------------------------------------------------------------------------------


async def enqueue_deliveries(
    session: AsyncSession, event: CloudEvent, controller_key: str | None, case_id: UUID | None
) -> int:
    """A pending delivery of `event` for every subscription (active or paused) that asks for it."""
    candidates = (
        await session.exec(
            select(SubscriptionRow).where(
                col(SubscriptionRow.status).in_(["active", "paused"]),
                sa.literal(event.type) == sa.func.any(col(SubscriptionRow.event_types)),
            )
        )
    ).all()
    wanted = [s for s in candidates if matches(s.filter, event.type, controller_key, case_id)]
    if not wanted:
        return 0
    body = event.structured()
    await session.exec(
        insert(DeliveryRow)
        .values(
            [
                {
                    "id": uuid4(),
                    "subscription_id": s.id,
                    "event_id": event.id,
                    "event_type": event.type,
                    "ordering_key": event.subject,
                    "body": body,
                    "status": "pending",
                    "attempts": 0,
                }
                for s in wanted
            ]
        )
        .on_conflict_do_nothing()
    )
    return len(wanted)


async def subscriptions(
    session: AsyncSession, *, owner: str | None = None, limit: int = 100, offset: int = 0
) -> Sequence[SubscriptionRow]:
    """The subscriptions (only `owner`'s when given), oldest first."""
    query = select(SubscriptionRow)
    if owner is not None:
        query = query.where(col(SubscriptionRow.owner) == owner)
    query = query.order_by(col(SubscriptionRow.created_at), col(SubscriptionRow.id))
    return (await session.exec(query.limit(limit).offset(offset))).all()


async def deliveries(
    session: AsyncSession,
    *,
    subscription_id: UUID | None = None,
    event_id: str | None = None,
    status: str | None = None,
    owner: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[DeliveryRow]:
    query = select(DeliveryRow)
    if owner is not None:
        query = query.join(SubscriptionRow, col(SubscriptionRow.id) == col(DeliveryRow.subscription_id)).where(
            col(SubscriptionRow.owner) == owner
        )
    if subscription_id is not None:
        query = query.where(col(DeliveryRow.subscription_id) == subscription_id)
    if event_id is not None:
        query = query.where(col(DeliveryRow.event_id) == event_id)
    if status is not None:
        query = query.where(col(DeliveryRow.status) == status)
    return (await session.exec(query.order_by(col(DeliveryRow.seq)).limit(limit).offset(offset))).all()


async def attempts_of(session: AsyncSession, delivery_ids: Sequence[UUID]) -> dict[UUID, list[DeliveryAttemptRow]]:
    found: dict[UUID, list[DeliveryAttemptRow]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        rows = (
            await session.exec(
                select(DeliveryAttemptRow)
                .where(col(DeliveryAttemptRow.delivery_id).in_(delivery_ids))
                .order_by(col(DeliveryAttemptRow.id))
            )
        ).all()
        for row in rows:
            found[row.delivery_id].append(row)
    return found


# --- what taking in an event reads and writes -------------------------------------------------------------


class Records(Protocol):
    """The notifier's knowledge of complaints and cases, its letters and its pending webhook deliveries, as the
    event handlers (handlers.py) read and write them. `PostgresRecords` keeps them in the tables above, in the
    consumer's transaction; the unit tests keep them in memory."""

    async def add_complainant(
        self, complaint_id: UUID, reference: str, kind: str, name: Sealed, email: Sealed
    ) -> None: ...
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
    """Records in this module's tables, through one session (the consumer's, in its transaction)."""

    session: AsyncSession

    async def add_complainant(self, complaint_id: UUID, reference: str, kind: str, name: Sealed, email: Sealed) -> None:
        await add_complainant(self.session, complaint_id, reference, kind, name, email)

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
