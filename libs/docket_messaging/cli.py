"""The command line every service shares: `serve` (API, relay, consumer), `relay` alone, `migrate`."""

from __future__ import annotations

import argparse
import asyncio
import copy
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import uvicorn
import uvicorn.config
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
        uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_level="info",
                    log_config=log_config())
    elif args.command == "migrate":
        migrate(alembic_ini, settings.migration_database_url or settings.database_url, settings.database_schema)
        for extra in migrations(settings):
            migrate(extra.alembic_ini, extra.database_url, extra.schema)
    elif args.command in tasks:
        asyncio.run(tasks[args.command](settings))
    else:  # the relay alone: no consumer, no workers, no key store
        relay_only = settings.model_copy(update={"run_consumer": False, "run_relay": True})
        asyncio.run(_run_forever(ServiceRuntime(name=name, settings=relay_only, alembic_ini=alembic_ini,
                                                produces=produces)))


class WithoutQuery(logging.Filter):
    """Access log lines name the path, never the query string: a query can carry a file name or a search
    term that is personal data."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5 and isinstance(record.args[2], str):
            client, method, path, version, status = record.args
            record.args = (client, method, path.split("?", 1)[0], version, status)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with its access log passed through WithoutQuery."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config.setdefault("filters", {})["without_query"] = {"()": f"{__name__}.WithoutQuery"}
    config["handlers"]["access"]["filters"] = ["without_query"]
    return config


async def _run_forever(runtime: ServiceRuntime) -> None:
    async with runtime:
        await asyncio.Event().wait()
