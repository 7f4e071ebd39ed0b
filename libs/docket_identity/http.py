"""The HTTP edge of identity: a bearer-token dependency that names, at the route, which roles may call it.

    Investigator = Annotated[Caller, Depends(allow(Role.INVESTIGATOR))]

    @router.post("/cases/{case_id}/findings")
    async def record_finding(..., caller: Investigator) -> ...

No token, or one that does not verify: 401 with `WWW-Authenticate: Bearer`. A valid token without one
of the roles: 403. The caller returned acts in the first allowed role it holds, which is what the
record keeps with the events it causes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, status
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .roles import Caller, InvalidClaims, Role
from .tokens import InvalidToken, ProviderUnavailable, TokenVerifier

REALM = "docket"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="staff token",
    description="An access token from Docket's OpenID Connect provider (see the README: "
    "`make run` prints how to get one).",
)


def get_verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.verifier
    return verifier


def _challenge(error: str | None = None, description: str | None = None) -> dict[str, str]:
    parts = [f'realm="{REALM}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{description}"')
    return {"WWW-Authenticate": "Bearer " + ", ".join(parts)}


class Allow:
    """A dependency that lets through callers holding one of `roles`; `roles` is readable for docs and tests."""

    def __init__(self, *roles: Role) -> None:
        if not roles:
            raise ValueError("name at least one role; public routes take no Allow")
        self.roles = roles

    async def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        verifier: Annotated[TokenVerifier, Depends(get_verifier)],
    ) -> Caller:
        if credentials is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "this route needs a bearer token", headers=_challenge())
        try:
            claims = await verifier.verify(credentials.credentials)
            caller = Caller.from_claims(claims, request.app.state.roles_claim)
        except (InvalidToken, InvalidClaims) as exc:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, str(exc), headers=_challenge("invalid_token", str(exc))
            ) from None
        except ProviderUnavailable:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                "the identity provider cannot be reached to check the token; retry shortly",
                headers={"Retry-After": "5"},
            ) from None
        acting = caller.acting(self.roles)
        if acting is None:
            held = ", ".join(sorted(caller.roles)) or "none of Docket's roles"
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this route needs the role {_either(self.roles)}; the token holds {held}",
                headers=_challenge("insufficient_scope"),
            )
        return acting


def allow(*roles: Role) -> Allow:
    return Allow(*roles)


def acting_in(caller: Caller, role: Role, act: str) -> Caller:
    """`caller` acting in `role`, on a route that admits several roles when the act the body names belongs to one
    of them: 403 if the caller does not hold it."""
    acting = caller.acting((role,))
    if acting is None:
        held = ", ".join(sorted(caller.roles)) or "none of Docket's roles"
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"{act} needs the role {role.value}; the token holds {held}",
            headers=_challenge("insufficient_scope"),
        )
    return acting


def _either(roles: Iterable[Role]) -> str:
    names = [r.value for r in roles]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def allowed_roles(route: APIRoute) -> tuple[Role, ...] | None:
    """The roles a route admits, or None for a public route: its Allow, or the Allow a dependency of its
    depends on (a dependency that does more with the caller it lets through)."""
    return _allowed(route.dependant)


def _allowed(dependant: Dependant) -> tuple[Role, ...] | None:
    for dependency in dependant.dependencies:
        if isinstance(dependency.call, Allow):
            return dependency.call.roles
        if (found := _allowed(dependency)) is not None:
            return found
    return None


def document_roles(router: APIRouter) -> None:
    """Write into each route's documentation who may call it (before the router is included in an app).

    The app serves tokens once `app.state.verifier` (a TokenVerifier) and `app.state.roles_claim` are set.
    """
    for route in router.routes:
        if isinstance(route, APIRoute):
            roles = allowed_roles(route)
            who = f"**Roles:** {_either(roles)}." if roles else "**Public:** no staff token needed."
            if who not in route.description:  # a router shared by several apps is documented once
                route.description = f"{route.description}\n\n{who}".strip()


def api_routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """Every (method, path, route) the app serves through its routers, for checks over all routes."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path is not None:
            found += [(method, context.path, route) for method in sorted(route.methods or ())]
    return found
