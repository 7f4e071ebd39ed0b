"""an Idempotency-Key is its caller's own, and the digest of the request it came with is sealed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Keys were one namespace for everyone: a key seen at the public door could answer, or refuse, a staff
member's retry, and one officer's another's. A key is now looked up in its caller's scope: the public
door's ("public"), or "staff:<subject>". Keys kept so far were most likely the public door's and take its
scope, as does a row written without one (by the release before, while both run). The digest was an
unsalted SHA-256 of the whole body, the complainant's name and address included; it is now sealed with the
complaint's key, like the status token beside it. Digests kept so far stay as JSON strings, in clear, and
are read as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("idempotency_keys", sa.Column("scope", sa.String, nullable=False, server_default="public"))
    op.execute("ALTER TABLE idempotency_keys DROP CONSTRAINT pk_idempotency_keys")
    op.create_primary_key("pk_idempotency_keys", "idempotency_keys", ["scope", "key"])
    op.alter_column("idempotency_keys", "request_digest", type_=JSONB, postgresql_using="to_jsonb(request_digest)")


def downgrade() -> None:
    # A sealed digest comes back as its JSON text: sealed still, and no longer equal to any body's digest, so a
    # retry with its key is answered 409 rather than replayed.
    op.alter_column("idempotency_keys", "request_digest", type_=sa.String, postgresql_using="request_digest #>> '{}'")
    op.execute("DELETE FROM idempotency_keys WHERE scope <> 'public'")
    op.execute("ALTER TABLE idempotency_keys DROP CONSTRAINT pk_idempotency_keys")
    op.create_primary_key("pk_idempotency_keys", "idempotency_keys", ["key"])
    op.drop_column("idempotency_keys", "scope")
