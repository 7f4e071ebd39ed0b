"""The command line every service shares: `serve` (API, relay, consumer), `relay` alone, `migrate`,
`wait-for-migrations [--schemas-only]`, `wait-for-kafka`, and `outbox parked | resend ID...|--all` for the rows
the broker refused for good.

`serve` and `relay` stop gracefully on SIGTERM (and SIGINT): requests in flight are answered, then the runtime
stops its parts in order (service.py). The process exits 0 when every part finished within its grace period,
1 when one had to be cancelled."""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import signal
import socket
import sys
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeVar

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_messaging.access import KafkaAccess
from docket_messaging.failures import describe
from docket_messaging.kafka import wait_for_topics
from docket_messaging.outbox import ParkedRow, PostgresOutbox

from .database import at_head, make_engine, make_sessions, migrate
from .logs import configure_logging
from .runtime import Migration, ServiceRuntime
from .settings import ServiceSettings

log = logging.getLogger(__name__)

S = TypeVar("S", bound=ServiceSettings)
STARTUP_FAILURE = 3  # the status uvicorn exits with when the app did not start
# Reading only, what a one-off task has left to do: nothing once it has run.
Left = Callable[[async_sessionmaker[AsyncSession]], Awaitable[Sequence[str]]]


def no_more_migrations(settings: ServiceSettings) -> Sequence[Migration]:
    return ()


def main(
    settings_type: type[S],
    create_app: Callable[[S], FastAPI],
    alembic_ini: Path,
    *,
    name: str,
    produces: str,
    also_produces: Sequence[str] = (),
    migrations: Callable[[S], Sequence[Migration]] = no_more_migrations,
    argv: list[str] | None = None,
    tasks: Mapping[str, Callable[[S], Coroutine[Any, Any, None]]] | None = None,
    awaited: Mapping[str, Left] | None = None,
) -> None:
    """`migrations` are further histories the service applies (the key store's); `tasks` further one-off
    commands of the service, e.g. rebuilding its projections. `awaited` names the tasks a release runs once,
    after the migrations and before the service serves, each with what it has left to do: `wait-for-migrations`
    waits until that is nothing (`--schemas-only` waits for the schemas alone, before such a task). Settings are
    read from the environment only once the arguments are understood, so `--help` works without any."""
    tasks, awaited = tasks or {}, awaited or {}
    argv = sys.argv[1:] if argv is None else argv
    prog = f"python -m services.{name}"
    if argv[:1] == ["outbox"]:
        outbox_parser(f"{prog} outbox").parse_args(argv[1:])  # --help and bad arguments stop here
        settings = read_settings(settings_type, prog)
        configure_logging(name, settings.log_format, "WARNING")  # the table is the output; only trouble is logged
        raise SystemExit(asyncio.run(outbox_command(settings, argv[1:], prog=f"{prog} outbox")))
    parser = argparse.ArgumentParser(
        prog=prog,
        description=f"Docket's {name} service. Settings come from the environment (README, Configuration).",
        epilog="outbox parked | outbox resend ID...|--all: the outbox rows the "
        "broker refused for good, and sending them again once fixed",
    )
    parser.add_argument(
        "command",
        choices=["serve", "relay", "migrate", "wait-for-migrations", "wait-for-kafka", *tasks],
        nargs="?",
        default="serve",
    )
    parser.add_argument(
        "--schemas-only",
        action="store_true",
        help="with wait-for-migrations: wait for the schemas alone, not for the tasks run before serving "
        "(what such a task waits for before it runs)",
    )
    args = parser.parse_args(argv)
    if args.schemas_only and args.command != "wait-for-migrations":
        parser.error("--schemas-only goes with wait-for-migrations")
    settings = read_settings(settings_type, prog)
    logging_config = configure_logging(name, settings.log_format, settings.log_level)
    if args.command == "serve":
        serve(create_app(settings), settings, logging_config)
    elif args.command == "migrate":
        migrate(alembic_ini, settings.migration_database_url or settings.database_url, settings.database_schema)
        for extra in migrations(settings):
            migrate(extra.alembic_ini, extra.database_url, extra.schema)
    elif args.command == "wait-for-migrations":  # read with the service's own role, not the owner's
        asyncio.run(
            wait_for_migrations(
                [Migration(alembic_ini, settings.database_url, settings.database_schema), *migrations(settings)]
            )
        )
        if not args.schemas_only:
            commands = {f"{prog} {task}": left for task, left in awaited.items()}
            asyncio.run(wait_for_tasks(commands, settings.database_url, settings.database_schema))
    elif args.command == "wait-for-kafka":
        # signed in as the service's own client: its token is taken, and its topics and ACLs are in place
        asyncio.run(wait_for_topics(kafka_access(settings, prog), [produces, *also_produces]))
    elif args.command in tasks:
        asyncio.run(tasks[args.command](settings))
    else:  # the relay alone: no consumer, no workers, no key store
        relay_only = settings.model_copy(update={"run_consumer": False, "run_relay": True})
        runtime = ServiceRuntime(
            name=name, settings=relay_only, alembic_ini=alembic_ini, produces=produces, also_produces=also_produces
        )
        asyncio.run(_run_until_stopped(runtime))
        raise SystemExit(0 if runtime.stopped_cleanly else 1)


