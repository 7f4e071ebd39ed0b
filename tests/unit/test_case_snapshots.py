"""A snapshot is only a shortcut: the case restored from one and the events after it is the case replayed
from its first event, wherever the snapshot was taken and whatever the events held."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from docket_contracts.events import CaseClosed, ComplaintLinked, FindingRecorded, Payload
from services.case.domain import CaseState, replay
from services.case.snapshots import FOLD, SnapshotRow, dump, restore
from tests.unit.case_history import (
    AT_NOTICE,
    AT_SANCTION,
    CASE,
    COMPLIED,
    INVESTIGATING,
    LIQUIDATED,
    OPENED,
)

CLOSED = CaseClosed(case_id=CASE, outcome="sanctioned", reasons="penalty liquidated", closed_on=date(2023, 4, 13))
PATHS = [(*AT_NOTICE, COMPLIED), (*AT_SANCTION, LIQUIDATED, CLOSED), (OPENED, INVESTIGATING)]

linked = st.builds(
    ComplaintLinked,
    case_id=st.just(CASE),
    complaint_id=st.uuids(),
    complaint_kind=st.sampled_from(["art77_complaint", "alert"]),
    received_on=st.dates(date(2018, 5, 25), date(2030, 1, 1)),
)
found = st.builds(
    FindingRecorded,
    case_id=st.just(CASE),
    finding_id=st.uuids(),
    articles=st.lists(st.sampled_from([5, 6, 12, 15, 17, 32]), min_size=1, max_size=4, unique=True).map(tuple),
    facts=st.text(min_size=1, max_size=200).filter(str.strip),
)


@st.composite
def histories(draw: st.DrawFn) -> list[Payload]:
    """A path of the lifecycle, cut anywhere, with complaints and findings slipped in after the opening."""
    path = list(draw(st.sampled_from(PATHS)))
    path = path[: draw(st.integers(1, len(path)))]
    extras = draw(st.lists(st.one_of(linked, found), max_size=30))
    for extra in extras:
        path.insert(draw(st.integers(1, len(path))), extra)
    return path


def snapshot_of(state: CaseState, fold: int = FOLD) -> SnapshotRow:
    return SnapshotRow(stream_id=CASE, version=state.version, fold=fold, state=dump(state))


@settings(max_examples=200)
@given(history=histories(), data=st.data())
def test_the_case_from_any_snapshot_and_the_events_after_it_is_the_case_replayed_from_the_start(history, data):
    cut = data.draw(st.integers(1, len(history)))
    restored = restore(snapshot_of(replay(history[:cut])))
    assert restored is not None
    assert replay(history[cut:], restored) == replay(history)


@given(history=histories())
def test_a_snapshot_survives_its_trip_through_json(history):
    state = replay(history)
    assert (
        restore(
            SnapshotRow(stream_id=CASE, version=state.version, fold=FOLD, state=json.loads(json.dumps(dump(state))))
        )
        == state
    )


def test_a_snapshot_of_another_fold_or_a_mismatched_version_is_not_used():
    state = replay(AT_SANCTION)
    assert restore(snapshot_of(state, fold=FOLD + 1)) is None
    assert restore(snapshot_of(state, fold=FOLD - 1)) is None
    mismatched = snapshot_of(state)
    mismatched.version = state.version - 1
    assert restore(mismatched) is None
    assert restore(None) is None
