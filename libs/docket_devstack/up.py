"""Bring Docket up on the embedded defaults and file a first complaint through it.

    python -m docket_devstack up [--data-dir .docket] [--once]

Starts PostgreSQL (unless DATABASE_URL is set) and Kafka (unless KAFKA_BOOTSTRAP_SERVERS is set),
applies every service's migrations, starts intake, case and notifier with their relays and consumers,
waits until each is ready, files a complaint and follows it to its case and notification, then stays
in the foreground until Ctrl-C (or stops at once with --once). Everything it started is stopped on exit.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from docket_messaging.database import migrate

from .kafka import REPO_ROOT, KafkaBroker
from .ports import free_port
from .postgres import EmbeddedPostgres

SERVICES = ("intake", "case", "notifier")
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
def database(data_dir: Path) -> Iterator[str]:
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    with EmbeddedPostgres(data_dir / "postgres" / "data", port=preferred_port(5432)) as server:
        server.create_database("docket")
        log.info("PostgreSQL   %s", server.url("docket", driver=""))
        yield server.url("docket")


@contextlib.contextmanager
def kafka(data_dir: Path) -> Iterator[str]:
    if bootstrap := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield bootstrap
        return
    with KafkaBroker(data_dir / "kafka", port=preferred_port(9092)) as broker:
        log.info("Kafka        %s", broker.bootstrap_servers)
        yield broker.bootstrap_servers


@contextlib.contextmanager
def services(url: str, bootstrap: str, ports: list[int], logs: Path) -> Iterator[dict[str, str]]:
    """Start the three services as processes; stop them (SIGTERM, then SIGKILL) on exit."""
    processes: list[subprocess.Popen[bytes]] = []
    urls = {}
    logs.mkdir(parents=True, exist_ok=True)
    try:
        for name, port in zip(SERVICES, ports, strict=True):
            env = os.environ | {"DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "HTTP_PORT": str(port),
                                "DATABASE_SCHEMA": name, "MIGRATE_ON_START": "false",
                                "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "libs")])}
            with open(logs / f"{name}.log", "ab") as out:
                processes.append(subprocess.Popen([sys.executable, "-m", f"services.{name}", "serve"], env=env,
                                                  cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT,
                                                  start_new_session=True))
            urls[name] = f"http://127.0.0.1:{port}"
        yield urls
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


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


def file_first_complaint(urls: dict[str, str]) -> None:
    """The system's main job, once: a complaint becomes a case and a letter to the complainant."""
    complaint = httpx.post(f"{urls['intake']}/complaints", timeout=10, json={
        "kind": "art77_complaint", "category": "access_request_ignored", "territory": ["FR"],
        "complainant": {"name": "Jeanne Martin", "email": "jeanne.martin@example.org", "country": "FR"},
        "controller": {"name": "Clearview AI", "country": "US", "website": "clearview.ai"},
        "articles_alleged": [6, 12, 15, 17], "received_on": "2020-05-25",
        "narrative": "Clearview AI scraped my photos and ignored my access and erasure requests."}).raise_for_status().json()
    log.info("complaint    %s (receipt %s) filed against Clearview AI", complaint["id"], complaint["reference"])
    case = poll(lambda: httpx.get(f"{urls['case']}/cases",
                                  params={"complaint_id": complaint["id"]}).json()["items"])[0]
    log.info("case         %s %s (version %d, %d complaint(s))", case["case_id"], case["status"], case["version"],
             case["complaints"])
    def letters() -> list[dict]:
        found = httpx.get(f"{urls['notifier']}/notifications", params={"complaint_id": complaint["id"]}).json()
        return found if any(note["case_id"] == case["case_id"] for note in found) else []

    for note in poll(letters):
        log.info("notification %s to the %s: %s", note["channel"], note["recipient_role"], note["body"])


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
        with database(data_dir) as url, kafka(data_dir) as bootstrap:
            for name in SERVICES:
                migrate(REPO_ROOT / "services" / name / "alembic.ini", url, name)
            log.info("migrations   applied (schemas %s)", ", ".join(SERVICES))
            with services(url, bootstrap, ports, data_dir / "logs") as urls:
                wait_ready(urls)
                for name, base in urls.items():
                    log.info("%-12s %s  (API docs: %s/docs)", name, base, base)
                if not args.no_demo:
                    file_first_complaint(urls)
                if args.once:
                    return 0
                log.info("Docket is up; logs in %s. Ctrl-C stops everything.", data_dir / "logs")
                while True:
                    time.sleep(3600)
    except KeyboardInterrupt:
        log.info("stopping")
    return 0
