"""What each of Docket's principals may do on Kafka (docket_operator.acls), checked against what each service's
runtime produces and consumes, and the realm whose clients the principals are."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from aiokafka.protocol.admin import CreateAclsRequest_v1

from docket_contracts import topics
from docket_messaging.access import KafkaAccess
from docket_operator import acls
from docket_operator.acls import Acl, Operation, Pattern, Resource
from docket_operator.deadletters import BOOKKEEPING_TOPIC
from tests.unit.test_compose import SERVICES, runtime_of

ROOT = Path(__file__).resolve().parents[2]
REALM_FILE = ROOT / "deploy" / "keycloak" / "realm" / "docket-realm.json"


def allowed(principal: str, operation: Operation, resource: Resource, name: str) -> bool:
    """Whether the ACLs of Docket and the realm's integrators let `principal` do `operation` on the resource."""
    return any(
        acl.principal == principal
        and acl.operation is operation
        and acl.resource is resource
        and (name == acl.name if acl.pattern is Pattern.LITERAL else name.startswith(acl.name))
        for acl in acls.docket_acls(acls.realm_integrators([REALM_FILE]))
    )


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_service_writes_its_own_topics_and_reads_what_it_consumes_in_its_group(name):
    runtime, principal = runtime_of(name), acls.SERVICE_PRINCIPALS[name]
    own = {*runtime.topics_produced, topics.dead_letter_topic(f"docket-{name}")}
    everything = {*topics.ALL, *acls.docket_topics(), BOOKKEEPING_TOPIC}
    for topic in everything:
        assert allowed(principal, Operation.WRITE, Resource.TOPIC, topic) == (topic in own), topic
    for topic in runtime.consumes:
        assert allowed(principal, Operation.READ, Resource.TOPIC, topic)
    assert allowed(principal, Operation.READ, Resource.GROUP, f"docket-{name}")
    assert not allowed(principal, Operation.READ, Resource.GROUP, "docket-case" if name != "case" else "docket-intake")


def test_the_case_service_writes_the_checkpoints_and_reads_the_witness_of_its_record():
    case = acls.SERVICE_PRINCIPALS["case"]
    for topic in (topics.CASES, topics.CHECKPOINTS):
        for operation in (Operation.WRITE, Operation.CREATE, Operation.READ, Operation.DESCRIBE):
            assert allowed(case, operation, Resource.TOPIC, topic), (operation, topic)
    for other in ("intake", "notifier"):
        principal = acls.SERVICE_PRINCIPALS[other]
        assert not allowed(principal, Operation.WRITE, Resource.TOPIC, topics.CHECKPOINTS)
        assert not allowed(principal, Operation.READ, Resource.TOPIC, topics.CHECKPOINTS)


def test_the_operator_reads_every_topic_and_writes_back_only_into_the_topics_that_are_consumed():
    consumed = {topic for runtime in map(runtime_of, SERVICES) for topic in runtime.consumes}
    for topic in acls.docket_topics():
        assert allowed(acls.OPERATOR, Operation.READ, Resource.TOPIC, topic)
        assert allowed(acls.OPERATOR, Operation.WRITE, Resource.TOPIC, topic) == (topic in consumed), topic
    assert allowed(acls.OPERATOR, Operation.WRITE, Resource.TOPIC, BOOKKEEPING_TOPIC)
    # verify-integrity, the CLI's as the case service's: both witnesses of the case record, read whole
    for topic in (topics.CASES, topics.CHECKPOINTS):
        assert allowed(acls.OPERATOR, Operation.READ, Resource.TOPIC, topic)
        assert allowed(acls.OPERATOR, Operation.DESCRIBE, Resource.TOPIC, topic)
    assert not allowed(acls.OPERATOR, Operation.WRITE, Resource.TOPIC, topics.CHECKPOINTS)


