"""Whatever staff, the timer and the case do, in whatever order, every complaint can still be brought to an end
from wherever it stands, and the complaints built command by command are the fold of the events recorded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import get_args
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from docket_contracts.events import ComplaintClosure, Payload
from services.case.domain import (
    AskController,
    AssignCase,
    AssignComplaints,
    CaseState,
    CloseCase,
    CloseComplaints,
    Complaint,
    DecideAdmissibility,
    HandlingCommand,
    Invalid,
    JoinInvestigation,
    OpenInvestigation,
    RecordControllerAnswer,
    Rejected,
    RemindController,
    TransferComplaints,
    decide,
    evolve,
    fold,
    handle,
    replay,
    replay_complaints,
)
from tests.unit.test_case_domain import FIRST
from tests.unit.test_complaint_handling import RECEIVED, SECOND, VIDEO

COMPLAINTS = (FIRST, SECOND, VIDEO)
REASONS: tuple[ComplaintClosure, ...] = get_args(ComplaintClosure)
LETTERS = {uuid4(): (date(2020, 6, 16), date(2020, 7, 15)), uuid4(): (date(2020, 8, 10), date(2020, 9, 10))}
AT = datetime(2020, 9, 30, tzinfo=UTC)

Command = HandlingCommand | OpenInvestigation | CloseCase

COMMANDS: list[Command] = [
    *(DecideAdmissibility((c,), "admissible", date(2020, 6, 15)) for c in COMPLAINTS),
    *(
        DecideAdmissibility((c,), "inadmissible", date(2020, 6, 15), "not_personal_data", "a delivery")
        for c in COMPLAINTS
    ),
    DecideAdmissibility(COMPLAINTS, "admissible", date(2020, 6, 20)),
    *(
        AskController(selection, letter, "Act on the complaints.", asked_on, due)
        for letter, (asked_on, due) in LETTERS.items()
        for selection in ((FIRST,), COMPLAINTS)
    ),
    *(RecordControllerAnswer(letter, due - timedelta(days=5), "done") for letter, (_, due) in LETTERS.items()),
    *(RemindController(letter, due + timedelta(days=1), AT) for letter, (_, due) in LETTERS.items()),
    OpenInvestigation(date(2020, 8, 1), "the complaints' processing"),
    *(JoinInvestigation((c,), date(2020, 8, 15)) for c in COMPLAINTS),
    *(TransferComplaints((c,), "Data Protection Commission", "IE", "Art 56", date(2020, 6, 20)) for c in COMPLAINTS),
    *(CloseComplaints((c,), reason, "reasons", date(2020, 9, 20)) for c in COMPLAINTS for reason in REASONS),
    *(AssignComplaints(COMPLAINTS, staff, team, date(2020, 6, 1)) for staff, team in (("s", None), (None, "t"))),
    AssignCase("s", "t", date(2020, 6, 1)),
    CloseCase("dismissed", "nothing more to do", date(2020, 10, 1)),
]


def attempt(
    case: CaseState, complaints: Mapping[UUID, Complaint], command: Command
) -> tuple[CaseState, dict[UUID, Complaint], list[Payload]] | None:
    """The case and its complaints after the command, and its events; None when it is refused."""
    try:
        if isinstance(command, OpenInvestigation | CloseCase):
            events = decide(case, command)
        else:
            events = handle(case, complaints, command).events
    except (Rejected, Invalid):
        return None
    if not events:
        return None
    found = dict(complaints)
    for event in events:
        case = evolve(case, event)
        found |= fold(found, event)
    return case, found, events


def ends_due(complaint: Complaint) -> list[Command]:
    """The authority's own decisions that would end the complaint now, dated on the latest day its handling
    fixes: the complainant's withdrawal is not one, so an end is never left to them."""
    day = complaint.latest_fact()[0]
    ids = (complaint.complaint_id,)
    return [
        DecideAdmissibility(ids, "inadmissible", day, "outside_competence", "a court's own processing"),
        TransferComplaints(ids, "Data Protection Commission", "IE", "Art 56", day),
        *(CloseComplaints(ids, reason, "reasons", day) for reason in REASONS if reason != "withdrawn"),
    ]


def endable(case: CaseState, complaints: Mapping[UUID, Complaint], complaint_id: UUID, depth: int = 2) -> bool:
    """Some lawful sequence of at most `depth` commands ends the complaint."""
    if complaints[complaint_id].ended:
        return True
    if depth == 0:
        return False
    steps = [c for c in COMMANDS if not (isinstance(c, CloseComplaints) and c.reason == "withdrawn")]
    for command in [*ends_due(complaints[complaint_id]), *steps]:
        after = attempt(case, complaints, command)
        if after is not None and endable(after[0], after[1], complaint_id, depth - 1):
            return True
    return False


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_every_complaint_can_be_brought_to_an_end_from_every_state_and_replay_equals_what_the_commands_built(data):
    case, complaints, recorded = replay(RECEIVED), replay_complaints(RECEIVED), list(RECEIVED)
    for _ in range(data.draw(st.integers(0, 12))):
        accepted = [c for c in COMMANDS if attempt(case, complaints, c) is not None]
        pool = accepted if accepted and data.draw(st.booleans()) else COMMANDS
        after = attempt(case, complaints, data.draw(st.sampled_from(pool)))
        if after is None:
            continue
        case, complaints, events = after
        recorded += events
    assert replay(recorded) == case
    assert replay_complaints(recorded) == complaints
    for complaint_id in COMPLAINTS:
        assert endable(case, complaints, complaint_id), f"{complaint_id} is stuck at {complaints[complaint_id]}"


def test_a_complaint_in_the_investigation_ends_with_its_case_or_on_its_own():
    admitted = attempt(
        replay(RECEIVED), replay_complaints(RECEIVED), DecideAdmissibility((FIRST,), "admissible", date(2020, 6, 15))
    )
    assert admitted is not None
    investigating = attempt(admitted[0], admitted[1], OpenInvestigation(date(2020, 8, 1), "s"))
    assert investigating is not None
    joined = attempt(investigating[0], investigating[1], JoinInvestigation((FIRST,), date(2020, 8, 15)))
    assert joined is not None and joined[1][FIRST].status == "investigation"
    closed_case = attempt(joined[0], joined[1], CloseCase("no_infringement", "none found", date(2020, 10, 1)))
    assert closed_case is not None and closed_case[1][FIRST].outcome == "case_closed"
    closed_alone = attempt(joined[0], joined[1], CloseComplaints((FIRST,), "not_pursued", "r", date(2020, 9, 1)))
    assert closed_alone is not None and closed_alone[0].status == "investigating"  # the case goes on
