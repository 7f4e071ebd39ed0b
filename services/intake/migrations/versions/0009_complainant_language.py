"""each complaint keeps the language its complainant is written to in

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22

A complaint filed before the language was kept was written to in English, the only language letters had.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("complaints", sa.Column("language", sa.String(), server_default="en", nullable=False))


def downgrade() -> None:
    op.drop_column("complaints", "language")
