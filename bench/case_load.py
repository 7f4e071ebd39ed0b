"""Loading one case of 10,000 events: does the case service need snapshots?

    python -m bench.case_load [--events N]

Appends the events through the real store (hash chain, outbox and projections), then times replaying the
stream (store.load: read, upcast, validate, fold) and reading the projected detail.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from docket_contracts.events import CaseOpened, Controller, FindingRecorded, InvestigationOpened
from docket_devstack.database import provision
from docket_devstack.postgres import EmbeddedPostgres
from docket_messaging.database import make_engine, make_sessions, migrate
from services.case import store
from services.case.domain import CaseState
from services.case.main import ALEMBIC_INI

from .report import machine_line, table

ACTOR = store.Actor("system:bench")


async def measure(url: str, events: int, repeats: int = 5) -> list[tuple[str, str]]:
    engine = make_engine(url, "case")
    sessions = make_sessions(engine)
    case_id = uuid.uuid4()
    opened = CaseOpened(case_id=case_id, controller=Controller(key="bench", name="Bench"), complaint_id=uuid.uuid4(),
                        complaint_kind="art77_complaint", opened_on=date(2020, 5, 25))
    state = CaseState()
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        state, _ = await store.append(session, state, case_id,
                                      [opened, InvestigationOpened(case_id=case_id, opened_on=date(2020, 8, 1),
                                                                   scope="bench")], ACTOR)
    for offset in range(0, events - 2, 500):
        findings = [FindingRecorded(case_id=case_id, finding_id=uuid.uuid4(), articles=(15,), facts=f"fact {n}")
                    for n in range(offset, min(offset + 500, events - 2))]
        async with sessions() as session, session.begin():
            state, _ = await store.append(session, state, case_id, findings, ACTOR)
    append_seconds = time.perf_counter() - started

    async def timed(work) -> list[float]:
        laps = []
        for _ in range(repeats):
            async with sessions() as session:
                began = time.perf_counter()
                await work(session)
                laps.append((time.perf_counter() - began) * 1000)
        return laps

    async def replay(session) -> None:
        loaded = await store.load(session, case_id)
        assert loaded.version == events

    async def projected(session) -> None:
        row = await session.get(store.CaseDetailRow, case_id)
        assert row.version == events

    replays, details = await timed(replay), await timed(projected)
    await engine.dispose()
    return [
        (f"append {events:,} events in batches of 500 (events, outbox, projections)",
         f"{append_seconds * 1000:,.0f} ms total | {events / append_seconds:,.0f} events/s"),
        (f"load a case of {events:,} events by replay, median of {repeats}", f"{statistics.median(replays):,.0f} ms |"),
        (f"read the same case from the detail projection, median of {repeats}",
         f"{statistics.median(details):,.1f} ms |"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp, EmbeddedPostgres(Path(tmp) / "pg") as pg:
        databases = provision(pg, "bench")
        migrate(ALEMBIC_INI, databases.migrator, "case")
        url = databases.case  # the case service's own role, as the service connects
        rows = asyncio.run(measure(url, args.events))
    print(machine_line())
    print(table(["measure", "time", "rate"], rows))


if __name__ == "__main__":
    main()
