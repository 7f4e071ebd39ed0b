"""evidence file names sealed like the other personal values

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

A file's name is the complainant's (often their own name, or what the file is about). Names stored in
clear are kept as JSON strings (a sealed value is a JSON object): `seal-legacy` seals them, after the
migrations and before the service serves (services/intake/legacy.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("evidence", "filename", type_=JSONB, postgresql_using="to_jsonb(filename)")


def downgrade() -> None:  # sealed names come back as their JSON text: sealed still, not in clear
    op.alter_column("evidence", "filename", type_=sa.String, postgresql_using="filename #>> '{}'")
