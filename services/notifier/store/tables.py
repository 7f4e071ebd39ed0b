"""The notifier's tables: letters with their e-mail state, what it knows of complaints, cases and
controllers, and the webhook subscriptions with their deliveries and attempts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from docket_contracts.events import LETTER_TEXT, Sealed
from docket_messaging.tables import utc_column

from ..domain.webhooks import Filter

SOURCE = "/docket/notifier"
TABLES = {
    "notifications",
    "complainants",
    "address_codes",
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


# The fields of a letter to a complainant that are personal: kept sealed in `NotificationRow.personal`, each
# sealed as the field named here (docket_privacy); the text travels so in notification.recorded.
PERSONAL_LETTER_FIELDS = {
    "recipient_name": "letter.recipient_name",
    "recipient_address": "letter.recipient_address",
    "text": LETTER_TEXT,
    "html": "letter.html",
}
# A webhook subscription's signing secret (and the previous one, kept for a grace period) is sealed as this.
SECRET = "subscription.secret"


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
    # | unproven (held until its complainant proves the address, then pending)
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
    # False from a filing at the public door until its code is entered (complaint.address_proven): meanwhile
    # only the letter asking for the proof goes to the address.
    address_proven: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    language: str | None = None  # the language letters to the complainant are written in (None: the authority's)
    last_news_on: date | None = None
    reminder_due_on: date | None = Field(default=None, index=True)


class AddressCodeRow(SQLModel, table=True):
    """The code that proves a complainant's address (complaint.address_code_issued, sealed), kept until its
    complaint.filed, which comes next and brings the address it is sent to."""

    __tablename__ = "address_codes"

    complaint_id: UUID = Field(primary_key=True)
    code: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))


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
    # An integrator's subscription: the owner's docket.events.* scopes as its latest token showed them, and
    # when. None for one made by staff, whose role covers every event, or before scopes were kept.
    scopes: list[str] | None = Field(default=None, sa_column=sa.Column(ARRAY(sa.String), nullable=True))
    scopes_seen_at: datetime | None = utc_column(nullable=True)
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
