"""the authorities working together: a timer per open cooperation deadline, and the case of each reference

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

`cooperation_timers` holds a row per deadline a case's cooperation procedures keep open (GDPR Arts 56, 60-62, 65,
66; Regulation 2025/2518, as reported): the timer looks at the case on `due_on`, and staff read the deadlines near
and overdue from it. `cooperation_references` names the case of each procedure by the reference the authorities
share, so that a step another authority reports finds its case. No case has cooperation events yet: both start
empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cooperation_timers",
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("key", sa.String, primary_key=True),
        sa.Column("reference", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("authority", sa.String, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("warning", sa.Boolean, nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_cooperation_timers_due_unfired",
        "cooperation_timers",
        ["due_on"],
        postgresql_where=sa.text("fired_at IS NULL"),
    )
    op.create_table(
        "cooperation_references",
        sa.Column("reference", sa.String, primary_key=True),
        sa.Column("case_id", sa.Uuid, nullable=False),
    )
    op.create_index("ix_cooperation_references_case_id", "cooperation_references", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_cooperation_references_case_id", table_name="cooperation_references")
    op.drop_table("cooperation_references")
    op.drop_index("ix_cooperation_timers_due_unfired", table_name="cooperation_timers")
    op.drop_table("cooperation_timers")
