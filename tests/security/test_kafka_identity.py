"""Kafka lets in only the clients of Docket's identity provider, and each may do only what its ACLs say: against
the real broker (SASL/OAUTHBEARER, StandardAuthorizer) and the real Keycloak whose tokens it checks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.abc import AbstractTokenProvider
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from docket_contracts import topics
from docket_devstack.kafka import KafkaBroker
from docket_devstack.keycloak import KeycloakServer, client_secret_variables
from docket_devstack.staff import INVESTIGATOR, PASSWORD
from docket_messaging.access import KafkaAccess
from docket_messaging.kafka import partitions_of, wait_for_topics
from docket_operator import acls

pytestmark = pytest.mark.e2e

INTEGRATOR = "docket-demo-integrator"
TIMEOUT_S = 30.0
NOT_VALIDATED = "Could not validate the access token"


class Presenting(AbstractTokenProvider):
    """Presents one given token, whatever it is."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def token(self) -> str:
        return self._token


async def produce(access: KafkaAccess, topic: str) -> None:
    """Start a producer as `access` signs in and publish one message to `topic`; raise what Kafka says."""
    producer = AIOKafkaProducer(**access.options(), request_timeout_ms=10_000, metadata_max_age_ms=5_000)
    try:
        await asyncio.wait_for(producer.start(), TIMEOUT_S)
        await asyncio.wait_for(producer.send_and_wait(topic, b"{}", key=str(uuid4()).encode()), TIMEOUT_S)
    finally:
        await producer.stop()


async def refused(attempt: Callable[[], Awaitable[object]]) -> BaseException:
    """The error `attempt` ends with: Kafka's refusal, or no connection at all."""
    with pytest.raises((KafkaError, OSError, TimeoutError)) as caught:
        await attempt()
    return caught.value


async def refused_token(kafka: KafkaBroker, token: str) -> None:
    """Presenting `token` gets no message through, and the broker says it could not validate it."""
    before = kafka.broker_log.read_text(errors="replace").count(NOT_VALIDATED)
    access = KafkaAccess(kafka.bootstrap_servers, "SASL_PLAINTEXT", tokens=Presenting(token))
    await refused(lambda: produce(access, topics.CASES))
    assert kafka.broker_log.read_text(errors="replace").count(NOT_VALIDATED) > before


async def test_an_anonymous_client_cannot_connect(kafka: KafkaBroker):
    await refused(lambda: produce(KafkaAccess(kafka.bootstrap_servers), topics.CASES))

    async def read() -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, request_timeout_ms=10_000)
        try:
            await asyncio.wait_for(consumer.start(), TIMEOUT_S)
        finally:
            await consumer.stop()

    await refused(read)


async def test_an_integrator_reads_what_its_scopes_name_and_writes_nothing(kafka: KafkaBroker):
    integrator = kafka.access(INTEGRATOR)
    found = await partitions_of(integrator, [topics.CASES, topics.NOTIFICATIONS, topics.COMPLAINTS])
    assert set(found) == {topics.CASES, topics.NOTIFICATIONS}  # docket.events.cases and .notifications
    for topic in (topics.CASES, topics.NOTIFICATIONS, topics.COMPLAINTS):
        assert isinstance(await refused(lambda: produce(integrator, topic)), TopicAuthorizationFailedError)  # noqa: B023


async def test_intake_writes_its_own_topic_and_not_the_case_service_s(kafka: KafkaBroker):
    intake = kafka.service("intake")
    await produce(intake, topics.COMPLAINTS)
    assert isinstance(await refused(lambda: produce(intake, topics.CASES)), TopicAuthorizationFailedError)
    assert isinstance(await refused(lambda: produce(intake, topics.NOTIFICATIONS)), TopicAuthorizationFailedError)


async def test_the_case_service_may_not_write_in_another_group_s_dead_letters(kafka: KafkaBroker):
    case = kafka.service("case")
    dead_letters = topics.dead_letter_topic("docket-notifier")
    assert isinstance(await refused(lambda: produce(case, dead_letters)), TopicAuthorizationFailedError)


async def test_a_token_for_another_audience_is_refused(kafka: KafkaBroker, keycloak: KeycloakServer):
    """A staff member's token is for Docket's services (audience docket), not for Kafka (docket-kafka)."""
    await refused_token(kafka, keycloak.password_token(INVESTIGATOR, PASSWORD)["access_token"])


async def test_a_token_of_another_issuer_is_refused(kafka: KafkaBroker, keycloak: KeycloakServer):
    """Keycloak's master realm signs with other keys, as another issuer."""
    await refused_token(kafka, keycloak.admin_token())


async def test_a_token_that_is_not_one_is_refused(kafka: KafkaBroker):
    await refused_token(kafka, "e30.e30.e30")


