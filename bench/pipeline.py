"""The whole pipeline on one machine: the highest rate it keeps up with, with one and with two processes of each
service, end-to-end latency, the CPU each process spends per complaint, memory; and the relay's wake-up latency.

    python -m bench.pipeline [--small] [--keep DIR]

Starts its own PostgreSQL (durable: fsync and synchronous commit on) and Kafka, migrates the three services
and the key store, and runs intake, case and notifier as one process each, as `make run` starts them (relay
and consumer inside each); then two processes of each on the same database and broker, the two of a service
sharing its port (HTTP_REUSE_PORT). The identity provider is never reached: POST /complaints is public and
nothing here calls a staff route. There are no webhook subscribers and no mail server: the notifier records its
letters (their e-mails wait for a server, as under `make run`, and are no backlog of the pipeline).

A load generator, a process of its own, posts distinct submissions to intake on loopback at a fixed rate, open
loop (each request is due at its time whether or not the earlier ones were answered), at most rate x seconds
of them and for at most that long plus GRACE_S.

- Capacity: the offered rate goes up by steps (STEPS); each holds for HOLD_S while every backlog is sampled
  each second: each service's unpublished outbox rows, each consumer group's lag (end offsets minus committed
  offsets over its partitions), the notifier's pending webhook deliveries, and at the door the requests due
  but not yet answered. A step passes when every request was answered 201 and every backlog stayed flat: over
  the hold (its first 10 % left out) its least-squares growth is less than one second of arrivals. A step
  whose backlog has grown by three times that a third of the way in is ended there. After the first step that
  fails, the rate halfway to the last one that passed is tried. The figure is the highest rate that passed.
  Between steps the pipeline drains. Complaints spread over 1,000 controllers, with one process of each
  service and then with two (the reference); and, with one process of each, all against one controller, whose
  case then grows by every complaint.
- CPU per complaint: the user and system time of each service's processes, PostgreSQL's and Kafka's over the
  highest flat step over 1,000 controllers, per complaint; one process of each service beside two of each.
- Latency: at LATENCY_RATE over 1,000 controllers for LATENCY_S (at the capacity found, if that is lower: above
  it the figure would only say how long the queue grew), from POST /complaints answered (the generator's clock)
  to the notifier recording the letter that tells the complainant their complaint is in a case (the row's
  created_at: the time of the notifier's transaction; one machine, one clock). That letter is the end of the
  whole chain: intake and its relay, Kafka, the case service's consumer and relay, Kafka, the notifier's
  consumer. Beside it, the acknowledgement letter of the same complaints, which passes intake and the notifier
  only.
- Memory: the resident set of each service process, highest seen under load, beside it idle after a warm-up.
- Relay wake-up: an outbox row's commit to a consumer seeing it on Kafka, with LISTEN/NOTIFY (polling every 2 s
  as a fallback), on a topic of its own, before the services start; in turns with a bare idempotent producer's
  message to the same consumer.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import random
import secrets
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from docket_contracts import topics
from docket_contracts.envelope import CloudEvent
from docket_devstack.database import Databases, provision
from docket_devstack.kafka import REPO_ROOT, KafkaBroker
from docket_devstack.keycloak import KeycloakServer
from docket_devstack.ports import free_port
from docket_devstack.postgres import EmbeddedPostgres
from docket_devstack.processes import SERVICES, ServiceProcess, service_env
from docket_messaging.access import KafkaAccess
from docket_messaging.kafka import KafkaPublisher, ensure_topics
from docket_messaging.outbox import PostgresOutbox, add_to_outbox
from docket_messaging.postgres import Notifications, asyncpg_dsn
from docket_messaging.relay import Relay
from docket_privacy.settings import KEYSTORE_ALEMBIC_INI
from docket_service.database import make_engine, make_sessions, migrate

from .report import Figure, markdown

STEPS = (25, 50, 100, 200, 300, 400, 600)  # complaints per second
HOLD_S = 60.0
LATENCY_RATE, LATENCY_S = 100, 60.0
CONTROLLERS = 1_000
ONE_CONTROLLER = "Clearview AI"
RELAY_SAMPLES = 100
WARMUP = 200
GRACE_S = 30.0  # the generator gives up on answers this long after its last request was due
DRAIN_CAP_S = 300.0  # a step whose backlogs do not drain in this long ends the search
CAPACITY_TARGET, P99_TARGET_MS, RSS_TARGET_MB, CPU_TARGET_MS = 100, 300.0, 150.0, 15.0

SMALL = {
    "steps": (10, 20),
    "hold_s": 4.0,
    "latency_rate": 10,
    "latency_s": 3.0,
    "relay_samples": 5,
    "warmup": 10,
    "drain_cap_s": 60.0,
}
FULL = {
    "steps": STEPS,
    "hold_s": HOLD_S,
    "latency_rate": LATENCY_RATE,
    "latency_s": LATENCY_S,
    "relay_samples": RELAY_SAMPLES,
    "warmup": WARMUP,
    "drain_cap_s": DRAIN_CAP_S,
}

# Every request comes from 127.0.0.1: intake's limiter still runs on each, but throttles none.
UNTHROTTLED = {"RATE_LIMIT_PER_MINUTE": "100000000", "RATE_LIMIT_BURST": "100000000"}
NOWHERE_ISSUER = "http://127.0.0.1:9/realms/unused"  # services need an issuer; no route here asks for a token
CONSUMER_GROUPS = {
    "docket-intake": (topics.CASES, topics.NOTIFICATIONS),
    "docket-case": (topics.COMPLAINTS,),
    "docket-notifier": (topics.COMPLAINTS, topics.CASES),
}
CASE_LETTERS = ("docket.case.opened", "docket.complaint.linked")
RELAY_TOPIC = "bench.relay-latency"
STARTED = "Application startup complete"  # what uvicorn logs once the app's lifespan has started


# --- the load generator (a process of its own: python -m bench.pipeline offer ...) ---------------------------


def submission(n: int, run: str, controller: str) -> dict[str, Any]:
    return {
        "kind": "art77_complaint",
        "category": "access_request_ignored",
        "territory": ["FR"],
        "complainant": {"name": f"Complainant {run}-{n}", "email": f"c{n}.{run}@example.org", "country": "FR"},
        "controller": {"name": controller, "country": "US"},
        "articles_alleged": [15, 17],
        "narrative": f"Submission {n} of run {run}: I asked {controller} for a copy of my data and got no answer.",
    }


def controller_of(n: int, spread: int) -> str:
    return ONE_CONTROLLER if spread <= 1 else f"Controller {n % spread:04d}"


def request_bytes(port: int, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    return (
        f"POST /complaints HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    writer.write(request)
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    length = next(int(line.split(":", 1)[1]) for line in head[1:] if line.lower().startswith("content-length:"))
    return int(head[0].split(" ", 2)[1]), await reader.readexactly(length)


async def offer(port: int, rate: float, seconds: float, spread: int, out: Path) -> dict[str, Any]:
    """POST rate x seconds distinct submissions to 127.0.0.1:`port`, each due at start + n / rate, on a pool of
    keep-alive connections; record for each [due, sent, answered, status, complaint id] (wall-clock seconds)
    into `out`. SIGTERM ends the offer early (no request is due after it). Requests not answered GRACE_S after
    the last was due are abandoned (status 0)."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    run = secrets.token_hex(3)
    count = max(1, round(rate * seconds))
    requests = [request_bytes(port, submission(n, run, controller_of(n, spread))) for n in range(count)]
    records: list[list[Any]] = [[0.0, 0.0, 0.0, 0, ""] for _ in range(count)]
    queue: asyncio.Queue[int] = asyncio.Queue()

    async def connection() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", port)

    async def worker() -> None:
        link = await connection()
        while (n := await queue.get()) >= 0:
            records[n][1] = time.time()
            for attempt in (1, 2):  # once more on a fresh connection if the server had closed an idle one
                try:
                    status, body = await exchange(*link, requests[n])
                    break
                except (OSError, asyncio.IncompleteReadError):
                    link[1].close()
                    link = await connection()
                    if attempt == 2:
                        raise
            answer = json.loads(body).get("id", "") if status == 201 else body[:200].decode(errors="replace")
            records[n][2:] = [time.time(), status, answer]
        link[1].close()

    # Enough connections for a second of arrivals in flight (at most 256): a slow answer holds one up, and the
    # door's backlog should show the service's limit, not the generator's.
    workers = [asyncio.create_task(worker()) for _ in range(int(min(count, max(16, min(256, rate)))))]
    start = time.time() + 0.2
    for n in range(count):
        due = start + n / rate
        if (wait := due - time.time()) > 0:
            await asyncio.sleep(wait)
        if stop.is_set():
            break
        records[n][0] = due
        queue.put_nowait(n)
    for _ in workers:
        queue.put_nowait(-1)
    done, stuck = await asyncio.wait(workers, timeout=GRACE_S + max(0.0, due - time.time()))
    for task in stuck:
        task.cancel()
    failures = [repr(task.exception()) for task in done if not task.cancelled() and task.exception()]
    records = [r for r in records if r[0]]  # those that were due
    out.write_text(json.dumps(records))
    answered = [r for r in records if r[3] == 201]
    return {
        "offered": len(records),
        "created": len(answered),
        "failures": failures[:3],
        "http_p50_ms": 1000 * statistics.median([r[2] - r[1] for r in answered] or [0.0]),
        "late_p99_ms": 1000 * quantile([r[1] - r[0] for r in records if r[1]], 0.99),
    }


