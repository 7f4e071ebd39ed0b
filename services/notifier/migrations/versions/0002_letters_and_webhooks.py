"""letters with their e-mail state, complainants, early links, cases' controllers, controller contacts, webhook
subscriptions, deliveries and delivery attempts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LETTER_COLUMNS = (
    sa.Column("kind", sa.String, nullable=False, server_default=""),
    sa.Column("subject", sa.String, nullable=False, server_default=""),
    sa.Column("text", sa.Text, nullable=False, server_default=""),
    sa.Column("html", sa.Text, nullable=False, server_default=""),
    sa.Column("recipient_name", sa.String, nullable=False, server_default=""),
    sa.Column("recipient_address", sa.String, nullable=True),
    sa.Column("controller_key", sa.String, nullable=True),
    sa.Column("email_status", sa.String, nullable=False, server_default="no_address"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("lease", sa.Uuid, nullable=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
)


def upgrade() -> None:
    for column in LETTER_COLUMNS:
        op.add_column("notifications", column)
    op.create_index("ix_notifications_controller_key", "notifications", ["controller_key"])
    op.create_index(
        "ix_notifications_email_due",
        "notifications",
        ["next_attempt_at"],
        postgresql_where=sa.text("email_status = 'pending'"),
    )

    op.create_table(
        "complainants",
        sa.Column("complaint_id", sa.Uuid, primary_key=True),
        sa.Column("reference", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("email", sa.String, nullable=False),
        sa.Column("case_id", sa.Uuid, nullable=True),
        sa.Column("waiting", sa.Boolean, nullable=False),
        sa.Column("last_news_on", sa.Date, nullable=True),
        sa.Column("reminder_due_on", sa.Date, nullable=True),
    )
    op.create_index("ix_complainants_case_id", "complainants", ["case_id"])
    op.create_index("ix_complainants_reminder_due_on", "complainants", ["reminder_due_on"])
    op.create_table(
        "early_links",
        sa.Column("complaint_id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid, nullable=False),
        sa.Column("event_id", sa.String, nullable=False),
        sa.Column("event_type", sa.String, nullable=False),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "case_controllers",
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("controller_key", sa.String, nullable=False),
        sa.Column("controller_name", sa.String, nullable=False),
    )
    op.create_index("ix_case_controllers_controller_key", "case_controllers", ["controller_key"])
    op.create_table(
        "controller_contacts",
        sa.Column("controller_key", sa.String, primary_key=True),
        sa.Column("email", sa.String, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("url", sa.String, nullable=False),
        sa.Column("event_types", ARRAY(sa.String), nullable=False),
        sa.Column("controller_key", sa.String, nullable=True),
        sa.Column("case_id", sa.Uuid, nullable=True),
        sa.Column("description", sa.String, nullable=True),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("disabled_reason", sa.String, nullable=True),
        sa.Column("secret", sa.String, nullable=False),
        sa.Column("previous_secret", sa.String, nullable=True),
        sa.Column("previous_secret_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
        sa.Column("subscription_id", sa.Uuid, sa.ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_id", sa.String, nullable=False),
        sa.Column("event_type", sa.String, nullable=False),
        sa.Column("ordering_key", sa.String, nullable=False),
        sa.Column("body", JSONB, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("lease", sa.Uuid, nullable=True),
        sa.Column("last_status_code", sa.Integer, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("dead_reason", sa.Text, nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("subscription_id", "event_id"),
    )
    op.create_index("ix_deliveries_event_id", "deliveries", ["event_id"])
    # The claim's two questions: what is due, and is an earlier delivery of the same case still pending.
    op.create_index(
        "ix_deliveries_due", "deliveries", ["next_attempt_at"], postgresql_where=sa.text("status = 'pending'")
    )
    op.create_index(
        "ix_deliveries_pending_per_key",
        "deliveries",
        ["subscription_id", "ordering_key", "seq"],
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("delivery_id", sa.Uuid, sa.ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("verdict", sa.String, nullable=False),
    )
    op.create_index("ix_delivery_attempts_delivery_id", "delivery_attempts", ["delivery_id"])


def downgrade() -> None:
    op.drop_table("delivery_attempts")
    op.drop_table("deliveries")
    op.drop_table("subscriptions")
    op.drop_table("controller_contacts")
    op.drop_table("case_controllers")
    op.drop_table("early_links")
    op.drop_table("complainants")
    op.drop_index("ix_notifications_email_due", table_name="notifications")
    op.drop_index("ix_notifications_controller_key", table_name="notifications")
    for column in reversed(LETTER_COLUMNS):
        op.drop_column("notifications", column.name)
