"""checkpoints: what the case service signed of its streams' heads, to go on from

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

The case service signs the heads of the streams appended to since its last checkpoint and publishes them on
docket.checkpoints (services/case/checkpoints.py). `checkpoints` numbers them and keeps the digest the next
one chains to; `checkpointed_heads` keeps, per stream, the version last signed. Neither is the witness, which
is what was published: they only say where the next checkpoint starts. Streams already stored are
checkpointed by the first rounds after this migration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String, nullable=False),
        sa.Column("heads", sa.Integer, nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "checkpointed_heads",
        sa.Column("stream_id", sa.Uuid, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("checkpointed_heads")
    op.drop_table("checkpoints")
