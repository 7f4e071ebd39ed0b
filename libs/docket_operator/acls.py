"""Who may do what on Docket's Kafka: the ACLs of every principal, and the topics, set up by the broker's super user.

    python -m docket_operator.acls [--bootstrap HOST:PORT] [--realm REALM.json] [--integrator CLIENT_ID=cases[,...]]

A broker with StandardAuthorizer and allow.everyone.if.no.acl.found=false lets a principal do only what an ACL
allows it. A principal is the OAuth client a token was issued to (its `azp`, or the claim the broker's
sasl.oauthbearer.sub.claim.name names). Docket's principals:

- each service (docket-intake, docket-case, docket-notifier) writes (and may create) its own topics and its own
  dead-letter topic `docket.dlq.<group>`, reads the topics it consumes, in its consumer group; the case
  service's own topics are docket.cases and docket.checkpoints, and it also reads both, for
  `python -m services.case verify-integrity`, which checks the case store against them as the case service's
  client (reading what it wrote itself gives it nothing it could not write);
- the operator tools (docket-operator: the dead letters, `docket events tail`, `docket verify-integrity`) read
  every Docket topic, write back into the topics that are consumed (a re-injected dead letter goes to its source
  topic; never docket.checkpoints, which only the case service signs) and keep the bookkeeping topic of
  re-injections;
- an integrator reads the event topics its docket.events.* scopes name, in consumer groups named after it
  (its client id, or that followed by anything), and writes nothing. The integrators are those of the realm
  files given (`--realm`: the clients whose service account has the realm role integrator) and those given
  with `--integrator`.

`apply` creates Docket's topics that are missing, gives the case record's witnesses (docket.cases,
docket.checkpoints) their configuration (every message kept, no compaction) also where they exist already, then
creates the ACLs (creating an ACL that exists changes nothing), so it runs again at every deployment and every
start of the devstack's broker; it never removes an ACL. It signs in
as the broker's super user (KAFKA_ADMIN_USERNAME and KAFKA_ADMIN_PASSWORD, SASL/PLAIN on the broker's internal
listener, over TLS when KAFKA_SECURITY_PROTOCOL is SASL_SSL, trusting KAFKA_SSL_CAFILE): the only principal that
may grant.
"""

from __future__ import annotations

import argparse
import asyncio
import enum
import json
import os
import ssl
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import IncompatibleBrokerVersion, KafkaError
from aiokafka.protocol.admin import CreateAclsRequestStruct
from aiokafka.protocol.api import Request

from docket_contracts import topics
from docket_messaging.access import KafkaAccess
from docket_messaging.failures import describe
from docket_messaging.kafka import ensure_topics

from .deadletters import BOOKKEEPING_TOPIC, OPERATOR_CLIENT

# The OAuth clients (Keycloak: deploy/keycloak/realm/docket-realm.json) that the services and tools sign in as.
SERVICE_PRINCIPALS = {"intake": "docket-intake", "case": "docket-case", "notifier": "docket-notifier"}
OPERATOR = OPERATOR_CLIENT
# What each service publishes and consumes (services/<name>/main.py says the same to the runtime).
PRODUCES = {
    "intake": (topics.COMPLAINTS,),
    "case": (topics.CASES, topics.CHECKPOINTS),
    "notifier": (topics.NOTIFICATIONS,),
}
CONSUMES = {
    "intake": (topics.CASES, topics.NOTIFICATIONS),
    "case": (topics.COMPLAINTS, topics.NOTIFICATIONS),
    "notifier": (topics.COMPLAINTS, topics.CASES),
}
# What each service reads without a consumer group: the case service, the witness of its record (verify-integrity).
WITNESSES = {"intake": (), "case": (topics.CASES, topics.CHECKPOINTS), "notifier": ()}
# Where the operator tools re-inject a dead letter: the topics a consumer group reads.
REINJECTED = tuple(sorted({topic for consumed in CONSUMES.values() for topic in consumed}))
# An integrator's scope docket.events.<name> names the topic docket.<name>.
SCOPED_TOPICS = {name.removeprefix("docket."): name for name in topics.ALL}


