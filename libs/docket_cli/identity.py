"""`docket login`: a token from the OpenID Connect provider, kept for the next commands.

The password grant (the demo realm's `docket-cli` client allows it) or the device flow (a browser signs in,
the command line waits); either answer is kept in `token.json` under the user's config directory
(`~/.config/docket/` on Linux), readable by its owner only, and its access token is refreshed with the
refresh token when it has expired. `--token` or `DOCKET_TOKEN` takes precedence over the kept one.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click
import httpx

from docket_identity.roles import Role

from .problems import Problem

TOKEN_FILE = "token.json"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
EARLY_S = 30  # refresh an access token this long before it expires


def config_dir() -> Path:
    """The user's config directory for docket (`$XDG_CONFIG_HOME/docket`, else `~/.config/docket` on Linux)."""
    return Path(click.get_app_dir("docket"))


def claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, unverified: only to say who the kept token is for (the services verify it)."""
    try:
        payload = token.split(".")[1]
        found = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


@dataclass(frozen=True)
class Kept:
    """A token answer as kept on disk."""

    issuer: str
    client_id: str
    access_token: str
    expires_at: float
    refresh_token: str | None = None
    refresh_expires_at: float | None = None

    @property
    def user(self) -> str:
        found = claims(self.access_token)
        return str(found.get("preferred_username") or found.get("sub") or "?")

    @property
    def roles(self) -> list[str]:
        """Docket's roles among the token's (a provider adds its own, such as offline_access)."""
        return [str(role) for role in claims(self.access_token).get("roles", ()) if role in set(Role)]

    @property
    def described(self) -> str:
        """`victor.investigator (investigator)`."""
        return f"{self.user} ({', '.join(r.replace('_', ' ') for r in self.roles) or 'no Docket role'})"


def kept_from(answer: Mapping[str, Any], issuer: str, client_id: str, now: float) -> Kept:
    refresh_in = answer.get("refresh_expires_in")
    return Kept(
        issuer=issuer,
        client_id=client_id,
        access_token=str(answer["access_token"]),
        expires_at=now + float(answer.get("expires_in", 60)),
        refresh_token=answer.get("refresh_token"),
        refresh_expires_at=now + float(refresh_in) if refresh_in else None,
    )


def save(path: Path, kept: Kept) -> None:
    """Write the token file readable and writable by its owner only (0600), in a directory only they enter."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        os.fchmod(out.fileno(), 0o600)  # also when the file was there with wider rights
        json.dump(asdict(kept), out)
    os.replace(temporary, path)


def load(path: Path) -> Kept | None:
    try:
        return Kept(**json.loads(path.read_text()))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError):
        raise Problem(f"{path} is not a token docket kept: remove it and run `docket login`") from None


def discover(http: httpx.Client, issuer: str) -> dict[str, Any]:
    """The provider's OpenID configuration (token and device endpoints)."""
    url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        response = http.get(url)
    except httpx.HTTPError as exc:
        raise Problem(
            f"cannot reach the identity provider at {issuer} ({type(exc).__name__}): is Docket up "
            f"(make run), or give --issuer / DOCKET_ISSUER"
        ) from None
    if response.status_code != 200:
        raise Problem(f"{issuer} is no OpenID Connect issuer (HTTP {response.status_code} for its configuration)")
    found: dict[str, Any] = response.json()
    return found


def token_request(http: httpx.Client, endpoint: str, form: Mapping[str, str]) -> dict[str, Any]:
    """POST to the token endpoint; an OAuth error answer is a Problem naming the provider's reason."""
    response = http.post(endpoint, data=dict(form))
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 200:
        reason = answer.get("error_description") or answer.get("error") or f"HTTP {response.status_code}"
        raise Problem(f"the identity provider refused: {reason}")
    return dict(answer)


def password_login(http: httpx.Client, issuer: str, client_id: str, username: str, password: str) -> dict[str, Any]:
    endpoint = discover(http, issuer)["token_endpoint"]
    return token_request(
        http,
        endpoint,
        {
            "grant_type": "password",
            "client_id": client_id,
            "username": username,
            "password": password,
            "scope": "openid",
        },
    )


def device_login(
    http: httpx.Client,
    issuer: str,
    client_id: str,
    show: Callable[[Mapping[str, Any]], None],
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """The device flow (RFC 8628): show where to sign in and the code, then poll until the person has."""
    configuration = discover(http, issuer)
    started = http.post(
        configuration["device_authorization_endpoint"], data={"client_id": client_id, "scope": "openid"}
    )
    if started.status_code != 200:
        raise Problem(f"the identity provider did not start a device login (HTTP {started.status_code})")
    device = started.json()
    show(device)
    interval = float(device.get("interval", 5))
    deadline = time.monotonic() + float(device.get("expires_in", 600))
    while time.monotonic() < deadline:
        sleep(interval)
        response = http.post(
            configuration["token_endpoint"],
            data={"grant_type": DEVICE_GRANT, "device_code": device["device_code"], "client_id": client_id},
        )
        answer = response.json()
        if response.status_code == 200:
            return dict(answer)
        error = answer.get("error")
        if error == "slow_down":
            interval += 5
        elif error != "authorization_pending":
            raise Problem(f"the device login ended: {answer.get('error_description') or error}")
    raise Problem("the device login expired before anyone signed in: run `docket login --device` again")


def fresh(http: httpx.Client, path: Path, now: float) -> Kept:
    """The kept token, refreshed (and kept again) when its access token has expired."""
    kept = load(path)
    if kept is None:
        raise Problem("not signed in: run `docket login` (or give --token, or set DOCKET_TOKEN)")
    if kept.expires_at - EARLY_S > now:
        return kept
    if not kept.refresh_token or (kept.refresh_expires_at is not None and kept.refresh_expires_at <= now):
        raise Problem(f"the session of {kept.user} has ended: run `docket login` again")
    endpoint = discover(http, kept.issuer)["token_endpoint"]
    answer = token_request(
        http,
        endpoint,
        {"grant_type": "refresh_token", "client_id": kept.client_id, "refresh_token": kept.refresh_token},
    )
    renewed = kept_from(answer, kept.issuer, kept.client_id, now)
    save(path, renewed)
    return renewed