def serve(app: FastAPI, settings: ServiceSettings, logging_config: dict[str, Any]) -> None:
    """Serve until SIGTERM or SIGINT. uvicorn then stops taking connections, waits up to SHUTDOWN_GRACE_S for
    the requests in flight, runs the lifespan's exit (the runtime's stop), and raises the signal again for the
    handler it found in place: this one, which ends the process with the stop's outcome."""

    def stopped(signum: int, frame: object) -> None:
        runtime: ServiceRuntime | None = getattr(app.state, "runtime", None)
        raise SystemExit(0 if runtime is None or runtime.stopped_cleanly else 1)

    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, stopped)
    server = uvicorn.Server(
        uvicorn_config(app, settings, logging_config)
    )  # what uvicorn.run does for one process, with the socket ours to make
    server.run(sockets=[shared_socket(settings.http_host, settings.http_port)] if settings.http_reuse_port else None)
    if not server.started:
        raise SystemExit(STARTUP_FAILURE)


def uvicorn_config(
    app: FastAPI, settings: ServiceSettings, logging_config: dict[str, Any] | None = None
) -> uvicorn.Config:
    """How `serve` runs the app: on HTTP_HOST:HTTP_PORT, over HTTPS when HTTP_TLS_CERTFILE is set."""
    return uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_level=settings.log_level.lower(),
        log_config=logging_config,
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_s),
        proxy_headers=False,  # the app reads X-Forwarded-For itself, from TRUSTED_PROXIES only (limits.ClientAddress)
        ssl_certfile=settings.http_tls_certfile or None,
        ssl_keyfile=settings.http_tls_keyfile or None,
    )


