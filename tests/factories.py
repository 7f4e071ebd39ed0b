"""Valid contract payloads for tests, overridable field by field."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any
from uuid import uuid4

from docket_contracts.events import ComplaintFiled, Controller, Party

CLEARVIEW = Controller(key="clearview-ai", name="Clearview AI", country="US", website="clearview.ai")


def reference() -> str:
    return f"DKT-2020-{secrets.token_hex(3).upper()}"


def complaint_filed(**changes: Any) -> ComplaintFiled:
    fields: dict[str, Any] = dict(
        complaint_id=uuid4(), reference=reference(), kind="art77_complaint",
        complainant=Party(name="Jeanne Martin", email="jeanne.martin@example.org", country="FR"),
        controller=CLEARVIEW, category="access_request_ignored", articles_alleged=(15, 17), territory=("FR",),
        received_on=date(2020, 5, 25))
    return ComplaintFiled(**(fields | changes))


def submission(**changes: Any) -> dict[str, Any]:
    """A valid body for POST /complaints."""
    body: dict[str, Any] = {
        "kind": "art77_complaint",
        "complainant": {"name": "Jeanne Martin", "email": "jeanne.martin@example.org", "country": "FR"},
        "controller": {"name": "Clearview AI", "country": "US", "website": "clearview.ai"},
        "category": "access_request_ignored", "articles_alleged": [15, 17], "territory": ["FR"],
        "narrative": "I asked Clearview AI for my data on 2 May 2020 and got no answer."}
    return body | changes
