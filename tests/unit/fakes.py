"""In-memory stand-ins for the messaging ports, for unit tests only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload
from docket_messaging.codec import KafkaMessage, encode
from docket_messaging.consumer import Handler, Record, Step
from docket_messaging.outbox import Claimed, Delivery


@dataclass
class FakePublisher:
    fail_times: int = 0
    sent: list[KafkaMessage] = field(default_factory=list)

    async def publish(self, messages: Sequence[KafkaMessage]) -> None:
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("broker unreachable")
        self.sent.extend(messages)


@dataclass
class FakeOutbox:
    """Rows in insertion order (their index their id), each published once settled as acknowledged; the fake is
    its own lease. `batches` are the sizes of the batches claimed; the events in `uncommitted` are not seen yet
    (a transaction that took its ids and has not committed)."""

    events: list[CloudEvent] = field(default_factory=list)
    published: set[str] = field(default_factory=set)
    batches: list[int] = field(default_factory=list)
    uncommitted: set[str] = field(default_factory=set)

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[FakeOutbox]:
        yield self

    async def claim(self, limit: int, in_flight: Collection[int] = ()) -> list[Claimed] | None:
        after = max(in_flight, default=-1)
        due = [
            Claimed(n, e.type, encode(e, "docket.test"))
            for n, e in enumerate(self.events)
            if e.id not in self.published and e.id not in self.uncommitted
        ]
        if len([row for row in due if row.id <= after]) != len(in_flight):
            return None
        claimed = [row for row in due if row.id > after][:limit]
        if claimed:
            self.batches.append(len(claimed))
        return claimed

    async def settle(self, rows: Sequence[Claimed], fates: Sequence[Delivery]) -> int:
        for row, fate in zip(rows, fates, strict=True):
            if fate.acknowledged:
                self.published.add(self.events[row.id].id)
        return sum(1 for fate in fates if fate.acknowledged)


class NoWakeups:
    async def wait(self, timeout: float) -> None:
        await asyncio.sleep(0)


@dataclass
class FakeInbox:
    """The inbox's events, and the effects committed with them: a handler is given a list as its session, and what
    it appends there is kept, in `effects`, only if its transaction commits. `transactions` counts them."""

    seen: set[str] = field(default_factory=set)
    effects: list[object] = field(default_factory=list)
    transactions: int = 0

    async def apply(self, record: Record, event: CloudEvent, payload: Payload, handler: Handler) -> bool:
        [applied] = await self.apply_all([Step(record, event, payload, handler)], lambda: True)
        return applied

    async def apply_all(self, steps: Sequence[Step], go_on: Callable[[], bool]) -> list[bool]:
        seen, written, applied = set(self.seen), [], []
        for step in steps:
            if not go_on():
                break
            first = step.event.id not in seen
            if first:
                await step.handler(written, step.event, step.payload)  # type: ignore[arg-type]
                seen.add(step.event.id)
            applied.append(first)
        self.seen, self.transactions = seen, self.transactions + 1
        self.effects += written
        return applied


@dataclass
class InMemoryKeyStore:
    """The KeyStore protocol in a dict; counts trips so that caching can be checked."""

    keys_by_subject: dict = field(default_factory=dict)  # subject -> key, or None once erased
    trips: int = 0

    async def keys(self, subjects, *, create: bool = False):
        self.trips += 1
        found = {}
        for subject in set(subjects):
            if create and subject not in self.keys_by_subject:
                from docket_privacy.cipher import new_key

                self.keys_by_subject[subject] = new_key()
            found[subject] = self.keys_by_subject.get(subject)
        return found

    async def new_subjects(self, count: int):
        from uuid import uuid4

        from docket_privacy.cipher import new_key

        self.trips += 1
        made = {uuid4(): new_key() for _ in range(count)}
        self.keys_by_subject.update(made)
        return made

    async def erase(self, subject, by: str) -> bool:
        had = self.keys_by_subject.get(subject, b"") is not None
        self.keys_by_subject[subject] = None
        return had

    async def erased_at(self, subject):
        return None

    async def close(self) -> None:
        pass


@dataclass
class InMemoryRecords:
    """The notifier's Records (services/notifier/store/records.py) in dicts and lists, as its tables would hold them:
    complainants, early links, case controllers and contacts; the letters recorded and the deliveries asked
    for (the event type, and the controller and case the subscriptions are matched on)."""

    complainants: dict = field(default_factory=dict)  # complaint id -> ComplainantRow
    address_codes: dict = field(default_factory=dict)  # complaint id -> Sealed code, until its complaint.filed
    proven: set = field(default_factory=set)  # complaint ids whose address was proven (held letters released)
    early_links: dict = field(default_factory=dict)  # complaint id -> EarlyLinkRow
    controllers: dict = field(default_factory=dict)  # case id -> Controller
    contacts: dict = field(default_factory=dict)  # controller key -> e-mail address
    letters: list = field(default_factory=list)  # (source event id, source event type, Letter, sealed or None)
    deliveries: list = field(default_factory=list)  # (event type, controller key, case id)

    async def add_complainant(self, complaint_id, reference, kind, name, email, *, address_proven=True, language=None):
        from services.notifier.store import ComplainantRow

        self.complainants.setdefault(
            complaint_id,
            ComplainantRow(
                complaint_id=complaint_id,
                reference=reference,
                kind=kind,
                name=name.model_dump(mode="json"),
                email=email.model_dump(mode="json"),
                waiting=True,
                address_proven=address_proven,
                language=language,
            ),
        )

    async def keep_address_code(self, complaint_id, code):
        self.address_codes.setdefault(complaint_id, code)

    async def take_address_code(self, complaint_id):
        return self.address_codes.pop(complaint_id, None)

    async def prove_address(self, complaint_id):
        if complaint_id in self.complainants:
            self.complainants[complaint_id].address_proven = True
        self.proven.add(complaint_id)

    async def open_case(self, case_id, controller):
        self.controllers.setdefault(case_id, controller)

    async def link_complaint(self, complaint_id, case_id):
        if complaint_id not in self.complainants:
            return False
        self.complainants[complaint_id].case_id = case_id
        return True

    async def keep_early_link(self, event, complaint_id, case_id):
        from services.notifier.store import EarlyLinkRow

        self.early_links.setdefault(
            complaint_id,
            EarlyLinkRow(
                complaint_id=complaint_id,
                case_id=case_id,
                event_id=event.id,
                event_type=event.type,
                data=event.data,
                event_time=event.time,
            ),
        )

    async def take_early_link(self, complaint_id):
        return self.early_links.pop(complaint_id, None)

    async def case_of_complaint(self, complaint_id):
        row = self.complainants.get(complaint_id)
        return row.case_id if row else None

    async def controller_of(self, case_id):
        controller = self.controllers.get(case_id)
        if controller is None:
            return None, None
        return controller, self.contacts.get(controller.key)

    async def waiting_complainants(self, case_id, complaint_id=None):
        if case_id is None and complaint_id is None:
            return []
        return sorted(
            (
                row
                for row in self.complainants.values()
                if row.waiting
                and ((case_id is not None and row.case_id == case_id) or row.complaint_id == complaint_id)
            ),
            key=lambda row: row.reference,
        )

    async def told(self, complaint_ids, on, reminder_due_on):
        for complaint_id in complaint_ids:
            row = self.complainants.get(complaint_id)
            if row and row.waiting and (row.last_news_on is None or row.last_news_on <= on):
                row.last_news_on, row.reminder_due_on = on, reminder_due_on

    async def stop_waiting(self, *, case_id=None, complaint_id=None):
        for row in self.complainants.values():
            if (row.case_id == case_id) if case_id else (row.complaint_id == complaint_id):
                row.waiting, row.reminder_due_on = False, None

    async def record_letters(self, source_id, source_type, letters, sealed):
        self.letters.extend(
            (source_id, source_type, letter, personal) for letter, personal in zip(letters, sealed, strict=True)
        )

    async def enqueue_deliveries(self, event, controller_key, case_id):
        self.deliveries.append((event.type, controller_key, case_id))
        return 1
