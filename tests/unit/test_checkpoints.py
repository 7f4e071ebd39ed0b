"""Checkpoints of the case record signed and checked, pure: what the signature covers, the keys a JWKS may
hold, and every way a checkpoint changed after signing fails to verify."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from docket_contracts import registry
from docket_contracts.checkpoints import GENESIS, SigningKey, check, digest, jwks, keys_of, new_signing_key, statement
from docket_contracts.events import CHECKPOINT_HEADS, CheckpointedHead

KEY = SigningKey(new_signing_key())


def signed(key: SigningKey = KEY, sequence: int = 1, previous: str = GENESIS, heads: int = 2) -> dict:
    """A checkpoint's payload as it is published."""
    checkpoint = key.sign(
        sequence,
        previous,
        datetime(2026, 12, 6, 10, tzinfo=UTC),
        [CheckpointedHead(case_id=uuid4(), version=n + 1, hash=f"{n:064x}") for n in range(heads)],
    )
    return registry.new_event(checkpoint, source="/docket/case", subject="docket.cases").data


def published_keys(*keys: SigningKey) -> dict[str, Ed25519PublicKey]:
    return keys_of(jwks(key.public for key in keys))


def test_a_checkpoint_verifies_under_the_published_key_and_names_it():
    data = signed()
    assert data["key_id"] == KEY.key_id and data["algorithm"] == "EdDSA"
    assert check(data, published_keys(KEY)) is None


def test_the_signature_covers_the_payload_without_itself_as_sorted_compact_json():
    data = signed()
    unsigned = {name: value for name, value in data.items() if name != "signature"}
    expected = json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert statement(data) == expected
    assert digest(data) == hashlib.sha256(expected).hexdigest()
    # What the module's docstring tells any verifier to do, with nothing but the JWKS and cryptography.
    jwk = jwks([KEY.public])["keys"][0]
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="))
    public.verify(base64.urlsafe_b64decode(data["signature"] + "=="), expected)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["heads"][0].update(version=d["heads"][0]["version"] + 1),
        lambda d: d["heads"][1].update(hash="f" * 64),
        lambda d: d["heads"].pop(),
        lambda d: d.update(sequence=2),
        lambda d: d.update(previous="a" * 64),
        lambda d: d.update(signed_at="2026-12-06T10:00:01Z"),
        lambda d: d.update(extra="field"),
    ],
    ids=["a version", "a hash", "a head left out", "the number", "the previous", "the time", "a field added"],
)
def test_any_change_after_signing_fails_to_verify(change):
    data = signed()
    change(data)
    assert check(data, published_keys(KEY)) == f"its signature does not verify under key {KEY.key_id}"


def test_a_checkpoint_signed_with_another_key_or_naming_none_published_fails():
    thief = SigningKey(new_signing_key())
    forged = signed(thief)
    assert "not among the case service's published keys" in check(forged, published_keys(KEY))
    forged["key_id"] = KEY.key_id  # naming the real key does not make the thief's signature its
    assert check(forged, published_keys(KEY)) == f"its signature does not verify under key {KEY.key_id}"
    assert check(signed() | {"signature": "not-base64!"}, published_keys(KEY)) is not None
    assert check(signed() | {"algorithm": "none"}, published_keys(KEY)) == "its algorithm is 'none', not EdDSA"


def test_a_retired_key_still_verifies_what_it_signed():
    old, new = SigningKey(new_signing_key()), SigningKey(new_signing_key())
    keys = published_keys(new, old)
    assert check(signed(old), keys) is None and check(signed(new), keys) is None
    assert list(keys) == [new.key_id, old.key_id]


def test_the_key_id_is_the_rfc_7638_thumbprint_and_a_jwks_keeps_only_ed25519_keys_that_match_it():
    jwk = KEY.jwk
    members = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": jwk["x"]}, separators=(",", ":")).encode()
    assert jwk["kid"] == base64.urlsafe_b64encode(hashlib.sha256(members).digest()).rstrip(b"=").decode()
    document = {
        "keys": [
            jwk,
            {"kty": "oct", "k": "c2VjcmV0", "kid": "symmetric"},  # a shared secret is no checkpoint key
            {"kty": "RSA", "n": "AQAB", "e": "AQAB", "kid": "rsa"},
            {**jwk, "kid": "not-its-thumbprint"},
            {"kty": "OKP", "crv": "Ed25519", "x": "short", "kid": "broken"},
            "not a key",
        ]
    }
    assert list(keys_of(document)) == [KEY.key_id]


@pytest.mark.parametrize(
    ("setting", "why"),
    [("c2hvcnQ=", "32 bytes"), ("not base64 at all!", "base64"), ("", "32 bytes")],
)
def test_the_signing_key_setting_is_32_bytes_of_base64(setting, why):
    with pytest.raises(ValueError, match=why):
        SigningKey(setting)


def test_the_same_setting_is_the_same_key_and_a_fresh_one_another():
    setting = new_signing_key()
    assert SigningKey(setting).key_id == SigningKey(setting).key_id != SigningKey(new_signing_key()).key_id
    assert SigningKey(setting.replace("+", "-").replace("/", "_").rstrip("=")).key_id == SigningKey(setting).key_id


def test_a_checkpoint_holds_at_most_what_keeps_it_well_under_a_kafka_message():
    assert len(json.dumps(signed(heads=CHECKPOINT_HEADS))) < 200_000  # the broker takes 1 MB by default
    with pytest.raises(ValueError, match="at most 1000 items"):
        signed(heads=CHECKPOINT_HEADS + 1)
