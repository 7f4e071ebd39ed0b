"""A cross-border case as the CNIL (FR-CNIL) keeps it, for the cooperation's given-events / when-step / then-events
tests: the Irish DPC leads, the Italian Garante is concerned too, and steps are taken here or reported."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from docket_contracts import cooperation as co
from docket_contracts.events import CaseOpened, Payload
from services.case.domain import CaseState, Cooperate, LapseCooperation, decide, replay
from tests.factories import CLEARVIEW

CASE = UUID("00000000-0000-0000-0000-0000000000c2")
COMPLAINT = UUID("00000000-0000-0000-0000-0000000000d1")
OWN, LEAD, ITALY, SPAIN = "FR-CNIL", "IE-DPC", "IT-GPDP", "ES-AEPD"
DIRECTORY = frozenset({OWN, LEAD, ITALY, SPAIN, "NL-AP"})
OPENED = date(2027, 5, 3)


def opened() -> CaseOpened:
    return CaseOpened(
        case_id=CASE,
        controller=CLEARVIEW,
        complaint_id=COMPLAINT,
        complaint_kind="art77_complaint",
        opened_on=OPENED,
    )


def frame(**changes: Any) -> co.CooperationFrameRecorded:
    fields: dict[str, Any] = {
        "case_id": CASE,
        "recorded_on": OPENED,
        "authority": OWN,
        "cross_border": True,
        "basis": "4(23)(a)",
        "establishment": "main_establishment",
        "establishment_state": "IE",
        "role": "concerned",
        "lead": LEAD,
        "concerned": (
            co.ConcernedAuthority(authority=OWN, reasons=("b", "c")),
            co.ConcernedAuthority(authority=ITALY, reasons=("b",)),
        ),
    }
    return co.CooperationFrameRecorded(**(fields | changes))


def no_establishment() -> co.CooperationFrameRecorded:
    """Clearview AI: no establishment in the Union (GDPR Art 3(2)), each authority on its own territory."""
    return frame(
        cross_border=False,
        basis=None,
        establishment="none_in_union",
        establishment_state=None,
        lead=None,
        concerned=(co.ConcernedAuthority(authority=OWN, reasons=("b", "c")),),
    )


def framed(*events: Payload) -> CaseState:
    return replay([opened(), frame(), *events])


def step(model: type[co.Step], reference: str = "IE-DPC/2027/1", by: str = LEAD, **fields: Any) -> Any:
    return model(case_id=CASE, cooperation_reference=reference, authority=by, **fields)


def take(state: CaseState, payload: Any) -> list[Payload]:
    return decide(state, Cooperate(payload, OWN, DIRECTORY))


def then(state: CaseState, payload: Any) -> CaseState:
    return replay(take(state, payload), state)


def lapse(state: CaseState, today: date) -> list[Payload]:
    return decide(state, LapseCooperation(today, datetime(today.year, today.month, today.day, 6, tzinfo=UTC)))


def draft(number: int = 1, on: date = date(2027, 6, 1), consulted: tuple[str, ...] = (OWN, ITALY), **kw: Any) -> Any:
    return step(
        co.DraftDecisionSubmitted,
        draft=number,
        submitted_on=on,
        consulted=tuple(co.Consultation(authority=a, consulted_on=on) for a in consulted),
        summary="a fine of EUR 5 million",
        **kw,
    )


def objection(number: int = 1, on: date = date(2027, 6, 10), by: str = OWN) -> Any:
    return step(
        co.ObjectionRaised,
        by=by,
        draft=number,
        raised_on=on,
        concerns="envisaged_action",
        subject="the fine does not deter",
        relevant=True,
        reasoned=True,
        risks="the processing goes on for millions of users",
    )


def adopted(on: date, decision: str = "action", by: str = LEAD, split: bool = False) -> Any:
    return step(
        co.DecisionAdopted, by=by, adopted_on=on, notified_on=on, decision=decision, split=split, summary="decided"
    )
