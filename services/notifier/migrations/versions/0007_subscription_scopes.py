"""an integrator's subscription keeps the scopes their latest token showed, and when

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

The scopes were checked only when a subscription was made: an integrator whose scope, or whose client, was
taken away went on receiving its events. Each call an integrator makes now keeps what their token covers on
their subscriptions; deliveries go only to what it covers, and wait once it has not been seen for
WEBHOOK_SCOPES_MAX_AGE_DAYS. Subscriptions made so far have none kept (NULL: not checked, as before) until
their owner next calls.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("scopes", ARRAY(sa.String), nullable=True))
    op.add_column("subscriptions", sa.Column("scopes_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("subscriptions", "scopes_seen_at")
    op.drop_column("subscriptions", "scopes")
