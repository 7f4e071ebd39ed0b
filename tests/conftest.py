"""Session fixtures that start the real parts on free ports and always stop them."""

from __future__ import annotations

import base64
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from docket_contracts.checkpoints import new_signing_key
from docket_devstack.database import Databases, provision
from docket_devstack.kafka import KafkaBroker
from docket_devstack.keycloak import KeycloakServer
from docket_devstack.postgres import EmbeddedPostgres
from docket_devstack.staff import Tokens
from docket_privacy.masterkeys import INITIAL
from docket_privacy.personal import PersonalData
from docket_privacy.settings import KEYSTORE_ALEMBIC_INI, KeystoreSettings
from docket_service.database import migrate
from docket_service.settings import ServiceSettings

# Property tests check what the rules do, never how fast: on a loaded machine (CI beside other work) a per-example
# deadline or the too-slow health check fails a test that is right.
hypothesis_settings.register_profile("docket", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("docket")

SERVICES = Path(__file__).resolve().parents[1] / "services"
MIGRATIONS = {name: SERVICES / name / "alembic.ini" for name in ("intake", "case", "notifier")}
# The key store's master key for this run, as KEYSTORE_MASTER_KEYS gives it; the tests that give it as the single
# KEYSTORE_MASTER_KEY of older deployments give the same key, which that setting names `initial`.
MASTER_KEY = base64.b64encode(os.urandom(32)).decode()
MASTER_KEYS = f"{INITIAL}:{MASTER_KEY}"
# The key the case service signs its checkpoints with, for this run.
SIGNING_KEY = new_signing_key()

S = TypeVar("S", bound=ServiceSettings)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if a process started under the run's temporary directory outlived it."""
    base = str(session.config._tmp_path_factory.getbasetemp()) if hasattr(session.config, "_tmp_path_factory") else None
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
def databases(postgres: EmbeddedPostgres) -> Databases:
    """Docket's database with a role per service and the key store's, every schema migrated to head by the
    migrator that owns them."""
    found = provision(postgres, "docket")
    for schema, ini in MIGRATIONS.items():
        migrate(ini, found.migrator, schema)
    migrate(KEYSTORE_ALEMBIC_INI, found.migrator, "keystore")
    return found


@pytest.fixture(scope="session")
def database_url(databases: Databases) -> str:
    """The superuser's URL of the migrated database: for tests that look beneath the services."""
    return databases.admin


@pytest.fixture(scope="session")
def keycloak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeycloakServer]:
    server = KeycloakServer(tmp_path_factory.mktemp("keycloak"))
    with server:
        yield server


@pytest.fixture(scope="session")
def tokens(keycloak: KeycloakServer) -> Tokens:
    """Real access tokens of the demo staff and integrator, as request headers: `tokens(INVESTIGATOR)`."""
    return Tokens(keycloak)


Configure = Callable[..., Any]


@pytest.fixture(scope="session")
def configure(databases: Databases, keycloak: KeycloakServer) -> Configure:
    """Settings for a service as the tests run it: its own database role, the real identity provider, its own
    client there to sign in to Kafka with, for a service that reads personal data the key store, and for the case
    service its signing key: `configure(CaseSettings, run_timers=False)`."""
    secret = functools.cache(keycloak.client_secret)

    def build(settings_class: type[S], **overrides: Any) -> S:
        schema = settings_class.model_fields["database_schema"].default
        values: dict[str, Any] = {
            "database_url": databases.of(schema),
            "oidc_issuer": keycloak.issuer(),
            "migrate_on_start": False,  # migrated by its owner, as in production
            "kafka_oauth_client_id": f"docket-{schema}",
            "kafka_oauth_client_secret": secret(f"docket-{schema}"),
            "kafka_oauth_token_url": keycloak.token_endpoint(),
        }
        if issubclass(settings_class, KeystoreSettings):
            values |= {
                "keystore_database_url": databases.keystore,
                "keystore_master_keys": MASTER_KEYS,
                "keystore_migration_database_url": databases.migrator,
            }
        if "checkpoint_signing_key" in settings_class.model_fields:
            values["checkpoint_signing_key"] = SIGNING_KEY
        return settings_class(**(values | overrides))

    return build


@pytest.fixture(scope="session")
def keystore_settings(databases: Databases) -> KeystoreSettings:
    return KeystoreSettings(keystore_database_url=databases.keystore, keystore_master_keys=MASTER_KEYS)


@pytest.fixture
async def personal(keystore_settings: KeystoreSettings) -> Any:
    """The key store as intake and the notifier see it, to seal test data they can open."""
    found: PersonalData = keystore_settings.personal_data()
    yield found
    await found.keystore.close()


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory, keycloak: KeycloakServer) -> Iterator[KafkaBroker]:
    """The broker, taking the realm's tokens, with Docket's topics and ACLs: `kafka.operator` signs in as the
    operator tools (who read every topic), `kafka.service("intake")` as intake, `kafka.admin` as its super user."""
    broker = KafkaBroker(tmp_path_factory.mktemp("kafka"), keycloak)
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
