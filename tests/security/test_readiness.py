"""/readyz says which dependency fails and the kind of failure, never the error's text: whoever reaches the
port reads it, and the text names hosts, ports, database roles and URLs inside the deployment.

The dependencies here fail on purpose: a database URL whose port has nothing behind it, a broker and an
identity provider that raise what the real clients raise, with the text those carry.
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiokafka.errors import KafkaConnectionError

from docket_devstack.ports import free_port
from docket_identity.tokens import ProviderUnavailable
from docket_service.database import make_engine
from docket_service.runtime import ServiceRuntime
from docket_service.settings import ServiceSettings

SECRETS = ("docket_secret_role", "kafka.internal.example", "9093", "login.internal.example", "s3cr3t")


class Broker:
    async def ping(self, timeout: float = 3.0) -> None:
        raise KafkaConnectionError("Unable to bootstrap from [('kafka.internal.example', 9093, <AF_UNSPEC: 0>)]")


class Provider:
    async def ready(self) -> None:
        raise ProviderUnavailable(
            "cannot fetch the issuer's keys: ConnectError: https://login.internal.example/realms/docket unreachable"
        )


async def test_readiness_names_the_kind_of_failure_and_keeps_the_text_for_the_log(caplog):
    port = free_port()
    settings = ServiceSettings(
        database_url=f"postgresql+asyncpg://docket_secret_role:s3cr3t@127.0.0.1:{port}/docket",
        database_schema="intake",
        http_port=8001,
        oidc_issuer="https://login.internal.example/realms/docket",
    )
    runtime = ServiceRuntime(name="intake", settings=settings, alembic_ini=Path("alembic.ini"), produces="docket.x")
    runtime.engine = make_engine(settings.database_url, "intake")
    runtime.publisher = Broker()  # type: ignore[assignment]
    runtime.verifier = Provider()  # type: ignore[assignment]
    try:
        with caplog.at_level(logging.WARNING):
            checks = await runtime.readiness()
    finally:
        await runtime.engine.dispose()
    assert set(checks) == {"database", "kafka", "identity"}
    assert all(value.startswith("unreachable: ") for value in checks.values())
    assert checks["kafka"] == "unreachable: KafkaConnectionError"
    assert checks["identity"] == "unreachable: ProviderUnavailable"
    for value in checks.values():
        assert not [secret for secret in SECRETS if secret in value], value
    # The operator still learns where: the log line has the error's text.
    assert "kafka.internal.example" in caplog.text and "login.internal.example" in caplog.text
