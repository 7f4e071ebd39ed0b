"""each event keeps its own hash; the database, not the service, moves each stream's head; the roles that
serve may only read and add events and only read heads

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

The service wrote `stream_heads` itself, so a role that could write it could hide a removed tail. Now an
AFTER INSERT trigger running with its owner's rights advances the head from the event's own hash, and every
role but the owner loses INSERT, UPDATE, DELETE and TRUNCATE on `stream_heads` and UPDATE, DELETE and
TRUNCATE on `events` (whatever default privileges gave them). Existing events get their hash here: the one
rewrite of events this history makes, with the privilege and the trigger restored in the same transaction.
"""

from collections.abc import Sequence
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from services.case.integrity import event_hash

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("events", sa.Column("hash", sa.String(64), nullable=True))
    op.execute("GRANT UPDATE ON events TO CURRENT_USER")
    op.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
    connection = op.get_bind()
    found = (
        connection.execute(
            sa.text(
                "SELECT stream_id, version, event_id, type, schema_version, data, actor, actor_role, actor_name, "
                "occurred_at, previous_hash FROM events"
            )
        )
        .mappings()
        .all()
    )
    for row in found:
        connection.execute(
            sa.text("UPDATE events SET hash = :hash WHERE stream_id = :stream_id AND version = :v"),
            {"hash": event_hash(SimpleNamespace(**row)), "stream_id": row["stream_id"], "v": row["version"]},
        )
    op.execute("ALTER TABLE events ENABLE TRIGGER events_append_only")
    op.execute("REVOKE UPDATE ON events FROM CURRENT_USER")
    op.alter_column("events", "hash", nullable=False)
    op.execute("""
        CREATE FUNCTION advance_stream_head() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path FROM CURRENT AS $$
        BEGIN
            INSERT INTO stream_heads (stream_id, version, hash) VALUES (NEW.stream_id, NEW.version, NEW.hash)
            ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, hash = EXCLUDED.hash
                WHERE stream_heads.version < EXCLUDED.version;
            RETURN NULL;
        END $$""")
    op.execute("REVOKE ALL ON FUNCTION advance_stream_head() FROM PUBLIC")
    op.execute(
        "CREATE TRIGGER events_advance_head AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION advance_stream_head()"
    )
    op.execute("""
        DO $$
        DECLARE serving text;
        BEGIN
            FOR serving IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
                           WHERE table_schema = current_schema() AND table_name IN ('events', 'stream_heads')
                             AND grantee NOT IN (current_user, 'PUBLIC')
            LOOP
                EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON events FROM %I', serving);
                EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON stream_heads FROM %I', serving);
            END LOOP;
        END $$""")


def downgrade() -> None:
    op.execute("DROP TRIGGER events_advance_head ON events")
    op.execute("DROP FUNCTION advance_stream_head()")
    op.execute("""
        DO $$
        DECLARE serving text;
        BEGIN  -- the service wrote heads itself before this revision
            FOR serving IN SELECT DISTINCT grantee FROM information_schema.role_table_grants
                           WHERE table_schema = current_schema() AND table_name = 'stream_heads'
                             AND grantee NOT IN (current_user, 'PUBLIC')
            LOOP
                EXECUTE format('GRANT INSERT, UPDATE ON stream_heads TO %I', serving);
            END LOOP;
        END $$""")
    op.drop_column("events", "hash")
