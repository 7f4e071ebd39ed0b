"""docker-compose.yml cannot run here, so it is checked against the services' real settings."""

import re
from pathlib import Path

import pytest
import yaml

from docket_contracts import topics
from docket_devstack.kafka import kafka_version
from services.case.config import CaseSettings
from services.case.main import runtime as case_runtime
from services.intake.config import IntakeSettings
from services.intake.main import runtime as intake_runtime
from services.notifier.config import NotifierSettings
from services.notifier.main import runtime as notifier_runtime

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = {"intake": (IntakeSettings, intake_runtime), "case": (CaseSettings, case_runtime),
            "notifier": (NotifierSettings, notifier_runtime)}


def settings_of(name: str):
    settings_class, _ = SERVICES[name]
    return settings_class(database_url="postgresql+asyncpg://u@h/d")


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
    assert re.fullmatch(r"postgresql\+asyncpg://docket:\$\{POSTGRES_PASSWORD\}@postgres:5432/docket",
                        environment["DATABASE_URL"])
    assert int(environment["KAFKA_TOPIC_PARTITIONS"]) == kafka["KAFKA_NUM_PARTITIONS"]


def test_the_topic_init_creates_exactly_the_topics_the_services_use():
    used = set()
    for name in SERVICES:
        runtime = runtime_of(name)
        used |= {runtime.produces, *runtime.consumes}
        if runtime.handlers:
            used.add(topics.dead_letter_topic(f"docket-{name}"))
    command = COMPOSE["services"]["kafka-topics"]["command"][0]
    created = set(re.search(r"for topic in (.*?);", command).group(1).split())
    assert created == used
    assert "--partitions 3" in command


def test_official_images_and_the_kafka_release_of_the_pom():
    assert COMPOSE["services"]["kafka"]["image"] == f"apache/kafka:{kafka_version()}"
    assert COMPOSE["services"]["kafka-topics"]["image"] == COMPOSE["services"]["kafka"]["image"]
    assert COMPOSE["services"]["postgres"]["image"].startswith("postgres:")
    assert COMPOSE["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert (ROOT / COMPOSE["services"]["intake"]["build"]["dockerfile"]).exists()


def test_no_secret_is_written_into_the_file():
    assert "${POSTGRES_PASSWORD:?" in (ROOT / "docker-compose.yml").read_text()
    assert COMPOSE["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${")
