"""The regulator's roles and the caller a verified token describes. Pure: no HTTP, no provider."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SYSTEM_PREFIX = "system:"  # actors of the services themselves (timers, routing); no token may claim one


class Role(enum.StrEnum):
    """Who may do what (docs/design.md, "Who may do what"); the values are the role names in the token."""

    INTAKE_OFFICER = "intake_officer"
    PRESIDENT = "president"  # the President of the authority, or a delegate
    RAPPORTEUR = "rapporteur"  # named per case referred to the restricted committee, never deliberates on it
    INVESTIGATOR = "investigator"
    SANCTIONS_COMMITTEE = "sanctions_committee"  # a member of the restricted committee
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"
    INTEGRATOR = "integrator"


STAFF = frozenset(Role) - {Role.INTEGRATOR}


class InvalidClaims(ValueError):
    """A token that verified but does not describe a caller Docket can act for; the text says why."""


@dataclass(frozen=True)
class Caller:
    """A verified caller: the token's subject, its roles and scopes, and the role it acts in here."""

    subject: str
    roles: frozenset[Role]
    scopes: frozenset[str] = frozenset()
    name: str | None = None
    client_id: str | None = None
    acting_as: Role | None = None

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any], roles_claim: str = "roles") -> Caller:
        """Read the caller from verified claims. Roles Docket does not know are ignored."""
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise InvalidClaims("the token has no subject")
        if subject.startswith(SYSTEM_PREFIX):
            raise InvalidClaims(f"subjects starting with {SYSTEM_PREFIX!r} are reserved for Docket itself")
        return cls(
            subject=subject,
            roles=frozenset(_known_roles(_claim_path(claims, roles_claim))),
            scopes=frozenset(_scopes(claims)),
            name=_first_text(claims, "preferred_username", "name"),
            client_id=_first_text(claims, "azp", "client_id"),
        )

    def acting(self, allowed: Iterable[Role]) -> Caller | None:
        """This caller acting in the first of `allowed` it holds (in the order given), or None."""
        role = next((r for r in allowed if r in self.roles), None)
        return None if role is None else Caller(self.subject, self.roles, self.scopes, self.name, self.client_id, role)

    def holds(self, role: Role) -> bool:
        return role in self.roles


def _claim_path(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by its exact name (which may hold dots, e.g. "https://docket.example/roles"), else by a dotted
    path into nested objects ("realm_access.roles")."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _known_roles(value: Any) -> list[Role]:
    names = value.split() if isinstance(value, str) else value if isinstance(value, list) else []
    known = {role.value: role for role in Role}
    return [known[name] for name in names if isinstance(name, str) and name in known]


def _scopes(claims: Mapping[str, Any]) -> list[str]:
    value = claims.get("scope", claims.get("scp"))
    if isinstance(value, str):
        return value.split()
    return [s for s in value if isinstance(s, str)] if isinstance(value, list) else []


def _first_text(claims: Mapping[str, Any], *names: str) -> str | None:
    return next((claims[n] for n in names if isinstance(claims.get(n), str) and claims[n]), None)
