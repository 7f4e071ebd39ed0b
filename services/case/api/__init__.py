"""The case service's REST routes, a module each: the investigation's and the notices' commands (commands.py),
the restricted committee's procedure (proceedings.py), its decisions and what follows them (decisions.py), the
read side (reads.py), the fine estimate (fines.py) and the checkpoints' public keys (keys.py), with what they take
and give (models.py, within bounds.py); a complaint's own handling (complaints.py), the queues and the workload
(queues.py), campaigns (campaigns.py), with what they take and give (handling_models.py), the annual report's
figures (stats.py), the authorities working together (cooperation.py) and the inbox of their messages
(exchange.py). main.py mounts `routers` and installs the error handlers below.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from .. import domain
from ..domain import ComplaintRejected, Rejected
from ..errors import StaleVersion, StreamNotFound
from ..handling import IdempotencyKeyReused, UnknownComplaint
from . import (
    campaigns,
    commands,
    complaints,
    cooperation,
    decisions,
    exchange,
    fines,
    keys,
    proceedings,
    queues,
    reads,
    stats,
)

routers = (
    reads.router,
    commands.router,
    proceedings.router,
    decisions.router,
    fines.router,
    keys.router,
    complaints.router,
    queues.router,
    campaigns.router,
    stats.router,
    cooperation.router,
    exchange.router,
)


def install_error_handlers(app: FastAPI) -> None:
    """Answer the case's refusals: a command that does not fit the case (409, with where the case stands and
    what may happen next), a stale version (409, with the current one as ETag), no such case (404)."""

    async def rejected(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Rejected)
        return JSONResponse(
            {
                "detail": str(exc),
                "status": exc.state.status,
                "current_version": exc.state.version,
                "allowed_next_steps": list(domain.next_steps(exc.state)),
            },
            status_code=status.HTTP_409_CONFLICT,
        )

    async def stale(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StaleVersion)
        return JSONResponse(
            {"detail": str(exc), "current_version": exc.current_version},
            status_code=status.HTTP_409_CONFLICT,
            headers={"ETag": f'"{exc.current_version}"'},
        )

    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": f"no case {exc}"}, status_code=status.HTTP_404_NOT_FOUND)

    app.add_exception_handler(Rejected, rejected)
    app.add_exception_handler(StaleVersion, stale)
    app.add_exception_handler(StreamNotFound, not_found)
    install_handling_errors(app)
    exchange.install_cooperation_errors(app)


def install_handling_errors(app: FastAPI) -> None:
    """Answer a complaint's refusals: a command that does not fit the complaint (409, with where it stands and
    what it allows next), no such complaint (404), an Idempotency-Key sent again with another body (409)."""

    async def complaint_rejected(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ComplaintRejected)
        return JSONResponse(
            {"detail": str(exc), "status": exc.complaint.status, "allowed_next_steps": list(exc.allowed)},
            status_code=status.HTTP_409_CONFLICT,
        )

    async def unknown(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": f"no case holds complaint {exc}"}, status_code=status.HTTP_404_NOT_FOUND)

    async def reused(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_409_CONFLICT)

    app.add_exception_handler(ComplaintRejected, complaint_rejected)
    app.add_exception_handler(UnknownComplaint, unknown)
    app.add_exception_handler(IdempotencyKeyReused, reused)
