"""aiokafka adapters: the idempotent publisher, the consumer loop, topic creation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError, MessageSizeTooLargeError
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from docket_contracts.topics import CONFIGS, dead_letter_topic

from .access import KafkaAccess
from .backoff import Backoff
from .codec import KafkaMessage
from .consumer import HEALTH_PART, InboxConsumer, Record
from .failures import describe, kind, refused_for_good
from .health import Health
from .metrics import CONSUMER_LAG
from .outbox import Delivery
from .stopping import until_stopped

log = logging.getLogger(__name__)

TOPIC_ALREADY_EXISTS = 36

STOP_TIMEOUT_S = 8.0

Stream = tuple[str, bytes]  # (topic, key): the order Kafka keeps, and the order a consumer sees
Partition = tuple[str, int]  # (topic, partition)

# The producer every publisher makes. No linger: a caller hands over a whole batch at once (the relay, a batch of
# outbox rows) and the producer's sender takes it as one request per partition when it next runs; a linger would
# only add itself to every event's way from its commit to its consumers (about 5 ms a hop at the former 5 ms).
# Record batches of up to 256 KiB (aiokafka's default is 16 KiB): the relay fills them with a batch of rows, and a
# backlog goes in a quarter as many requests; well under the broker's limit on a batch (message.max.bytes, 1 MB).
# The largest request is aiokafka's default, named here because the relay checks messages against it.
PRODUCER_SETTINGS: dict[str, Any] = {
    "enable_idempotence": True,
    "acks": "all",
    "linger_ms": 0,
    "max_batch_size": 256 * 1024,
    "max_request_size": 1024 * 1024,
}
# How `send` chooses a keyed message's partition, which `hand` chooses too; and for how many keys at most a
# publisher remembers the choice.
PARTITIONER = DefaultPartitioner()
KEYS_REMEMBERED = 100_000


def stream_of(message: KafkaMessage) -> Stream:
    return message.topic, message.key


def append(builder: Any, message: KafkaMessage) -> bool:
    """Add the message to a record batch; False if the batch is full."""
    return builder.append(key=message.key, value=message.value, timestamp=None, headers=message.headers) is not None


class Handover:
    """Messages handed to the producer: the outcomes of those refused or failed as they were handed over (None for
    the others), and the broker's answers to come for the others, each future for the messages it carries (one,
    or a record batch); `last`, the answer to come for each partition's last record batch (from `hand`)."""

    def __init__(
        self,
        messages: Sequence[KafkaMessage],
        outcomes: list[Delivery | None],
        in_flight: list[tuple[list[int], asyncio.Future[Any]]],
        last: dict[Partition, asyncio.Future[Any]] | None = None,
    ) -> None:
        self.messages = messages
        self.outcomes = outcomes
        self.in_flight = in_flight
        self.last = last or {}
        self._answers: dict[int, BaseException | None] | None = None
        # Refused or failed as they were handed over; or, once seen, answered with a failure.
        self._failing = any(outcome is not None for outcome in outcomes)
        self._seen_ok = 0  # the futures, in order, that the broker is known to have answered with success

    def failing(self) -> bool:
        """True once one of the messages is known not to be acknowledged. Looks only at the answers it has not
        seen, up to the first still awaited: cheap however often it is asked."""
        while not self._failing and self._seen_ok < len(self.in_flight):
            future = self.in_flight[self._seen_ok][1]
            if not future.done():
                break
            self._failing = failure(future) is not None
            self._seen_ok += not self._failing
        return self._failing

    async def answers(self) -> dict[int, BaseException | None]:
        """The broker's answer for each message sent, by its index: None if it acknowledged it, else the error;
        once it has answered for all."""
        if self._answers is None:
            # One at a time rather than gathered: the producer answers for a whole batch of a partition at once, so
            # this waits about once per produce request, and registers nothing on the others.
            for _, future in self.in_flight:
                if not future.done():
                    await asyncio.wait((future,))
            self._answers = {index: failure(future) for indexes, future in self.in_flight for index in indexes}
        return self._answers

    async def answered(self) -> bool:
        """Wait until the broker has answered for every message; True if it acknowledged them all."""
        await self.answers()
        return not self.failing()


