"""What the case service's routes depend on, typed, in one place: the request's session and the case store
over it, the regulator's clock, and the caller in the roles each route admits. The session and the clock are
every service's (docket_service.http); they are named here so that the routes import from one module."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from docket_identity.http import allow
from docket_identity.roles import Caller, Role
from docket_service.http import ClockDep, SessionDep

from .application import Cases
from .store import PostgresCases

__all__ = [
    "CaseReader",
    "CasesDep",
    "ClockDep",
    "Decider",
    "IntegrityChecker",
    "Investigator",
    "SanctionsCommittee",
    "SessionDep",
]


async def get_cases(session: SessionDep) -> Cases:
    """The case store over the request's session; the use case opens and commits the transaction."""
    return PostgresCases(session)


CasesDep = Annotated[Cases, Depends(get_cases)]

# Who may call what (the roles are checked on the token; see docket_identity).
Investigator = Annotated[Caller, Depends(allow(Role.INVESTIGATOR))]
SanctionsCommittee = Annotated[Caller, Depends(allow(Role.SANCTIONS_COMMITTEE))]
Decider = Annotated[Caller, Depends(allow(Role.INVESTIGATOR, Role.SANCTIONS_COMMITTEE))]
CaseReader = Annotated[
    Caller, Depends(allow(Role.INVESTIGATOR, Role.SANCTIONS_COMMITTEE, Role.INTAKE_OFFICER, Role.AUDITOR))
]
IntegrityChecker = Annotated[Caller, Depends(allow(Role.AUDITOR, Role.ADMINISTRATOR))]
