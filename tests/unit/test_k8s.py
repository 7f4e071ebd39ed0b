"""deploy/k8s cannot be applied here, so its manifests are validated against Kubernetes' schemas
(kubernetes-validate) and checked against the services' code, as test_compose.py checks docker-compose.yml.

kustomize is not installed either: `build` assembles a kustomization the way kustomize does for the few of
its fields the manifests use (resources, generators from files and env files without name hashes, strategic
merge patches of maps, images, replicas, namespace) and refuses any other field, so that it never silently
builds something kustomize would not.
"""

from __future__ import annotations

import base64
import copy
import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from docket_devstack import kafka as devstack_kafka
from docket_devstack.kafka import kafka_version
from docket_devstack.keycloak import CLIENT_SECRET_PLACEHOLDER, keycloak_version
from docket_operator import acls
from docket_service.http import health
from tests.unit.test_cli import run_service
from tests.unit.test_compose import (
    BROKER,
    COMPOSE,
    REALM,
    SERVICES,
    acl_job_arguments,
    listener_protocol,
    listeners,
    super_user_password_reference,
    topics_used,
)
from tests.unit.test_image import FINAL

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
Resource = dict[str, Any]
KUSTOMIZATION_FIELDS = {
    "apiVersion",
    "kind",
    "resources",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "patches",
    "images",
    "replicas",
    "namespace",
}


def merge(base: Any, patch: Any) -> Any:
    """A strategic merge patch as kustomize applies it to these manifests: maps merge key by key (null
    deletes), lists of named items merge by name, other lists and values are replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = merge(base[key], value) if key in base else value
        return merged
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(i, dict) and "name" in i for i in base + patch)
    ):
        by_name = {item["name"]: item for item in base}
        for item in patch:
            by_name[item["name"]] = merge(by_name[item["name"]], item) if item["name"] in by_name else item
        return list(by_name.values())
    return patch


def generated(kind: str, generator: dict[str, Any], directory: Path, read: Callable[[Path], str]) -> Resource:
    data = {}
    for file in generator.get("files", []):
        data[Path(file).name] = read(directory / file)
    for env in generator.get("envs", []):
        data |= dict(line.split("=", 1) for line in read(directory / env).splitlines() if line and line[0] != "#")
    assert set(generator) <= {"name", "files", "envs"}
    return {
        "apiVersion": "v1",
        "kind": kind,
        "metadata": {"name": generator["name"]},
        "stringData" if kind == "Secret" else "data": data,
    }


def build(directory: Path, read: Callable[[Path], str] = Path.read_text) -> list[Resource]:
    """The resources kustomize builds from `directory`; `read` reads the files of its generators."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    assert set(kustomization) <= KUSTOMIZATION_FIELDS, set(kustomization) - KUSTOMIZATION_FIELDS
    resources: list[Resource] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        resources += build(path, read) if path.is_dir() else [r for r in yaml.safe_load_all(path.read_text()) if r]
    if "configMapGenerator" in kustomization or "secretGenerator" in kustomization:
        assert kustomization["generatorOptions"] == {"disableNameSuffixHash": True}
    resources += [generated("ConfigMap", g, directory, read) for g in kustomization.get("configMapGenerator", [])]
    resources += [generated("Secret", g, directory, read) for g in kustomization.get("secretGenerator", [])]
    for patch_file in kustomization.get("patches", []):
        assert set(patch_file) == {"path"}
        for patch in yaml.safe_load_all((directory / patch_file["path"]).read_text()):
            [index] = [
                i
                for i, r in enumerate(resources)
                if (r["kind"], r["metadata"]["name"]) == (patch["kind"], patch["metadata"]["name"])
            ]
            resources[index] = merge(resources[index], patch)
    for resource in resources:
        for container in containers(resource):
            for image in kustomization.get("images", []):
                if container["image"] == image["name"]:
                    container["image"] = f"{image['newName']}:{image['newTag']}"
        for replicas in kustomization.get("replicas", []):
            if resource["kind"] == "Deployment" and resource["metadata"]["name"] == replicas["name"]:
                resource["spec"]["replicas"] = replicas["count"]
        if "namespace" in kustomization and resource["kind"] != "Namespace":
            resource["metadata"]["namespace"] = kustomization["namespace"]
    return copy.deepcopy(resources)


