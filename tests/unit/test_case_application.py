"""The case use cases against an in-memory case store behind the same protocol as PostgreSQL's
(application.Cases): a command run against a case, optimistic concurrency, a complaint routed into its
controller's open case or a new one, due deadline timers. What only PostgreSQL can show (the statements, the
locks, the triggers, the hash chain) stays in tests/service/test_case_service.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import (
    CaseClosed,
    CaseOpened,
    ComplaintLinked,
    Controller,
    FormalNoticeExtended,
    FormalNoticeIssued,
    FormalNoticeNotified,
    Order,
    Payload,
    TimeLimit,
)
from services.case import application
from services.case.application import execute, fire_due_timers, route_complaint
from services.case.domain import (
    CaseState,
    CloseCase,
    Command,
    ExtendFormalNotice,
    IssueFormalNotice,
    OpenInvestigation,
    RecordFinding,
    RecordNoticeNotification,
    Rejected,
    decide,
    evolve,
    replay,
)
from services.case.errors import StaleVersion, StreamNotFound
from services.case.eventstore import SOURCE, Actor
from services.case.readside import TimerRow
from tests.factories import complaint_filed

STAFF = Actor("user:investigator", role="investigator", name="inv")


@dataclass
class Stored:
    payload: Payload
    actor: Actor


@dataclass
class InMemoryCases:
    """What the PostgreSQL store keeps, in dicts: the streams, the two lookups and the timers, with the same
    rules (an append of a version already stored fails as the primary key does; the lookups and timers change
    with the events that change them). A transaction's writes are undone if it fails; transactions are not
    isolated from each other, which the sequences below do not need."""

    streams: dict[UUID, list[Stored]] = field(default_factory=dict)
    open_cases: dict[str, UUID] = field(default_factory=dict)
    complaints: dict[UUID, UUID] = field(default_factory=dict)
    timers: dict[UUID, TimerRow] = field(default_factory=dict)
    commits: int = 0
    _undo: list[Callable[[], None]] | None = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        assert self._undo is None, "a transaction is already open"
        self._undo = []
        try:
            yield
        except BaseException:
            for undo in reversed(self._undo):
                undo()
            raise
        else:
            self.commits += 1
        finally:
            self._undo = None

    def _write(self, do: Callable[[], None], undo: Callable[[], None]) -> None:
        do()
        if self._undo is not None:
            self._undo.append(undo)

    async def load(self, case_id: UUID) -> CaseState:
        if case_id not in self.streams:
            raise StreamNotFound(case_id)
        return replay(stored.payload for stored in self.streams[case_id])

    async def append(
        self, state: CaseState, case_id: UUID, payloads: Sequence[Payload], actor: Actor
    ) -> tuple[CaseState, list[CloudEvent]]:
        if not payloads:
            return state, []
        stream = self.streams.get(case_id, [])
        if len(stream) > state.version:
            raise sa.exc.IntegrityError("INSERT INTO events", {"version": state.version + 1}, Exception("taken"))
        events = [
            registry.new_event(payload, source=SOURCE, subject=str(case_id), sequence=state.version + n)
            for n, payload in enumerate(payloads, start=1)
        ]
        added = [Stored(payload, actor) for payload in payloads]
        self._write(
            lambda: self.streams.__setitem__(case_id, stream + added),
            lambda: self.streams.__setitem__(case_id, stream) if stream else self.streams.pop(case_id),
        )
        for payload in payloads:
            state = evolve(state, payload)
            self._lookups(payload)
        return state, events

    def _lookups(self, payload: Payload) -> None:
        """As readside.lookups: the rows an event adds (added_rows), a closed case removed (remove_lookups)."""
        match payload:
            case CaseOpened():
                self._put(self.open_cases, payload.controller.key, payload.case_id)
                self._put(self.complaints, payload.complaint_id, payload.case_id)
            case ComplaintLinked():
                self._put(self.complaints, payload.complaint_id, payload.case_id)
            case CaseClosed():
                key = next(key for key, case_id in self.open_cases.items() if case_id == payload.case_id)
                case_id = self.open_cases[key]
                self._write(lambda: self.open_cases.pop(key), lambda: self.open_cases.__setitem__(key, case_id))
            case FormalNoticeIssued() | FormalNoticeNotified() | FormalNoticeExtended() if payload.compliance_deadline:
                due_on = payload.compliance_deadline + timedelta(days=1)
                timer = TimerRow(notice_id=payload.notice_id, case_id=payload.case_id, due_on=due_on)
                earlier = self.timers.get(payload.notice_id)
                self._write(
                    lambda: self.timers.__setitem__(payload.notice_id, timer),
                    lambda: (
                        self.timers.__setitem__(payload.notice_id, earlier)
                        if earlier
                        else self.timers.pop(payload.notice_id)
                    ),
                )

    def _put(self, table: dict, key: object, value: object) -> None:
        assert key not in table, f"{key} is already there: the database would refuse it"
        self._write(lambda: table.__setitem__(key, value), lambda: table.pop(key))

    async def open_case_for(self, controller_key: str) -> UUID | None:
        return self.open_cases.get(controller_key)

    async def case_of_complaint(self, complaint_id: UUID) -> UUID | None:
        return self.complaints.get(complaint_id)

    async def due_timers(self, today: date, limit: int) -> Sequence[TimerRow]:
        due = [t for t in self.timers.values() if t.fired_at is None and t.due_on <= today]
        return sorted(due, key=lambda t: t.due_on)[:limit]

    async def fired(self, timer: TimerRow, now: datetime) -> None:
        self._write(lambda: setattr(timer, "fired_at", now), lambda: setattr(timer, "fired_at", None))

    def types(self, case_id: UUID) -> list[str]:
        return [registry.spec_of(stored.payload).type for stored in self.streams[case_id]]


@dataclass(frozen=True)
class FixedClock:
    day: date

    def now(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 9, tzinfo=UTC)

    def today(self) -> date:
        return self.day


def controller(key: str) -> Controller:
    return Controller(key=key, name=key.title(), country="FR")


async def opened(cases: InMemoryCases, key: str = "clearview-ai") -> UUID:
    """A case opened by a first complaint on the controller, as the consumer routes it."""
    complaint = complaint_filed(controller=controller(key))
    async with cases.transaction():
        await route_complaint(cases, complaint)
    case_id = await cases.case_of_complaint(complaint.complaint_id)
    assert case_id is not None
    return case_id


INVESTIGATE = OpenInvestigation(opened_on=date(2020, 8, 1), scope="scraping", reference="2020-116C")


def finding() -> RecordFinding:
    return RecordFinding(finding_id=uuid4(), articles=(6, 15), facts="no legal basis")


def notice(days: int = 61) -> IssueFormalNotice:
    return IssueFormalNotice(
        notice_id=uuid4(),
        orders=(Order(point="f", text="stop"),),
        issued_on=date(2021, 11, 26),
        time_limit=TimeLimit(days=days),
        reference="MED-2021-134",
    )


# --- a command ----------------------------------------------------------------------------------------------


async def test_a_command_on_the_version_seen_appends_its_events_and_returns_the_case_after_them():
    cases = InMemoryCases()
    case_id = await opened(cases)
    commits = cases.commits

    state, events = await execute(cases, case_id, 1, INVESTIGATE, STAFF)

    assert [e.type for e in events] == ["docket.investigation.opened"]
    assert [e.sequence for e in events] == [2] and events[0].subject == str(case_id)
    assert state.version == 2 and state.status == "investigating"
    assert await cases.load(case_id) == state
    assert cases.streams[case_id][-1].actor == STAFF
    assert cases.commits == commits + 1  # the use case committed its own transaction


async def test_a_command_on_a_version_the_case_has_left_is_stale_and_appends_nothing():
    cases = InMemoryCases()
    case_id = await opened(cases)
    await execute(cases, case_id, 1, INVESTIGATE, STAFF)

    with pytest.raises(StaleVersion) as stale:
        await execute(cases, case_id, 1, finding(), STAFF)

    assert stale.value.current_version == 2
    assert cases.types(case_id) == ["docket.case.opened", "docket.investigation.opened"]


@dataclass
class LosingTheRace(InMemoryCases):
    """Right after its next load, another instance appends `rival`'s events to the same case and commits."""

    rival: Command | None = None

    async def load(self, case_id: UUID) -> CaseState:
        state = await super().load(case_id)
        if self.rival is not None:
            command, self.rival = self.rival, None
            other = InMemoryCases(self.streams, self.open_cases, self.complaints, self.timers)
            await other.append(state, case_id, decide(state, command), Actor("user:rival"))
        return state


