"""who owns each webhook subscription, and who set each controller contact

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Subscriptions made before staff identity existed belong to no integrator: `owner` is
'unknown' for them, so only administrators reach them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("owner", sa.String, nullable=False, server_default="unknown"))
    op.alter_column("subscriptions", "owner", server_default=None)
    op.create_index("ix_subscriptions_owner", "subscriptions", ["owner"])
    op.add_column("controller_contacts", sa.Column("updated_by", sa.String, nullable=True))


def downgrade() -> None:
    op.drop_column("controller_contacts", "updated_by")
    op.drop_index("ix_subscriptions_owner", table_name="subscriptions")
    op.drop_column("subscriptions", "owner")
