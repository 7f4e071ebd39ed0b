"""letters wait until the complainant proves the address a filing gave

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Anyone could file at the public door with anyone's address and have the authority write there, in letters
that repeat the controller name they typed. A filing there now comes with a code (complaint.address_code_issued,
kept in `address_codes` until its complaint.filed): the code alone is sent to the address, and the other
letters to it are recorded as `unproven` until the complainant enters it (complaint.address_proven).
Complainants known so far keep getting their letters: their addresses count as proven.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("complainants", sa.Column("address_proven", sa.Boolean, nullable=False, server_default=sa.true()))
    op.create_table(
        "address_codes",
        sa.Column("complaint_id", sa.Uuid, primary_key=True),
        sa.Column("code", JSONB, nullable=False),
    )


def downgrade() -> None:
    # Letters still held go out on the release before, which knows no proof: they were written to be sent.
    op.execute("UPDATE notifications SET email_status = 'pending' WHERE email_status = 'unproven'")
    op.drop_table("address_codes")
    op.drop_column("complainants", "address_proven")
