"""Sealing and opening personal values for a service that may read personal data.

    personal = PersonalData(keystore)
    name = await personal.seal(complaint_id, "complainant.name", "Jeanne Martin")   # a contract Sealed value
    await personal.open("complainant.name", name)              # "Jeanne Martin", or None once erased

Each value is sealed for its field, by name, and opens only as that field (cipher.py): a value that travels in
an event is sealed under the name its contract gives it (docket_contracts.events, `Sealed`).

A new data subject (a complaint's complainant) takes an id and its key from a reserve the key store made in
advance, `reserve` at a time in one trip (`seal_new`): their first values cost no trip of their own, and the
key is stored before anything sealed with it. A reserved key never used (the process stopped first) seals
nothing, like the key of a subject whose data was deleted.

Keys are cached for `ttl_s` seconds (a batch of letters to one case's complainants asks the store once);
`forget` drops one at once, so an erasure takes effect here immediately and in other instances within
`ttl_s` (sooner where they act on complaint.personal_data_erased). A key fetched before it was forgotten
is not cached again, and expired entries are swept, so the cache holds no more than a few seconds' keys.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from uuid import UUID

from docket_contracts.events import Sealed

from . import cipher
from .keystore import KeyStore

ERASED = "[erased]"  # how staff see a value whose subject was erased


class PersonalData:
    def __init__(
        self,
        keystore: KeyStore,
        ttl_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        reserve: int = 32,
    ) -> None:
        self.keystore = keystore
        self._ttl_s = ttl_s
        self._clock = clock
        self._cache: dict[UUID, tuple[float, bytes | None]] = {}
        self._forgotten: dict[UUID, float] = {}
        self._reserve = reserve
        self._reserved: list[tuple[UUID, bytes]] = []
        self._refilling = asyncio.Lock()

    async def keys(self, subjects: Iterable[UUID], *, create: bool = False) -> dict[UUID, bytes | None]:
        now = self._clock()
        self._sweep(now)
        wanted = set(subjects)
        fresh = {
            s: hit[1]
            for s in wanted
            if (hit := self._cache.get(s)) is not None
            and now - hit[0] < self._ttl_s
            and (hit[1] is not None or not create)
        }
        missing = wanted - fresh.keys()
        if missing:
            fetched = await self.keystore.keys(missing, create=create)
            # A key forgotten while it was being fetched (an erasure just now) is used once, never kept.
            self._cache.update({s: (now, key) for s, key in fetched.items() if self._forgotten.get(s, -1.0) < now})
            fresh.update(fetched)
        return fresh

    def forget(self, subject: UUID) -> None:
        self._cache.pop(subject, None)
        self._forgotten[subject] = self._clock()

    def _sweep(self, now: float) -> None:
        if len(self._cache) + len(self._forgotten) > 1024:
            self._cache = {s: hit for s, hit in self._cache.items() if now - hit[0] < self._ttl_s}
            self._forgotten = {s: at for s, at in self._forgotten.items() if now - at < self._ttl_s}

    async def seal(self, subject: UUID, field: str, value: str) -> Sealed:
        return (await self.seal_many(subject, [(field, value)]))[0]

    async def seal_many(self, subject: UUID, values: Iterable[tuple[str, str]]) -> list[Sealed]:
        """Seal values of one subject, each (field, value), creating the subject's key on first use; an erased
        subject cannot be written for again (ErasedSubject)."""
        key = await self._key_to_seal(subject)
        return [_sealed(key, subject, field, value) for field, value in values]

    async def seal_new(self, values: Iterable[tuple[str, str]]) -> tuple[UUID, list[Sealed]]:
        """Seal values of a new data subject, each (field, value): the subject's id, made with its key, and the
        sealed values. The key comes from the reserve (refilled in one trip when empty) and is cached, so that
        more values of the subject sealed now cost no trip either."""
        while not self._reserved:
            async with self._refilling:  # one refill at a time; those waiting take from what it brought
                if not self._reserved:
                    self._reserved = list((await self.keystore.new_subjects(self._reserve)).items())
        subject, key = self._reserved.pop()
        self._cache[subject] = (self._clock(), key)
        return subject, [_sealed(key, subject, field, value) for field, value in values]

    async def seal_bytes(self, subject: UUID, field: str, content: bytes) -> bytes:
        return cipher.seal(await self._key_to_seal(subject), subject, field, content)

    async def _key_to_seal(self, subject: UUID) -> bytes:
        key = (await self.keys([subject], create=True))[subject]
        if key is None:
            raise ErasedSubject(subject)
        return key

    async def open(self, field: str, sealed: Sealed | None) -> str | None:
        """The value, or None when it is erased (or was withheld, or was never given)."""
        return (await self.open_many([(field, sealed)]))[0]

    async def open_many(self, sealed: Iterable[tuple[str, Sealed | None]]) -> list[str | None]:
        """Open many values, each (field, sealed), of any subjects, with one trip to the key store for the keys
        not cached."""
        values = list(sealed)
        keys = await self.keys({s.subject for _, s in values if s is not None and s.ciphertext})
        return [_open(keys.get(s.subject), field, s) if s is not None and s.ciphertext else None for field, s in values]

    async def open_bytes(self, subject: UUID, field: str, blob: bytes) -> bytes | None:
        key = (await self.keys([subject]))[subject]
        return None if key is None else cipher.open_sealed(key, subject, field, blob)


def _sealed(key: bytes, subject: UUID, field: str, value: str) -> Sealed:
    return Sealed(subject=subject, ciphertext=cipher.b64(cipher.seal(key, subject, field, value.encode())))


def _open(key: bytes | None, field: str, sealed: Sealed) -> str | None:
    if key is None:
        return None
    return cipher.open_sealed(key, sealed.subject, field, cipher.unb64(sealed.ciphertext)).decode()


class ErasedSubject(Exception):
    """Personal data cannot be sealed for a subject whose key was erased."""

    def __init__(self, subject: UUID) -> None:
        super().__init__(f"the personal data of {subject} was erased; nothing more is kept about them")
        self.subject = subject