# --- the running pipeline -------------------------------------------------------------------------------------


@dataclass
class Pipeline:
    root: Path
    databases: Databases
    bootstrap: KafkaAccess  # the broker's super user: the bench looks beneath the services
    postgres_pid: int
    kafka_pid: int | None
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def port(self, name: str) -> int:
        return self.services[name].port

    def pids(self) -> dict[str, int]:
        return {name: s.process.pid for name, s in self.services.items() if s.process is not None}


@contextlib.contextmanager
def infrastructure(root: Path) -> Iterator[tuple[EmbeddedPostgres, KafkaBroker, Databases]]:
    with (
        EmbeddedPostgres(root / "postgres" / "data") as pg,
        KeycloakServer(root / "keycloak") as keycloak,
        KafkaBroker(root / "kafka", keycloak) as kafka,
    ):
        databases = provision(pg, "bench")
        for name in SERVICES:
            migrate(REPO_ROOT / "services" / name / "alembic.ini", databases.migrator, name)
        migrate(KEYSTORE_ALEMBIC_INI, databases.migrator, "keystore")
        yield pg, kafka, databases


@contextlib.contextmanager
def services(
    pg: EmbeddedPostgres, kafka: KafkaBroker, databases: Databases, root: Path, copies: int = 1
) -> Iterator[Pipeline]:
    """`copies` processes of each service, as `make run` starts one: the copies of a service share its settings and
    its port (HTTP_REUSE_PORT), so that the kernel spreads intake's connections among them."""
    key = "bench:" + base64.b64encode(secrets.token_bytes(32)).decode()  # id:key, as KEYSTORE_MASTER_KEYS takes it
    postmaster = int((pg.data_dir / "postmaster.pid").read_text().split()[0])
    jvm = next(
        (
            p.pid
            for p in psutil.process_iter(["cmdline"])
            if str(kafka.config_file) in " ".join(p.info["cmdline"] or ())
        ),
        None,
    )
    running = Pipeline(root, databases, kafka.admin, postmaster, jvm)
    try:
        for name in SERVICES:
            port = free_port()
            shared = {"HTTP_REUSE_PORT": "true"} if copies > 1 else {}
            env = service_env(name, databases, kafka.service_env(name), NOWHERE_ISSUER, key, port, UNTHROTTLED | shared)
            for copy in range(1, copies + 1):
                process = ServiceProcess(name, port, env, root / "logs" / f"{name}-{copies}-{copy}.log")
                running.services[name if copy == 1 else f"{name}-{copy}"] = process
                process.start()
        for process in running.services.values():
            serving(process)
        yield running
    finally:
        for process in running.services.values():
            process.stop()


