"""outbox rows the broker refuses for good are parked with the reason instead of blocking the relay

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

A row too large for the broker (or otherwise refused for good) used to be retried forever, and no later
event was published. Now it is parked (`parked_at`, `park_reason`); the later rows of its key are held
behind it and the other keys flow; `python -m services.intake outbox resend` sends it again once fixed.
"""

from collections.abc import Sequence

from docket_messaging.ddl import add_outbox_parking, drop_outbox_parking

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_outbox_parking()


def downgrade() -> None:
    drop_outbox_parking()