class Resource(enum.IntEnum):  # Kafka's ResourceType codes
    TOPIC = 2
    GROUP = 3


class Pattern(enum.IntEnum):  # Kafka's PatternType codes
    LITERAL = 3
    PREFIXED = 4


class Operation(enum.IntEnum):  # Kafka's AclOperation codes
    READ = 3
    WRITE = 4
    CREATE = 5
    DESCRIBE = 8


ALLOW = 3  # AclPermissionType.ALLOW
ANY_HOST = "*"
DYNAMIC_TOPIC_CONFIG = 1  # DescribeConfigs' ConfigSource of a setting made for the topic itself


@dataclass(frozen=True, order=True)
class Acl:
    """One ALLOW rule: `principal` may do `operation` on the resource, from any host."""

    principal: str  # the client id; the ACL names User:<principal>
    operation: Operation
    resource: Resource
    name: str
    pattern: Pattern = Pattern.LITERAL

    def __str__(self) -> str:
        star = "*" if self.pattern is Pattern.PREFIXED else ""
        return f"User:{self.principal} {self.operation.name} {self.resource.name.lower()} {self.name}{star}"


def writes(principal: str, topic: str) -> list[Acl]:
    """`principal` may write the topic, and create it."""
    return [Acl(principal, op, Resource.TOPIC, topic) for op in (Operation.WRITE, Operation.DESCRIBE, Operation.CREATE)]


def reads(principal: str, topic: str, pattern: Pattern = Pattern.LITERAL) -> list[Acl]:
    """`principal` may read the topic (or the topics whose names begin so, PREFIXED)."""
    return [Acl(principal, op, Resource.TOPIC, topic, pattern) for op in (Operation.READ, Operation.DESCRIBE)]


def service_acls(service: str) -> list[Acl]:
    """A service writes its topics and its dead-letter topic, reads what it consumes in its own group, and what
    witnesses its record."""
    principal = SERVICE_PRINCIPALS[service]
    group = f"docket-{service}"
    found = writes(principal, topics.dead_letter_topic(group))
    for topic in PRODUCES[service]:
        found += writes(principal, topic)
    for topic in (*CONSUMES[service], *WITNESSES[service]):
        found += reads(principal, topic)
    return [*found, Acl(principal, Operation.READ, Resource.GROUP, group)]


def operator_acls() -> list[Acl]:
    """The operator tools read every Docket topic, re-inject into the topics that are consumed, keep their
    bookkeeping."""
    found = reads(OPERATOR, "docket.", Pattern.PREFIXED)
    for topic in REINJECTED:
        found.append(Acl(OPERATOR, Operation.WRITE, Resource.TOPIC, topic))
    return found + writes(OPERATOR, BOOKKEEPING_TOPIC)


def integrator_acls(client_id: str, scoped: Iterable[str]) -> list[Acl]:
    """An integrator reads the topics its scopes name (`cases`, `notifications`, ...) in groups named after it."""
    found: list[Acl] = []
    for name in scoped:
        if name not in SCOPED_TOPICS:
            raise ValueError(f"no scope docket.events.{name}: the scopes are {', '.join(SCOPED_TOPICS)}")
        found += reads(client_id, SCOPED_TOPICS[name])
    return [*found, Acl(client_id, Operation.READ, Resource.GROUP, client_id, Pattern.PREFIXED)]


def docket_acls(integrators: Mapping[str, Sequence[str]] = {}) -> list[Acl]:
    """Every ACL of Docket's principals, and of the integrators given (client id: the topics its scopes name)."""
    found = [acl for service in SERVICE_PRINCIPALS for acl in service_acls(service)] + operator_acls()
    for client_id, scoped in integrators.items():
        found += integrator_acls(client_id, scoped)
    return sorted(set(found))


