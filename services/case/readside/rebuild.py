"""The read side made again from the events: `rebuild_projections` empties the case list, the case details,
the complaints' records and the snapshots and replays every event in position order (`python -m services.case
rebuild-projections`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload
from docket_contracts.progress import clock_start
from docket_messaging.postgres import run
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


async def rebuild_projections(session: AsyncSession, batch: int = REBUILD_BATCH) -> int:
    """Empty the projections and replay every event in position order; returns the events replayed.

    The snapshots are made again from the same replay, so a change of the fold takes effect everywhere.
    Appends wait meanwhile (they update the same rows), then apply on top of the rebuilt state.

    The rows are those `project` leaves after each case's events, written in bulk once every case is
    folded: events are read as plain rows a batch at a time (no ORM objects), and only each case's state
    and the Art 78(2) clocks it started are kept, not its events. The clocks are not emptied (`_KEEP_CLOCKS`).
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
    await _insert_many(session, SnapshotRow, [rebuilt.snapshot() for rebuilt in cases.values()])
    await _insert_many(session, CaseSummaryRow, [rebuilt.summary() for rebuilt in cases.values()])
    await _insert_many(session, CaseDetailRow, [rebuilt.detail() for rebuilt in cases.values()])
    await _insert_many(session, ComplaintRecordRow, [row for rebuilt in cases.values() for row in rebuilt.records()])
    await _insert_many(
        session,
        ComplainantClockRow,
        [clock for rebuilt in cases.values() for clock in rebuilt.clocks()],
        on_conflict=_KEEP_CLOCKS,
    )
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


async def _insert_many(
    session: AsyncSession,
    table: type[SQLModel],
    rows: Sequence[dict[str, Any]],
    chunk: int = 10_000,
    on_conflict: str = "",
) -> None:
    """Insert `rows` (dicts of every column of `table`) a chunk at a time, each chunk one statement that
    unnests one array per column: the rows cross as a few arrays, not one parameter set each."""
    if not rows:
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
    for offset in range(0, len(rows), chunk):
        part = rows[offset : offset + chunk]
        values = {
            f"c{n}": [json.dumps(row[c.name]) if isinstance(c.type, JSONB) else row[c.name] for row in part]
            for n, c in enumerate(columns)
        }
        await run(session, statement, values)
