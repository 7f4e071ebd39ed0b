"""The master keys a service holds, each with an id: the newest wraps every data subject's key made from now
on (and every key `rotate-keys` re-wraps), each one unwraps the keys wrapped under it. The id is stored with
each wrapped key, so a key wrapped under a master key that was retired (dropped from the setting and destroyed)
opens nowhere, in the database or in any copy of it.

    KEYSTORE_MASTER_KEYS="2027-01:<base64 of 32 random bytes>,2026-06:<base64 of 32 random bytes>"   newest first

The single KEYSTORE_MASTER_KEY of deployments before key ids is read as one more, the oldest, with the id
`initial`: the keys it wrapped were given that id when the key store's schema moved to ids (migration 0002).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from . import cipher

INITIAL = "initial"  # the id of the single KEYSTORE_MASTER_KEY
KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
WRAPPED = "subject_key"  # the field a subject's key is sealed as, wrapped under a master key


class UnknownMasterKey(cipher.Unreadable):
    """A subject's key wrapped under a master key this service does not hold (retired, or never given it)."""


@dataclass(frozen=True)
class MasterKeys:
    keys: tuple[tuple[str, bytes], ...]  # (id, key), newest first

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("no master key")
        ids = [key_id for key_id, _ in self.keys]
        if len(set(ids)) != len(ids):
            raise ValueError("two master keys have the same id")

    @property
    def newest(self) -> str:
        """The id of the key that wraps."""
        return self.keys[0][0]

    @property
    def ids(self) -> list[str]:
        return [key_id for key_id, _ in self.keys]

    def wrap(self, subject: UUID, key: bytes) -> tuple[str, bytes]:
        """The subject's key wrapped under the newest master key, with that key's id."""
        key_id, master = self.keys[0]
        return key_id, cipher.seal(master, subject, WRAPPED, key)

    def unwrap(self, subject: UUID, key_id: str, wrapped: bytes) -> bytes:
        master = dict(self.keys).get(key_id)
        if master is None:
            raise UnknownMasterKey(
                f"the key of subject {subject} is wrapped under master key {key_id!r}, not held here"
            )
        return cipher.open_sealed(master, subject, WRAPPED, wrapped)


def parse(keys: str | None, single: str | None = None) -> MasterKeys:
    """The keys of KEYSTORE_MASTER_KEYS (`id:base64` items, newest first, separated by commas), then the single
    KEYSTORE_MASTER_KEY, if set, as the oldest, `initial`. A malformed setting is a ValueError that never repeats
    a key."""
    found: list[tuple[str, bytes]] = []
    for item in filter(None, (part.strip() for part in (keys or "").split(","))):
        key_id, colon, text = item.partition(":")
        if not colon or not KEY_ID.match(key_id):
            raise ValueError(
                "KEYSTORE_MASTER_KEYS holds `id:base64` items separated by commas, each id of letters, digits, "
                "'.', '_' or '-' (at most 64)"
            )
        found.append((key_id, cipher.master_key(text.strip())))
    if single:
        found.append((INITIAL, cipher.master_key(single)))
    return MasterKeys(tuple(found))
