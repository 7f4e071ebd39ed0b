"""docker-compose.yml cannot run here, so it is checked against the services' real settings."""

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from docket_contracts import topics
from docket_devstack import kafka as devstack_kafka
from docket_devstack.kafka import kafka_version
from docket_devstack.keycloak import CLIENT_SECRET_PLACEHOLDER, keycloak_version
from docket_operator import acls
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
REALM = json.loads((ROOT / "deploy" / "keycloak" / "realm" / "docket-realm.json").read_text())
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


def properties(path: Path) -> dict[str, str]:
    """A Java properties file as Kafka reads it: `key=value` lines, a trailing backslash continuing a line."""
    found, pending = {}, ""
    for line in path.read_text().splitlines():
        line = pending + (line.lstrip() if pending else line)
        if line.endswith("\\"):
            pending = line[:-1]
            continue
        pending = ""
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            found[key.strip()] = value.strip()
    return found


BROKER = properties(ROOT / "deploy" / "kafka" / "server.properties")
BROKER_ADMIN = properties(ROOT / "deploy" / "kafka" / "admin.properties")


def listeners(setting: str) -> dict[str, str]:
    """`NAME://host:port,...` by listener name."""
    return dict(entry.split("://", 1) for entry in BROKER[setting].split(","))


def listener_protocol(name: str) -> str:
    return dict(entry.split(":") for entry in BROKER["listener.security.protocol.map"].split(","))[name]


def super_user_password_reference() -> str:
    """The broker's super user is `broker`, in its super.users and its listeners' PLAIN logins alike."""
    user = BROKER["super.users"].removeprefix("User:")
    assert user == devstack_kafka.SUPER_USER
    for listener in ("internal", "controller"):
        jaas = BROKER[f"listener.name.{listener}.plain.sasl.jaas.config"]
        assert f'username="{user}"' in jaas and f'user_{user}="${{env:KAFKA_ADMIN_PASSWORD}}"' in jaas
    return "${env:KAFKA_ADMIN_PASSWORD}"


def mounts(service: str) -> dict[str, str]:
    """Where each file or folder of the repository is mounted in the compose service, by its path there."""
    found = {}
    for volume in COMPOSE["services"][service].get("volumes", []):
        if isinstance(volume, dict):
            assert volume["type"] == "bind" and volume["read_only"] is True
            found[volume["target"]] = volume["source"]
        elif volume.startswith("./"):
            source, target, *_ = volume.split(":")
            found[target] = source
    return found


def compose_variables(value: str) -> set[str]:
    """The variables of the environment (or .env) that compose puts into `value`."""
    return set(re.findall(r"\$\{([A-Z0-9_]+)", value))


def holders(variable: str) -> set[str]:
    """The compose services given the value of `variable` from compose's environment."""
    return {
        name
        for name, service in COMPOSE["services"].items()
        if any(variable in compose_variables(str(value)) for value in service.get("environment", {}).values())
    }


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_services_reach_kafka_and_postgres_where_compose_puts_them(name):
    environment = COMPOSE["services"][name]["environment"]
    assert environment["KAFKA_BOOTSTRAP_SERVERS"] == listeners("advertised.listeners")["CLIENTS"]
    assert environment["KAFKA_SECURITY_PROTOCOL"] == listener_protocol("CLIENTS") == "SASL_SSL"
    assert mounts(name)[environment["KAFKA_SSL_CAFILE"]] == "./deploy/kafka/tls/kafka-ca.crt"
    # Each service with its own role, whose password the postgres container gives to deploy/postgres/roles.sql.
    role = f"docket_{name}"
    password = f"DOCKET_{name.upper()}_DB_PASSWORD"
    assert re.fullmatch(
        rf"postgresql\+asyncpg://{role}:\$\{{{password}\}}@postgres:5432/docket", environment["DATABASE_URL"]
    )
    assert password in COMPOSE["services"]["postgres"]["environment"]
    assert environment["KAFKA_TOPIC_PARTITIONS"] == int(BROKER["num.partitions"])


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_service_signs_in_to_kafka_as_its_own_client_of_the_realm(name):
    environment, keycloak = COMPOSE["services"][name]["environment"], COMPOSE["services"]["keycloak"]["environment"]
    client_id = environment["KAFKA_OAUTH_CLIENT_ID"]
    assert client_id == acls.SERVICE_PRINCIPALS[name]  # whose ACLs let it write its own topic
    [client] = [c for c in REALM["clients"] if c["clientId"] == client_id]
    assert (
        client["serviceAccountsEnabled"]
        and not client["publicClient"]
        and "docket-kafka" in client["defaultClientScopes"]
    )
    # The realm's import fills the client's secret from Keycloak's environment; the service holds the same value.
    [variable] = CLIENT_SECRET_PLACEHOLDER.findall(client["secret"])
    assert keycloak[variable] == f"${{{variable}:?set {variable}}}"
    assert environment["KAFKA_OAUTH_CLIENT_SECRET"] == keycloak[variable]
    assert holders(variable) == {"keycloak", name}
    token_url = f"http://keycloak:8080/realms/{REALM['realm']}/protocol/openid-connect/token"
    assert environment["KAFKA_OAUTH_TOKEN_URL"] == token_url  # inside compose's network, not the issuer's address


