"""The inbox consumer: apply once, ignore what it does not handle, dead-letter what it cannot process."""

from dataclasses import replace

import pytest
import sqlalchemy as sa

from docket_contracts.registry import new_event
from docket_messaging.codec import encode
from docket_messaging.consumer import InboxConsumer, Outcome, Record

from tests.factories import complaint_filed

from .fakes import FakeInbox, FakePublisher


def complaint_record(offset: int = 0, **event_changes: object) -> Record:
    payload = complaint_filed(articles_alleged=(6,))
    event = new_event(payload, source="/docket/intake", subject=str(payload.complaint_id), **event_changes)
    message = encode(event, "docket.complaints")
    return Record(topic=message.topic, partition=0, offset=offset, key=message.key, value=message.value,
                  headers=message.headers)


class Recorder:
    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.calls: list[str] = []
        self.failures = failures or []

    async def __call__(self, session, event, payload) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.calls.append(event.id)


def consumer(handler, dlq: FakePublisher, max_attempts: int = 3) -> InboxConsumer:
    return InboxConsumer("docket-test", {"docket.complaint.filed": handler}, FakeInbox(), dlq,
                         max_attempts=max_attempts, retry_delay=0, max_retry_delay=0)


def dlq_headers(dlq: FakePublisher) -> dict[str, str]:
    [message] = dlq.sent
    assert message.topic == "docket.dlq.docket-test"
    return {k: v.decode() for k, v in message.headers}


async def test_an_event_is_applied_once_and_a_redelivery_is_a_duplicate():
    handler, dlq = Recorder(), FakePublisher()
    record, c = complaint_record(), consumer(handler, dlq)
    assert await c.process(record) is Outcome.APPLIED
    assert await c.process(record) is Outcome.DUPLICATE
    assert len(handler.calls) == 1 and dlq.sent == []


async def test_an_undecodable_message_is_dead_lettered_with_its_reason_and_origin():
    dlq = FakePublisher()
    record = Record(topic="docket.complaints", partition=2, offset=41, key=b"k", value=b"{oops", headers=[])
    assert await consumer(Recorder(), dlq).process(record) is Outcome.DEAD_LETTERED
    headers = dlq_headers(dlq)
    assert "missing CloudEvents header" in headers["dlq_reason"]
    assert (headers["dlq_source_topic"], headers["dlq_source_partition"], headers["dlq_source_offset"]) == \
        ("docket.complaints", "2", "41")
    assert dlq.sent[0].value == b"{oops" and dlq.sent[0].key == b"k"


async def test_an_unknown_event_type_is_dead_lettered():
    dlq, record = FakePublisher(), complaint_record()
    headers = [(k, b"docket.complaint.teleported" if k == "ce_type" else v) for k, v in record.headers]
    outcome = await consumer(Recorder(), dlq).process(replace(record, headers=headers))
    assert outcome is Outcome.DEAD_LETTERED
    assert dlq_headers(dlq)["dlq_reason"].startswith("UnknownEventType")


async def test_a_payload_that_breaks_its_schema_is_dead_lettered():
    dlq, record = FakePublisher(), complaint_record()
    bad = replace(record, value=record.value.replace(b'"articles_alleged":[6]', b'"articles_alleged":[0]'))
    assert await consumer(Recorder(), dlq).process(bad) is Outcome.DEAD_LETTERED
    assert dlq_headers(dlq)["dlq_reason"].startswith("SchemaViolation")


async def test_a_contract_event_without_handler_is_ignored():
    c = InboxConsumer("docket-test", {}, FakeInbox(), FakePublisher())
    assert await c.process(complaint_record()) is Outcome.IGNORED


async def test_a_failing_handler_is_retried_then_succeeds():
    handler = Recorder([RuntimeError("conflict"), RuntimeError("conflict")])
    assert await consumer(handler, FakePublisher()).process(complaint_record()) is Outcome.APPLIED
    assert len(handler.calls) == 1


async def test_a_handler_that_keeps_failing_is_dead_lettered_after_max_attempts_and_the_next_goes_on():
    dlq = FakePublisher()
    handler = Recorder([ValueError("bad data")] * 3)
    c = consumer(handler, dlq, max_attempts=3)
    assert await c.process(complaint_record(offset=0)) is Outcome.DEAD_LETTERED
    assert dlq_headers(dlq)["dlq_reason"] == "handler failed 3 times: ValueError: bad data"
    assert await c.process(complaint_record(offset=1)) is Outcome.APPLIED


async def test_transient_database_errors_are_retried_beyond_max_attempts_and_never_dead_lettered():
    dlq = FakePublisher()
    outage = sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError())
    handler = Recorder([outage] * 6)
    assert await consumer(handler, dlq, max_attempts=2).process(complaint_record()) is Outcome.APPLIED
    assert dlq.sent == []


def test_handlers_must_name_contract_event_types():
    with pytest.raises(ValueError, match="docket.complaint.fild"):
        InboxConsumer("g", {"docket.complaint.fild": Recorder()}, FakeInbox(), FakePublisher())
