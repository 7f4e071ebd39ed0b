"""No role that serves can climb to the schema owner's rights.

PostgreSQL's manual ("Writing SECURITY DEFINER Functions Safely", and "Privileges" on schemas, ownership
and role membership) names the ways an unprivileged role reaches the rights of a more privileged one: a
SECURITY DEFINER function whose search_path the caller can shadow (a temporary table, searched first
unless pg_temp is named last), objects planted in a schema the owner's code searches, membership in a
stronger role, and owning an object whose code the owner runs (a trigger, an index expression). Each test
here connects as the roles that serve (intake, case, notifier, key store) to the migrated database and
tries one of them; the case role also plays the temporary-table attack through the trigger that moves
each stream's head.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from docket_devstack.database import Databases, provision
from docket_devstack.postgres import EmbeddedPostgres
from docket_messaging.postgres import asyncpg_dsn
from docket_service.database import migrate
from tests.conftest import MIGRATIONS

pytestmark = pytest.mark.service

SERVING = ("intake", "case", "notifier", "keystore")
SCHEMAS = ("intake", "case", "notifier", "keystore")
# What the attack's trigger tries to do with the rights of whoever runs it.
CLIMB = """
    CREATE FUNCTION pg_temp.climb() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        EXECUTE 'GRANT UPDATE ON "case".events TO docket_case';
        RETURN NEW;
    END $$"""


async def connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(asyncpg_dsn(url))


@pytest.fixture
async def as_case(databases: Databases) -> AsyncIterator[asyncpg.Connection]:
    connection = await connect(databases.case)
    yield connection
    await connection.close()


async def can_update_events(connection: asyncpg.Connection) -> bool:
    found: bool = await connection.fetchval("""SELECT has_table_privilege('docket_case', '"case".events', 'UPDATE')""")
    return found


async def append_one_event(connection: asyncpg.Connection) -> None:
    """What the case service does on every command: insert an event (whose trigger moves the head)."""
    await connection.execute(
        """INSERT INTO "case".events (stream_id, version, event_id, type, schema_version, data, actor,
                                      occurred_at, previous_hash, hash)
           VALUES ($1, 1, $2, 'docket.case.opened', 1, '{}', 'attacker', now(), $3, $3)""",
        uuid.uuid4(),
        uuid.uuid4().hex,
        "0" * 64,
    )


async def try_the_temporary_table_attack(connection: asyncpg.Connection) -> str:
    """Shadow `stream_heads` with a temporary table whose trigger grants UPDATE on events, then append an
    event. Returns how far it got; the transaction is always rolled back."""
    transaction = connection.transaction()
    await transaction.start()
    try:
        await connection.execute(
            "CREATE TEMPORARY TABLE stream_heads (stream_id uuid PRIMARY KEY, version int, hash text)"
        )
        await connection.execute("GRANT ALL ON pg_temp.stream_heads TO PUBLIC")  # so the owner may write it
        await connection.execute(CLIMB)
        await connection.execute(
            "CREATE TRIGGER climb BEFORE INSERT ON pg_temp.stream_heads FOR EACH ROW EXECUTE FUNCTION pg_temp.climb()"
        )
        await append_one_event(connection)
        return "climbed" if await can_update_events(connection) else "appended, no climb"
    except asyncpg.PostgresError as refused:
        return f"refused: {refused.sqlstate} {refused}"
    finally:
        await transaction.rollback()


@pytest.mark.parametrize("part", SERVING)
async def test_a_serving_role_cannot_create_temporary_objects(databases: Databases, part: str):
    connection = await connect(databases.of(part))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="temporary"):
            await connection.execute("CREATE TEMPORARY TABLE shadow (x int)")
    finally:
        await connection.close()


async def test_the_case_role_cannot_climb_through_the_head_trigger(as_case: asyncpg.Connection):
    assert not await can_update_events(as_case)
    outcome = await try_the_temporary_table_attack(as_case)
    assert outcome != "climbed", outcome
    assert not await can_update_events(as_case)


async def test_the_head_trigger_resists_a_shadow_even_where_temporary_tables_are_allowed(
    postgres: EmbeddedPostgres, databases: Databases
):
    """Defence in depth: on a database whose administrator gave TEMPORARY back (PostgreSQL grants it to
    PUBLIC on every new database), the function names its table with its schema and searches pg_temp
    last, so the shadow is never read, the append goes through, and its owner could not climb anyway."""
    name = f"shadow_{uuid.uuid4().hex[:8]}"
    own = provision(postgres, name)
    await asyncio.to_thread(migrate, MIGRATIONS["case"], own.migrator, "case")
    postgres.psql(name, f"GRANT TEMPORARY ON DATABASE {name} TO docket_case")
    connection = await connect(own.case)
    try:
        assert await try_the_temporary_table_attack(connection) == "appended, no climb"
        assert not await can_update_events(connection)
    finally:
        await connection.close()


async def test_every_security_definer_function_is_safe_and_owned_by_a_narrow_role(databases: Databases):
    admin = await connect(databases.admin)
    try:
        definers = await admin.fetch(
            """SELECT p.oid::regprocedure::text AS name, pg_get_userbyid(p.proowner) AS owner,
                      p.proowner, p.proconfig
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE p.prosecdef AND n.nspname = ANY($1::text[])""",
            list(SCHEMAS),
        )
        assert definers, "the case store's head trigger runs with its owner's rights"
        for function in definers:
            settings = dict(setting.split("=", 1) for setting in function["proconfig"] or ())
            path = [part.strip().strip('"') for part in settings.get("search_path", "").split(",")]
            assert path[-1:] == ["pg_temp"], f"{function['name']}: search_path {path} must end in pg_temp"
            owner = function["proowner"]
            role = await admin.fetchrow("SELECT * FROM pg_roles WHERE oid = $1", owner)
            assert not (role["rolsuper"] or role["rolcanlogin"] or role["rolcreaterole"] or role["rolbypassrls"])
            assert function["owner"] not in {"docket_migrator", *(f"docket_{part}" for part in SERVING)}
            owns = await admin.fetchval(
                """SELECT (SELECT count(*) FROM pg_class WHERE relowner = $1)
                        + (SELECT count(*) FROM pg_namespace WHERE nspowner = $1)
                        + (SELECT count(*) FROM pg_proc WHERE proowner = $1 AND NOT prosecdef)""",
                owner,
            )
            assert owns == 0, f"{function['owner']} owns {owns} objects besides its functions"
            members = await admin.fetch(
                "SELECT pg_get_userbyid(roleid) AS role FROM pg_auth_members WHERE member = $1", owner
            )
            assert not members, f"{function['owner']} is a member of {[m['role'] for m in members]}"
    finally:
        await admin.close()


@pytest.mark.parametrize("part", SERVING)
async def test_a_serving_role_has_no_way_to_the_owners_rights(databases: Databases, part: str):
    """No membership to SET ROLE through, no attribute above a plain login, nothing owned (whose triggers
    or index expressions an owner's maintenance would run), and no schema it may create objects in that
    any role's code searches."""
    admin = await connect(databases.admin)
    role = f"docket_{part}"
    try:
        attributes = await admin.fetchrow("SELECT * FROM pg_roles WHERE rolname = $1", role)
        for attribute in ("rolsuper", "rolcreaterole", "rolcreatedb", "rolbypassrls"):
            assert not attributes[attribute], f"{role} has {attribute}"
        memberships = await admin.fetch(
            "SELECT pg_get_userbyid(roleid) AS role FROM pg_auth_members WHERE member = $1::regrole", role
        )
        assert not memberships, f"{role} can SET ROLE to {[m['role'] for m in memberships]}"
        owned = await admin.fetch(
            """SELECT relname AS name FROM pg_class WHERE relowner = $1::regrole
               UNION ALL SELECT nspname FROM pg_namespace WHERE nspowner = $1::regrole
               UNION ALL SELECT proname FROM pg_proc WHERE proowner = $1::regrole""",
            role,
        )
        assert not owned, f"{role} owns {[o['name'] for o in owned]}"
        creatable = await admin.fetch(
            """SELECT nspname FROM pg_namespace
                WHERE has_schema_privilege($1, oid, 'CREATE') AND nspname NOT LIKE 'pg_%'
                  AND nspname <> 'information_schema'""",
            role,
        )
        assert not creatable, f"{role} may create objects in {[s['nspname'] for s in creatable]}"
        database = await admin.fetchval("SELECT current_database()")
        for privilege in ("CREATE", "TEMPORARY"):
            assert not await admin.fetchval("SELECT has_database_privilege($1, $2, $3)", role, database, privilege)
    finally:
        await admin.close()
