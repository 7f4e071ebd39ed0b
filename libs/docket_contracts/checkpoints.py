"""How a checkpoint of the case record is signed and checked, pure.

A checkpoint (`checkpoint.signed` on docket.checkpoints) states the head, version and hash, of case streams.
Its *statement* is its payload without `signature`, as sorted-key compact JSON in UTF-8 (the canonical form of
each case event's hash); the signature is Ed25519 (EdDSA, RFC 8037) over those bytes, and the statement's
SHA-256 is what the next checkpoint names as `previous`, so that none can be left out or put in unnoticed.
The case service publishes its public keys as a JWKS (RFC 7517) at `GET /.well-known/jwks.json`: each an
`OKP` key on `Ed25519` whose `kid`, the one a checkpoint names, is the key's RFC 7638 thumbprint.

Anyone holding the JWKS can check a checkpoint with any Ed25519 library:

    statement = json.dumps({k: v for k, v in data.items() if k != "signature"}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False).encode()
    public_key.verify(base64url_decode(data["signature"]), statement)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .events import CheckpointedHead, CheckpointSigned

GENESIS = "0" * 64  # the `previous` of the first checkpoint
SEED_BYTES = 32


def statement(data: Mapping[str, Any]) -> bytes:
    """The bytes a checkpoint's signature covers: its payload without `signature`, canonical JSON."""
    unsigned = {name: value for name, value in data.items() if name != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(data: Mapping[str, Any]) -> str:
    """The SHA-256 of a checkpoint's statement: what the next checkpoint names as `previous`."""
    return hashlib.sha256(statement(data)).hexdigest()


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_jwk(public: Ed25519PublicKey) -> dict[str, str]:
    """The key as a JWK, its `kid` the RFC 7638 thumbprint (SHA-256 of its required members, in order)."""
    x = b64url(public.public_bytes(Encoding.Raw, PublicFormat.Raw))
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    kid = b64url(hashlib.sha256(members.encode()).digest())
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}


def public_key(x: str) -> Ed25519PublicKey:
    """An Ed25519 public key from its JWK `x` (base64url of its 32 bytes); ValueError if it is none."""
    try:
        return Ed25519PublicKey.from_public_bytes(unb64url(x.strip()))
    except (ValueError, binascii.Error):
        raise ValueError("an Ed25519 public key is the base64url of 32 bytes (a JWK's x)") from None


class SigningKey:
    """The case service's checkpoint signing key, from its setting: base64 of a 32-byte Ed25519 seed."""

    def __init__(self, setting: str) -> None:
        text = setting.strip().replace("-", "+").replace("_", "/")
        try:
            seed = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (ValueError, binascii.Error):
            raise ValueError("the checkpoint signing key must be base64") from None
        if len(seed) != SEED_BYTES:
            raise ValueError(f"the checkpoint signing key must be {SEED_BYTES} bytes (base64 of 32 random bytes)")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public = self._key.public_key()
        self.jwk = public_jwk(self.public)
        self.key_id = self.jwk["kid"]

    def sign(
        self, sequence: int, previous: str, signed_at: datetime, heads: Sequence[CheckpointedHead]
    ) -> CheckpointSigned:
        """The checkpoint of `heads`, named by this key and signed over its statement as it will be published."""
        unsigned = CheckpointSigned(
            sequence=sequence,
            previous=previous,
            signed_at=signed_at,
            heads=list(heads),
            key_id=self.key_id,
            signature="",
        )
        signature = self._key.sign(statement(unsigned.model_dump(mode="json")))
        return unsigned.model_copy(update={"signature": b64url(signature)})


def new_signing_key() -> str:
    """A fresh signing key as its setting takes it (what the devstack and the tests give the case service)."""
    return base64.b64encode(secrets.token_bytes(SEED_BYTES)).decode()


def jwks(keys: Iterable[Ed25519PublicKey]) -> dict[str, list[dict[str, str]]]:
    """The JWKS document of these keys, the signing key first."""
    return {"keys": [public_jwk(key) for key in keys]}


def keys_of(document: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 keys of a JWKS document by their `kid`; any other kind of key is no checkpoint key and is
    left out, as is a key whose `kid` is not its thumbprint."""
    found: dict[str, Ed25519PublicKey] = {}
    for jwk in document.get("keys", ()):
        if not isinstance(jwk, Mapping) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        try:
            key = public_key(str(jwk.get("x", "")))
        except ValueError:
            continue
        if public_jwk(key)["kid"] == jwk.get("kid"):
            found[jwk["kid"]] = key
    return found


def check(data: Mapping[str, Any], keys: Mapping[str, Ed25519PublicKey]) -> str | None:
    """Why a checkpoint's payload (as published) does not verify under `keys`; None when it does."""
    kid, algorithm, signature = data.get("key_id"), data.get("algorithm"), data.get("signature")
    if algorithm != "EdDSA":
        return f"its algorithm is {algorithm!r}, not EdDSA"
    if not isinstance(kid, str) or kid not in keys:
        return f"it names key {kid!r}, which is not among the case service's published keys"
    try:
        keys[kid].verify(unb64url(str(signature)), statement(data))
    except (InvalidSignature, ValueError, binascii.Error):
        return f"its signature does not verify under key {kid}"
    return None
