"""Token verification and roles, without a provider: keys made here, the issuer's documents served by an
in-memory transport. The real provider is exercised by tests/e2e/test_authorization.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Annotated, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI

from docket_identity.http import allow
from docket_identity.roles import Caller, InvalidClaims, Role
from docket_identity.tokens import InvalidToken, OidcConfig, ProviderUnavailable, TokenVerifier

ISSUER = "https://login.example.org/realms/docket"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY, OTHER_KEY = new_key(), new_key()


def jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return public | {"kid": kid, "use": "sig", "alg": "RS256"}


class Issuer:
    """The issuer's discovery document and JWKS, counting how often the keys are fetched."""

    def __init__(self, keys: dict[str, rsa.RSAPrivateKey]) -> None:
        self.keys = keys
        self.jwks_fetches = 0
        self.up = True

    def handler(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("connection refused")
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json={"issuer": ISSUER, "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs"})
        self.jwks_fetches += 1
        return httpx.Response(200, json={"keys": [jwk(k, kid) for kid, k in self.keys.items()]})


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": ["docket", "account"],
        "sub": "7f1c2e1a-0000-4000-8000-000000000001",
        "iat": now,
        "exp": now + 300,
        "roles": ["investigator", "offline_access"],
        "preferred_username": "victor.investigator",
        "azp": "docket-cli",
        "scope": "openid docket",
    } | changes


def token(key: rsa.RSAPrivateKey = KEY, kid: str = "k1", **changes: Any) -> str:
    return jwt.encode(claims(**changes), key, algorithm="RS256", headers={"kid": kid})


def verifier(issuer: Issuer, **config: Any) -> TokenVerifier:
    http = httpx.AsyncClient(transport=httpx.MockTransport(issuer.handler))
    clock = config.pop("clock", time.monotonic)
    return TokenVerifier(OidcConfig(issuer=ISSUER, audience="docket", leeway_s=0, **config), http, clock)


async def test_a_token_of_the_issuer_for_docket_verifies_and_names_its_caller():
    found = await verifier(Issuer({"k1": KEY})).verify(token())
    caller = Caller.from_claims(found)
    assert caller.subject == claims()["sub"] and caller.name == "victor.investigator"
    assert caller.roles == {Role.INVESTIGATOR} and caller.client_id == "docket-cli"
    assert caller.scopes == {"openid", "docket"}


@pytest.mark.parametrize(
    ("forged", "reason"),
    [
        (lambda: token(exp=int(time.time()) - 5), "expired"),
        (lambda: token(aud="account"), "not meant for 'docket'"),
        (lambda: token(iss="https://evil.example.org/realms/docket"), "another issuer"),
        (lambda: token(key=OTHER_KEY), "signature does not verify"),  # the right kid, the wrong key
        (lambda: token(key=OTHER_KEY, kid="k9"), "not signed by a key of the issuer"),
        (
            lambda: jwt.encode({k: v for k, v in claims().items() if k != "exp"}, KEY, "RS256", headers={"kid": "k1"}),
            "no 'exp' claim",
        ),
        (lambda: "not.a.jwt", "not a signed JWT"),
    ],
)
async def test_forged_tokens_are_refused_with_the_reason(forged, reason):
    with pytest.raises(InvalidToken, match=reason):
        await verifier(Issuer({"k1": KEY})).verify(forged())


def b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


