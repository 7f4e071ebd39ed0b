"""The inbox consumer: apply once, ignore what it does not handle, dead-letter what it cannot process; and
the health registry the consumer, the relay and the supervised tasks report to."""

import asyncio
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import asyncpg
import pytest
import sqlalchemy as sa
from aiokafka import TopicPartition
from aiokafka import errors as kafka_errors
from prometheus_client import REGISTRY
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi

from docket_contracts import registry
from docket_contracts.registry import new_event
from docket_messaging.access import KafkaAccess
from docket_messaging.codec import encode
from docket_messaging.consumer import InboxConsumer, Outcome, Record, Refused
from docket_messaging.failures import describe, is_transient, refused_for_good, sqlstate
from docket_messaging.health import Health
from docket_messaging.kafka import KafkaConsumerLoop
from docket_service.runtime import supervise
from tests.factories import complaint_filed

from .fakes import FakeInbox, FakePublisher


def complaint_record(offset: int = 0, **event_changes: object) -> Record:
    payload = complaint_filed(articles_alleged=(6,))
    event = new_event(payload, source="/docket/intake", subject=str(payload.complaint_id), **event_changes)
    message = encode(event, "docket.complaints")
    return Record(
        topic=message.topic, partition=0, offset=offset, key=message.key, value=message.value, headers=message.headers
    )


class Recorder:
    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.calls: list[str] = []
        self.failures = failures or []

    async def __call__(self, session, event, payload) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.calls.append(event.id)


def consumer(handler, dlq: FakePublisher, max_attempts: int = 3) -> InboxConsumer:
    return InboxConsumer(
        "docket-test",
        {"docket.complaint.filed": handler},
        FakeInbox(),
        dlq,
        max_attempts=max_attempts,
        retry_delay=0,
        max_retry_delay=0,
    )


def dlq_headers(dlq: FakePublisher) -> dict[str, str]:
    [message] = dlq.sent
    assert message.topic == "docket.dlq.docket-test"
    return {k: v.decode(errors="replace") for k, v in message.headers}


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
    assert (headers["dlq_source_topic"], headers["dlq_source_partition"], headers["dlq_source_offset"]) == (
        "docket.complaints",
        "2",
        "41",
    )
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
    assert dlq_headers(dlq)["dlq_reason"] == "handler failed 3 times: ValueError"  # never the text: it may quote values
    assert await c.process(complaint_record(offset=1)) is Outcome.APPLIED


async def test_an_event_a_handler_refuses_is_dead_lettered_at_once_with_the_reason_and_the_next_goes_on():
    dlq = FakePublisher()
    handler = Recorder([Refused("sealed for another data subject")])
    c = consumer(handler, dlq, max_attempts=3)
    assert await c.process(complaint_record(offset=0)) is Outcome.DEAD_LETTERED
    assert dlq_headers(dlq)["dlq_reason"] == "refused: sealed for another data subject"
    assert await c.process(complaint_record(offset=1)) is Outcome.APPLIED


async def test_transient_database_errors_are_retried_beyond_max_attempts_and_never_dead_lettered():
    dlq = FakePublisher()
    outage = sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError())
    handler = Recorder([outage] * 6)
    assert await consumer(handler, dlq, max_attempts=2).process(complaint_record()) is Outcome.APPLIED
    assert dlq.sent == []


async def test_a_conflict_with_a_concurrent_writer_is_retried_beyond_max_attempts_and_applied():
    """Two processes of the case service routing two complaints into one case: the loser of the version's
    primary key decides again, however often it loses, up to MAX_CONFLICTS times in a row."""
    dlq = FakePublisher()
    conflict = wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key value violates unique constraint"))
    handler = Recorder([conflict] * 10)
    assert await consumer(handler, dlq, max_attempts=2).process(complaint_record()) is Outcome.APPLIED
    assert len(handler.calls) == 1 and dlq.sent == []


