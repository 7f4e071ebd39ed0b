"""each complaint's record keeps the content of Regulation 2025/2518 art 4(1) it was recorded without

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

A body's cross-border complaint recorded from paper without its proof of constitution is still received: art 4(2)
(as reported) gives the authority two weeks from receipt to declare it inadmissible, which the queues date. A
complaint recorded before has none missing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "complaint_records",
        sa.Column("missing_content", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    )


def downgrade() -> None:
    op.drop_column("complaint_records", "missing_content")
