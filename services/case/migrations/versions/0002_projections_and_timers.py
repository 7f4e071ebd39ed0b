"""global event position, read-side projections, Art 78(2) clocks, deadline timers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("position", sa.BigInteger, sa.Identity(), nullable=False))
    op.create_unique_constraint("uq_events_position", "events", ["position"])
    op.create_table(
        "case_summaries",
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("controller_key", sa.String, nullable=False),
        sa.Column("controller_name", sa.String, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("complaints", sa.Integer, nullable=False),
        sa.Column("next_deadline", sa.Date, nullable=True),
        sa.Column("outcome", sa.String, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_case_summaries_controller_key", "case_summaries", ["controller_key"])
    op.create_index("ix_case_summaries_status", "case_summaries", ["status"])
    op.create_index("ix_case_summaries_next_deadline", "case_summaries", ["next_deadline"])
    op.create_table(
        "case_details",
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", JSONB, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "complainant_clocks",
        sa.Column("complaint_id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid, nullable=False),
        sa.Column("last_progress_on", sa.Date, nullable=False),
        sa.Column("running", sa.Boolean, nullable=False),
    )
    op.create_index("ix_complainant_clocks_case_id", "complainant_clocks", ["case_id"])
    op.create_table(
        "timers",
        sa.Column("notice_id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_timers_due_unfired", "timers", ["due_on"], postgresql_where=sa.text("fired_at IS NULL"))
    op.create_table(
        "projection_positions",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("projection_positions")
    op.drop_index("ix_timers_due_unfired", table_name="timers")
    op.drop_table("timers")
    op.drop_table("complainant_clocks")
    op.drop_table("case_details")
    op.drop_table("case_summaries")
    op.drop_constraint("uq_events_position", "events")
    op.drop_column("events", "position")
