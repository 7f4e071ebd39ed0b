"""Intake's public door under load, beside the bare stack it runs on.

    python -m bench.intake [--small] [--count N] [--concurrency N] [--rounds N]

Starts its own PostgreSQL (durable: fsync and synchronous commit on), migrates intake and the key store,
and serves, each as a process of its own under uvicorn as `serve` runs it (same host, same log
configuration, one worker):

- intake itself (`python -m services.intake serve`), with its own database role and the key store; no relay
  and no consumer (Kafka plays no part in filing), and the rate limit raised so that it does not throttle
  the one client address the load comes from (the limiter still runs on every request);
- a bare FastAPI app: the same body model (`ComplaintIn`) validated, one asyncpg INSERT into a table like
  intake's (`LIKE intake.complaints INCLUDING ALL`), 201 with the id.

A load generator, a process of its own (raw HTTP/1.1 over keep-alive connections on loopback, so that the
client costs little of the two servers' CPU), posts a distinct submission per request, `concurrency` at a
time, at most `count` of them and for at most TIME_CAP_S. After a warm-up of each, the two are measured in
turns, `rounds` times; the figure is the median of each, and after every intake round the rows and outbox
rows committed are counted against the 201s answered. Beside the rates, `extra` gives the CPU milliseconds
each server, and PostgreSQL, spent per request (from the processes' own counters): on a busy machine the
rates swing with whatever else runs, the CPU a request costs much less.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import psutil
from fastapi import FastAPI, status

from docket_devstack.database import Databases, provision
from docket_devstack.kafka import REPO_ROOT
from docket_devstack.ports import free_port
from docket_devstack.postgres import EmbeddedPostgres
from docket_devstack.processes import ServiceProcess, service_env
from docket_messaging.postgres import asyncpg_dsn
from docket_privacy.settings import KEYSTORE_ALEMBIC_INI
from docket_service.database import migrate
from services.intake.api.filing import ComplaintIn
from services.intake.domain import new_reference
from services.intake.main import ALEMBIC_INI as INTAKE_INI

from .report import Figure, markdown

MEASURE = (
    "intake: durable submissions per second (HTTP, validation, row and outbox committed), {concurrency} concurrent"
)
REFERENCE = "a bare FastAPI route validating the same body with one asyncpg INSERT, same server"
TARGET_RATIO = 0.35
TIME_CAP_S = 60.0
START_TIMEOUT_S = 60.0
# No client is throttled by the limiter in the benchmark: every request comes from 127.0.0.1.
UNTHROTTLED = {"RATE_LIMIT_PER_MINUTE": "100000000", "RATE_LIMIT_BURST": "100000000"}
NOWHERE = "127.0.0.1:9"  # Kafka and the identity provider: not reached by POST /complaints

BARE_TABLE = (
    "CREATE SCHEMA IF NOT EXISTS bare; CREATE TABLE IF NOT EXISTS bare.complaints "
    "(LIKE intake.complaints INCLUDING ALL)"
)


# --- the bare reference ------------------------------------------------------------------------------------


def bare_app() -> FastAPI:
    """FastAPI, ComplaintIn validated, one INSERT on a pooled asyncpg connection (BARE_DSN, BARE_POOL_SIZE)."""
    dsn, size = os.environ["BARE_DSN"], int(os.environ.get("BARE_POOL_SIZE", "10"))
    insert = (
        "INSERT INTO bare.complaints (id, reference, status_token_digest, kind, mandate_reference, "
        "complainant_name, complainant_email, complainant_country, controller_key, controller_name, "
        "controller_country, controller_website, category, articles_alleged, territory, narrative, "
        "received_on, status) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13, "
        "$14::jsonb, $15::jsonb, $16::jsonb, $17, 'received')"
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=size, max_size=size)
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/complaints", status_code=status.HTTP_201_CREATED)
    async def file_complaint(body: ComplaintIn) -> dict[str, str]:
        received_on = body.received_on or datetime.now(UTC).date()
        complaint_id, reference = uuid.uuid4(), new_reference(received_on.year)
        await app.state.pool.execute(
            insert,
            complaint_id,
            reference,
            secrets.token_hex(32),
            body.kind,
            body.mandate_reference,
            json.dumps(body.complainant.name),
            json.dumps(body.complainant.email),
            body.complainant.country,
            body.controller.name.lower(),
            body.controller.name,
            body.controller.country,
            body.controller.website,
            body.category,
            json.dumps(body.articles_alleged),
            json.dumps(body.territory),
            json.dumps(body.narrative),
            received_on,
        )
        return {"id": str(complaint_id), "reference": reference}

    return app


def serve_bare(port: int) -> None:
    """The bare app under uvicorn exactly as `python -m services.<name> serve` runs a service."""
    import uvicorn

    from docket_service.logs import configure_logging

    logging_config = configure_logging("bare", "json", "INFO")
    uvicorn.run(bare_app(), host="127.0.0.1", port=port, log_level="info", log_config=logging_config)


# --- the load generator ------------------------------------------------------------------------------------


def submission(n: int, run: str) -> dict[str, Any]:
    """A distinct, valid submission (intake files each one: nothing deduplicates without Idempotency-Key)."""
    return {
        "kind": "art77_complaint",
        "complainant": {"name": f"Jeanne Martin {run}-{n}", "email": f"jeanne.{n}@example.org", "country": "FR"},
        "controller": {"name": "Clearview AI", "country": "US", "website": "clearview.ai"},
        "category": "access_request_ignored",
        "articles_alleged": [6, 12, 15, 17],
        "territory": ["FR", "BE"],
        "narrative": f"Submission {n} of run {run}. I asked Clearview AI on 2 May 2020 for a copy of my data and "
        f"for its erasure; it never answered. It scraped my photos from public profiles and keeps "
        f"them in a database it sells access to. {'Details follow. ' * 8}",
    }


def request_bytes(port: int, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST /complaints HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    return head + payload


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    code = int(lines[0].split(" ", 2)[1])
    length = next(
        (int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:")), None
    )
    if length is None:
        raise RuntimeError(f"no Content-Length in the answer: {lines[0]}")
    return code, await reader.readexactly(length)


async def load(port: int, count: int, concurrency: int, time_cap: float) -> dict[str, Any]:
    """Post `count` distinct submissions to 127.0.0.1:`port`, `concurrency` at a time, for at most `time_cap`
    seconds; the rate counts 201s only."""
    run = secrets.token_hex(4)
    requests = [request_bytes(port, submission(n, run)) for n in range(count)]  # built before the clock starts
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    first_failure: list[str] = []
    next_index = 0
    deadline = 0.0

    async def worker() -> None:
        nonlocal next_index
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while next_index < count and time.perf_counter() < deadline:
            request = requests[next_index]
            next_index += 1
            began = time.perf_counter()
            try:
                connection = connection or await asyncio.open_connection("127.0.0.1", port)
                code, body = await _exchange(*connection, request)
            except (OSError, asyncio.IncompleteReadError) as exc:  # counted, and a new connection for the next
                code, body = 0, repr(exc).encode()
                if connection is not None:
                    connection[1].close()
                connection = None
            latencies.append(time.perf_counter() - began)
            statuses[code] = statuses.get(code, 0) + 1
            if code != 201 and not first_failure:
                first_failure.append(f"{code}: {body[:300].decode(errors='replace')}")
        if connection is not None:
            connection[1].close()

    started = time.perf_counter()
    deadline = started + time_cap
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ms = sorted(x * 1000 for x in latencies) or [0.0]
    return {
        "created": statuses.get(201, 0),
        "sent": sum(statuses.values()),
        "statuses": statuses,
        "elapsed_s": elapsed,
        "per_s": statuses.get(201, 0) / elapsed,
        "p50_ms": statistics.median(ms),
        "p99_ms": ms[min(len(ms) - 1, int(len(ms) * 0.99))],
        "first_failure": first_failure[:1],
    }


def run_load(port: int, count: int, concurrency: int, time_cap: float = TIME_CAP_S) -> dict[str, Any]:
    """The load generator in a process of its own (it must not share a core's time with the caller)."""
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "libs")])}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.intake",
            "load",
            "--port",
            str(port),
            "--count",
            str(count),
            "--concurrency",
            str(concurrency),
            "--time-cap",
            str(time_cap),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=time_cap + 60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# --- the two servers ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def bare_server(databases: Databases, logs: Path, pool_size: int) -> Iterator[tuple[int, int]]:
    port = free_port()
    env = os.environ | {
        "BARE_DSN": asyncpg_dsn(databases.admin),
        "BARE_POOL_SIZE": str(pool_size),
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "libs")]),
    }
    with open(logs / "bare.log", "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.intake", "bare", "--port", str(port)],
            env=env,
            cwd=REPO_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield wait_serving(port, process, logs / "bare.log"), process.pid
    finally:
        stop(process)


