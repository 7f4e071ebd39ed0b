"""Asked to stop, each background part finishes what it holds and no more: the consumer the message it applies
(and commits the offsets of what it applied), a worker its round, the relay its batch and then every row
committed by then."""

import asyncio
from types import SimpleNamespace

import pytest
from aiokafka import TopicPartition

from docket_messaging.access import KafkaAccess
from docket_messaging.health import Health
from docket_messaging.kafka import KafkaConsumerLoop
from docket_messaging.relay import Relay
from docket_messaging.stopping import until_stopped
from docket_service.runtime import every, supervise

from .fakes import FakeOutbox, FakePublisher
from .test_consumer import Recorder, complaint_record, consumer
from .test_relay import Broker, events


async def test_until_stopped_gives_the_result_or_cancels_the_wait_once_stopped():
    stop = asyncio.Event()
    assert await until_stopped(stop, asyncio.sleep(0, result="done")) == "done"
    waiting = asyncio.create_task(until_stopped(stop, asyncio.sleep(3600)))
    await asyncio.sleep(0.01)
    stop.set()
    assert await asyncio.wait_for(waiting, 1) is None


async def test_until_stopped_raises_what_the_awaited_raised():
    with pytest.raises(ConnectionError):
        await until_stopped(asyncio.Event(), Broker(fail_times=1).deliver([]))


class Silent:
    """Wake-ups that never come: the relay drains once, then waits for ever unless stopped."""

    async def wait(self, timeout: float) -> None:
        if timeout:
            await asyncio.Event().wait()


async def test_a_stopped_relay_publishes_the_rows_committed_since_its_last_batch_and_returns():
    stop = asyncio.Event()
    outbox, broker = FakeOutbox(events(3)), Broker()
    task = asyncio.create_task(Relay(outbox, broker, Silent(), stopping=stop).run())
    while len(outbox.published) < 3:
        await asyncio.sleep(0.01)
    outbox.events.extend(events(2))  # committed while the relay waits for an announcement that never comes
    await asyncio.sleep(0.05)
    assert len(outbox.published) == 3
    stop.set()
    await asyncio.wait_for(task, 1)
    assert outbox.published == {e.id for e in outbox.events} and len(broker.sent) == 5


async def test_a_stopped_relay_that_cannot_publish_what_is_committed_says_so():
    stop = asyncio.Event()
    stop.set()
    outbox, broker = FakeOutbox(events(2)), Broker(fail_times=1)
    with pytest.raises(ConnectionError):
        await asyncio.wait_for(Relay(outbox, broker, Silent(), stopping=stop).run(), 1)
    assert outbox.published == set()


class OneBatch:
    """One partition's batch of five messages, then nothing."""

    def __init__(self) -> None:
        self.partition = TopicPartition("docket.complaints", 0)
        self.batches = [[complaint_record(offset=n) for n in range(5)]]
        self.commits: list[dict] = []

    def assignment(self) -> set[TopicPartition]:
        return {self.partition}

    async def getmany(self, timeout_ms: int, max_records: int) -> dict:
        if not self.batches:
            await asyncio.sleep(timeout_ms / 1000)
            return {}
        return {
            self.partition: [
                SimpleNamespace(
                    topic=r.topic, partition=r.partition, offset=r.offset, key=r.key, value=r.value, headers=r.headers
                )
                for r in self.batches.pop(0)
            ]
        }

    async def commit(self, offsets: dict) -> None:
        self.commits.append(offsets)


async def test_a_stopped_consumer_finishes_the_message_it_applies_commits_it_and_takes_no_other():
    stop = asyncio.Event()
    handler = Recorder()
    loop = KafkaConsumerLoop(
        KafkaAccess("127.0.0.1:9"),
        ["docket.complaints"],
        consumer(handler, FakePublisher()),
        topic_partitions=3,
        stopping=stop,
    )
    kafka = OneBatch()

    async def stops_during_the_second(session, event, payload) -> None:
        if len(handler.calls) == 1:
            stop.set()  # SIGTERM while the second message is applied
        await handler(session, event, payload)

    loop._consumer._handlers = {"docket.complaint.filed": stops_during_the_second}
    await asyncio.wait_for(loop._consume(kafka), 1)  # type: ignore[arg-type]
    assert len(handler.calls) == 2 and kafka.commits == [{kafka.partition: 2}]


async def test_a_worker_ends_after_its_round_once_the_runtime_stops_or_at_once_if_it_is_idle():
    runtime = SimpleNamespace(stopping=asyncio.Event())
    rounds: list[int] = []

    async def work(_) -> int:
        rounds.append(len(rounds))
        if len(rounds) == 2:
            runtime.stopping.set()  # SIGTERM during the second round, which finds a full batch again
        return 10

    await asyncio.wait_for(every(3600, 10, work)(runtime), 1)  # type: ignore[arg-type]
    assert rounds == [0, 1]

    runtime.stopping.clear()
    idle = asyncio.create_task(every(3600, 10, lambda _: asyncio.sleep(0, result=0))(runtime))  # type: ignore
    await asyncio.sleep(0.05)
    assert not idle.done()
    runtime.stopping.set()
    await asyncio.wait_for(idle, 1)


async def test_a_supervised_task_is_not_started_again_once_stopped_and_a_failure_then_is_raised():
    stop, runs = asyncio.Event(), []

    async def returns() -> None:
        runs.append("ran")
        stop.set()

    await asyncio.wait_for(supervise("worker", returns, Health(), stop), 1)
    assert runs == ["ran"]

    stop = asyncio.Event()

    async def fails_on_the_way_out() -> None:
        stop.set()
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        await asyncio.wait_for(supervise("relay", fails_on_the_way_out, Health(), stop), 1)
