"""What an operator watches, at `GET /metrics` in Prometheus' text format.

Counters and histograms move where the work happens; the gauges that describe a table (the outbox's backlog,
the complainants overdue under Art 78(2)) are measured when Prometheus scrapes. Label values are few and
fixed (route templates, outcomes, reasons by kind): never an id, never a value from a request.
deploy/grafana/docket.json draws them and deploy/prometheus/alerts.yml alerts on them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlmodel.ext.asyncio.session import AsyncSession

from .asgi import answering
from .database import run

# A measure run at each scrape, in a session of the service: it sets gauges from what the tables hold.
Measure = Callable[[AsyncSession], Awaitable[None]]

REQUESTS = Histogram(
    "docket_http_request_duration_seconds",
    "HTTP requests by route template and status",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_BACKLOG = Gauge(
    "docket_outbox_unpublished_rows", "outbox rows not yet published (parked ones included)", ["service"]
)
OUTBOX_OLDEST = Gauge(
    "docket_outbox_oldest_unpublished_age_seconds",
    "age of the oldest outbox row not yet published (0 when none)",
    ["service"],
)
OUTBOX_PARKED = Gauge("docket_outbox_parked_rows", "outbox rows the broker refused for good", ["service"])
CONSUMER_LAG = Gauge(
    "docket_consumer_lag_messages",
    "messages on a partition the consumer group has not processed yet",
    ["group", "topic", "partition"],
)
PROCESSED = Counter("docket_messages_processed_total", "messages taken from Kafka, by outcome", ["group", "outcome"])
DEAD_LETTERED = Counter(
    "docket_messages_dead_lettered_total", "messages sent to the dead-letter topic, by why", ["group", "reason"]
)
RETRIES = Counter("docket_handler_retries_total", "handler runs retried, by why", ["group", "reason"])
WEBHOOKS = Histogram(
    "docket_webhook_delivery_duration_seconds",
    "webhook delivery attempts, by outcome",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
EMAILS = Counter("docket_emails_total", "e-mails, by outcome (sent, failed: to be tried again, given_up)", ["outcome"])
TIMERS_FIRED = Counter("docket_timers_fired_total", "formal-notice deadlines found passed by the timer")
ART78_OVERDUE = Gauge(
    "docket_art78_overdue_complainants", "complainants of open cases told nothing for three months (GDPR Art 78(2))"
)


async def measure_outbox(service: str, session: AsyncSession) -> None:
    row = (
        await run(
            session,
            sa.text(
                "SELECT count(*) AS backlog, count(parked_at) AS parked, "
                "coalesce(extract(epoch FROM now() - min(created_at)), 0) AS oldest "
                "FROM outbox WHERE published_at IS NULL"
            ),
        )
    ).one()
    OUTBOX_BACKLOG.labels(service).set(row.backlog)
    OUTBOX_PARKED.labels(service).set(row.parked)
    OUTBOX_OLDEST.labels(service).set(float(row.oldest))


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
