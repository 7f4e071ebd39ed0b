"""Reading a topic from the beginning, the way an integrator would (signed in as a principal that may read it:
the operator tools' one reads every topic), for assertions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from docket_messaging.access import KafkaAccess
from docket_messaging.kafka import partitions_of


async def read_topic(access: KafkaAccess, topic: str) -> list[ConsumerRecord]:
    """Every message now on `topic`, partition by partition, without joining a consumer group."""
    partitions = (await partitions_of(access, [topic])).get(topic)
    if partitions is None:  # the topic does not exist (yet)
        return []
    consumer = AIOKafkaConsumer(**access.options(), enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def eventually(probe: Callable, timeout: float = 30.0, interval: float = 0.1):
    """Await `probe()` until it returns something truthy, or fail after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not true within {timeout}s: {probe.__name__}")
        await asyncio.sleep(interval)


def headers(record: ConsumerRecord) -> dict[str, str]:
    return {name: value.decode(errors="replace") for name, value in record.headers}  # poison included