@contextlib.contextmanager
def intake_server(databases: Databases, logs: Path, extra: dict[str, str]) -> Iterator[tuple[int, int]]:
    port = free_port()
    master_keys = "bench:" + base64.b64encode(secrets.token_bytes(32)).decode()
    env = service_env(
        "intake",
        databases,
        {"KAFKA_BOOTSTRAP_SERVERS": NOWHERE, "KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"},  # neither relay nor consumer
        f"http://{NOWHERE}/realms/unused",
        master_keys,
        port,
        {"RUN_RELAY": "false", "RUN_CONSUMER": "false", **UNTHROTTLED, **extra},
    )
    process = ServiceProcess("intake", port, env, logs / "intake.log")
    process.start()
    try:
        assert process.process is not None
        yield wait_serving(port, process.process, process.log), process.process.pid
    finally:
        process.stop()


def wait_serving(port: int, process: subprocess.Popen[bytes], log: Path) -> int:
    """Wait for /healthz: uvicorn answers only once the app's lifespan has started."""
    import httpx

    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code in (200, 404):
                return port
        time.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not start in {START_TIMEOUT_S:.0f}s")


def stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def cpu_seconds(pid: int, with_children: bool = False) -> dict[int, float]:
    """CPU seconds (user and system) used so far by the process `pid` (and its children), per process."""
    process = psutil.Process(pid)
    used = {}
    for each in [process, *(process.children(recursive=True) if with_children else [])]:
        with contextlib.suppress(psutil.Error):
            times = each.cpu_times()
            used[each.pid] = times.user + times.system
    return used


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two readings (by the processes still there at the second)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