def containers(resource: Resource) -> list[dict[str, Any]]:
    pod = resource.get("spec", {}).get("template", {}).get("spec", {})
    return pod.get("initContainers", []) + pod.get("containers", [])


def trial_secrets() -> dict[str, str]:
    """What write_secrets.py writes into the trial's secrets/, by file name: env files and the broker's TLS."""
    spec = importlib.util.spec_from_file_location("trial_secrets", K8S / "overlays" / "trial" / "write_secrets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    env_files = {f"{name}.env": module.env_file(values) for name, values in module.generate().items()}
    return env_files | module.kafka_tls().certificates()


def read_generated(path: Path) -> str:
    """A file of the trial's generators: those of secrets/ as write_secrets.py makes them, the others from git."""
    return TRIAL_SECRETS[path.name] if path.parent.name == "secrets" else path.read_text()


TRIAL_SECRETS = trial_secrets()
BASE = build(K8S / "base")
TRIAL = build(K8S / "overlays" / "trial", read_generated)
# Settings no serving process is given: the owner's URLs (the migrate Jobs hold the owner's password, as
# DATABASE_URL), and the single master key of deployments before master keys had ids.
NOT_IN_SERVICES = {"MIGRATION_DATABASE_URL", "KEYSTORE_MIGRATION_DATABASE_URL", "KEYSTORE_MASTER_KEY"}
SECRETS = {
    "DATABASE_URL",
    "KEYSTORE_DATABASE_URL",
    "KEYSTORE_MASTER_KEYS",
    "CHECKPOINT_SIGNING_KEY",
    "COOPERATION_SIGNING_KEY",
    "SMTP_PASSWORD",
    "KAFKA_OAUTH_CLIENT_SECRET",
}
# Where the base deliberately differs from the code's defaults (in-cluster addresses, pods, the Jobs).
NOT_DEFAULTS = {
    "KAFKA_BOOTSTRAP_SERVERS",
    "KAFKA_SECURITY_PROTOCOL",
    "KAFKA_OAUTH_CLIENT_ID",
    "OIDC_ISSUER",
    "HTTP_HOST",
    "MIGRATE_ON_START",
}


def the(resources: list[Resource], kind: str, name: str) -> Resource:
    [found] = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    return found


def environment(resources: list[Resource], container: dict[str, Any]) -> dict[str, str]:
    """What the container's environment holds, source by source as Kubernetes fills it (later wins)."""
    values: dict[str, str] = {}
    for source in container["envFrom"]:
        if "configMapRef" in source:
            values |= the(resources, "ConfigMap", source["configMapRef"]["name"])["data"]
        else:
            values |= the(resources, "Secret", source["secretRef"]["name"])["stringData"]
    return values | {variable["name"]: variable["value"] for variable in container.get("env", [])}


def fields(name: str) -> set[str]:
    return {field.upper() for field in SERVICES[name][0].model_fields}


def read_from(monkeypatch: pytest.MonkeyPatch, name: str, values: dict[str, str]) -> Any:
    """The service's settings as it reads them from an environment holding `values` and nothing else of its."""
    for variable in fields(name):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in values.items():
        monkeypatch.setenv(variable, value)
    return SERVICES[name][0]()


@pytest.mark.parametrize("resources", [BASE, TRIAL], ids=["base", "trial"])
def test_every_resource_is_valid_for_kubernetes(resources):
    for version in ("1.31.0", kubernetes_validate.utils.latest_version()):
        for resource in resources:
            kubernetes_validate.validate(resource, version, strict=True)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_deployment_serves_the_service_on_its_port_with_its_health_routes(name):
    deployment = the(BASE, "Deployment", name)
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    port = int(the(BASE, "ConfigMap", f"docket-{name}")["data"]["HTTP_PORT"])
    assert port == SERVICES[name][0].model_fields["http_port"].default
    assert container["command"] == ["python", "-m", f"services.{name}", "serve"] and container["image"] == "docket"
    assert container["ports"] == [{"name": "http", "containerPort": port}]
    routes = {route.path for route in health.routes}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] in routes and {"/healthz", "/readyz"} <= routes
    assert {"cpu", "memory"} <= set(container["resources"]["requests"]) and "memory" in container["resources"]["limits"]
    service = the(BASE, "Service", name)
    assert service["spec"]["ports"] == [{"name": "http", "port": port, "targetPort": "http"}]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_disruption_budget_keeps_all_but_one_replica_through_a_drain(name):
    budget, deployment = the(BASE, "PodDisruptionBudget", name), the(BASE, "Deployment", name)
    assert budget["spec"]["maxUnavailable"] == 1
    assert budget["spec"]["selector"] == deployment["spec"]["selector"]
    assert deployment["spec"]["replicas"] >= 2


