"""The whole system for a fault scenario: PostgreSQL, Kafka, the three services as operating-system processes
started as `make run` starts them, and a webhook receiver; every part can be killed, stopped and started
again mid-stream."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from docket_devstack.database import Databases, provision
from docket_devstack.kafka import KafkaBroker
from docket_devstack.keycloak import KeycloakServer
from docket_devstack.ports import free_port
from docket_devstack.postgres import EmbeddedPostgres
from docket_devstack.processes import SERVICES, ServiceProcess, service_env
from docket_devstack.staff import ADMINISTRATOR, Tokens
from docket_devstack.webhook_receiver import WebhookReceiver
from docket_privacy.settings import KEYSTORE_ALEMBIC_INI
from docket_service.database import migrate
from tests.conftest import MASTER_KEYS, MIGRATIONS, SIGNING_KEY

# Settings for a run under load on two cores: no rate limit at the door (the load comes from one address),
# quick polls, and webhook retries that outlast a minute's outage without giving up.
UNDER_LOAD = {
    "RATE_LIMIT_PER_MINUTE": "1000000",
    "RATE_LIMIT_BURST": "100000",
    "RELAY_POLL_INTERVAL_S": "0.5",
    "WEBHOOK_ALLOW_LIST": "127.0.0.0/8",
    "DELIVERY_INTERVAL_S": "0.2",
    "RETRY_MAX_ATTEMPTS": "100",
    "RETRY_BASE_DELAY_S": "0.5",
    "RETRY_MAX_DELAY_S": "5",
    "WEBHOOK_TIMEOUT_S": "5",
    "DELIVERY_BATCH_SIZE": "100",
}


@dataclass
class Stack:
    root: Path
    keycloak: KeycloakServer
    postgres: EmbeddedPostgres = field(init=False)
    kafka: KafkaBroker = field(init=False)
    databases: Databases = field(init=False)
    services: dict[str, ServiceProcess] = field(default_factory=dict, init=False)
    receiver: WebhookReceiver = field(default_factory=WebhookReceiver, init=False)
    # The processes of each service, by key (`case`, `case-2`, ...): one each unless a scenario scales out.
    copies: int = 1
    # Settings on top of UNDER_LOAD, for every process.
    extra_env: dict[str, str] = field(default_factory=dict)
    # Keys of processes not started with the rest (a scenario starts them later, with `launch`).
    later: tuple[str, ...] = ()

    async def start(self) -> None:
        self.postgres = EmbeddedPostgres(self.root / "postgres" / "data", fast=True)
        await asyncio.to_thread(self.postgres.start)
        self.databases = await asyncio.to_thread(provision, self.postgres, "docket")
        for schema, ini in {**MIGRATIONS, "keystore": KEYSTORE_ALEMBIC_INI}.items():
            await asyncio.to_thread(migrate, ini, self.databases.migrator, schema)
        self.kafka = KafkaBroker(self.root / "kafka", self.keycloak)
        await asyncio.to_thread(self.kafka.start)
        await self.receiver.__aenter__()
        for name in SERVICES:
            for key in [name, *(f"{name}-{n}" for n in range(2, self.copies + 1))]:
                # The copies of a service share its settings (role, schema, consumer group); only the port differs.
                port = free_port()
                env = service_env(
                    name,
                    self.databases,
                    self.kafka.service_env(name),
                    self.keycloak.issuer(),
                    MASTER_KEYS,
                    port,
                    UNDER_LOAD | {"CHECKPOINT_SIGNING_KEY": SIGNING_KEY} | self.extra_env,
                )
                self.services[key] = ServiceProcess(name, port, env, self.root / "logs" / f"{key}.log")
        await self.launch(*(key for key in self.services if key not in self.later))

    async def launch(self, *keys: str) -> None:
        """Start these processes and wait until they are ready."""
        for key in keys:
            self.services[key].start()
        await self.ready(*keys)

    async def stop(self) -> None:
        for service in self.services.values():
            await asyncio.to_thread(service.stop)
        await self.receiver.__aexit__()
        await asyncio.to_thread(self.kafka.stop)
        await asyncio.to_thread(self.postgres.stop)

    def url(self, name: str) -> str:
        return self.services[name].url

    async def ready(self, *names: str, timeout: float = 120.0) -> None:
        """Wait until each service answers /readyz 200."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=5) as http:
            for name in names:
                while True:
                    try:
                        if (await http.get(f"{self.url(name)}/readyz")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        log = self.services[name].log.read_text(errors="replace")[-3000:]
                        raise AssertionError(f"{name} not ready after {timeout:.0f}s:\n{log}")
                    await asyncio.sleep(0.3)

    async def terminate(self, name: str) -> tuple[int | None, float]:
        """SIGTERM the service (SIGKILL if it outlives a minute); its exit status, and how long it took to exit."""
        started = time.monotonic()
        status = await asyncio.to_thread(self.services[name].stop, 60.0)
        return status, time.monotonic() - started

    async def kill_and_restart(self, name: str) -> None:
        """SIGKILL the service mid-stream, then start it again as before."""
        await asyncio.to_thread(self.services[name].kill)
        self.services[name].start()
        await self.ready(name)

    async def restart_kafka(self, down_s: float = 5.0) -> None:
        await asyncio.to_thread(self.kafka.stop)
        await asyncio.sleep(down_s)
        await asyncio.to_thread(self.kafka.start)

    async def restart_postgres(self, down_s: float = 5.0) -> None:
        """Stop PostgreSQL (fast shutdown: connections are cut) and start it again on the same port; the
        services are not restarted."""
        await asyncio.to_thread(self.postgres.stop)
        await asyncio.sleep(down_s)
        await asyncio.to_thread(self.postgres.start)

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n" + s.log.read_text(errors="replace")[-4000:]
            for name, s in self.services.items()
            if s.log.exists()
        )


@contextlib.asynccontextmanager
async def running(
    root: Path,
    keycloak: KeycloakServer,
    *,
    copies: int = 1,
    extra_env: dict[str, str] | None = None,
    later: tuple[str, ...] = (),
) -> AsyncIterator[Stack]:
    """A started Stack, stopped on the way out whatever happened."""
    stack = Stack(root, keycloak, copies=copies, extra_env=extra_env or {}, later=later)
    try:
        await stack.start()
        yield stack
    finally:
        await stack.stop()


async def subscribe(stack: Stack, tokens: Tokens) -> str:
    """An administrator's webhook subscription to every case's opening and joining, at the stack's receiver."""
    async with httpx.AsyncClient(timeout=30) as http:
        created = await http.post(
            f"{stack.url('notifier')}/subscriptions",
            headers=tokens(ADMINISTRATOR),
            json={"url": stack.receiver.url, "event_types": ["docket.case.opened", "docket.complaint.linked"]},
        )
    assert created.status_code == 201, created.text
    stack.receiver.secret = created.json()["secret"]
    return str(created.json()["id"])
