"""the address a complainant gives is proven before letters go there

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

A filing at the public door keeps the digest of a code sent to its address and counts the wrong tries; the
day the right one is entered, or the day staff record a paper complaint, the address is proven. Complaints
filed so far have neither a digest nor a day, and count as proven, as they were.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("complaints", sa.Column("address_code_digest", sa.String, nullable=True))
    op.add_column("complaints", sa.Column("address_code_tries", sa.Integer, nullable=False, server_default="0"))
    op.add_column("complaints", sa.Column("address_proven_on", sa.Date, nullable=True))


def downgrade() -> None:
    for column in ("address_proven_on", "address_code_tries", "address_code_digest"):
        op.drop_column("complaints", column)