@pytest.mark.parametrize("resources", [BASE, TRIAL], ids=["base", "trial"])
def test_every_pod_runs_as_the_image_s_unprivileged_user(resources):
    uid = int(FINAL.arguments("USER")[0].split(":")[0])
    for resource in resources:
        if any(container["image"].startswith("docket") for container in containers(resource)):
            security = resource["spec"]["template"]["spec"]["securityContext"]
            assert security["runAsNonRoot"] and security["runAsUser"] == uid
            for container in containers(resource):
                assert container["securityContext"]["allowPrivilegeEscalation"] is False
                assert container["securityContext"]["readOnlyRootFilesystem"] is True


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_setting_the_service_reads_is_in_its_config_maps_or_its_secret(name, monkeypatch):
    [container] = the(TRIAL, "Deployment", name)["spec"]["template"]["spec"]["containers"]
    values = environment(TRIAL, container)
    assert set(values) & fields(name) == fields(name) - NOT_IN_SERVICES
    own = set(the(TRIAL, "ConfigMap", f"docket-{name}")["data"]) | set(
        the(TRIAL, "Secret", f"docket-{name}")["stringData"]
    )
    assert own <= fields(name)  # the service's own sources hold only its settings
    assert set(the(TRIAL, "Secret", f"docket-{name}")["stringData"]) == SECRETS & fields(name)
    settings = read_from(monkeypatch, name, values)
    assert settings.migrate_on_start is False and settings.http_host == "0.0.0.0"


def test_the_shared_config_map_holds_settings_some_service_reads_and_no_secret():
    shared = set(the(BASE, "ConfigMap", "docket")["data"])
    assert shared <= set().union(*map(fields, SERVICES))
    for config_map in (r for r in BASE if r["kind"] == "ConfigMap"):
        assert not set(config_map["data"]) & SECRETS
    assert not [r for r in BASE if r["kind"] == "Secret"]  # an overlay brings them, never the base


def test_the_base_values_are_the_code_s_defaults_where_it_does_not_say_why_not(monkeypatch):
    for name, (settings_class, _) in SERVICES.items():
        values = {**the(BASE, "ConfigMap", "docket")["data"], **the(BASE, "ConfigMap", f"docket-{name}")["data"]}
        parsed = read_from(monkeypatch, name, values | {"DATABASE_URL": "postgresql+asyncpg://u@h/d"})
        for key in set(values) & fields(name) - NOT_DEFAULTS:
            field = settings_class.model_fields[key.lower()]
            unset = (None, "", [])
            value, default = getattr(parsed, key.lower()), field.get_default(call_default_factory=True)
            assert (value in unset and default in unset) or value == default, f"{name}: {key}"


