"""Who a Kafka client is: the broker's address and the identity it presents there.

Docket's brokers take SASL/OAUTHBEARER: a client signs in with an access token that the broker checks against
the OpenID provider's keys (issuer, audience, and the claim that names the principal), and the broker's ACLs say
what that principal may do. A service, an operator tool or a test gets its token from the provider's token
endpoint by client credentials; `ClientCredentials` fetches one, keeps it, and fetches the next before it runs
out. A broker only checks the token when a connection opens, so a token that runs out later ends nothing.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import httpx
from aiokafka.abc import AbstractTokenProvider

log = logging.getLogger(__name__)

SecurityProtocol = Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL"]
SECURITY_PROTOCOLS: tuple[SecurityProtocol, ...] = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL")
# A token is replaced once this share of its lifetime has passed, or this many seconds before it ends.
REFRESH_AT = 0.8
REFRESH_MARGIN_S = 30.0
TIMEOUT_S = 10.0


class TokenUnavailable(ConnectionError):
    """The token endpoint gave no token: unreachable, or it refused the client's credentials."""


async def token_endpoint_of(issuer: str, timeout: float = TIMEOUT_S) -> str:
    """The token endpoint that the issuer's discovery document names."""
    url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=timeout) as http:
            response = await http.get(url)
            response.raise_for_status()
            endpoint = response.json()["token_endpoint"]
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise TokenUnavailable(f"no token endpoint in {url}: {exc}") from exc
    return str(endpoint)


class ClientCredentials(AbstractTokenProvider):  # type: ignore[misc]  # aiokafka is untyped
    """Access tokens of one OAuth client by the client-credentials grant, for aiokafka's SASL/OAUTHBEARER.

    The token endpoint is `token_url`, or the one the `issuer`'s discovery document names. A token is kept
    and handed to every connection until REFRESH_AT of its lifetime has passed; then the next connection
    fetches a new one. Holds no connection between fetches, so it serves any event loop.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        token_url: str | None = None,
        issuer: str | None = None,
        scope: str | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        if not token_url and not issuer:
            raise ValueError("ClientCredentials needs a token URL or an issuer to discover it from")
        self.client_id = client_id
        self._secret = client_secret
        self._token_url = token_url
        self._issuer = issuer
        self._scope = scope
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0

    async def token(self) -> str:
        if self._token is None or self._clock() >= self._renew_at:
            self._token, lifetime = await self._fetch()
            self._renew_at = self._clock() + min(lifetime * REFRESH_AT, max(lifetime - REFRESH_MARGIN_S, 0.0))
        return self._token

    async def _fetch(self) -> tuple[str, float]:
        if self._token_url is None:
            assert self._issuer is not None
            self._token_url = await token_endpoint_of(self._issuer)
        form = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self._secret}
        if self._scope:
            form["scope"] = self._scope
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_S) as http:
                response = await http.post(self._token_url, data=form)
        except httpx.HTTPError as exc:
            raise TokenUnavailable(f"token endpoint {self._token_url}: {exc}") from exc
        if response.status_code != 200:
            raise TokenUnavailable(
                f"token endpoint {self._token_url} refused client {self.client_id}: HTTP {response.status_code}"
            )
        body = response.json()
        log.debug("a Kafka token for %s, valid %ss", self.client_id, body.get("expires_in"))
        return str(body["access_token"]), float(body.get("expires_in") or 60)


@dataclass(frozen=True)
class KafkaAccess:
    """A broker's address and how to sign in there; `options()` are the keyword arguments of aiokafka's clients.

    PLAINTEXT signs in as nobody (a broker without ACLs); SASL_PLAINTEXT and SASL_SSL present `tokens` (an
    OAUTHBEARER token provider) or, for a broker's own super user only, a PLAIN user name and password.
    """

    bootstrap_servers: str
    security_protocol: SecurityProtocol = "PLAINTEXT"
    tokens: AbstractTokenProvider | None = field(default=None, repr=False)
    plain: tuple[str, str] | None = field(default=None, repr=False)
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        sasl = self.security_protocol.startswith("SASL_")
        if sasl and (self.tokens is None) == (self.plain is None):
            raise ValueError(f"{self.security_protocol} needs either a token provider or a PLAIN user")
        if not sasl and (self.tokens or self.plain):
            raise ValueError("credentials are only presented over SASL_PLAINTEXT or SASL_SSL")

    @property
    def principal(self) -> str:
        """Who the client says it is, for messages: the OAuth client id, the PLAIN user, or anonymous."""
        if isinstance(self.tokens, ClientCredentials):
            return self.tokens.client_id
        return self.plain[0] if self.plain else "anonymous"

    def options(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.tokens is not None:
            found |= {"sasl_mechanism": "OAUTHBEARER", "sasl_oauth_token_provider": self.tokens}
        elif self.plain is not None:
            found |= {"sasl_mechanism": "PLAIN", "sasl_plain_username": self.plain[0]}
            found["sasl_plain_password"] = self.plain[1]
        if self.security_protocol == "SASL_SSL":
            found["ssl_context"] = self.ssl_context or ssl.create_default_context()
        return found

    def __str__(self) -> str:
        return f"{self.bootstrap_servers} as {self.principal}"


def oauth(
    bootstrap_servers: str,
    client_id: str,
    client_secret: str,
    *,
    token_url: str | None = None,
    issuer: str | None = None,
    security_protocol: SecurityProtocol = "SASL_PLAINTEXT",
    cafile: str | None = None,
) -> KafkaAccess:
    """Access as OAuth client `client_id`, its tokens from `token_url` or the `issuer`'s discovery."""
    context = ssl.create_default_context(cafile=cafile) if security_protocol == "SASL_SSL" else None
    return KafkaAccess(
        bootstrap_servers,
        security_protocol,
        tokens=ClientCredentials(client_id, client_secret, token_url=token_url, issuer=issuer),
        ssl_context=context,
    )


