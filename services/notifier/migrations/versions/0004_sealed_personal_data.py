"""personal data sealed per data subject: complainants' names and addresses, letters to complainants,
webhook signing secrets

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

Values stored before sealing are kept as JSON strings (a sealed value is a JSON object), and letters to
complainants keep their clear columns with no `personal`: `seal-legacy` seals them, after the migrations
and before the service serves (services/notifier/legacy.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for column in ("name", "email"):
        op.alter_column("complainants", column, type_=JSONB, postgresql_using=f"to_jsonb({column})")
    for column in ("secret", "previous_secret"):
        op.alter_column("subscriptions", column, type_=JSONB, postgresql_using=f"to_jsonb({column})")
    op.add_column("notifications", sa.Column("personal", JSONB, nullable=True))


def downgrade() -> None:
    op.drop_column("notifications", "personal")
    for table, columns in (("subscriptions", ("secret", "previous_secret")), ("complainants", ("name", "email"))):
        for column in columns:  # sealed values come back as their JSON text: sealed still, not in clear
            op.alter_column(table, column, type_=sa.String, postgresql_using=f"{column} #>> '{{}}'")
