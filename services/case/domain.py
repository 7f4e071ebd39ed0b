"""The case aggregate, pure: decide(state, command) -> events; evolve(state, event) -> state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import reduce
from typing import Literal
from uuid import UUID

from docket_contracts.events import CaseClosed, CaseOpened, ComplaintFiled, ComplaintLinked, Controller, Payload

Status = Literal["none", "open", "closed"]

NEXT_STEPS: dict[Status, tuple[str, ...]] = {
    "none": ("open the case from a complaint",),
    "open": ("link a further complaint",),
    "closed": (),
}


@dataclass(frozen=True)
class CaseState:
    case_id: UUID | None = None
    version: int = 0
    status: Status = "none"
    controller: Controller | None = None
    complaints: tuple[UUID, ...] = ()


class Rejected(Exception):
    """A command that does not fit the case's current state."""

    def __init__(self, state: CaseState, command: str) -> None:
        allowed = NEXT_STEPS[state.status]
        steps = "; ".join(allowed) if allowed else "none"
        super().__init__(f"cannot {command}: the case is {state.status}; allowed next steps: {steps}")
        self.state = state


@dataclass(frozen=True)
class OpenCase:
    case_id: UUID
    complaint: ComplaintFiled


@dataclass(frozen=True)
class LinkComplaint:
    complaint: ComplaintFiled


Command = OpenCase | LinkComplaint


def decide(state: CaseState, command: Command) -> list[Payload]:
    match command:
        case OpenCase(case_id=case_id, complaint=complaint):
            if state.status != "none":
                raise Rejected(state, "open a case")
            return [CaseOpened(case_id=case_id, controller=complaint.controller, complaint_id=complaint.complaint_id,
                               complaint_kind=complaint.kind, opened_on=complaint.received_on)]
        case LinkComplaint(complaint=complaint):
            if state.status != "open":
                raise Rejected(state, "link a complaint")
            if complaint.complaint_id in state.complaints:
                return []
            assert state.case_id is not None
            return [ComplaintLinked(case_id=state.case_id, complaint_id=complaint.complaint_id,
                                    complaint_kind=complaint.kind)]
    raise TypeError(f"unknown command {command!r}")


def evolve(state: CaseState, event: Payload) -> CaseState:
    state = replace(state, version=state.version + 1)
    match event:
        case CaseOpened():
            return replace(state, case_id=event.case_id, status="open", controller=event.controller,
                           complaints=(event.complaint_id,))
        case ComplaintLinked():
            return replace(state, complaints=(*state.complaints, event.complaint_id))
        case CaseClosed():
            return replace(state, status="closed")
    return state


def replay(events: Iterable[Payload], state: CaseState | None = None) -> CaseState:
    return reduce(evolve, events, state or CaseState())

