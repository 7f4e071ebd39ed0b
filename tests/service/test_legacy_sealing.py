"""A database written by the release before personal data was sealed: after the upgrade, intake's and the
notifier's `seal-legacy` seal what they find in clear, before the services serve (the services do not when
they start, and their `wait-for-migrations` waits for it), and staff read every value as before."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import uuid

import pytest

from docket_devstack.database import provision
from docket_devstack.staff import ADMINISTRATOR, INTAKE_OFFICER
from docket_privacy.personal import ERASED
from docket_privacy.settings import KEYSTORE_ALEMBIC_INI, KeystoreSettings
from docket_service.database import make_engine, make_sessions, migrate
from services.intake import legacy as intake_legacy
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier import legacy as notifier_legacy
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import serve
from tests.conftest import MASTER_KEY, MIGRATIONS, repo_root

pytestmark = pytest.mark.service

NAME, EMAIL, NARRATIVE, TOKEN, SECRET = (
    "Jeanne Legacy",
    "jeanne.legacy@example.org",
    "written in 2025",
    "legacy-status-token",
    "whsec_" + base64.b64encode(b"k" * 32).decode(),
)
FILENAME = "jeanne-legacy-request.txt"


def previous_release(postgres, name: str):
    """A database at the revisions of the release before sealing, with rows as that release wrote them."""
    databases = provision(postgres, name)
    migrate(MIGRATIONS["intake"], databases.migrator, "intake", "0001")
    migrate(MIGRATIONS["notifier"], databases.migrator, "notifier", "0003")
    migrate(KEYSTORE_ALEMBIC_INI, databases.migrator, "keystore")
    complaint, subscription = uuid.uuid4(), uuid.uuid4()
    filed = {
        "complaint_id": str(complaint),
        "reference": "DKT-2025-LEGACY",
        "complainant": {"name": NAME, "email": EMAIL, "country": "FR"},
    }
    postgres.psql(
        name,
        f"""
        INSERT INTO intake.complaints VALUES ('{complaint}', 'DKT-2025-LEGACY', 'digest', 'art77_complaint', NULL,
          '{NAME}', '{EMAIL}', 'FR', 'acme', 'Acme', NULL, NULL, 'other', '[15]', '["FR"]', '{NARRATIVE}',
          '2025-01-10', now(), 'received');
        INSERT INTO intake.evidence VALUES ('{uuid.uuid4()}', '{complaint}', '{FILENAME}', 'text/plain', 12, 'x',
          convert_to('legacy bytes', 'UTF8'), now());
        INSERT INTO intake.idempotency_keys VALUES ('legacy-key', 'digest', 201,
          '{json.dumps({"id": str(complaint), "status_token": TOKEN})}');
        INSERT INTO intake.outbox (event_id, topic, key, type, source, subject, dataschema, time, data)
          VALUES ('{uuid.uuid4()}', 'docket.complaints', '{complaint}', 'docket.complaint.filed', '/docket/intake',
                  '{complaint}', 'urn:docket:schema:docket.complaint.filed:v1', now(), '{json.dumps(filed)}');
        INSERT INTO notifier.complainants (complaint_id, reference, kind, name, email, waiting)
          VALUES ('{complaint}', 'DKT-2025-LEGACY', 'art77_complaint', '{NAME}', '{EMAIL}', true);
        INSERT INTO notifier.notifications (id, source_event_id, source_event_type, channel, recipient_role,
          complaint_id, body, kind, subject, text, html, recipient_name, recipient_address)
          VALUES ('{uuid.uuid4()}', 'e1', 'docket.case.opened', 'letter', 'complainant', '{complaint}', 'summary',
                  'progress', 'A case was opened', 'Dear {NAME},', '<p>Dear {NAME},</p>', '{NAME}', '{EMAIL}');
        INSERT INTO notifier.subscriptions (id, owner, url, event_types, status, secret)
          VALUES ('{subscription}', 'unknown', 'https://hooks.example.org/x', '{{docket.complaint.filed}}',
                  'active', '{SECRET}');
        INSERT INTO notifier.deliveries (id, subscription_id, event_id, event_type, ordering_key, body, status,
          attempts) VALUES ('{uuid.uuid4()}', '{subscription}', 'e2', 'docket.complaint.filed', '{complaint}',
          '{json.dumps({"type": "docket.complaint.filed", "data": filed})}', 'delivered', 1);
    """,
    )
    migrate(MIGRATIONS["intake"], databases.migrator, "intake")
    migrate(MIGRATIONS["notifier"], databases.migrator, "notifier")
    return databases, complaint, subscription


def dump(postgres, name: str) -> str:
    """Every value where the two releases keep personal data, as the superuser reads it."""
    return postgres.psql(
        name,
        """
        SELECT row_to_json(c)::text FROM intake.complaints c UNION ALL
        SELECT encode(content, 'escape') || filename::text FROM intake.evidence UNION ALL
        SELECT response::text FROM intake.idempotency_keys UNION ALL
        SELECT text::text FROM intake.letters UNION ALL
        SELECT data::text || dataschema FROM intake.outbox UNION ALL
        SELECT row_to_json(c)::text FROM notifier.complainants c UNION ALL
        SELECT row_to_json(n)::text FROM notifier.notifications n UNION ALL
        SELECT secret::text FROM notifier.subscriptions UNION ALL
        SELECT body::text FROM notifier.deliveries""",
    )


def apps(configure, databases, bootstrap: str):
    """Intake and the notifier on the database of `databases`, quiet: no Kafka, no relay, no deliveries."""
    quiet = {
        "kafka_bootstrap_servers": bootstrap,
        "run_relay": False,
        "run_consumer": False,
        "keystore_database_url": databases.keystore,
    }
    return (
        serve(intake_app(configure(IntakeSettings, database_url=databases.intake, **quiet))),
        serve(
            notifier_app(configure(NotifierSettings, database_url=databases.notifier, run_deliveries=False, **quiet))
        ),
    )


def sealing_settings(databases):
    """Intake's and the notifier's settings as their `seal-legacy` reads them: the service's own role, the key
    store and its master key."""
    keystore = {
        "keystore_database_url": databases.keystore,
        "keystore_master_key": MASTER_KEY,
        "oidc_issuer": "http://localhost:8080/realms/docket",  # required of every service's settings; unused here
    }
    return (
        IntakeSettings(database_url=databases.intake, **keystore),
        NotifierSettings(database_url=databases.notifier, **keystore),
    )


async def seal_in_clear(databases) -> None:
    """What a release runs after the migrations and before the services serve: `seal-legacy` of intake and of
    the notifier (the function each command calls)."""
    intake, notifier = sealing_settings(databases)
    await intake_legacy.seal_legacy_command(intake)
    await notifier_legacy.seal_legacy_command(notifier)


async def erase_keys(databases, *subjects: uuid.UUID) -> None:
    """Destroy the subjects' keys in the key store, as an erasure does."""
    keystore = (
        KeystoreSettings(keystore_database_url=databases.keystore, keystore_master_key=MASTER_KEY)
        .personal_data()
        .keystore
    )
    try:
        for subject in subjects:
            await keystore.erase(subject, by="test")
    finally:
        await keystore.close()


