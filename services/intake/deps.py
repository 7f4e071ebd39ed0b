"""What intake's routes may ask for, typed, and where each comes from: the app's state is read here and
nowhere else. The aliases every service shares (the session, the clock, the runtime) come from
docket_service.http and are named here again, so that a route imports its dependencies from one module.

Every getter is async: it does not block, so FastAPI runs it on the loop, not in a thread.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from docket_identity.http import allow
from docket_identity.roles import Caller, Role
from docket_privacy.personal import PersonalData
from docket_service.http import ClockDep, RuntimeDep, SessionDep

from .config import IntakeSettings
from .limits import RateLimiter, Uploads

__all__ = [
    "Administrator",
    "ClockDep",
    "IntakeOfficer",
    "PersonalDep",
    "RateLimiterDep",
    "RuntimeDep",
    "SessionDep",
    "SettingsDep",
    "SubmissionReader",
    "UploadsDep",
    "public_door",
    "rate_limited",
    "staff_door",
]


async def get_settings(runtime: RuntimeDep) -> IntakeSettings:
    settings = runtime.settings
    assert isinstance(settings, IntakeSettings)
    return settings


SettingsDep = Annotated[IntakeSettings, Depends(get_settings)]


async def get_personal(request: Request) -> PersonalData:
    """Sealing and opening personal data with the key store (app.state.personal, built by create_app)."""
    personal: PersonalData = request.app.state.personal
    return personal


PersonalDep = Annotated[PersonalData, Depends(get_personal)]


async def get_rate_limiter(request: Request) -> RateLimiter:
    """The public door's rate limiter (app.state.rate_limiter, built by create_app)."""
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]


async def get_uploads(request: Request) -> Uploads:
    """How many evidence uploads this instance takes at once (app.state.uploads, built by create_app)."""
    uploads: Uploads = request.app.state.uploads
    return uploads


UploadsDep = Annotated[Uploads, Depends(get_uploads)]


async def rate_limited(request: Request, limiter: RateLimiterDep, runtime: RuntimeDep) -> None:
    """Dependency of the public routes: 429 for a client over its rate (the client's address as
    docket_service.limits.ClientAddress found it)."""
    await limiter.check(runtime.engine, request.client.host if request.client else "unknown")


# Who may call what (the public door takes no staff token; see docket_identity).
SubmissionReader = Annotated[Caller, Depends(allow(Role.INTAKE_OFFICER, Role.INVESTIGATOR, Role.AUDITOR))]
IntakeOfficer = Annotated[Caller, Depends(allow(Role.INTAKE_OFFICER))]
Administrator = Annotated[Caller, Depends(allow(Role.ADMINISTRATOR))]


def public_door() -> APIRouter:
    """A router of the public door: rate-limited, no staff token."""
    return APIRouter(tags=["complainants"], dependencies=[Depends(rate_limited)])


def staff_door() -> APIRouter:
    """A router of staff's routes: each names the roles it admits."""
    return APIRouter(tags=["staff"])
