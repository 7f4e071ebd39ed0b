"""A sealed value is bound to its field as well as to its subject: two values of one person cannot be swapped
(an e-mail address shown where a name should be, a narrative sent as an address), in a table or an event."""

from __future__ import annotations

from uuid import uuid4

import pytest

from docket_contracts.events import COMPLAINANT_EMAIL, COMPLAINANT_NAME, Party
from docket_privacy import cipher
from docket_privacy.personal import PersonalData
from tests.unit.fakes import InMemoryKeyStore


async def test_two_sealed_values_of_one_person_cannot_be_swapped():
    personal = PersonalData(InMemoryKeyStore())
    jeanne = uuid4()
    name, email = await personal.seal_many(
        jeanne, [(COMPLAINANT_NAME, "Jeanne Martin"), (COMPLAINANT_EMAIL, "attacker@example.org")]
    )
    swapped = Party(name=email, email=name, country="FR")  # as a forged or edited complaint.filed would carry
    with pytest.raises(cipher.Unreadable):
        await personal.open(COMPLAINANT_NAME, swapped.name)
    with pytest.raises(cipher.Unreadable):
        await personal.open(COMPLAINANT_EMAIL, swapped.email)
    assert await personal.open_many([(COMPLAINANT_NAME, name), (COMPLAINANT_EMAIL, email)]) == [
        "Jeanne Martin",
        "attacker@example.org",
    ]


async def test_evidence_content_cannot_pass_for_another_field_of_the_same_complainant():
    personal = PersonalData(InMemoryKeyStore())
    subject = uuid4()
    content = await personal.seal_bytes(subject, "evidence.content", b"an e-mail of the controller")
    assert await personal.open_bytes(subject, "evidence.content", content) == b"an e-mail of the controller"
    with pytest.raises(cipher.Unreadable):
        await personal.open_bytes(subject, "letter.text", content)