def docket_topics() -> list[str]:
    """The topics the services write: the event topics and a dead-letter topic per consumer group."""
    return [*topics.ALL, *(topics.dead_letter_topic(f"docket-{service}") for service in SERVICE_PRINCIPALS)]


class CreateAcls(Request[CreateAclsRequestStruct]):  # type: ignore[misc]  # aiokafka is untyped
    """One CreateAcls request with every ACL (aiokafka's CreateAclsRequest carries one): the broker's controller
    writes them together, so that a principal has all its ACLs or none."""

    API_KEY = 30

    def __init__(self, acls: Sequence[Acl]) -> None:
        self.acls = acls

    def build(self, request_struct_class: type[CreateAclsRequestStruct]) -> CreateAclsRequestStruct:
        if request_struct_class.API_VERSION < 1:
            raise IncompatibleBrokerVersion("CreateAcls before version 1 has no pattern types")
        return request_struct_class(
            [
                (acl.resource, acl.name, acl.pattern, f"User:{acl.principal}", ANY_HOST, acl.operation, ALLOW)
                for acl in self.acls
            ]
        )


async def create_acls(admin: KafkaAccess, acls: Iterable[Acl]) -> None:
    """Create the ACLs in one request (one that exists already is no error); KafkaError names the first one
    refused."""
    request = CreateAcls(list(acls))
    client = AIOKafkaClient(**admin.options(), client_id="docket-acls")
    await client.bootstrap()
    try:
        response = await client.send(client.get_random_node(), request)
    finally:
        await client.close()
    for acl, (error_code, message) in zip(request.acls, response.creation_responses, strict=True):
        if error_code:
            raise KafkaError(f"creating the ACL {acl}: broker error code {error_code} {message or ''}")


