"""The case service's REST routes, a module each: the investigation's and the notices' commands (commands.py),
the restricted committee's procedure (proceedings.py), its decisions and what follows them (decisions.py), the
read side (reads.py), the fine estimate (fines.py) and the checkpoints' public keys (keys.py), with what they take
and give (models.py, within bounds.py).
main.py mounts `routers` and installs the error handlers below.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from .. import domain
from ..domain import Rejected
from ..errors import StaleVersion, StreamNotFound
from . import commands, decisions, fines, keys, proceedings, reads

routers = (reads.router, commands.router, proceedings.router, decisions.router, fines.router, keys.router)


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
