"""the head trigger runs as a role that may only move heads, searches pg_temp last and names its table

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

`advance_stream_head()` ran with the rights of the schema owner and a search path of this schema alone,
which PostgreSQL reads as pg_temp first: a serving role that could create a temporary `stream_heads` with
a trigger on it had that trigger run as the owner of every schema (PostgreSQL's manual, CREATE FUNCTION,
"Writing SECURITY DEFINER Functions Safely"). Now the function names `"<schema>".stream_heads`, searches
pg_temp last, and belongs to `docket_case_heads`, a role that cannot log in, owns nothing else and may
only read, add and move heads; deploy/postgres/roles.sql makes it (and takes TEMPORARY from every role),
and a superuser migrating a bare database makes it here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HEADS_ROLE = "docket_case_heads"


def _function(schema: str, search_path: str) -> str:
    """The trigger function; `search_path` is the SET clause's tail (`= ...` or `FROM CURRENT`)."""
    return f"""
        CREATE OR REPLACE FUNCTION "{schema}".advance_stream_head() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path {search_path} AS $$
        BEGIN
            INSERT INTO "{schema}".stream_heads (stream_id, version, hash)
                 VALUES (NEW.stream_id, NEW.version, NEW.hash)
            ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, hash = EXCLUDED.hash
                WHERE "{schema}".stream_heads.version < EXCLUDED.version;
            RETURN NULL;
        END $$"""


def _schema() -> str:
    schema: str = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
    return schema


def upgrade() -> None:
    connection = op.get_bind()
    schema = _schema()
    exists = connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": HEADS_ROLE}).first()
    if not exists:
        may_create = connection.execute(
            sa.text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        ).scalar_one()
        if not may_create:
            raise RuntimeError(
                f"role {HEADS_ROLE} is missing: run deploy/postgres/roles.sql as a superuser, then migrate again"
            )
        op.execute(f"CREATE ROLE {HEADS_ROLE} NOLOGIN")
    op.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {HEADS_ROLE}')
    op.execute(f'GRANT SELECT, INSERT, UPDATE ON "{schema}".stream_heads TO {HEADS_ROLE}')
    op.execute(_function(schema, f'= "{schema}", pg_temp'))
    op.execute(f'REVOKE ALL ON FUNCTION "{schema}".advance_stream_head() FROM PUBLIC')
    # The new owner needs CREATE on the schema at the moment it takes the function, and not after.
    op.execute(f'GRANT CREATE ON SCHEMA "{schema}" TO {HEADS_ROLE}')
    op.execute(f'ALTER FUNCTION "{schema}".advance_stream_head() OWNER TO {HEADS_ROLE}')
    op.execute(f'REVOKE CREATE ON SCHEMA "{schema}" FROM {HEADS_ROLE}')


def downgrade() -> None:
    schema = _schema()
    op.execute(f'ALTER FUNCTION "{schema}".advance_stream_head() OWNER TO CURRENT_USER')
    op.execute(_function(schema, "FROM CURRENT"))
    op.execute(f'REVOKE ALL ON "{schema}".stream_heads FROM {HEADS_ROLE}')
    op.execute(f'REVOKE USAGE ON SCHEMA "{schema}" FROM {HEADS_ROLE}')
