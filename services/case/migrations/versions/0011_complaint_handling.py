"""each complaint's own handling: its record, the letters' timers, a campaign's steps; who holds each case

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

`complaint_records` holds each complaint's handling as it stands, folded from its case's events: what the
handling commands decide on and the queues, the workload, the campaigns and the annual figures read. The
complaints of existing cases are filled in here, received (or closed with their case); `rebuild-projections`
makes them again from the events. `letter_timers` wake the reminder of a controller whose answer is late;
`campaign_steps` keep what a campaign's request did, case by case, under its Idempotency-Key. A case summary
names who holds the case; a complainant's clock keeps the day they were first told of progress.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("ended_on IS NULL")


def upgrade() -> None:
    op.create_table(
        "complaint_records",
        sa.Column("complaint_id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid, nullable=False),
        sa.Column("controller_key", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("category", sa.String, nullable=True),
        sa.Column("body_key", sa.String, nullable=True),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("step", sa.String, nullable=True),
        sa.Column("step_since", sa.Date, nullable=False),
        sa.Column("staff", sa.String, nullable=True),
        sa.Column("team", sa.String, nullable=True),
        sa.Column("assigned_on", sa.Date, nullable=True),
        sa.Column("decided_on", sa.Date, nullable=True),
        sa.Column("inadmissible_reason", sa.String, nullable=True),
        sa.Column("letter_id", sa.Uuid, nullable=True),
        sa.Column("asked_on", sa.Date, nullable=True),
        sa.Column("answer_due", sa.Date, nullable=True),
        sa.Column("reminded_on", sa.Date, nullable=True),
        sa.Column("answered_on", sa.Date, nullable=True),
        sa.Column("joined_on", sa.Date, nullable=True),
        sa.Column("transferred_to", sa.String, nullable=True),
        sa.Column("ended_on", sa.Date, nullable=True),
        sa.Column("outcome", sa.String, nullable=True),
    )
    for column in ("case_id", "body_key", "received_on", "letter_id"):
        op.create_index(f"ix_complaint_records_{column}", "complaint_records", [column])
    op.create_index("ix_complaint_records_staff_open", "complaint_records", ["staff"], postgresql_where=OPEN)
    op.create_index("ix_complaint_records_team_open", "complaint_records", ["team"], postgresql_where=OPEN)
    op.create_index(
        "ix_complaint_records_step_open", "complaint_records", ["step", "step_since"], postgresql_where=OPEN
    )
    op.create_index("ix_complaint_records_alike", "complaint_records", ["controller_key", "category", "received_on"])
    op.execute("""
        INSERT INTO complaint_records (complaint_id, case_id, controller_key, kind, category, body_key, received_on,
                                       status, step, step_since, ended_on, outcome)
        SELECT c.complaint_id, c.case_id, s.controller_key, COALESCE(c.kind, e.data->>'complaint_kind'),
               e.data->>'category', e.data->>'body_key', COALESCE(c.received_on, s.opened_on),
               CASE WHEN s.status = 'closed' THEN 'closed' ELSE 'received' END,
               CASE WHEN s.status = 'closed' THEN NULL ELSE 'admissibility' END,
               COALESCE(c.received_on, s.opened_on),
               CASE WHEN s.status = 'closed' THEN (d.document->>'closed_on')::date END,
               CASE WHEN s.status = 'closed' THEN 'case_closed' END
          FROM case_complaints c
          JOIN case_summaries s ON s.case_id = c.case_id
          LEFT JOIN case_details d ON d.case_id = c.case_id
          LEFT JOIN events e ON e.stream_id = c.case_id AND e.version = c.version""")
    op.create_table(
        "letter_timers",
        sa.Column("letter_id", sa.Uuid, primary_key=True),
        sa.Column("case_id", sa.Uuid, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_letter_timers_due_unfired", "letter_timers", ["due_on"], postgresql_where=sa.text("fired_at IS NULL")
    )
    op.create_table(
        "campaign_steps",
        sa.Column("key", sa.String, primary_key=True),
        sa.Column("case_id", sa.Uuid, primary_key=True),
        sa.Column("request_digest", sa.String, nullable=False),
        sa.Column("results", JSONB, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.add_column("case_summaries", sa.Column("staff", sa.String, nullable=True))
    op.add_column("case_summaries", sa.Column("team", sa.String, nullable=True))
    op.create_index("ix_case_summaries_staff", "case_summaries", ["staff"])
    op.create_index("ix_case_summaries_team", "case_summaries", ["team"])
    op.add_column("complainant_clocks", sa.Column("first_told_on", sa.Date, nullable=True))


def downgrade() -> None:
    op.drop_column("complainant_clocks", "first_told_on")
    op.drop_index("ix_case_summaries_team", table_name="case_summaries")
    op.drop_index("ix_case_summaries_staff", table_name="case_summaries")
    op.drop_column("case_summaries", "team")
    op.drop_column("case_summaries", "staff")
    op.drop_table("campaign_steps")
    op.drop_table("letter_timers")
    op.drop_table("complaint_records")
