"""The keys cooperation messages are signed with: this authority's own (its private key from a secret setting,
the public keys it replaced still published for the messages in flight), and the peers', fetched from the JWKS
each publishes and cached.

A cooperation key's `kid` is `cooperation-` and its RFC 7638 thumbprint. The case service publishes its checkpoint
keys in the same JWKS (docket_contracts.checkpoints), whose `kid` is the bare thumbprint: so a checkpoint's
verifier passes over a cooperation key and the exchange over a checkpoint key, and neither kind of key can stand
in for the other.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from docket_contracts.checkpoints import public_jwk, public_key
from docket_identity.tokens import parse_jwks

from .directory import Authority

log = logging.getLogger(__name__)

KID_PREFIX = "cooperation-"
ALGORITHM = "EdDSA"
SEED_BYTES = 32


def cooperation_jwk(public: Ed25519PublicKey) -> dict[str, str]:
    """The key as a JWK of the cooperation exchange."""
    jwk = public_jwk(public)
    return jwk | {"kid": KID_PREFIX + jwk["kid"]}


class OwnKey:
    """This authority's signing key, from its setting: base64 of a 32-byte Ed25519 seed."""

    def __init__(self, setting: str) -> None:
        text = setting.strip().replace("-", "+").replace("_", "/")
        try:
            seed = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (ValueError, binascii.Error):
            raise ValueError("the cooperation signing key must be base64") from None
        if len(seed) != SEED_BYTES:
            raise ValueError(f"the cooperation signing key must be {SEED_BYTES} bytes (base64 of 32 random bytes)")
        self.private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public = self.private.public_key()
        self.jwk = cooperation_jwk(self.public)
        self.key_id = self.jwk["kid"]


def retired_keys(setting: str) -> list[Ed25519PublicKey]:
    """The public keys of a comma-separated list of JWK `x` values (the keys this authority signed with before)."""
    return [public_key(x) for x in setting.split(",") if x.strip()]


def jwks(current: OwnKey, retired: Iterable[Ed25519PublicKey] = ()) -> dict[str, list[dict[str, str]]]:
    """The JWKS of the cooperation keys: the one that signs now first, then those it replaced (still listed, so
    that a message signed before the rotation and still on its way verifies)."""
    return {"keys": [current.jwk, *(cooperation_jwk(key) for key in retired)]}


class KeysUnavailable(Exception):
    """A peer's keys could not be fetched, and none are known from before."""


class UnknownKey(Exception):
    """The peer publishes no cooperation key of that `kid`, even after fetching its keys again."""


GetJson = Callable[[str], Awaitable[Mapping[str, Any]]]


@dataclass
class _Cached:
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    fetched_at: float | None = None  # the last attempt
    loaded_at: float | None = None  # the last fetch that succeeded
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class PeerKeys:
    """The peers' cooperation keys, by authority and `kid`.

    A peer's JWKS is fetched the first time one of its messages comes, again at least every `max_age_s` (a key it
    withdrew stops being trusted), and again when a message names a `kid` not seen yet (how a peer's rotation
    arrives), at most once per `refresh_interval_s`: a flood of messages naming made-up keys costs one fetch per
    interval. While a peer cannot be reached its keys are kept, for `max_stale_s` past their last fetch and no
    longer: a key the peer withdrew must not stay trusted for as long as someone can keep the peer out of reach.
    """

    def __init__(
        self,
        get_json: GetJson,
        *,
        refresh_interval_s: float = 10.0,
        max_age_s: float = 600.0,
        max_stale_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._get_json = get_json
        self.refresh_interval_s, self.max_age_s, self.max_stale_s = refresh_interval_s, max_age_s, max_stale_s
        self._clock = clock
        self._cached: dict[str, _Cached] = {}

    async def key(self, authority: Authority, kid: str) -> jwt.PyJWK:
        """The peer's key `kid`; UnknownKey if it publishes none such, KeysUnavailable if its keys cannot be had."""
        cached = self._cached.setdefault(authority.id, _Cached())
        if kid in cached.keys and self._age(cached.loaded_at) < self.max_age_s:
            return cached.keys[kid]
        async with cached.lock:  # another message may have fetched them meanwhile
            if self._due(cached, kid):
                await self._refresh(authority, cached)
        if self._age(cached.loaded_at) >= self.max_stale_s:
            raise KeysUnavailable(f"the keys of {authority.id} could not be fetched from {authority.jwks_url}")
        if kid in cached.keys:
            return cached.keys[kid]
        raise UnknownKey(f"{authority.id} publishes no cooperation key {kid!r} at {authority.jwks_url}")

    def _age(self, moment: float | None) -> float:
        return float("inf") if moment is None else self._clock() - moment

    def _due(self, cached: _Cached, kid: str) -> bool:
        """Time to fetch the keys: never fetched; or not within `refresh_interval_s` and either the keys are
        `max_age_s` old (still, after failed fetches: tried again each interval) or `kid` is not among them."""
        if cached.fetched_at is None:
            return True
        old = self._age(cached.loaded_at) >= self.max_age_s
        return self._age(cached.fetched_at) >= self.refresh_interval_s and (old or kid not in cached.keys)

    async def _refresh(self, authority: Authority, cached: _Cached) -> None:
        cached.fetched_at = self._clock()
        try:
            document = await self._get_json(authority.jwks_url)
        except Exception as exc:  # keep what is known: a peer's outage must not unlearn its keys
            log.warning("cooperation: keys of %s not fetched: %s: %s", authority.id, type(exc).__name__, exc)
            return
        cached.loaded_at = cached.fetched_at
        cached.keys = {
            kid: key for kid, key in parse_jwks(document, (ALGORITHM,)).items() if kid.startswith(KID_PREFIX)
        }
        log.info("cooperation: %d key(s) of %s loaded", len(cached.keys), authority.id)