async def test_a_handler_that_breaks_a_key_every_time_is_dead_lettered_after_its_conflicts_and_attempts():
    dlq = FakePublisher()
    conflict = wrapped(asyncpg.exceptions.UniqueViolationError("duplicate key value violates unique constraint"))
    handler = Recorder([conflict] * 8)
    c = InboxConsumer(
        "docket-test",
        {"docket.complaint.filed": handler},
        FakeInbox(),
        dlq,
        max_attempts=3,
        max_conflicts=5,
        retry_delay=0,
        max_retry_delay=0,
    )
    assert await c.process(complaint_record()) is Outcome.DEAD_LETTERED
    assert handler.failures == [] and dlq_headers(dlq)["dlq_reason"].startswith("handler failed 3 times:")


class RebalancingKafka:
    """Two batches of one partition; committing the first is refused, as when another instance joins the group
    mid-batch; then the loop is stopped."""

    def __init__(self, batches: list[list[Record]]) -> None:
        self.partition = TopicPartition("docket.complaints", 0)
        self.batches, self.commits = batches, []
        self.next_offset = 0

    def assignment(self) -> set[TopicPartition]:
        return {self.partition}

    def highwater(self, partition: TopicPartition) -> int:
        return 5  # the partition holds offsets 0 to 4

    async def position(self, partition: TopicPartition) -> int:
        return self.next_offset

    async def getmany(self, timeout_ms: int, max_records: int) -> dict:
        if not self.batches:
            raise asyncio.CancelledError
        batch = self.batches.pop(0)
        self.next_offset = batch[-1].offset + 1
        return {
            self.partition: [
                SimpleNamespace(
                    topic=r.topic, partition=r.partition, offset=r.offset, key=r.key, value=r.value, headers=r.headers
                )
                for r in batch
            ]
        }

    async def commit(self, offsets: dict) -> None:
        if not self.commits:
            self.commits.append(None)
            raise kafka_errors.CommitFailedError("the group has already rebalanced")
        self.commits.append(offsets)


async def test_a_commit_refused_by_a_rebalance_does_not_stop_the_consumer():
    handler = Recorder()
    loop = KafkaConsumerLoop(
        KafkaAccess("127.0.0.1:9"), ["docket.complaints"], consumer(handler, FakePublisher()), topic_partitions=3
    )
    kafka = RebalancingKafka([[complaint_record(offset=0)], [complaint_record(offset=1)]])
    with pytest.raises(asyncio.CancelledError):
        await loop._consume(kafka)  # type: ignore[arg-type]
    assert len(handler.calls) == 2 and kafka.commits == [None, {kafka.partition: 2}]
    # and the lag it reports is what the partition holds beyond its position
    assert counted("docket_consumer_lag_messages", group="docket-test", topic="docket.complaints", partition="0") == 3


def test_handlers_must_name_contract_event_types():
    with pytest.raises(ValueError, match=r"docket\.complaint\.fild"):
        InboxConsumer("g", {"docket.complaint.fild": Recorder()}, FakeInbox(), FakePublisher())


def poison(event_type: str, schema: str, value: bytes, **changes: bytes | None) -> Record:
    headers = {
        "ce_specversion": b"1.0",
        "ce_id": f"poison-{uuid.uuid4()}".encode(),
        "ce_type": event_type.encode(),
        "ce_source": b"/poison",
        "ce_subject": str(uuid.uuid4()).encode(),
        "ce_time": datetime.now(UTC).isoformat().encode(),
        "ce_dataschema": schema.encode(),
        "content-type": b"application/json",
    } | changes
    return Record(
        topic="docket.cases",
        partition=0,
        offset=0,
        key=b"k",
        value=value,
        headers=[(k, v) for k, v in headers.items() if v is not None],
    )


NOTICE_V1 = ("docket.formal_notice.issued", "urn:docket:schema:docket.formal_notice.issued:v1")
FILED_V2 = ("docket.complaint.filed", "urn:docket:schema:docket.complaint.filed:v2")
POISON = {
    "notice v1 whose orders are not a list": poison(*NOTICE_V1, json.dumps({"orders": 5}).encode()),
    "nested past the recursion limit": poison(*FILED_V2, b"[" * 100_000),
    "an object nested past the recursion limit": poison(*FILED_V2, b'{"a":' * 100_000),
    "not JSON": poison(*FILED_V2, b"{not json"),
    "no id and type": poison(*FILED_V2, b"{}", ce_id=None, ce_type=None),
    "a header that is not UTF-8": poison(*FILED_V2, b"{}", ce_source=b"\xff\xfe"),
    "an unknown type": poison("docket.complaint.refiled", "urn:docket:schema:docket.complaint.refiled:v1", b"{}"),
    "a payload breaking its schema": poison(*FILED_V2, b'{"complaint_id": "not a uuid"}'),
    "another content type": poison(*FILED_V2, b"{}", **{"content-type": b"text/plain"}),
    "a time that is no time": poison(*FILED_V2, b"{}", ce_time=b"Jeanne Dupont"),
    "a sequence that is no number": poison(*FILED_V2, b"{}", ce_sequence=b"Jeanne Dupont"),
}


