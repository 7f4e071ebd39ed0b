"""each complainant's letters in the language they chose at filing

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

complaint.filed carries the complainant's language since its version 3; the notifier keeps it with the
complainant and writes their letters in it. Complainants known so far have none: the authority's language
(AUTHORITY_LANGUAGE) is theirs.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("complainants", sa.Column("language", sa.String, nullable=True))


def downgrade() -> None:
    op.drop_column("complainants", "language")
