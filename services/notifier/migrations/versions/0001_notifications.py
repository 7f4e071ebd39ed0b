"""notifications, outbox and inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from docket_messaging.ddl import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("source_event_id", sa.String, nullable=False),
        sa.Column("source_event_type", sa.String, nullable=False),
        sa.Column("channel", sa.String, nullable=False),
        sa.Column("recipient_role", sa.String, nullable=False),
        sa.Column("case_id", sa.Uuid, nullable=True),
        sa.Column("complaint_id", sa.Uuid, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_notifications_source_event_id", "notifications", ["source_event_id"])
    op.create_index("ix_notifications_case_id", "notifications", ["case_id"])
    op.create_index("ix_notifications_complaint_id", "notifications", ["complaint_id"])
    create_messaging_tables()


def downgrade() -> None:
    drop_messaging_tables()
    op.drop_table("notifications")
