"""Intake keeps a letter to a complainant only if it is sealed with that complainant's key: the notifier's
notification.recorded events pass through intake's consumer, and one sealed for another data subject is
dead-lettered with its reason, never stored under the complaint."""

from __future__ import annotations

from uuid import uuid4

from docket_contracts.events import NotificationRecorded
from docket_contracts.registry import new_event, parse
from docket_contracts.topics import NOTIFICATIONS
from docket_messaging.codec import decode, encode
from docket_messaging.consumer import InboxConsumer, Outcome, Record
from services.intake.handlers import EVENT_HANDLERS
from tests.factories import sealed

from .fakes import FakeInbox, FakePublisher


def letter(complaint_id, sealed_for) -> Record:
    payload = NotificationRecorded(
        notification_id=uuid4(),
        source_event_id=str(uuid4()),
        source_event_type="docket.case.opened",
        channel="letter",
        recipient_role="complainant",
        complaint_id=complaint_id,
        title="Your complaint",
        text=sealed(sealed_for, "Dear Jeanne, your complaint was joined to a case."),
    )
    message = encode(new_event(payload, source="/docket/notifier", subject=str(complaint_id)), NOTIFICATIONS)
    return Record(NOTIFICATIONS, 0, 0, message.key, message.value, message.headers)


def intake_consumer(dead_letters: FakePublisher) -> InboxConsumer:
    return InboxConsumer("docket-intake", EVENT_HANDLERS, FakeInbox(), dead_letters, retry_delay=0, max_retry_delay=0)


async def test_a_letter_sealed_for_another_subject_is_dead_lettered_at_once_with_its_reason():
    dead_letters, complaint_id, other = FakePublisher(), uuid4(), uuid4()
    assert await intake_consumer(dead_letters).process(letter(complaint_id, other)) is Outcome.DEAD_LETTERED
    [message] = dead_letters.sent
    reason = dict(message.headers)["dlq_reason"].decode()
    assert reason.startswith("refused: ") and "sealed for another data subject" in reason
    assert str(complaint_id) in reason and str(other) in reason


class NoComplaints:
    """A session in which intake knows no complaint: a letter that passes the check is looked up, not stored."""

    def __init__(self) -> None:
        self.looked_up: list = []

    async def get(self, row_type, key):
        self.looked_up.append(key)
        return None


async def test_a_letter_sealed_for_its_complainant_passes_the_check():
    complaint_id, session = uuid4(), NoComplaints()
    record = letter(complaint_id, complaint_id)
    event = decode(record.headers, record.value)
    await EVENT_HANDLERS["docket.notification.recorded"](session, event, parse(event))  # type: ignore[arg-type]
    assert session.looked_up == [complaint_id]
