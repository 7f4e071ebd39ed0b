"""What every Docket service runs beside its routes: engine, migrations, relay, consumer, health.

On the way out (uvicorn has stopped taking requests and finished those in flight) the runtime stops in the
order that loses nothing and leaves nothing half done: first the consumer and the workers, each finishing the
message or round it holds (the consumer commits the offsets of what it applied and leaves its group); then
the relay, which publishes every outbox row committed by then; then it closes its connections. Each step may
take `shutdown_grace_s`; a part still busy after it is cancelled (what it held is done again after the next
start: an unmarked outbox row is sent again, an uncommitted message delivered again, both dropped by inboxes),
and `stopped_cleanly` says so.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_identity.tokens import TokenVerifier
from docket_messaging.access import KafkaAccess
from docket_messaging.consumer import Handler, InboxConsumer, PostgresInbox
from docket_messaging.ddl import outbox_channel
from docket_messaging.failures import describe, kind
from docket_messaging.health import Health
from docket_messaging.kafka import KafkaConsumerLoop, KafkaPublisher, ensure_topics
from docket_messaging.outbox import PostgresOutbox
from docket_messaging.postgres import Notifications
from docket_messaging.relay import HEALTH_PART as RELAY_PART
from docket_messaging.relay import Relay, crash_test_hold
from docket_messaging.stopping import until_stopped

from . import tracing
from .database import check_database, make_engine, make_sessions, migrate
from .metrics import Measure
from .settings import ServiceSettings

log = logging.getLogger(__name__)

RESTART_DELAY_S = 1.0
# A restarted task that has run this long without failing is no longer in a restart loop.
STABLE_AFTER_S = 10.0
# Parked outbox rows listed in /readyz (`outbox parked` lists them all).
PARKED_SHOWN = 20


Worker = Callable[["ServiceRuntime"], Awaitable[None]]


@dataclass(frozen=True)
class Migration:
    """A further Alembic history a service applies on start (e.g. the key store's), with its own role."""

    alembic_ini: Path
    database_url: str
    schema: str


def every(interval_s: float, batch_size: int, work: Callable[[ServiceRuntime], Awaitable[int]]) -> Worker:
    """A worker that runs `work` again at once while it finds a full batch, else after `interval_s`; it returns
    after the round in progress once the runtime is stopping."""

    async def loop(runtime: ServiceRuntime) -> None:
        while not runtime.stopping.is_set():
            if await work(runtime) < batch_size:
                await until_stopped(runtime.stopping, asyncio.sleep(interval_s))

    return loop


@dataclass
class ServiceRuntime:
    """Owns a service's engine, Kafka clients and background tasks for the lifetime of the app."""

    name: str
    settings: ServiceSettings
    alembic_ini: Path
    produces: str
    consumes: Sequence[str] = ()
    # Further topics the service's outbox holds rows for (the case service's checkpoints), made sure of with
    # `produces` before the relay publishes.
    also_produces: Sequence[str] = ()
    handlers: Mapping[str, Handler] = field(default_factory=dict)
    # Further background loops of the service (e.g. timers), each given the started runtime.
    workers: Mapping[str, Worker] = field(default_factory=dict)
    migrations: Sequence[Migration] = ()
    # Run once after the migrations and before serving (e.g. opening the pool's connections).
    preparations: Sequence[Callable[[ServiceRuntime], Awaitable[None]]] = ()
    # What else the service owns and must close on the way out (e.g. the key store's engine).
    closers: Sequence[Callable[[], Awaitable[None]]] = ()
    # Gauges of the service's own tables, measured at each scrape of /metrics (the outbox's are everyone's).
    measures: Sequence[Measure] = ()
    engine: AsyncEngine = field(init=False)
    sessions: async_sessionmaker[AsyncSession] = field(init=False)
    kafka: KafkaAccess = field(init=False)
    publisher: KafkaPublisher = field(init=False)
    verifier: TokenVerifier = field(init=False)
    # What the relay, the consumer and the supervised tasks say about themselves, for /readyz.
    health: Health = field(init=False)
    tracer_provider: TracerProvider = field(init=False)
    # Set on the way out: the consumer and the workers finish what they hold and return.
    stopping: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    # Set once they have: the relay publishes what is committed and returns.
    _relay_stopping: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    # The parts that did not stop by themselves within the grace period, or failed on the way out.
    unfinished: list[str] = field(default_factory=list, init=False)
    _work: list[asyncio.Task[None]] = field(default_factory=list, init=False)
    _relays: list[asyncio.Task[None]] = field(default_factory=list, init=False)
    _closers: list[Any] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.health = Health(self.settings.health_grace_s)
        self.tracer_provider = tracing.provider(self.name, self.settings.otel_exporter_otlp_endpoint or None)

    @property
    def tracer(self) -> Tracer:
        return self.tracer_provider.get_tracer("docket")

    @property
    def stopped_cleanly(self) -> bool:
        return not self.unfinished

    async def __aenter__(self) -> ServiceRuntime:
        s = self.settings
        if s.migrate_on_start:
            await asyncio.to_thread(
                migrate, self.alembic_ini, s.migration_database_url or s.database_url, s.database_schema
            )
            for extra in self.migrations:
                await asyncio.to_thread(migrate, extra.alembic_ini, extra.database_url, extra.schema)
        self._closers.extend(self.closers)
        self.engine = make_engine(s.database_url, s.database_schema, pool_size=s.database_pool_size)
        self.sessions = make_sessions(self.engine)
        self.kafka = s.kafka()
        self.publisher = KafkaPublisher(self.kafka, client_id=f"docket-{self.name}")
        self.verifier = TokenVerifier(s.oidc())
        self._closers.append(self.verifier.close)
        for prepare in self.preparations:
            await prepare(self)
        if s.run_relay:
            self._relays.append(self._start(f"{self.name}-relay", self._relay, self._relay_stopping))
        if s.run_consumer and self.handlers:
            consumer = InboxConsumer(
                f"docket-{self.name}",
                self.handlers,
                PostgresInbox(self.sessions),
                self.publisher,
                max_attempts=s.consumer_max_attempts,
                health=self.health,
                tracer=self.tracer,
            )
            loop = KafkaConsumerLoop(
                self.kafka,
                self.consumes,
                consumer,
                topic_partitions=s.kafka_topic_partitions,
                stopping=self.stopping,
            )
            self._work.append(self._start(f"{self.name}-consumer", loop.run, self.stopping))
        for name, worker in self.workers.items():
            self._work.append(self._start(f"{self.name}-{name}", functools.partial(worker, self), self.stopping))
        return self

    def _start(self, name: str, work: Callable[[], Awaitable[None]], stop: asyncio.Event) -> asyncio.Task[None]:
        """Run `work` in the background until `stop` is set; if it fails unexpectedly before, log it and start it
        again. The task reports to health under its name: degraded from its first failure until it has run
        STABLE_AFTER_S without failing, so that a restart loop makes the service unready."""
        return asyncio.create_task(supervise(name, work, self.health, stop), name=name)

    async def _relay(self) -> None:
        s = self.settings
        notifications = Notifications(s.database_url, outbox_channel(s.database_schema))
        # A producer of its own: after a refused message it is replaced, which must not cut off dead letters.
        publisher = KafkaPublisher(self.kafka, client_id=f"docket-{self.name}-relay")
        try:
            while not self._relay_stopping.is_set():
                try:
                    await ensure_topics(self.kafka, self.topics_produced, s.kafka_topic_partitions)
                    break
                except Exception as exc:
                    named = ", ".join(self.topics_produced)
                    self.health.degraded(RELAY_PART, f"cannot create topic {named}: {describe(exc)}")
                    log.warning("%s: cannot create topic %s yet: %s", self.name, named, describe(exc))
                    await until_stopped(self._relay_stopping, notifications.wait(s.relay_poll_interval_s))
            else:
                raise ConnectionError(
                    f"stopped before topic {', '.join(self.topics_produced)} could be reached: what is committed "
                    "stays in the outbox"
                )
            relay = Relay(
                self.outbox(),
                publisher,
                notifications,
                batch_size=s.relay_batch_size,
                poll_interval=s.relay_poll_interval_s,
                hold_after_send=crash_test_hold(),
                health=self.health,
                stopping=self._relay_stopping,
            )
            await relay.run()
        finally:  # also when the supervisor restarts the relay: no connection left behind
            closing = asyncio.gather(notifications.close(), publisher.close(), return_exceptions=True)
            try:
                await asyncio.wait_for(closing, s.shutdown_grace_s / 2)
            except TimeoutError:
                log.warning("%s: closing the relay's connections took over %.0fs", self.name, s.shutdown_grace_s / 2)

    @property
    def topics_produced(self) -> list[str]:
        return [self.produces, *self.also_produces]

    def outbox(self) -> PostgresOutbox:
        return PostgresOutbox(self.sessions, self.settings.database_schema)

    async def __aexit__(self, *exc_info: object) -> None:
        grace = self.settings.shutdown_grace_s
        log.info("%s: stopping: the consumer and the workers finish what they hold", self.name)
        self.stopping.set()
        await self._finish(self._work, grace)
        self._relay_stopping.set()
        await self._finish(self._relays, grace)
        for close in [*self._closers, self.publisher.close]:
            try:
                await asyncio.wait_for(close(), grace)
            except TimeoutError:
                log.warning("%s: closing took longer than %.0fs", self.name, grace)
        await self.engine.dispose()
        await asyncio.to_thread(self.tracer_provider.shutdown)  # the spans still batched go out
        if self.unfinished:
            log.warning(
                "%s: stopped; not finished in time or failed on the way out: %s", self.name, ", ".join(self.unfinished)
            )
        else:
            log.info("%s: stopped cleanly", self.name)

    async def _finish(self, tasks: Sequence[asyncio.Task[None]], grace: float) -> None:
        """Wait up to `grace` for the tasks to return; cancel those that do not, and give them as long again to
        release what they hold (a consumer leaves its group)."""
        if not tasks:
            return
        done, busy = await asyncio.wait(tasks, timeout=grace)
        for task in done:
            if not task.cancelled() and (failed := task.exception()) is not None:
                self.unfinished.append(task.get_name())
                log.error("%s failed on the way out: %s", task.get_name(), describe(failed))
        for task in busy:
            self.unfinished.append(task.get_name())
            log.warning("%s did not finish within %.0fs; cancelling it", task.get_name(), grace)
            task.cancel()
        if busy:
            _, stuck = await asyncio.wait(busy, timeout=grace)
            for task in stuck:
                log.warning("%s did not stop within %.0fs of being cancelled; leaving it", task.get_name(), grace)

    async def readiness(self) -> dict[str, str]:
        """'ok' or the reason, per dependency; and the reason for each background part (relay, consumer,
        supervised task) that has been degraded longer than the grace period."""
        probes: dict[str, Callable[[], Awaitable[None]]] = {
            "database": lambda: asyncio.wait_for(check_database(self.engine), 3.0),
            "kafka": lambda: self.publisher.ping(3.0),
            "identity": lambda: asyncio.wait_for(self.verifier.ready(), 3.0),
        }
        checks: dict[str, str] = {}
        for dependency, probe in probes.items():
            try:
                await probe()
                checks[dependency] = "ok"
            except Exception as exc:
                # The answer names the kind of failure only: /readyz is read by whoever reaches the port, and an
                # error's text names hosts, ports, roles and URLs. The log, for the operator, has the text.
                checks[dependency] = f"unreachable: {kind(exc)}"
                log.warning("%s: %s unreachable: %s: %s", self.name, dependency, type(exc).__name__, exc)
        return checks | self.health.failing()

    async def readiness_details(self, *, database_ok: bool = True) -> dict[str, object]:
        """What /readyz shows beside the checks: each background part's last report, and the outbox rows
        the broker refused for good with the keys held behind them. Parked rows do not make the service
        unready (everything else flows), but they need an operator: `python -m services.<name> outbox`."""
        details: dict[str, object] = {"parts": self.health.report()}
        if not database_ok:
            return details
        try:
            parked = await asyncio.wait_for(self.outbox().parked(limit=PARKED_SHOWN), 3.0)
        except Exception as exc:
            details["outbox"] = {"unknown": describe(exc)}
        else:
            details["outbox"] = {
                "parked": [row.as_json() for row in parked],
                "held_keys": sorted({row.key for row in parked if row.held}),
            }
        return details


async def supervise(
    name: str, work: Callable[[], Awaitable[None]], health: Health, stop: asyncio.Event | None = None
) -> None:
    """Run `work` until `stop` is set (again when it returns before): after an unexpected failure, log it,
    report `name` degraded, and start it again after RESTART_DELAY_S; report it ok once it has run
    STABLE_AFTER_S since the last restart. A failure once `stop` is set is raised, not restarted."""
    loop = asyncio.get_running_loop()
    stop = stop or asyncio.Event()
    failures = 0
    recovered: asyncio.TimerHandle | None = None

    def stable() -> None:
        nonlocal failures
        failures = 0
        health.ok(name)

    try:
        while not stop.is_set():
            try:
                await work()
            except Exception as exc:
                if stop.is_set():
                    raise
                if recovered is not None:
                    recovered.cancel()
                failures += 1
                health.degraded(name, f"failed {failures} time(s) in a row, last: {describe(exc)}; restarting")
                log.error("%s failed (%s); restarting in %.0fs", name, describe(exc), RESTART_DELAY_S)
                log.debug("%s failure", name, exc_info=True)  # the traceback's last line may quote values
                await until_stopped(stop, asyncio.sleep(RESTART_DELAY_S))
                recovered = loop.call_later(STABLE_AFTER_S, stable)
    finally:
        if recovered is not None:
            recovered.cancel()
