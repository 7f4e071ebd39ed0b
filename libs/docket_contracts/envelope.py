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
