"""The read side of a case brought up to date in the transaction of each append: its clocks, then its summary
(the case list), its detail document and its snapshot, in one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import Payload
from docket_messaging.tables import table_of

from ..domain import CaseState
from ..eventstore import prefixed
from ..snapshots import FOLD, SnapshotRow, dump
from ..views import case_view
from . import clocks
from .tables import CaseDetailRow, CaseSummaryRow


async def project(session: AsyncSession, state: CaseState, payloads: Sequence[Payload], position: int | None) -> None:
    """Bring the read side up to date with events, given the case right after the last of them: the clocks,
    then the summary, the detail document and the snapshot in one statement."""
    assert state.case_id is not None and state.controller is not None and state.opened_on is not None
    assert position is not None
    for payload in payloads:
        await clocks.start_or_stop(session, state, payload)
    connection = await session.connection()
    await connection.execute(
        _PROJECT,
        prefixed(summary_row(state, position), "s_")
        | prefixed(detail_row(state, position), "d_")
        | prefixed(snapshot_row(state), "n_"),
    )


# The rows the read side keeps of a case, as `project` writes them after each append and `rebuild_projections`
# writes them once per case.
def summary_row(state: CaseState, position: int) -> dict[str, Any]:
    assert state.controller is not None
    pending = state.pending_notice
    return {
        "case_id": state.case_id,
        "controller_key": state.controller.key,
        "controller_name": state.controller.name,
        "status": state.status,
        "opened_on": state.opened_on,
        "complaints": state.complaint_count,
        "next_deadline": pending.deadline if pending else None,
        "outcome": state.outcome,
        "version": state.version,
        "position": position,
        "under_enforcement": state.under_enforcement,
    }


def detail_row(state: CaseState, position: int) -> dict[str, Any]:
    return {"case_id": state.case_id, "version": state.version, "document": case_view(state), "position": position}


def snapshot_row(state: CaseState) -> dict[str, Any]:
    return {"stream_id": state.case_id, "version": state.version, "fold": FOLD, "state": dump(state)}


def _upsert(table: sa.Table, columns: Sequence[str], prefix: str) -> Any:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE of `columns`, bound as `prefix` + column name."""
    key = [c.name for c in table.primary_key]
    statement = insert(table).values({name: sa.bindparam(prefix + name) for name in columns})
    return statement.on_conflict_do_update(  # the new values from EXCLUDED: each is sent once
        index_elements=key, set_={name: statement.excluded[name] for name in columns if name not in key}
    )


# The summary, with the detail document and the snapshot as data-modifying CTEs: one round trip.
_PROJECT = (
    _upsert(table_of(CaseSummaryRow), [c.name for c in table_of(CaseSummaryRow).columns], "s_")
    .add_cte(_upsert(table_of(CaseDetailRow), ["case_id", "version", "document", "position"], "d_").cte("detail"))
    .add_cte(_upsert(table_of(SnapshotRow), ["stream_id", "version", "fold", "state"], "n_").cte("snapshot"))
)