@pytest.mark.parametrize("name", sorted(POISON))
async def test_no_message_stops_the_consumer_each_is_dead_lettered_and_the_next_is_applied(name):
    handler, dlq = Recorder(), FakePublisher()
    c = InboxConsumer(
        "docket-test",
        {"docket.complaint.filed": handler, "docket.formal_notice.issued": handler},
        FakeInbox(),
        dlq,
        retry_delay=0,
        max_retry_delay=0,
    )
    assert await c.process(POISON[name]) is Outcome.DEAD_LETTERED
    reason = dlq_headers(dlq)["dlq_reason"]
    assert reason and "Jeanne" not in reason
    assert await c.process(complaint_record(offset=1)) is Outcome.APPLIED
    assert len(handler.calls) == 1


async def test_the_v1_notice_that_looped_intake_is_dead_lettered_as_a_schema_violation():
    dlq = FakePublisher()
    c = InboxConsumer("docket-test", {"docket.formal_notice.issued": Recorder()}, FakeInbox(), dlq)
    assert await c.process(POISON["notice v1 whose orders are not a list"]) is Outcome.DEAD_LETTERED
    assert dlq_headers(dlq)["dlq_reason"].startswith("SchemaViolation: ")


async def test_anything_failing_while_reading_is_dead_lettered_by_its_type_only(monkeypatch):
    def broken_parse(event):
        raise KeyError("Jeanne Dupont")  # e.g. an upcaster quoting a value

    monkeypatch.setattr(registry, "parse", broken_parse)
    dlq = FakePublisher()
    assert await consumer(Recorder(), dlq).process(complaint_record()) is Outcome.DEAD_LETTERED
    assert dlq_headers(dlq)["dlq_reason"] == "KeyError while reading the message"


class RefusingOnce(FakePublisher):
    """Refuses the first dead letter as too large, as a broker does with a message near its limit."""

    async def publish(self, messages) -> None:
        if not self.sent and messages[0].value:
            raise kafka_errors.MessageSizeTooLargeError("too large")
        await super().publish(messages)


async def test_a_dead_letter_too_large_for_the_broker_goes_without_its_value():
    dlq = RefusingOnce()
    record = Record(topic="docket.complaints", partition=1, offset=9, key=b"k", value=b"{oops", headers=[])
    assert await consumer(Recorder(), dlq).process(record) is Outcome.DEAD_LETTERED
    headers = dlq_headers(dlq)
    assert dlq.sent[0].value == b"" and "MessageSizeTooLargeError" in headers["dlq_value_omitted"]
    assert headers["dlq_source_offset"] == "9"


async def test_a_dead_letter_that_kafka_cannot_take_now_is_raised_so_the_message_comes_again():
    dlq = FakePublisher(fail_times=1)
    record = Record(topic="docket.complaints", partition=1, offset=9, key=b"k", value=b"{oops", headers=[])
    with pytest.raises(ConnectionError):
        await consumer(Recorder(), dlq).process(record)


def wrapped(error: Exception) -> sa.exc.DBAPIError:
    """A server error as SQLAlchemy's asyncpg dialect raises it: DBAPIError <- adapter Error <- asyncpg."""
    try:
        try:
            raise error
        except Exception as cause:
            raise AsyncAdapt_asyncpg_dbapi.Error(str(cause), cause) from cause
    except Exception as adapted:
        return sa.exc.DBAPIError("UPDATE t SET name = $1", ("Jeanne Dupont",), adapted)