def shared_socket(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` that other processes may bind too (SO_REUSEPORT): each listens on its own,
    and the kernel gives each new connection to one of them."""
    shared = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    shared.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    shared.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    shared.bind((host, port))
    return shared


async def wait_for_migrations(histories: Sequence[Migration], interval_s: float = 2.0) -> None:
    """Return once every history is at its head: before a service starts where a one-off job migrates (the
    init container of deploy/k8s). A database not up yet, or not yet migrated, is waited for; each wait is
    logged with its reason."""
    for history in histories:
        while True:
            try:
                if await at_head(history.alembic_ini, history.database_url, history.schema):
                    break
                reason = "not at the head of its history yet"
            except (OSError, SQLAlchemyError) as exc:
                reason = describe(exc)
            log.info("waiting for the schema %s: %s", history.schema, reason)
            await asyncio.sleep(interval_s)
        log.info("the schema %s is migrated", history.schema)


def kafka_access(settings: ServiceSettings, prog: str) -> KafkaAccess:
    """The service's way into Kafka; a setting missing for it ends the command with exit status 2."""
    try:
        return settings.kafka()
    except ValueError as exc:
        sys.stderr.write(f"{prog}: {exc}\n")
        raise SystemExit(2) from None


async def wait_for_tasks(tasks: Mapping[str, Left], database_url: str, schema: str, interval_s: float = 2.0) -> None:
    """Return once no task (by its command) has anything left to do: before a service serves where a one-off
    job runs the task after the migrations (deploy/k8s). Each wait is logged with what is left, or why that cannot
    be told yet; the checks only read."""
    engine = make_engine(database_url, schema)
    try:
        sessions = make_sessions(engine)
        for command, left in tasks.items():
            while True:
                try:
                    if not (undone := await left(sessions)):
                        break
                    reason = f"not done yet in {', '.join(undone)}"
                except (OSError, SQLAlchemyError) as exc:
                    reason = describe(exc)
                log.info("waiting for `%s`: %s", command, reason)
                await asyncio.sleep(interval_s)
            log.info("`%s` has nothing left to do", command)
    finally:
        await engine.dispose()


def read_settings(settings_type: type[S], prog: str) -> S:
    """The service's settings from the environment; a missing or invalid one ends the command with exit
    status 2 and a line per setting naming it and why, never its value."""
    try:
        return settings_type()
    except ValidationError as exc:
        problems = [
            f"  {'.'.join(map(str, error['loc'])).upper() or '(settings)'}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)
        ]
        sys.stderr.write(f"{prog}: settings missing or invalid in the environment:\n" + "\n".join(problems) + "\n")
        raise SystemExit(2) from None


def outbox_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Outbox rows the broker refused for good (parked), and the rows of the same key held behind them.",
    )
    commands = parser.add_subparsers(dest="action", required=True)
    commands.add_parser("parked", help="list the parked rows: id, key, type, reason, since when, rows held")
    resend = commands.add_parser(
        "resend",
        help="unpark rows once the cause is fixed; the relay sends them, and "
        "the rows held behind them, in their original order",
    )
    chosen = resend.add_mutually_exclusive_group(required=True)
    chosen.add_argument("ids", nargs="*", type=int, default=[], metavar="ID")
    chosen.add_argument("--all", action="store_true", help="every parked row")
    return parser


async def outbox_command(
    settings: ServiceSettings, argv: Sequence[str], *, out: TextIO | None = None, prog: str = "outbox"
) -> int:
    """`parked` or `resend`, against the service's own schema with its own role; returns the exit status
    (1 when an id given to `resend` was not a parked row)."""
    args = outbox_parser(prog).parse_args(list(argv))
    out = out or sys.stdout
    engine = make_engine(settings.database_url, settings.database_schema)
    try:
        outbox = PostgresOutbox(make_sessions(engine), settings.database_schema)
        if args.action == "parked":
            out.write(parked_table(await outbox.parked()))
            return 0
        wanted = None if args.all else sorted(set(args.ids))
        unparked = await outbox.resend(wanted)
        if unparked:
            out.write(
                f"unparked {len(unparked)} row(s): {', '.join(map(str, unparked))}; the relay sends them and "
                f"the rows held behind them, in order\n"
            )
        else:
            out.write("nothing to resend\n")
        missing = sorted(set(wanted or ()) - set(unparked))
        if missing:
            out.write(f"not parked (already published, or no such row): {', '.join(map(str, missing))}\n")
            return 1
        return 0
    finally:
        await engine.dispose()


def parked_table(rows: Sequence[ParkedRow]) -> str:
    """The parked rows as an aligned table with a total, or a sentence saying there are none."""
    if not rows:
        return "no parked outbox rows\n"
    header = ("id", "key", "type", "parked since", "held", "reason")
    lines = [(str(r.id), r.key, r.type, r.parked_at.isoformat(timespec="seconds"), str(r.held), r.reason) for r in rows]
    widths = [max(len(line[i]) for line in (header, *lines)) for i in range(len(header) - 1)]
    text = [
        "  ".join([*(cell.ljust(width) for cell, width in zip(line, widths, strict=False)), line[-1]]).rstrip()
        for line in (header, *lines)
    ]
    held = sum(r.held for r in rows)
    text.append(f"{len(rows)} parked row(s), {held} row(s) held behind them")
    return "\n".join(text) + "\n"


async def _run_until_stopped(runtime: ServiceRuntime) -> None:
    """Run the runtime until SIGTERM or SIGINT, then stop it gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with runtime:
        await stop.wait()