async def committed(admin_url: str) -> tuple[int, int]:
    """Complaints and complaint.filed outbox rows intake has committed so far (a filing at the public door also
    adds the complaint.address_code_issued before it)."""
    connection = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        return (
            await connection.fetchval("SELECT count(*) FROM intake.complaints"),
            await connection.fetchval("SELECT count(*) FROM intake.outbox WHERE type = 'docket.complaint.filed'"),
        )
    finally:
        await connection.close()


# --- the figure --------------------------------------------------------------------------------------------


def measure(
    databases: Databases,
    logs: Path,
    postmaster: int,
    *,
    count: int,
    concurrency: int,
    rounds: int,
    warmup: int,
    intake_env: dict[str, str],
    bare_pool: int,
) -> Figure:
    runs: dict[str, list[dict[str, Any]]] = {"intake": [], "bare": []}
    with intake_server(databases, logs, intake_env) as intake, bare_server(databases, logs, bare_pool) as bare:
        servers = {"intake": intake, "bare": bare}
        for port, _ in servers.values():
            run_load(port, warmup, concurrency)
        for _ in range(rounds):
            for name, (port, pid) in servers.items():
                rows_before = asyncio.run(committed(databases.admin))
                cpu_before = cpu_seconds(pid), cpu_seconds(postmaster, with_children=True)
                result = run_load(port, count, concurrency)
                cpu_after = cpu_seconds(pid), cpu_seconds(postmaster, with_children=True)
                rows_after = asyncio.run(committed(databases.admin))
                result["server_cpu_ms"] = 1000 * cpu_used(cpu_before[0], cpu_after[0]) / max(result["sent"], 1)
                result["postgres_cpu_ms"] = 1000 * cpu_used(cpu_before[1], cpu_after[1]) / max(result["sent"], 1)
                runs[name].append(result)
                if name == "intake":
                    rows, outbox = rows_after[0] - rows_before[0], rows_after[1] - rows_before[1]
                    if not rows == outbox == result["created"]:
                        raise RuntimeError(
                            f"{result['created']} complaints answered 201 but {rows} rows and "
                            f"{outbox} outbox rows committed"
                        )
    intake_rate = statistics.median(r["per_s"] for r in runs["intake"])
    bare_rate = statistics.median(r["per_s"] for r in runs["bare"])
    failures = [r for r in [*runs["intake"], *runs["bare"]] if r["created"] != r["sent"] or r["sent"] < count]
    ratio = intake_rate / bare_rate if bare_rate else 0.0
    return Figure(
        measure=MEASURE.format(concurrency=concurrency),
        value=intake_rate,
        unit="/s",
        reference=REFERENCE,
        reference_value=bare_rate,
        target=f"ratio >= {TARGET_RATIO}",
        met=ratio >= TARGET_RATIO and not failures,
        notes=(
            f"median of {rounds} rounds of {count:,} distinct submissions each, taken in turns after a warm-up "
            f"of {warmup}; keep-alive HTTP/1.1 on loopback; PostgreSQL durable (fsync, synchronous commit); "
            f"intake without relay or consumer, its rate limit raised (one client address)"
        ),
        extra={
            "count": count,
            "concurrency": concurrency,
            "rounds": rounds,
            **{name: [_brief(r) for r in found] for name, found in runs.items()},
            "cpu_ms_per_request": {
                name: {
                    part: round(statistics.median(r[f"{part}_cpu_ms"] for r in found), 2)
                    for part in ("server", "postgres")
                }
                for name, found in runs.items()
            },
            "failures": [r["first_failure"] for r in failures],
        },
    )