def serving(process: ServiceProcess, timeout: float = 90.0) -> None:
    """Wait until the process's app has started (its log says so: the port may be another copy's too) and
    /healthz answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.process is not None and process.process.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(httpx.HTTPError, OSError):
            if (
                STARTED in process.log.read_text(errors="replace")
                and httpx.get(f"{process.url}/healthz", timeout=2).status_code == 200
            ):
                return
        time.sleep(0.3)
    raise RuntimeError(f"{process.name} did not start within {timeout:.0f}s")


# --- what is measured while it runs ---------------------------------------------------------------------------


class Backlogs:
    """Samples every backlog of the pipeline, and each process's memory and CPU time."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self._db: asyncpg.Connection | None = None
        self._admin = AIOKafkaAdminClient(**pipeline.bootstrap.options())
        self._ends = AIOKafkaConsumer(**pipeline.bootstrap.options(), group_id=None, enable_auto_commit=False)
        self._partitions: dict[str, list[TopicPartition]] = {}

    async def __aenter__(self) -> Backlogs:
        self._db = await asyncpg.connect(asyncpg_dsn(self.pipeline.databases.admin))
        await self._admin.start()
        await self._ends.start()
        for description in await self._admin.describe_topics([topics.COMPLAINTS, topics.CASES, topics.NOTIFICATIONS]):
            self._partitions[description["topic"]] = [
                TopicPartition(description["topic"], p["partition"]) for p in description["partitions"]
            ]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._ends.stop()
        await self._admin.close()
        if self._db is not None:
            await self._db.close()

    async def sample(self) -> dict[str, float]:
        assert self._db is not None
        row = await self._db.fetchrow("""
            SELECT (SELECT count(*) FROM intake.outbox WHERE published_at IS NULL) AS "intake outbox",
                   (SELECT count(*) FROM "case".outbox WHERE published_at IS NULL) AS "case outbox",
                   (SELECT count(*) FROM notifier.outbox WHERE published_at IS NULL) AS "notifier outbox",
                   (SELECT count(*) FROM notifier.deliveries WHERE status = 'pending') AS "notifier deliveries" """)
        found: dict[str, float] = {"t": time.time(), **dict(row)}
        ends = await self._ends.end_offsets([tp for tps in self._partitions.values() for tp in tps])
        for group, consumed in CONSUMER_GROUPS.items():
            committed = await self._admin.list_consumer_group_offsets(group)
            found[f"{group} lag"] = sum(
                ends[tp] - max(0, committed[tp].offset if tp in committed else 0)
                for topic in consumed
                for tp in self._partitions[topic]
            )
        for name, pid in self.pipeline.pids().items():
            with contextlib.suppress(psutil.Error):
                found[f"{name} rss MB"] = psutil.Process(pid).memory_info().rss / 2**20
        return found

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by each service, PostgreSQL (all its processes) and Kafka."""
        pids = {**self.pipeline.pids(), "postgres": self.pipeline.postgres_pid}
        if self.pipeline.kafka_pid:
            pids["kafka"] = self.pipeline.kafka_pid
        used = {}
        for name, pid in pids.items():
            with contextlib.suppress(psutil.Error):
                process = psutil.Process(pid)
                tree = [process, *process.children(recursive=True)] if name == "postgres" else [process]
                used[name] = sum(p.cpu_times().user + p.cpu_times().system for p in tree)
        return used


BACKLOGS = (
    "door",
    "intake outbox",
    "case outbox",
    "notifier outbox",
    "notifier deliveries",
    *(f"{group} lag" for group in CONSUMER_GROUPS),
)


@dataclass
class Step:
    rate: float
    seconds: float
    spread: int
    offered: int = 0
    created: int = 0
    growth: dict[str, float] = field(default_factory=dict)  # per backlog, least-squares growth over the hold
    peak: dict[str, float] = field(default_factory=dict)
    drained_s: float | None = None
    rss_peak_mb: dict[str, float] = field(default_factory=dict)
    cpu_ms_per_complaint: dict[str, float] = field(default_factory=dict)
    http_p50_ms: float = 0.0
    late_p99_ms: float = 0.0
    failures: list[str] = field(default_factory=list)
    cut_short_after_s: float | None = None  # a backlog was clearly growing: the offer was ended then
    records: list[list[Any]] = field(default_factory=list, repr=False)

    @property
    def allowed_growth(self) -> float:
        return max(20.0, self.rate * 1.0)  # one second of arrivals

    @property
    def grew(self) -> list[str]:
        return [name for name, g in self.growth.items() if g > self.allowed_growth]

    @property
    def flat(self) -> bool:
        return (
            not self.failures
            and self.created == self.offered
            and not self.grew
            and self.drained_s is not None
            and self.cut_short_after_s is None
        )

    def brief(self) -> dict[str, Any]:
        found = {k: v for k, v in asdict(self).items() if k != "records"}
        found["flat"], found["grew"] = self.flat, self.grew
        return _rounded(found)


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


def growth(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of the points times their time span: how much the series grew over it."""
    if len(points) < 3:
        return 0.0
    ts, ys = [p[0] for p in points], [p[1] for p in points]
    mt, my = statistics.fmean(ts), statistics.fmean(ys)
    var = sum((t - mt) ** 2 for t in ts)
    slope = sum((t - mt) * (y - my) for t, y in zip(ts, ys, strict=True)) / var if var else 0.0
    return slope * (ts[-1] - ts[0])


