"""the cooperation exchange: the record of messages received and sent, the outbox, each attempt

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

`cooperation_messages` records every message received from another authority (accepted or refused, with its
token as received) and every message sent (delivered, with the token that got it there, or given up); the
serving role may only add to it. A sender's message is accepted once: the partial unique index on (peer, jti)
refuses a second accepted row. `cooperation_outbox` holds the messages waiting for their authority, written in
the transaction of the case event they carry; `cooperation_attempts` each attempt to deliver one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    op.create_table(
        "cooperation_messages",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("direction", sa.String, nullable=False),
        sa.Column("peer", sa.String, nullable=True),
        sa.Column("jti", sa.String, nullable=True),
        sa.Column("event_type", sa.String, nullable=True),
        sa.Column("cooperation_reference", sa.String, nullable=True),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("outcome", sa.String, nullable=False),
        sa.Column("reason", sa.String, nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "uq_cooperation_messages_accepted_jti",
        "cooperation_messages",
        ["peer", "jti"],
        unique=True,
        postgresql_where=sa.text("direction = 'received' AND outcome = 'accepted'"),
    )
    op.create_index("ix_cooperation_messages_cooperation_reference", "cooperation_messages", ["cooperation_reference"])
    op.create_table(
        "cooperation_outbox",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("peer", sa.String, nullable=False),
        sa.Column("event_id", sa.String, nullable=False),
        sa.Column("event_type", sa.String, nullable=False),
        sa.Column("cooperation_reference", sa.String, nullable=True),
        sa.Column("ordering_key", sa.String, nullable=False),
        sa.Column("event", JSONB, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("lease", sa.Uuid, nullable=True),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("dead_reason", sa.Text, nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("peer", "event_id"),
    )
    op.create_index("ix_cooperation_outbox_due", "cooperation_outbox", ["next_attempt_at"], postgresql_where=PENDING)
    op.create_index(
        "ix_cooperation_outbox_pending_per_key",
        "cooperation_outbox",
        ["peer", "ordering_key", "seq"],
        postgresql_where=PENDING,
    )
    op.create_table(
        "cooperation_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("outbox_id", sa.Uuid, sa.ForeignKey("cooperation_outbox.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("reason", sa.String, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("verdict", sa.String, nullable=False),
    )
    op.create_index("ix_cooperation_attempts_outbox_id", "cooperation_attempts", ["outbox_id"])
    # The record is added to, never rewritten: the roles that serve (given every right on new tables by
    # deploy/postgres/roles.sql's default privileges) lose the others.
    op.execute("""
        DO $$
        DECLARE serving text;
        BEGIN
            FOR serving IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
                           WHERE table_schema = current_schema() AND table_name = 'cooperation_messages'
                             AND grantee NOT IN (current_user, 'PUBLIC')
            LOOP
                EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON cooperation_messages FROM %I', serving);
            END LOOP;
        END $$""")


def downgrade() -> None:
    op.drop_table("cooperation_attempts")
    op.drop_table("cooperation_outbox")
    op.drop_table("cooperation_messages")
