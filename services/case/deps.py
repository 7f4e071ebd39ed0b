"""What the case service's routes depend on, typed, in one place: the request's session and the case store
over it, the regulator's clock, and the caller in the roles each route admits. The session and the clock are
every service's (docket_service.http); they are named here so that the routes import from one module."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from docket_exchange.directory import Directory as Addresses
from docket_identity.http import allow
from docket_identity.roles import Caller, Role
from docket_service.http import ClockDep, RuntimeDep, SessionDep

from .application import Cases
from .config import CaseSettings
from .cooperation import Cooperating, Directory
from .exchange import Cooperation
from .handling import Handling
from .store import PostgresCases

__all__ = [
    "AddressesDep",
    "CaseReader",
    "CasesDep",
    "ClockDep",
    "CommitteeQuorum",
    "ComplaintHandler",
    "CooperatingDep",
    "CooperationDep",
    "Cooperator",
    "Decider",
    "DirectoryDep",
    "HandlingDep",
    "IntegrityChecker",
    "Investigator",
    "President",
    "Publisher",
    "Rapporteur",
    "SanctionsCommittee",
    "SessionDep",
    "SettingsDep",
]


async def get_cases(session: SessionDep) -> Cases:
    """The case store over the request's session; the use case opens and commits the transaction."""
    return PostgresCases(session)


CasesDep = Annotated[Cases, Depends(get_cases)]


def get_handling(session: SessionDep) -> Handling:
    """The case store with a complaint's handling, over the request's session."""
    return PostgresCases(session)


HandlingDep = Annotated[Handling, Depends(get_handling)]


async def get_settings(runtime: RuntimeDep) -> CaseSettings:
    settings = runtime.settings
    assert isinstance(settings, CaseSettings)
    return settings


SettingsDep = Annotated[CaseSettings, Depends(get_settings)]


def committee_quorum(request: Request) -> int:
    """The fewest members of the restricted committee who may deliberate: the setting RESTRICTED_COMMITTEE_QUORUM,
    handed to the domain with each decision (app.state.committee_quorum, set by create_app)."""
    quorum: int = request.app.state.committee_quorum
    return quorum


CommitteeQuorum = Annotated[int, Depends(committee_quorum)]


async def get_cooperation(request: Request) -> Cooperation:
    """The cooperation exchange (app.state.cooperation, built by create_app); 404 where none is configured."""
    cooperation: Cooperation | None = request.app.state.cooperation
    if cooperation is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, "this installation exchanges no cooperation messages (COOPERATION_DIRECTORY)"
        )
    return cooperation


CooperationDep = Annotated[Cooperation, Depends(get_cooperation)]


async def get_addresses(request: Request) -> Addresses | None:
    """The authorities the exchange reaches (COOPERATION_DIRECTORY), or None where none is configured."""
    cooperation: Cooperation | None = request.app.state.cooperation
    return cooperation.directory if cooperation is not None else None


AddressesDep = Annotated[Addresses | None, Depends(get_addresses)]


async def directory(request: Request) -> Directory:
    """This authority's id and the directory of authorities (AUTHORITY_ID, AUTHORITIES), set by create_app."""
    found: Directory = request.app.state.directory
    return found


DirectoryDep = Annotated[Directory, Depends(directory)]


async def get_cooperating(session: SessionDep) -> Cooperating:
    """The case store with the cooperation's lookups, over the request's session."""
    return PostgresCases(session)


CooperatingDep = Annotated[Cooperating, Depends(get_cooperating)]

# Who may call what (the roles are checked on the token; see docket_identity).
Investigator = Annotated[Caller, Depends(allow(Role.INVESTIGATOR))]
President = Annotated[Caller, Depends(allow(Role.PRESIDENT))]
Rapporteur = Annotated[Caller, Depends(allow(Role.RAPPORTEUR))]
SanctionsCommittee = Annotated[Caller, Depends(allow(Role.SANCTIONS_COMMITTEE))]
Decider = Annotated[Caller, Depends(allow(Role.INVESTIGATOR, Role.SANCTIONS_COMMITTEE))]
# The President asks the bureau to make a formal notice public; a committee member records the committee's own.
Publisher = Annotated[Caller, Depends(allow(Role.PRESIDENT, Role.SANCTIONS_COMMITTEE))]
CaseReader = Annotated[
    Caller,
    Depends(
        allow(
            Role.INVESTIGATOR,
            Role.PRESIDENT,
            Role.RAPPORTEUR,
            Role.SANCTIONS_COMMITTEE,
            Role.INTAKE_OFFICER,
            Role.AUDITOR,
        )
    ),
]
IntegrityChecker = Annotated[Caller, Depends(allow(Role.AUDITOR, Role.ADMINISTRATOR))]
# A complaint's handling: intake officers and investigators (docs/guide.md, "Who may do what").
ComplaintHandler = Annotated[Caller, Depends(allow(Role.INTAKE_OFFICER, Role.INVESTIGATOR))]
# The authorities working together: the President decides (drafts, measures, final decisions), investigators run the
# procedures' steps and record those other authorities report.
Cooperator = Annotated[Caller, Depends(allow(Role.PRESIDENT, Role.INVESTIGATOR))]
