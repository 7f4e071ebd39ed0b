"""Bring Docket up on the embedded defaults and play the CNIL v. Clearview AI story through it.

    python -m docket_devstack up [--data-dir .docket] [--once | --no-story]

Starts PostgreSQL (unless DATABASE_URL is set) with a role per service and one for the key store,
Keycloak with Docket's realm and demo users (unless OIDC_ISSUER is set), Kafka (unless
KAFKA_BOOTSTRAP_SERVERS is set) taking the realm's tokens (SASL/OAUTHBEARER) with Docket's ACLs, the
operator's client secret kept in <data-dir>/kafka/operator.env for `docket events tail`, applies every
migration, starts intake, case and notifier with their relays and consumers, waits until each is ready,
plays the Clearview story as the demo staff with a live tail of Kafka and ends it with a summary
(docket_devstack.story), prints the API docs and how to act as a staff member, then stays in the
foreground until Ctrl-C. --once stops after the story's summary (exit 1 if a step did not come out as
the story says); --no-story plays nothing. Everything it started is stopped on exit.

--network also starts the Italian Garante's and the Irish DPC's Dockets beside the CNIL's
(docket_devstack.network: each its own PostgreSQL, realm, Kafka and services, the case services exchanging
cooperation messages over HTTPS) and, after the CNIL's story, plays the Clearview network story
(docket_devstack.clearview_network) and a one-stop-shop story (docket_devstack.one_stop_shop).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import logging
import os
import secrets
import signal
import socket
import ssl
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import httpx

from docket_contracts.checkpoints import new_signing_key
from docket_messaging.access import KafkaAccess
from docket_operator.acls import realm_integrators
from docket_operator.deadletters import OPERATOR_CLIENT
from docket_privacy.masterkeys import INITIAL
from docket_privacy.settings import KEYSTORE_ALEMBIC_INI
from docket_service.database import migrate

from . import network, network_stories
from .database import Databases, provision
from .kafka import REPO_ROOT, KafkaBroker
from .kept import kept
from .keycloak import DEMO_DIR, REALM_DIR, KeycloakServer
from .network import Installation, Network
from .ports import free_port
from .postgres import EmbeddedPostgres
from .processes import SERVICES, ServiceProcess, service_env
from .story import Console, explore, play_live

DEFAULT_PORTS = "8001,8002,8003"
log = logging.getLogger("docket")


def preferred_port(port: int) -> int:
    """`port` if it is free on loopback, else any free port."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return port
        except OSError:
            return free_port()


@contextlib.contextmanager
def database(data_dir: Path) -> Iterator[Databases]:
    if url := os.environ.get("DATABASE_URL"):  # one URL of your own for every part (no role per service)
        yield Databases(intake=url, case=url, notifier=url, keystore=url, migrator=url, admin=url)
        return
    with EmbeddedPostgres(data_dir / "postgres" / "data", port=preferred_port(5432)) as server:
        databases = provision(server, "docket")
        log.info(
            "PostgreSQL   %s (a role per service: docket_intake, docket_case, docket_notifier, "
            "docket_keystore; docket_migrator owns the schemas)",
            server.url("docket", driver=""),
        )
        yield databases


@contextlib.contextmanager
def identity(data_dir: Path, realms: Sequence[Path] = ()) -> Iterator[KeycloakServer | None]:
    """The embedded Keycloak with Docket's realm and demo staff, and the realm files in `realms` besides."""
    if os.environ.get("OIDC_ISSUER"):  # a provider of your own; the services read OIDC_* themselves
        yield None
        return
    with KeycloakServer(
        data_dir / "keycloak", port=preferred_port(8080), realm_dirs=(REALM_DIR, DEMO_DIR, *realms)
    ) as server:
        log.info(
            "Keycloak     %s (realm docket; admin console %s/admin, user %s, password in %s)",
            server.issuer(),
            server.base_url,
            server.admin_username,
            server.data_dir,
        )
        yield server


def master_keys(data_dir: Path, environ: Mapping[str, str] = os.environ) -> str:
    """The key store's master keys (KEYSTORE_MASTER_KEYS) for this data directory: one, made once, kept beside
    the data, never in the database, with the id the single key of older data directories was given (also one
    given as KEYSTORE_MASTER_KEY). (In production they come from a secret store.)"""
    if keys := environ.get("KEYSTORE_MASTER_KEYS"):
        return keys
    if key := environ.get("KEYSTORE_MASTER_KEY"):
        return f"{INITIAL}:{key}"
    key = kept(data_dir / "keystore-master.key", lambda: base64.b64encode(secrets.token_bytes(32)).decode())
    return f"{INITIAL}:{key}"


def signing_key(data_dir: Path, environ: Mapping[str, str] = os.environ) -> str:
    """The key the case service signs its checkpoints with, for this data directory: made once and kept beside
    the data, so that the checkpoints of an earlier run still verify. (In production it comes from a secret
    store, as CHECKPOINT_SIGNING_KEY.)"""
    if key := environ.get("CHECKPOINT_SIGNING_KEY"):
        return key
    return kept(data_dir / "checkpoint-signing.key", new_signing_key)


