"""CloudEvents Kafka protocol binding, binary content mode: attributes in `ce_*` headers,
the JSON payload as the message value, the aggregate id as the key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docket_contracts.envelope import JSON, SPEC_VERSION, CloudEvent, format_time

from .context import trace_id

Headers = list[tuple[str, bytes]]

# The value's JSON: compact, keys sorted, UTF-8. Built once: json.dumps builds an encoder on every call with
# arguments, which costs the relay as much as the encoding.
_JSON = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False)

_SPEC_VERSION, _JSON_TYPE = SPEC_VERSION.encode(), JSON.encode()

_REQUIRED = ("ce_specversion", "ce_id", "ce_type", "ce_source", "ce_subject", "ce_time", "ce_dataschema")


class UndecodableMessage(ValueError):
    """A Kafka message that is not a well-formed Docket CloudEvent; the text says why."""


@dataclass(frozen=True, slots=True)
class KafkaMessage:
    topic: str
    key: bytes
    value: bytes
    headers: Headers


def encode(event: CloudEvent, topic: str) -> KafkaMessage:
    """The event in Kafka's binary mode: its attributes as ce_ headers, its data as the value."""
    headers: Headers = [(f"ce_{name}", value.encode()) for name, value in event.attributes().items()]
    headers.append(("content-type", event.datacontenttype.encode()))
    if event.traceparent is not None:
        headers.append(("traceparent", event.traceparent.encode()))
    value = _JSON.encode(event.data).encode()
    return KafkaMessage(topic=topic, key=event.subject.encode(), value=value, headers=headers)


def encode_stored(row: Any, topic: str) -> KafkaMessage:
    """What `encode` makes of the event of a stored row (an outbox row as the relay claims it, its columns named as
    the event's attributes, `event_id` its id), written out for the relay's hot path: without building the event,
    whose checks the row passed when it was written, nor the dict of its attributes."""
    headers: Headers = [
        ("ce_specversion", _SPEC_VERSION),
        ("ce_id", row.event_id.encode()),
        ("ce_type", row.type.encode()),
        ("ce_source", row.source.encode()),
        ("ce_subject", row.subject.encode()),
        ("ce_time", format_time(row.time).encode()),
        ("ce_dataschema", row.dataschema.encode()),
    ]
    if row.sequence is not None:
        headers.append(("ce_sequence", str(row.sequence).encode()))
    headers.append(("content-type", _JSON_TYPE))
    if row.traceparent is not None:
        headers.append(("traceparent", row.traceparent.encode()))
    return KafkaMessage(topic=topic, key=row.subject.encode(), value=_JSON.encode(row.data).encode(), headers=headers)


def decode(headers: Headers | None, value: bytes | None) -> CloudEvent:
    """Rebuild the CloudEvent from a message, or raise UndecodableMessage naming the problem."""
    attrs: dict[str, str] = {}
    for name, raw in headers or ():
        try:
            attrs[name] = raw.decode() if raw is not None else ""
        except UnicodeDecodeError as exc:
            raise UndecodableMessage(f"header {name} is not UTF-8") from exc
    missing = [name for name in _REQUIRED if not attrs.get(name)]
    if missing:
        raise UndecodableMessage(f"missing CloudEvents header(s): {', '.join(missing)}")
    if attrs["ce_specversion"] != SPEC_VERSION:
        raise UndecodableMessage(f"unsupported ce_specversion {attrs['ce_specversion']!r}")
    content_type = attrs.get("content-type", JSON)
    if content_type.split(";")[0].strip() != JSON:
        raise UndecodableMessage(f"unsupported content-type {content_type!r}")
    data = _json_object(value)
    try:
        time = parse_time(attrs["ce_time"])
    except ValueError:
        raise UndecodableMessage("ce_time is not an ISO 8601 time with a time zone") from None
    try:
        sequence = int(attrs["ce_sequence"]) if attrs.get("ce_sequence") else None
    except ValueError:
        raise UndecodableMessage("ce_sequence is not an integer") from None
    try:
        return CloudEvent(
            type=attrs["ce_type"],
            source=attrs["ce_source"],
            subject=attrs["ce_subject"],
            dataschema=attrs["ce_dataschema"],
            data=data,
            id=attrs["ce_id"],
            time=time,
            sequence=sequence,
            datacontenttype=JSON,
            traceparent=_traceparent(attrs),
        )
    except ValueError as exc:  # the envelope's own checks, whose messages name attributes, not values
        raise UndecodableMessage(str(exc)) from None


# Where a message's W3C trace context may be: the W3C header, as the relay writes it, or the CloudEvents
# distributed-tracing extension in binary mode.
TRACEPARENT_HEADERS = ("traceparent", "ce_traceparent")


def _traceparent(attrs: dict[str, str]) -> str | None:
    """The message's W3C traceparent, or None: a malformed trace header only loses the trace, never the message."""
    value = next((attrs[name] for name in TRACEPARENT_HEADERS if name in attrs), None)
    return value.strip() if value is not None and trace_id(value) is not None else None


def _json_object(value: bytes | None) -> dict[str, object]:
    """The value as a JSON object. The reasons name the position of a syntax error, never the text: a
    message's value may be personal data, and the reason ends up in logs and dead-letter headers."""
    try:
        data = json.loads(value or b"")
    except RecursionError:  # nesting deeper than the interpreter's stack: not data any producer sends
        raise UndecodableMessage("value is not JSON: nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise UndecodableMessage(f"value is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except (ValueError, UnicodeDecodeError):  # not UTF-8 (or -16/-32) text
        raise UndecodableMessage("value is not JSON: not UTF-8 text") from None
    if not isinstance(data, dict):
        raise UndecodableMessage("value is not a JSON object")
    return data


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"ce_time {text!r} has no time zone")
    return moment
