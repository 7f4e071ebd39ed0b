"""AES-256-GCM, pure: a value sealed under a data subject's key, and that key wrapped under a master key.

A value is bound to its subject and to its field: both are its associated data, so a sealed value cannot be
passed off as another subject's, nor as another of the same subject's fields (an e-mail address shown as a
name), and a wrapped key cannot be moved to another subject's row.

    VERSION 2 (written):  "DK" 0x00 0x02 || nonce || ciphertext || tag   associated data: subject id, field name
    version 1 (read):     nonce || ciphertext || tag                     associated data: subject id

A version 1 value (written before fields were bound) still opens, under its subject alone. A version 2 value
never opens as one of version 1, nor the other way round: either would need a tag that verifies over other
bytes. An old value that happens to begin with the marker (one in 2^32) is tried as version 1 when it does
not open as version 2.
"""

from __future__ import annotations

import base64
import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
VERSION_2 = b"DK\x00\x02"


class Unreadable(ValueError):
    """A sealed value or wrapped key that does not open under the key given (corrupted or misplaced)."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def associated_data(subject: UUID, field: str) -> bytes:
    """The subject's 16 bytes, then the field's name: the subject's fixed length keeps the two apart."""
    return subject.bytes + field.encode()


def seal(key: bytes, subject: UUID, field: str, plaintext: bytes) -> bytes:
    """A version 2 sealed value; a fresh random nonce each time, so equal values do not look equal."""
    nonce = os.urandom(NONCE_BYTES)
    return VERSION_2 + nonce + AESGCM(key).encrypt(nonce, plaintext, associated_data(subject, field))


def open_sealed(key: bytes, subject: UUID, field: str, blob: bytes) -> bytes:
    """The value sealed for this subject and field (or, of version 1, for this subject)."""
    if blob.startswith(VERSION_2):
        try:
            return _decrypt(key, blob[len(VERSION_2) :], associated_data(subject, field))
        except Unreadable:
            pass  # a version 1 value that begins with the marker by chance, or a misplaced one
    try:
        return _decrypt(key, blob, subject.bytes)
    except Unreadable:
        raise Unreadable(f"does not open as {field} with the key of subject {subject}") from None


def _decrypt(key: bytes, blob: bytes, associated: bytes) -> bytes:
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise Unreadable("too short to be a sealed value")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated)
    except InvalidTag:
        raise Unreadable("does not open") from None


def b64(blob: bytes) -> str:
    return base64.urlsafe_b64encode(blob).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def master_key(text: str) -> bytes:
    """A master key from its setting: 32 bytes in base64 (standard or url-safe)."""
    try:
        key = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True)
    except ValueError:
        raise ValueError("the master key must be base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"the master key must be {KEY_BYTES} bytes (base64 of 32 random bytes), not {len(key)}")
    return key