TRANSIENT = [
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.TooManyConnectionsError("too many connections"),
    asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
    asyncpg.exceptions.SerializationError("could not serialize access"),
    asyncpg.exceptions.ReadOnlySQLTransactionError("cannot execute UPDATE in a read-only transaction"),
    asyncpg.exceptions.ConnectionFailureError("connection failure"),
    asyncpg.exceptions.QueryCanceledError("canceling statement due to user request"),
    asyncpg.exceptions.OutOfMemoryError("out of memory"),
]
PERMANENT = [
    asyncpg.exceptions.UniqueViolationError("duplicate key value violates unique constraint"),
    asyncpg.exceptions.InvalidTextRepresentationError('invalid input syntax for type uuid: "Jeanne"'),
    asyncpg.exceptions.UndefinedTableError('relation "nowhere" does not exist'),
    asyncpg.exceptions.InsufficientPrivilegeError("permission denied"),
]


@pytest.mark.parametrize("error", TRANSIENT, ids=lambda e: e.sqlstate)
def test_server_errors_of_the_transient_sqlstate_classes_are_transient(error):
    failure = wrapped(error)
    assert type(failure) is sa.exc.DBAPIError  # the generic class: only the SQLSTATE tells
    assert sqlstate(failure) == error.sqlstate and is_transient(failure)


@pytest.mark.parametrize("error", PERMANENT, ids=lambda e: e.sqlstate)
def test_other_server_errors_are_not_transient_and_are_described_without_values(error):
    failure = wrapped(error)
    assert not is_transient(failure)
    assert describe(failure).endswith(f"(SQLSTATE {error.sqlstate})") and "Jeanne" not in describe(failure)