async def test_a_writer_appending_between_load_and_append_wins_and_the_other_is_told_the_new_version():
    cases = LosingTheRace()
    case_id = await opened(cases)
    await execute(cases, case_id, 1, INVESTIGATE, STAFF)
    cases.rival = finding()

    with pytest.raises(StaleVersion) as stale:
        await execute(cases, case_id, 2, finding(), STAFF)

    assert stale.value.current_version == 3
    assert [s.actor.id for s in cases.streams[case_id]] == [
        application.ROUTING_ACTOR.id,
        STAFF.id,
        "user:rival",  # the winner's event, and only it
    ]


async def test_a_command_the_case_refuses_appends_nothing():
    cases = InMemoryCases()
    case_id = await opened(cases)

    with pytest.raises(Rejected):
        await execute(cases, case_id, 1, finding(), STAFF)  # no investigation opened yet

    assert cases.types(case_id) == ["docket.case.opened"]


async def test_a_command_on_an_unknown_case_is_not_found():
    with pytest.raises(StreamNotFound):
        await execute(InMemoryCases(), uuid4(), 0, INVESTIGATE, STAFF)


# --- routing a complaint --------------------------------------------------------------------------------------


async def test_complaints_on_one_controller_go_into_its_open_case_and_another_controller_gets_its_own():
    cases = InMemoryCases()
    first, second, elsewhere = (
        complaint_filed(controller=controller("clearview-ai")),
        complaint_filed(controller=controller("clearview-ai")),
        complaint_filed(controller=controller("pimeyes")),
    )
    for complaint in (first, second, elsewhere):
        async with cases.transaction():
            await route_complaint(cases, complaint)

    case_id = await cases.case_of_complaint(first.complaint_id)
    assert case_id is not None and await cases.case_of_complaint(second.complaint_id) == case_id
    assert cases.types(case_id) == ["docket.case.opened", "docket.complaint.linked"]
    assert (await cases.load(case_id)).complaint_count == 2
    other = await cases.case_of_complaint(elsewhere.complaint_id)
    assert other not in (None, case_id) and await cases.open_case_for("pimeyes") == other
    assert all(s.actor == application.ROUTING_ACTOR for s in cases.streams[case_id])