async def keep_configs(admin: KafkaAccess, configs: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Give each topic the settings `configs` names for it (topics.CONFIGS), also a topic created before they
    were named, keeping whatever else was set for the topic (AlterConfigs replaces a topic's whole set); returns
    the topics changed. KafkaError names a topic that could not be described or changed."""
    client = AIOKafkaAdminClient(**admin.options(), client_id="docket-acls")
    await client.start()
    try:
        changed: list[ConfigResource] = []
        described = await client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name) for name in configs])
        for response in described:
            for error_code, message, _, name, entries in response.resources:
                if error_code:
                    raise KafkaError(
                        f"describing the settings of {name}: broker error code {error_code} {message or ''}"
                    )
                own = {
                    entry[0]: entry[1] for entry in entries if entry[3] == DYNAMIC_TOPIC_CONFIG and entry[1] is not None
                }
                if not own.items() >= configs[name].items():
                    changed.append(ConfigResource(ConfigResourceType.TOPIC, name, own | dict(configs[name])))
        if changed:
            for response in await client.alter_configs(changed):
                for error_code, message, _, name in response.resources:
                    if error_code:
                        raise KafkaError(
                            f"changing the settings of {name}: broker error code {error_code} {message or ''}"
                        )
        return [resource.name for resource in changed]
    finally:
        await client.close()


async def apply(admin: KafkaAccess, partitions: int, integrators: Mapping[str, Sequence[str]] = {}) -> list[Acl]:
    """Create Docket's missing topics, give the witnesses of the case record their settings, then every ACL;
    returns the ACLs."""
    await ensure_topics(admin, docket_topics(), partitions)
    await keep_configs(admin, topics.CONFIGS)
    acls = docket_acls(integrators)
    await create_acls(admin, acls)
    return acls


def realm_integrators(realm_files: Iterable[Path]) -> dict[str, list[str]]:
    """The integrators of the realm files (clients whose service account has the realm role integrator), each
    with the topics its docket.events.* scopes name, default or optional."""
    found: dict[str, list[str]] = {}
    for path in realm_files:
        realm = json.loads(Path(path).read_text())
        integrators = {
            user["serviceAccountClientId"]
            for user in realm.get("users", [])
            if "integrator" in user.get("realmRoles", []) and user.get("serviceAccountClientId")
        }
        for client in realm.get("clients", []):
            if client.get("clientId") in integrators:
                scopes = [*client.get("defaultClientScopes", []), *client.get("optionalClientScopes", [])]
                found[client["clientId"]] = [
                    scope.removeprefix("docket.events.") for scope in scopes if scope.startswith("docket.events.")
                ]
    return found


def integrator_option(text: str) -> tuple[str, list[str]]:
    """CLIENT_ID=cases[,notifications]."""
    client_id, _, scoped = text.partition("=")
    names = [name.strip() for name in scoped.split(",") if name.strip()]
    unknown = [name for name in names if name not in SCOPED_TOPICS]
    if not client_id or not names or unknown:
        raise argparse.ArgumentTypeError(
            f"not CLIENT_ID=TOPIC[,TOPIC] with topics among {', '.join(SCOPED_TOPICS)}: {text!r}"
        )
    return client_id, names


def admin_access(bootstrap: str, environ: Mapping[str, str]) -> KafkaAccess:
    """The super user on the broker's internal listener, from KAFKA_ADMIN_USERNAME, KAFKA_ADMIN_PASSWORD,
    KAFKA_SECURITY_PROTOCOL (SASL_PLAINTEXT by default, or SASL_SSL) and KAFKA_SSL_CAFILE; ValueError says what
    is missing or wrong."""
    username, password = environ.get("KAFKA_ADMIN_USERNAME"), environ.get("KAFKA_ADMIN_PASSWORD")
    if not username or not password:
        raise ValueError("KAFKA_ADMIN_USERNAME and KAFKA_ADMIN_PASSWORD name the broker's super user")
    protocol = environ.get("KAFKA_SECURITY_PROTOCOL") or "SASL_PLAINTEXT"
    if protocol == "SASL_SSL":
        context = ssl.create_default_context(cafile=environ.get("KAFKA_SSL_CAFILE") or None)
        return KafkaAccess(bootstrap, "SASL_SSL", plain=(username, password), ssl_context=context)
    if protocol != "SASL_PLAINTEXT":
        raise ValueError(f"KAFKA_SECURITY_PROTOCOL is SASL_SSL or SASL_PLAINTEXT for the super user, not {protocol!r}")
    return KafkaAccess(bootstrap, "SASL_PLAINTEXT", plain=(username, password))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docket_operator.acls", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("KAFKA_ADMIN_BOOTSTRAP_SERVERS", "localhost:9094"),
        help="the broker's internal listener (default: $KAFKA_ADMIN_BOOTSTRAP_SERVERS or localhost:9094)",
    )
    parser.add_argument(
        "--partitions",
        type=int,
        default=int(os.environ.get("KAFKA_TOPIC_PARTITIONS", "3")),
        help="partitions of the topics created (default: $KAFKA_TOPIC_PARTITIONS or 3)",
    )
    parser.add_argument(
        "--realm",
        type=Path,
        action="append",
        default=[],
        metavar="REALM.json",
        help="a realm file whose integrators (service accounts with the role integrator) read what their scopes name",
    )
    parser.add_argument(
        "--integrator",
        type=integrator_option,
        action="append",
        default=[],
        metavar="CLIENT_ID=TOPIC[,TOPIC]",
        help="an integrator's client id and the topics its docket.events.* scopes name (cases, notifications, ...)",
    )
    args = parser.parse_args(argv)
    try:
        admin = admin_access(args.bootstrap, os.environ)
        integrators = realm_integrators(args.realm) | dict(args.integrator)
    except (ValueError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        acls = asyncio.run(apply(admin, args.partitions, integrators))
    except (KafkaError, OSError) as exc:
        print(f"Kafka at {args.bootstrap}: {describe(exc)}", file=sys.stderr)
        return 1
    for acl in acls:
        print(acl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