def door(records: list[list[Any]], at: float) -> int:
    """Requests due by `at` and not answered by then."""
    return sum(1 for due, _, answered, _, _ in records if due <= at and not (answered and answered <= at))


async def run_step(
    pipeline: Pipeline, backlogs: Backlogs, rate: float, seconds: float, spread: int, drain_cap_s: float
) -> Step:
    """Offer `rate` complaints a second for `seconds`, sampling every second; then wait for the pipeline to
    drain (every backlog at zero) for at most `drain_cap_s`. Once a third of the hold has passed, a backlog that
    has already grown by three times what the whole hold allows ends the offer there (the step is not flat),
    so that a rate well above the capacity costs neither the whole hold nor the drain of its backlog."""
    step = Step(rate, seconds, spread)
    out = pipeline.root / f"offer-{uuid.uuid4().hex[:8]}.json"
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "libs")])}
    cpu_before = backlogs.cpu()
    generator = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.pipeline",
        "offer",
        "--port",
        str(pipeline.port("intake")),
        "--rate",
        str(rate),
        "--seconds",
        str(seconds),
        "--spread",
        str(spread),
        "--out",
        str(out),
        cwd=REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    samples: list[dict[str, float]] = []
    try:
        while generator.returncode is None:
            samples.append(await backlogs.sample())
            if step.cut_short_after_s is None and clearly_growing(step, samples):
                step.cut_short_after_s = samples[-1]["t"] - samples[0]["t"]
                generator.send_signal(signal.SIGTERM)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(generator.wait(), max(0.05, 1.0 - (time.time() - samples[-1]["t"])))
        stdout, stderr = await generator.communicate()
    finally:
        if generator.returncode is None:
            generator.kill()
            await generator.wait()
    cpu_after = backlogs.cpu()
    if generator.returncode != 0:
        raise RuntimeError(f"the load generator failed: {stderr.decode()[-2000:]}")
    summary = json.loads(stdout)
    step.records = json.loads(out.read_text())
    out.unlink()
    step.offered, step.created, step.failures = summary["offered"], summary["created"], summary["failures"]
    step.http_p50_ms, step.late_p99_ms = summary["http_p50_ms"], summary["late_p99_ms"]
    if step.created != step.offered:
        failed = [r for r in step.records if r[3] != 201]
        step.failures.append(f"{len(failed)} requests not answered 201, e.g. {failed[0][3]}: {failed[0][4]}")
    for sample in samples:
        sample["door"] = door(step.records, sample["t"])
    start = step.records[0][0]
    held = [s for s in samples if start + 0.1 * seconds <= s["t"] <= step.records[-1][0]]
    for name in BACKLOGS:
        step.growth[name] = growth([(s["t"], s[name]) for s in held])
        step.peak[name] = max((s[name] for s in samples), default=0.0)
    for name in pipeline.services:
        step.rss_peak_mb[name] = max((s.get(f"{name} rss MB", 0.0) for s in samples), default=0.0)
    step.cpu_ms_per_complaint = {
        name: 1000 * (cpu_after[name] - cpu_before.get(name, 0.0)) / max(1, step.created) for name in cpu_after
    }
    step.drained_s = await drained(backlogs, time.time(), drain_cap_s)
    return step


