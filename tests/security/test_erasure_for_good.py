"""An erasure is for good: the key store's own role cannot take it back, no key can be made again for an
erased subject, and a copy of the key store from before the erasure (a backup, a replica, old row versions,
the WAL) opens nothing of the erased subject once the master key that wrapped its key is retired. Master keys
have ids, the newest wraps, and `rotate` re-wraps every live key under it, so that an older one can be
retired without losing anyone else's data.

Each test works on a key store of its own (a scratch database), as rotating the shared one would re-wrap the
keys the other tests use.
"""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from docket_devstack.database import Databases, provision
from docket_devstack.postgres import EmbeddedPostgres
from docket_messaging.postgres import asyncpg_dsn
from docket_privacy import cipher
from docket_privacy.keystore import PostgresKeyStore
from docket_privacy.masterkeys import MasterKeys, UnknownMasterKey, parse
from docket_privacy.settings import KEYSTORE_ALEMBIC_INI
from docket_service.database import migrate
from tests.conftest import repo_root

pytestmark = pytest.mark.service


def master_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


OLD, NEW = master_key(), master_key()
BEFORE = parse(f"2026-06:{OLD}")  # the one master key, before the rotation
DURING = parse(f"2027-01:{NEW},2026-06:{OLD}")  # the new one wraps, the old one still opens
AFTER = parse(f"2027-01:{NEW}")  # the old one retired: dropped from the setting and destroyed


async def scratch(postgres: EmbeddedPostgres) -> Databases:
    name = f"keys_{uuid.uuid4().hex[:8]}"
    databases = provision(postgres, name)
    await asyncio.to_thread(migrate, KEYSTORE_ALEMBIC_INI, databases.migrator, "keystore")
    return databases


def store(databases: Databases, keys: MasterKeys) -> PostgresKeyStore:
    return PostgresKeyStore(databases.keystore, "keystore", keys)


@pytest.fixture
async def own(postgres: EmbeddedPostgres) -> AsyncIterator[Databases]:
    yield await scratch(postgres)


async def test_the_key_stores_role_cannot_take_an_erasure_back(own: Databases):
    keys = store(own, BEFORE)
    subject = uuid.uuid4()
    try:
        await keys.keys([subject], create=True)
        assert await keys.erase(subject, by="test")
        # Connected as the role the services hold, try to remove, change or empty whatever records the erasure.
        connection = await asyncpg.connect(asyncpg_dsn(own.keystore))
        try:
            tables = [
                row["tablename"]
                for row in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'keystore'")
                if row["tablename"] != "alembic_version"
            ]
            refused = []
            for table in tables:
                for statement in (
                    f"DELETE FROM keystore.{table} WHERE subject_id = $1",
                    f"UPDATE keystore.{table} SET subject_id = gen_random_uuid() WHERE subject_id = $1",
                ):
                    try:
                        await connection.execute(statement, subject)
                    except asyncpg.PostgresError as exc:
                        refused.append(type(exc).__name__)
                try:
                    await connection.execute(f"TRUNCATE keystore.{table}")
                except asyncpg.PostgresError as exc:
                    refused.append(type(exc).__name__)
            assert refused, "nothing was refused"
        finally:
            await connection.close()
        assert await keys.erased_at(subject) is not None
        assert (await keys.keys([subject], create=True)) == {subject: None}
    finally:
        await keys.close()


async def test_no_key_can_be_made_or_moved_for_an_erased_subject(own: Databases):
    keys = store(own, BEFORE)
    erased, other = uuid.uuid4(), uuid.uuid4()
    try:
        await keys.keys([other], create=True)
        await keys.erase(erased, by="test")  # erased before it ever had a key
        key_id, wrapped = BEFORE.wrap(erased, cipher.new_key())
        connection = await asyncpg.connect(asyncpg_dsn(own.keystore))
        try:
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="erased"):
                await connection.execute(
                    "INSERT INTO keystore.subject_keys (subject_id, wrapped_key, master_key_id) VALUES ($1, $2, $3)",
                    erased,
                    wrapped,
                    key_id,
                )
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="erased"):
                await connection.execute(
                    "UPDATE keystore.subject_keys SET subject_id = $1 WHERE subject_id = $2", erased, other
                )
        finally:
            await connection.close()
        assert (await keys.keys([erased], create=True)) == {erased: None}
    finally:
        await keys.close()


