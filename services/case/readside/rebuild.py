"""The read side made again from the events: `rebuild_projections` empties the case list, the case details,
the complaints' records and the snapshots and replays every event (`python -m services.case
rebuild-projections`), folding the cases in one process or in several (REBUILD_PROCESSES).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, NamedTuple
from uuid import UUID

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload
from docket_contracts.progress import clock_start
from docket_messaging.postgres import asyncpg_dsn, run
from docket_messaging.tables import table_of

from ..domain import CaseState, Complaint, evolve, fold
from ..eventstore import SOURCE, EventRow
from ..snapshots import SnapshotRow
from .complaints import row_of
from .handling_tables import ComplaintRecordRow
from .projection import detail_row, snapshot_row, summary_row
from .tables import CaseDetailRow, CaseSummaryRow, ComplainantClockRow

# Events read per query by rebuild_projections.
REBUILD_BATCH = 10_000
# Rows written per statement.
INSERT_CHUNK = 10_000

# What a rebuild writes, table by table: one list of values per column (JSON columns as their text), in the
# table's column order. A worker process sends back its cases' rows so: a few lists, not a dict per row.
Columns = dict[str, list[list[Any]]]


class RebuildFailed(RuntimeError):
    """A worker process of a rebuild failed or ended without its rows: the rebuild wrote nothing."""


def cores() -> int:
    """The cores this process may run on: the number of processes a rebuild folds in by default."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


async def rebuild_projections(session: AsyncSession, batch: int = REBUILD_BATCH, processes: int = 1) -> int:
    """Empty the projections and replay every event; returns the events replayed.

    The snapshots are made again from the same replay, so a change of the fold takes effect everywhere.
    Appends wait meanwhile (they update the same rows), then apply on top of the rebuilt state.

    The rows are those `project` leaves after each case's events, written in bulk once every case is
    folded: events are read as plain rows a batch at a time (no ORM objects), and only each case's state
    and the Art 78(2) clocks it started are kept, not its events. The clocks are not emptied (`_KEEP_CLOCKS`).

    With `processes` above one, the cases are folded in that many worker processes (`_fold_in_workers`)
    while this transaction writes the rows they send: the result is the one-process rebuild's, and a failed
    worker fails the rebuild. Each worker imports the calling program's main module again, as
    multiprocessing's spawn does: a script that calls this keeps its work under `if __name__ == "__main__"`.
    """
    await run(
        session,
        sa.text(
            "LOCK TABLE case_summaries, case_details, complainant_clocks, snapshots, complaint_records "
            "IN EXCLUSIVE MODE"
        ),
    )
    for table in (CaseSummaryRow, CaseDetailRow, SnapshotRow, ComplaintRecordRow):
        await session.exec(sa.delete(table))
    if processes > 1:
        return await _fold_in_workers(session, batch, processes)
    replayed, columns = await _fold_here(session, batch)
    await _write(session, columns)
    return replayed


async def _fold_here(session: AsyncSession, batch: int) -> tuple[int, Columns]:
    """Every event read in position order in this transaction and folded in this process."""
    cases: dict[UUID, _Rebuilt] = {}
    events = table_of(EventRow).c
    query = sa.select(
        events.stream_id,
        events.version,
        events.event_id,
        events.type,
        events.schema_version,
        sa.cast(events.data, sa.Text).label("data"),
        events.occurred_at,
        events.position,
    )
    replayed = after = 0
    while chunk := (
        await run(session, query.where(events.position > after).order_by(events.position).limit(batch))
    ).all():
        for row in chunk:
            rebuilt = cases.get(row.stream_id)
            if rebuilt is None:
                rebuilt = cases[row.stream_id] = _Rebuilt()
            rebuilt.apply(_stored_payload(row), row.position)
        after = chunk[-1].position
        replayed += len(chunk)
    return replayed, _columns_of(cases.values())