def failure(future: asyncio.Future[Any]) -> BaseException | None:
    """What a done future failed with, or None."""
    return asyncio.CancelledError() if future.cancelled() else future.exception()


def too_large(message: KafkaMessage) -> MessageSizeTooLargeError | None:
    """The producer's refusal of a message too large for a request, as `send` raises it before sending."""
    size = DefaultRecordBatchBuilder.estimate_size_in_bytes(message.key, message.value, message.headers)
    if size <= PRODUCER_SETTINGS["max_request_size"]:
        return None
    return MessageSizeTooLargeError(
        f"The message is {size} bytes when serialized which is larger than the maximum request size you have "
        "configured with the max_request_size configuration"
    )


class KafkaPublisher:
    """An idempotent producer (acks=all) started on first use, so a service starts without Kafka.

    `deliver` says per message whether the broker acknowledged it, refused it for good, or failed for a
    while, and never lets a message overtake an earlier one of the same key that was not acknowledged; `hand`
    and `outcomes` do the same for batches handed one after the other while the broker answers (the relay). A
    broker that refuses a message refuses the whole batch it travelled in, so before a message is called
    refused it is sent again alone. After a refusal the producer is replaced: an idempotent producer
    numbers its batches per partition, and the broker would take every later batch for a gap.
    """

    def __init__(self, access: KafkaAccess, client_id: str) -> None:
        self._access = access
        self._client_id = client_id
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()
        self._partitions: dict[tuple[str, bytes, int], int] = {}

    async def _started(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(**self._access.options(), client_id=self._client_id, **PRODUCER_SETTINGS)
                try:
                    await producer.start()
                except BaseException:
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def _replace(self) -> None:
        """Stop the producer so that the next send starts a new one, with a new producer id."""
        async with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), STOP_TIMEOUT_S)
            except (KafkaError, TimeoutError) as exc:
                log.warning("%s: stopping the producer: %s", self._client_id, describe(exc))

    async def publish(self, messages: Sequence[KafkaMessage]) -> None:
        """Send every message and return once the broker acknowledged all of them; else raise the first
        failure (for dead letters, which are all or nothing)."""
        for delivery in await self.deliver(messages):
            if not delivery.acknowledged:
                raise delivery.error or KafkaError(delivery.reason)

    async def deliver(self, messages: Sequence[KafkaMessage]) -> list[Delivery]:
        """Send the messages in order, one `send` each, and say what became of each (same order as `messages`)."""
        [deliveries] = await self.outcomes([await self._send_each(messages)])
        return deliveries

    async def _send_each(self, messages: Sequence[KafkaMessage]) -> Handover:
        """Give the messages to the producer one by one, in order. A message refused before it is sent (too large)
        holds the later ones of its key, which are not sent; a failure for a while (no metadata, no room in the
        buffer) fails it and all after it, which are not sent."""
        producer = await self._started()
        outcomes: list[Delivery | None] = [None] * len(messages)
        blocked: set[Stream] = set()
        in_flight: list[tuple[list[int], asyncio.Future[Any]]] = []
        for index, message in enumerate(messages):
            if stream_of(message) in blocked:
                outcomes[index] = Delivery.held()
                continue
            try:
                in_flight.append(
                    (
                        [index],
                        await producer.send(
                            message.topic, message.value, key=message.key, headers=list(message.headers)
                        ),
                    )
                )
            except Exception as exc:  # refused before sending (too large), or no metadata, no buffer
                if not refused_for_good(exc):
                    for rest in range(index, len(messages)):
                        outcomes[rest] = outcomes[rest] or Delivery.failed(exc)
                    break
                outcomes[index] = Delivery.refused(exc)
                blocked.add(stream_of(message))
        return Handover(messages, outcomes, in_flight)

    async def hand(self, messages: Sequence[KafkaMessage], behind: Sequence[Handover] = ()) -> Handover:
        """Give the messages to the producer in order, behind those handed before and not settled yet (`behind`), in
        record batches of our own, filled per partition in order, with one answer per batch rather than per message.
        The partition is the one `send` would choose (the producer's partitioner, over the topic's partitions).

        A partition never has two record batches on their way: a batch is queued once the broker has answered for
        the one before on its partition (at once for a partition with none on its way), and not at all if that one
        was not acknowledged: its messages fail for a while, not sent. A batch that fails unwritten leaves the next
        one a gap in the idempotent sequence, which a broker with no state for the producer on the partition takes;
        so no batch may follow one that is not acknowledged. Partitions with none on their way are queued first, so
        batches of different partitions go together.

        A message too large to send is refused at once and holds the later ones of its key, which are not sent; a
        failure for a while (no metadata, no room in the queue) fails every message not queued yet."""
        producer = await self._started()
        outcomes: list[Delivery | None] = [None] * len(messages)
        blocked: set[Stream] = set()
        in_flight: list[tuple[list[int], asyncio.Future[Any]]] = []
        filling: dict[Partition, tuple[Any, list[int]]] = {}
        partitions: dict[str, list[int]] = {}
        last: dict[Partition, asyncio.Future[Any]] = {}
        for earlier in behind:
            last.update(earlier.last)

        async def queue(where: Partition, builder: Any, indexes: list[int]) -> None:
            before = last.get(where)
            if before is not None and not before.done():
                await asyncio.wait((before,))
            if before is not None and failure(before) is not None:
                topic, partition = where
                refusal = KafkaError(f"not sent: an earlier record batch of {topic}[{partition}] was not acknowledged")
                for index in indexes:
                    outcomes[index] = Delivery.failed(refusal)
                return
            last[where] = await producer.send_batch(builder, where[0], partition=where[1])
            in_flight.append((indexes, last[where]))

        try:
            for index, message in enumerate(messages):
                stream = stream_of(message)
                if stream in blocked:
                    outcomes[index] = Delivery.held()
                    continue
                if (refusal := too_large(message)) is not None:
                    outcomes[index] = Delivery.refused(refusal)
                    blocked.add(stream)
                    continue
                if message.topic not in partitions:
                    partitions[message.topic] = sorted(await producer.partitions_for(message.topic))
                where = (message.topic, self._partition(message, partitions[message.topic]))
                builder, indexes = filling.get(where) or (None, [])
                if builder is None or not append(builder, message):
                    if builder is not None:
                        await queue(where, builder, indexes)
                    builder, indexes = producer.create_batch(), []
                    if not append(builder, message):  # a batch takes its first message whatever its size
                        raise RuntimeError("an empty record batch did not take a message")
                    filling[where] = (builder, indexes)
                indexes.append(index)
            while filling:
                where = min(filling, key=lambda where: where in last and not last[where].done())
                await queue(where, *filling.pop(where))
        except Exception as exc:  # no metadata, no room in the queue, the producer stopped: nothing more goes
            queued = {index for indexes, _ in in_flight for index in indexes}
            for index in range(len(messages)):
                if outcomes[index] is None and index not in queued:
                    outcomes[index] = Delivery.failed(exc)
        return Handover(messages, outcomes, in_flight, last)

    def _partition(self, message: KafkaMessage, partitions: list[int]) -> int:
        """The partition `send` would choose for the message, remembered for its key: a case's events come many
        times over, and the producer's hash is written in Python."""
        where = (message.topic, message.key, len(partitions))
        partition = self._partitions.get(where)
        if partition is None:
            if len(self._partitions) >= KEYS_REMEMBERED:
                self._partitions.clear()
            partition = self._partitions[where] = PARTITIONER(message.key, partitions, partitions)
        return partition

    async def outcomes(self, handed: Sequence[Handover]) -> list[list[Delivery]]:
        """What became of each message of batches handed one after the other, settled as one batch once the
        broker has answered for all of them: a message the broker refused is sent again alone before it is called
        refused, and every message after the first of its stream that was not acknowledged is held behind it."""
        messages = [message for batch in handed for message in batch.messages]
        outcomes: list[Delivery | None] = []
        suspects: list[int] = []
        broken = False
        for batch in handed:
            answers = await batch.answers()
            start = len(outcomes)
            outcomes += batch.outcomes
            for index, error in sorted(answers.items()):
                if error is None:
                    outcomes[start + index] = Delivery.ok()
                elif refused_for_good(error):
                    suspects.append(start + index)
                else:
                    outcomes[start + index] = Delivery.failed(error)
                broken = broken or (isinstance(error, KafkaError) and not getattr(error, "retriable", False))
        if broken:
            await self._replace()
        for index in suspects:
            outcomes[index] = await self._alone(messages[index], messages[:index], outcomes[:index])
        settled = behind_the_first_failure(messages, [outcome or Delivery.held() for outcome in outcomes])
        split, start = [], 0
        for batch in handed:
            split.append(settled[start : start + len(batch.messages)])
            start += len(batch.messages)
        return split

    async def _alone(
        self, message: KafkaMessage, before: Sequence[KafkaMessage], earlier: Sequence[Delivery | None]
    ) -> Delivery:
        """Send again by itself a message whose batch the broker refused: it may have been refused for
        another's sake. Held instead if an earlier message of its key was not acknowledged."""
        if any(
            stream_of(m) == stream_of(message) and not (d and d.acknowledged)
            for m, d in zip(before, earlier, strict=False)
        ):
            return Delivery.held()
        producer = await self._started()
        try:
            await (await producer.send(message.topic, message.value, key=message.key, headers=list(message.headers)))
        except Exception as exc:
            if isinstance(exc, KafkaError) and not getattr(exc, "retriable", False):
                await self._replace()
            return Delivery.refused(exc) if refused_for_good(exc) else Delivery.failed(exc)
        return Delivery.ok()

    async def ping(self, timeout: float = 3.0) -> None:
        """Raise unless the broker answers a metadata request within `timeout` seconds."""
        producer = await asyncio.wait_for(self._started(), timeout)
        if not await asyncio.wait_for(producer.client.fetch_all_metadata(), timeout):
            raise KafkaError("no metadata from the broker")

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None


