"""Two processes of each service on one PostgreSQL and one Kafka share the work and apply nothing twice.

The consumers of a service form one group, so Kafka gives each process some of the partitions; the relays
of a service take turns under one advisory lock; the deadline timers are claimed with SKIP LOCKED. Under a
load filed through both intake processes (a campaign against one controller among it), with the second case
and notifier processes started while it flows (their groups rebalance under load), and then with deadlines
left to the two schedulers, this checks what the fault suite checks after a fault (every
complaint in one case, once; every letter and webhook once; each case's events in order on the topic and at
the receiver), and besides: each consumer group has both processes as members, each with partitions of its
own; every outbox row is on its topic exactly once; each deadline expired exactly once.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from docket_contracts import topics
from docket_devstack.staff import INVESTIGATOR, PRESIDENT, Tokens
from docket_messaging.access import KafkaAccess
from tests.faults.checks import caught_up, everything_holds, query
from tests.faults.load import RECEIVED_ON, Filed, Load, file_all
from tests.faults.stack import Stack, running, subscribe
from tests.kafka_reader import eventually, headers, read_topic

pytestmark = [pytest.mark.e2e, pytest.mark.faults]  # six processes under load for minutes: `make faults`

# Filed half through each intake process: 300 submissions over 12 controllers, 100 of them against one.
HALF = Load(submissions=150, controllers=12, biggest=50)
# Both case processes look for due deadlines every 0.3 s, so that they race for the same timers.
SCHEDULERS = {"TIMER_INTERVAL_S": "0.3"}
NOTICES = 6
# Started once a third of the load is in: scaling out a running system.
LATE = ("case-2", "notifier-2")
PRODUCES = {"intake": topics.COMPLAINTS, "case": topics.CASES, "notifier": topics.NOTIFICATIONS}
CONSUMES = {
    "intake": {topics.CASES, topics.NOTIFICATIONS},
    "case": {topics.COMPLAINTS, topics.NOTIFICATIONS},
    "notifier": {topics.COMPLAINTS, topics.CASES},
}


@pytest.fixture
async def stack(tmp_path, keycloak) -> AsyncIterator[Stack]:
    """Two processes of each service, `case` and `case-2` and so on: the same settings (database role, schema,
    consumer group), another port."""
    async with running(tmp_path, keycloak, copies=2, extra_env=SCHEDULERS, later=LATE) as started:
        yield started


async def assignments(bootstrap: KafkaAccess, group: str) -> list[set[tuple[str, int]]]:
    """The partitions each member of a consumer group holds now."""
    admin = AIOKafkaAdminClient(**bootstrap.options())
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    [described] = response.groups  # (error_code, group, state, protocol_type, protocol, members, ...)
    assert described[0] == 0 and described[2] == "Stable", described[:3]
    # each member: (member_id, client_id, client_host, member_metadata, member_assignment)
    return [
        {(tp.topic, tp.partition) for tp in ConsumerProtocolMemberAssignment.decode(member[4]).partitions()}
        for member in described[5]
    ]


async def partitions_of(bootstrap: KafkaAccess, topic_names: set[str]) -> set[tuple[str, int]]:
    admin = AIOKafkaAdminClient(**bootstrap.options())
    await admin.start()
    try:
        described = await admin.describe_topics(sorted(topic_names))
    finally:
        await admin.close()
    return {(d["topic"], p["partition"]) for d in described for p in d["partitions"]}


def day(after: int) -> str:
    """A day `after` days after the complaints were received (they are three weeks old)."""
    return (RECEIVED_ON + timedelta(days=after)).isoformat()


async def expire_deadlines(stack: Stack, tokens: Tokens, case_ids: list[str]) -> None:
    """Investigate each case, record a finding and give a formal notice whose deadline has passed, through both case
    processes by turns; the two schedulers then find the timers due at once."""
    president, investigator = tokens(PRESIDENT), tokens(INVESTIGATOR)
    async with httpx.AsyncClient(timeout=30, headers=investigator) as http:
        for n, case_id in enumerate(case_ids):
            base = f"{stack.url('case' if n % 2 else 'case-2')}/cases/{case_id}"
            for path, body, who in (
                (
                    "investigation",
                    {"opened_on": day(1), "scope": "the campaign", "decision_reference": "C1"},
                    president,
                ),
                ("findings", {"articles": [15], "facts": "access requests not answered"}, investigator),
                (
                    "formal-notices",
                    {
                        "orders": [{"point": "d", "text": "answer the requests"}],
                        "issued_on": day(2),
                        "reference": "MED-1",
                        "time_limit": {"days": 10},
                    },
                    president,
                ),
                ("formal-notices/{notice}/notification", {"notified_on": day(2)}, president),
            ):
                case = await http.get(base)
                notices = case.json()["formal_notices"]
                where = path.format(notice=notices[0]["notice_id"] if notices else "")
                answer = await http.post(f"{base}/{where}", json=body, headers=who | {"If-Match": case.headers["ETag"]})
                assert answer.status_code == 200, answer.text


async def test_two_processes_of_each_service_share_the_work_and_apply_nothing_twice(stack, tokens):
    subscription = await subscribe(stack, tokens)
    filing = asyncio.gather(file_all(stack.url("intake"), HALF), file_all(stack.url("intake-2"), HALF))
    while not filing.done():
        [(count,)] = await query(stack, "SELECT count(*) FROM intake.complaints")
        if count >= 2 * HALF.submissions / 3:
            break
        await asyncio.sleep(0.2)
    await stack.launch(*LATE)
    filed: list[Filed] = [f for half in await filing for f in half]
    assert len({f.complaint_id for f in filed}) == 2 * HALF.submissions
    assert Counter(f.controller for f in filed).most_common(1)[0][1] == 2 * HALF.biggest

    await caught_up(stack, filed, subscription, timeout=240)
    await everything_holds(stack, filed, subscription)  # once in effect, in order on the topic and at the receiver

    # Each consumer group: both processes of the service are members, each holding partitions of its own,
    # and every partition it reads is held; each partition of the complaints brought the case service work.
    bootstrap = stack.kafka.admin  # looking beneath the services: their groups' assignments
    for name, consumed in CONSUMES.items():
        held = await assignments(bootstrap, f"docket-{name}")
        assert len(held) == 2 and all(held), (name, held)
        assert held[0].isdisjoint(held[1]) and held[0] | held[1] == await partitions_of(bootstrap, consumed)
    routed = await query(
        stack, 'SELECT "partition", count(*) FROM "case".inbox WHERE topic = :topic GROUP BY 1', topic=topics.COMPLAINTS
    )
    assert len(routed) == len(await partitions_of(bootstrap, {topics.COMPLAINTS})) and all(n > 0 for _, n in routed)

    # Deadlines due at once for two schedulers: each expires once.
    [(biggest,)] = await query(
        stack, 'SELECT case_id::text FROM "case".case_complaints GROUP BY case_id ORDER BY count(*) DESC LIMIT 1'
    )
    others = [
        c for (c,) in await query(stack, 'SELECT DISTINCT case_id::text FROM "case".case_complaints') if c != biggest
    ]
    case_ids = [biggest, *sorted(others)[: NOTICES - 1]]
    await expire_deadlines(stack, tokens, case_ids)

    async def all_fired() -> bool:
        [(fired,)] = await query(stack, 'SELECT count(*) FROM "case".timers WHERE fired_at IS NOT NULL')
        return fired == NOTICES

    await eventually(all_fired, timeout=60, interval=0.3)
    await asyncio.sleep(1.5)  # several more rounds of both schedulers
    expired = await query(
        stack,
        """SELECT stream_id::text, count(*) FROM "case".events
                                    WHERE type = 'docket.formal_notice.deadline_expired' GROUP BY 1""",
    )
    assert dict(expired) == dict.fromkeys(case_ids, 1)

    # The relays: nothing left, and every outbox row on its topic exactly once (no fault here, so not even a
    # redelivery); each case's events on the topic in version order, contiguous from 1.
    async def outbox_drained() -> bool:
        counts = " + ".join(f'(SELECT count(*) FROM "{name}".outbox WHERE published_at IS NULL)' for name in PRODUCES)
        [(unpublished,)] = await query(stack, f"SELECT {counts}")
        return unpublished == 0

    await eventually(outbox_drained, timeout=60, interval=0.3)
    for name, topic in PRODUCES.items():
        records = await read_topic(bootstrap, topic)
        on_topic = Counter(headers(r)["ce_id"] for r in records)
        assert [event for event, times in on_topic.items() if times > 1] == []
        outbox = {
            e for (e,) in await query(stack, f'SELECT event_id FROM "{name}".outbox WHERE topic = :topic', topic=topic)
        }
        assert set(on_topic) == outbox, name
    versions: dict[str, list[int]] = defaultdict(list)
    for record in await read_topic(bootstrap, topics.CASES):
        ce = headers(record)
        versions[ce["ce_subject"]].append(int(ce["ce_sequence"]))
    assert all(sequence == list(range(1, len(sequence) + 1)) for sequence in versions.values())
    heads = dict(await query(stack, 'SELECT stream_id::text, max(version) FROM "case".events GROUP BY 1'))
    assert {case: len(sequence) for case, sequence in versions.items()} == heads
