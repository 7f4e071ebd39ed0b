"""The fold of the restricted committee's procedure (proceedings.py): each step's event recorded on the case's
proceedings, and the case back where it stood if the simplified procedure is interrupted. evolve.FOLDS takes
FOLDS from here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from uuid import UUID

from docket_contracts.events import (
    CaseReferred,
    CommitteeDeliberated,
    ControllerReplied,
    ControllerSummoned,
    FileConsulted,
    HearingHeld,
    ObservationsExtended,
    ObservationsReceived,
    Payload,
    RapporteurAnswered,
    ReportNotified,
    SimplifiedProcedureInterrupted,
)

from .state import CaseState, Hearing, Proceedings


def _replace_proceedings(state: CaseState, proceedings_id: UUID, **changes: Any) -> tuple[Proceedings, ...]:
    return tuple(replace(p, **changes) if p.proceedings_id == proceedings_id else p for p in state.proceedings)


def _referred(state: CaseState, event: CaseReferred) -> CaseState:
    proceedings = Proceedings(
        event.proceedings_id,
        event.procedure,
        event.referred_on,
        event.reference,
        event.rapporteur.name,
        event.rapporteur.kind,
        event.deciding_member,
        resumes=state.status,
    )
    return replace(state, status="before_committee", proceedings=(*state.proceedings, proceedings))


def _report_notified(state: CaseState, event: ReportNotified) -> CaseState:
    return replace(
        state,
        proceedings=_replace_proceedings(
            state,
            event.proceedings_id,
            report_notified_on=event.notified_on,
            documents=event.documents,
            observations_due=event.observations_due,
        ),
    )


def _file_consulted(state: CaseState, event: FileConsulted) -> CaseState:
    proceedings = next(p for p in state.proceedings if p.proceedings_id == event.proceedings_id)
    consulted = (*proceedings.consulted_on, event.consulted_on)
    return replace(state, proceedings=_replace_proceedings(state, event.proceedings_id, consulted_on=consulted))


def _observations_extended(state: CaseState, event: ObservationsExtended) -> CaseState:
    proceedings = next(p for p in state.proceedings if p.proceedings_id == event.proceedings_id)
    return replace(
        state,
        proceedings=_replace_proceedings(
            state,
            event.proceedings_id,
            observations_due=event.observations_due,
            extended_on=(*proceedings.extended_on, event.decided_on),
        ),
    )


def _step(field: str, day: str) -> Callable[[CaseState, Any], CaseState]:
    """The fold of a step of the proceedings that records one day."""

    def fold(state: CaseState, event: Any) -> CaseState:
        return replace(
            state, proceedings=_replace_proceedings(state, event.proceedings_id, **{field: getattr(event, day)})
        )

    return fold


def _summoned(state: CaseState, event: ControllerSummoned) -> CaseState:
    return replace(
        state,
        proceedings=_replace_proceedings(
            state, event.proceedings_id, summoned_on=event.summoned_on, hearing_on=event.hearing_on
        ),
    )


def _heard(state: CaseState, event: HearingHeld) -> CaseState:
    hearing = Hearing(event.held_on, event.public, event.speakers)
    return replace(state, proceedings=_replace_proceedings(state, event.proceedings_id, hearing=hearing))


def _deliberated(state: CaseState, event: CommitteeDeliberated) -> CaseState:
    return replace(
        state,
        proceedings=_replace_proceedings(
            state,
            event.proceedings_id,
            deliberated_on=event.deliberated_on,
            members=event.members,
            decision_reference=event.reference,
        ),
    )


def _interrupted(state: CaseState, event: SimplifiedProcedureInterrupted) -> CaseState:
    """The case goes back to where it stood before the referral, for the President to refer it again."""
    proceedings = next(p for p in state.proceedings if p.proceedings_id == event.proceedings_id)
    return replace(
        state,
        status=proceedings.resumes,
        proceedings=_replace_proceedings(state, event.proceedings_id, interrupted_on=event.interrupted_on),
    )


FOLDS: dict[type[Payload], Callable[[CaseState, Any], CaseState]] = {
    CaseReferred: _referred,
    ReportNotified: _report_notified,
    FileConsulted: _file_consulted,
    ObservationsExtended: _observations_extended,
    ObservationsReceived: _step("observations_on", "received_on"),
    RapporteurAnswered: _step("answered_on", "answered_on"),
    ControllerReplied: _step("replied_on", "replied_on"),
    ControllerSummoned: _summoned,
    HearingHeld: _heard,
    CommitteeDeliberated: _deliberated,
    SimplifiedProcedureInterrupted: _interrupted,
}