async def test_a_token_signed_with_the_public_key_as_a_shared_secret_or_unsigned_is_refused():
    public_pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    body = b64(json.dumps(claims()).encode())
    header = b64(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
    signature = b64(hmac.new(public_pem, header + b"." + body, hashlib.sha256).digest())
    with pytest.raises(InvalidToken, match="algorithm is not accepted"):
        await verifier(Issuer({"k1": KEY})).verify((header + b"." + body + b"." + signature).decode())
    unsigned = b64(b'{"alg":"none"}') + b"." + body + b"."
    with pytest.raises(InvalidToken, match="algorithm is not accepted"):
        await verifier(Issuer({"k1": KEY})).verify(unsigned.decode())


async def test_keys_are_cached_and_fetched_again_for_a_new_key_id_at_most_once_an_interval():
    now = [1000.0]
    issuer = Issuer({"k1": KEY})
    checker = verifier(issuer, refresh_interval_s=10, clock=lambda: now[0])
    await checker.verify(token())
    await checker.verify(token())
    assert issuer.jwks_fetches == 1
    issuer.keys["k2"] = OTHER_KEY  # the provider rolls a new key
    now[0] += 11
    assert (await checker.verify(token(key=OTHER_KEY, kid="k2")))["sub"]
    assert issuer.jwks_fetches == 2
    for _ in range(20):  # a flood of made-up key ids costs no fetch within the interval
        with pytest.raises(InvalidToken):
            await checker.verify(token(key=OTHER_KEY, kid="made-up"))
    assert issuer.jwks_fetches == 2


async def test_a_key_the_provider_withdrew_stops_being_trusted_within_the_maximum_age():
    now = [0.0]
    issuer = Issuer({"k1": KEY})
    checker = verifier(issuer, max_age_s=600, clock=lambda: now[0])
    await checker.verify(token())
    del issuer.keys["k1"]  # rotated out, e.g. after it leaked
    issuer.keys["k2"] = OTHER_KEY
    now[0] += 300
    await checker.verify(token())  # still cached
    now[0] += 301
    with pytest.raises(InvalidToken, match="not signed by a key of the issuer"):
        await checker.verify(token())
    assert (await checker.verify(token(key=OTHER_KEY, kid="k2")))["sub"]


async def test_odd_headers_are_refused_as_bad_tokens_without_repeating_them():
    checker = verifier(Issuer({"k1": KEY}))
    for kid in (["k1"], {"a": 1}):
        crafted = b64(json.dumps({"alg": "RS256", "kid": kid}).encode()) + b"." + b64(json.dumps(claims()).encode())
        with pytest.raises(InvalidToken):  # a refusal (401), never a crash (500)
            await checker.verify((crafted + b".x").decode())
    odd = (b64(json.dumps({"alg": "<script>", "kid": "k1"}).encode()) + b"." + b64(b"{}") + b".x").decode()
    with pytest.raises(InvalidToken) as refused:
        await checker.verify(odd)
    assert "<script>" not in str(refused.value)


async def test_an_unreachable_provider_is_not_mistaken_for_a_bad_token():
    issuer = Issuer({"k1": KEY})
    issuer.up = False
    with pytest.raises(ProviderUnavailable):
        await verifier(issuer).verify(token())


@pytest.mark.parametrize("subject", ["system:deadline-timer", "system:complaint-routing", ""])
def test_no_token_can_claim_a_system_actor_or_no_subject(subject):
    with pytest.raises(InvalidClaims):
        Caller.from_claims(claims(sub=subject))


def test_teams_are_read_from_the_groups_claim_as_names_and_kept_by_the_role_acted_in():
    caller = Caller.from_claims(
        {"sub": "u1", "roles": ["investigator"], "groups": ["/complaints-desk", "investigations", "/", 7]}
    )
    assert caller.groups == frozenset({"complaints-desk", "investigations"})
    acting = caller.acting([Role.INVESTIGATOR])
    assert acting is not None and acting.groups == caller.groups
    nested = Caller.from_claims({"sub": "u1", "ext": {"teams": "desk-a desk-b"}}, groups_claim="ext.teams")
    assert nested.groups == frozenset({"desk-a", "desk-b"})
    assert Caller.from_claims({"sub": "u1"}).groups == frozenset()


def test_roles_are_read_from_the_configured_claim_and_unknown_roles_ignored():
    nested = claims(roles=None, realm_access={"roles": ["auditor", "uma_authorization", "administrator"]})
    assert Caller.from_claims(nested, "realm_access.roles").roles == {Role.AUDITOR, Role.ADMINISTRATOR}
    assert Caller.from_claims(nested).roles == frozenset()
    namespaced = claims(roles=None, **{"https://docket.example/roles": ["sanctions_committee"]})
    assert Caller.from_claims(namespaced, "https://docket.example/roles").roles == {Role.SANCTIONS_COMMITTEE}


def test_a_caller_acts_in_the_first_allowed_role_it_holds():
    caller = Caller.from_claims(claims(roles=["auditor", "investigator"]))
    assert caller.acting((Role.INVESTIGATOR, Role.AUDITOR)).acting_as == Role.INVESTIGATOR
    assert caller.acting((Role.AUDITOR, Role.INVESTIGATOR)).acting_as == Role.AUDITOR
    assert caller.acting((Role.SANCTIONS_COMMITTEE,)) is None


def app_with_route(issuer: Issuer) -> FastAPI:
    app = FastAPI()
    app.state.verifier = verifier(issuer)
    app.state.roles_claim = "roles"

    @app.get("/sanctions")
    async def sanctions(caller: Annotated[Caller, Depends(allow(Role.SANCTIONS_COMMITTEE, Role.AUDITOR))]) -> dict:
        return {"subject": caller.subject, "role": caller.acting_as}

    return app


async def test_the_route_answers_401_without_or_with_a_bad_token_and_403_without_the_role():
    issuer = Issuer({"k1": KEY})
    transport = httpx.ASGITransport(app=app_with_route(issuer))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        missing = await http.get("/sanctions")
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == 'Bearer realm="docket"'
        bad = await http.get("/sanctions", headers={"Authorization": f"Bearer {token(exp=1)}"})
        assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["www-authenticate"]
        assert "expired" in bad.json()["detail"]
        assert token(exp=1) not in bad.text
        wrong_role = await http.get("/sanctions", headers={"Authorization": f"Bearer {token()}"})
        assert wrong_role.status_code == 403
        assert wrong_role.json()["detail"] == (
            "this route needs the role sanctions_committee or auditor; the token holds investigator"
        )
        ok = await http.get("/sanctions", headers={"Authorization": f"Bearer {token(roles=['auditor'])}"})
        assert ok.status_code == 200 and ok.json() == {"subject": claims()["sub"], "role": "auditor"}