@pytest.mark.parametrize(
    "failure",
    [
        ConnectionRefusedError(),
        TimeoutError(),
        OSError("network unreachable"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        sa.exc.InterfaceError("SELECT 1", (), asyncpg.InterfaceError("connection is closed")),
        sa.exc.DBAPIError("SELECT 1", (), Exception("gone"), connection_invalidated=True),
        sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError()),
        sa.exc.TimeoutError("QueuePool limit reached"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_connection_level_failures_are_transient(failure):
    assert is_transient(failure)


@pytest.mark.parametrize(
    "failure",
    [
        ValueError("bad"),
        KeyError("x"),
        RuntimeError("bug"),
        TypeError("bug"),
        sa.exc.StatementError("bad", "SELECT 1", (), ValueError("bad")),
    ],
    ids=lambda e: type(e).__name__,
)
def test_bugs_are_not_transient(failure):
    assert not is_transient(failure)


def test_broker_refusals_for_good_and_for_a_while():
    for error in (
        kafka_errors.MessageSizeTooLargeError(),
        kafka_errors.RecordListTooLargeError(),
        kafka_errors.InvalidTopicError(),
        kafka_errors.CorruptRecordException(),
        kafka_errors.RecordTooLargeError(),
    ):
        assert refused_for_good(error), error
    for error in (
        kafka_errors.KafkaConnectionError(),
        kafka_errors.KafkaTimeoutError(),
        kafka_errors.NotLeaderForPartitionError(),
        kafka_errors.TopicAuthorizationFailedError(),
        kafka_errors.OutOfOrderSequenceNumber(),
        ConnectionError(),
    ):
        assert not refused_for_good(error), error


async def test_a_transient_failure_marks_the_consumer_degraded_until_it_applies():
    health = Health(grace_s=0)
    outage = wrapped(asyncpg.exceptions.CannotConnectNowError("the database system is starting up"))
    seen: list[bool] = []

    class Watching(Recorder):
        async def __call__(self, session, event, payload) -> None:
            seen.append(health.parts()["consumer"].ok if "consumer" in health.parts() else True)
            await super().__call__(session, event, payload)

    handler = Watching([outage, outage])
    c = InboxConsumer(
        "docket-test",
        {"docket.complaint.filed": handler},
        FakeInbox(),
        FakePublisher(),
        retry_delay=0,
        max_retry_delay=0,
        health=health,
    )
    assert await c.process(complaint_record()) is Outcome.APPLIED
    assert seen == [True, False, False]  # degraded while it retried
    assert health.parts()["consumer"].ok and health.failing() == {}


# The health registry


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=self.now)


def registry_with_clock(grace_s: float = 5.0) -> tuple[Health, Clock]:
    clock = Clock()
    return Health(grace_s, monotonic=clock.monotonic, wall=clock.wall), clock


def test_a_part_degraded_within_the_grace_period_is_not_failing_and_after_it_is():
    health, clock = registry_with_clock()
    health.degraded("relay", "cannot publish: KafkaConnectionError")
    clock.now += 4
    health.degraded("relay", "cannot publish: KafkaTimeoutError")  # still the same outage: keeps its start
    assert health.failing() == {}
    clock.now += 2
    assert health.failing() == {"relay": "degraded since 2026-01-01T00:16:40+00:00: cannot publish: KafkaTimeoutError"}


def test_a_part_that_recovers_is_ok_and_a_new_outage_starts_a_new_grace_period():
    health, clock = registry_with_clock()
    health.degraded("consumer", "waits for the database")
    clock.now += 10
    health.ok("consumer")
    assert health.failing() == {} and health.parts()["consumer"].ok
    health.degraded("consumer", "waits for the database")
    clock.now += 3
    assert health.failing() == {}


def test_a_late_report_counts_from_when_the_trouble_began():
    health, _clock = registry_with_clock()
    health.degraded("relay", "publishing has not completed for 5s", for_s=5.5)
    assert "relay" in health.failing()


def test_the_report_lists_every_part_with_its_state_and_since_when():
    health, clock = registry_with_clock()
    health.ok("relay")
    clock.now += 1
    health.degraded("consumer", "Kafka unavailable")
    assert health.report() == {
        "consumer": {"status": "degraded", "reason": "Kafka unavailable", "since": "2026-01-01T00:16:41+00:00"},
        "relay": {"status": "ok", "reason": None, "since": "2026-01-01T00:16:40+00:00"},
    }
    health.forget("consumer")
    assert list(health.report()) == ["relay"]


async def test_a_supervised_task_in_a_restart_loop_is_degraded_and_ok_once_it_runs_stably(monkeypatch):
    import docket_service.runtime as service

    monkeypatch.setattr(service, "RESTART_DELAY_S", 0.01)
    monkeypatch.setattr(service, "STABLE_AFTER_S", 0.2)
    health, runs = Health(grace_s=0.05), 0

    async def crashes_three_times() -> None:
        nonlocal runs
        runs += 1
        if runs <= 3:
            raise RuntimeError("Jeanne Dupont")
        await asyncio.sleep(3600)

    task = asyncio.create_task(supervise("test-consumer", crashes_three_times, health))
    try:
        for _ in range(100):
            if runs >= 4:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.06)
        [reason] = health.failing().values()
        assert "failed 3 time(s) in a row, last: RuntimeError" in reason and "Jeanne" not in reason
        await asyncio.sleep(0.3)
        assert health.failing() == {} and health.parts()["test-consumer"].ok
    finally:
        task.cancel()


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_the_metrics_count_outcomes_retries_and_dead_letters_by_kind():
    group = f"docket-metrics-{uuid.uuid4().hex[:6]}"
    before = {"applied": counted("docket_messages_processed_total", group=group, outcome="applied")}
    handler = Recorder([RuntimeError("once")])
    c = InboxConsumer(
        group,
        {"docket.complaint.filed": handler},
        FakeInbox(),
        FakePublisher(),
        max_attempts=3,
        retry_delay=0,
        max_retry_delay=0,
    )
    assert await c.process(complaint_record(offset=0)) is Outcome.APPLIED  # after one failure
    handler.failures = [ValueError("bad")] * 3
    assert await c.process(complaint_record(offset=1)) is Outcome.DEAD_LETTERED  # three failures
    unreadable = Record(topic="docket.complaints", partition=0, offset=2, key=b"k", value=b"{oops", headers=[])
    assert await c.process(unreadable) is Outcome.DEAD_LETTERED
    assert counted("docket_messages_processed_total", group=group, outcome="applied") == before["applied"] + 1
    assert counted("docket_messages_processed_total", group=group, outcome="dead_lettered") == 2
    assert counted("docket_handler_retries_total", group=group, reason="failed") == 1 + 2
    assert counted("docket_messages_dead_lettered_total", group=group, reason="handler_failed") == 1
    assert counted("docket_messages_dead_lettered_total", group=group, reason="unreadable") == 1


# A partition's fetch applied together: one transaction, or message by message once it fails.


def keyed_record(offset: int, key: str) -> Record:
    payload = complaint_filed(articles_alleged=(6,))
    message = encode(new_event(payload, source="/docket/intake", subject=key), "docket.complaints")
    return Record(
        topic=message.topic, partition=0, offset=offset, key=message.key, value=message.value, headers=message.headers
    )


class Writer:
    """A handler that writes the event's key and id in its transaction (the fake inbox's session is a list), and
    fails on the events `poison` every time."""

    def __init__(self, poison=()) -> None:
        self.poison = set(poison)
        self.runs = 0

    async def __call__(self, session, event, payload) -> None:
        self.runs += 1
        session.append((event.subject, event.id))
        if event.id in self.poison:
            raise RuntimeError("the handler breaks on this event")


def event_id(record: Record) -> str:
    return dict(record.headers)["ce_id"].decode()


async def test_a_fetch_is_applied_in_one_transaction_in_order():
    records = [keyed_record(n, f"case-{n % 2}") for n in range(6)]
    handler, dlq = Writer(), FakePublisher()
    c = consumer(handler, dlq)
    assert await c.process_all(records) == [Outcome.APPLIED] * 6
    assert c._inbox.transactions == 1
    assert c._inbox.effects == [(f"case-{n % 2}", event_id(r)) for n, r in enumerate(records)]
    assert dlq.sent == []


async def test_a_poison_message_in_a_fetch_is_dead_lettered_and_the_others_are_applied_once_in_order():
    records = [keyed_record(n, f"case-{n % 2}") for n in range(7)]
    poison = event_id(records[3])
    handler, dlq = Writer(poison={poison}), FakePublisher()
    c = consumer(handler, dlq, max_attempts=2)
    outcomes = await c.process_all(records)
    assert outcomes == [Outcome.APPLIED] * 3 + [Outcome.DEAD_LETTERED] + [Outcome.APPLIED] * 3
    # the others once each, in the partition's order (so each key's), and nothing of the poison's handler
    assert c._inbox.effects == [(f"case-{n % 2}", event_id(r)) for n, r in enumerate(records) if n != 3]
    [dead] = dlq.sent
    assert dict(dead.headers)["ce_id"].decode() == poison
    # the same fetch again (offsets not committed before a crash): all duplicates, nothing applied twice
    effects = list(c._inbox.effects)
    again = await c.process_all(records)
    assert [o for n, o in enumerate(again) if n != 3] == [Outcome.DUPLICATE] * 6
    assert c._inbox.effects == effects


async def test_an_unreadable_message_in_a_fetch_is_dead_lettered_and_the_others_applied_together():
    records = [keyed_record(n, "case-0") for n in range(4)]
    records[1] = replace(records[1], value=b"{not json")
    handler, dlq = Writer(), FakePublisher()
    c = consumer(handler, dlq)
    assert await c.process_all(records) == [Outcome.APPLIED, Outcome.DEAD_LETTERED, Outcome.APPLIED, Outcome.APPLIED]
    assert c._inbox.transactions == 1 and len(dlq.sent) == 1
    assert [event for _, event in c._inbox.effects] == [event_id(records[n]) for n in (0, 2, 3)]


async def test_an_event_twice_in_a_fetch_is_applied_once():
    record = keyed_record(0, "case-0")
    records = [record, keyed_record(1, "case-0"), replace(record, offset=2)]
    c = consumer(Writer(), FakePublisher())
    assert await c.process_all(records) == [Outcome.APPLIED, Outcome.APPLIED, Outcome.DUPLICATE]
    assert len(c._inbox.effects) == 2


async def test_a_fetch_stops_where_the_partition_is_taken_away_and_the_rest_comes_again():
    records = [keyed_record(n, "case-0") for n in range(5)]
    handler, asked = Writer(), []

    def go_on() -> bool:
        asked.append(True)
        return len(asked) <= 3  # taken away after two messages (the first ask is before the fetch)

    c = consumer(handler, FakePublisher())
    assert await c.process_all(records, go_on) == [Outcome.APPLIED] * 2
    assert await c.process_all(records) == [Outcome.DUPLICATE] * 2 + [Outcome.APPLIED] * 3
    assert [event for _, event in c._inbox.effects] == [event_id(r) for r in records]
