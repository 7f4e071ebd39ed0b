"""Messages no consumer can take, of every kind seen: not JSON, nested past any recursion limit, missing or
undecodable headers, an unknown type, a payload that breaks its schema, one its upcaster cannot read, the
wrong content type. Each consumer must dead-letter them and carry on."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from docket_messaging.codec import KafkaMessage


def _headers(event_type: str, schema: str, **changes: bytes | None) -> list[tuple[str, bytes]]:
    base: dict[str, bytes | None] = {
        "ce_specversion": b"1.0",
        "ce_id": f"poison-{uuid.uuid4()}".encode(),
        "ce_type": event_type.encode(),
        "ce_source": b"/poison",
        "ce_subject": str(uuid.uuid4()).encode(),
        "ce_time": datetime.now(UTC).isoformat().encode(),
        "ce_dataschema": schema.encode(),
        "content-type": b"application/json",
    }
    base |= changes
    return [(name, value) for name, value in base.items() if value is not None]


def poison(topic: str) -> list[KafkaMessage]:
    """One of each kind, addressed to `topic`."""
    filed = ("docket.complaint.filed", "urn:docket:schema:docket.complaint.filed:v2")
    notice_v1 = ("docket.formal_notice.issued", "urn:docket:schema:docket.formal_notice.issued:v1")
    kinds = [
        (_headers(*filed), b"{not json"),
        (_headers(*filed), b"[" * 100_000),
        (_headers(*filed, ce_id=None, ce_type=None), b"{}"),
        (_headers(*filed, ce_source=b"\xff\xfe"), b"{}"),
        (_headers("docket.complaint.refiled", "urn:docket:schema:docket.complaint.refiled:v1"), b"{}"),
        (_headers(*filed), json.dumps({"complaint_id": "not a uuid"}).encode()),
        (_headers(*notice_v1), json.dumps({"orders": 5}).encode()),
        (_headers(*filed, **{"content-type": b"text/plain"}), b"{}"),
    ]
    return [
        KafkaMessage(topic=topic, key=str(uuid.uuid4()).encode(), value=value, headers=headers)
        for headers, value in kinds
    ]
