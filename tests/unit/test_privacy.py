"""Sealing personal data, pure and with an in-memory key store; the PostgreSQL key store is exercised by
tests/service/test_privacy_service.py."""

from __future__ import annotations

import asyncio
import os
from uuid import uuid4

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from docket_contracts.events import COMPLAINANT_EMAIL, COMPLAINANT_NAME, Sealed
from docket_privacy import cipher
from docket_privacy.masterkeys import INITIAL, UnknownMasterKey, parse
from docket_privacy.personal import ErasedSubject, PersonalData
from docket_privacy.settings import KeystoreNotConfigured, KeystoreSettings
from tests.unit.fakes import InMemoryKeyStore

KEY = cipher.new_key()
NAME, EMAIL = COMPLAINANT_NAME, COMPLAINANT_EMAIL


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_a_sealed_value_opens_to_itself_and_never_shows_it(value):
    subject = uuid4()
    blob = cipher.seal(KEY, subject, "complainant.name", value.encode())
    assert cipher.open_sealed(KEY, subject, "complainant.name", blob).decode() == value
    text = cipher.b64(blob)
    assert cipher.unb64(text) == blob and (len(value) < 4 or value not in text)


def test_equal_values_seal_differently_and_a_value_is_bound_to_its_subject_field_and_key():
    subject, name = uuid4(), "complainant.name"
    first, second = cipher.seal(KEY, subject, name, b"Jeanne Martin"), cipher.seal(KEY, subject, name, b"Jeanne Martin")
    assert first != second
    with pytest.raises(cipher.Unreadable):
        cipher.open_sealed(KEY, uuid4(), name, first)  # moved to another subject
    with pytest.raises(cipher.Unreadable):
        cipher.open_sealed(KEY, subject, "complainant.email", first)  # moved to another field
    with pytest.raises(cipher.Unreadable):
        cipher.open_sealed(cipher.new_key(), subject, name, first)  # another key
    with pytest.raises(cipher.Unreadable):
        cipher.open_sealed(KEY, subject, name, first[:-1] + bytes([first[-1] ^ 1]))  # one bit changed
    with pytest.raises(cipher.Unreadable):
        cipher.open_sealed(KEY, subject, name, first[len(cipher.VERSION_2) :])  # its version marker taken off


def version_1(key: bytes, subject, plaintext: bytes, nonce: bytes | None = None) -> bytes:
    """A value as sealed before fields were bound: nonce, ciphertext and tag, the subject alone associated."""
    nonce = nonce or os.urandom(cipher.NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, subject.bytes)


def test_a_value_sealed_before_fields_were_bound_still_opens_under_its_subject():
    subject = uuid4()
    old = version_1(KEY, subject, b"Jeanne Martin")
    assert cipher.open_sealed(KEY, subject, "complainant.name", old) == b"Jeanne Martin"
    with pytest.raises(cipher.Unreadable):
        cipher.open_sealed(KEY, uuid4(), "complainant.name", old)
    # One whose random nonce happens to begin with the version marker opens too.
    unlucky = version_1(KEY, subject, b"x", nonce=cipher.VERSION_2 + os.urandom(cipher.NONCE_BYTES - 4))
    assert cipher.open_sealed(KEY, subject, "complainant.name", unlucky) == b"x"


@pytest.mark.parametrize(("text", "why"), [("not base64!", "base64"), (cipher.b64(b"short"), "32 bytes")])
def test_a_master_key_must_be_32_bytes_of_base64(text, why):
    with pytest.raises(ValueError, match=why):
        cipher.master_key(text)


async def test_erasing_a_subject_makes_every_copy_of_its_values_read_as_erased_and_spares_others():
    store = InMemoryKeyStore()
    personal = PersonalData(store)
    jeanne, paul = uuid4(), uuid4()
    name, email = await personal.seal_many(jeanne, [(NAME, "Jeanne Martin"), (EMAIL, "jeanne@example.org")])
    other = await personal.seal(paul, NAME, "Paul Durand")
    copy = Sealed.model_validate_json(name.model_dump_json())  # as read back from a topic or a table
    everything = [(NAME, name), (EMAIL, email), (NAME, other), (NAME, copy)]
    assert await personal.open_many(everything) == [
        "Jeanne Martin",
        "jeanne@example.org",
        "Paul Durand",
        "Jeanne Martin",
    ]
    await store.erase(jeanne, by="admin")
    personal.forget(jeanne)
    assert await personal.open_many(everything) == [None, None, "Paul Durand", None]
    with pytest.raises(ErasedSubject):
        await personal.seal(jeanne, NAME, "Jeanne Martin")  # an erased subject is never written for again


async def test_keys_are_cached_for_a_while_so_a_batch_asks_the_store_once():
    now = [0.0]
    store = InMemoryKeyStore()
    personal = PersonalData(store, ttl_s=10, clock=lambda: now[0])
    subjects = [uuid4() for _ in range(50)]
    sealed = [(NAME, await personal.seal(s, NAME, "x")) for s in subjects]
    trips = store.trips
    assert await personal.open_many(sealed) == ["x"] * 50 and store.trips == trips  # all cached
    now[0] += 11
    assert await personal.open_many(sealed) == ["x"] * 50 and store.trips == trips + 1  # one trip for all 50