def test_keycloak_is_given_every_client_secret_the_realm_names():
    keycloak = COMPOSE["services"]["keycloak"]["environment"]
    named = set(CLIENT_SECRET_PLACEHOLDER.findall(json.dumps(REALM)))
    assert named == {f"{acls.OPERATOR.upper().replace('-', '_')}_CLIENT_SECRET"} | {
        f"DOCKET_{name.upper()}_CLIENT_SECRET" for name in SERVICES
    }
    for variable in named:  # a client whose placeholder is not filled would have it as its secret
        assert keycloak[variable] == f"${{{variable}:?set {variable}}}"
    assert holders(f"{acls.OPERATOR.upper().replace('-', '_')}_CLIENT_SECRET") == {"keycloak"}


def test_the_broker_checks_the_realm_s_tokens_and_the_acls_as_the_devstack_s_does():
    keycloak, intake = COMPOSE["services"]["keycloak"], COMPOSE["services"]["intake"]["environment"]
    assert BROKER["sasl.oauthbearer.jwks.endpoint.url"] == intake["OIDC_JWKS_URL"]
    assert (
        BROKER["sasl.oauthbearer.expected.issuer"]
        == intake["OIDC_ISSUER"]
        == (f"{keycloak['environment']['KC_HOSTNAME']}/realms/{REALM['realm']}")
    )
    assert BROKER["sasl.oauthbearer.expected.audience"] == devstack_kafka.AUDIENCE
    [scope] = [scope for scope in REALM["clientScopes"] if scope["name"] == devstack_kafka.AUDIENCE]
    assert scope["protocolMappers"][0]["config"]["included.custom.audience"] == devstack_kafka.AUDIENCE
    assert BROKER["sasl.oauthbearer.sub.claim.name"] == devstack_kafka.PRINCIPAL_CLAIM
    assert BROKER["authorizer.class.name"].endswith(".StandardAuthorizer")
    assert BROKER["allow.everyone.if.no.acl.found"] == "false"
    kafka = COMPOSE["services"]["kafka"]["environment"]
    allowed = "-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls="
    assert kafka["KAFKA_OPTS"] == allowed + BROKER["sasl.oauthbearer.jwks.endpoint.url"]
    assert COMPOSE["services"]["kafka"]["depends_on"]["keycloak"] == {"condition": "service_healthy"}
    assert BROKER["listener.name.clients.sasl.enabled.mechanisms"] == "OAUTHBEARER"
    assert (
        "OAuthBearerValidatorCallbackHandler"
        in BROKER["listener.name.clients.oauthbearer.sasl.server.callback.handler.class"]
    )


