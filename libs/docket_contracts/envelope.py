"""The CloudEvents 1.0 envelope every Docket event travels in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

SPEC_VERSION = "1.0"
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class CloudEvent:
    """One event: CloudEvents context attributes plus the JSON payload in `data`.

    `subject` is the aggregate id (and the Kafka message key); `sequence` is the
    event's version within its aggregate stream, when the producer keeps one.
    """

    type: str
    source: str
    subject: str
    dataschema: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    sequence: int | None = None
    specversion: str = SPEC_VERSION
    datacontenttype: str = JSON
    # The CloudEvents distributed-tracing extension: the W3C trace context of the work that produced the event.
    traceparent: str | None = None

    def __post_init__(self) -> None:
        if self.time.tzinfo is None:
            raise ValueError("CloudEvent.time must be timezone-aware")
        for name in ("type", "source", "subject", "id"):
            if not getattr(self, name):
                raise ValueError(f"CloudEvent.{name} must not be empty")

    def attributes(self) -> dict[str, str]:
        """The context attributes as both formats write them, Kafka's headers and the JSON document: strings,
        the time in RFC 3339 with a Z, the optional ones only when set (datacontenttype and traceparent are the
        caller's to place: a Kafka header of their own, or not sent)."""
        written = {
            "specversion": self.specversion,
            "id": self.id,
            "type": self.type,
            "source": self.source,
            "subject": self.subject,
            "time": format_time(self.time),
            "dataschema": self.dataschema,
        }
        if self.sequence is not None:
            written["sequence"] = str(self.sequence)
        return written

    def structured(self) -> dict[str, object]:
        """The event in the CloudEvents JSON format (structured mode): attributes and `data` in one object, as
        a webhook delivers it."""
        return {**self.attributes(), "datacontenttype": self.datacontenttype, "data": self.data}


def format_time(moment: datetime) -> str:
    """A time as CloudEvents writes it (RFC 3339), UTC spelled Z."""
    return moment.isoformat().replace("+00:00", "Z")