def test_the_commands_the_pods_run_are_the_services_commands():
    commands = {c["command"][3] for r in BASE for c in containers(r)}
    assert commands == {"serve", "migrate", "wait-for-migrations", "seal-legacy", "wait-for-kafka"}
    for name in SERVICES:
        run = [
            c["command"]
            for r in BASE
            for c in containers(r)
            if c["command"][:3] == ["python", "-m", f"services.{name}"]
        ]
        usage = run_service(name, "--help")
        assert usage.returncode == 0 and all(word in usage.stdout for command in run for word in command[3:])


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_the_service_starts_once_its_migrate_job_has_brought_its_schemas_to_head(name):
    pod = the(BASE, "Deployment", name)["spec"]["template"]["spec"]
    [wait], [container] = [c for c in pod["initContainers"] if c["name"] == "wait-for-migrations"], pod["containers"]
    assert wait["command"] == ["python", "-m", f"services.{name}", "wait-for-migrations"]
    assert wait["envFrom"] == container["envFrom"]  # it reads with the service's own roles
    [job] = the(BASE, "Job", f"{name}-migrate")["spec"]["template"]["spec"]["containers"]
    assert job["command"][:3] == wait["command"][:3]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_migrate_job_per_service_holds_the_owner_s_password_and_no_service_does(name):
    job = the(TRIAL, "Job", f"{name}-migrate")
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["python", "-m", f"services.{name}", "migrate"]
    values = environment(TRIAL, container)
    assert urlsplit(values["DATABASE_URL"]).username == "docket_migrator"
    assert values["DATABASE_SCHEMA"] == SERVICES[name][0].model_fields["database_schema"].default
    assert "KEYSTORE_MASTER_KEYS" not in values and "KEYSTORE_MASTER_KEY" not in values
    if "KEYSTORE_DATABASE_URL" in fields(name):
        assert urlsplit(values["KEYSTORE_DATABASE_URL"]).username == "docket_migrator"
    served = environment(TRIAL, the(TRIAL, "Deployment", name)["spec"]["template"]["spec"]["containers"][0])
    assert urlsplit(served["DATABASE_URL"]).username == f"docket_{name}" and served["MIGRATE_ON_START"] == "false"
    if "KEYSTORE_DATABASE_URL" in fields(name):
        assert urlsplit(served["KEYSTORE_DATABASE_URL"]).username == "docket_keystore"
    holders = [
        r["metadata"]["name"]
        for r in TRIAL
        for c in containers(r)
        if {"secretRef": {"name": "docket-migrator"}} in c.get("envFrom", [])
    ]
    assert sorted(holders) == sorted(f"{service}-migrate" for service in SERVICES)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_seal_legacy_job_seals_as_the_service_after_the_migrations_and_before_it_serves(name, monkeypatch):
    """What the release before sealing stored in clear is sealed once per release, by a Job that waits for the
    schemas alone, as the service's own role with the key store and its master key (which no migrate Job
    holds); the serving pods' init container waits for the schemas and for the seal (no --schemas-only)."""
    jobs = [r for r in BASE if r["kind"] == "Job" and r["metadata"]["name"] == f"{name}-seal-legacy"]
    assert bool(jobs) == ("KEYSTORE_MASTER_KEYS" in fields(name))
    if not jobs:
        return
    [job] = jobs
    pod = job["spec"]["template"]["spec"]
    [wait], [container] = pod["initContainers"], pod["containers"]
    assert wait["command"] == ["python", "-m", f"services.{name}", "wait-for-migrations", "--schemas-only"]
    assert container["command"] == ["python", "-m", f"services.{name}", "seal-legacy"]
    served = the(BASE, "Deployment", name)["spec"]["template"]["spec"]
    assert wait["envFrom"] == container["envFrom"] == served["containers"][0]["envFrom"]
    # the serving pods wait for the schemas and the seal, then for Kafka (the ACL Job's test checks that one)
    assert [c["command"][3:] for c in served["initContainers"]] == [["wait-for-migrations"], ["wait-for-kafka"]]
    labels = job["metadata"]["labels"]
    assert (
        labels["app.kubernetes.io/component"] == "seal-legacy"
        and job["spec"]["template"]["metadata"]["labels"] == labels
    )
    [trial] = the(TRIAL, "Job", f"{name}-seal-legacy")["spec"]["template"]["spec"]["containers"]
    values = environment(TRIAL, trial)
    assert urlsplit(values["DATABASE_URL"]).username == f"docket_{name}"
    assert urlsplit(values["KEYSTORE_DATABASE_URL"]).username == "docket_keystore"
    assert read_from(monkeypatch, name, values).keystore_master_keys is not None


def test_the_release_notes_delete_every_finished_job_of_the_base():
    notes = (ROOT / "docs" / "operations.md").read_text()
    [selector] = re.findall(r"kubectl delete job -l 'app\.kubernetes\.io/component in \(([^)]*)\)'", notes)
    jobs = [r for r in BASE if r["kind"] == "Job"]
    assert {part.strip() for part in selector.split(",")} == {
        job["metadata"]["labels"]["app.kubernetes.io/component"] for job in jobs
    }
    assert all(job["spec"]["template"]["metadata"]["labels"] == job["metadata"]["labels"] for job in jobs)


