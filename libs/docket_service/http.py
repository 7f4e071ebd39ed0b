"""HTTP pieces every service shares: dependency aliases, the health routes, the ids of a request's log lines."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docket_contracts.errors import Invalid
from docket_identity.http import document_roles
from docket_messaging.context import an_id, bind_ids, current_trace_id, start_ids, trace_id
from docket_messaging.failures import describe
from docket_messaging.metrics import measure_outbox

from .clock import Clock
from .limits import ClientAddress, networks
from .metrics import RequestMetrics, exposition
from .runtime import ServiceRuntime
from .tracing import RequestTracing

log = logging.getLogger(__name__)


async def get_runtime(request: Request) -> ServiceRuntime:
    """The service's runtime (app.state.runtime). Async, as every getter: FastAPI runs it on the loop rather than
    handing it to a thread and back, two wake-ups a request."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with runtime.sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]

health = APIRouter(tags=["health"])


@health.get("/healthz", summary="The process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health.get("/metrics", include_in_schema=False, summary="Prometheus metrics (README, Operations)")
async def metrics(runtime: RuntimeDep) -> Response:
    """The counters as they stand, and the gauges of the service's tables measured now (kept as last measured
    when the database does not answer: the scrape still succeeds, and /readyz says what is wrong)."""
    try:
        async with runtime.sessions() as session:
            await measure_outbox(runtime.name, session)
            for measure in runtime.measures:
                await measure(session)
    except Exception as exc:
        log.warning("%s: metrics not measured: %s", runtime.name, describe(exc))
    body, content_type = exposition()
    return Response(body, media_type=content_type)


@health.get(
    "/readyz",
    summary="The database, Kafka and the identity provider are reachable, and the relay, the "
    "consumer and the background tasks work",
    responses={
        503: {
            "description": "a dependency is unreachable, or a background part has been failing for "
            "more than a few seconds; `checks` says which and why"
        }
    },
)
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """`checks` decides the status; `parts` (each background part's last report) and `outbox` (rows the broker
    refused for good, and the keys held behind them) inform without making the service unready."""
    checks = await runtime.readiness()
    ready = all(value == "ok" for value in checks.values())
    details = await runtime.readiness_details(database_ok=checks.get("database") == "ok")
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks, **details}, status_code=200 if ready else 503
    )


# A file served for download is data, never a page: the browser saves it rather than opens it, does not guess
# another type than the one declared (nosniff: a "text/plain" file of HTML stays text), and, opened anyway
# (an SVG dragged into a tab, a proxy that drops the disposition), may load and run nothing (sandbox).
DOWNLOAD_POLICY = "default-src 'none'; sandbox"


def download_headers(filename: str) -> dict[str, str]:
    """The headers of a file to download, saved under `filename`: a name already made safe (letters, digits,
    spaces, dots, dashes and underscores only), so that it needs no quoting inside the quotes."""
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": DOWNLOAD_POLICY,
    }


async def get_clock(request: Request) -> Clock:
    """The service's clock (app.state.clock): the regulator's calendar day, fixed in tests."""
    clock: Clock = request.app.state.clock
    return clock


ClockDep = Annotated[Clock, Depends(get_clock)]


async def invalid_request(_: Request, exc: Exception) -> JSONResponse:
    """422 naming each field and the rule it breaks, without repeating the value sent: it may be personal
    data or a secret, and error bodies end up in logs and proxies."""
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def invalid_query(message: str, *fields: str) -> RequestValidationError:
    """A 422 for query parameters that are each valid but wrong together, naming every one of `fields` (by the
    name the request uses) in the shape of FastAPI's own errors: raise it from a route or a dependency."""
    return RequestValidationError(
        [{"loc": ("query", field), "msg": message, "type": "value_error"} for field in fields]
    )


async def invalid_value(_: Request, exc: Exception) -> JSONResponse:
    """422 for a value a rule refused, in the shape of FastAPI's own (the field's place in the body, why)."""
    assert isinstance(exc, Invalid)
    return JSONResponse(
        {"detail": [{"loc": ["body", *exc.field.split(".")], "msg": exc.message, "type": "value_error"}]},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


class RequestLogIds:
    """Every line logged while a request is handled, its access line included, carries the trace id of its
    W3C `traceparent` header, and the case or complaint its path names (`{case_id}`, `{complaint_id}`, when
    well-formed). The ids stay bound for the rest of the request's task: uvicorn writes the access line, and
    any error, after the app has returned."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start_ids(trace_id=current_trace_id() or trace_id(dict(scope["headers"]).get(b"traceparent")))

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                bind_path_ids(scope)
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            bind_path_ids(scope)


def bind_path_ids(scope: Scope) -> None:
    """The router has put the path's parameters into the scope by the time a response starts."""
    params = scope.get("path_params") or {}
    bind_ids(case_id=an_id(params.get("case_id")), complaint_id=an_id(params.get("complaint_id")))


def service_app(title: str, runtime: ServiceRuntime, *routers: APIRouter) -> FastAPI:
    """A FastAPI app whose lifespan runs `runtime` (migrations, relay, consumer) around the routes."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with runtime as app.state.runtime:
            app.state.verifier = runtime.verifier
            yield

    app = FastAPI(title=title, version="0.1.0", lifespan=lifespan)
    app.add_middleware(RequestMetrics, service=runtime.name)
    app.add_middleware(RequestLogIds)  # inside the request's span: its lines name the span's trace
    app.add_middleware(RequestTracing, tracer=runtime.tracer)
    # Outermost: everything inside, the access line included, sees the client's address, not a proxy's.
    app.add_middleware(ClientAddress, trusted=networks(runtime.settings.trusted_proxies))
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Invalid, invalid_value)
    app.state.roles_claim = runtime.settings.oidc_roles_claim
    app.state.groups_claim = runtime.settings.oidc_groups_claim
    for router in (health, *routers):
        document_roles(router)
        app.include_router(router)
    return app
