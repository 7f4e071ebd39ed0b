"""complaints with receipts, evidence, idempotency keys, progress read back from cases, outbox and inbox

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
        "complaints",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("reference", sa.String, nullable=False, unique=True),
        sa.Column("status_token_digest", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("mandate_reference", sa.String, nullable=True),
        sa.Column("complainant_name", sa.String, nullable=False),
        sa.Column("complainant_email", sa.String, nullable=False),
        sa.Column("complainant_country", sa.String(2), nullable=False),
        sa.Column("controller_key", sa.String, nullable=False),
        sa.Column("controller_name", sa.String, nullable=False),
        sa.Column("controller_country", sa.String(2), nullable=True),
        sa.Column("controller_website", sa.String, nullable=True),
        sa.Column("category", sa.String, nullable=False),
        sa.Column("articles_alleged", JSONB, nullable=False),
        sa.Column("territory", JSONB, nullable=False),
        sa.Column("narrative", sa.Text, nullable=False),
        sa.Column("received_on", sa.Date, nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("status", sa.String, nullable=False, server_default="received"),
    )
    for column in ("controller_key", "kind", "status", "received_on"):
        op.create_index(f"ix_complaints_{column}", "complaints", [column])
    op.create_table(
        "evidence",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("complaint_id", sa.Uuid, sa.ForeignKey("complaints.id"), nullable=False),
        sa.Column("filename", sa.String, nullable=False),
        sa.Column("content_type", sa.String, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_evidence_complaint_id", "evidence", ["complaint_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String, primary_key=True),
        sa.Column("request_digest", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("response", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "complaint_cases",
        sa.Column("complaint_id", sa.Uuid, sa.ForeignKey("complaints.id"), primary_key=True),
        sa.Column("case_id", sa.Uuid, nullable=False),
    )
    op.create_index("ix_complaint_cases_case_id", "complaint_cases", ["case_id"])
    op.create_table(
        "progress_entries",
        sa.Column("complaint_id", sa.Uuid, sa.ForeignKey("complaints.id"), primary_key=True),
        sa.Column("event_id", sa.String, primary_key=True),
        sa.Column("on", sa.Date, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    create_messaging_tables()


def downgrade() -> None:
    drop_messaging_tables()
    for table in ("progress_entries", "complaint_cases", "idempotency_keys", "evidence", "complaints"):
        op.drop_table(table)