def clearly_growing(step: Step, samples: list[dict[str, float]]) -> bool:
    elapsed = samples[-1]["t"] - samples[0]["t"]
    if elapsed < max(10.0, step.seconds / 3):
        return False
    held = [s for s in samples if s["t"] >= samples[0]["t"] + 0.1 * step.seconds]
    return any(
        growth([(s["t"], s[name]) for s in held]) > 3 * step.allowed_growth for name in BACKLOGS if name != "door"
    )


async def drained(backlogs: Backlogs, since: float, cap_s: float) -> float | None:
    """Seconds from `since` until every backlog is zero; None if not within `cap_s`."""
    while time.time() - since < cap_s:
        sample = await backlogs.sample()
        if all(sample[name] == 0 for name in BACKLOGS if name != "door"):
            return time.time() - since
        await asyncio.sleep(0.5)
    return None


async def capacity(
    pipeline: Pipeline, backlogs: Backlogs, steps: Sequence[int], seconds: float, spread: int, drain_cap_s: float
) -> tuple[Step | None, list[Step]]:
    """Step the rate up until a step is not flat, then try halfway back; the highest flat step and all steps."""
    tried: list[Step] = []
    passed: Step | None = None
    for rate in steps:
        step = await run_step(pipeline, backlogs, rate, seconds, spread, drain_cap_s)
        tried.append(step)
        if not step.flat:
            lower = passed.rate if passed else 0
            middle = round((lower + rate) / 2)
            if step.drained_s is not None and lower < middle < rate:
                again = await run_step(pipeline, backlogs, middle, seconds, spread, drain_cap_s)
                tried.append(again)
                passed = again if again.flat else passed
            break
        passed = step
    return passed, tried


async def case_letter_latencies(pipeline: Pipeline, step: Step, timeout: float) -> tuple[list[float], list[float]]:
    """For each complaint of the step: seconds from its 201 to the complainant's case letter, and to the
    acknowledgement letter (complaint.filed, which does not pass through the case service)."""
    answered = {r[4]: r[2] for r in step.records if r[3] == 201}
    connection = await asyncpg.connect(asyncpg_dsn(pipeline.databases.admin))
    try:
        deadline = time.monotonic() + timeout
        while True:
            rows = await connection.fetch(
                "SELECT complaint_id::text AS id, source_event_type AS type, extract(epoch FROM created_at) AS at "
                "FROM notifier.notifications WHERE recipient_role = 'complainant' AND complaint_id = ANY($1::uuid[])",
                list(answered),
            )
            case_letters = {r["id"]: float(r["at"]) for r in rows if r["type"] in CASE_LETTERS}
            if len(case_letters) == len(answered) or time.monotonic() > deadline:
                break
            await asyncio.sleep(1.0)
    finally:
        await connection.close()
    acknowledged = {r["id"]: float(r["at"]) for r in rows if r["type"] == "docket.complaint.filed"}
    return ([at - answered[c] for c, at in case_letters.items()], [at - answered[c] for c, at in acknowledged.items()])


