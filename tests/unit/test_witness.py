"""The case record against its witness, pure: stored events beside what was published on docket.cases and
what the checkpoints on docket.checkpoints signed (the real topics and store: tests/security/test_witness.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

from docket_contracts import registry, topics
from docket_contracts.checkpoints import GENESIS, SigningKey, digest, new_signing_key
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import CheckpointedHead
from docket_operator.tail import Seen
from docket_operator.witness import Stored, Witness, compare, keys_of

KEY = SigningKey(new_signing_key())
CASE = str(uuid4())
AT = datetime(2026, 12, 6, 10, tzinfo=UTC)


def stored(version: int, hash: str | None = None, **data: object) -> Stored:
    return Stored(
        version=version,
        event_id=f"event-{version}",
        type="docket.investigation.opened",
        schema_version=1,
        data={"case_id": CASE, "opened_on": "2020-08-01", "scope": "scraping"} | data,
        occurred_at=AT,
        hash=hash or f"{version:064x}",
    )


def published(event: Stored, case_id: str = CASE, partition: int = 0, offset: int = 0) -> Seen:
    cloud = CloudEvent(
        type=event.type,
        source="/docket/case",
        subject=case_id,
        id=event.event_id,
        dataschema=registry.dataschema(event.type, event.schema_version),
        data=dict(event.data),
        time=event.occurred_at,
        sequence=event.version,
    )
    return Seen(topics.CASES, partition, offset, cloud)


def checkpoint(sequence: int, previous: str, *heads: tuple[str, int, str], key: SigningKey = KEY) -> Seen:
    signed = key.sign(sequence, previous, AT, [CheckpointedHead(case_id=c, version=v, hash=h) for c, v, h in heads])
    event = registry.new_event(signed, source="/docket/case", subject=topics.CASES, sequence=sequence)
    return Seen(topics.CHECKPOINTS, 0, sequence - 1, event)


def witness_of(*seen: Seen, keys: list[SigningKey] | None = None) -> Witness:
    found = Witness(keys_of(key.public for key in keys or [KEY]))
    for one in seen:
        found.take(one)
    found.finish()
    return found


def reasons(report) -> list[tuple[int, str]]:
    return [(finding.version, finding.reason) for finding in report.findings]


STORE = [stored(1), stored(2), stored(3)]


def test_a_store_equal_to_what_was_published_and_signed_is_witnessed_whole():
    seen = witness_of(*(published(e) for e in STORE), checkpoint(1, GENESIS, (CASE, 3, STORE[2].hash)))
    report = compare(CASE, STORE, seen)
    assert report.findings == [] and report.unwitnessed == 0
    assert seen.problems == [] and seen.summary().endswith("docket.checkpoints holds checkpoint 1, verified")


def test_a_rewritten_payload_differs_from_its_published_event_and_a_recomputed_head_from_the_checkpoint():
    seen = witness_of(*(published(e) for e in STORE), checkpoint(1, GENESIS, (CASE, 3, STORE[2].hash)))
    rewritten = [STORE[0], stored(2, hash="a" * 64, scope="nothing to see"), stored(3, hash="b" * 64)]
    assert reasons(compare(CASE, rewritten, seen)) == [
        (2, "version 2 is not the event published for it on docket.cases: its payload differs"),
        (3, "version 3 is not what checkpoint 1 signed: the case was rewritten up to it"),
    ]


def test_each_asserted_field_is_compared():
    seen = witness_of(*(published(e) for e in STORE))
    changed = [STORE[0], replace(STORE[1], event_id="other", type="docket.finding.recorded"), STORE[2]]
    assert reasons(compare(CASE, changed, seen)) == [
        (2, "version 2 is not the event published for it on docket.cases: its id, type, schema differ")
    ]
    later = [STORE[0], STORE[1], replace(STORE[2], occurred_at=datetime(2026, 12, 7, tzinfo=UTC))]
    assert reasons(compare(CASE, later, seen))[0][1].endswith("its time differs")


def test_an_event_removed_from_the_store_was_published_and_checkpointed():
    seen = witness_of(*(published(e) for e in STORE), checkpoint(1, GENESIS, (CASE, 3, STORE[2].hash)))
    assert reasons(compare(CASE, STORE[:2], seen)) == [
        (3, "version 3 was published on docket.cases (event event-3) but is not stored"),
        (3, "checkpoint 1 signed version 3, which is not stored"),
    ]
    assert reasons(compare(str(uuid4()), [], seen)) == []
    assert len(compare(CASE, [], seen).findings) == 4  # a whole case gone


def test_the_events_after_the_last_checkpoint_that_were_not_published_are_counted_not_witnessed():
    seen = witness_of(published(STORE[0]), checkpoint(1, GENESIS, (CASE, 1, STORE[0].hash)))
    report = compare(CASE, STORE, seen)
    assert report.findings == [] and report.unwitnessed == 2


def test_an_event_checkpointed_but_never_published_is_found_unless_the_topic_lost_its_first_messages():
    added = [*STORE, stored(4)]  # written behind the service's back, then a later head signed over it
    seen = witness_of(*(published(e) for e in STORE), checkpoint(1, GENESIS, (CASE, 4, added[3].hash)))
    assert reasons(compare(CASE, added, seen)) == [
        (4, "version 4 was checkpointed but never published on docket.cases")
    ]
    seen.cases_trimmed = True
    trimmed = compare(CASE, added, seen)
    assert trimmed.findings == [] and trimmed.unwitnessed == 0  # the checkpoint vouches for it


def test_a_redelivered_event_is_no_finding_but_two_events_as_one_version_are():
    seen = witness_of(*(published(e) for e in STORE), published(STORE[1], offset=9))
    assert compare(CASE, STORE, seen).findings == []
    forged = witness_of(*(published(e) for e in STORE), published(stored(2, scope="else"), offset=9))
    assert reasons(compare(CASE, STORE, forged)) == [
        (2, "two different events were published as version 2 (docket.cases 0:9)")
    ]


def test_an_event_published_after_a_later_one_of_its_case_on_its_partition_is_out_of_order():
    seen = witness_of(published(STORE[0]), published(STORE[2], offset=1), published(STORE[1], offset=2))
    assert reasons(compare(CASE, STORE, seen)) == [(2, "version 2 was published after version 3 (docket.cases 0:2)")]
    elsewhere = witness_of(published(STORE[0]), published(STORE[2], offset=1), published(STORE[1], partition=1))
    assert compare(CASE, STORE, elsewhere).findings == []  # partitions added: no order across them


def test_a_checkpoint_that_does_not_verify_is_a_fault_of_the_witness_and_vouches_for_nothing():
    thief = SigningKey(new_signing_key())
    seen = witness_of(*(published(e) for e in STORE), checkpoint(1, GENESIS, (CASE, 3, "f" * 64), key=thief))
    assert seen.problems == [
        f"checkpoint 1 (docket.checkpoints 0:0) does not verify: it names key {thief.key_id!r}, which is not "
        "among the case service's published keys"
    ]
    assert compare(CASE, STORE, seen).findings == []


def test_the_checkpoints_must_form_one_chain():
    first = checkpoint(1, GENESIS, (CASE, 1, STORE[0].hash))
    second = checkpoint(2, digest(first.event.data), (CASE, 2, STORE[1].hash))
    third = checkpoint(3, digest(second.event.data), (CASE, 3, STORE[2].hash))
    assert witness_of(first, second, third, second).problems == []  # a checkpoint sent twice
    assert witness_of(first, third).problems == ["checkpoint 2 is missing from docket.checkpoints"]
    assert witness_of(third).problems == ["checkpoints 1 to 2 are missing from docket.checkpoints"]
    unlinked = checkpoint(2, "e" * 64, (CASE, 2, STORE[1].hash))
    assert witness_of(first, unlinked).problems == ["checkpoint 2 does not follow from checkpoint 1"]
    other = checkpoint(2, digest(first.event.data), (CASE, 2, "d" * 64))
    forked = witness_of(first, second, other)
    assert forked.problems == ["two different checkpoints are numbered 2 (docket.checkpoints 0:1)"]


def test_two_checkpoints_that_sign_different_hashes_for_one_version_are_a_finding():
    first = checkpoint(1, GENESIS, (CASE, 3, STORE[2].hash))
    second = checkpoint(2, digest(first.event.data), (CASE, 3, "c" * 64))
    seen = witness_of(*(published(e) for e in STORE), first, second)
    assert reasons(compare(CASE, STORE, seen)) == [(3, "checkpoints 1 and 2 signed different hashes for version 3")]


def test_messages_that_are_no_case_event_or_checkpoint_are_set_aside():
    poison = Seen(topics.CASES, 0, 7, None, "missing CloudEvents header(s): ce_id")
    not_a_case = replace(published(STORE[0]), event=replace(published(STORE[0]).event, subject="not-a-case"))
    complaint = replace(published(STORE[0]), topic=topics.CHECKPOINTS)
    seen = witness_of(poison, not_a_case, complaint)
    assert len(seen.strays) == 3 and seen.events == {} and seen.problems == []