def behind_the_first_failure(messages: Sequence[KafkaMessage], outcomes: list[Delivery]) -> list[Delivery]:
    """Every message after the first one of its stream that was not acknowledged is held behind it: it
    failed because of it (a broker that knows the producer takes a gap in its sequence for an error), was not
    sent behind it, or must wait for it anyway, and only the first one's fate says whether to retry or park."""
    stopped: set[Stream] = set()
    for index, (message, outcome) in enumerate(zip(messages, outcomes, strict=True)):
        stream = stream_of(message)
        if stream in stopped:
            if outcome.acknowledged:  # one batch of a partition on its way at a time never lets this happen
                log.error("a message was acknowledged after an earlier one of its key was not (%s)", message.topic)
            else:
                outcomes[index] = Delivery.held()
        elif not outcome.acknowledged:
            stopped.add(stream)
    return outcomes


async def ensure_topics(access: KafkaAccess, names: Iterable[str], partitions: int) -> None:
    """Create the topics that do not exist yet (replication factor 1 on the single-node broker), each with its
    configuration where the contract gives one (the case record's witnesses keep every message). A topic the
    principal may not create (nor see) is a KafkaError at once."""
    admin = AIOKafkaAdminClient(**access.options(), client_id="docket-topics")
    await admin.start()
    try:
        wanted = set(names)
        missing = wanted - set(await admin.list_topics())
        if missing:
            answer = await admin.create_topics(
                [NewTopic(name, partitions, 1, topic_configs=CONFIGS.get(name, {})) for name in sorted(missing)]
            )
            refused = [
                f"{error[0]} (broker error code {error[1]})"
                for error in answer.topic_errors
                if error[1] not in (0, TOPIC_ALREADY_EXISTS)
            ]
            if refused:
                raise KafkaError(f"{access.principal} cannot create topics: {', '.join(refused)}")
        for _ in range(50):  # new topics take a moment to appear in the metadata
            missing = wanted - set(await admin.list_topics())
            if not missing:
                return
            await asyncio.sleep(0.2)
        raise KafkaError(f"topics not created: {sorted(missing)}")
    finally:
        await admin.close()


