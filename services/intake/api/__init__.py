"""Intake's REST routes, a module per concern: filing (filing.py), the complainant's door (door.py: status
and withdrawal), evidence (evidence.py), staff's reads of complaints (complaints.py), and the complainant's
rights of access and erasure (rights.py). Each has a router of the public door (rate-limited, no staff token), of
staff's, or both; `routers` lists them in the order the app serves them and the OpenAPI document lists them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, status
from fastapi.responses import JSONResponse

from docket_privacy.personal import ErasedSubject

from ..errors import AddressCodeSpent, AlreadyWithdrawn, IdempotencyKeyReused, UnknownComplaint, UnknownEvidence
from . import complaints, door, evidence, filing, rights

routers: tuple[APIRouter, ...] = (
    filing.public,
    door.public,
    evidence.public,
    filing.staff,
    complaints.staff,
    evidence.staff,
    rights.staff,
)


def install_error_handlers(app: FastAPI) -> None:
    def answer(status_code: int) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
        async def handler(_: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status_code)

        return handler

    app.add_exception_handler(ErasedSubject, answer(status.HTTP_410_GONE))
    app.add_exception_handler(UnknownComplaint, answer(status.HTTP_404_NOT_FOUND))
    app.add_exception_handler(UnknownEvidence, answer(status.HTTP_404_NOT_FOUND))
    app.add_exception_handler(AlreadyWithdrawn, answer(status.HTTP_409_CONFLICT))
    app.add_exception_handler(IdempotencyKeyReused, answer(status.HTTP_409_CONFLICT))
    app.add_exception_handler(AddressCodeSpent, answer(status.HTTP_409_CONFLICT))