@dataclass(frozen=True)
class Kafka:
    """The broker the services use: each one's KAFKA_* settings, and the story's tail, as the operator tools."""

    settings: Callable[[str], dict[str, str]]
    operator: KafkaAccess | None


@contextlib.contextmanager
def kafka(data_dir: Path, keycloak: KeycloakServer | None) -> Iterator[Kafka]:
    if bootstrap := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):  # the services read KAFKA_* of your own too
        yield Kafka(lambda service: {"KAFKA_BOOTSTRAP_SERVERS": bootstrap}, None)
        return
    if keycloak is None:
        raise SystemExit(
            "the embedded Kafka takes the embedded Keycloak's tokens: with OIDC_ISSUER of your own, set "
            "KAFKA_BOOTSTRAP_SERVERS and each service's KAFKA_OAUTH_* for a Kafka of your own too"
        )
    with KafkaBroker(data_dir / "kafka", keycloak, port=preferred_port(9092)) as broker:
        secret = keycloak.client_secret(OPERATOR_CLIENT)
        env_file = broker.data_dir / "operator.env"
        env_file.touch(mode=0o600)
        env_file.write_text(
            f"export DOCKET_KAFKA={broker.bootstrap_servers}\nexport DOCKET_KAFKA_CLIENT_SECRET={secret}\n"
        )
        log.info(
            "Kafka        %s (SASL/OAUTHBEARER with the realm's tokens, Docket's ACLs; `source %s` before "
            "`docket events tail`)",
            broker.bootstrap_servers,
            env_file,
        )
        yield Kafka(broker.service_env, broker.access(OPERATOR_CLIENT))


def local_settings(name: str, environ: Mapping[str, str]) -> dict[str, str]:
    """What a local run sets beyond a service's defaults: the case service looks for due deadlines every 2 s (the
    story waits for its timer; TIMER_INTERVAL_S of your own wins), and the notifier may call webhooks on this
    machine, where the story's receiver listens (besides any WEBHOOK_ALLOW_LIST of your own)."""
    if name == "case" and "TIMER_INTERVAL_S" not in environ:
        return {"TIMER_INTERVAL_S": "2"}
    if name == "notifier":
        return {"WEBHOOK_ALLOW_LIST": ",".join(filter(None, (environ.get("WEBHOOK_ALLOW_LIST"), "127.0.0.1")))}
    return {}


@contextlib.contextmanager
def services(
    databases: Databases,
    broker: Kafka,
    issuer: str | None,
    master_keys: str,
    ports: Sequence[int],
    logs: Path,
    signing: str,
    extra: Mapping[str, Mapping[str, str]] | None = None,
) -> Iterator[dict[str, str]]:
    """Start the three services as processes, the case service signing with `signing`, each with its `extra`
    settings; stop them (SIGTERM, then SIGKILL) on exit."""
    extra = extra or {}
    running = [
        ServiceProcess(
            name,
            port,
            service_env(
                name,
                databases,
                broker.settings(name),
                issuer,
                master_keys,
                port,
                local_settings(name, os.environ)
                | ({"CHECKPOINT_SIGNING_KEY": signing} if name == "case" else {})
                | dict(extra.get(name, {})),
            ),
            logs / f"{name}.log",
        )
        for name, port in zip(SERVICES, ports, strict=True)
    ]
    try:
        for process in running:
            process.start()
        yield {process.name: process.url for process in running}
    finally:
        for process in running:
            process.stop()


def wait_ready(urls: dict[str, str], timeout: float = 120.0, verify: ssl.SSLContext | bool = True) -> None:
    deadline = time.monotonic() + timeout
    for name, base in urls.items():
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=5, verify=verify).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} is not ready at {base}/readyz after {timeout:.0f}s")
            time.sleep(0.3)


def _interrupt(signum: int, frame: object) -> None:
    """The first Ctrl-C or SIGTERM stops everything. Another one while stopping would cut the stop short and leave
    the services not yet stopped running on their own, so from then on they are only acknowledged."""
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, _already_stopping)
    raise KeyboardInterrupt


