"""Migration steps for the messaging tables, shared by every service's Alembic history."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB


def outbox_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel on which inserts into `schema`.outbox are announced."""
    return f"{schema}_outbox"


def create_messaging_tables() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("topic", sa.String, nullable=False),
        sa.Column("key", sa.String, nullable=False),
        sa.Column("type", sa.String, nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("subject", sa.String, nullable=False),
        sa.Column("dataschema", sa.String, nullable=False),
        sa.Column("sequence", sa.Integer, nullable=True),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL"))
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String, nullable=False),
        sa.Column("topic", sa.String, nullable=False),
        sa.Column("partition", sa.Integer, nullable=False),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    # The channel is outbox_channel(schema) of the schema the table lives in.
    op.execute("""
        CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', ''); RETURN NULL; END $$""")
    op.execute(
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()"
    )


def add_outbox_parking() -> None:
    """Rows the broker refuses for good are parked (when, and why) instead of blocking the relay. The
    partial index finds the few parked rows, for the relay's query (a row is held while an earlier row
    of its topic and key is parked) and for `outbox parked`."""
    op.add_column("outbox", sa.Column("parked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("outbox", sa.Column("park_reason", sa.String, nullable=True))
    op.create_index(
        "ix_outbox_parked",
        "outbox",
        ["topic", "key", "id"],
        postgresql_where=sa.text("parked_at IS NOT NULL AND published_at IS NULL"),
    )


def drop_outbox_parking() -> None:
    """Back to a relay without parking: parked rows become ordinary pending rows again."""
    op.drop_index("ix_outbox_parked", table_name="outbox")
    op.drop_column("outbox", "park_reason")
    op.drop_column("outbox", "parked_at")


def add_outbox_traceparent() -> None:
    """The W3C trace context of the work that wrote each row, published with it (the traceparent header)."""
    op.add_column("outbox", sa.Column("traceparent", sa.String(55), nullable=True))


def drop_outbox_traceparent() -> None:
    op.drop_column("outbox", "traceparent")


def drop_messaging_tables() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.execute("DROP FUNCTION IF EXISTS outbox_notify()")
    op.drop_table("inbox")
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
    op.drop_table("outbox")