def _brief(run: dict[str, Any]) -> dict[str, Any]:
    return {
        "per_s": round(run["per_s"], 1),
        "created": run["created"],
        "sent": run["sent"],
        "p50_ms": round(run["p50_ms"], 1),
        "p99_ms": round(run["p99_ms"], 1),
        "statuses": run["statuses"],
    }


def figures(small: bool) -> list[Figure]:
    """The intake figure: 2,000 submissions a round, three rounds (small: 200, one round)."""
    count, rounds, warmup = (200, 1, 50) if small else (2_000, 3, 300)
    return [run(count=count, concurrency=32, rounds=rounds, warmup=warmup)]


def run(
    *,
    count: int,
    concurrency: int,
    rounds: int,
    warmup: int,
    intake_env: dict[str, str] | None = None,
    keep: Path | None = None,
) -> Figure:
    with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp:
        root = keep or Path(tmp)
        logs = root / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with EmbeddedPostgres(root / "pg") as pg:
            databases = provision(pg, "bench")
            migrate(INTAKE_INI, databases.migrator, "intake")
            migrate(KEYSTORE_ALEMBIC_INI, databases.migrator, "keystore")
            pg.psql("bench", BARE_TABLE)
            postmaster = int((root / "pg" / "postmaster.pid").read_text().split()[0])
            return measure(
                databases,
                logs,
                postmaster,
                count=count,
                concurrency=concurrency,
                rounds=rounds,
                warmup=warmup,
                intake_env=intake_env or {},
                bare_pool=10,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    bare = sub.add_parser("bare", help="serve the bare reference app (BARE_DSN)")
    bare.add_argument("--port", type=int, required=True)
    loader = sub.add_parser("load", help="the load generator; prints its result as JSON")
    loader.add_argument("--port", type=int, required=True)
    for p in (parser, loader):
        p.add_argument("--count", type=int, default=2_000)
        p.add_argument("--concurrency", type=int, default=32)
    loader.add_argument("--time-cap", type=float, default=TIME_CAP_S)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--small", action="store_true", help="200 submissions, one round")
    parser.add_argument("--keep", type=Path, help="keep the database and the servers' logs in this directory")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="a further setting of the intake process"
    )
    args = parser.parse_args()
    if args.command == "bare":
        serve_bare(args.port)
    elif args.command == "load":
        print(json.dumps(asyncio.run(load(args.port, args.count, args.concurrency, args.time_cap))))
    else:
        if args.small:
            args.count, args.rounds, args.warmup = 200, 1, 50
        figure = run(
            count=args.count,
            concurrency=args.concurrency,
            rounds=args.rounds,
            warmup=args.warmup,
            intake_env=dict(item.split("=", 1) for item in args.env),
            keep=args.keep,
        )
        print(markdown([figure]))
        print(json.dumps(figure.extra, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
