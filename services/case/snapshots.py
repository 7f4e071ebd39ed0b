"""The case as folded so far, kept beside its stream so that a command costs the same on the 10th event and
on the 10,000th: load reads the snapshot and only the events after it.

A snapshot is written when it pays: once the events after the last one have reached SNAPSHOT_EVERY, rather than
with every append. Writing one costs its encoding and a row as large as the case; reading the events after it
costs their parsing and folding, a few at most.

A snapshot is a cache of `domain.replay`, never a source of truth. It names the fold it was made by
(`FOLD`): whenever `CaseState` or `evolve` changes meaning, raise `FOLD`, and every older snapshot is
ignored (the case is replayed from its first event, then snapshotted again by its next append).
`rebuild-projections` also drops them all.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from .domain import CaseState

# 2: a liquidation keeps its decision date; 3: notices and sanctions keep their notification; 4: the procedure a
# decision was taken under, the reprimands, publications and appeals, and what an annulment undoes; 5: the
# President's decision to carry out checks, and the checks; 6: the warning, and the restricted committee's
# procedure (the proceedings, and the status before_committee); 7: a liquidation's written procedure, the
# injunction's end, and a sanctioned case under enforcement; 8: who decided a publication, the day the name is
# removed, and the publication a reformed decision's follows; 9: the authorities working together (the cooperation
# frame and procedures)
FOLD = 9
SNAPSHOT_EVERY = 8  # events after the last snapshot (or from the first, without one) that make the next

_state = TypeAdapter(CaseState)


class SnapshotRow(SQLModel, table=True):
    """One case's state after `version` events, folded by the fold named `fold`."""

    __tablename__ = "snapshots"

    stream_id: UUID = Field(primary_key=True)
    version: int
    fold: int
    state: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))


def dump(state: CaseState) -> dict[str, Any]:
    dumped: dict[str, Any] = _state.dump_python(state, mode="json")
    return dumped


def restore(row: SnapshotRow | None) -> CaseState | None:
    """The state a snapshot holds, or None when there is none or it was made by another fold."""
    if row is None or row.fold != FOLD:
        return None
    state = _state.validate_python(row.state)
    return state if state.version == row.version else None
