"""The command line every service shares: `serve` (API, relay, consumer), `relay` alone, `migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import uvicorn
from fastapi import FastAPI

from .database import migrate
from .service import Migration, ServiceRuntime, ServiceSettings


S = TypeVar("S", bound=ServiceSettings)


def no_more_migrations(settings: ServiceSettings) -> Sequence[Migration]:
    return ()


def main(settings: S, create_app: Callable[[S], FastAPI], alembic_ini: Path, *, name: str, produces: str,
         migrations: Callable[[S], Sequence[Migration]] = no_more_migrations, argv: list[str] | None = None,
         tasks: Mapping[str, Callable[[S], Awaitable[None]]] | None = None) -> None:
    """`migrations` are further histories the service applies (the key store's); `tasks` further one-off
    commands of the service, e.g. rebuilding its projections."""
    tasks = tasks or {}
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["serve", "relay", "migrate", *tasks], nargs="?", default="serve")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_level="info")
    elif args.command == "migrate":
        migrate(alembic_ini, settings.database_url, settings.database_schema)
        for extra in migrations(settings):
            migrate(extra.alembic_ini, extra.database_url, extra.schema)
    elif args.command in tasks:
        asyncio.run(tasks[args.command](settings))
    else:  # the relay alone: no consumer, no workers, no key store
        relay_only = settings.model_copy(update={"run_consumer": False, "run_relay": True})
        asyncio.run(_run_forever(ServiceRuntime(name=name, settings=relay_only, alembic_ini=alembic_ini,
                                                produces=produces)))


async def _run_forever(runtime: ServiceRuntime) -> None:
    async with runtime:
        await asyncio.Event().wait()