async def partitions_of(access: KafkaAccess, names: Iterable[str]) -> dict[str, list[TopicPartition]]:
    """The partitions of each of the topics that exist (one that does not, or that the principal may not see, is
    left out), from the cluster."""
    admin = AIOKafkaAdminClient(**access.options(), client_id="docket-topics")
    await admin.start()
    try:
        described = await admin.describe_topics(list(names))
    finally:
        await admin.close()
    return {
        topic["topic"]: [TopicPartition(topic["topic"], p["partition"]) for p in topic["partitions"]]
        for topic in described
        if not topic["error_code"]
    }


async def require_topics(access: KafkaAccess, names: Iterable[str]) -> None:
    """KafkaError unless every topic exists: a consumer reads topics that their producers create."""
    found = await partitions_of(access, names)
    if missing := sorted(set(names) - set(found)):
        raise KafkaError(
            f"no topic {', '.join(missing)} yet (its producer creates it) or {access.principal} may not read it"
        )


async def wait_for_topics(access: KafkaAccess, names: Sequence[str], interval_s: float = 2.0) -> None:
    """Return once the principal sees every topic: the broker is up, takes its credentials, and the topics and
    the ACLs that let it at them are in place (before a service starts where a one-off job sets them up: the
    init container of deploy/k8s). Each wait is logged with its reason."""
    while True:
        try:
            await require_topics(access, names)
            break
        except (OSError, KafkaError) as exc:
            log.info("waiting for Kafka: %s", describe(exc))
        await asyncio.sleep(interval_s)
    log.info("Kafka lets %s at %s", access.principal, ", ".join(names))


