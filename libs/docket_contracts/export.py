"""Generate the JSON Schemas and the AsyncAPI 3.0 document of the contract into `docs/`.

python -m docket_contracts.export docs          # write
python -m docket_contracts.export docs --check  # exit 1 if what is there is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from . import topics
from .registry import EVENTS, EventSpec

CE_HEADERS = {
    "ce_specversion": "CloudEvents spec version, always 1.0",
    "ce_id": "unique event id; consumers deduplicate on it",
    "ce_type": "event type, docket.<aggregate>.<event>",
    "ce_source": "producing service, /docket/<service>",
    "ce_subject": "aggregate id; also the Kafka message key",
    "ce_time": "when the fact happened, RFC 3339",
    "ce_dataschema": "urn:docket:schema:<type>:v<version>, the payload's schema and version",
    "ce_sequence": "the event's version within its aggregate stream (case events)",
    "content-type": "application/json",
}
REQUIRED_HEADERS = [
    "ce_specversion",
    "ce_id",
    "ce_type",
    "ce_source",
    "ce_subject",
    "ce_time",
    "ce_dataschema",
    "content-type",
]


def schema_filename(spec: EventSpec) -> str:
    return f"{spec.type}.v{spec.version}.json"


def json_schema(spec: EventSpec) -> dict[str, Any]:
    schema = spec.payload.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": spec.dataschema,
        "title": spec.type,
        "description": spec.summary,
        **schema,
    }


def _message_name(spec: EventSpec) -> str:
    return spec.type.replace(".", "_")


def asyncapi() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    headers = {
        "type": "object",
        "required": REQUIRED_HEADERS,
        "properties": {name: {"type": "string", "description": text} for name, text in CE_HEADERS.items()},
    }
    for topic in topics.ALL:
        specs = [spec for spec in EVENTS if spec.topic == topic]
        channel_id = topic.removeprefix("docket.")
        channels[channel_id] = {
            "address": topic,
            "description": f"Events produced by the {specs[0].producer} service, keyed by aggregate id.",
            "messages": {_message_name(s): {"$ref": f"#/components/messages/{_message_name(s)}"} for s in specs},
            "bindings": {"kafka": {"topic": topic, "bindingVersion": "0.5.0"}},
        }
        operations[f"receive_{channel_id}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "summary": f"Integrators consume {topic} (CloudEvents binary mode, JSON payload).",
        }
        for spec in specs:
            messages[_message_name(spec)] = {
                "name": spec.type,
                "title": spec.type,
                "summary": spec.summary,
                "contentType": "application/json",
                "headers": headers,
                "payload": {"$ref": f"schemas/{schema_filename(spec)}"},
                "bindings": {
                    "kafka": {"key": {"type": "string", "description": "aggregate id"}, "bindingVersion": "0.5.0"}
                },
                "x-dataschema": spec.dataschema,
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Docket events",
            "version": "1.0.0",
            "description": "Events of Docket, case management for a data-protection regulator. "
            "Each message is a CloudEvent 1.0 in Kafka binary content mode. "
            "Topics are keyed by aggregate id, so one case's events arrive in order.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render() -> dict[str, str]:
    """Every generated file, by path relative to the docs folder."""
    files = {
        f"schemas/{schema_filename(s)}": json.dumps(json_schema(s), indent=2, sort_keys=True) + "\n" for s in EVENTS
    }
    files["asyncapi.yaml"] = yaml.safe_dump(asyncapi(), sort_keys=False, width=100)
    return files


def stale(docs: Path) -> list[str]:
    """Generated files that are missing or differ from what the contract renders now."""
    wanted = render()
    out = [name for name, text in wanted.items() if not (docs / name).exists() or (docs / name).read_text() != text]
    present = {f"schemas/{p.name}" for p in (docs / "schemas").glob("*.json")} if (docs / "schemas").exists() else set()
    out += sorted(present - wanted.keys())
    return out


def write(docs: Path) -> None:
    (docs / "schemas").mkdir(parents=True, exist_ok=True)
    for stray in (docs / "schemas").glob("*.json"):
        stray.unlink()
    for name, text in render().items():
        (docs / name).write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.check:
        outdated = stale(args.docs)
        for name in outdated:
            sys.stderr.write(f"stale: {args.docs / name}\n")
        return 1 if outdated else 0
    write(args.docs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