# --- several processes -------------------------------------------------------------------------------------


async def _fold_in_workers(session: AsyncSession, batch: int, processes: int) -> int:
    """The cases folded in `processes` worker processes, each case by one, and their rows written here as
    they come; returns the events replayed.

    This transaction exports its snapshot (taken after the locks: no append commits an event the rebuild
    would miss), and each worker opens a connection of its own, reads in that snapshot the events of the
    cases whose ids fall in its range (`_shares`), each case's in the order of its versions (the order of its
    positions), folds them, and sends back only the rows they leave (`Columns`), those of the cases it has
    folded whole after each `batch` of events it reads: this transaction writes them while the workers fold
    on, and no worker keeps every case of its share. A worker that fails, or ends without saying it is done,
    fails the rebuild, and every worker still running is killed; none outlives this call."""
    connection = await session.connection()
    dsn = asyncpg_dsn(connection.engine.url.render_as_string(hide_password=False))
    search_path = (await run(session, sa.text("SELECT current_setting('search_path')"))).scalar_one()
    snapshot = (await run(session, sa.text("SELECT pg_export_snapshot()"))).scalar_one()
    context = multiprocessing.get_context("spawn")  # no fork of a process that runs an event loop and threads
    loop = asyncio.get_running_loop()
    received: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
    workers: list[tuple[BaseProcess, Connection]] = []
    reader: asyncio.Future[None] | None = None
    try:
        for lower, upper in _shares(processes):
            ours, theirs = context.Pipe(duplex=False)
            process = context.Process(
                target=_worker,
                args=(theirs, _Share(dsn, search_path, snapshot, lower, upper, batch)),
                name="docket-rebuild",
                daemon=True,
            )
            process.start()
            theirs.close()  # the worker's end is the worker's alone: its exit is then our end's EOF
            workers.append((process, ours))
        reader = loop.run_in_executor(
            None, _receive, [pipe for _, pipe in workers], lambda m: loop.call_soon_threadsafe(received.put_nowait, m)
        )
        replayed = done = 0
        while done < len(workers):
            kind, found = await received.get()
            if kind == "rows":
                await _write(session, found)
            elif kind == "done":
                replayed += found
                done += 1
            else:
                raise RebuildFailed(found)
    except BaseException:
        for worker, _ in workers:
            worker.kill()
        raise
    finally:
        for worker, _ in workers:
            worker.join()
        if reader is not None:
            await reader  # returns once every pipe has said it is done or reached its end
        for _, pipe in workers:
            pipe.close()
    return replayed


def _receive(pipes: Sequence[Connection], deliver: Callable[[tuple[Any, ...]], object]) -> None:
    """Hand on every message of the workers, as it comes, until each has said it is done or failed or has
    gone (which is a failure: ("failed", why))."""
    waiting = list(pipes)
    while waiting:
        for pipe in wait(waiting):
            assert isinstance(pipe, Connection)
            try:
                message = pipe.recv()
            except (EOFError, OSError):
                message = ("failed", "a rebuild worker ended without sending all its rows")
            if message[0] != "rows":
                waiting.remove(pipe)
            deliver(message)


