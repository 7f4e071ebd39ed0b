"""What an append writes beside its events, in its own statement: the lookups and timers its events add, the Art
78(2) clocks they start, then the case's summary (the case list) and detail document as they stand after it, and its
snapshot when one is due; and what follows the statement, for a case that closes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import Payload
from docket_messaging.tables import table_of

from ..domain import CaseState
from ..eventstore import AT_POSITION, Beside
from ..snapshots import FOLD, SnapshotRow, dump
from ..views import case_view
from . import clocks, cooperation
from .lookups import added_rows, remove_lookups
from .tables import CaseDetailRow, CaseSummaryRow, ComplainantClockRow, TimerRow

_SUMMARIES, _DETAILS, _SNAPSHOTS = table_of(CaseSummaryRow), table_of(CaseDetailRow), table_of(SnapshotRow)
_CLOCKS, _TIMERS = table_of(ComplainantClockRow), table_of(TimerRow)


def beside(states: Sequence[CaseState], payloads: Sequence[Payload], *, snapshot: bool) -> list[Beside]:
    """The rows an append of `payloads` writes beside its events, given the case right after each of them: the
    lookups and timers they add, the clocks they start, the summary and the detail document (at the position of
    the last event), and with `snapshot` the case's snapshot."""
    state = states[-1]
    assert state.case_id is not None and state.controller is not None and state.opened_on is not None
    added: dict[sa.Table, list[dict[str, Any]]] = defaultdict(list)
    for after, payload in zip(states, payloads, strict=True):
        for table, row in added_rows(after, payload):
            added[table].append(row)
    if started := clocks.started(state, payloads):
        added[_CLOCKS] += started
    if timers := added.get(_TIMERS):  # a notice's deadline fixed or moved replaces its timer: one row per notice
        added[_TIMERS] = list({row["notice_id"]: row for row in timers}.values())
    rows = [Beside(table, tuple(found), upsert=table is _TIMERS) for table, found in added.items()]
    if state.cooperation.procedures and any(_cooperating(p) for p in payloads):
        # the deadlines the procedures keep open now, and the references they are known by (cooperation.py)
        if found := cooperation.timer_rows(state):
            rows.append(Beside(cooperation.TIMERS, tuple(found), upsert=True))
        rows.append(Beside(cooperation.REFERENCES, tuple(cooperation.reference_rows(state)), upsert=True))
    rows.append(Beside(_SUMMARIES, (summary_row(state, AT_POSITION),), upsert=True))
    rows.append(Beside(_DETAILS, (detail_row(state, AT_POSITION),), upsert=True))
    if snapshot:
        rows.append(Beside(_SNAPSHOTS, (snapshot_row(state),), upsert=True))
    return rows


def _cooperating(payload: Payload) -> bool:
    return type(payload).__module__ == "docket_contracts.cooperation"


async def after_append(session: AsyncSession, payloads: Sequence[Payload], state: CaseState) -> None:
    """What follows the append's statement in its transaction: a case that closes is no longer its controller's
    open case, and every clock of it stops; the timers of cooperation deadlines no longer open go."""
    for payload in payloads:
        await remove_lookups(session, payload)
    await clocks.stop(session, payloads)
    if any(_cooperating(p) for p in payloads):
        await cooperation.prune(session, state)


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
        "staff": state.staff,
        "team": state.team,
        "under_enforcement": state.under_enforcement,
    }


def detail_row(state: CaseState, position: int) -> dict[str, Any]:
    return {"case_id": state.case_id, "version": state.version, "document": case_view(state), "position": position}


def snapshot_row(state: CaseState) -> dict[str, Any]:
    return {"stream_id": state.case_id, "version": state.version, "fold": FOLD, "state": dump(state)}
