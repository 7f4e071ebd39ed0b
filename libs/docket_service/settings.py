"""The settings every Docket service reads from its environment; each service's config.py adds its own."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from docket_identity.tokens import OidcConfig
from docket_messaging.access import KafkaAccess, SecurityProtocol, oauth
from docket_messaging.health import DEFAULT_GRACE_S

from .database import DEFAULT_POOL_SIZE
from .limits import networks
from .logs import LogFormat, LogLevel


class ServiceSettings(BaseSettings):
    """Settings every service reads from its environment (names are the upper-cased field names)."""

    model_config = SettingsConfigDict(extra="ignore")

    regulator_timezone: str = Field(
        default="Europe/Paris",
        description=(
            "the regulator's time zone: the calendar its days are counted in (receipts, deadlines, reminders)"
        ),
    )
    database_url: str = Field(
        description="SQLAlchemy URL, postgresql+asyncpg://user:password@host:port/db, with the service's own role"
    )
    database_schema: str = Field(description="the schema of the service's tables and of its Alembic version table")
    database_pool_size: int = Field(
        default=DEFAULT_POOL_SIZE,
        ge=1,
        description=(
            "connections the service keeps open to its database (the key store's engine keeps as many); a request "
            "beyond them waits for one, up to 30 s. Mind PostgreSQL's max_connections across services and replicas"
        ),
    )
    migration_database_url: str | None = Field(
        default=None,
        description=(
            "the URL of the role that owns the schema and runs its migrations (MIGRATE_ON_START, `migrate`); "
            "by default DATABASE_URL. Keep it out of the serving process where you can: a role that owns the "
            "tables can undo any right a migration took away"
        ),
    )
    kafka_bootstrap_servers: str = Field(default="localhost:9092", description="the brokers, host:port[,host:port]")
    kafka_security_protocol: SecurityProtocol = Field(
        default="SASL_PLAINTEXT",
        description=(
            "how the service signs in to Kafka: SASL_SSL (TLS, for a broker reached over a network you do not "
            "trust) or SASL_PLAINTEXT, both with an OAuth token of KAFKA_OAUTH_CLIENT_ID (SASL/OAUTHBEARER); "
            "PLAINTEXT only for a broker that checks no one"
        ),
    )
    kafka_oauth_client_id: str | None = Field(
        default=None,
        description=(
            "the OAuth client the service signs in to Kafka as (its principal there: docket-intake, docket-case, "
            "docket-notifier)"
        ),
    )
    kafka_oauth_client_secret: SecretStr | None = Field(
        default=None, description="that client's secret (client-credentials grant)"
    )
    kafka_oauth_token_url: str | None = Field(
        default=None,
        description="where the service gets its Kafka tokens, if not the token endpoint of OIDC_ISSUER's discovery",
    )
    kafka_ssl_cafile: str | None = Field(
        default=None,
        description="with SASL_SSL, the CA certificates (PEM) that sign the broker's, if not the system's",
    )
    kafka_topic_partitions: int = Field(
        default=3, ge=1, description="partitions of the topics the service creates if they are missing"
    )
    migrate_on_start: bool = Field(
        default=True,
        description="bring the schema to head before serving; off where a one-off `migrate` does it as the owner",
    )
    run_relay: bool = Field(default=True, description="run the outbox relay in the serving process")
    run_consumer: bool = Field(default=True, description="run the Kafka consumer in the serving process")
    relay_batch_size: int = Field(
        default=1000,
        ge=1,
        le=10_000,
        description=(
            "outbox rows claimed, sent and marked per transaction: a backlog drains at about a third more per "
            "second at 1,000 than at 200 (make bench)"
        ),
    )
    relay_poll_interval_s: float = Field(
        default=2.0, gt=0, description="how often the relay looks for rows when no NOTIFY arrives"
    )
    http_host: str = Field(default="127.0.0.1", description="the address `serve` listens on (0.0.0.0 in the image)")
    http_port: int = Field(description="the port `serve` listens on")
    http_tls_certfile: str | None = Field(
        default=None,
        description=(
            "the certificate chain (PEM) `serve` answers HTTPS with, for a service reached without a TLS proxy in "
            "front (the case service's cooperation inbox, when other authorities reach it directly); unset: HTTP"
        ),
    )
    http_tls_keyfile: str | None = Field(
        default=None, description="the private key (PEM) of HTTP_TLS_CERTFILE, if not in that file"
    )
    http_reuse_port: bool = Field(
        default=False,
        description=(
            "let every process of the service on this host that sets it listen on the same HTTP_PORT "
            "(SO_REUSEPORT, Linux): the kernel spreads the connections among them, so that N processes use N "
            "cores behind one port"
        ),
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description=(
            "comma-separated addresses or CIDRs of the reverse proxies in front of the service (an ingress, a load "
            "balancer): X-Forwarded-For is read only from them, for the client's address (rate limits, access "
            "lines); empty: the peer is the client and the header is ignored"
        ),
    )
    consumer_max_attempts: int = Field(
        default=5,
        ge=1,
        description="attempts of a failing event before it is "
        "dead-lettered (database outages are retried "
        "without limit)",
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None,
        description=(
            "where traces go, the OTLP/HTTP collector's base URL (e.g. http://collector:4318); unset or empty: none "
            "is exported"
        ),
    )
    health_grace_s: float = Field(
        default=DEFAULT_GRACE_S,
        gt=0,
        description=(
            "how long the relay, the consumer or a background task may fail (retrying) before /readyz says 503"
        ),
    )
    oidc_issuer: str = Field(
        description="the OpenID Connect issuer whose tokens staff and integrators present, "
        "e.g. https://login.example.org/realms/docket"
    )
    oidc_audience: str = Field(default="docket", description="the audience a token must name")
    oidc_jwks_url: str | None = Field(
        default=None,
        description="where the issuer's keys are, if not where its discovery document says (e.g. an internal URL)",
    )
    oidc_roles_claim: str = Field(
        default="roles", description="the claim (or dotted path, e.g. realm_access.roles) that lists the caller's roles"
    )
    oidc_groups_claim: str = Field(
        default="groups",
        description="the claim (or dotted path) that lists the caller's teams: the groups of the identity provider",
    )
    oidc_leeway_s: float = Field(default=30.0, ge=0, description="clock skew tolerated on exp, nbf and iat")
    log_format: LogFormat = Field(
        default="json",
        description=(
            "json: one JSON object a line, for a log collector; text: lines for a person at a terminal (make run)"
        ),
    )
    log_level: LogLevel = Field(default="INFO", description="the least severe level logged")
    shutdown_grace_s: float = Field(
        default=5.0,
        gt=0,
        description=(
            "on SIGTERM, how long each step of the stop may take: requests in flight, the consumer's and the "
            "workers' current work, the relay publishing what is committed; a part still busy after it is "
            "cancelled and the process exits 1"
        ),
    )

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies_comma_separated(cls, value: object) -> object:
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: list[str]) -> list[str]:
        networks(value)  # a typo is refused at start, not taken as "no proxy"
        return value

    def oidc(self) -> OidcConfig:
        return OidcConfig(
            issuer=self.oidc_issuer,
            audience=self.oidc_audience,
            jwks_url=self.oidc_jwks_url or None,
            leeway_s=self.oidc_leeway_s,
        )

    def kafka(self) -> KafkaAccess:
        """How the service reaches Kafka and whom it signs in as; ValueError if SASL lacks the client's secret."""
        if self.kafka_security_protocol == "PLAINTEXT":
            return KafkaAccess(self.kafka_bootstrap_servers)
        if not self.kafka_oauth_client_id or self.kafka_oauth_client_secret is None:
            raise ValueError(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs KAFKA_OAUTH_CLIENT_ID and "
                "KAFKA_OAUTH_CLIENT_SECRET"
            )
        return oauth(
            self.kafka_bootstrap_servers,
            self.kafka_oauth_client_id,
            self.kafka_oauth_client_secret.get_secret_value(),
            token_url=self.kafka_oauth_token_url or None,
            issuer=self.oidc_issuer,
            security_protocol=self.kafka_security_protocol,
            cafile=self.kafka_ssl_cafile or None,
        )
