"""The case service's tables of the cooperation exchange: the record of every message received and sent (with
the signed token as it travelled), the outbox of messages waiting to go, and each attempt to send one."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from docket_messaging.tables import utc_column

RECEIVED, SENT = "received", "sent"
ACCEPTED = "accepted"


class CooperationMessageRow(SQLModel, table=True):
    """A message received (accepted or refused) or sent (delivered, or given up on), with its token as it
    travelled. The serving role may only add rows (migration 0013): the record is never rewritten."""

    __tablename__ = "cooperation_messages"
    __table_args__ = (
        # A message is accepted once: a second accepted row of the same sender's jti cannot be written, so two
        # copies racing each other end with one accepted and the other refused as already received.
        sa.Index(
            "uq_cooperation_messages_accepted_jti",
            "peer",
            "jti",
            unique=True,
            postgresql_where=sa.text("direction = 'received' AND outcome = 'accepted'"),
        ),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True))
    direction: str  # received | sent
    # The other authority: for a refused message, the one its token claims (unverified); None if it names none.
    peer: str | None = None
    jti: str | None = None  # the CloudEvent's id
    event_type: str | None = None
    cooperation_reference: str | None = Field(default=None, index=True)
    token: str = Field(sa_type=sa.Text)  # the compact JWS, as received or as delivered
    outcome: str  # received: accepted | refused; sent: delivered | undelivered
    reason: str | None = None  # why refused (docket_exchange.messages.Reason), or why given up
    detail: str | None = Field(default=None, sa_type=sa.Text)
    recorded_at: datetime = utc_column(server_default=sa.func.now())


class CooperationOutboxRow(SQLModel, table=True):
    """A message waiting to be delivered to another authority, written in the transaction of the case event it
    carries; signed at each attempt. Delivered in order per authority and case (`ordering_key`)."""

    __tablename__ = "cooperation_outbox"
    __table_args__ = (
        sa.UniqueConstraint("peer", "event_id"),
        sa.Index("ix_cooperation_outbox_due", "next_attempt_at", postgresql_where=sa.text("status = 'pending'")),
        sa.Index(
            "ix_cooperation_outbox_pending_per_key",
            "peer",
            "ordering_key",
            "seq",
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )

    id: UUID = Field(primary_key=True)
    seq: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), unique=True))
    peer: str
    event_id: str
    event_type: str
    cooperation_reference: str | None = None
    ordering_key: str  # the event's subject (its case)
    event: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))  # CloudEvents JSON format
    status: str = "pending"  # pending | delivered | dead | not_sent (to an authority the exchange does not reach)
    attempts: int = 0
    next_attempt_at: datetime = utc_column(server_default=sa.func.now())
    lease: UUID | None = None
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    dead_reason: str | None = Field(default=None, sa_type=sa.Text)
    delivered_at: datetime | None = utc_column(nullable=True)
    created_at: datetime = utc_column(server_default=sa.func.now())


class CooperationAttemptRow(SQLModel, table=True):
    """One attempt to deliver an outbox message, and what came of it."""

    __tablename__ = "cooperation_attempts"

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True))
    outbox_id: UUID = Field(
        sa_column=sa.Column(
            sa.Uuid, sa.ForeignKey("cooperation_outbox.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    number: int
    started_at: datetime = utc_column()
    latency_ms: int
    status_code: int | None = None
    reason: str | None = None  # the refusal's reason, if the peer refused
    error: str | None = Field(default=None, sa_type=sa.Text)
    verdict: str  # delivered | retry | dead


def reference_of(data: dict[str, Any]) -> str | None:
    """The cooperation procedure an event belongs to, when its payload names one."""
    reference = data.get("cooperation_reference")
    return reference if isinstance(reference, str) else None


TABLES = {"cooperation_messages", "cooperation_outbox", "cooperation_attempts"}
