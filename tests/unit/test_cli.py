"""The command line every service shares."""

import asyncio
import contextlib
import logging
import logging.config
import os
import socket
import subprocess
import sys

import pytest

from docket_service.cli import shared_socket, wait_for_migrations, wait_for_tasks
from docket_service.logs import log_config
from docket_service.runtime import Migration
from tests.conftest import repo_root


def test_access_log_lines_carry_no_query_string():
    config = log_config()
    logging.config.dictConfig(config)
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/complaints/DKT-2020-ABC123/evidence?filename=Jeanne.pdf", "1.1", 201),
        None,
    )
    handler = logging.getLogger("uvicorn.access").handlers[0]
    assert all(f.filter(record) for f in handler.filters)
    assert "Jeanne" not in record.getMessage() and "/complaints/DKT-2020-ABC123/evidence" in record.getMessage()


def run_service(name: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The service's command with nothing in the environment but what is given."""
    clean = {"PATH": os.environ["PATH"], "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}", **env}
    return subprocess.run(
        [sys.executable, "-m", f"services.{name}", *args],
        cwd=repo_root(),
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("name", ["intake", "case", "notifier"])
def test_help_needs_no_settings(name):
    for args in (["--help"], ["outbox", "--help"]):
        result = run_service(name, *args)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"usage: python -m services.{name}") and not result.stderr


@pytest.mark.parametrize("name", ["intake", "case", "notifier"])
def test_a_missing_or_invalid_setting_is_named_without_its_value(name):
    result = run_service(name, "migrate", HTTP_PORT="eighty-eighty", OIDC_ISSUER="https://id.example/realms/x")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "DATABASE_URL: Field required" in result.stderr and "HTTP_PORT:" in result.stderr
    assert "eighty-eighty" not in result.stderr and "OIDC_ISSUER" not in result.stderr


async def test_waiting_for_migrations_waits_out_a_database_that_is_not_up_and_says_why(caplog):
    history = Migration(
        repo_root() / "services" / "case" / "alembic.ini", "postgresql+asyncpg://u@127.0.0.1:9/d", "case"
    )
    caplog.set_level(logging.INFO, logger="docket_service.cli")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(wait_for_migrations([history], interval_s=0.05), 1.0)
    waits = [r.getMessage() for r in caplog.records if r.getMessage().startswith("waiting for the schema case: ")]
    assert len(waits) >= 2 and "ConnectionRefusedError" in waits[0]


def test_waiting_for_kafka_needs_the_service_s_client_and_names_what_is_missing():
    result = run_service(
        "case",
        "wait-for-kafka",
        DATABASE_URL="postgresql+asyncpg://u@127.0.0.1:9/d",
        OIDC_ISSUER="https://id.example/realms/x",
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_OAUTH_CLIENT_ID="docket-case",
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "KAFKA_OAUTH_CLIENT_SECRET" in result.stderr


async def test_waiting_for_a_task_waits_while_it_has_something_left_and_says_what(caplog):
    answers = [["complaints", "outbox"], ["outbox"], []]

    async def left(sessions):
        return answers.pop(0)

    caplog.set_level(logging.INFO, logger="docket_service.cli")
    command = "python -m services.intake seal-legacy"
    await asyncio.wait_for(wait_for_tasks({command: left}, "postgresql+asyncpg://u@127.0.0.1:9/d", "intake", 0.01), 5)
    assert [r.getMessage() for r in caplog.records] == [
        f"waiting for `{command}`: not done yet in complaints, outbox",
        f"waiting for `{command}`: not done yet in outbox",
        f"`{command}` has nothing left to do",
    ]


def test_processes_that_share_a_port_each_listen_and_the_kernel_spreads_the_connections():
    first = shared_socket("127.0.0.1", 0)
    port = first.getsockname()[1]
    second = shared_socket("127.0.0.1", port)  # a second process of the service, HTTP_REUSE_PORT=true
    clients = []
    try:
        for listening in (first, second):
            listening.listen()
            listening.settimeout(0.2)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(64)]
        accepted = set()
        for listening in (first, second):
            with contextlib.suppress(TimeoutError):
                while True:
                    listening.accept()[0].close()
                    accepted.add(listening.fileno())
        assert accepted == {first.fileno(), second.fileno()}  # 64 connections never all go to one
    finally:
        for each in (*clients, first, second):
            each.close()