async def test_a_service_waits_until_it_may_reach_its_topic(kafka: KafkaBroker, caplog: pytest.LogCaptureFixture):
    """wait-for-kafka, the init container of a service on Kubernetes: intake's ACLs are in place, and the
    integrator's never let it see docket.complaints."""
    await asyncio.wait_for(wait_for_topics(kafka.service("intake"), [topics.COMPLAINTS], interval_s=0.1), TIMEOUT_S)
    caplog.set_level(logging.INFO, logger="docket_messaging.kafka")
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(wait_for_topics(kafka.access(INTEGRATOR), [topics.COMPLAINTS], interval_s=0.1), 5.0)
    waits = [r.getMessage() for r in caplog.records if r.getMessage().startswith("waiting for Kafka: ")]
    assert waits and f"{INTEGRATOR} may not read it" in waits[0]


def test_keycloak_gives_docket_s_clients_the_secrets_it_was_given(keycloak: KeycloakServer):
    """The realm names the services' and the operator's secrets as placeholders, filled from Keycloak's
    environment on import, as compose and the trial give it theirs."""
    given = keycloak.client_secrets
    assert (
        set(given)
        == client_secret_variables(keycloak.realm_dirs)
        == {
            f"{client.upper().replace('-', '_')}_CLIENT_SECRET"
            for client in ("docket-intake", "docket-case", "docket-notifier", "docket-operator")
        }
    )
    for variable, secret in given.items():
        client = variable.removesuffix("_CLIENT_SECRET").lower().replace("_", "-")
        assert keycloak.client_secret(client) == secret and not secret.startswith("${")


async def test_a_broker_restarted_on_its_data_gets_the_acls_added_since(keycloak: KeycloakServer, tmp_path: Path):
    """`make run` again on the same data dir: ACLs that a newer realm or release adds are applied at every start."""
    with KafkaBroker(tmp_path / "kafka", keycloak, integrators={}) as broker:
        assert await partitions_of(broker.access(INTEGRATOR), [topics.CASES]) == {}
    with KafkaBroker(tmp_path / "kafka", keycloak, integrators={INTEGRATOR: ["cases"]}) as broker:
        assert set(await partitions_of(broker.access(INTEGRATOR), [topics.CASES])) == {topics.CASES}


async def test_the_case_service_alone_writes_the_checkpoints_and_reads_both_witnesses(kafka: KafkaBroker):
    """verify-integrity, the case service's command, reads docket.cases and docket.checkpoints as the case
    service; the operator tools read them too (docket verify-integrity) and write no checkpoint."""
    case = kafka.service("case")
    await produce(case, topics.CHECKPOINTS)
    assert set(await partitions_of(case, [topics.CASES, topics.CHECKPOINTS])) == {topics.CASES, topics.CHECKPOINTS}
    assert set(await partitions_of(kafka.operator, [topics.CASES, topics.CHECKPOINTS])) == {
        topics.CASES,
        topics.CHECKPOINTS,
    }
    for other in (kafka.operator, kafka.service("intake"), kafka.service("notifier"), kafka.access(INTEGRATOR)):
        assert isinstance(await refused(lambda: produce(other, topics.CHECKPOINTS)), TopicAuthorizationFailedError)  # noqa: B023
    assert await partitions_of(kafka.service("notifier"), [topics.CHECKPOINTS]) == {}


async def topic_settings(admin: KafkaAccess, topic: str) -> dict[str, str]:
    client = AIOKafkaAdminClient(**admin.options())
    await client.start()
    try:
        [response] = await client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        [(_, _, _, _, entries)] = response.resources
        return {entry[0]: entry[1] for entry in entries}
    finally:
        await client.close()


async def test_the_topics_that_witness_the_case_record_keep_every_message(kafka: KafkaBroker):
    for topic in (topics.CASES, topics.CHECKPOINTS):
        settings = await topic_settings(kafka.admin, topic)
        assert {name: settings[name] for name in topics.KEPT_FOREVER} == topics.KEPT_FOREVER, topic


async def test_the_acl_job_gives_a_topic_made_before_its_settings_and_keeps_its_others(kafka: KafkaBroker):
    topic = f"docket.kept-{uuid4().hex[:8]}"
    client = AIOKafkaAdminClient(**kafka.admin.options())
    await client.start()
    try:
        made = {"retention.ms": "60000", "max.message.bytes": "500000"}
        await client.create_topics([NewTopic(topic, 1, 1, topic_configs=made)])
    finally:
        await client.close()
    assert await acls.keep_configs(kafka.admin, {topic: topics.KEPT_FOREVER}) == [topic]
    settings = await topic_settings(kafka.admin, topic)
    assert {name: settings[name] for name in topics.KEPT_FOREVER} == topics.KEPT_FOREVER
    assert settings["max.message.bytes"] == "500000"
    assert await acls.keep_configs(kafka.admin, {topic: topics.KEPT_FOREVER}) == []  # once set, left alone