def _shares(count: int) -> list[tuple[UUID, UUID | None]]:
    """`count` ranges of stream ids, [lower, upper), as even as the ids' values: a case id is random (uuid4)."""
    bounds = [UUID(int=(n << 128) // count) for n in range(count)]
    return list(zip(bounds, [*bounds[1:], None], strict=True))


class _Share(NamedTuple):
    """What a worker process is given: where to read, in which snapshot, and its range of stream ids."""

    dsn: str
    search_path: str
    snapshot: str
    lower: UUID
    upper: UUID | None
    batch: int


class _Stored(NamedTuple):
    """An event as a worker reads it, in the columns `_stored_payload` takes."""

    stream_id: UUID
    version: int
    event_id: str
    type: str
    schema_version: int
    data: str
    occurred_at: datetime
    position: int


def _worker(pipe: Connection, share: _Share) -> None:
    """A worker process: folds its share, sending ("rows", columns) as it goes, then ("done", events
    replayed), or ("failed", the error's traceback)."""
    try:
        done: tuple[Any, ...] = ("done", asyncio.run(_fold_share(share, pipe)))
    except Exception:
        done = ("failed", f"a rebuild worker failed:\n{traceback.format_exc()}")
    try:
        pipe.send(done)
    except OSError:
        pass  # the rebuild is gone
    finally:
        pipe.close()


async def _fold_share(share: _Share, pipe: Connection) -> int:
    """Read the share's events in the order of its cases and their versions, fold each case, and send the rows
    of the cases folded whole after each batch read: a case is whole once the next one's events begin."""
    query = (
        f"SELECT stream_id, version, event_id, type, schema_version, data::text, occurred_at, position "
        f"FROM {EventRow.__tablename__} WHERE stream_id >= $1{' AND stream_id < $2' if share.upper else ''} "
        f"ORDER BY stream_id, version"
    )
    arguments = (share.lower, share.upper) if share.upper else (share.lower,)
    folded: list[_Rebuilt] = []
    rebuilt, stream, replayed = _Rebuilt(), None, 0
    connection = await asyncpg.connect(share.dsn, server_settings={"search_path": share.search_path})
    try:
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            await connection.execute(f"SET TRANSACTION SNAPSHOT '{share.snapshot.replace(chr(39), '')}'")
            cursor = await connection.cursor(query, *arguments)
            while chunk := await cursor.fetch(share.batch):
                for record in chunk:
                    row = _Stored(*record)
                    if row.stream_id != stream:
                        if stream is not None:
                            folded.append(rebuilt)
                        rebuilt, stream = _Rebuilt(), row.stream_id
                    rebuilt.apply(_stored_payload(row), row.position)
                replayed += len(chunk)
                if folded:
                    pipe.send(("rows", _columns_of(folded)))
                    folded = []
    finally:
        await connection.close()
    if stream is not None:
        pipe.send(("rows", _columns_of([rebuilt])))
    return replayed


def _stored_payload(row: Any) -> Payload:
    """`registry.parse(stored_event(row))` for a row whose `data` is JSON text. A row in its type's current
    schema version is validated from the text as it comes (no dict, no envelope in between); any other row,
    and one that does not validate so, takes the general path, which upcasts it or raises as a replay does."""
    spec = registry.BY_TYPE.get(row.type)
    if spec is not None and row.schema_version == spec.version:
        try:
            return spec.payload.model_validate_json(row.data)
        except ValueError:
            pass
    return registry.parse(
        CloudEvent(
            type=row.type,
            source=SOURCE,
            subject=str(row.stream_id),
            id=row.event_id,
            dataschema=registry.dataschema(row.type, row.schema_version),
            data=json.loads(row.data),
            time=row.occurred_at,
            sequence=row.version,
        )
    )


class _Rebuilt:
    """One case as `rebuild_projections` replays it: the state so far, the position of its last event, the
    Art 78(2) clocks its complaints started, and its complaints' records."""

    __slots__ = ("_started", "complaints", "position", "state")

    def __init__(self) -> None:
        self.state = CaseState()
        self.position = 0
        self._started: list[tuple[UUID, date]] = []  # (complaint_id, receipt), in the order the clocks started
        self.complaints: dict[UUID, Complaint] = {}

    def apply(self, payload: Payload, position: int) -> None:
        self.state = evolve(self.state, payload)
        self.position = position
        if (clock := clock_start(payload)) is not None:
            self._started.append(clock)
        self.complaints |= fold(self.complaints, payload)

    def _checked(self) -> CaseState:
        state = self.state
        assert state.case_id is not None and state.controller is not None and state.opened_on is not None
        return state

    def snapshot(self) -> dict[str, Any]:
        return snapshot_row(self._checked())

    def summary(self) -> dict[str, Any]:
        return summary_row(self._checked(), self.position)

    def detail(self) -> dict[str, Any]:
        return detail_row(self._checked(), self.position)

    def records(self) -> list[dict[str, Any]]:
        state = self._checked()
        assert state.controller is not None
        return [row_of(c, state.controller.key) for c in self.complaints.values()]

    def clocks(self) -> list[dict[str, Any]]:
        state = self._checked()
        return [
            {
                "complaint_id": complaint_id,
                "case_id": state.case_id,
                "running": state.status != "closed" and not self.complaints[complaint_id].ended,
                "last_progress_on": started,
                "first_told_on": None,  # kept from the row a rebuild finds (_KEEP_CLOCKS): letters are not events
            }
            for complaint_id, started in self._started
        ]


# The clocks are not the case's alone: letters sent restart them and withdrawals stop them, and neither is in
# its events. A rebuild keeps what they did and adds what the events start.
_KEEP_CLOCKS = (
    "ON CONFLICT (complaint_id) DO UPDATE SET case_id = EXCLUDED.case_id, "
    "last_progress_on = greatest(complainant_clocks.last_progress_on, EXCLUDED.last_progress_on), "
    "running = complainant_clocks.running AND EXCLUDED.running"
)


def _columns_of(cases: Iterable[_Rebuilt]) -> Columns:
    folded = list(cases)
    rows: dict[type[SQLModel], list[dict[str, Any]]] = {
        SnapshotRow: [rebuilt.snapshot() for rebuilt in folded],
        CaseSummaryRow: [rebuilt.summary() for rebuilt in folded],
        CaseDetailRow: [rebuilt.detail() for rebuilt in folded],
        ComplaintRecordRow: [row for rebuilt in folded for row in rebuilt.records()],
        ComplainantClockRow: [clock for rebuilt in folded for clock in rebuilt.clocks()],
    }
    return {
        table_of(table).name: [
            [json.dumps(row[c.name]) for row in found] if isinstance(c.type, JSONB) else [row[c.name] for row in found]
            for c in table_of(table).columns
        ]
        for table, found in rows.items()
    }


async def _write(session: AsyncSession, columns: Columns) -> None:
    for table in (SnapshotRow, CaseSummaryRow, CaseDetailRow, ComplaintRecordRow):
        await _insert_columns(session, table, columns[table_of(table).name])
    await _insert_columns(
        session, ComplainantClockRow, columns[table_of(ComplainantClockRow).name], on_conflict=_KEEP_CLOCKS
    )


async def _insert_columns(
    session: AsyncSession, table: type[SQLModel], values: list[list[Any]], on_conflict: str = ""
) -> None:
    """Insert the rows whose columns are `values` (every column of `table`, in order) a chunk at a time, each
    chunk one statement that unnests one array per column: the rows cross as a few arrays, not one parameter
    set each."""
    count = len(values[0]) if values else 0
    if not count:
        return
    columns = list(table_of(table).columns)
    dialect = (await session.connection()).dialect
    arrays, selected = [], []
    for n, column in enumerate(columns):
        json_column = isinstance(column.type, JSONB)
        arrays.append(f"CAST(:c{n} AS {'TEXT' if json_column else column.type.compile(dialect)}[])")
        selected.append(f"c{n}::jsonb" if json_column else f"c{n}")
    statement = sa.text(
        f"INSERT INTO {table.__tablename__} ({', '.join(c.name for c in columns)}) "
        f"SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) "
        f"AS t({', '.join(f'c{n}' for n in range(len(columns)))}) {on_conflict}"
    )
    for offset in range(0, count, INSERT_CHUNK):
        await run(
            session,
            statement,
            {f"c{n}": column[offset : offset + INSERT_CHUNK] for n, column in enumerate(values)},
        )