class KafkaConsumerLoop:
    """Feeds an InboxConsumer from Kafka and commits each partition's offset after processing; reports to
    the consumer's health while Kafka is away. Once `stopping` is set it applies no further message: it
    commits the offsets of the messages it applied and leaves the group (stop), so that the partitions pass
    to another member at once, which starts after them."""

    def __init__(
        self,
        access: KafkaAccess,
        topics: Sequence[str],
        consumer: InboxConsumer,
        *,
        topic_partitions: int,
        max_records: int = 200,
        max_backoff: float = 30.0,
        stopping: asyncio.Event | None = None,
    ) -> None:
        self._access = access
        self._topics = list(topics)
        self._consumer = consumer
        self._partitions = topic_partitions
        self._max_records = max_records
        self._max_backoff = max_backoff
        self._lagging: set[TopicPartition] = set()
        self.stopping = stopping or asyncio.Event()

    @property
    def health(self) -> Health:
        return self._consumer.health

    async def run(self) -> None:
        backoff = Backoff(0.5, self._max_backoff)
        while not self.stopping.is_set():
            kafka = AIOKafkaConsumer(
                *self._topics,
                **self._access.options(),
                group_id=self._consumer.group,
                client_id=self._consumer.group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            try:
                await ensure_topics(self._access, [dead_letter_topic(self._consumer.group)], self._partitions)
                await require_topics(self._access, self._topics)
                await kafka.start()
                backoff.reset()
                await self._consume(kafka)
            except asyncio.CancelledError:
                raise
            except KafkaError as exc:
                self.health.degraded(HEALTH_PART, f"Kafka unavailable: {kind(exc)}")  # /readyz shows it
                log.warning(
                    "%s: Kafka unavailable, reconnecting in %.1fs: %s",
                    self._consumer.group,
                    backoff.current,
                    describe(exc),
                )
                await until_stopped(self.stopping, backoff.sleep())
            finally:
                # With auto-commit off, stop() commits nothing: it leaves the group (aiokafka's
                # GroupCoordinator.close), after _consume committed what was applied.
                started = asyncio.get_running_loop().time()
                try:
                    await asyncio.wait_for(kafka.stop(), STOP_TIMEOUT_S)
                except TimeoutError:
                    log.warning("%s: leaving the consumer group took over %.0fs", self._consumer.group, STOP_TIMEOUT_S)
                else:
                    log.debug(
                        "%s: consumer stopped in %.1fs",
                        self._consumer.group,
                        asyncio.get_running_loop().time() - started,
                    )

    async def _measure_lag(self, kafka: AIOKafkaConsumer) -> None:
        """Each assigned partition's lag: the broker's high watermark, as the last fetch saw it, less the
        consumer's position. Partitions no longer assigned drop out."""
        measured: set[TopicPartition] = set()
        for tp in kafka.assignment():
            highwater = kafka.highwater(tp)
            if highwater is not None:
                lag = max(highwater - await kafka.position(tp), 0)
                CONSUMER_LAG.labels(self._consumer.group, tp.topic, str(tp.partition)).set(lag)
                measured.add(tp)
        for tp in self._lagging - measured:
            CONSUMER_LAG.remove(self._consumer.group, tp.topic, str(tp.partition))
        self._lagging = measured

    async def _consume(self, kafka: AIOKafkaConsumer) -> None:
        while not self.stopping.is_set():
            batches = await kafka.getmany(timeout_ms=1000, max_records=self._max_records)
            for partition, messages in batches.items():
                applied = await self._apply(kafka, partition, messages)
                # Not committed if taken away by a rebalance: its new holder goes on from the committed offset.
                if applied is not None and partition in kafka.assignment():
                    await self._commit(kafka, partition, applied + 1)
                if self.stopping.is_set():
                    log.info("%s: stopping; offsets committed up to the last message applied", self._consumer.group)
                    return
            await self._measure_lag(kafka)
            self.health.ok(HEALTH_PART)  # connected, and nothing is being retried

    async def _apply(self, kafka: AIOKafkaConsumer, partition: TopicPartition, messages: Sequence[Any]) -> int | None:
        """Process the messages of one partition's fetch together (InboxConsumer.process_all), in order, until the
        partition is taken away or the loop is asked to stop; returns the offset of the last one processed (None if
        none was)."""
        outcomes = await self._consumer.process_all(
            [
                Record(
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                    key=message.key,
                    value=message.value,
                    headers=list(message.headers or ()),
                )
                for message in messages
            ],
            go_on=lambda: partition in kafka.assignment() and not self.stopping.is_set(),
        )
        return messages[len(outcomes) - 1].offset if outcomes else None

    async def _commit(self, kafka: AIOKafkaConsumer, partition: TopicPartition, offset: int) -> None:
        """Commit after processing. When another instance of the service joins or leaves the group while a batch
        is applied, the commit is refused: the partition may be someone else's now. Its holder then applies those
        events again from the last committed offset and its inbox drops them, so the refusal is no failure; the
        consumer goes on with the partitions it holds rather than leave the group, which would make the others
        rebalance again."""
        try:
            await kafka.commit({partition: offset})
        except (CommitFailedError, IllegalStateError) as exc:
            log.info(
                "%s: offset %d of %s[%d] not committed, the group is rebalancing: %s",
                self._consumer.group,
                offset,
                partition.topic,
                partition.partition,
                describe(exc),
            )
