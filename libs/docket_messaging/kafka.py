"""aiokafka adapters: the idempotent publisher, the consumer loop, topic creation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from docket_contracts.topics import dead_letter_topic

from .backoff import Backoff
from .codec import KafkaMessage
from .consumer import InboxConsumer, Record

log = logging.getLogger(__name__)

STOP_TIMEOUT_S = 8.0


class KafkaPublisher:
    """An idempotent producer (acks=all) started on first use, so a service starts without Kafka."""

    def __init__(self, bootstrap_servers: str, client_id: str) -> None:
        self._bootstrap = bootstrap_servers
        self._client_id = client_id
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def _started(self) -> AIOKafkaProducer:
        async with self._lock:
            if self._producer is None:
                producer = AIOKafkaProducer(bootstrap_servers=self._bootstrap, client_id=self._client_id,
                                            enable_idempotence=True, acks="all", linger_ms=5)
                try:
                    await producer.start()
                except BaseException:
                    await producer.stop()
                    raise
                self._producer = producer
            return self._producer

    async def publish(self, messages: Sequence[KafkaMessage]) -> None:
        producer = await self._started()
        acks = [await producer.send(m.topic, m.value, key=m.key, headers=list(m.headers)) for m in messages]
        await asyncio.gather(*acks)

    async def ping(self, timeout: float = 3.0) -> None:
        """Raise unless the broker answers a metadata request within `timeout` seconds."""
        producer = await asyncio.wait_for(self._started(), timeout)
        if not await asyncio.wait_for(producer.client.fetch_all_metadata(), timeout):
            raise KafkaError("no metadata from the broker")

    async def close(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None


async def ensure_topics(bootstrap_servers: str, names: Iterable[str], partitions: int) -> None:
    """Create the topics that do not exist yet (replication factor 1 on the single-node broker)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="docket-topics")
    await admin.start()
    try:
        wanted = set(names)
        missing = wanted - set(await admin.list_topics())
        if missing:
            await admin.create_topics([NewTopic(name, partitions, 1) for name in sorted(missing)])
        for _ in range(50):  # new topics take a moment to appear in the metadata
            missing = wanted - set(await admin.list_topics())
            if not missing:
                return
            await asyncio.sleep(0.2)
        raise KafkaError(f"topics not created: {sorted(missing)}")
    finally:
        await admin.close()


class KafkaConsumerLoop:
    """Feeds an InboxConsumer from Kafka and commits each partition's offset after processing."""

    def __init__(self, bootstrap_servers: str, topics: Sequence[str], consumer: InboxConsumer, *,
                 topic_partitions: int, max_records: int = 200, max_backoff: float = 30.0) -> None:
        self._bootstrap = bootstrap_servers
        self._topics = list(topics)
        self._consumer = consumer
        self._partitions = topic_partitions
        self._max_records = max_records
        self._max_backoff = max_backoff

    async def run(self) -> None:
        backoff = Backoff(0.5, self._max_backoff)
        while True:
            kafka = AIOKafkaConsumer(*self._topics, bootstrap_servers=self._bootstrap, group_id=self._consumer.group,
                                     client_id=self._consumer.group, enable_auto_commit=False,
                                     auto_offset_reset="earliest")
            try:
                await ensure_topics(self._bootstrap, [*self._topics, dead_letter_topic(self._consumer.group)],
                                    self._partitions)
                await kafka.start()
                backoff.reset()
                await self._consume(kafka)
            except asyncio.CancelledError:
                raise
            except KafkaError as exc:
                log.warning("%s: Kafka unavailable, reconnecting in %.1fs: %s", self._consumer.group,
                            backoff.current, exc)
                await backoff.sleep()
            finally:
                started = asyncio.get_running_loop().time()
                try:
                    await asyncio.wait_for(kafka.stop(), STOP_TIMEOUT_S)
                except TimeoutError:
                    log.warning("%s: leaving the consumer group took over %.0fs", self._consumer.group,
                                STOP_TIMEOUT_S)
                else:
                    log.debug("%s: consumer stopped in %.1fs", self._consumer.group,
                              asyncio.get_running_loop().time() - started)

    async def _consume(self, kafka: AIOKafkaConsumer) -> None:
        while True:
            batches = await kafka.getmany(timeout_ms=1000, max_records=self._max_records)
            for partition, messages in batches.items():
                for message in messages:
                    await self._consumer.process(Record(
                        topic=message.topic, partition=message.partition, offset=message.offset,
                        key=message.key, value=message.value, headers=list(message.headers or ())))
                await kafka.commit({partition: messages[-1].offset + 1})