async def test_the_acl_job_keeps_every_message_of_the_topics_that_witness_the_case_record(monkeypatch):
    """What compose's kafka-acls and the trial's Job run: the topics, then the witnesses' settings (also of topics
    made before they were named), then the ACLs."""
    steps: list[tuple[str, object]] = []

    async def ensure_topics(admin, names, partitions):
        steps.append(("topics", sorted(names)))

    async def keep_configs(admin, configs):
        steps.append(("settings", configs))
        return []

    async def create_acls(admin, found):
        steps.append(("acls", len(list(found))))

    for name, fake in (("ensure_topics", ensure_topics), ("keep_configs", keep_configs), ("create_acls", create_acls)):
        monkeypatch.setattr(acls, name, fake)
    await acls.apply(KafkaAccess("kafka:9094"), 3)
    assert [step for step, _ in steps] == ["topics", "settings", "acls"]
    assert {topics.CASES, topics.CHECKPOINTS} <= set(steps[0][1])
    kept_forever = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}
    assert steps[1][1] == topics.CONFIGS == {topics.CASES: kept_forever, topics.CHECKPOINTS: kept_forever}


def test_the_realm_s_integrator_reads_what_its_scopes_name_in_groups_named_after_it_and_writes_nothing():
    assert acls.realm_integrators([REALM_FILE]) == {"docket-demo-integrator": ["cases", "notifications"]}
    integrator = "docket-demo-integrator"
    for topic in acls.docket_topics():
        assert allowed(integrator, Operation.READ, Resource.TOPIC, topic) == (
            topic in (topics.CASES, topics.NOTIFICATIONS)
        )
        assert not allowed(integrator, Operation.WRITE, Resource.TOPIC, topic)
    assert allowed(integrator, Operation.READ, Resource.GROUP, f"{integrator}-dashboard")
    assert not allowed(integrator, Operation.READ, Resource.GROUP, "docket-case")


def test_every_principal_is_a_confidential_client_of_the_realm_with_kafka_s_audience():
    realm = json.loads(REALM_FILE.read_text())
    clients = {client["clientId"]: client for client in realm["clients"]}
    for principal in (*acls.SERVICE_PRINCIPALS.values(), acls.OPERATOR, *acls.realm_integrators([REALM_FILE])):
        client = clients[principal]
        assert client["serviceAccountsEnabled"] and not client["publicClient"], principal
        assert "docket-kafka" in client["defaultClientScopes"], principal


def test_the_acls_go_to_the_broker_in_one_request():
    found = acls.docket_acls()
    struct = acls.CreateAcls(found).build(CreateAclsRequest_v1)
    assert len(struct.creations) == len(found)
    assert struct.creations[0] == (
        found[0].resource,
        found[0].name,
        found[0].pattern,
        f"User:{found[0].principal}",
        "*",
        found[0].operation,
        acls.ALLOW,
    )


def test_an_integrator_option_names_topics_that_scopes_can_name():
    assert acls.integrator_option("acme=cases,notifications") == ("acme", ["cases", "notifications"])
    for wrong in ("acme", "acme=", "=cases", "acme=dlq"):
        with pytest.raises(argparse.ArgumentTypeError):
            acls.integrator_option(wrong)


def test_the_super_user_signs_in_over_tls_when_told_and_never_without_a_password():
    environ = {"KAFKA_ADMIN_USERNAME": "broker", "KAFKA_ADMIN_PASSWORD": "secret"}
    assert acls.admin_access("kafka:9094", environ).security_protocol == "SASL_PLAINTEXT"
    over_tls = acls.admin_access("kafka:9094", environ | {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL"})
    assert over_tls.security_protocol == "SASL_SSL" and over_tls.options()["ssl_context"] is not None
    for wrong in ({"KAFKA_ADMIN_USERNAME": "broker"}, environ | {"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}):
        with pytest.raises(ValueError):
            acls.admin_access("kafka:9094", wrong)


def test_an_acl_reads_as_kafka_s_tools_print_it():
    assert str(Acl("docket-case", Operation.READ, Resource.TOPIC, "docket.", Pattern.PREFIXED)) == (
        "User:docket-case READ topic docket.*"
    )
