"""The words a tail of Docket's topics shows each event with: every type of the contract, never a sealed value."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from docket_contracts import registry
from docket_contracts.events import NotificationRecorded, NotificationSent
from docket_operator.tail import summary
from tests.factories import one_of_each
from tests.unit.case_history import OPENED, PENALTY, SANCTIONED

CASE = OPENED.case_id


def every_event() -> list:
    complaint = uuid4()
    letters = [
        NotificationRecorded(
            notification_id=uuid4(),
            source_event_id="e1",
            source_event_type="x",
            channel="letter",
            recipient_role="controller",
            case_id=CASE,
            title="A fine",
        ),
        NotificationSent(
            notification_id=uuid4(),
            source_event_type="x",
            recipient_role="complainant",
            sent_at=datetime(2023, 4, 14, tzinfo=UTC),
            sent_on=date(2023, 4, 14),
        ),
    ]
    return [*one_of_each(CASE, complaint).values(), *letters]


@pytest.mark.parametrize("event", every_event(), ids=lambda e: registry.spec_of(e).type)
def test_every_event_type_is_shown_in_a_few_words_and_no_sealed_value(event):
    words = summary(registry.spec_of(event).type, event.model_dump(mode="json"))
    assert words
    assert "ciphertext" not in words and "Jeanne" not in words


def test_the_events_are_summarised_in_the_story_s_figures():
    assert (
        summary("docket.sanction.imposed", SANCTIONED.model_dump(mode="json"))
        == "fine of EUR 20,000,000 decided 2022-10-17 (cap EUR 20,000,000, Art 83(6))"
    )
    assert (
        summary("penalty_payment.imposed", PENALTY.model_dump(mode="json"))
        == "EUR 100,000 a day of delay from 2022-12-19"
    )


def test_an_unknown_type_or_a_payload_without_its_fields_is_shown_without_words():
    assert summary("docket.case.reopened", {"case_id": str(CASE)}) == ""
    assert summary("docket.case.closed", {"case_id": str(CASE)}) == ""