async def test_rotation_rewraps_every_live_key_under_the_newest_master_key(own: Databases):
    subjects = [uuid.uuid4() for _ in range(30)]
    erased = uuid.uuid4()
    before, during, after = store(own, BEFORE), store(own, DURING), store(own, AFTER)
    try:
        made = await before.keys([*subjects, erased], create=True)
        await before.erase(erased, by="test")
        fresh = uuid.uuid4()
        made |= await during.keys([fresh], create=True)  # made during the rotation: wrapped under the new key
        with pytest.raises(UnknownMasterKey):
            await after.keys(subjects)  # not re-wrapped yet: the old key cannot be retired

        rotation = await during.rotate(batch=7)
        assert rotation.rewrapped == len(subjects)
        assert rotation.wrapped_under == {"2027-01": len(subjects) + 1}
        assert (await during.rotate()).rewrapped == 0  # nothing left

        assert await after.keys([*subjects, fresh, erased]) == {
            **{s: made[s] for s in [*subjects, fresh]},
            erased: None,
        }  # the same keys, so everything sealed with them still opens
        with pytest.raises(UnknownMasterKey):
            await before.keys(subjects[:1])
    finally:
        for keys in (before, during, after):
            await keys.close()


async def test_a_backup_from_before_an_erasure_opens_nothing_of_the_erased_subject_once_its_master_key_is_retired(
    postgres: EmbeddedPostgres, own: Databases
):
    """The dump (pg_dump of the key store's schema) is taken before the erasure; after the erasure, a rotation
    and the old master key's retirement, it is restored into a scratch database: the erased subject's wrapped
    key is there, and no master key still held opens it, while the other subjects open in the live store."""
    erased, kept = uuid.uuid4(), uuid.uuid4()
    before, during, after = store(own, BEFORE), store(own, DURING), store(own, AFTER)
    try:
        made = await before.keys([erased, kept], create=True)
        sealed = cipher.seal(made[erased], erased, "complainant.name", b"Jeanne Martin")  # in every event copy
        database = own.keystore.rsplit("/", 1)[1]
        backup = await asyncio.to_thread(postgres.dump, database, "keystore")

        await before.erase(erased, by="test")
        await during.rotate()
        assert await after.keys([erased, kept]) == {erased: None, kept: made[kept]}  # the others open

        restored = f"restored_{uuid.uuid4().hex[:8]}"
        postgres.create_database(restored)
        await asyncio.to_thread(postgres.restore, restored, backup)
        connection = await asyncpg.connect(asyncpg_dsn(postgres.url(restored)))
        try:
            copies = await connection.fetch(
                "SELECT master_key_id, wrapped_key FROM keystore.subject_keys WHERE subject_id = $1", erased
            )
        finally:
            await connection.close()
        assert copies, "the backup holds the erased subject's wrapped key"
        for copy in copies:
            with pytest.raises(cipher.Unreadable):
                AFTER.unwrap(erased, copy["master_key_id"], copy["wrapped_key"])
            with pytest.raises(cipher.Unreadable):  # nor the key still held, whatever id the copy names
                cipher.open_sealed(cipher.master_key(NEW), erased, "subject_key", copy["wrapped_key"])
            # Before the retirement, the copy would have opened, and with it every sealed value of the subject.
            key = BEFORE.unwrap(erased, copy["master_key_id"], copy["wrapped_key"])
            assert cipher.open_sealed(key, erased, "complainant.name", sealed) == b"Jeanne Martin"
    finally:
        for keys in (before, during, after):
            await keys.close()


@pytest.mark.parametrize("service", ["intake", "notifier"])
async def test_rotate_keys_is_a_command_of_intake_and_of_the_notifier(own: Databases, service: str):
    """`python -m services.<intake|notifier> rotate-keys` as an operator runs it, with the service's settings."""
    subjects = [uuid.uuid4() for _ in range(3)]
    before, after = store(own, BEFORE), store(own, AFTER)
    try:
        made = await before.keys(subjects, create=True)
        env = os.environ | {
            "DATABASE_URL": own.of(service),
            "KEYSTORE_DATABASE_URL": own.keystore,
            "KEYSTORE_MASTER_KEYS": f"2027-01:{NEW},2026-06:{OLD}",
            "OIDC_ISSUER": "http://localhost:8080/realms/docket",  # required of every service's settings; unused
            "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}",
        }
        env.pop("KEYSTORE_MASTER_KEY", None)
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", f"services.{service}", "rotate-keys"],
            cwd=repo_root(),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "re-wrapped 3 key(s) under master key 2027-01" in done.stderr
        assert "every live key is wrapped under 2027-01" in done.stderr
        assert NEW not in done.stderr + done.stdout and OLD not in done.stderr + done.stdout
        assert await after.keys(subjects) == made
    finally:
        await before.close()
        await after.close()
