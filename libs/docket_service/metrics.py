"""What an operator watches, at `GET /metrics` in Prometheus' text format.

Counters and histograms move where the work happens; the gauges that describe a table (the outbox's backlog,
the complainants overdue under Art 78(2)) are measured when Prometheus scrapes. Label values are few and
fixed (route templates, outcomes, reasons by kind): never an id, never a value from a request.
deploy/grafana/docket.json draws them and deploy/prometheus/alerts.yml alerts on them.

Each part declares its own metrics: the messaging's in docket_messaging.metrics, each service's in its
`metrics.py`. Here are the HTTP requests' and the exposition of them all.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest
from sqlmodel.ext.asyncio.session import AsyncSession

from .asgi import answering

# A measure run at each scrape, in a session of the service: it sets gauges from what the tables hold.
Measure = Callable[[AsyncSession], Awaitable[None]]

REQUESTS = Histogram(
    "docket_http_request_duration_seconds",
    "HTTP requests by route template and status",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST


class RequestMetrics:
    """ASGI middleware: each HTTP request's duration, by method, route template (not the path: no ids) and
    status. A request no route matched counts under the route `unmatched`."""

    def __init__(self, app: Any, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        def answered(status: int, route: str) -> None:
            REQUESTS.labels(self.service, scope["method"], route, str(status)).observe(time.perf_counter() - started)

        await answering(self.app, scope, receive, send, answered)