async def test_values_stored_in_clear_are_sealed_before_the_services_serve_and_still_read(
    postgres, configure, tokens, closed_port_bootstrap
):
    name = f"legacy_{uuid.uuid4().hex[:8]}"
    databases, complaint, _subscription = await asyncio.to_thread(previous_release, postgres, name)
    await seal_in_clear(databases)
    intake_serving, notifier_serving = apps(configure, databases, closed_port_bootstrap)
    async with intake_serving as intake, notifier_serving as notifier:
        staff = (await intake.http.get(f"/complaints/{complaint}", headers=tokens(INTAKE_OFFICER))).json()
        assert (staff["complainant_name"], staff["complainant_email"], staff["narrative"]) == (NAME, EMAIL, NARRATIVE)
        [file] = (await intake.http.get(f"/complaints/{complaint}/evidence", headers=tokens(INTAKE_OFFICER))).json()
        assert file["filename"] == FILENAME
        download = await intake.http.get(
            f"/complaints/{complaint}/evidence/{file['id']}", headers=tokens(INTAKE_OFFICER)
        )
        assert download.headers["content-disposition"] == f'attachment; filename="{FILENAME}"'
        [letter] = (
            await notifier.http.get(
                "/notifications", headers=tokens(ADMINISTRATOR), params={"complaint_id": str(complaint)}
            )
        ).json()
        assert (letter["recipient_name"], letter["recipient_address"], letter["text"]) == (NAME, EMAIL, f"Dear {NAME},")
        export = await intake.http.get(f"/complaints/{complaint}/personal-data", headers=tokens(ADMINISTRATOR))
        assert base64.b64decode(export.json()["evidence"][0]["content_base64"]) == b"legacy bytes"
        assert export.json()["evidence"][0]["filename"] == FILENAME
    dumped = await asyncio.to_thread(dump, postgres, name)
    for value in (NAME, EMAIL, NARRATIVE, "legacy bytes", FILENAME, TOKEN, SECRET):
        assert value not in dumped
    assert "filed:v1" not in dumped and dumped.count('"ciphertext"') >= 11
    assert '"ciphertext": ""' not in dumped  # sealed, not withheld


