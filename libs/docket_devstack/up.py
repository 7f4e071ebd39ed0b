"""Bring Docket up on the embedded defaults and file a first complaint through it.

    python -m docket_devstack up [--data-dir .docket] [--once]

Starts PostgreSQL (unless DATABASE_URL is set) with a role per service and one for the key store,
Kafka (unless KAFKA_BOOTSTRAP_SERVERS is set) and Keycloak with Docket's realm and demo users (unless
OIDC_ISSUER is set), applies every migration, starts intake, case and notifier with their relays and
consumers, waits until each is ready, files a complaint and follows it to its case and notification,
prints how to get a staff token, then stays in the foreground until Ctrl-C (or stops at once with
--once). Everything it started is stopped on exit.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import logging
import os
import secrets
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from docket_messaging.database import migrate
from docket_privacy.settings import KEYSTORE_ALEMBIC_INI

from .database import Databases, provision
from .kafka import REPO_ROOT, KafkaBroker
from .keycloak import KeycloakServer
from .ports import free_port
from .postgres import EmbeddedPostgres
from .processes import SERVICES, ServiceProcess, service_env

DEFAULT_PORTS = "8001,8002,8003"
DEMO_USERS = {"ines.intake": "intake officer", "victor.investigator": "investigator",
              "sophie.sanctions": "sanctions committee", "alice.auditor": "auditor", "adrien.admin": "administrator"}
DEMO_PASSWORD = "docket-demo"
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
        log.info("PostgreSQL   %s (a role per service: docket_intake, docket_case, docket_notifier, "
                 "docket_keystore; docket_migrator owns the schemas)", server.url("docket", driver=""))
        yield databases


@contextlib.contextmanager
def identity(data_dir: Path) -> Iterator[KeycloakServer | None]:
    if os.environ.get("OIDC_ISSUER"):  # a provider of your own; the services read OIDC_* themselves
        yield None
        return
    with KeycloakServer(data_dir / "keycloak", port=preferred_port(8080)) as server:
        log.info("Keycloak     %s (realm docket; admin console %s/admin, user %s, password in %s)",
                 server.issuer(), server.base_url, server.admin_username, server.data_dir)
        yield server


def master_key(data_dir: Path) -> str:
    """The key store's master key for this data directory: made once, kept beside the data, never in the
    database. (In production it comes from a secret store, as KEYSTORE_MASTER_KEY.)"""
    if key := os.environ.get("KEYSTORE_MASTER_KEY"):
        return key
    path = data_dir / "keystore-master.key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(base64.b64encode(secrets.token_bytes(32)).decode())
    return path.read_text().strip()


@contextlib.contextmanager
def kafka(data_dir: Path) -> Iterator[str]:
    if bootstrap := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield bootstrap
        return
    with KafkaBroker(data_dir / "kafka", port=preferred_port(9092)) as broker:
        log.info("Kafka        %s", broker.bootstrap_servers)
        yield broker.bootstrap_servers


@contextlib.contextmanager
def services(databases: Databases, bootstrap: str, issuer: str | None, key: str, ports: list[int],
             logs: Path) -> Iterator[dict[str, str]]:
    """Start the three services as processes; stop them (SIGTERM, then SIGKILL) on exit."""
    running = [ServiceProcess(name, port, service_env(name, databases, bootstrap, issuer, key, port),
                              logs / f"{name}.log") for name, port in zip(SERVICES, ports, strict=True)]
    try:
        for process in running:
            process.start()
        yield {process.name: process.url for process in running}
    finally:
        for process in running:
            process.stop()


def wait_ready(urls: dict[str, str], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    for name, base in urls.items():
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} is not ready at {base}/readyz after {timeout:.0f}s")
            time.sleep(0.3)


def poll(get, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not (found := get()):
        if time.monotonic() > deadline:
            raise RuntimeError("the complaint did not make it through the pipeline in time")
        time.sleep(0.2)
    return found


def file_first_complaint(urls: dict[str, str], staff: dict[str, str]) -> None:
    """The system's main job, once: a complaint becomes a case and a letter to the complainant.
    `staff` are the headers of a staff member who may read cases and letters."""
    complaint = httpx.post(f"{urls['intake']}/complaints", timeout=10, json={
        "kind": "art77_complaint", "category": "access_request_ignored", "territory": ["FR"],
        "complainant": {"name": "Jeanne Martin", "email": "jeanne.martin@example.org", "country": "FR"},
        "controller": {"name": "Clearview AI", "country": "US", "website": "clearview.ai"},
        "articles_alleged": [6, 12, 15, 17],
        "narrative": "Clearview AI scraped my photos and ignored my access and erasure requests."}).raise_for_status().json()
    log.info("complaint    %s (receipt %s) filed against Clearview AI", complaint["id"], complaint["reference"])
    case = poll(lambda: httpx.get(f"{urls['case']}/cases", headers=staff,
                                  params={"complaint_id": complaint["id"]}).raise_for_status().json()["items"])[0]
    log.info("case         %s %s (version %d, %d complaint(s))", case["case_id"], case["status"], case["version"],
             case["complaints"])
    def letters() -> list[dict]:
        found = httpx.get(f"{urls['notifier']}/notifications", headers=staff,
                          params={"complaint_id": complaint["id"]}).raise_for_status().json()
        return found if any(note["case_id"] == case["case_id"] for note in found) else []

    for note in poll(letters):
        log.info("notification %s to the %s: %s", note["channel"], note["recipient_role"], note["body"])


def how_to_get_a_token(keycloak: KeycloakServer, case_url: str) -> None:
    token_url = keycloak.token_endpoint()
    log.info("staff        %s (password %s)", ", ".join(f"{user} ({role})" for user, role in DEMO_USERS.items()),
             DEMO_PASSWORD)
    log.info("a token      curl -s %s -d grant_type=password -d client_id=docket-cli -d username=victor.investigator "
             "-d password=%s | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])'",
             token_url, DEMO_PASSWORD)
    log.info("             then: curl -H \"Authorization: Bearer $TOKEN\" %s/cases", case_url)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docket_devstack up", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / ".docket")
    parser.add_argument("--once", action="store_true", help="stop after the first complaint went through")
    parser.add_argument("--no-demo", action="store_true", help="do not file the first complaint")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    for chatty in ("alembic", "httpx"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    for stop in (signal.SIGINT, signal.SIGTERM):  # also when started with SIGINT ignored, as in background jobs
        signal.signal(stop, _interrupt)
    ports = [int(p) for p in os.environ.get("DOCKET_HTTP_PORTS", DEFAULT_PORTS).split(",")]
    data_dir = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with database(data_dir) as databases, kafka(data_dir) as bootstrap, identity(data_dir) as keycloak:
            for name in SERVICES:
                migrate(REPO_ROOT / "services" / name / "alembic.ini", databases.migrator, name)
            migrate(KEYSTORE_ALEMBIC_INI, databases.migrator, "keystore")
            log.info("migrations   applied (schemas %s, keystore)", ", ".join(SERVICES))
            issuer = keycloak.issuer() if keycloak else None
            with services(databases, bootstrap, issuer, master_key(data_dir), ports, data_dir / "logs") as urls:
                wait_ready(urls)
                for name, base in urls.items():
                    log.info("%-12s %s  (API docs: %s/docs)", name, base, base)
                if keycloak is not None:
                    how_to_get_a_token(keycloak, urls["case"])
                if not args.no_demo:
                    if keycloak is None:
                        log.info("demo         skipped: it signs in as a demo user of the embedded Keycloak")
                    else:
                        reader = keycloak.password_token("ines.intake", DEMO_PASSWORD)["access_token"]
                        file_first_complaint(urls, {"Authorization": f"Bearer {reader}"})
                if args.once:
                    return 0
                log.info("Docket is up; logs in %s. Ctrl-C stops everything.", data_dir / "logs")
                while True:
                    time.sleep(3600)
    except KeyboardInterrupt:
        log.info("stopping")
    return 0