async def test_a_new_subject_takes_an_id_and_a_stored_key_from_a_reserve_made_in_one_trip():
    store = InMemoryKeyStore()
    personal = PersonalData(store, reserve=8)
    made = [await personal.seal_new([(NAME, f"name {n}"), (EMAIL, f"{n}@example.org")]) for n in range(10)]
    assert store.trips == 2  # eight new subjects a trip
    subjects = [subject for subject, _ in made]
    assert len(set(subjects)) == 10 and set(subjects) <= set(store.keys_by_subject)  # stored, each its own
    assert all(value.subject == subject for subject, values in made for value in values)
    elsewhere = PersonalData(store)  # another instance: the keys come from the store
    for n, (_, values) in enumerate(made):
        assert await elsewhere.open_many(zip((NAME, EMAIL), values, strict=True)) == [f"name {n}", f"{n}@example.org"]
    trips = store.trips
    assert await personal.seal(subjects[0], NAME, "more") and store.trips == trips  # its key is cached
    await store.erase(subjects[1], by="admin")
    assert await PersonalData(store).open(NAME, made[1][1][0]) is None  # erased as any subject is


async def test_new_subjects_sealed_at_once_share_one_refill_of_the_reserve():
    class Slow(InMemoryKeyStore):
        async def new_subjects(self, count):
            await asyncio.sleep(0.01)  # every filing below is waiting meanwhile
            return await super().new_subjects(count)

    store = Slow()
    personal = PersonalData(store, reserve=16)
    made = await asyncio.gather(*(personal.seal_new([(NAME, "x")]) for _ in range(20)))
    assert store.trips == 2 and len({subject for subject, _ in made}) == 20


async def test_a_withheld_value_reads_as_erased():
    personal = PersonalData(InMemoryKeyStore())
    assert await personal.open(NAME, Sealed(subject=uuid4(), ciphertext="")) is None
    assert await personal.open(NAME, None) is None


async def test_a_key_forgotten_while_it_was_being_fetched_is_not_kept_and_the_cache_is_swept():
    now = [0.0]
    store = InMemoryKeyStore()
    personal = PersonalData(store, ttl_s=10, clock=lambda: now[0])
    subject = uuid4()
    sealed = await personal.seal(subject, NAME, "x")
    personal.forget(subject)

    class SlowStore(InMemoryKeyStore):
        async def keys(self, subjects, *, create=False):  # an erasure lands while this fetch is in flight
            found = await store.keys(subjects, create=create)
            personal.forget(subject)
            return found

    personal.keystore = SlowStore()
    assert await personal.open(NAME, sealed) == "x"  # the fetch that was under way is answered
    await store.erase(subject, by="admin")
    personal.keystore = store
    assert await personal.open(NAME, sealed) is None  # but its key was not kept
    for _ in range(2000):
        await personal.seal(uuid4(), NAME, "y")
    now[0] += 11
    await personal.seal(uuid4(), NAME, "z")
    assert len(personal._cache) <= 2


def test_master_keys_have_ids_the_newest_wraps_and_each_opens_what_it_wrapped():
    old, new = cipher.b64(cipher.new_key()), cipher.b64(cipher.new_key())
    before, during = parse(f"2026-06:{old}"), parse(f" 2027-01:{new} , 2026-06:{old} ")
    assert (before.newest, during.newest, during.ids) == ("2026-06", "2027-01", ["2027-01", "2026-06"])
    subject, key = uuid4(), cipher.new_key()
    key_id, wrapped = before.wrap(subject, key)
    assert key_id == "2026-06" and during.unwrap(subject, key_id, wrapped) == key
    assert during.wrap(subject, key)[0] == "2027-01"
    with pytest.raises(UnknownMasterKey, match="2026-06"):
        parse(f"2027-01:{new}").unwrap(subject, key_id, wrapped)  # retired
    with pytest.raises(cipher.Unreadable):
        during.unwrap(uuid4(), key_id, wrapped)  # moved to another subject's row


def test_the_single_master_key_of_older_deployments_is_the_oldest_with_the_id_initial():
    old, new = cipher.b64(cipher.new_key()), cipher.b64(cipher.new_key())
    assert parse(None, old).ids == [INITIAL]
    assert parse(f"2027-01:{new}", old).ids == ["2027-01", INITIAL]
    assert parse(f"{INITIAL}:{old}").keys == parse(None, old).keys


@pytest.mark.parametrize(
    ("keys", "why"),
    [
        ("", "no master key"),
        ("no-colon", "id:base64"),
        ("bad id!:AAAA", "id:base64"),
        (f"a:{cipher.b64(b'short')}", "32 bytes"),
        (f"a:{cipher.b64(KEY)},a:{cipher.b64(KEY)}", "same id"),
    ],
)
def test_a_malformed_list_of_master_keys_is_refused_without_repeating_a_key(keys, why):
    with pytest.raises(ValueError, match=why) as refused:
        parse(keys)
    assert cipher.b64(KEY) not in str(refused.value)


def test_a_service_that_reads_personal_data_needs_a_master_key():
    settings = KeystoreSettings(keystore_database_url="postgresql+asyncpg://k@h/d")
    with pytest.raises(KeystoreNotConfigured, match="KEYSTORE_MASTER_KEYS"):
        settings.personal_data()
