"""Following Docket's topics as they grow, without joining a consumer group (nothing committed, no
rebalance of anyone's group): what `docket events tail` prints, one CloudEvent at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaConnectionError

from docket_contracts.envelope import CloudEvent

from .codec import UndecodableMessage, decode

POLL_MS = 500


@dataclass(frozen=True)
class Followed:
    """One message of a followed topic: its event, or why it is none."""

    topic: str
    partition: int
    offset: int
    event: CloudEvent | None
    problem: str | None = None


async def follow(bootstrap: str, topics: Sequence[str], *, from_beginning: bool = False,
                 idle_s: float | None = None, client_id: str = "docket-tail") -> AsyncIterator[Followed]:
    """The messages of `topics` from now on (or from the beginning), each batch in the order its messages were
    produced; ends when nothing came for `idle_s` seconds, if given, else when the caller stops reading.
    ConnectionError when no broker answers at `bootstrap`."""
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest" if from_beginning else "latest", client_id=client_id)
    try:
        await consumer.start()
    except KafkaConnectionError as exc:
        raise ConnectionError(f"cannot connect to Kafka at {bootstrap}") from exc
    try:
        quiet_ms = 0.0
        while idle_s is None or quiet_ms < idle_s * 1000:
            batches = await consumer.getmany(timeout_ms=POLL_MS)
            records = sorted((record for batch in batches.values() for record in batch),
                             key=lambda record: (record.timestamp, record.partition, record.offset))
            quiet_ms = 0.0 if records else quiet_ms + POLL_MS
            for record in records:
                try:
                    event, problem = decode(list(record.headers or ()), record.value), None
                except UndecodableMessage as exc:
                    event, problem = None, str(exc)
                yield Followed(record.topic, record.partition, record.offset, event, problem)
    finally:
        await consumer.stop()
