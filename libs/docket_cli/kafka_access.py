"""How the command line signs in to Kafka, for `events tail` and `verify-integrity`: Kafka lets in only the
clients its ACLs name, and both read as the operator tools' client (docket_operator.acls lets it read every
Docket topic), with a token from the issuer (--issuer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .problems import Problem
from .terminal import Cli

if TYPE_CHECKING:  # imported when used: the other commands start without Kafka's client
    from docket_messaging.access import KafkaAccess

PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")
DEFAULT_PROTOCOL = "SASL_PLAINTEXT"

ClientId = Annotated[
    str, typer.Option("--kafka-client-id", envvar="DOCKET_KAFKA_CLIENT_ID", help="the OAuth client that reads Kafka")
]
ClientSecret = Annotated[
    str | None,
    typer.Option(
        "--kafka-client-secret",
        envvar="DOCKET_KAFKA_CLIENT_SECRET",
        help="its secret (make run keeps it in .docket/kafka)",
    ),
]
SecurityProtocol = Annotated[
    str,
    typer.Option(
        "--kafka-security-protocol", envvar="DOCKET_KAFKA_SECURITY_PROTOCOL", help="SASL_PLAINTEXT or SASL_SSL"
    ),
]


def signed_in(cli: Cli, client_id: str, client_secret: str | None, security_protocol: str) -> KafkaAccess:
    """Kafka as `client_id`, its tokens from the issuer; a Problem names what is missing or wrong."""
    if not client_secret:
        raise Problem(
            f"reading Kafka takes the secret of the OAuth client {client_id}: --kafka-client-secret or "
            "DOCKET_KAFKA_CLIENT_SECRET"
        )
    if security_protocol not in PROTOCOLS:
        raise Problem(f"--kafka-security-protocol is SASL_PLAINTEXT or SASL_SSL, not {security_protocol}")
    from docket_messaging.access import oauth

    return oauth(
        cli.docket.endpoints.kafka,
        client_id,
        client_secret,
        issuer=cli.docket.endpoints.issuer,
        security_protocol="SASL_SSL" if security_protocol == "SASL_SSL" else "SASL_PLAINTEXT",
    )
