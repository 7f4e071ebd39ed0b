"""data subjects' keys, wrapped under the master key; erased keys leave a tombstone

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subject_keys",
        sa.Column("subject_id", sa.Uuid, primary_key=True),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_by", sa.String, nullable=True),
        sa.CheckConstraint(
            "(wrapped_key IS NULL) = (erased_at IS NOT NULL)", name="ck_subject_keys_erased_means_no_key"
        ),
    )


def downgrade() -> None:
    op.drop_table("subject_keys")