def seal_legacy(name: str, database_url: str, keystore_url: str) -> subprocess.CompletedProcess[str]:
    """`python -m services.<name> seal-legacy` as an operator runs it: the service's own role and key store."""
    return service_command(name, ["seal-legacy"], database_url, keystore_url)


def service_command(
    name: str, args: list[str], database_url: str, keystore_url: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m services.<name> ARGS...` with the service's own role and key store."""
    env = os.environ | {
        "DATABASE_URL": database_url,
        "KEYSTORE_DATABASE_URL": keystore_url,
        "KEYSTORE_MASTER_KEY": MASTER_KEY,
        "OIDC_ISSUER": "http://localhost:8080/realms/docket",  # required of every service's settings; unused here
        "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}",
    }
    return subprocess.run(
        [sys.executable, "-m", f"services.{name}", *args],
        cwd=repo_root(),
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


async def test_the_seal_legacy_command_seals_what_is_in_clear_without_serving(postgres):
    name = f"legacy_{uuid.uuid4().hex[:8]}"
    databases, _complaint, _subscription = await asyncio.to_thread(previous_release, postgres, name)
    for service, url in (("intake", databases.intake), ("notifier", databases.notifier)):
        done = await asyncio.to_thread(seal_legacy, service, url, databases.keystore)
        assert done.returncode == 0, done.stderr
    dumped = await asyncio.to_thread(dump, postgres, name)
    for value in (NAME, EMAIL, NARRATIVE, "legacy bytes", FILENAME, TOKEN, SECRET):
        assert value not in dumped
    assert "filed:v1" not in dumped and dumped.count('"ciphertext"') >= 11
    again = await asyncio.to_thread(seal_legacy, "intake", databases.intake, databases.keystore)
    assert again.returncode == 0 and "nothing stored in clear is left to seal" in again.stderr


async def test_a_service_started_on_rows_in_clear_leaves_them_as_they_are(postgres, configure, closed_port_bootstrap):
    """The services do not seal when they start: what is in clear stays as it was until `seal-legacy` runs."""
    name = f"legacy_{uuid.uuid4().hex[:8]}"
    databases, _complaint, _subscription = await asyncio.to_thread(previous_release, postgres, name)
    before = await asyncio.to_thread(dump, postgres, name)
    intake_serving, notifier_serving = apps(configure, databases, closed_port_bootstrap)
    async with intake_serving as intake, notifier_serving as notifier:
        assert (await intake.http.get("/healthz")).status_code == 200
        assert (await notifier.http.get("/healthz")).status_code == 200
    after = await asyncio.to_thread(dump, postgres, name)
    assert after == before
    assert all(value in after for value in (NAME, EMAIL, NARRATIVE, "legacy bytes", FILENAME, TOKEN, SECRET))
    assert "filed:v1" in after and '"ciphertext"' not in after


async def test_waiting_for_migrations_waits_until_seal_legacy_has_run_and_says_for_what(postgres):
    """The serving pods' init container (`wait-for-migrations`, as the service's own role) waits while rows are
    in clear, naming their tables, and writes nothing; `--schemas-only` (before `seal-legacy` itself) does not
    wait for them. Once `seal-legacy` has run, it returns."""
    name = f"legacy_{uuid.uuid4().hex[:8]}"
    databases, _complaint, _subscription = await asyncio.to_thread(previous_release, postgres, name)
    intake, notifier = sealing_settings(databases)
    checks = ((intake, intake_legacy.in_clear), (notifier, notifier_legacy.in_clear))
    left = [await in_clear_of(settings, check) for settings, check in checks]
    assert left == [
        ["complaints", "evidence", "idempotency_keys", "outbox"],
        ["complainants", "notifications", "subscriptions", "deliveries"],
    ]
    before = await asyncio.to_thread(dump, postgres, name)

    with pytest.raises(subprocess.TimeoutExpired) as waiting:
        await asyncio.to_thread(
            service_command, "intake", ["wait-for-migrations"], databases.intake, databases.keystore, 20
        )
    said = (waiting.value.stderr or b"").decode()  # what it said until it was stopped
    assert (
        "waiting for `python -m services.intake seal-legacy`: not done yet in complaints, evidence, "
        "idempotency_keys, outbox" in said
    ), said
    schemas = await asyncio.to_thread(
        service_command, "intake", ["wait-for-migrations", "--schemas-only"], databases.intake, databases.keystore
    )
    assert schemas.returncode == 0 and "seal-legacy" not in schemas.stderr, schemas.stderr
    assert await asyncio.to_thread(dump, postgres, name) == before  # the checks only read

    await seal_in_clear(databases)
    assert [await in_clear_of(settings, check) for settings, check in checks] == [[], []]
    done = await asyncio.to_thread(
        service_command, "intake", ["wait-for-migrations"], databases.intake, databases.keystore
    )
    assert done.returncode == 0 and "`python -m services.intake seal-legacy` has nothing left to do" in done.stderr


async def in_clear_of(settings, check) -> list[str]:
    """What `check` (a service's `in_clear`) names as still in clear, read with the service's own role."""
    engine = make_engine(settings.database_url, settings.database_schema)
    try:
        return await check(make_sessions(engine))
    finally:
        await engine.dispose()


async def test_a_complainant_erased_before_the_seal_is_withheld_and_the_services_still_start(
    postgres, configure, tokens, closed_port_bootstrap
):
    """Erased (by an instance already upgraded) before the rows of the previous release were sealed: nothing
    can be sealed for them any more, so their values are withheld rather than kept in clear, and `seal-legacy`
    does not fail on them (nor when it runs again, at the next release)."""
    name = f"legacy_{uuid.uuid4().hex[:8]}"
    databases, complaint, subscription = await asyncio.to_thread(previous_release, postgres, name)
    await erase_keys(databases, complaint, subscription)
    for _ in range(2):  # and a second run finds nothing left to do
        await seal_in_clear(databases)
        intake_serving, notifier_serving = apps(configure, databases, closed_port_bootstrap)
        async with intake_serving as intake, notifier_serving as notifier:
            staff = (await intake.http.get(f"/complaints/{complaint}", headers=tokens(INTAKE_OFFICER))).json()
            assert (staff["complainant_name"], staff["complainant_email"], staff["narrative"]) == (ERASED,) * 3
            assert staff["personal_data_erased"] is True
            [file] = (await intake.http.get(f"/complaints/{complaint}/evidence", headers=tokens(INTAKE_OFFICER))).json()
            assert file["filename"] == ERASED
            assert (
                await intake.http.get(f"/complaints/{complaint}/evidence/{file['id']}", headers=tokens(INTAKE_OFFICER))
            ).status_code == 410
            export = (
                await intake.http.get(f"/complaints/{complaint}/personal-data", headers=tokens(ADMINISTRATOR))
            ).json()
            assert export["evidence"][0]["content_base64"] is None
            [letter] = (
                await notifier.http.get(
                    "/notifications", headers=tokens(ADMINISTRATOR), params={"complaint_id": str(complaint)}
                )
            ).json()
            assert (letter["recipient_name"], letter["recipient_address"], letter["text"]) == (ERASED, None, ERASED)
            hook = (await notifier.http.get(f"/subscriptions/{subscription}", headers=tokens(ADMINISTRATOR))).json()
            assert hook["status"] == "disabled"  # it cannot sign any more: never sent unsigned
    dumped = await asyncio.to_thread(dump, postgres, name)
    for value in (NAME, EMAIL, NARRATIVE, "legacy bytes", FILENAME, TOKEN, SECRET):
        assert value not in dumped
    assert "filed:v1" not in dumped and dumped.count('"ciphertext": ""') >= 11


def clear_rows_of(postgres, name: str, complaint: uuid.UUID) -> None:
    """A complaint as the previous release stored it, still in clear (`seal-legacy` has not sealed it yet, e.g.
    an instance of that release wrote it since): the upgraded columns hold JSON strings, the file is not
    sealed."""
    filed = {
        "complaint_id": str(complaint),
        "reference": "DKT-2025-UNSEALED",
        "complainant": {"name": "Paul Unsealed", "email": "paul.unsealed@example.org", "country": "FR"},
    }
    postgres.psql(
        name,
        f"""
        INSERT INTO intake.complaints (id, reference, status_token_digest, kind, complainant_name, complainant_email,
          complainant_country, controller_key, controller_name, category, articles_alleged, territory, narrative,
          received_on, status)
          VALUES ('{complaint}', 'DKT-2025-UNSEALED', 'digest', 'art77_complaint', '"Paul Unsealed"',
                  '"paul.unsealed@example.org"', 'FR', 'acme', 'Acme', 'other', '[15]', '["FR"]',
                  '"unsealed narrative"', '2025-01-10', 'received');
        INSERT INTO intake.evidence (id, complaint_id, filename, content_type, size, sha256, content, sealed)
          VALUES ('{uuid.uuid4()}', '{complaint}', '"paul-unsealed-scan.txt"', 'text/plain', 14, 'x',
                  convert_to('unsealed bytes', 'UTF8'), false);
        INSERT INTO intake.idempotency_keys (key, request_digest, status_code, response)
          VALUES ('unsealed-key', '"digest"', 201,
                  '{json.dumps({"id": str(complaint), "status_token": "unsealed-status-token"})}');
        INSERT INTO intake.letters (notification_id, complaint_id, title, text, recorded_at)
          VALUES ('{uuid.uuid4()}', '{complaint}', 'Acknowledgement', '"Dear Paul Unsealed,"', now());
        INSERT INTO intake.outbox (event_id, topic, key, type, source, subject, dataschema, time, data)
          VALUES ('{uuid.uuid4()}', 'docket.complaints', '{complaint}', 'docket.complaint.filed', '/docket/intake',
                  '{complaint}', 'urn:docket:schema:docket.complaint.filed:v1', now(), '{json.dumps(filed)}');
    """,
    )


async def test_erasure_withholds_what_of_the_complainant_is_still_in_clear(
    postgres, configure, tokens, closed_port_bootstrap
):
    name = f"legacy_{uuid.uuid4().hex[:8]}"
    databases, sealed_before, _ = await asyncio.to_thread(previous_release, postgres, name)
    await seal_in_clear(databases)
    unsealed = uuid.uuid4()
    intake_serving, _ = apps(configure, databases, closed_port_bootstrap)
    async with intake_serving as intake:
        await asyncio.to_thread(clear_rows_of, postgres, name, unsealed)
        erased = await intake.http.post(f"/complaints/{unsealed}/erasure", headers=tokens(ADMINISTRATOR))
        assert erased.status_code == 200, erased.text

        staff = (await intake.http.get(f"/complaints/{unsealed}", headers=tokens(INTAKE_OFFICER))).json()
        assert (staff["complainant_name"], staff["complainant_email"], staff["narrative"]) == (ERASED,) * 3
        [file] = (await intake.http.get(f"/complaints/{unsealed}/evidence", headers=tokens(INTAKE_OFFICER))).json()
        assert file["filename"] == ERASED
        assert (
            await intake.http.get(f"/complaints/{unsealed}/evidence/{file['id']}", headers=tokens(INTAKE_OFFICER))
        ).status_code == 410
        export = (await intake.http.get(f"/complaints/{unsealed}/personal-data", headers=tokens(ADMINISTRATOR))).json()
        assert export["evidence"][0]["content_base64"] is None and export["letters"][0]["text"] is None
        # Another complainant's values are untouched.
        other = (await intake.http.get(f"/complaints/{sealed_before}", headers=tokens(INTAKE_OFFICER))).json()
        assert other["complainant_name"] == NAME

    dumped = await asyncio.to_thread(dump, postgres, name)
    for value in (
        "Paul Unsealed",
        "paul.unsealed@example.org",
        "unsealed narrative",
        "unsealed bytes",
        "paul-unsealed-scan.txt",
        "unsealed-status-token",
    ):
        assert value not in dumped
    assert "filed:v1" not in dumped
    # Withheld: name, address, narrative, file name, status token, letter, and the event's name and address.
    assert dumped.count('"ciphertext": ""') == 8


async def test_a_row_of_an_unexpected_shape_is_left_alone_and_the_service_still_starts(
    databases, configure, closed_port_bootstrap
):
    """`seal-legacy` must not hang on one odd row, nor the start after it: a complaint.filed outbox row that is
    not of the previous release."""
    import sqlalchemy as sa

    from docket_service.database import make_engine

    engine = make_engine(databases.intake, "intake")
    odd = str(uuid.uuid4())
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO outbox (event_id, topic, key, type, source, subject, dataschema, time, data) VALUES "
                    "(:id, 'docket.complaints', 'k', 'docket.complaint.filed', '/x', 'k', "
                    '\'urn:docket:schema:docket.complaint.filed:v1\', now(), \'{"complainant": {"name": "x"}}\')'
                ),
                {"id": odd},
            )
        settings = configure(
            IntakeSettings, kafka_bootstrap_servers=closed_port_bootstrap, run_relay=False, run_consumer=False
        )
        await asyncio.wait_for(intake_legacy.seal_legacy_command(settings), 60)
        async with serve(intake_app(settings)) as intake:
            assert (await intake.http.get("/healthz")).status_code == 200
        async with engine.connect() as connection:
            assert (
                await connection.scalar(sa.text("SELECT dataschema FROM outbox WHERE event_id = :id"), {"id": odd})
                == "urn:docket:schema:docket.complaint.filed:v1"
            )
            await connection.execute(
                sa.text("UPDATE outbox SET published_at = now() WHERE event_id = :id"), {"id": odd}
            )
            await connection.commit()
    finally:
        await engine.dispose()
