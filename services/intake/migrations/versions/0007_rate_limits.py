"""the public door's rate limits, one bucket per client shared by every instance

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Each instance kept its buckets in its own memory, without bound, so that N instances allowed N times the
rate and a flood of addresses grew the process. A bucket is now a row, taken from by every instance in one
statement (store.TAKE_FROM_BUCKET) and deleted once full again. Unlogged: a crash loses only the buckets.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("client", sa.String, primary_key=True),
        sa.Column("full_again_at", sa.DateTime(timezone=True), nullable=False),
        prefixes=["UNLOGGED"],
    )


def downgrade() -> None:
    op.drop_table("rate_limits")