def test_every_listener_reached_from_outside_the_broker_s_container_takes_tls():
    bound = listeners("listeners")
    for name, address in bound.items():
        if address.split(":")[0] in ("localhost", "127.0.0.1"):
            continue  # the controller's, for the broker alone
        assert listener_protocol(name) == "SASL_SSL", name
    assert bound[BROKER["controller.listener.names"]].startswith("localhost:")
    assert BROKER["controller.quorum.voters"] == f"1@{bound[BROKER['controller.listener.names']]}"
    assert set(listeners("advertised.listeners")) == set(bound) - {BROKER["controller.listener.names"]}
    kafka = mounts("kafka")
    assert kafka[BROKER["ssl.keystore.location"]] == "./deploy/kafka/tls/kafka-broker.pem"
    assert kafka[BROKER["ssl.truststore.location"]] == "./deploy/kafka/tls/kafka-ca.crt"
    assert kafka[BROKER_ADMIN["ssl.truststore.location"]] == "./deploy/kafka/tls/kafka-ca.crt"
    # The broker's key is in the broker's container and nowhere else.
    assert [name for name in COMPOSE["services"] if "./deploy/kafka/tls/kafka-broker.pem" in mounts(name).values()] == [
        "kafka"
    ]


def test_the_super_user_s_password_is_the_broker_s_and_the_acl_job_s_alone():
    reference = super_user_password_reference()
    assert BROKER_ADMIN["sasl.jaas.config"].endswith(f'username="{devstack_kafka.SUPER_USER}" password="{reference}";')
    assert holders("KAFKA_ADMIN_PASSWORD") == {"kafka", "kafka-acls"}
    kafka = COMPOSE["services"]["kafka"]
    assert kafka["environment"]["KAFKA_ADMIN_PASSWORD"] == "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD}"
    assert BROKER["config.providers.env.class"].endswith(".EnvVarConfigProvider")  # reads ${env:...}
    assert BROKER_ADMIN["config.providers.env.class"] == BROKER["config.providers.env.class"]
    health = " ".join(kafka["healthcheck"]["test"])
    config = f"--command-config {next(t for t, s in mounts('kafka').items() if s.endswith('admin.properties'))}"
    internal_port = listeners("listeners")["INTERNAL"].rsplit(":", 1)[1]
    assert f"--bootstrap-server localhost:{internal_port}" in health and config in health


def test_the_broker_runs_the_configuration_of_the_repository():
    kafka = COMPOSE["services"]["kafka"]
    command = " ".join(kafka["command"])
    config = next(t for t, s in mounts("kafka").items() if s == "./deploy/kafka/server.properties")
    assert f'kafka-storage.sh format --ignore-formatted --cluster-id "$$KAFKA_CLUSTER_ID" --config {config}' in command
    assert command.endswith(f"exec /opt/kafka/bin/kafka-server-start.sh {config}")
    assert "kafka-data:" + BROKER["log.dirs"] in kafka["volumes"]


def topics_used() -> set[str]:
    """The topics the services produce to and consume from, and the dead-letter topics of their consumers."""
    used = set()
    for name in SERVICES:
        runtime = runtime_of(name)
        used |= {runtime.produces, *runtime.also_produces, *runtime.consumes}
        if runtime.handlers:
            used.add(topics.dead_letter_topic(f"docket-{name}"))
    return used


def acl_job_arguments(command: list[str]) -> dict[str, list[str]]:
    """The options of `python -m docket_operator.acls ...`, each with its values."""
    assert command[:3] == ["python", "-m", "docket_operator.acls"]
    found: dict[str, list[str]] = {}
    for option, value in zip(command[3::2], command[4::2], strict=True):
        found.setdefault(option, []).append(value)
    return found