async def test_a_complaint_routed_again_changes_nothing():
    cases = InMemoryCases()
    complaint = complaint_filed()
    for _ in range(2):
        async with cases.transaction():
            await route_complaint(cases, complaint)

    case_id = await cases.case_of_complaint(complaint.complaint_id)
    assert case_id is not None and cases.types(case_id) == ["docket.case.opened"]
    assert len(cases.streams) == 1


async def test_once_its_case_is_closed_a_controllers_next_complaint_opens_a_new_case():
    cases = InMemoryCases()
    case_id = await opened(cases)
    await execute(
        cases, case_id, 1, CloseCase(outcome="dismissed", reasons="settled", closed_on=date(2020, 6, 1)), STAFF
    )
    assert await cases.open_case_for("clearview-ai") is None

    later = await opened(cases)

    assert later != case_id and await cases.open_case_for("clearview-ai") == later
    assert cases.types(case_id)[-1] == "docket.case.closed"


# --- the deadline timers ----------------------------------------------------------------------------------------


async def a_case_under_notice(cases: InMemoryCases, deadline: date) -> tuple[UUID, IssueFormalNotice]:
    """A case whose notice, notified the day it was issued (26 November 2021), is due on `deadline`."""
    case_id = await opened(cases, f"controller-{uuid4().hex[:8]}")
    await execute(cases, case_id, 1, INVESTIGATE, STAFF)
    await execute(cases, case_id, 2, finding(), STAFF)
    issued = notice((deadline - date(2021, 11, 26)).days)
    await execute(cases, case_id, 3, issued, STAFF)
    assert issued.notice_id not in cases.timers  # no deadline runs before the notice reaches the controller
    await execute(cases, case_id, 4, RecordNoticeNotification(issued.notice_id, date(2021, 11, 26)), STAFF)
    return case_id, issued


async def test_a_notice_deadline_expires_once_the_day_after_it_and_only_once():
    cases = InMemoryCases()
    case_id, issued = await a_case_under_notice(cases, date(2022, 1, 26))
    assert cases.timers[issued.notice_id].due_on == date(2022, 1, 27)

    assert await fire_due_timers(cases, FixedClock(date(2022, 1, 26))) == 0  # the deadline day itself: not yet
    assert cases.types(case_id)[-1] == "docket.formal_notice.notified"

    assert await fire_due_timers(cases, FixedClock(date(2022, 1, 27))) == 1
    assert cases.types(case_id)[-1] == "docket.formal_notice.deadline_expired"
    assert cases.streams[case_id][-1].actor == application.TIMER_ACTOR
    assert cases.timers[issued.notice_id].fired_at == FixedClock(date(2022, 1, 27)).now()
    assert (await cases.load(case_id)).status == "notice_expired"

    assert await fire_due_timers(cases, FixedClock(date(2022, 3, 1))) == 0
    assert len(cases.streams[case_id]) == 6


async def test_due_timers_fire_earliest_first_up_to_the_limit():
    cases = InMemoryCases()
    late, _ = await a_case_under_notice(cases, date(2022, 2, 10))
    early, _ = await a_case_under_notice(cases, date(2022, 1, 10))

    assert await fire_due_timers(cases, FixedClock(date(2022, 3, 1)), limit=1) == 1
    assert cases.types(early)[-1] == "docket.formal_notice.deadline_expired"
    assert cases.types(late)[-1] == "docket.formal_notice.notified"
    assert await fire_due_timers(cases, FixedClock(date(2022, 3, 1)), limit=1) == 1
    assert cases.types(late)[-1] == "docket.formal_notice.deadline_expired"


async def test_an_extension_moves_the_timer_to_the_day_after_the_new_deadline():
    cases = InMemoryCases()
    case_id, issued = await a_case_under_notice(cases, date(2022, 1, 26))
    extension = ExtendFormalNotice(
        issued.notice_id, date(2022, 1, 20), TimeLimit(months=1), "the processing is complex"
    )
    await execute(cases, case_id, 5, extension, STAFF)
    assert cases.timers[issued.notice_id].due_on == date(2022, 2, 27)
    assert await fire_due_timers(cases, FixedClock(date(2022, 2, 26))) == 0
    assert await fire_due_timers(cases, FixedClock(date(2022, 2, 27))) == 1
    assert cases.types(case_id)[-1] == "docket.formal_notice.deadline_expired"
