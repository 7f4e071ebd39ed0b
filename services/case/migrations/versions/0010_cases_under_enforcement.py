"""the case list says which cases stay open under enforcement

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

A sanctioned case whose injunction is neither complied with nor ended cannot close: its penalty runs. The case list
shows it and filters on it (`under_enforcement`). The cases recorded before are filled here from their events: a
sanction with an injunction, not complied with and not annulled (no decision ended an injunction before this
release).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "case_summaries",
        sa.Column("under_enforcement", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_case_summaries_under_enforcement", "case_summaries", ["under_enforcement"])
    op.execute("""
        UPDATE case_summaries s SET under_enforcement = true
         WHERE s.status = 'sanctioned' AND EXISTS (
               SELECT 1 FROM events e
                WHERE e.stream_id = s.case_id AND e.type = 'docket.sanction.imposed'
                  AND jsonb_typeof(e.data->'injunction') = 'object'
                  AND NOT EXISTS (
                      SELECT 1 FROM events c
                       WHERE c.stream_id = s.case_id AND c.type = 'docket.injunction.complied'
                         AND c.data->>'sanction_id' = e.data->>'sanction_id')
                  AND NOT EXISTS (
                      SELECT 1 FROM events a
                       WHERE a.stream_id = s.case_id AND a.type = 'docket.appeal.decided'
                         AND a.data->>'outcome' = 'annulled' AND a.data->>'decision_id' = e.data->>'sanction_id'))""")


def downgrade() -> None:
    op.drop_index("ix_case_summaries_under_enforcement", table_name="case_summaries")
    op.drop_column("case_summaries", "under_enforcement")
