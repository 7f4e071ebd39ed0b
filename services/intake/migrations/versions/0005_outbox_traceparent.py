"""each outbox row keeps the W3C trace context of the work that wrote it, and publishes it

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

One trace then follows a complaint from the request that filed it through every service its events reach.
"""

from collections.abc import Sequence

from docket_messaging.ddl import add_outbox_traceparent, drop_outbox_traceparent

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_outbox_traceparent()


def downgrade() -> None:
    drop_outbox_traceparent()
