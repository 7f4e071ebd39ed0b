"""The keys staff and integrator tokens are checked with: only asymmetric keys enter the key set, and the keys
are not trusted indefinitely while the provider cannot be reached to confirm them."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from docket_identity.tokens import OidcConfig, ProviderUnavailable, TokenVerifier, parse_jwks

ISSUER = "https://login.example.org/realms/docket"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
SECRET = base64.urlsafe_b64encode(b"a shared secret, published for all" * 2).rstrip(b"=").decode()


def public(key: Any, kid: str, **extra: Any) -> dict[str, Any]:
    algorithm = jwt.algorithms.RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else jwt.algorithms.ECAlgorithm
    return json.loads(algorithm.to_jwk(key.public_key())) | {"kid": kid} | extra


@pytest.mark.parametrize(
    "secret",
    [
        {"kty": "oct", "k": SECRET, "kid": "s1"},
        {"kty": "oct", "k": SECRET, "kid": "s1", "use": "sig"},
        {"kty": "oct", "k": SECRET, "kid": "s1", "alg": "RS256"},  # a secret claiming an asymmetric algorithm
    ],
)
def test_a_shared_secret_in_the_jwks_never_enters_the_key_set(secret):
    keys = parse_jwks({"keys": [secret, public(RSA_KEY, "r1"), public(EC_KEY, "e1", alg="ES256")]})
    assert set(keys) == {"r1", "e1"}
    assert {key.algorithm_name for key in keys.values()} == {"RS256", "ES256"}


def test_a_jwks_of_secrets_only_gives_no_key():
    assert parse_jwks({"keys": [{"kty": "oct", "k": SECRET}]}) == {}


class Provider:
    """The issuer's JWKS, or no answer while it is down."""

    def __init__(self) -> None:
        self.up = True

    def handler(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(200, json={"keys": [public(RSA_KEY, "r1", alg="RS256", use="sig")]})


def token() -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "docket", "sub": "someone", "iat": now, "exp": now + 300}
    return jwt.encode(claims, RSA_KEY, algorithm="RS256", headers={"kid": "r1"})


async def test_keys_are_not_trusted_for_longer_than_their_staleness_allows_while_the_provider_is_down():
    now, provider = [0.0], Provider()
    http = httpx.AsyncClient(transport=httpx.MockTransport(provider.handler))
    config = OidcConfig(issuer=ISSUER, audience="docket", jwks_url=f"{ISSUER}/certs", max_age_s=600, max_stale_s=3600)
    verifier = TokenVerifier(config, http, clock=lambda: now[0])
    assert (await verifier.verify(token()))["sub"] == "someone"
    provider.up = False
    now[0] = 601  # too old: a refresh is tried, fails, and the keys are kept for now
    assert (await verifier.verify(token()))["sub"] == "someone"
    now[0] = 3599
    assert (await verifier.verify(token()))["sub"] == "someone"
    now[0] = 3600  # an hour without the provider confirming them: no token is trusted
    with pytest.raises(ProviderUnavailable, match="could not be fetched"):
        await verifier.verify(token())
    provider.up = True  # once the provider answers again, its keys are trusted again
    now[0] = 3700
    assert (await verifier.verify(token()))["sub"] == "someone"