async def warm_up(pipeline: Pipeline, backlogs: Backlogs, count: int) -> None:
    """A few complaints through the whole pipeline: every consumer has joined its group and every pool is
    open before anything is measured."""
    step = await run_step(pipeline, backlogs, max(5.0, count / 10), 10.0 if count > 50 else 2.0, CONTROLLERS, 120.0)
    case_letters, _ = await case_letter_latencies(pipeline, step, timeout=120.0)
    if len(case_letters) != step.created or not step.created:
        raise RuntimeError(
            f"warm-up: {len(case_letters)} case letters for {step.created} complaints; logs in {pipeline.root / 'logs'}"
        )


# --- the relay's wake-up ------------------------------------------------------------------------------------


async def relay_wakeup(databases: Databases, bootstrap: KafkaAccess, samples: int) -> tuple[list[float], list[float]]:
    """Seconds from an outbox row's commit to a consumer seeing it, the relay woken by LISTEN/NOTIFY (fallback
    poll 2 s); on a topic of its own, through intake's outbox, before intake runs. In turns with each: seconds from
    a bare idempotent producer (acks=all) sending a message on the same topic to the consumer seeing it."""
    await ensure_topics(bootstrap, [RELAY_TOPIC], 3)
    engine = make_engine(databases.intake, "intake")
    sessions = make_sessions(engine)
    notify = Notifications(databases.intake, "intake_outbox")
    publisher = KafkaPublisher(bootstrap, "bench-relay")
    relay = Relay(PostgresOutbox(sessions, "intake"), publisher, notify, poll_interval=2.0)
    bare = AIOKafkaProducer(**bootstrap.options(), enable_idempotence=True, acks="all")
    consumer = AIOKafkaConsumer(
        RELAY_TOPIC,
        **bootstrap.options(),
        group_id=f"bench-{uuid.uuid4()}",
        auto_offset_reset="latest",
        enable_auto_commit=False,
    )
    await consumer.start()
    await bare.start()
    task = asyncio.create_task(relay.run())

    async def seen(key: bytes) -> None:
        while not any(m.key == key for batch in (await consumer.getmany(timeout_ms=1000)).values() for m in batch):
            pass

    relayed, direct = [], []
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)
        for _ in range(samples):
            subject = str(uuid.uuid4())
            event = CloudEvent(
                type="docket.complaint.filed", source="/bench", subject=subject, dataschema="urn:bench", data={}
            )
            async with sessions() as session, session.begin():
                add_to_outbox(session, [event], RELAY_TOPIC)
                started = time.perf_counter()  # the commit follows
            await seen(subject.encode())
            relayed.append(time.perf_counter() - started)
            await asyncio.sleep(random.uniform(0.05, 0.25))  # arrivals independent of the relay's cycle
            key = uuid.uuid4().bytes
            started = time.perf_counter()
            await bare.send_and_wait(RELAY_TOPIC, b"{}", key=key)
            await seen(key)
            direct.append(time.perf_counter() - started)
            await asyncio.sleep(random.uniform(0.05, 0.25))
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await consumer.stop()
        await bare.stop()
        await publisher.close()
        await notify.close()
        await engine.dispose()
    return relayed, direct


# --- the figures --------------------------------------------------------------------------------------------


@dataclass
class Run:
    """What the pipeline showed with `copies` processes of each service."""

    copies: int
    idle_mb: dict[str, float]
    spread: Step | None
    spread_steps: list[Step]
    one: Step | None = None
    one_steps: list[Step] = field(default_factory=list)
    steady: Step | None = None
    to_case_letter_ms: list[float] = field(default_factory=list)
    to_acknowledgement_ms: list[float] = field(default_factory=list)

    @property
    def peak_mb(self) -> dict[str, float]:
        """The highest resident set of each service's processes under load (the largest copy)."""
        loaded = [*self.spread_steps, *self.one_steps, *([self.steady] if self.steady else [])]
        return {
            name: max((mb for s in loaded for key, mb in s.rss_peak_mb.items() if service_of(key) == name), default=0)
            for name in SERVICES
        }

    def cpu_ms(self) -> tuple[float, dict[str, float]]:
        """The rate of the highest flat step over 1,000 controllers (else the first tried) and the CPU milliseconds
        each part of the chain spent per complaint there: each service (its copies together), PostgreSQL (every
        process of it) and Kafka."""
        step = self.spread or self.spread_steps[0]
        per: dict[str, float] = {}
        for key, ms in step.cpu_ms_per_complaint.items():
            per[service_of(key)] = per.get(service_of(key), 0.0) + ms
        return step.rate, per


def service_of(process: str) -> str:
    """`intake-2` (a copy) is the intake service."""
    return process.split("-")[0]


