"""The case record checked against its witness outside the database: the case events on docket.cases and the
checkpoints on docket.checkpoints.

The hash chain of the case store (services/case/integrity.py) finds an event changed behind the store's back,
unless whoever changed it also recomputed every later hash and the head, as the schema's owner, a superuser or
whoever restores a backup can. What was published cannot be recomputed with it: each case event went out on
docket.cases as it was appended, and every so often the case service signed the heads of the streams that
moved (docket_contracts.checkpoints). A stored event is *witnessed* when it equals the event published for it
(id, type, schema, time and payload, at its version), or when it is at or below a head a checkpoint signed
whose hash the store still holds (the hash chains every event before it). `read` takes in both topics from
their first message up to now; `compare` puts one case's stored events beside them.

What the witness cannot see is in docs/guide.md ("A tamper-evident record"): the topics rewritten together
with the database, messages the topics no longer keep, the events after the last checkpoint that were not
published either, and checkpoints signed with a stolen key.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from docket_contracts import checkpoints, registry, topics
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import CheckpointSigned
from docket_messaging.access import KafkaAccess

from .tail import Seen, Tail

CASE_TYPES = frozenset(spec.type for spec in registry.EVENTS if spec.topic == topics.CASES)
CHECKPOINT_TYPE = registry.BY_PAYLOAD[CheckpointSigned].type


@dataclass(frozen=True)
class Published:
    """What a case event asserts, as published or as stored: enough to tell two apart, its payload digested."""

    event_id: str
    type: str
    dataschema: str
    time: datetime
    data: bytes

    @classmethod
    def of(cls, event_id: str, type: str, dataschema: str, time: datetime, data: Mapping[str, Any]) -> Published:
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        return cls(event_id, type, dataschema, time, hashlib.sha256(canonical).digest())

    def differences(self, other: Published) -> list[str]:
        names = {"event_id": "id", "type": "type", "dataschema": "schema", "time": "time", "data": "payload"}
        return [shown for name, shown in names.items() if getattr(self, name) != getattr(other, name)]


@dataclass(frozen=True)
class Stored:
    """A stored case event, as the store or the case service's history gives it."""

    version: int
    event_id: str
    type: str
    schema_version: int
    data: Mapping[str, Any]
    occurred_at: datetime
    hash: str

    def published(self) -> Published:
        dataschema = registry.dataschema(self.type, self.schema_version)
        return Published.of(self.event_id, self.type, dataschema, self.occurred_at, self.data)


@dataclass(frozen=True)
class Finding:
    """Where a case's store and its witness disagree, and how."""

    version: int
    reason: str


@dataclass
class Report:
    """One case against the witness: the disagreements, and how many stored events nothing witnesses yet."""

    case_id: str
    findings: list[Finding]
    unwitnessed: int


@dataclass
class Witness:
    """What the two topics say, taken in message by message (`take`), then checked as a whole (`finish`)."""

    keys: Mapping[str, Ed25519PublicKey]
    # Per case, each version's event as first published.
    events: dict[str, dict[int, Published]] = field(default_factory=dict)
    # Per case, each version a checkpoint signed: its hash and the checkpoint's number.
    heads: dict[str, dict[int, tuple[str, int]]] = field(default_factory=dict)
    # Disagreements the topics show by themselves, per case (two events published for one version, ...).
    seen_wrong: dict[str, list[Finding]] = field(default_factory=dict)
    # What is wrong with the checkpoints themselves.
    problems: list[str] = field(default_factory=list)
    # Messages on the topics that are no case event or no checkpoint, with where they are.
    strays: list[str] = field(default_factory=list)
    # Each checkpoint that verified: its number, its digest and the digest it names as previous.
    chain: dict[int, tuple[str, str]] = field(default_factory=dict)
    # Whether retention removed messages from the start of each topic.
    cases_trimmed: bool = False
    checkpoints_trimmed: bool = False
    # The last version published of each case on each partition, which the next must not go below.
    _last: dict[tuple[str, int], int] = field(default_factory=dict)

    def take(self, seen: Seen) -> None:
        where = f"{seen.topic} {seen.partition}:{seen.offset}"
        event = seen.event
        if event is None:
            self.strays.append(f"{where}: {seen.problem}")
        elif seen.topic == topics.CHECKPOINTS:
            self._checkpoint(event, where)
        else:
            self._case_event(event, seen.partition, where)

    def _case_event(self, event: CloudEvent, partition: int, where: str) -> None:
        try:
            case_id, version = str(UUID(event.subject)), event.sequence
        except ValueError:
            case_id, version = "", None
        if event.type not in CASE_TYPES or version is None:
            self.strays.append(f"{where}: no case event ({event.type}, subject {event.subject!r})")
            return
        published = Published.of(event.id, event.type, event.dataschema, event.time, event.data)
        versions = self.events.setdefault(case_id, {})
        first = versions.get(version)
        if first is None:
            last = self._last.get((case_id, partition), 0)
            if version < last:
                self._wrong(case_id, version, f"version {version} was published after version {last} ({where})")
            self._last[(case_id, partition)] = max(last, version)
            versions[version] = published
        elif first != published:  # the relay may send an event twice, but never two events as one version
            self._wrong(case_id, version, f"two different events were published as version {version} ({where})")

    def _checkpoint(self, event: CloudEvent, where: str) -> None:
        if event.type != CHECKPOINT_TYPE:
            self.strays.append(f"{where}: no checkpoint ({event.type})")
            return
        try:
            checkpoint = CheckpointSigned.model_validate(event.data)
        except ValidationError:
            self.problems.append(f"{where} is no valid checkpoint: its payload does not match its schema")
            return
        if (why := checkpoints.check(event.data, self.keys)) is not None:
            self.problems.append(f"checkpoint {checkpoint.sequence} ({where}) does not verify: {why}")
            return
        digest, number = checkpoints.digest(event.data), checkpoint.sequence
        known = self.chain.setdefault(number, (digest, checkpoint.previous))
        if known[0] != digest:
            self.problems.append(f"two different checkpoints are numbered {number} ({where})")
            return
        for head in checkpoint.heads:
            signed = self.heads.setdefault(str(head.case_id), {})
            earlier = signed.setdefault(head.version, (head.hash, number))
            if earlier[0] != head.hash:
                reason = f"checkpoints {earlier[1]} and {number} signed different hashes for version {head.version}"
                self._wrong(str(head.case_id), head.version, reason)

    def _wrong(self, case_id: str, version: int, reason: str) -> None:
        self.seen_wrong.setdefault(case_id, []).append(Finding(version, reason))

    def finish(self) -> None:
        """Check that the checkpoints form one chain: numbered without a gap, each naming the one before."""
        numbers = sorted(self.chain)
        if numbers and numbers[0] != 1 and not self.checkpoints_trimmed:
            self.problems.append(missing(1, numbers[0] - 1))
        for before, number in itertools.pairwise(numbers):
            if number != before + 1:
                self.problems.append(missing(before + 1, number - 1))
            elif self.chain[number][1] != self.chain[before][0]:
                self.problems.append(f"checkpoint {number} does not follow from checkpoint {before}")

    def cases(self) -> set[str]:
        return set(self.events) | set(self.heads) | set(self.seen_wrong)

    def summary(self) -> str:
        numbers = sorted(self.chain)
        if not numbers:
            signed = "no checkpoint"
        elif len(numbers) == 1:
            signed = f"checkpoint {numbers[0]}"
        else:
            signed = f"checkpoints {numbers[0]} to {numbers[-1]}"
        events = sum(len(versions) for versions in self.events.values())
        return (
            f"witness: {topics.CASES} holds {events} event(s) of {len(self.events)} case(s); "
            f"{topics.CHECKPOINTS} holds {signed}, verified"
        )


