"""How a case reads to staff: the detail document kept by the projection and served by the API."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from .domain import (
    Appeal,
    CaseState,
    CaseWarning,
    Cooperation,
    Deadline,
    Notice,
    Proceedings,
    Publication,
    Reprimand,
    Sanction,
    next_steps,
    open_deadlines,
)

_warnings = TypeAdapter(tuple[CaseWarning, ...])
_notices = TypeAdapter(tuple[Notice, ...])
_proceedings = TypeAdapter(tuple[Proceedings, ...])
_sanctions = TypeAdapter(tuple[Sanction, ...])
_reprimands = TypeAdapter(tuple[Reprimand, ...])
_publications = TypeAdapter(tuple[Publication, ...])
_appeals = TypeAdapter(tuple[Appeal, ...])
_cooperation = TypeAdapter(Cooperation)
_deadlines = TypeAdapter(list[Deadline])


def case_view(state: CaseState) -> dict[str, Any]:
    """The case as a JSON-ready document: what it is about, where it stands, what may happen next."""
    assert state.case_id is not None and state.controller is not None
    return {
        "id": str(state.case_id),
        "version": state.version,
        "status": state.status,
        "under_enforcement": state.under_enforcement,
        "allowed_next_steps": list(next_steps(state)),
        "controller": state.controller.model_dump(mode="json"),
        "opened_on": state.opened_on.isoformat() if state.opened_on else None,
        "complaint_count": state.complaint_count,  # the list itself: GET /cases/{id}/complaints, paged
        "investigation_opened_on": (
            state.investigation_opened_on.isoformat() if state.investigation_opened_on else None
        ),
        "investigation_reference": state.investigation_reference,
        "checks": [check.model_dump(mode="json", exclude={"case_id"}) for check in state.checks],
        "findings": [finding.model_dump(mode="json", exclude={"case_id"}) for finding in state.findings],
        "warnings": _warnings.dump_python(state.warnings, mode="json"),
        "formal_notices": _notices.dump_python(state.notices, mode="json"),
        "proceedings": _proceedings.dump_python(state.proceedings, mode="json"),
        "sanctions": _sanctions.dump_python(state.sanctions, mode="json"),
        "reprimands": _reprimands.dump_python(state.reprimands, mode="json"),
        "publications": _publications.dump_python(state.publications, mode="json"),
        "appeals": _appeals.dump_python(state.appeals, mode="json"),
        "outcome": state.outcome,
        "closed_on": state.closed_on.isoformat() if state.closed_on else None,
        "closing_reasons": state.closing_reasons,
        "staff": state.staff,
        "team": state.team,
        "assigned_on": state.assigned_on.isoformat() if state.assigned_on else None,
        "cooperation": cooperation_view(state),
    }


def cooperation_view(state: CaseState) -> dict[str, Any] | None:
    """The case's cooperation frame, its procedures and the deadlines they keep open, or None without a frame."""
    if state.cooperation.frame is None and not state.cooperation.procedures:
        return None
    return {
        **_cooperation.dump_python(state.cooperation, mode="json"),
        "deadlines": _deadlines.dump_python(open_deadlines(state), mode="json"),
        "regulation_2025_2518": REGULATION_NOTE,
    }


# Why a procedure may have no deadline of Regulation 2025/2518 (domain.cooperation.in_scope).
REGULATION_NOTE = (
    "Regulation (EU) 2025/2518's time limits apply to complaints lodged, and investigations opened, after 2 April "
    "2027 (art 36, as reported; the Official Journal text was not read): before, no such deadline runs."
)
