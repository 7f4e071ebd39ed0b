"""The outbox relay draining a backlog to a real broker, beside a bare idempotent producer sending the same
messages.

    python -m bench.relay [--small]

Starts its own PostgreSQL (durable) and Kafka, migrates the case schema, and writes a backlog of case events
into the case service's outbox as the service writes them (`add_to_outbox`, the events of many cases, each
case's in order), connected with the case role. Then, in turns, `rounds` times:

- the relay as the service runs it (`Relay` over `PostgresOutbox` and `KafkaPublisher`, the service's default
  batch size) drains the backlog: claim a batch under the relay lock, encode, send, wait for every
  acknowledgement, mark the rows published, commit;
- a bare aiokafka producer (idempotent, acks=all, otherwise its defaults) sends the
  same messages (topic, key, value, headers, hence partitions), read beforehand, and waits for every
  acknowledgement.

Between relay rounds the backlog is made due again (`published_at` cleared by the schema's owner). The
figure is the median round of each.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaProducer
from sqlmodel import col, select

from docket_contracts import registry, topics
from docket_contracts.events import FindingRecorded
from docket_devstack.database import provision
from docket_devstack.kafka import KafkaBroker
from docket_devstack.keycloak import KeycloakServer
from docket_devstack.postgres import EmbeddedPostgres
from docket_messaging.access import KafkaAccess
from docket_messaging.codec import KafkaMessage, encode
from docket_messaging.kafka import KafkaPublisher, ensure_topics
from docket_messaging.outbox import PostgresOutbox, add_to_outbox
from docket_messaging.postgres import asyncpg_dsn
from docket_messaging.relay import Relay
from docket_messaging.tables import OutboxRow
from docket_service.database import make_engine, make_sessions, migrate
from docket_service.settings import ServiceSettings
from services.case.eventstore import SOURCE
from services.case.main import ALEMBIC_INI

from .report import Figure, module_main

TARGET_RATIO = 0.7
BATCH_SIZE: int = ServiceSettings.model_fields["relay_batch_size"].default
PARTITIONS: int = ServiceSettings.model_fields["kafka_topic_partitions"].default
PRODUCER = {"enable_idempotence": True, "acks": "all"}  # otherwise aiokafka's defaults


@dataclass(frozen=True)
class Sizes:
    backlog: int
    cases: int
    rounds: int


FULL = Sizes(backlog=100_000, cases=1_000, rounds=3)
SMALL = Sizes(backlog=300, cases=10, rounds=1)


class Polling:
    """No announcements: the benchmark only drains."""

    async def wait(self, timeout: float) -> None:
        await asyncio.sleep(timeout)


async def write_backlog(sessions, sizes: Sizes, chunk: int = 2_000) -> None:
    """`backlog` case events (findings recorded, versions in order per case) in the case outbox."""
    cases = [uuid.uuid4() for _ in range(sizes.cases)]
    for offset in range(0, sizes.backlog, chunk):
        events = []
        for n in range(offset, min(offset + chunk, sizes.backlog)):
            case_id = cases[n % len(cases)]
            payload = FindingRecorded(
                case_id=case_id,
                finding_id=uuid.uuid4(),
                articles=(5, 6),
                facts=f"recordings kept without purpose, finding {n} of {date(2020, 10, 1)}",
            )
            events.append(
                registry.new_event(payload, source=SOURCE, subject=str(case_id), sequence=n // len(cases) + 1)
            )
        async with sessions() as session, session.begin():
            add_to_outbox(session, events, topics.CASES)


async def messages(sessions) -> list[KafkaMessage]:
    """The backlog as the relay encodes it, in the order it sends it."""
    async with sessions() as session:
        rows = (await session.exec(select(OutboxRow).order_by(col(OutboxRow.id)))).all()
    return [encode(row.event(), row.topic) for row in rows]


async def relay_round(sessions, bootstrap: KafkaAccess, expected: int) -> float:
    publisher = KafkaPublisher(bootstrap, "bench-relay")
    relay = Relay(PostgresOutbox(sessions, "case"), publisher, Polling(), batch_size=BATCH_SIZE)
    try:
        await publisher.ping(30.0)  # connected before the clock starts, as a running relay is
        started = time.perf_counter()
        published = await relay.drain()
        elapsed = time.perf_counter() - started
    finally:
        await publisher.close()
    assert published == expected, (published, expected)
    return expected / elapsed


async def producer_round(bootstrap: KafkaAccess, backlog: list[KafkaMessage]) -> float:
    producer = AIOKafkaProducer(**bootstrap.options(), client_id="bench-bare", **PRODUCER)
    await producer.start()
    try:
        await producer.client.fetch_all_metadata()
        started = time.perf_counter()
        futures = [await producer.send(m.topic, m.value, key=m.key, headers=list(m.headers)) for m in backlog]
        await asyncio.gather(*futures)
        elapsed = time.perf_counter() - started
    finally:
        await producer.stop()
    return len(backlog) / elapsed


async def run(case_url: str, owner_url: str, bootstrap: KafkaAccess, sizes: Sizes) -> list[Figure]:
    await ensure_topics(bootstrap, [topics.CASES], PARTITIONS)
    engine = make_engine(case_url, "case")
    sessions = make_sessions(engine)
    owner = await asyncpg.connect(asyncpg_dsn(owner_url), server_settings={"search_path": "case"})
    relayed, bare = [], []
    try:
        await write_backlog(sessions, sizes)
        backlog = await messages(sessions)
        for round_ in range(sizes.rounds):
            if round_:
                await owner.execute("UPDATE outbox SET published_at = NULL")
                await owner.execute("VACUUM ANALYZE outbox")
            relayed.append(await relay_round(sessions, bootstrap, len(backlog)))
            bare.append(await producer_round(bootstrap, backlog))
    finally:
        await owner.close()
        await engine.dispose()
    value, reference = statistics.median(relayed), statistics.median(bare)
    return [
        Figure(
            measure=(
                f"outbox relay draining a backlog of {sizes.backlog:,} case events to Kafka ({PARTITIONS} "
                f"partitions, batch {BATCH_SIZE}, the service's defaults): claim, send, acknowledged, marked"
            ),
            value=value,
            unit="events/s",
            reference="bare aiokafka idempotent producer (acks=all) sending the same messages",
            reference_value=reference,
            target=f"ratio >= {TARGET_RATIO}",
            met=value / reference >= TARGET_RATIO,
            notes=f"median of {sizes.rounds} rounds taken in turns",
            extra={"rounds": sizes.rounds, "relay_rates": relayed, "producer_rates": bare, "batch_size": BATCH_SIZE},
        )
    ]


def figures(small: bool = False) -> list[Figure]:
    sizes = SMALL if small else FULL
    with (
        tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp,
        EmbeddedPostgres(Path(tmp) / "pg") as pg,
        KeycloakServer(Path(tmp) / "keycloak") as keycloak,
        KafkaBroker(Path(tmp) / "kafka", keycloak) as kafka,
    ):
        databases = provision(pg, "bench")
        migrate(ALEMBIC_INI, databases.migrator, "case")
        return asyncio.run(run(databases.case, databases.migrator, kafka.service("case"), sizes))


if __name__ == "__main__":
    module_main(figures, __doc__)
