"""each complaint of a body keeps its proof that the body is properly constituted

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

Regulation 2025/2518 art 4(1)(b) (as reported) asks it of a body lodging a complaint about cross-border processing.
A complaint filed before it was asked for has none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("complaints", sa.Column("constitution_proof", sa.String(), nullable=True))


def downgrade() -> None:
    op.drop_column("complaints", "constitution_proof")