async def observe(pipeline: Pipeline, plan: dict[str, Any], copies: int, *, whole: bool) -> Run:
    """Warm up, note memory idle, find the capacity over 1,000 controllers; `whole`: then into one controller's case,
    and the latency at a rate the pipeline keeps up with."""
    async with Backlogs(pipeline) as backlogs:
        await warm_up(pipeline, backlogs, plan["warmup"])
        await asyncio.sleep(5.0 if plan["hold_s"] > 10 else 1.0)
        idle: dict[str, float] = {}
        for key, pid in pipeline.pids().items():
            idle[service_of(key)] = max(idle.get(service_of(key), 0.0), psutil.Process(pid).memory_info().rss / 2**20)
        spread, spread_steps = await capacity(
            pipeline, backlogs, plan["steps"], plan["hold_s"], CONTROLLERS, plan["drain_cap_s"]
        )
        run = Run(copies, idle, spread, spread_steps)
        if not whole:
            return run
        run.one, run.one_steps = await capacity(
            pipeline, backlogs, plan["steps"], plan["hold_s"], 1, plan["drain_cap_s"]
        )
        # Latency at a rate the pipeline keeps up with: above its capacity it only measures how long the queue grew.
        rate = min(plan["latency_rate"], spread.rate if spread else plan["steps"][0] / 2)
        run.steady = await run_step(pipeline, backlogs, rate, plan["latency_s"], CONTROLLERS, plan["drain_cap_s"])
        to_case_letter, to_acknowledgement = await case_letter_latencies(pipeline, run.steady, timeout=60.0)
        run.to_case_letter_ms = [x * 1000 for x in to_case_letter]
        run.to_acknowledgement_ms = [x * 1000 for x in to_acknowledgement]
    return run


def assemble(single: Run, double: Run, plan: dict[str, Any], hold_s: float) -> list[Figure]:
    """The figures of one process of each service (as `make run` starts them), each beside its reference: the same
    with two processes of each, the other load, the letter that does not pass through the case service, memory
    idle."""
    assert single.steady is not None
    steady, ms, ack = single.steady, single.to_case_letter_ms, single.to_acknowledgement_ms
    rate = steady.rate
    complete = bool(ms) and len(ms) == steady.created and rate == plan["latency_rate"]
    latency_note = f"{len(ms):,} letters for {steady.created:,} complaints offered at {rate:g}/s over " + (
        f"{CONTROLLERS:,} controllers for {plan['latency_s']:.0f} s"
        + ("" if rate == plan["latency_rate"] else f" (not {plan['latency_rate']}/s: the pipeline does not keep up)")
    )
    ack_reference = "the complainant's acknowledgement letter (complaint.filed: intake → notifier, no case service)"
    figures = [
        capacity_figure(
            "complaints spread over 1,000 controllers, one process of each service",
            single.spread,
            single.spread_steps,
            hold_s,
            "the same, two processes of each service sharing its port",
            double.spread,
        ),
        capacity_figure(
            f"all into one controller's case ({ONE_CONTROLLER}), one process of each service",
            single.one,
            single.one_steps,
            hold_s,
            "spread over 1,000 controllers, same processes",
            single.spread,
        ),
        Figure(
            measure="whole pipeline: end-to-end latency p50, POST /complaints answered → complainant's case "
            f"letter recorded, at {rate:g}/s",
            value=statistics.median(ms) if ms else 0.0,
            unit="ms",
            reference=ack_reference,
            reference_value=statistics.median(ack) if ack else None,
            higher_is_better=False,
            notes=latency_note,
        ),
        Figure(
            measure="whole pipeline: end-to-end latency p99, same run",
            value=quantile(ms, 0.99),
            unit="ms",
            reference=ack_reference,
            reference_value=quantile(ack, 0.99) if ack else None,
            target=f"<= {P99_TARGET_MS:.0f} ms at {plan['latency_rate']}/s",
            met=complete and quantile(ms, 0.99) <= P99_TARGET_MS,
            higher_is_better=False,
            notes=f"max {max(ms or [0.0]):,.0f} ms",
        ),
    ]
    (single_rate, single_cpu), (double_rate, double_cpu) = single.cpu_ms(), double.cpu_ms()
    for part in [*SERVICES, "postgres", "kafka", "the whole chain"]:
        chain = part == "the whole chain"
        value = sum(single_cpu.values()) if chain else single_cpu.get(part, 0.0)
        reference = sum(double_cpu.values()) if chain else double_cpu.get(part)
        if not value:
            continue
        figures.append(
            Figure(
                measure=f"CPU per complaint: {part}, one process of each service, at {single_rate:g}/s over "
                f"{CONTROLLERS:,} controllers",
                value=value,
                unit="ms",
                reference=f"the same, two processes of each service, at {double_rate:g}/s",
                reference_value=reference or None,
                target=f"<= {CPU_TARGET_MS:g} ms" if chain else "",
                met=value <= CPU_TARGET_MS if chain else None,
                higher_is_better=False,
                notes="user and system time of its processes over the step, per complaint answered 201"
                + (f": {', '.join(f'{k} {v:.1f}' for k, v in single_cpu.items())}" if chain else ""),
            )
        )
    peak = single.peak_mb
    for name in SERVICES:
        figures.append(
            Figure(
                measure=f"resident memory of the {name} service under load (highest seen), one process",
                value=peak[name],
                unit="MB",
                reference="the same process idle, after a warm-up",
                reference_value=single.idle_mb[name],
                target=f"<= {RSS_TARGET_MB:.0f} MB",
                met=peak[name] <= RSS_TARGET_MB,
                higher_is_better=False,
            )
        )
    return figures


