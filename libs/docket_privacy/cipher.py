"""AES-256-GCM, pure: a value sealed under a data subject's key, and that key wrapped under the master key.

The subject id is the associated data of both, so a sealed value cannot be passed off as another
subject's, and a wrapped key cannot be moved to another subject's row.
"""

from __future__ import annotations

import base64
import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12


class Unreadable(ValueError):
    """A sealed value or wrapped key that does not open under the key given (corrupted or misplaced)."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def seal(key: bytes, subject: UUID, plaintext: bytes) -> bytes:
    """nonce || ciphertext || tag; a fresh random nonce each time, so equal values do not look equal."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, subject.bytes)


def open_sealed(key: bytes, subject: UUID, blob: bytes) -> bytes:
    if len(blob) < NONCE_BYTES + 16:
        raise Unreadable("too short to be a sealed value")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], subject.bytes)
    except InvalidTag:
        raise Unreadable(f"does not open with the key of subject {subject}") from None


def b64(blob: bytes) -> str:
    return base64.urlsafe_b64encode(blob).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def master_key(text: str) -> bytes:
    """The master key from its setting: 32 bytes in base64 (standard or url-safe)."""
    try:
        key = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except ValueError:
        raise ValueError("the master key must be base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"the master key must be {KEY_BYTES} bytes (base64 of 32 random bytes), not {len(key)}")
    return key
