"""The command line every service shares: `serve` (API, relay, consumer), `relay` alone, `migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from .database import migrate
from .service import ServiceRuntime, ServiceSettings


Task = Callable[[ServiceSettings], Awaitable[None]]


def main(settings: ServiceSettings, create_app: Callable[[ServiceSettings], FastAPI],
         runtime: Callable[[ServiceSettings], ServiceRuntime], alembic_ini: Path, argv: list[str] | None = None,
         tasks: Mapping[str, Task] | None = None) -> None:
    """`tasks` are further one-off commands of the service, e.g. rebuilding its projections."""
    tasks = tasks or {}
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["serve", "relay", "migrate", *tasks], nargs="?", default="serve")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "serve":
        uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_level="info")
    elif args.command == "migrate":
        migrate(alembic_ini, settings.database_url, settings.database_schema)
    elif args.command in tasks:
        asyncio.run(tasks[args.command](settings))
    else:
        relay_only = settings.model_copy(update={"run_consumer": False, "run_relay": True})
        asyncio.run(_run_forever(runtime(relay_only)))


async def _run_forever(runtime: ServiceRuntime) -> None:
    async with runtime:
        await asyncio.Event().wait()