def capacity_figure(
    load: str,
    passed: Step | None,
    tried: list[Step],
    hold_s: float,
    reference: str | None = None,
    reference_step: Step | None = None,
) -> Figure:
    failed = next((s for s in tried if not s.flat), None)
    why = ""
    if failed is not None:
        reasons = [f"{name} grew by {failed.growth[name]:,.0f}" for name in failed.grew]
        reasons += failed.failures[:1] + ([] if failed.drained_s is not None else ["did not drain"])
        if failed.cut_short_after_s is not None:
            reasons.append(f"offer ended after {failed.cut_short_after_s:.0f} s")
        why = f"; at {failed.rate:g}/s: " + ", ".join(reasons)
    value = passed.rate if passed else 0.0
    return Figure(
        measure=f"whole pipeline: highest offered rate with every backlog flat for {hold_s:.0f} s, {load}",
        value=value,
        unit="complaints/s",
        reference=reference,
        reference_value=(reference_step.rate if reference_step else 0.0) if reference else None,
        target=f">= {CAPACITY_TARGET}/s",
        met=value >= CAPACITY_TARGET,
        notes=f"steps tried: {', '.join(f'{s.rate:g}' + ('' if s.flat else ' (not flat)') for s in tried)}{why}",
        extra={"steps": [s.brief() for s in tried]},
    )


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def figures(small: bool, keep: Path | None = None) -> list[Figure]:
    """Every figure of this module (small: a few seconds at low rates, to check that it runs): one process of each
    service, then two of each on the same database and broker."""
    plan = SMALL if small else FULL
    with contextlib.ExitStack() as stack:
        root = keep or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="docket-bench-")))
        pg, kafka, databases = stack.enter_context(infrastructure(root))
        relayed, direct = asyncio.run(relay_wakeup(databases, kafka.admin, plan["relay_samples"]))
        with services(pg, kafka, databases, root, copies=1) as pipeline:
            single = asyncio.run(observe(pipeline, plan, 1, whole=True))
        with services(pg, kafka, databases, root, copies=2) as pipeline:
            double = asyncio.run(observe(pipeline, plan, 2, whole=False))
    found = assemble(single, double, plan, plan["hold_s"])
    found[0].extra |= {"two_processes_steps": [s.brief() for s in double.spread_steps]}
    found[2].extra = {"latency_step": single.steady.brief() if single.steady else None}
    ms, bare = sorted(x * 1000 for x in relayed), sorted(x * 1000 for x in direct)
    found.append(
        Figure(
            measure=f"relay: outbox commit → consumer, LISTEN/NOTIFY (fallback poll 2 s), p50 of {len(ms)}",
            value=statistics.median(ms),
            unit="ms",
            reference="a bare idempotent producer (acks=all) sending to the same topic → consumer, in turns",
            reference_value=statistics.median(bare),
            higher_is_better=False,
            notes=f"p95 {quantile(ms, 0.95):.1f} ms (bare {quantile(bare, 0.95):.1f}), max {ms[-1]:.1f} ms",
        )
    )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    offering = sub.add_parser("offer", help="the load generator: POST at a fixed rate to 127.0.0.1:PORT")
    offering.add_argument("--port", type=int, required=True)
    offering.add_argument("--rate", type=float, required=True)
    offering.add_argument("--seconds", type=float, required=True)
    offering.add_argument("--spread", type=int, default=CONTROLLERS, help="controllers (1: all against one)")
    offering.add_argument("--out", type=Path, required=True)
    parser.add_argument("--small", action="store_true", help="a few seconds at low rates")
    parser.add_argument("--keep", type=Path, help="keep the database, the broker and the services' logs here")
    args = parser.parse_args()
    if args.command == "offer":
        print(json.dumps(asyncio.run(offer(args.port, args.rate, args.seconds, args.spread, args.out))))
        return
    found = figures(args.small, args.keep)
    print(markdown(found))
    print(json.dumps({f.measure: f.extra for f in found if f.extra}, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
