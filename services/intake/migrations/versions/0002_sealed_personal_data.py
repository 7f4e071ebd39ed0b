"""personal data sealed per data subject: complainants' names, addresses and narratives, evidence files;
letters to complainants kept for access requests; when a complainant's data was erased

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22

Values stored before sealing are kept as JSON strings (a sealed value is a JSON object) and evidence
files as they were (`sealed` false): `seal-legacy` seals them, after the migrations and before the service
serves (services/intake/legacy.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERSONAL = ("complainant_name", "complainant_email", "narrative")


def upgrade() -> None:
    for column in PERSONAL:
        op.alter_column("complaints", column, type_=JSONB, postgresql_using=f"to_jsonb({column})")
    op.add_column("complaints", sa.Column("personal_data_erased_on", sa.Date, nullable=True))
    op.add_column("evidence", sa.Column("sealed", sa.Boolean, nullable=False, server_default=sa.false()))
    op.alter_column("evidence", "sealed", server_default=None)
    op.create_table(
        "letters",
        sa.Column("notification_id", sa.Uuid, primary_key=True),
        sa.Column("complaint_id", sa.Uuid, sa.ForeignKey("complaints.id"), nullable=False),
        sa.Column("title", sa.String, nullable=True),
        sa.Column("text", JSONB, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_letters_complaint_id", "letters", ["complaint_id"])


def downgrade() -> None:
    op.drop_index("ix_letters_complaint_id", table_name="letters")
    op.drop_table("letters")
    op.drop_column("evidence", "sealed")
    op.drop_column("complaints", "personal_data_erased_on")
    for column in PERSONAL:  # sealed values come back as their JSON text: sealed still, not in clear
        op.alter_column("complaints", column, type_=sa.Text, postgresql_using=f"{column} #>> '{{}}'")