def _already_stopping(signum: int, frame: object) -> None:
    log.info("already stopping everything this started; it ends when the last part has stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docket_devstack up", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".docket")
    parser.add_argument(
        "--network",
        action="store_true",
        help="start the Italian Garante's and the Irish DPC's Dockets too, and play the network stories",
    )
    plays = parser.add_mutually_exclusive_group()
    plays.add_argument("--once", action="store_true", help="play the story, print its summary and stop")
    plays.add_argument("--no-story", action="store_true", help="bring Docket up without playing the story")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stdout)
    for chatty in ("alembic", "httpx", "aiokafka"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    for stop in (signal.SIGINT, signal.SIGTERM):  # also when started with SIGINT ignored, as in background jobs
        signal.signal(stop, _interrupt)
    ports = [int(p) for p in os.environ.get("DOCKET_HTTP_PORTS", DEFAULT_PORTS).split(",")]
    data_dir = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    console = Console()
    peers = network.plan(data_dir, tuple(ports)) if args.network else None
    realms = [network.realm_files(other.realm, other.data_dir / "realm") for other in peers.others] if peers else []
    verify = peers.verify() if peers else True
    try:
        with (
            database(data_dir) as databases,
            identity(data_dir, realms) as keycloak,
            kafka(data_dir, keycloak) as broker,
            contextlib.ExitStack() as stack,
        ):
            migrate_all(databases)
            log.info("migrations   applied (schemas %s, keystore)", ", ".join(SERVICES))
            peer_urls = started_beside(stack, peers, keycloak)
            issuer = keycloak.issuer() if keycloak else None
            with services(
                databases,
                broker,
                issuer,
                master_keys(data_dir),
                ports,
                data_dir / "logs",
                signing_key(data_dir),
                {"case": peers.case_settings[network.CNIL]} if peers else None,
            ) as urls:
                for label, urls_of in {"services": urls, **peer_urls}.items():
                    wait_ready(urls_of, verify=verify)
                    log.info("%-12s %s ready", label, ", ".join(f"{name} {url}" for name, url in urls_of.items()))

                def stay_up() -> None:
                    explore(urls, keycloak, console)
                    if peers:
                        network_stories.explore(peers, peer_urls, console)
                    console.line(f"Docket is up; logs in {data_dir / 'logs'}. Ctrl-C stops everything.", "bold")

                if args.no_story or keycloak is None or broker.operator is None:
                    if not args.no_story:
                        log.info(
                            "story        skipped: its people sign in as demo users of the embedded Keycloak, "
                            "and its tail reads the embedded Kafka"
                        )
                    return 0 if args.once else wait_forever(stay_up)
                then = network_stories.player(peers, peer_urls, keycloak, console, data_dir) if peers else None
                return asyncio.run(
                    play_live(
                        urls,
                        broker.operator,
                        keycloak,
                        None if args.once else stay_up,
                        console,
                        data_dir / "clearview-timeline.svg",
                        verify=verify,
                        then=then,
                    )
                )
    except KeyboardInterrupt:
        log.info("stopping")
    return 0


def migrate_all(databases: Databases) -> None:
    """Every service's migrations and the key store's, as the migrator role."""
    for name in SERVICES:
        migrate(REPO_ROOT / "services" / name / "alembic.ini", databases.migrator, name)
    migrate(KEYSTORE_ALEMBIC_INI, databases.migrator, "keystore")


def started_beside(
    stack: contextlib.ExitStack, peers: Network | None, keycloak: KeycloakServer | None
) -> dict[str, dict[str, str]]:
    """The other authorities' Dockets of the network (none without --network), started on `stack`: their services'
    URLs, by authority."""
    if peers is None:
        return {}
    return {other.authority: stack.enter_context(beside(peers, other, keycloak)) for other in peers.others}


@contextlib.contextmanager
def beside(peers: Network, installation: Installation, keycloak: KeycloakServer | None) -> Iterator[dict[str, str]]:
    """Another authority's Docket beside the CNIL's (docket_devstack.network): its own PostgreSQL server and roles,
    its Kafka broker taking its realm's tokens, its migrations, and its three services, the case service with its
    cooperation settings."""
    if keycloak is None or os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        raise SystemExit(
            "--network gives each other authority a realm of the embedded Keycloak and a Kafka broker of its own: "
            "unset OIDC_ISSUER and KAFKA_BOOTSTRAP_SERVERS"
        )
    home, realm = installation.data_dir, installation.realm
    with (
        EmbeddedPostgres(home / "postgres" / "data", port=free_port()) as server,
        KafkaBroker(
            home / "kafka",
            keycloak,
            realm=realm,
            integrators=realm_integrators((home / "realm").glob(f"{realm}-realm.json")),
        ) as broker,
    ):
        databases = provision(server, "docket")
        migrate_all(databases)
        log.info(
            "%-12s PostgreSQL %s (its own roles), Kafka %s (realm %s's tokens), Keycloak realm %s",
            installation.authority,
            server.url("docket", driver=""),
            broker.bootstrap_servers,
            realm,
            keycloak.issuer(realm),
        )
        with services(
            databases,
            Kafka(broker.service_env, None),
            keycloak.issuer(realm),
            master_keys(home, environ={}),  # its own, never the CNIL's from the environment
            installation.ports,
            home / "logs",
            signing_key(home, environ={}),
            {"case": peers.case_settings[installation.authority]},
        ) as urls:
            yield urls


def wait_forever(ready: Callable[[], None]) -> NoReturn:
    ready()
    while True:
        time.sleep(3600)