def test_the_acl_job_sets_up_every_topic_and_acl_before_the_services_start():
    job = COMPOSE["services"]["kafka-acls"]
    assert set(acls.docket_topics()) == topics_used()
    arguments, environment = acl_job_arguments(job["command"]), job["environment"]
    assert arguments["--bootstrap"] == [listeners("advertised.listeners")["INTERNAL"]]
    assert environment["KAFKA_SECURITY_PROTOCOL"] == listener_protocol("INTERNAL")
    assert environment["KAFKA_ADMIN_USERNAME"] == devstack_kafka.SUPER_USER
    assert mounts("kafka-acls")[environment["KAFKA_SSL_CAFILE"]] == "./deploy/kafka/tls/kafka-ca.crt"
    assert environment["KAFKA_TOPIC_PARTITIONS"] == int(BROKER["num.partitions"])
    [realm] = arguments["--realm"]  # the realm's integrators get their ACLs too
    folder = mounts("kafka-acls")[str(Path(realm).parent)]
    assert (ROOT / folder / Path(realm).name).resolve() == ROOT / "deploy" / "keycloak" / "realm" / "docket-realm.json"
    assert job["depends_on"]["kafka"] == {"condition": "service_healthy"}
    assert job["build"] == COMPOSE["services"]["intake"]["build"]  # the image that holds docket_operator
    for name in SERVICES:
        assert COMPOSE["services"][name]["depends_on"]["kafka-acls"] == {"condition": "service_completed_successfully"}


def tls_step() -> str:
    """The command line of the operations page's compose section that makes the broker's certificate."""
    section = (ROOT / "docs" / "operations.md").read_text().split("\n## docker compose\n", 1)[1].split("\n## ", 1)[0]
    [step] = [line for line in section.splitlines() if line.startswith("python3 deploy/kafka/tls.py ")]
    return step.split("#")[0].strip()


def test_the_tls_step_writes_the_files_compose_mounts(tmp_path):
    step = tls_step()
    assert f"#   {step}\n" in (ROOT / "docker-compose.yml").read_text()  # its header says the same
    (tmp_path / "deploy" / "kafka").mkdir(parents=True)
    (tmp_path / "deploy" / "kafka" / "tls.py").write_bytes((ROOT / "deploy" / "kafka" / "tls.py").read_bytes())
    command = [sys.executable if part == "python3" else part for part in shlex.split(step)]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    sources = {s for name in COMPOSE["services"] for s in mounts(name).values() if s.startswith("./deploy/kafka/tls/")}
    assert {f"./{path.relative_to(tmp_path)}" for path in (tmp_path / "deploy" / "kafka" / "tls").iterdir()} == sources
    assert (tmp_path / "deploy" / "kafka" / "tls").stat().st_mode & 0o777 == 0o700
    ca, broker = tmp_path / "deploy/kafka/tls/kafka-ca.crt", tmp_path / "deploy/kafka/tls/kafka-broker.pem"
    assert broker.read_text().startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8, as Kafka reads PEM keys
    for name in ("kafka", "localhost"):  # the names the services and the health check reach the broker by
        verify = ["openssl", "verify", "-CAfile", str(ca), "-verify_hostname", name, str(broker)]
        assert subprocess.run(verify, capture_output=True, text=True, check=False).returncode == 0, name
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "exists" in again.stderr


def test_official_images_and_the_kafka_release_of_the_pom():
    assert COMPOSE["services"]["kafka"]["image"] == f"apache/kafka:{kafka_version()}"
    assert COMPOSE["services"]["postgres"]["image"].startswith("postgres:")
    assert BROKER["process.roles"] == "broker,controller"
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
        "KAFKA_ADMIN_PASSWORD",
        *(f"DOCKET_{name.upper()}_CLIENT_SECRET" for name in (*SERVICES, "operator")),
    ):
        assert f"${{{secret}:?" in text
    assert COMPOSE["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${")


def test_the_realm_compose_imports_has_no_people_and_no_passwords():
    assert all("serviceAccountClientId" in user for user in REALM.get("users", []))  # service accounts only
    assert "credentials" not in json.dumps(REALM)
    for client in REALM["clients"]:  # a client's secret is Keycloak's own, or a placeholder its environment fills
        assert "secret" not in client or CLIENT_SECRET_PLACEHOLDER.fullmatch(client["secret"]), client["clientId"]
