"""docker-compose.yml cannot run here, so it is checked against the services' real settings."""

import re
from pathlib import Path

import pytest
import yaml

from docket_contracts import topics
from docket_devstack.kafka import kafka_version
from docket_devstack.keycloak import keycloak_version
from docket_privacy.settings import KeystoreSettings
from services.case.config import CaseSettings
from services.case.main import runtime as case_runtime
from services.intake.config import IntakeSettings
from services.intake.main import runtime as intake_runtime
from services.notifier.config import NotifierSettings
from services.notifier.main import runtime as notifier_runtime
from tests.unit.test_cli import run_service

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = {
    "intake": (IntakeSettings, intake_runtime),
    "case": (CaseSettings, case_runtime),
    "notifier": (NotifierSettings, notifier_runtime),
}


def settings_of(name: str):
    settings_class, _ = SERVICES[name]
    return settings_class(
        database_url="postgresql+asyncpg://u@h/d",
        oidc_issuer="http://idp/realms/docket",
        keystore_database_url="postgresql+asyncpg://k@h/d",
        keystore_master_keys="2026-12:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    )


def runtime_of(name: str):
    _, runtime = SERVICES[name]
    return runtime(settings_of(name))


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_environment_variable_is_a_setting_of_the_service(name):
    fields = {field.upper() for field in SERVICES[name][0].model_fields}
    environment = COMPOSE["services"][name]["environment"]
    assert set(environment) <= fields
    required = {f.upper() for f, info in SERVICES[name][0].model_fields.items() if info.is_required()}
    assert required <= set(environment)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_schema_port_and_health_check_match_the_settings(name):
    service, defaults = COMPOSE["services"][name], settings_of(name)
    environment = service["environment"]
    assert environment["DATABASE_SCHEMA"] == defaults.database_schema
    port = int(environment["HTTP_PORT"])
    assert port == defaults.http_port
    assert service["ports"] == [f"{port}:{port}"]
    assert f"http://localhost:{port}/readyz" in " ".join(service["healthcheck"]["test"])
    assert service["command"] == ["python", "-m", f"services.{name}", "serve"]
    assert (ROOT / "services" / name / "__main__.py").exists()


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_services_reach_kafka_and_postgres_where_compose_puts_them(name):
    environment = COMPOSE["services"][name]["environment"]
    kafka = COMPOSE["services"]["kafka"]["environment"]
    assert f"PLAINTEXT://{environment['KAFKA_BOOTSTRAP_SERVERS']}" in kafka["KAFKA_ADVERTISED_LISTENERS"]
    # Each service with its own role, whose password the postgres container gives to deploy/postgres/roles.sql.
    role = f"docket_{name}"
    password = f"DOCKET_{name.upper()}_DB_PASSWORD"
    assert re.fullmatch(
        rf"postgresql\+asyncpg://{role}:\$\{{{password}\}}@postgres:5432/docket", environment["DATABASE_URL"]
    )
    assert password in COMPOSE["services"]["postgres"]["environment"]
    assert int(environment["KAFKA_TOPIC_PARTITIONS"]) == kafka["KAFKA_NUM_PARTITIONS"]


def topics_used() -> set[str]:
    """The topics the services produce to and consume from, and the dead-letter topics of their consumers."""
    used = set()
    for name in SERVICES:
        runtime = runtime_of(name)
        used |= {runtime.produces, *runtime.also_produces, *runtime.consumes}
        if runtime.handlers:
            used.add(topics.dead_letter_topic(f"docket-{name}"))
    return used


def topics_created(command: str) -> set[str]:
    """The topics a `for topic in ...; do kafka-topics.sh --create ...` shell loop creates."""
    assert "--create --if-not-exists" in command
    return set(re.search(r"for topic in (.*?);", command).group(1).split())


def test_the_topic_init_creates_exactly_the_topics_the_services_use():
    command = COMPOSE["services"]["kafka-topics"]["command"][0]
    assert topics_created(command) == topics_used()
    assert "--partitions 3" in command


def topics_configured(command: str) -> dict[str, dict[str, str]]:
    """The configuration a `for topic in ...; do kafka-configs.sh --alter ... --add-config ...` loop gives."""
    [(names, given)] = re.findall(r"for topic in ([^;]*);\s*do \S*kafka-configs\.sh .*?--add-config (\S+)", command)
    config = dict(pair.split("=") for pair in given.split(","))
    return dict.fromkeys(names.split(), config)


def test_the_topic_init_keeps_every_message_of_the_topics_that_witness_the_case_record():
    assert topics_configured(COMPOSE["services"]["kafka-topics"]["command"][0]) == topics.CONFIGS


def test_official_images_and_the_kafka_release_of_the_pom():
    assert COMPOSE["services"]["kafka"]["image"] == f"apache/kafka:{kafka_version()}"
    assert COMPOSE["services"]["kafka-topics"]["image"] == COMPOSE["services"]["kafka"]["image"]
    assert COMPOSE["services"]["postgres"]["image"].startswith("postgres:")
    assert COMPOSE["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert (ROOT / COMPOSE["services"]["intake"]["build"]["dockerfile"]).exists()


ROLES_SQL = (ROOT / "deploy" / "postgres" / "roles.sql").read_text()


def test_postgres_creates_the_roles_and_schemas_the_services_connect_as():
    postgres = COMPOSE["services"]["postgres"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in postgres["volumes"] if volume.startswith("./")}
    assert (ROOT / mounts["/docket/roles.sql"]).resolve() == ROOT / "deploy" / "postgres" / "roles.sql"
    script = (ROOT / mounts["/docker-entrypoint-initdb.d/10-docket-roles.sh"]).read_text()
    for name in (*SERVICES, "keystore", "migrator"):
        assert f"'docket_{name}'" in ROLES_SQL
        assert f'{name}_password="$DOCKET_{name.upper()}_DB_PASSWORD"' in script
        assert f"DOCKET_{name.upper()}_DB_PASSWORD" in postgres["environment"]
    for name in (*SERVICES, "keystore"):
        assert f"('{name}', 'docket_{name}')" in ROLES_SQL  # its schema, owned by the migrator, used by it
    assert "AUTHORIZATION docket_migrator" in ROLES_SQL
    assert '-v database="$POSTGRES_DB"' in script and postgres["environment"]["POSTGRES_DB"] == "docket"


def test_the_migrator_migrates_every_schema_before_the_services_start_and_they_never_hold_it():
    migrate, text = COMPOSE["services"]["migrate"], (ROOT / "docker-compose.yml").read_text()
    assert migrate["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://docket_migrator:")
    assert migrate["environment"]["KEYSTORE_DATABASE_URL"] == migrate["environment"]["DATABASE_URL"]
    assert [f"python -m services.{name} migrate" for name in ("intake", "case", "notifier")] == migrate["command"][
        -1
    ].split(" && ")
    assert text.count("docket_migrator:") == 2  # the migrate container's two URLs, and no service's
    for name in SERVICES:
        service = COMPOSE["services"][name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["environment"]["MIGRATE_ON_START"] == "false"
        assert "MIGRATION_DATABASE_URL" not in service["environment"]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_what_is_in_clear_is_sealed_once_after_the_migrations_and_before_the_service_starts(name):
    """A one-shot container per service that keeps personal data seals what the release before sealing stored
    in clear, as the service's own role with its key store (never as the migrator), between the migrations and
    the service."""
    one_off, service = COMPOSE["services"].get(f"{name}-seal-legacy"), COMPOSE["services"][name]
    assert (one_off is not None) == issubclass(SERVICES[name][0], KeystoreSettings)
    if one_off is None:
        return
    assert one_off["command"] == ["python", "-m", f"services.{name}", "seal-legacy"]
    usage = run_service(name, "--help")
    assert usage.returncode == 0 and "seal-legacy" in usage.stdout
    assert one_off["build"] == service["build"] and "restart" not in one_off
    assert one_off["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert service["depends_on"][f"{name}-seal-legacy"] == {"condition": "service_completed_successfully"}
    environment = one_off["environment"]
    fields = {field.upper() for field in SERVICES[name][0].model_fields}
    required = {f.upper() for f, info in SERVICES[name][0].model_fields.items() if info.is_required()}
    assert required <= set(environment) <= fields
    for key in ("DATABASE_URL", "DATABASE_SCHEMA", "KEYSTORE_DATABASE_URL", "KEYSTORE_MASTER_KEYS", "OIDC_ISSUER"):
        assert environment[key] == service["environment"][key], key


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_only_the_services_that_read_personal_data_hold_the_key_store(name):
    environment = COMPOSE["services"][name]["environment"]
    reads_personal_data = issubclass(SERVICES[name][0], KeystoreSettings)
    assert reads_personal_data == (name != "case")
    assert ("KEYSTORE_MASTER_KEYS" in environment) == reads_personal_data
    assert "KEYSTORE_MASTER_KEY" not in environment  # the single key of deployments before key ids
    assert ("KEYSTORE_DATABASE_URL" in environment) == reads_personal_data
    if reads_personal_data:
        assert environment["KEYSTORE_DATABASE_URL"].startswith(
            "postgresql+asyncpg://docket_keystore:${DOCKET_KEYSTORE_DB_PASSWORD}@postgres"
        )
        assert environment["KEYSTORE_MASTER_KEYS"].startswith("${KEYSTORE_MASTER_KEYS:?")


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_services_trust_the_keycloak_of_the_file_with_docket_s_realm(name):
    keycloak, environment = COMPOSE["services"]["keycloak"], COMPOSE["services"][name]["environment"]
    assert keycloak["image"] == f"quay.io/keycloak/keycloak:{keycloak_version()}"
    assert "./deploy/keycloak/realm:/opt/keycloak/data/import:ro" in keycloak["volumes"]
    assert "--import-realm" in keycloak["command"]
    assert (ROOT / "deploy" / "keycloak" / "realm" / "docket-realm.json").exists()
    assert environment["OIDC_ISSUER"] == f"{keycloak['environment']['KC_HOSTNAME']}/realms/docket"
    assert environment["OIDC_JWKS_URL"].startswith("http://keycloak:8080/realms/docket/")
    assert COMPOSE["services"][name]["depends_on"]["keycloak"] == {"condition": "service_healthy"}


def test_no_secret_is_written_into_the_file():
    text = (ROOT / "docker-compose.yml").read_text()
    for secret in (
        "POSTGRES_PASSWORD",
        "DOCKET_MIGRATOR_DB_PASSWORD",
        "DOCKET_INTAKE_DB_PASSWORD",
        "DOCKET_CASE_DB_PASSWORD",
        "DOCKET_NOTIFIER_DB_PASSWORD",
        "DOCKET_KEYSTORE_DB_PASSWORD",
        "KEYCLOAK_DB_PASSWORD",
        "KEYCLOAK_ADMIN_PASSWORD",
        "KEYSTORE_MASTER_KEYS",
        "CHECKPOINT_SIGNING_KEY",
    ):
        assert f"${{{secret}:?" in text
    assert COMPOSE["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${")


def test_the_realm_compose_imports_has_no_people_and_no_passwords():
    import json

    realm = json.loads((ROOT / "deploy" / "keycloak" / "realm" / "docket-realm.json").read_text())
    assert all("serviceAccountClientId" in user for user in realm.get("users", []))  # service accounts only
    assert "credentials" not in json.dumps(realm) and all("secret" not in c for c in realm["clients"])
