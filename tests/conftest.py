"""Session fixtures that start the real parts on free ports and always stop them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from docket_devstack.kafka import KafkaBroker
from docket_devstack.postgres import EmbeddedPostgres
from docket_messaging.database import migrate
SERVICES = Path(__file__).resolve().parents[1] / "services"
MIGRATIONS = {name: SERVICES / name / "alembic.ini" for name in ("intake", "case", "notifier")}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if a process started under the run's temporary directory outlived it."""
    base = str(session.config._tmp_path_factory.getbasetemp()) if hasattr(session.config, "_tmp_path_factory") \
        else None
    if not base:
        return
    leftovers = [p for p in psutil.process_iter(["pid", "cmdline"]) if base in " ".join(p.info["cmdline"] or ())]
    for process in leftovers:
        session.config.get_terminal_writer().line(f"left behind, killing: {process.info}", red=True)
        process.kill()
    if leftovers:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("postgres") / "data", fast=True)
    with server:
        yield server


@pytest.fixture(scope="session")
def database_url(postgres: EmbeddedPostgres) -> str:
    """A database with every service's schema migrated to head."""
    postgres.create_database("docket")
    url = postgres.url("docket")
    for schema, ini in MIGRATIONS.items():
        migrate(ini, url, schema)
    return url


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    broker = KafkaBroker(tmp_path_factory.mktemp("kafka"))
    with broker:
        yield broker


def fresh_database(postgres: EmbeddedPostgres, name: str) -> str:
    postgres.create_database(name)
    return postgres.url(name)


@pytest.fixture
def closed_port_bootstrap() -> str:
    """A bootstrap address where no broker listens: Kafka is down."""
    from docket_devstack.ports import free_port

    return f"127.0.0.1:{free_port()}"


def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