def from_environment(bootstrap_servers: str, environ: Mapping[str, str], *, default_client_id: str) -> KafkaAccess:
    """Access for a command-line tool, from the variables a service reads: KAFKA_SECURITY_PROTOCOL (by default
    SASL_PLAINTEXT), KAFKA_OAUTH_CLIENT_ID (by default `default_client_id`), KAFKA_OAUTH_CLIENT_SECRET, and
    KAFKA_OAUTH_TOKEN_URL or OIDC_ISSUER; KAFKA_SSL_CAFILE with SASL_SSL. ValueError says what is missing."""
    protocol = environ.get("KAFKA_SECURITY_PROTOCOL") or "SASL_PLAINTEXT"
    if protocol not in SECURITY_PROTOCOLS:
        raise ValueError(f"KAFKA_SECURITY_PROTOCOL is one of {', '.join(SECURITY_PROTOCOLS)}, not {protocol!r}")
    if protocol == "PLAINTEXT":
        return KafkaAccess(bootstrap_servers)
    secret = environ.get("KAFKA_OAUTH_CLIENT_SECRET")
    token_url, issuer = environ.get("KAFKA_OAUTH_TOKEN_URL"), environ.get("OIDC_ISSUER")
    if not secret or not (token_url or issuer):
        raise ValueError(
            f"signing in to Kafka ({protocol}) needs KAFKA_OAUTH_CLIENT_SECRET, the secret of the OAuth client "
            f"{environ.get('KAFKA_OAUTH_CLIENT_ID') or default_client_id}, and OIDC_ISSUER or KAFKA_OAUTH_TOKEN_URL"
        )
    return oauth(
        bootstrap_servers,
        environ.get("KAFKA_OAUTH_CLIENT_ID") or default_client_id,
        secret,
        token_url=token_url or None,
        issuer=issuer or None,
        security_protocol=cast(SecurityProtocol, protocol),
        cafile=environ.get("KAFKA_SSL_CAFILE") or None,
    )