def missing(first: int, last: int) -> str:
    named = f"checkpoint {first} is" if first == last else f"checkpoints {first} to {last} are"
    return f"{named} missing from {topics.CHECKPOINTS}"


def compare(case_id: str, stored: Sequence[Stored], witness: Witness) -> Report:
    """One case's stored events (in version order) against what was published and checkpointed of it."""
    published = witness.events.get(case_id, {})
    signed = witness.heads.get(case_id, {})
    last_signed = max(signed, default=0)
    by_version = {event.version: event for event in stored}
    findings, unwitnessed = list(witness.seen_wrong.get(case_id, [])), 0
    for event in stored:
        on_topic = published.get(event.version)
        if on_topic is not None:
            if differ := on_topic.differences(event.published()):
                shown = ", ".join(differ)
                reason = f"version {event.version} is not the event published for it on {topics.CASES}: its {shown}"
                findings.append(Finding(event.version, reason + (" differs" if len(differ) == 1 else " differ")))
        elif event.version > last_signed:
            unwitnessed += 1
        elif not witness.cases_trimmed:
            reason = f"version {event.version} was checkpointed but never published on {topics.CASES}"
            findings.append(Finding(event.version, reason))
    for version, on_topic in published.items():
        if version not in by_version:
            reason = f"version {version} was published on {topics.CASES} (event {on_topic.event_id}) but is not stored"
            findings.append(Finding(version, reason))
    for version, (digest, number) in signed.items():
        if version not in by_version:
            findings.append(Finding(version, f"checkpoint {number} signed version {version}, which is not stored"))
        elif by_version[version].hash != digest:
            reason = f"version {version} is not what checkpoint {number} signed: the case was rewritten up to it"
            findings.append(Finding(version, reason))
    return Report(case_id, sorted(findings, key=lambda f: f.version), unwitnessed)


async def read(access: KafkaAccess, keys: Mapping[str, Ed25519PublicKey]) -> Witness:
    """Both topics from their first message kept up to the last one now, signed in with `access` (a principal
    that may read both: docket_operator.acls); ConnectionError if no broker answers, LookupError if a topic does
    not exist (or the principal may not see it)."""
    witness = Witness(keys)
    async with Tail(
        access,
        (topics.CASES, topics.CHECKPOINTS),
        client_id="docket-witness",
        wait_for_topics_s=0,
        from_beginning=True,
        until_now=True,
    ) as tail:
        witness.cases_trimmed = tail.trimmed(topics.CASES)
        witness.checkpoints_trimmed = tail.trimmed(topics.CHECKPOINTS)
        async for seen in tail:
            witness.take(seen)
    witness.finish()
    return witness


def keys_of(public: Iterable[Ed25519PublicKey]) -> dict[str, Ed25519PublicKey]:
    """Public keys by their `kid`, as a JWKS names them."""
    return checkpoints.keys_of(checkpoints.jwks(public))
