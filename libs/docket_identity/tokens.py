"""Bearer tokens verified against an OpenID Connect issuer: signature by the issuer's published keys,
issuer, audience, expiry. Keys are cached and fetched again when a token names a key id not seen yet,
which is how providers roll their keys (a flood of unknown key ids costs at most one fetch per interval),
and at least every `max_age_s`, so that a key the provider withdrew stops being trusted. While the provider
cannot be reached the keys are kept, for `max_stale_s` past their last fetch and no longer: a withdrawn key
must not stay trusted for as long as someone can keep the provider out of reach.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

log = logging.getLogger(__name__)

# Asymmetric algorithms only: a shared-secret algorithm (HS256) would let anyone who holds the
# "public" key mint tokens, and "none" would let anyone at all.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
# The key types of those algorithms: RSA, elliptic curves, and Edwards curves. A key of type "oct" is a shared
# secret, published for all to read in a JWKS: never a key to check a signature with.
KEY_TYPES = frozenset({"RSA", "EC", "OKP"})


class InvalidToken(Exception):
    """The token cannot be trusted; the text says why, without repeating the token."""


class ProviderUnavailable(Exception):
    """The identity provider's keys could not be fetched, so no token can be checked right now."""


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    audience: str
    jwks_url: str | None = None  # None: read from the issuer's discovery document
    leeway_s: float = 30.0
    refresh_interval_s: float = 10.0
    max_age_s: float = 600.0
    max_stale_s: float = 3600.0
    timeout_s: float = 5.0
    algorithms: Sequence[str] = ALGORITHMS


class TokenVerifier:
    """Checks bearer tokens against one issuer. Owns an httpx client: close it with `close()`."""

    def __init__(
        self, config: OidcConfig, http: httpx.AsyncClient | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.config = config
        self._http = http or httpx.AsyncClient(timeout=config.timeout_s, follow_redirects=False)
        self._owns_http = http is None
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._jwks_url = config.jwks_url
        self._fetched_at: float | None = None  # the last attempt to fetch the keys
        self._loaded_at: float | None = None  # the last fetch that succeeded
        self._lock = asyncio.Lock()

    async def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or InvalidToken (ProviderUnavailable if the keys cannot be had)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("the token is not a signed JWT") from None
        if not isinstance(header.get("alg"), str) or header["alg"] not in self.config.algorithms:
            raise InvalidToken("the token's algorithm is not accepted (asymmetric signatures only)")
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise InvalidToken("the token's key id is not a string")
        key = await self._key(kid)
        try:
            return jwt.decode(
                token,
                key,
                algorithms=list(self.config.algorithms),
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=self.config.leeway_s,
                options={"require": ["exp", "iat", "iss", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken(f"the token is not meant for {self.config.audience!r}") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("the token comes from another issuer") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("the token's signature does not verify") from None
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"the token has no {exc.claim!r} claim") from None
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the token is invalid ({type(exc).__name__})") from None

    async def ready(self) -> None:
        """Raise ProviderUnavailable unless the issuer's keys are loaded (fetching them if need be)."""
        if not self._keys:
            async with self._lock:
                await self._refresh()

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _key(self, kid: str | None) -> jwt.PyJWK:
        if self._too_old():
            async with self._lock:
                if self._too_old():
                    try:
                        await self._refresh()
                    except ProviderUnavailable as exc:  # keep the keys we have rather than refuse everyone
                        log.warning("identity: keys of %s not refreshed: %s", self.config.issuer, exc)
        if self._stale():
            raise ProviderUnavailable(
                f"the keys of {self.config.issuer} could not be fetched for {self.config.max_stale_s:.0f}s; "
                "no token is trusted until they are"
            )
        key = self._pick(kid)
        if key is not None:
            return key
        async with self._lock:
            key = self._pick(kid)  # another request may have refreshed meanwhile
            if key is None and self._may_refresh():
                await self._refresh()
                key = self._pick(kid)
        if key is None:
            raise InvalidToken("the token was not signed by a key of the issuer")
        return key

    def _pick(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is not None:
            return self._keys.get(kid)
        return next(iter(self._keys.values())) if len(self._keys) == 1 else None

    def _too_old(self) -> bool:
        """Time to fetch the keys again: the last attempt is `max_age_s` old, or `refresh_interval_s` old once the
        keys are stale (so that they are trusted again as soon as the provider answers)."""
        if not self._keys or self._fetched_at is None:
            return False
        since = self._clock() - self._fetched_at
        return since >= self.config.max_age_s or (self._stale() and since >= self.config.refresh_interval_s)

    def _stale(self) -> bool:
        return self._loaded_at is not None and self._clock() - self._loaded_at >= self.config.max_stale_s

    def _may_refresh(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self.config.refresh_interval_s

    async def _refresh(self) -> None:
        self._fetched_at = self._clock()
        try:
            if self._jwks_url is None:
                discovery = await self._get_json(f"{self.config.issuer.rstrip('/')}/.well-known/openid-configuration")
                if discovery.get("issuer") != self.config.issuer:
                    raise ProviderUnavailable(
                        f"the discovery document names issuer {discovery.get('issuer')!r}, not {self.config.issuer!r}"
                    )
                self._jwks_url = str(discovery["jwks_uri"])
            document = await self._get_json(self._jwks_url)
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise ProviderUnavailable(f"cannot fetch the issuer's keys: {type(exc).__name__}: {exc}") from None
        self._keys = parse_jwks(document, self.config.algorithms)
        self._loaded_at = self._fetched_at
        log.info("identity: %d signing key(s) of %s loaded", len(self._keys), self.config.issuer)

    async def _get_json(self, url: str) -> Mapping[str, Any]:
        response = await self._http.get(url)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, Mapping):
            raise ValueError(f"{url} did not answer a JSON object")
        return document


def parse_jwks(document: Mapping[str, Any], algorithms: Sequence[str] = ALGORITHMS) -> dict[str, jwt.PyJWK]:
    """The signing keys of a JWKS by key id; encryption keys, shared secrets ("oct") and keys of any other type
    or algorithm than `algorithms` are left out."""
    keys: dict[str, jwt.PyJWK] = {}
    for index, entry in enumerate(document.get("keys") or ()):
        if not isinstance(entry, Mapping) or entry.get("use", "sig") != "sig" or entry.get("kty") not in KEY_TYPES:
            continue
        if entry.get("alg") is not None and entry["alg"] not in algorithms:
            continue
        try:
            key = jwt.PyJWK(dict(entry))
        except jwt.PyJWTError:
            continue
        if key.algorithm_name not in algorithms:  # the algorithm a key without "alg" is taken to be for
            continue
        keys[str(entry.get("kid", f"#{index}"))] = key
    return keys
