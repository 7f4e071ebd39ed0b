"""a snapshot beside each stream, the case's complaints as a list of their own, no shared position row

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

A command used to replay every event of its case and a link rewrote the whole detail document with every
complaint in it, so a case with thousands of complaints slowed every command on it. Now `snapshots` holds
each case as folded so far and the detail document holds the number of complaints; the complaints
themselves are listed from `case_complaints`, which gains what the list shows (filled here from the
events). `projection_positions`, one row every append of every case updated and nothing read, is gone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("stream_id", sa.Uuid, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("fold", sa.Integer, nullable=False),
        sa.Column("state", JSONB, nullable=False),
    )
    op.add_column("case_complaints", sa.Column("kind", sa.String, nullable=True))
    op.add_column("case_complaints", sa.Column("received_on", sa.Date, nullable=True))
    op.add_column("case_complaints", sa.Column("version", sa.Integer, nullable=True))
    op.execute("""
        UPDATE case_complaints c
           SET kind = e.data->>'complaint_kind',
               received_on = COALESCE(e.data->>'received_on', e.data->>'opened_on')::date,
               version = e.version
          FROM events e
         WHERE e.type IN ('docket.case.opened', 'docket.complaint.linked')
           AND e.stream_id = c.case_id AND (e.data->>'complaint_id')::uuid = c.complaint_id""")
    op.drop_index("ix_case_complaints_case_id", table_name="case_complaints")
    op.create_index("ix_case_complaints_case_id_version", "case_complaints", ["case_id", "version"])
    op.drop_table("projection_positions")


def downgrade() -> None:
    op.create_table(
        "projection_positions",
        sa.Column("name", sa.String, primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.execute("INSERT INTO projection_positions SELECT 'case_views', coalesce(max(position), 0) FROM case_details")
    op.drop_index("ix_case_complaints_case_id_version", table_name="case_complaints")
    op.create_index("ix_case_complaints_case_id", "case_complaints", ["case_id"])
    op.drop_column("case_complaints", "version")
    op.drop_column("case_complaints", "received_on")
    op.drop_column("case_complaints", "kind")
    op.drop_table("snapshots")
