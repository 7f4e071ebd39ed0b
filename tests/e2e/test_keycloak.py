"""The embedded Keycloak issues the tokens the services expect, survives a restart and leaves nothing behind."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from docket_devstack.keycloak import KeycloakServer

pytestmark = pytest.mark.e2e

PASSWORD = "docket-demo"
STAFF_ROLES = {
    "ines.intake": "intake_officer",
    "victor.investigator": "investigator",
    "sophie.sanctions": "sanctions_committee",
    "alice.auditor": "auditor",
    "adrien.admin": "administrator",
}
INTEGRATOR = "docket-demo-integrator"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeycloakServer]:
    """A server of this module's own: the last test stops and restarts it."""
    with KeycloakServer(tmp_path_factory.mktemp("keycloak-e2e")) as started:
        yield started


def jwt_part(token: str, index: int) -> dict[str, Any]:
    """One decoded part of a JWT (0: header, 1: claims), unverified."""
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def audiences(claims: dict[str, Any]) -> list[str]:
    aud = claims.get("aud", [])
    return [aud] if isinstance(aud, str) else list(aud)


def processes_under(path: Path) -> list[psutil.Process]:
    """Live processes whose command line names `path` (kc.sh and its JVM name the server's home)."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        if process.info["status"] != psutil.STATUS_ZOMBIE and str(path) in " ".join(process.info["cmdline"] or ()):
            found.append(process)
    return found


def test_the_discovery_document_names_the_realm_as_issuer(server: KeycloakServer) -> None:
    response = httpx.get(f"{server.issuer()}/.well-known/openid-configuration")

    assert response.status_code == 200
    discovery = response.json()
    assert discovery["issuer"] == server.issuer() == f"{server.base_url}/realms/docket"
    assert discovery["token_endpoint"] == server.token_endpoint()


def test_the_jwks_holds_an_rs256_signing_key(server: KeycloakServer) -> None:
    jwks_uri = httpx.get(f"{server.issuer()}/.well-known/openid-configuration").json()["jwks_uri"]

    keys = httpx.get(jwks_uri).json()["keys"]

    assert any(key["alg"] == "RS256" and key["kty"] == "RSA" and key.get("use") == "sig" for key in keys)


@pytest.mark.parametrize(("username", "role"), STAFF_ROLES.items())
def test_a_staff_member_gets_a_docket_token_with_their_role(server: KeycloakServer, username: str, role: str) -> None:
    token = server.password_token(username, PASSWORD)["access_token"]

    claims = jwt_part(token, 1)
    assert jwt_part(token, 0)["alg"] == "RS256"
    assert claims["iss"] == server.issuer()
    assert "docket" in audiences(claims)
    assert role in claims["roles"]
    assert not set(claims["roles"]) & (set(STAFF_ROLES.values()) - {role})
    assert uuid.UUID(claims["sub"])
    assert claims["preferred_username"] == username
    assert claims["azp"] == "docket-cli"


@pytest.mark.parametrize(
    ("username", "teams"),
    [("ines.intake", ["complaints-desk"]), ("victor.investigator", ["investigations"]), ("alice.auditor", [])],
)
def test_a_staff_member_s_teams_are_the_groups_claim_of_their_token(
    server: KeycloakServer, username: str, teams: list[str]
) -> None:
    claims = jwt_part(server.password_token(username, PASSWORD)["access_token"], 1)

    assert claims.get("groups", []) == teams  # names, not paths: what a team's queue is matched on


def test_the_demo_integrator_gets_its_role_and_only_its_event_scopes(server: KeycloakServer) -> None:
    secret = server.client_secret(INTEGRATOR)

    claims = jwt_part(server.client_credentials_token(INTEGRATOR, secret)["access_token"], 1)

    assert claims["iss"] == server.issuer()
    assert "docket" in audiences(claims)
    assert "integrator" in claims["roles"]
    scopes = claims["scope"].split()
    assert "docket.events.cases" in scopes
    assert "docket.events.complaints" not in scopes
    assert "docket.events.notifications" not in scopes  # optional: only when asked for
    asked = jwt_part(
        server.client_credentials_token(INTEGRATOR, secret, scope="docket.events.notifications")["access_token"], 1
    )
    assert {"docket.events.cases", "docket.events.notifications"} <= set(asked["scope"].split())
    with pytest.raises(httpx.HTTPStatusError) as refused:
        server.client_credentials_token(INTEGRATOR, secret, scope="docket.events.complaints")
    assert refused.value.response.json()["error"] == "invalid_scope"


def test_a_wrong_password_is_refused(server: KeycloakServer) -> None:
    response = httpx.post(
        server.token_endpoint(),
        data={
            "grant_type": "password",
            "client_id": "docket-cli",
            "username": "victor.investigator",
            "password": "not-the-password",
        },
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_grant"


def test_a_restart_keeps_the_realm_and_a_stop_leaves_no_process(server: KeycloakServer) -> None:
    subject = jwt_part(server.password_token("victor.investigator", PASSWORD)["access_token"], 1)["sub"]
    secret = server.client_secret(INTEGRATOR)
    assert processes_under(server.data_dir)

    server.stop()

    assert not server.is_running()
    assert processes_under(server.data_dir) == []
    server.start()  # same data dir: the realm is there already, the admin password is the one kept
    assert jwt_part(server.password_token("victor.investigator", PASSWORD)["access_token"], 1)["sub"] == subject
    assert server.client_secret(INTEGRATOR) == secret
    server.stop()
    assert processes_under(server.data_dir) == []
