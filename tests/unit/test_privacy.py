"""Sealing personal data, pure and with an in-memory key store; the PostgreSQL key store is exercised by
tests/service/test_privacy_service.py."""

from __future__ import annotations

from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docket_contracts.events import Sealed
from docket_privacy import cipher
from docket_privacy.personal import ErasedSubject, PersonalData
from tests.unit.fakes import InMemoryKeyStore

KEY = cipher.new_key()


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_a_sealed_value_opens_to_itself_and_never_shows_it(value):
    subject = uuid4()
    blob = cipher.seal(KEY, subject, value.encode())
    assert cipher.open_sealed(KEY, subject, blob).decode() == value
    text = cipher.b64(blob)
    assert cipher.unb64(text) == blob and (len(value) < 4 or value not in text)


def test_equal_values_seal_differently_and_a_value_is_bound_to_its_subject_and_key():
    subject = uuid4()
    first, second = cipher.seal(KEY, subject, b"Jeanne Martin"), cipher.seal(KEY, subject, b"Jeanne Martin")
    assert first != second
    with pytest.raises(cipher.Unreadable):
        cipher.open_sealed(KEY, uuid4(), first)  # moved to another subject
    with pytest.raises(cipher.Unreadable):
        cipher.open_sealed(cipher.new_key(), subject, first)  # another key
    with pytest.raises(cipher.Unreadable):
        cipher.open_sealed(KEY, subject, first[:-1] + bytes([first[-1] ^ 1]))  # one bit changed


@pytest.mark.parametrize(("text", "why"), [("not base64!", "base64"), (cipher.b64(b"short"), "32 bytes")])
def test_a_master_key_must_be_32_bytes_of_base64(text, why):
    with pytest.raises(ValueError, match=why):
        cipher.master_key(text)


async def test_erasing_a_subject_makes_every_copy_of_its_values_read_as_erased_and_spares_others():
    store = InMemoryKeyStore()
    personal = PersonalData(store)
    jeanne, paul = uuid4(), uuid4()
    name, email = await personal.seal_many(jeanne, ["Jeanne Martin", "jeanne@example.org"])
    other = await personal.seal(paul, "Paul Durand")
    copy = Sealed.model_validate_json(name.model_dump_json())  # as read back from a topic or a table
    assert await personal.open_many([name, email, other, copy]) == [
        "Jeanne Martin",
        "jeanne@example.org",
        "Paul Durand",
        "Jeanne Martin",
    ]
    await store.erase(jeanne, by="admin")
    personal.forget(jeanne)
    assert await personal.open_many([name, email, other, copy]) == [None, None, "Paul Durand", None]
    with pytest.raises(ErasedSubject):
        await personal.seal(jeanne, "Jeanne Martin")  # an erased subject is never written for again


async def test_keys_are_cached_for_a_while_so_a_batch_asks_the_store_once():
    now = [0.0]
    store = InMemoryKeyStore()
    personal = PersonalData(store, ttl_s=10, clock=lambda: now[0])
    subjects = [uuid4() for _ in range(50)]
    sealed = [await personal.seal(s, "x") for s in subjects]
    trips = store.trips
    assert await personal.open_many(sealed) == ["x"] * 50 and store.trips == trips  # all cached
    now[0] += 11
    assert await personal.open_many(sealed) == ["x"] * 50 and store.trips == trips + 1  # one trip for all 50


async def test_a_withheld_value_reads_as_erased():
    personal = PersonalData(InMemoryKeyStore())
    assert await personal.open(Sealed(subject=uuid4(), ciphertext="")) is None
    assert await personal.open(None) is None


async def test_a_key_forgotten_while_it_was_being_fetched_is_not_kept_and_the_cache_is_swept():
    now = [0.0]
    store = InMemoryKeyStore()
    personal = PersonalData(store, ttl_s=10, clock=lambda: now[0])
    subject = uuid4()
    sealed = await personal.seal(subject, "x")
    personal.forget(subject)

    class SlowStore(InMemoryKeyStore):
        async def keys(self, subjects, *, create=False):  # an erasure lands while this fetch is in flight
            found = await store.keys(subjects, create=create)
            personal.forget(subject)
            return found

    personal.keystore = SlowStore()
    assert await personal.open(sealed) == "x"  # the fetch that was under way is answered
    await store.erase(subject, by="admin")
    personal.keystore = store
    assert await personal.open(sealed) is None  # but its key was not kept
    for _ in range(2000):
        await personal.seal(uuid4(), "y")
    now[0] += 11
    await personal.seal(uuid4(), "z")
    assert len(personal._cache) <= 2
