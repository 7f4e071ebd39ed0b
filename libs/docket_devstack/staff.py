"""The demo staff of deploy/keycloak/demo/ and real tokens for them (and for the demo integrator) from a running
Keycloak, as request headers: what `make run`'s story and the tests sign in with."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .keycloak import KeycloakServer

PASSWORD = "docket-demo"
INTAKE_OFFICER = "ines.intake"
PRESIDENT = "paula.president"
RAPPORTEUR = "raphael.rapporteur"
INVESTIGATOR = "victor.investigator"
SANCTIONS_COMMITTEE = "sophie.sanctions"
AUDITOR = "alice.auditor"
ADMINISTRATOR = "adrien.admin"
STAFF = (INTAKE_OFFICER, PRESIDENT, RAPPORTEUR, INVESTIGATOR, SANCTIONS_COMMITTEE, AUDITOR, ADMINISTRATOR)
ROLES = {
    INTAKE_OFFICER: "intake officer",
    PRESIDENT: "president",
    RAPPORTEUR: "rapporteur",
    INVESTIGATOR: "investigator",
    SANCTIONS_COMMITTEE: "sanctions committee",
    AUDITOR: "auditor",
    ADMINISTRATOR: "administrator",
}
INTEGRATOR_CLIENT = "docket-demo-integrator"


@dataclass
class Tokens:
    """Access tokens by user of one realm (Docket's by default), fetched once and again shortly before they expire."""

    keycloak: KeycloakServer
    realm: str = "docket"
    _cache: dict[str, tuple[float, dict[str, str]]] = field(default_factory=dict)

    def __call__(self, user: str) -> dict[str, str]:
        """`Authorization: Bearer ...` for one of the demo staff users."""
        return self._cached(user, lambda: self.keycloak.password_token(user, PASSWORD, realm=self.realm))

    def integrator(self, client_id: str = INTEGRATOR_CLIENT) -> dict[str, str]:
        """`Authorization: Bearer ...` for a client-credentials client (the demo integrator by default)."""
        secret = self.keycloak.client_secret(client_id, self.realm)

        def fetch() -> dict[str, Any]:
            return self.keycloak.client_credentials_token(client_id, secret, self.realm)

        return self._cached(f"client:{client_id}", fetch)

    def subject(self, user: str) -> str:
        """The `sub` of a user's tokens."""
        sub: str = claims(self(user)["Authorization"].removeprefix("Bearer "))["sub"]
        return sub

    def _cached(self, key: str, fetch: Callable[[], dict[str, Any]]) -> dict[str, str]:
        hit = self._cache.get(key)
        if hit is None or hit[0] < time.monotonic():
            answer = fetch()
            hit = (time.monotonic() + answer["expires_in"] - 60, {"Authorization": f"Bearer {answer['access_token']}"})
            self._cache[key] = hit
        return hit[1]


def claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, unverified (to read what the provider put in a token the test holds)."""
    import base64
    import json

    payload = token.split(".")[1]
    found: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return found
