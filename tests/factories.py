"""Valid contract payloads for tests, overridable field by field."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from docket_contracts.events import ComplaintFiled, Controller, Party, Sealed
from docket_privacy import cipher
from docket_privacy.personal import PersonalData

CLEARVIEW = Controller(key="clearview-ai", name="Clearview AI", country="US", website="clearview.ai")
JEANNE = ("Jeanne Martin", "jeanne.martin@example.org")

# Sealed values for tests that never open them; no key store holds this key.
THROWAWAY_KEY = cipher.new_key()


def sealed(subject: UUID, value: str) -> Sealed:
    return Sealed(subject=subject, ciphertext=cipher.b64(cipher.seal(THROWAWAY_KEY, subject, value.encode())))


def reference() -> str:
    return f"DKT-2020-{secrets.token_hex(3).upper()}"


def complaint_filed(**changes: Any) -> ComplaintFiled:
    """A complaint.filed whose complainant is sealed under a key no service holds (for the case service, which
    never opens them); see `openable_complaint_filed` for one a service can read."""
    complaint_id = changes.pop("complaint_id", None) or uuid4()
    name, email = JEANNE
    fields: dict[str, Any] = dict(
        complaint_id=complaint_id, reference=reference(), kind="art77_complaint",
        complainant=Party(name=sealed(complaint_id, name), email=sealed(complaint_id, email), country="FR"),
        controller=CLEARVIEW, category="access_request_ignored", articles_alleged=(15, 17), territory=("FR",),
        received_on=date(2020, 5, 25))
    return ComplaintFiled(**(fields | changes))


async def openable_complaint_filed(personal: PersonalData, name: str = JEANNE[0], email: str = JEANNE[1],
                                   **changes: Any) -> ComplaintFiled:
    """A complaint.filed sealed with the real key store's key for its complaint, as intake would send it."""
    complaint_id = changes.pop("complaint_id", None) or uuid4()
    sealed_name, sealed_email = await personal.seal_many(complaint_id, [name, email])
    return complaint_filed(complaint_id=complaint_id,
                           complainant=Party(name=sealed_name, email=sealed_email, country="FR"), **changes)


def submission(**changes: Any) -> dict[str, Any]:
    """A valid body for POST /complaints."""
    body: dict[str, Any] = {
        "kind": "art77_complaint",
        "complainant": {"name": "Jeanne Martin", "email": "jeanne.martin@example.org", "country": "FR"},
        "controller": {"name": "Clearview AI", "country": "US", "website": "clearview.ai"},
        "category": "access_request_ignored", "articles_alleged": [15, 17], "territory": ["FR"],
        "narrative": "I asked Clearview AI for my data on 2 May 2020 and got no answer."}
    return body | changes
