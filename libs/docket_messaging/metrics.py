"""The messaging's own metrics: the outbox's backlog (measured at each scrape of a service's /metrics), the
consumer's lag per partition, messages by outcome, fetches applied together or one by one, dead letters by
reason, handler retries. Label values are few
and fixed: never an id, never a value from a message.
"""

from __future__ import annotations

import sqlalchemy as sa
from prometheus_client import Counter, Gauge
from sqlmodel.ext.asyncio.session import AsyncSession

from .postgres import run

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
BATCHES = Counter(
    "docket_consumer_batches_total",
    "fetches of a partition applied in one transaction (applied), or message by message after that failed (one_by_one)",
    ["group", "outcome"],
)
RETRIES = Counter("docket_handler_retries_total", "handler runs retried, by why", ["group", "reason"])


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
