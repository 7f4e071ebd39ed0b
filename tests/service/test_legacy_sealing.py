"""A database written by the release before personal data was sealed: after the upgrade, intake and the
notifier seal what they find in clear when they start, and staff read every value as before."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid

import pytest

from docket_devstack.database import provision
from docket_messaging.database import migrate
from docket_privacy.settings import KEYSTORE_ALEMBIC_INI
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import serve
from tests.conftest import MIGRATIONS
from tests.staff import ADMINISTRATOR, INTAKE_OFFICER

pytestmark = pytest.mark.service

NAME, EMAIL, NARRATIVE, TOKEN, SECRET = ("Jeanne Legacy", "jeanne.legacy@example.org", "written in 2025",
                                         "legacy-status-token", "whsec_" + base64.b64encode(b"k" * 32).decode())


def previous_release(postgres, name: str):  # noqa: ANN001, ANN201
    """A database at the revisions of the release before sealing, with rows as that release wrote them."""
    databases = provision(postgres, name)
    migrate(MIGRATIONS["intake"], databases.intake, "intake", "0001")
    migrate(MIGRATIONS["notifier"], databases.notifier, "notifier", "0003")
    migrate(KEYSTORE_ALEMBIC_INI, databases.keystore, "keystore")
    complaint, subscription = uuid.uuid4(), uuid.uuid4()
    filed = {"complaint_id": str(complaint), "reference": "DKT-2025-LEGACY",
             "complainant": {"name": NAME, "email": EMAIL, "country": "FR"}}
    postgres.psql(name, f"""
        INSERT INTO intake.complaints VALUES ('{complaint}', 'DKT-2025-LEGACY', 'digest', 'art77_complaint', NULL,
          '{NAME}', '{EMAIL}', 'FR', 'acme', 'Acme', NULL, NULL, 'other', '[15]', '["FR"]', '{NARRATIVE}',
          '2025-01-10', now(), 'received');
        INSERT INTO intake.evidence VALUES ('{uuid.uuid4()}', '{complaint}', 'a.txt', 'text/plain', 12, 'x',
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
    """)
    migrate(MIGRATIONS["intake"], databases.intake, "intake")
    migrate(MIGRATIONS["notifier"], databases.notifier, "notifier")
    return databases, complaint, subscription


async def test_values_stored_in_clear_are_sealed_at_start_and_still_read(postgres, configure, tokens,
                                                                         closed_port_bootstrap):
    name = f"legacy_{uuid.uuid4().hex[:8]}"
    databases, complaint, subscription = await asyncio.to_thread(previous_release, postgres, name)
    quiet = dict(kafka_bootstrap_servers=closed_port_bootstrap, run_relay=False, run_consumer=False,
                 keystore_database_url=databases.keystore)
    async with serve(intake_app(configure(IntakeSettings, database_url=databases.intake, **quiet))) as intake, \
            serve(notifier_app(configure(NotifierSettings, database_url=databases.notifier, run_deliveries=False,
                                         **quiet))) as notifier:
        staff = (await intake.http.get(f"/complaints/{complaint}", headers=tokens(INTAKE_OFFICER))).json()
        assert (staff["complainant_name"], staff["complainant_email"], staff["narrative"]) == (NAME, EMAIL, NARRATIVE)
        [letter] = (await notifier.http.get("/notifications", headers=tokens(ADMINISTRATOR),
                                            params={"complaint_id": str(complaint)})).json()
        assert (letter["recipient_name"], letter["recipient_address"], letter["text"]) == (NAME, EMAIL,
                                                                                          f"Dear {NAME},")
        export = (await intake.http.get(f"/complaints/{complaint}/personal-data", headers=tokens(ADMINISTRATOR)))
        assert base64.b64decode(export.json()["evidence"][0]["content_base64"]) == b"legacy bytes"
    dumped = await asyncio.to_thread(postgres.psql, name, """
        SELECT row_to_json(c)::text FROM intake.complaints c UNION ALL
        SELECT encode(content, 'escape') FROM intake.evidence UNION ALL
        SELECT response::text FROM intake.idempotency_keys UNION ALL
        SELECT data::text || dataschema FROM intake.outbox UNION ALL
        SELECT row_to_json(c)::text FROM notifier.complainants c UNION ALL
        SELECT row_to_json(n)::text FROM notifier.notifications n UNION ALL
        SELECT secret::text FROM notifier.subscriptions UNION ALL
        SELECT body::text FROM notifier.deliveries""")
    for value in (NAME, EMAIL, NARRATIVE, "legacy bytes", TOKEN, SECRET):
        assert value not in dumped
    assert "filed:v1" not in dumped and dumped.count('"ciphertext"') >= 10
