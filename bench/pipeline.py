"""Benchmarks of the messaging pipeline on the real broker and database.

    make bench        (python -m bench.pipeline [--samples N] [--backlog N])

Prints a Markdown table: relay latency from commit to a consumer seeing the event, with LISTEN/NOTIFY
and with polling alone; relay throughput draining a backlog. It connects as intake does, with intake's own
database role, and files complaints whose personal data is sealed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from docket_contracts import topics
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import ComplaintFiled, Controller, Party, Sealed
from docket_contracts.registry import spec_of
from docket_devstack.database import provision
from docket_devstack.kafka import KafkaBroker
from docket_devstack.postgres import EmbeddedPostgres
from docket_messaging.database import Notifications, make_engine, make_sessions, migrate
from docket_messaging.kafka import KafkaPublisher, ensure_topics
from docket_messaging.outbox import PostgresOutbox, add_to_outbox
from docket_messaging.relay import Relay
from docket_privacy import cipher
from services.intake import store as intake_store
from services.intake.main import ALEMBIC_INI as INTAKE_INI

from .report import machine_line, table


class Polling:
    """Wake-ups by timer only, to compare with LISTEN/NOTIFY."""

    async def wait(self, timeout: float) -> None:
        await asyncio.sleep(timeout)


# Personal data is sealed as intake seals it (AES-GCM per data subject), under a key of the benchmark's own:
# nothing here opens it, so no key store is needed.
THROWAWAY_KEY = cipher.new_key()


def sealed(subject: uuid.UUID, value: str) -> Sealed:
    return Sealed(subject=subject, ciphertext=cipher.b64(cipher.seal(THROWAWAY_KEY, subject, value.encode())))


def complaint() -> ComplaintFiled:
    complaint_id = uuid.uuid4()
    return ComplaintFiled(complaint_id=complaint_id, reference=f"DKT-2020-{uuid.uuid4().hex[:6].upper()}",
                          kind="art77_complaint",
                          complainant=Party(name=sealed(complaint_id, "Bench"),
                                            email=sealed(complaint_id, "bench@example.org"), country="FR"),
                          controller=Controller(key="bench", name="Bench"), category="other",
                          articles_alleged=(15,), territory=("FR",), received_on=date(2020, 5, 25))


async def tail(bootstrap: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(topics.COMPLAINTS, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4()}",
                                auto_offset_reset="latest", enable_auto_commit=False)
    await consumer.start()
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=200)
    for partition in consumer.assignment():
        await consumer.seek_to_end(partition)
    return consumer


async def commit_to_consume(url: str, bootstrap: str, wakeups, samples: int, poll_interval: float) -> list[float]:
    engine = make_engine(url, "intake")
    sessions = make_sessions(engine)
    publisher = KafkaPublisher(bootstrap, "bench-relay")
    relay = Relay(PostgresOutbox(sessions, "intake"), publisher, wakeups, poll_interval=poll_interval)
    await relay.drain()
    consumer = await tail(bootstrap)
    task = asyncio.create_task(relay.run())
    latencies = []
    try:
        for _ in range(samples):
            filed = complaint()
            async with sessions() as session:
                started = time.perf_counter()
                await intake_store.file(session, filed, sealed(filed.complaint_id, "bench"))
            key = str(filed.complaint_id).encode()
            while not any(m.key == key for batch in (await consumer.getmany(timeout_ms=1000)).values()
                          for m in batch):
                pass
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(random.uniform(0.05, 0.25))  # arrivals independent of the relay's cycle
    finally:
        task.cancel()
        await consumer.stop()
        await publisher.close()
        await engine.dispose()
    return latencies


async def drain_backlog(url: str, bootstrap: str, rows: int) -> float:
    engine = make_engine(url, "intake")
    sessions = make_sessions(engine)
    async with sessions() as session, session.begin():
        add_to_outbox(session, [CloudEvent(type="docket.complaint.filed", source="/bench", subject=str(uuid.uuid4()),
                                           dataschema=spec_of(complaint()).dataschema,
                                           data={"n": n}) for n in range(rows)], topics.COMPLAINTS)
    publisher = KafkaPublisher(bootstrap, "bench-drain")
    relay = Relay(PostgresOutbox(sessions, "intake"), publisher, Polling(), batch_size=500)
    started = time.perf_counter()
    published = await relay.drain()
    elapsed = time.perf_counter() - started
    await publisher.close()
    await engine.dispose()
    assert published == rows, (published, rows)
    return rows / elapsed


def summary(latencies: list[float]) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"{statistics.median(ms):.1f} | {p95:.1f} | {ms[-1]:.1f}"


async def run(url: str, bootstrap: str, samples: int, backlog: int) -> list[tuple[str, str]]:
    await ensure_topics(bootstrap, [topics.COMPLAINTS], 3)
    notify = Notifications(url, "intake_outbox")
    listened = await commit_to_consume(url, bootstrap, notify, samples, poll_interval=2.0)
    await notify.close()
    polled = await commit_to_consume(url, bootstrap, Polling(), samples, poll_interval=0.5)
    throughput = await drain_backlog(url, bootstrap, backlog)
    return [
        (f"commit → consumer, LISTEN/NOTIFY (fallback poll 2 s), n={samples}", summary(listened)),
        (f"commit → consumer, polling every 0.5 s, n={samples}", summary(polled)),
        (f"relay drain of a {backlog:,}-event backlog, batch 500", f"{throughput:,.0f} events/s | | "),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--backlog", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp:
        with EmbeddedPostgres(Path(tmp) / "pg") as pg, KafkaBroker(Path(tmp) / "kafka") as kafka:
            databases = provision(pg, "bench")
            migrate(INTAKE_INI, databases.migrator, "intake")
            url = databases.intake  # intake's own role, as the service connects
            rows = asyncio.run(run(url, kafka.bootstrap_servers, args.samples, args.backlog))
    print(machine_line())
    print(table(["measure", "p50 ms", "p95 ms", "max ms"], rows))


if __name__ == "__main__":
    main()
