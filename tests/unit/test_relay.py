"""The relay publishes committed events in order, in batches, and loses nothing when Kafka fails."""

import asyncio

from docket_contracts.envelope import CloudEvent
from docket_messaging.relay import Relay

from .fakes import FakeOutbox, FakePublisher, NoWakeups


def events(n: int) -> list[CloudEvent]:
    return [CloudEvent(type="docket.case.opened", source="/t", subject=f"case-{i % 3}", dataschema="urn:x:v1",
                       data={"n": i}) for i in range(n)]


async def test_drain_publishes_everything_in_insertion_order_in_batches():
    outbox, publisher = FakeOutbox(events(7)), FakePublisher()
    assert await Relay(outbox, publisher, NoWakeups(), batch_size=3).drain() == 7
    assert outbox.batches == [3, 3, 1]
    assert [dict(m.headers)["ce_id"].decode() for m in publisher.sent] == [e.id for e in outbox.events]


async def test_a_failed_send_marks_nothing_and_the_next_run_publishes_it():
    outbox, publisher = FakeOutbox(events(4)), FakePublisher(fail_times=2)
    relay = Relay(outbox, publisher, NoWakeups(), batch_size=10, max_backoff=0.01)
    task = asyncio.create_task(relay.run())
    try:
        for _ in range(200):
            if len(outbox.published) == 4:
                break
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
    assert len(outbox.published) == 4
    assert len(publisher.sent) == 4  # the failed attempts sent nothing


async def test_hold_after_send_keeps_the_batch_unmarked_until_it_ends():
    outbox, publisher = FakeOutbox(events(2)), FakePublisher()
    task = asyncio.create_task(Relay(outbox, publisher, NoWakeups(), hold_after_send=5).drain())
    await asyncio.sleep(0.05)
    assert len(publisher.sent) == 2 and outbox.published == set()
    task.cancel()
