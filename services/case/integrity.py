"""Tamper evidence for the case event store, pure: each stored event carries its own SHA-256 over a
canonical encoding and its predecessor's, and each stream's head (last version and hash) is kept apart by
the database, so that an edited, deleted, inserted or reordered event breaks a link that a check finds.

The hash covers what the record asserts (ids, version, type, schema version, payload, who and when it
happened), not where the database happened to put it (the global position, the recording time).
Personal data never enters the case stream, and sealed fields elsewhere are hashed as their ciphertext,
so erasing a data subject's key leaves every link intact.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

GENESIS = "0" * 64  # the "previous hash" of a stream's first event


class StoredEvent(Protocol):
    stream_id: UUID
    version: int
    event_id: str
    type: str
    schema_version: int
    actor: str
    actor_role: str | None
    actor_name: str | None
    occurred_at: datetime
    previous_hash: str | None
    hash: str | None

    @property
    def data(self) -> Mapping[str, Any]: ...  # read only: a row's dict, or any mapping


def canonical(event: StoredEvent) -> bytes:
    """The bytes that are hashed: sorted-key compact JSON of the asserted fields, times in UTC (the event's
    own hash is not among them)."""
    document = {
        "stream_id": str(event.stream_id),
        "version": event.version,
        "event_id": event.event_id,
        "type": event.type,
        "schema_version": event.schema_version,
        "data": event.data,
        "actor": event.actor,
        "actor_role": event.actor_role,
        "actor_name": event.actor_name,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "previous_hash": event.previous_hash,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: StoredEvent) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def canonical_json(value: Any) -> str:
    """A value as `canonical` encodes it: sorted keys, compact, UTF-8 as it is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hash_with_data(event: StoredEvent, data: str) -> str:
    """`event_hash(event)`, given its payload already encoded (`canonical_json(event.data)`): what the store
    writes as the row's JSON and the outbox row's is what is hashed, encoded once. The bytes are `canonical`'s:
    the payload's encoding is set in its sorted place among the other fields'."""
    before = {"actor": event.actor, "actor_name": event.actor_name, "actor_role": event.actor_role}
    after = {
        "event_id": event.event_id,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "previous_hash": event.previous_hash,
        "schema_version": event.schema_version,
        "stream_id": str(event.stream_id),
        "type": event.type,
        "version": event.version,
    }
    encoded = f'{canonical_json(before)[:-1]},"data":{data},{canonical_json(after)[1:]}'
    return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass(frozen=True)
class Head:
    """Where a stream was last appended to: its version and the hash of that event."""

    version: int
    hash: str


@dataclass(frozen=True)
class Broken:
    """The first link of a stream that does not hold, and why."""

    version: int
    reason: str


@dataclass(frozen=True)
class Verdict:
    stream_id: UUID
    events: int
    head_version: int | None
    broken: Broken | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify(stream_id: UUID, events: Iterable[StoredEvent], head: Head | None) -> Verdict:
    """Walk the stream in version order and report the first link that does not hold."""
    previous, expected_version, count = GENESIS, 1, 0
    for event in events:
        count += 1
        if event.version != expected_version:
            return Verdict(
                stream_id,
                count,
                head.version if head else None,
                Broken(
                    expected_version,
                    f"version {expected_version} is missing: the next stored event is version {event.version}",
                ),
            )
        if event.previous_hash != previous:
            why = (
                "it names no predecessor"
                if event.previous_hash is None
                else "the event before it was changed, removed or moved"
            )
            return Verdict(
                stream_id,
                count,
                head.version if head else None,
                Broken(
                    event.version, f"version {event.version} does not follow from version {event.version - 1}: {why}"
                ),
            )
        computed = event_hash(event)
        if event.hash != computed:
            return Verdict(
                stream_id,
                count,
                head.version if head else None,
                Broken(
                    event.version,
                    f"version {event.version} was changed after it was recorded: it no longer matches its hash",
                ),
            )
        previous, expected_version = computed, expected_version + 1
    last = expected_version - 1
    if head is None:
        broken = Broken(last, "the stream has no recorded head") if count else None
        return Verdict(stream_id, count, None, broken)
    if head.version != last:
        return Verdict(
            stream_id,
            count,
            head.version,
            Broken(
                last + 1 if head.version > last else head.version + 1,
                f"the stream was recorded up to version {head.version} but {last} event(s) are stored",
            ),
        )
    if head.hash != previous:
        return Verdict(
            stream_id,
            count,
            head.version,
            Broken(last, f"version {last}, the last event, was changed after it was recorded"),
        )
    return Verdict(stream_id, count, head.version, None)
