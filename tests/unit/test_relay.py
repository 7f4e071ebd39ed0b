"""The relay publishes committed events in order, in batches, and loses nothing when Kafka fails; the
publisher says per message what became of it, so that a message the broker refuses for good is parked
without a later message of its key overtaking it."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from aiokafka import errors as kafka_errors

from docket_contracts.envelope import CloudEvent
from docket_messaging.access import KafkaAccess
from docket_messaging.codec import KafkaMessage, encode
from docket_messaging.health import Health
from docket_messaging.kafka import KafkaPublisher
from docket_messaging.outbox import Delivery, Fate
from docket_messaging.relay import Relay

from .fakes import FakeOutbox, NoWakeups


def events(n: int) -> list[CloudEvent]:
    return [
        CloudEvent(
            type="docket.case.opened", source="/t", subject=f"case-{i % 3}", dataschema="urn:x:v1", data={"n": i}
        )
        for i in range(n)
    ]


@dataclass
class Sent:
    messages: Sequence[KafkaMessage]
    release: asyncio.Event | None = None

    def failing(self) -> bool:
        return False

    async def answered(self) -> bool:
        if self.release is not None:
            await self.release.wait()
        return True


@dataclass
class Broker:
    """A publisher that acknowledges everything, after failing `fail_times` whole hand-overs."""

    fail_times: int = 0
    sent: list[KafkaMessage] = field(default_factory=list)
    release: asyncio.Event | None = None  # when given, the broker answers once it is set

    async def hand(self, messages: Sequence[KafkaMessage], behind: Sequence[Sent] = ()) -> Sent:
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("broker unreachable")
        self.sent.extend(messages)
        return Sent(messages, self.release)

    async def outcomes(self, handed: Sequence[Sent]) -> list[list[Delivery]]:
        return [[Delivery.ok() for _ in batch.messages] for batch in handed]

    async def deliver(self, messages: Sequence[KafkaMessage]) -> list[Delivery]:
        [deliveries] = await self.outcomes([await self.hand(messages)])
        return deliveries


async def test_drain_publishes_everything_in_insertion_order_in_batches():
    outbox, publisher = FakeOutbox(events(7)), Broker()
    assert await Relay(outbox, publisher, NoWakeups(), batch_size=3).drain() == 7
    assert outbox.batches == [3, 3, 1]
    assert [dict(m.headers)["ce_id"].decode() for m in publisher.sent] == [e.id for e in outbox.events]


async def until(condition, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


async def test_a_failed_send_marks_nothing_and_the_next_run_publishes_it():
    outbox, publisher = FakeOutbox(events(4)), Broker(fail_times=2)
    relay = Relay(outbox, publisher, NoWakeups(), batch_size=10, max_backoff=0.01)
    task = asyncio.create_task(relay.run())
    try:
        await until(lambda: len(outbox.published) == 4)
    finally:
        task.cancel()
    assert len(publisher.sent) == 4  # the failed attempts sent nothing


async def test_hold_after_send_keeps_the_batch_unmarked_until_it_ends():
    outbox, publisher = FakeOutbox(events(2)), Broker()
    task = asyncio.create_task(Relay(outbox, publisher, NoWakeups(), hold_after_send=5).drain())
    await asyncio.sleep(0.05)
    assert len(publisher.sent) == 2 and outbox.published == set()
    task.cancel()


async def test_a_relay_that_cannot_publish_is_degraded_past_the_grace_period_then_ok_again():
    health = Health(grace_s=0.05)
    outbox, publisher = FakeOutbox(events(2)), Broker(fail_times=1000)
    relay = Relay(outbox, publisher, NoWakeups(), max_backoff=0.01, health=health)
    task = asyncio.create_task(relay.run())
    try:
        await until(lambda: "relay" in health.failing())
        assert "cannot publish: ConnectionError" in health.failing()["relay"]
        publisher.fail_times = 0
        await until(lambda: len(outbox.published) == 2)
        await until(lambda: health.failing() == {})
        assert health.parts()["relay"].ok
    finally:
        task.cancel()


async def test_a_relay_whose_send_hangs_is_degraded_once_the_grace_period_is_over():
    health = Health(grace_s=0.05)
    outbox, publisher = FakeOutbox(events(1)), Broker(release=asyncio.Event())
    task = asyncio.create_task(Relay(outbox, publisher, NoWakeups(), health=health).run())
    try:
        await until(lambda: "relay" in health.failing())
        assert "publishing has not completed" in health.failing()["relay"]
        publisher.release.set()
        await until(lambda: health.failing() == {} and len(outbox.published) == 1)
    finally:
        task.cancel()


# KafkaPublisher.deliver, over a producer that behaves as aiokafka's does when a broker refuses.


class FakeProducer:
    """`too_large` is refused before sending (aiokafka's max_request_size check); the broker refuses
    `refused` every time and `collateral` only the first time (it travelled in a refused batch). After a
    broker refusal the key has a gap in the idempotent sequence: later sends of it fail out of sequence
    until the producer is replaced."""

    def __init__(self, too_large=(), refused=(), collateral=(), timeout=()) -> None:
        self.too_large, self.refused, self.collateral, self.timeout = (
            set(too_large),
            set(refused),
            set(collateral),
            set(timeout),
        )
        self.sent: list[bytes] = []
        self.stopped = 0
        self._gaps: set[bytes] = set()

    async def send(self, topic, value, key=None, headers=None):
        if value in self.too_large:
            raise kafka_errors.MessageSizeTooLargeError("The message is 2000000 bytes when serialized")
        if value in self.timeout:
            raise kafka_errors.KafkaTimeoutError("no metadata")
        self.sent.append(value)
        future = asyncio.get_running_loop().create_future()
        if key in self._gaps:
            future.set_exception(kafka_errors.OutOfOrderSequenceNumber())
        elif value in self.refused or value in self.collateral:
            self.collateral.discard(value)
            self._gaps.add(key)
            future.set_exception(kafka_errors.MessageSizeTooLargeError())
        else:
            future.set_result(object())
        return future

    async def stop(self) -> None:
        self.stopped += 1
        self._gaps.clear()


def publisher_over(producer: FakeProducer) -> KafkaPublisher:
    publisher = KafkaPublisher(KafkaAccess("127.0.0.1:1"), "test")

    async def started():
        publisher._producer = producer
        return producer

    publisher._started = started  # type: ignore[method-assign]
    return publisher


def message(value: str) -> KafkaMessage:
    return KafkaMessage(topic="docket.cases", key=value[0].encode(), value=value.encode(), headers=[])


def fates(deliveries: Sequence[Delivery]) -> list[str]:
    return [d.fate.value for d in deliveries]


async def test_a_message_refused_before_sending_holds_the_later_ones_of_its_key_and_others_flow():
    producer = FakeProducer(too_large={b"b1"})
    deliveries = await publisher_over(producer).deliver([message(v) for v in ("a1", "b1", "a2", "b2", "c1")])
    assert fates(deliveries) == ["acknowledged", "refused", "acknowledged", "held", "acknowledged"]
    assert "MessageSizeTooLargeError" in deliveries[1].reason and "2000000 bytes" in deliveries[1].reason
    assert producer.sent == [b"a1", b"a2", b"c1"]  # b2 never left


async def test_a_broker_refusal_is_confirmed_alone_and_a_message_refused_with_its_batch_goes_through():
    producer = FakeProducer(refused={b"b1"}, collateral={b"c1"})
    deliveries = await publisher_over(producer).deliver([message(v) for v in ("a1", "b1", "c1", "b2", "c2")])
    # b1 refused alone too: refused; c1 acknowledged alone; b2 waits behind b1; c2, out of sequence after
    # c1's first refusal, fails for a while and goes in the next round, after c1.
    assert fates(deliveries) == ["acknowledged", "refused", "acknowledged", "held", "failed"]
    assert producer.sent == [b"a1", b"b1", b"c1", b"b2", b"c2", b"b1", b"c1"]
    assert producer.stopped == 2  # replaced after the refused batch and after b1's refusal alone


async def test_a_failure_for_a_while_at_send_fails_the_rest_without_refusing_anything():
    producer = FakeProducer(timeout={b"b1"})
    deliveries = await publisher_over(producer).deliver([message(v) for v in ("a1", "b1", "a2", "c1")])
    assert fates(deliveries) == ["acknowledged", "failed", "failed", "failed"]
    assert all(d.fate is not Fate.REFUSED for d in deliveries)


async def test_publish_is_all_or_nothing_and_raises_the_first_failure():
    publisher = publisher_over(FakeProducer(too_large={b"b1"}))
    await publisher.publish([message("a1")])
    with pytest.raises(kafka_errors.MessageSizeTooLargeError):
        await publisher.publish([message("a2"), message("b1")])


async def test_a_short_batch_ends_the_drain_without_claiming_again():
    """Under a steady load most wake-ups find a few rows: one transaction each, not a second that finds none."""
    outbox, claims = FakeOutbox(events(4)), []
    claim = outbox.claim

    async def counted(limit: int, excluding=()) -> list:
        claims.append(limit)
        return await claim(limit, excluding)

    outbox.claim = counted  # type: ignore[method-assign]
    assert await Relay(outbox, Broker(), NoWakeups(), batch_size=3).drain() == 4
    assert outbox.batches == [3, 1] and len(claims) == 2


# Relay over KafkaPublisher.hand: batches kept on their way while the broker answers, and each key's order kept
# when one of them fails.


class FakeBatchProducer:
    """The record-batch side of aiokafka's producer over three partitions, answering each batch a moment after it
    was queued. A batch carrying a value of `fail_once` fails the first time (a timeout), and leaves a gap in the
    partition's idempotent sequence: the later batches of the partition fail out of sequence until the producer
    is replaced. A broker that holds no state for the producer on the partition (its first writes, after the
    producer was replaced or its id expired) takes any sequence: with `takes_gaps` the later batches are written.
    `written` is what the partitions hold, in the order they took it; `most_on_the_way` the most batches on their
    way at once, to one partition and to all."""

    def __init__(self, fail_once=(), capacity: int = 1000, takes_gaps: bool = False) -> None:
        self.fail_once, self.capacity, self.takes_gaps = set(fail_once), capacity, takes_gaps
        self.written: list[tuple[int, bytes]] = []
        self.batches: list[int] = []
        self.stopped = 0
        self.most_on_the_way = (0, 0)
        self._on_the_way: dict[int, int] = {}
        self._gaps: set[int] = set()

    async def partitions_for(self, topic):
        return {0, 1, 2}

    def create_batch(self):
        producer = self

        class Builder:
            def __init__(self) -> None:
                self.values: list[bytes] = []

            def append(self, *, key, value, timestamp, headers):
                if len(self.values) >= producer.capacity:
                    return None
                self.values.append(value)
                return object()

        return Builder()

    async def send_batch(self, builder, topic, *, partition):
        self.batches.append(len(builder.values))
        future = asyncio.get_running_loop().create_future()
        if partition in self._gaps:
            error = kafka_errors.OutOfOrderSequenceNumber()
        elif self.fail_once & set(builder.values):
            self.fail_once -= set(builder.values)
            if not self.takes_gaps:
                self._gaps.add(partition)
            error = kafka_errors.KafkaTimeoutError("no answer from the broker")
        else:
            error = None
            self.written += [(partition, value) for value in builder.values]
        self._on_the_way[partition] = self._on_the_way.get(partition, 0) + 1
        most_to_one, most = self.most_on_the_way
        self.most_on_the_way = (
            max(most_to_one, self._on_the_way[partition]),
            max(most, sum(self._on_the_way.values())),
        )

        def answer() -> None:
            self._on_the_way[partition] -= 1
            if error:
                future.set_exception(error)
            else:
                future.set_result(object())

        asyncio.get_running_loop().call_later(0.002, answer)
        return future

    async def stop(self) -> None:
        self.stopped += 1
        self._gaps.clear()


def first_seen_by_key(outbox: FakeOutbox, written: Sequence[tuple[int, bytes]]) -> dict[bytes, list[bytes]]:
    """What a consumer applies of each key: the values in the order the partitions hold them, duplicates dropped."""
    keys = {encode_value(e): e.subject.encode() for e in outbox.events}
    seen: set[bytes] = set()
    applied: dict[bytes, list[bytes]] = {}
    for _, value in written:
        if value not in seen:
            seen.add(value)
            applied.setdefault(keys[value], []).append(value)
    return applied


def encode_value(event: CloudEvent) -> bytes:
    return encode(event, "docket.test").value


async def test_the_relay_keeps_batches_on_their_way_and_each_key_in_order():
    outbox, producer = FakeOutbox(events(30)), FakeBatchProducer()
    assert await Relay(outbox, publisher_over(producer), NoWakeups(), batch_size=4, depth=3).drain() == 30
    assert outbox.batches == [4] * 7 + [2]
    expected = first_seen_by_key(outbox, [(0, encode_value(e)) for e in outbox.events])
    assert first_seen_by_key(outbox, producer.written) == expected
    assert len(producer.written) == 30  # nothing twice when nothing fails


async def test_a_batch_that_fails_on_its_way_is_sent_again_with_everything_after_it_and_no_key_reordered():
    """One batch of the window times out: the batches after it on its partition fail out of sequence, those of
    the other partitions are acknowledged. The relay settles the window as one (the acknowledged marked, the rest
    of each failed key held), pauses, and starts again from the oldest row not published: each key's events
    reach the consumer in the order they were committed, every one of them, the acknowledged ones at most twice."""
    outbox = FakeOutbox(events(40))
    poisoned = encode_value(outbox.events[9])
    producer = FakeBatchProducer(fail_once={poisoned})
    relay = Relay(outbox, publisher_over(producer), NoWakeups(), batch_size=4, depth=4, max_backoff=0.01)
    task = asyncio.create_task(relay.run())
    try:
        await until(lambda: len(outbox.published) == 40)
    finally:
        task.cancel()
    expected = first_seen_by_key(outbox, [(0, encode_value(e)) for e in outbox.events])
    assert first_seen_by_key(outbox, producer.written) == expected
    assert sum(1 for _, value in producer.written if value == poisoned) == 1
    assert producer.stopped >= 1  # replaced after the timeout: a new sequence for the partition


async def test_a_row_committed_behind_the_rows_on_their_way_is_claimed_after_them_in_order():
    """A transaction that took its ids before the rows on their way commits after they were claimed: the relay
    claims nothing more until they are settled, then takes the late rows before anything after them."""
    outbox = FakeOutbox(events(12))
    late = {outbox.events[1].id, outbox.events[4].id}
    outbox.uncommitted = set(late)
    producer = FakeBatchProducer()
    claim = outbox.claim

    async def committing(limit, in_flight=()):
        if in_flight:
            outbox.uncommitted.clear()  # committed while the first batch is on its way
        return await claim(limit, in_flight)

    outbox.claim = committing  # type: ignore[method-assign]
    assert await Relay(outbox, publisher_over(producer), NoWakeups(), batch_size=4, depth=4).drain() == 12
    expected = first_seen_by_key(outbox, [(0, encode_value(e)) for e in outbox.events])
    assert first_seen_by_key(outbox, producer.written) == expected


async def test_a_broker_that_takes_a_batch_after_a_failed_one_of_its_partition_still_gets_each_key_in_order():
    """A broker with no state for the producer on a partition takes a batch that follows a failed one, gap or not.
    The relay never has two batches of a partition on their way, so no batch can follow a failed one: each key's
    events are written in the order they were committed, while batches of different partitions go together."""
    outbox = FakeOutbox(events(40))
    poisoned = encode_value(outbox.events[6])  # with case-0's event 9 behind it in the same claim, 12 in the next
    producer = FakeBatchProducer(fail_once={poisoned}, capacity=1, takes_gaps=True)
    relay = Relay(outbox, publisher_over(producer), NoWakeups(), batch_size=6, depth=4, max_backoff=0.01)
    task = asyncio.create_task(relay.run())
    try:
        await until(lambda: len(outbox.published) == 40)
    finally:
        task.cancel()
    in_order = [(0, encode_value(e)) for e in outbox.events]
    assert first_seen_by_key(outbox, producer.written) == first_seen_by_key(outbox, in_order)
    assert sum(1 for _, value in producer.written if value == poisoned) == 1
    most_to_one_partition, most = producer.most_on_the_way
    assert most_to_one_partition == 1 and most > 1
