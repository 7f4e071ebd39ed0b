"""The outbox and inbox tables every service keeps in its own schema, and the metadata
naming convention all of Docket's tables use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from docket_contracts.envelope import CloudEvent

from .context import current_traceparent

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table of a table model, for statements written with SQLAlchemy's expression language."""
    table = sa.inspect(model).local_table
    assert isinstance(table, sa.Table), model
    return table


def utc_column(nullable: bool = False, **kwargs: Any) -> Any:
    return Field(sa_column=sa.Column(sa.DateTime(timezone=True), nullable=nullable, **kwargs))


class OutboxRow(SQLModel, table=True):
    """An event committed with the state change that caused it, waiting to be published."""

    __tablename__ = "outbox"
    __table_args__ = (
        # The relay's claim reads the unpublished rows in order; parked rows are few and found apart.
        sa.Index("ix_outbox_unpublished", "id", postgresql_where=sa.text("published_at IS NULL")),
        sa.Index(
            "ix_outbox_parked",
            "topic",
            "key",
            "id",
            postgresql_where=sa.text("parked_at IS NOT NULL AND published_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True))
    event_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    topic: str
    key: str
    type: str
    source: str
    subject: str
    dataschema: str
    sequence: int | None = None
    time: datetime = utc_column()
    data: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    created_at: datetime = utc_column(server_default=sa.func.now())
    published_at: datetime | None = utc_column(nullable=True)
    # Set when the broker refused the row for good; the relay skips it and holds the later rows of its key.
    parked_at: datetime | None = utc_column(nullable=True)
    park_reason: str | None = None
    # The W3C trace context of the work that wrote the row; published as the message's traceparent header.
    traceparent: str | None = Field(default=None, max_length=55)

    @classmethod
    def of(cls, event: CloudEvent, topic: str) -> OutboxRow:
        [values] = outbox_values([event], topic)
        return cls(**values)

    def event(self) -> CloudEvent:
        return outbox_event(self)


def outbox_event(row: Any) -> CloudEvent:
    """The CloudEvent of an outbox row: an OutboxRow, or a plain row with its columns (as the relay claims them)."""
    return CloudEvent(
        type=row.type,
        source=row.source,
        subject=row.subject,
        dataschema=row.dataschema,
        data=row.data,
        id=row.event_id,
        time=row.time,
        sequence=row.sequence,
        traceparent=row.traceparent,
    )


class InboxRow(SQLModel, table=True):
    """An event this service has applied; its primary key makes a redelivery a no-op."""

    __tablename__ = "inbox"

    event_id: str = Field(sa_column=sa.Column(sa.String(64), primary_key=True))
    type: str
    topic: str
    partition: int
    offset: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    processed_at: datetime = utc_column(server_default=sa.func.now())


# What a service writes of an outbox row (the id and the publication columns are the database's and the relay's).
OUTBOX_COLUMNS = (
    "event_id",
    "topic",
    "key",
    "type",
    "source",
    "subject",
    "dataschema",
    "sequence",
    "time",
    "data",
    "traceparent",
)


def outbox_values(events: Sequence[CloudEvent], topic: str) -> list[dict[str, Any]]:
    """The outbox rows of `events` as OUTBOX_COLUMNS' values, for a hot path that inserts without the ORM (in
    the same transaction as the change they announce, as add_to_outbox stages them)."""
    traceparent = current_traceparent()  # the work writing them, unless an event carries its own
    return [
        dict(
            zip(
                OUTBOX_COLUMNS,
                (
                    event.id,
                    topic,
                    event.subject,
                    event.type,
                    event.source,
                    event.subject,
                    event.dataschema,
                    event.sequence,
                    event.time,
                    event.data,
                    event.traceparent or traceparent,
                ),
                strict=True,
            )
        )
        for event in events
    ]
