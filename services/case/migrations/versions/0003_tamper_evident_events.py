"""tamper-evident event store: actor role and name, hash chain, stream heads, append-only events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Events already stored are chained in version order, as they stand now: the chain vouches for the
record from this migration on. Then UPDATE, DELETE and TRUNCATE on `events` are refused by a trigger
(whoever runs them) and revoked from the role that runs the migrations. A later migration that must
rewrite events on purpose grants itself the privilege back and disables the trigger, in one
transaction, in plain sight.
"""

from collections.abc import Sequence
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from services.case.integrity import GENESIS, event_hash

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("actor_role", sa.String, nullable=True))
    op.add_column("events", sa.Column("actor_name", sa.String, nullable=True))
    op.add_column("events", sa.Column("previous_hash", sa.String(64), nullable=True))
    op.create_table(
        "stream_heads",
        sa.Column("stream_id", sa.Uuid, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    _chain_existing_events()
    op.alter_column("events", "previous_hash", nullable=False)
    op.execute("""
        CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the case event store is append-only: % on events is refused', TG_OP
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'a correction is a new event';
        END $$""")
    op.execute(
        "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_append_only()"
    )
    op.execute(
        "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
        "FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()"
    )
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON events FROM CURRENT_USER")


def _chain_existing_events() -> None:
    connection = op.get_bind()
    found = (
        connection.execute(
            sa.text(
                "SELECT stream_id, version, event_id, type, schema_version, data, actor, actor_role, actor_name, "
                "occurred_at FROM events ORDER BY stream_id, version"
            )
        )
        .mappings()
        .all()
    )
    heads: dict[object, tuple[int, str]] = {}
    for row in found:
        previous = heads[row["stream_id"]][1] if row["stream_id"] in heads else GENESIS
        event = SimpleNamespace(**row, previous_hash=previous)
        connection.execute(
            sa.text("UPDATE events SET previous_hash = :previous WHERE stream_id = :stream_id AND version = :version"),
            {"previous": previous, "stream_id": row["stream_id"], "version": row["version"]},
        )
        heads[row["stream_id"]] = (row["version"], event_hash(event))
    if heads:
        connection.execute(
            sa.text("INSERT INTO stream_heads (stream_id, version, hash) VALUES (:s, :v, :h)"),
            [{"s": stream, "v": version, "h": digest} for stream, (version, digest) in heads.items()],
        )


def downgrade() -> None:
    op.execute("GRANT UPDATE, DELETE, TRUNCATE ON events TO CURRENT_USER")
    op.execute("DROP TRIGGER events_no_truncate ON events")
    op.execute("DROP TRIGGER events_append_only ON events")
    op.execute("DROP FUNCTION events_append_only()")
    op.drop_table("stream_heads")
    op.drop_column("events", "previous_hash")
    op.drop_column("events", "actor_name")
    op.drop_column("events", "actor_role")