def test_the_case_service_runs_several_replicas_as_one_consumer_group():
    for resources in (BASE, TRIAL):
        replicas = the(resources, "Deployment", "case")["spec"]["replicas"]
        partitions = int(the(resources, "ConfigMap", "docket")["data"]["KAFKA_TOPIC_PARTITIONS"])
        assert 2 <= replicas <= partitions  # more replicas than partitions would stand idle
    # One group: every replica has the same settings (nothing per pod), and the group is the service's name.
    [container] = the(TRIAL, "Deployment", "case")["spec"]["template"]["spec"]["containers"]
    assert "env" not in container and all(
        set(source) <= {"configMapRef", "secretRef"} for source in container["envFrom"]
    )


def test_the_trial_runs_the_docket_image_and_the_releases_compose_runs():
    images = {c["image"] for r in TRIAL for c in containers(r)}
    assert images == {
        "docket:trial",
        f"apache/kafka:{kafka_version()}",
        "postgres:18",
        f"quay.io/keycloak/keycloak:{keycloak_version()}",
    }
    assert {r["metadata"].get("namespace") for r in TRIAL if r["kind"] != "Namespace"} == {"docket-trial"}
    assert the(TRIAL, "Deployment", "intake")["spec"]["replicas"] == 1


def mounted(resources: list[Resource], resource: Resource, container: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The files each volume mount of the container shows, by mount path: {file name: content}."""
    volumes = {volume["name"]: volume for volume in resource["spec"]["template"]["spec"].get("volumes", [])}
    found = {}
    for mount in container.get("volumeMounts", []):
        volume = volumes.get(mount["name"], {})
        sources = [{key: volume[key]} for key in ("configMap", "secret") if key in volume]
        sources += volume.get("projected", {}).get("sources", [])
        files: dict[str, str] = {}
        for source in sources:
            [(kind, reference)] = source.items()
            generated = the(resources, "ConfigMap" if kind == "configMap" else "Secret", reference["name"])
            files |= generated.get("data") or generated["stringData"]
        found[mount["mountPath"]] = files
    return found


def mounted_file(resources: list[Resource], resource: Resource, container: dict[str, Any], path: str) -> str:
    folder, name = path.rsplit("/", 1)
    return mounted(resources, resource, container)[folder][name]


def test_the_trial_s_kafka_runs_compose_s_broker_configuration():
    kafka_set = the(TRIAL, "StatefulSet", "kafka")
    [kafka] = kafka_set["spec"]["template"]["spec"]["containers"]
    [compose_kafka] = [COMPOSE["services"]["kafka"]]
    files = mounted(TRIAL, kafka_set, kafka)
    assert files["/etc/kafka/docket"] == {
        "server.properties": (ROOT / "deploy" / "kafka" / "server.properties").read_text(),
        "admin.properties": (ROOT / "deploy" / "kafka" / "admin.properties").read_text(),
    }
    assert kafka["command"][-1] == " ".join(compose_kafka["command"]).replace("$$", "$")
    env = {variable["name"]: variable["value"] for variable in kafka["env"]}
    for name in ("KAFKA_CLUSTER_ID", "KAFKA_HEAP_OPTS", "KAFKA_OPTS"):
        assert env[name] == compose_kafka["environment"][name], name
    assert {mount["mountPath"] for mount in kafka["volumeMounts"]} >= {BROKER["log.dirs"]}
    # Where the configuration reads the broker's key and its authority, and the broker's password.
    tls = TRIAL_SECRETS
    assert mounted_file(TRIAL, kafka_set, kafka, BROKER["ssl.keystore.location"]) == tls["kafka-broker.pem"]
    assert mounted_file(TRIAL, kafka_set, kafka, BROKER["ssl.truststore.location"]) == tls["kafka-ca.crt"]
    assert super_user_password_reference() == "${env:KAFKA_ADMIN_PASSWORD}"
    assert "KAFKA_ADMIN_PASSWORD" in environment(TRIAL, kafka)
    service_ports = {port["name"]: port["port"] for port in the(TRIAL, "Service", "kafka")["spec"]["ports"]}
    advertised = listeners("advertised.listeners")
    assert {f"kafka:{port}" for port in service_ports.values()} == set(advertised.values())
    assert {port["name"]: port["containerPort"] for port in kafka["ports"]} == service_ports


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_the_trial_s_services_sign_in_to_its_kafka_over_tls_as_their_own_clients(name):
    deployment = the(TRIAL, "Deployment", name)
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    values = environment(TRIAL, container)
    assert values["KAFKA_BOOTSTRAP_SERVERS"] == listeners("advertised.listeners")["CLIENTS"]
    assert values["KAFKA_SECURITY_PROTOCOL"] == listener_protocol("CLIENTS") == "SASL_SSL"
    for running in (container, *pod["initContainers"]):
        if running["name"] != "wait-for-migrations":
            ca = mounted_file(TRIAL, deployment, running, values["KAFKA_SSL_CAFILE"])
            assert ca == TRIAL_SECRETS["kafka-ca.crt"]
    assert (
        values["KAFKA_OAUTH_TOKEN_URL"] == f"http://keycloak:8080/realms/{REALM['realm']}/protocol/openid-connect/token"
    )
    client_id = values["KAFKA_OAUTH_CLIENT_ID"]
    assert client_id == acls.SERVICE_PRINCIPALS[name]
    [client] = [c for c in REALM["clients"] if c["clientId"] == client_id]
    [variable] = CLIENT_SECRET_PLACEHOLDER.findall(client["secret"])
    keycloak = the(TRIAL, "Secret", "keycloak")["stringData"]
    assert values["KAFKA_OAUTH_CLIENT_SECRET"] == keycloak[variable]  # what Keycloak's realm import was given


def test_keycloak_is_given_every_client_secret_the_realm_names_and_each_is_held_by_its_client_alone():
    keycloak = the(TRIAL, "Secret", "keycloak")["stringData"]
    named = set(CLIENT_SECRET_PLACEHOLDER.findall(json.dumps(REALM)))
    assert named <= set(keycloak)  # a placeholder Keycloak could not fill would be the client's secret
    secrets = {variable: keycloak[variable] for variable in named}
    assert len(set(secrets.values())) == len(secrets)
    for variable, value in secrets.items():
        client = variable.removesuffix("_CLIENT_SECRET").lower().replace("_", "-")
        holders = {r["metadata"]["name"] for r in TRIAL if r["kind"] == "Secret" and value in r["stringData"].values()}
        assert holders == {"keycloak", client}, variable
    [keycloak_pod] = the(TRIAL, "Deployment", "keycloak")["spec"]["template"]["spec"]["containers"]
    assert {"secretRef": {"name": "keycloak"}} in keycloak_pod["envFrom"]


def test_the_super_user_s_password_and_the_broker_s_key_are_the_broker_s_and_the_acl_job_s_alone():
    def uses(resource: Resource, secret: str) -> bool:
        """The resource's pods read the Secret: into their environment, or as files."""
        referenced = [source.get("secretRef", {}).get("name") for c in containers(resource) for source in c["envFrom"]]
        for volume in resource.get("spec", {}).get("template", {}).get("spec", {}).get("volumes", []):
            referenced.append(volume.get("secret", {}).get("secretName"))
            referenced += [
                source.get("secret", {}).get("name") for source in volume.get("projected", {}).get("sources", [])
            ]
        return secret in referenced

    assert {r["metadata"]["name"] for r in TRIAL if uses(r, "kafka-admin")} == {"kafka", "kafka-acls"}
    assert {r["metadata"]["name"] for r in TRIAL if uses(r, "kafka-tls")} == {"kafka"}
    admin = the(TRIAL, "Secret", "kafka-admin")["stringData"]
    assert admin["KAFKA_ADMIN_USERNAME"] == devstack_kafka.SUPER_USER and len(admin["KAFKA_ADMIN_PASSWORD"]) >= 24


def test_the_trial_s_acl_job_sets_up_every_topic_and_acl_and_each_service_waits_for_its_own():
    job = the(TRIAL, "Job", "kafka-acls")
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == COMPOSE["services"]["kafka-acls"]["command"]
    assert set(acls.docket_topics()) == topics_used()
    arguments, values = acl_job_arguments(container["command"]), environment(TRIAL, container)
    assert arguments["--bootstrap"] == [listeners("advertised.listeners")["INTERNAL"]]
    assert values["KAFKA_SECURITY_PROTOCOL"] == listener_protocol("INTERNAL")
    assert values["KAFKA_TOPIC_PARTITIONS"] == BROKER["num.partitions"]
    assert mounted_file(TRIAL, job, container, values["KAFKA_SSL_CAFILE"]) == TRIAL_SECRETS["kafka-ca.crt"]
    [realm] = arguments["--realm"]
    assert mounted_file(TRIAL, job, container, realm) == (ROOT / "deploy/keycloak/realm/docket-realm.json").read_text()
    for name in SERVICES:  # the Job's ACLs before each service: its init container waits for them
        pod = the(BASE, "Deployment", name)["spec"]["template"]["spec"]
        [wait] = [c for c in pod["initContainers"] if c["name"] == "wait-for-kafka"]
        assert wait["command"] == ["python", "-m", f"services.{name}", "wait-for-kafka"]
        assert wait["envFrom"] == pod["containers"][0]["envFrom"]  # signed in as the service's own client
        assert pod["initContainers"][-1] is wait


def test_the_trial_s_postgres_creates_the_roles_the_services_connect_as():
    [postgres] = the(TRIAL, "StatefulSet", "postgres")["spec"]["template"]["spec"]["containers"]
    mounts = {mount["mountPath"]: mount.get("subPath") for mount in postgres["volumeMounts"]}
    init = the(TRIAL, "ConfigMap", "postgres-init")["data"]
    assert init["roles.sql"] == (ROOT / "deploy" / "postgres" / "roles.sql").read_text()
    assert mounts["/docket/roles.sql"] == "roles.sql"
    assert mounts["/docker-entrypoint-initdb.d/10-docket-roles.sh"] == "init-roles.sh"
    passwords = the(TRIAL, "Secret", "postgres")["stringData"]
    for secret in (r for r in TRIAL if r["kind"] == "Secret" and "DATABASE_URL" in r["stringData"]):
        for key in ("DATABASE_URL", "KEYSTORE_DATABASE_URL"):
            if key in secret["stringData"]:
                url = urlsplit(secret["stringData"][key])
                assert (url.hostname, url.port, url.path) == ("postgres", 5432, "/docket")
                role = url.username.removeprefix("docket_")
                assert url.password == passwords[f"DOCKET_{role.upper()}_DB_PASSWORD"]
                assert f'{role}_password="$DOCKET_{role.upper()}_DB_PASSWORD"' in init["init-roles.sh"]
    keycloak = the(TRIAL, "Secret", "keycloak")["stringData"]
    assert keycloak["KC_DB_PASSWORD"] == passwords["KEYCLOAK_DB_PASSWORD"]


def test_the_trial_s_services_trust_its_keycloak_with_docket_s_realm():
    [keycloak] = the(TRIAL, "Deployment", "keycloak")["spec"]["template"]["spec"]["containers"]
    env = {variable["name"]: variable["value"] for variable in keycloak["env"]}
    config = the(TRIAL, "ConfigMap", "docket")["data"]
    assert config["OIDC_ISSUER"] == f"{env['KC_HOSTNAME']}/realms/docket"
    jwks = urlsplit(config["OIDC_JWKS_URL"])
    assert (jwks.hostname, jwks.port) == ("keycloak", the(TRIAL, "Service", "keycloak")["spec"]["ports"][0]["port"])
    assert jwks.path == "/realms/docket/protocol/openid-connect/certs"
    realm = the(TRIAL, "ConfigMap", "keycloak-realm")["data"]
    assert realm == {"docket-realm.json": (ROOT / "deploy" / "keycloak" / "realm" / "docket-realm.json").read_text()}
    assert jwks.geturl() == BROKER["sasl.oauthbearer.jwks.endpoint.url"]  # the broker checks tokens with its keys
    assert config["OIDC_ISSUER"] == BROKER["sasl.oauthbearer.expected.issuer"]
    assert "--import-realm" in keycloak["args"]


def test_the_trial_s_secrets_are_generated_not_written_down():
    assert "deploy/k8s/overlays/trial/secrets/" in (ROOT / ".gitignore").read_text()
    again = trial_secrets()
    assert again["postgres.env"] != TRIAL_SECRETS["postgres.env"]  # fresh passwords each time
    assert again["kafka-ca.crt"] != TRIAL_SECRETS["kafka-ca.crt"]  # and a fresh authority
    keys = re.search(r"KEYSTORE_MASTER_KEYS=(\S+)", again["intake.env"]).group(1)
    assert keys in again["notifier.env"] and len(base64.b64decode(keys.split(":")[1])) == 32
