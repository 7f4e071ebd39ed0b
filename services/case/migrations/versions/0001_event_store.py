"""event store, lookups, outbox and inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from docket_messaging.ddl import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("stream_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String, nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("actor", sa.String, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("stream_id", "version", name="pk_events"),
        sa.CheckConstraint("version > 0", name="ck_events_version_positive"),
    )
    op.create_table(
        "case_complaints",
        sa.Column("complaint_id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid, nullable=False),
    )
    op.create_index("ix_case_complaints_case_id", "case_complaints", ["case_id"])
    op.create_table(
        "open_cases",
        sa.Column("controller_key", sa.String, primary_key=True),
        sa.Column("case_id", sa.Uuid, nullable=False, unique=True),
    )
    create_messaging_tables()


def downgrade() -> None:
    drop_messaging_tables()
    op.drop_table("open_cases")
    op.drop_table("case_complaints")
    op.drop_table("events")
