"""Dead letters you can act on, on the real broker and the real database: a real consumer (the consumer loop,
the inbox in PostgreSQL) dead-letters what its handler keeps failing on; `python -m docket_operator.deadletters`
lists it with its reason, and after the fix re-injects it, and the effect is applied exactly once, however
often the event comes back and whichever group applied it first."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from uuid import uuid4

import pytest
import sqlalchemy as sa
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy.ext.asyncio import AsyncEngine

from docket_contracts.envelope import CloudEvent
from docket_contracts.registry import new_event
from docket_contracts.topics import dead_letter_topic
from docket_devstack.kafka import KafkaBroker
from docket_messaging.codec import KafkaMessage, encode
from docket_messaging.consumer import InboxConsumer, Outcome, PostgresInbox, Record
from docket_messaging.kafka import KafkaConsumerLoop, KafkaPublisher, ensure_topics
from docket_messaging.tables import InboxRow
from docket_operator.acls import Acl, Operation, Resource, create_acls, reads
from docket_operator.deadletters import (
    BOOKKEEPING_TOPIC,
    OPERATOR_CLIENT,
    Action,
    DeadLetter,
    header,
    list_dead_letters,
    read_topic,
    requeue,
    requeued_index,
)
from docket_service.database import make_engine, make_sessions
from tests.conftest import fresh_database, repo_root
from tests.factories import complaint_filed
from tests.kafka_reader import eventually

pytestmark = pytest.mark.e2e

REPO = repo_root()
FILED = "docket.complaint.filed"
WAIT_S = 60.0


class Handler:
    """Records the event's effect in the group's own database; fails on purpose until fixed."""

    def __init__(self, failing: bool) -> None:
        self.failing = failing

    async def __call__(self, session, event: CloudEvent, payload) -> None:
        if self.failing:
            raise RuntimeError("not fixed yet")
        await session.exec(sa.text("INSERT INTO effects (event_id) VALUES (:id)").bindparams(id=event.id))


class Watched(InboxConsumer):
    """The real consumer, noting what became of each message so that a test can wait for it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes: list[tuple[str | None, Outcome]] = []

    async def process(self, record: Record) -> Outcome:
        outcome = await super().process(record)
        ce_id = header(record.headers, "ce_id")
        self.outcomes.append((ce_id.decode(errors="replace") if ce_id else None, outcome))
        return outcome

    def saw(self, event_id: str, outcome: Outcome) -> int:
        return sum(1 for seen, what in self.outcomes if seen == event_id and what is outcome)


@dataclass
class Group:
    name: str
    consumer: Watched
    engine: AsyncEngine
    handler: Handler
    dlq: str = field(init=False)

    def __post_init__(self) -> None:
        self.dlq = dead_letter_topic(self.name)

    async def effects(self, event_id: str) -> int:
        async with self.engine.connect() as connection:
            return await connection.scalar(
                sa.text("SELECT count(*) FROM effects WHERE event_id = :id"), {"id": event_id}
            )


@asynccontextmanager
async def running_group(postgres, kafka: KafkaBroker, topic: str, failing: bool) -> AsyncIterator[Group]:
    """A consumer group of its own on `topic`: an InboxConsumer over a PostgresInbox in a fresh database, fed by
    the KafkaConsumerLoop, dead-lettering to docket.dlq.<group> after two attempts."""
    name = f"docket-dlqtest-{uuid4().hex[:10]}"
    engine = make_engine(fresh_database(postgres, name.replace("-", "_")), "public")
    async with engine.begin() as connection:
        await connection.run_sync(InboxRow.__table__.create)
        await connection.execute(sa.text("CREATE TABLE effects (event_id text NOT NULL)"))
    handler = Handler(failing)
    dead_letters = KafkaPublisher(kafka.admin, name)
    consumer = Watched(
        name,
        {FILED: handler},
        PostgresInbox(make_sessions(engine)),
        dead_letters,
        max_attempts=2,
        retry_delay=0.05,
        max_retry_delay=0.1,
    )
    task = asyncio.create_task(KafkaConsumerLoop(kafka.admin, [topic], consumer, topic_partitions=2).run())
    try:
        yield Group(name, consumer, engine, handler)
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await dead_letters.close()
        await engine.dispose()


async def new_topic(kafka: KafkaBroker) -> str:
    topic = f"dlqtest.{uuid4().hex[:10]}"
    await ensure_topics(kafka.admin, [topic], 2)
    await let_the_operator_requeue_into(kafka, topic)
    return topic


async def let_the_operator_requeue_into(kafka: KafkaBroker, topic: str) -> None:
    """The test's topics stand in for Docket's: the operator tools may read them and re-inject into them."""
    await create_acls(
        kafka.admin, [*reads(OPERATOR_CLIENT, topic), Acl(OPERATOR_CLIENT, Operation.WRITE, Resource.TOPIC, topic)]
    )


async def publish(kafka: KafkaBroker, messages: list[KafkaMessage]) -> None:
    publisher = KafkaPublisher(kafka.admin, "dlqtest-producer")
    try:
        await publisher.publish(messages)
    finally:
        await publisher.close()


async def file_complaint(kafka: KafkaBroker, topic: str) -> CloudEvent:
    payload = complaint_filed()
    event = new_event(payload, source="/docket/intake", subject=str(payload.complaint_id))
    await publish(kafka, [encode(event, topic)])
    return event


async def cli(kafka: KafkaBroker, *args: str) -> tuple[int, str, str]:
    """`python -m docket_operator.deadletters` as an operator runs it; its exit code, stdout, stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")} | {
        "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'libs'}",
        "KAFKA_OAUTH_CLIENT_SECRET": kafka.identity.client_secret(OPERATOR_CLIENT),
        "KAFKA_OAUTH_TOKEN_URL": kafka.identity.token_endpoint(),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "docket_operator.deadletters",
        "--bootstrap",
        kafka.bootstrap_servers,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def copies(kafka: KafkaBroker, topic: str, event_id: str) -> list[DeadLetter]:
    return [m for m in await read_topic(kafka.admin, topic) if header(m.headers, "ce_id") == event_id.encode()]


async def test_a_dead_letter_is_listed_then_requeued_after_the_fix_and_applied_once(postgres, kafka):
    topic = await new_topic(kafka)
    async with running_group(postgres, kafka, topic, failing=True) as group:
        event = await file_complaint(kafka, topic)

        async def dead_lettered() -> bool:
            return group.consumer.saw(event.id, Outcome.DEAD_LETTERED) == 1

        await eventually(dead_lettered, WAIT_S)

        code, out, err = await cli(kafka, "list", group.dlq, "--json")
        assert code == 0, err
        [row] = [json.loads(text) for text in out.splitlines()]
        assert row["ce_id"] == event.id and row["ce_type"] == FILED and row["key"] == event.subject
        assert row["reason"] == "handler failed 2 times: RuntimeError"
        assert (row["source_topic"], row["consumer_group"], row["requeued"]) == (topic, group.name, False)
        assert row["dead_lettered_at"].endswith("Z") and row["value_bytes"] > 0 and row["requeue_refused"] is None
        [original] = await copies(kafka, topic, event.id)
        assert (row["source_partition"], row["source_offset"]) == (original.partition, original.offset)
        assert original.value.decode() not in out  # never the value
        assert f"{group.dlq}: 1 dead letter(s), 0 re-injected" in err

        group.handler.failing = False  # the fix
        where = f"{row['partition']}:{row['offset']}"
        code, out, err = await cli(kafka, "requeue", group.dlq, "--offset", where)
        assert code == 0, err
        assert out.startswith(f"requeued {where} ce_id={event.id}: re-injected as {topic}[{original.partition}]@")

        async def applied() -> bool:
            return await group.effects(event.id) == 1

        await eventually(applied, WAIT_S)
        first, copy = await copies(kafka, topic, event.id)
        assert (copy.key, copy.value, list(copy.headers)) == (first.key, first.value, list(first.headers))
        assert copy.partition == first.partition and copy.offset > first.offset

        [listed] = await list_dead_letters(kafka.operator, group.dlq)
        assert listed.requeued and listed.requeued_to == f"{topic}[{copy.partition}]@{copy.offset}"
        code, out, _ = await cli(kafka, "list", group.dlq)
        assert code == 0 and f"requeued {listed.requeued_at} -> {listed.requeued_to}" in out

        # A second `requeue --all` sends nothing.
        code, out, err = await cli(kafka, "requeue", group.dlq, "--all")
        assert code == 0, err
        assert out.startswith(f"skipped {where} ce_id={event.id}: already re-injected at ") and "1 skipped" in err
        assert len(await copies(kafka, topic, event.id)) == 2

        # Re-injected twice by hand: the inbox drops the copy, the effect stays once.
        [again] = await requeue(kafka.operator, group.dlq, [(row["partition"], row["offset"])], force=True)
        assert again.action is Action.REQUEUED

        async def dropped() -> bool:
            return group.consumer.saw(event.id, Outcome.DUPLICATE) == 1

        await eventually(dropped, WAIT_S)
        assert await group.effects(event.id) == 1
        assert group.consumer.saw(event.id, Outcome.APPLIED) == 1


async def test_an_event_dead_lettered_by_one_group_and_applied_by_another_takes_effect_once_in_each(postgres, kafka):
    """Re-injection reaches every group of the source topic: the one that applied the event first drops the
    copy, the one that dead-lettered it applies it now."""
    topic = await new_topic(kafka)
    async with (
        running_group(postgres, kafka, topic, failing=True) as broken,
        running_group(postgres, kafka, topic, failing=False) as healthy,
    ):
        event = await file_complaint(kafka, topic)

        async def settled() -> bool:
            return (
                broken.consumer.saw(event.id, Outcome.DEAD_LETTERED) == 1
                and healthy.consumer.saw(event.id, Outcome.APPLIED) == 1
            )

        await eventually(settled, WAIT_S)
        assert [r.ce_id for r in await list_dead_letters(kafka.operator, healthy.dlq)] == []

        broken.handler.failing = False
        assert [o.action for o in await requeue(kafka.operator, broken.dlq, None, dry_run=True)] == [
            Action.WOULD_REQUEUE
        ]
        assert len(await copies(kafka, topic, event.id)) == 1  # a dry run sends nothing
        code, out, err = await cli(kafka, "requeue", broken.dlq, "--all")
        assert code == 0, err
        assert out.startswith("requeued ") and "1 requeued" in err

        async def both() -> bool:
            return (
                broken.consumer.saw(event.id, Outcome.APPLIED) == 1
                and healthy.consumer.saw(event.id, Outcome.DUPLICATE) == 1
            )

        await eventually(both, WAIT_S)
        assert (await broken.effects(event.id), await healthy.effects(event.id)) == (1, 1)


async def test_garbage_is_listed_without_its_value_and_what_cannot_be_re_injected_safely_is_refused(postgres, kafka):
    topic = await new_topic(kafka)
    secret = f"secret-{uuid4().hex}"
    async with running_group(postgres, kafka, topic, failing=False) as group:
        # Two messages the real consumer cannot read: no headers and a value that is not UTF-8, and an id
        # that is not UTF-8.
        event = new_event(complaint_filed(), source="/docket/intake", subject=str(uuid4()))
        odd = encode(event, topic)
        odd_headers = [(n, b"\xff\xfe" if n == "ce_id" else v) for n, v in odd.headers]
        await publish(
            kafka,
            [
                KafkaMessage(topic, b"k\xff", b"\xff\xfe" + secret.encode(), []),
                KafkaMessage(topic, odd.key, odd.value, odd_headers),
            ],
        )

        async def both_dead_lettered() -> bool:
            return len([o for _, o in group.consumer.outcomes if o is Outcome.DEAD_LETTERED]) == 2

        await eventually(both_dead_lettered, WAIT_S)
        # And what another tool or an older release may have left there.
        elsewhere = f"dlqtest.gone-{uuid4().hex[:6]}"
        await publish(
            kafka,
            [
                KafkaMessage(group.dlq, b"", secret.encode(), []),
                KafkaMessage(
                    group.dlq,
                    b"k",
                    secret.encode(),
                    [
                        ("ce_id", b"x1"),
                        ("dlq_source_topic", elsewhere.encode()),
                        ("dlq_reason", b"line one\nline two \x1b[2J"),
                    ],
                ),
                KafkaMessage(
                    group.dlq,
                    b"k",
                    b"",
                    [
                        ("ce_id", b"x2"),
                        ("dlq_source_topic", topic.encode()),
                        ("dlq_source_partition", b"1"),
                        ("dlq_source_offset", b"7"),
                        ("dlq_value_omitted", b"MessageSizeTooLargeError"),
                    ],
                ),
            ],
        )
        before = len(await read_topic(kafka.admin, topic))

        code, out, err = await cli(kafka, "list", group.dlq)
        assert code == 0, err
        lines = out.splitlines()
        assert len(lines) == 5 and f"{group.dlq}: 5 dead letter(s), 0 re-injected" in err
        assert secret not in out + err and "\x1b" not in out
        assert sum("UndecodableMessage: missing CloudEvents header(s)" in text for text in lines) == 1
        assert sum("UndecodableMessage: header ce_id is not UTF-8" in text for text in lines) == 1
        assert sum("reason: line one\\nline two \\x1b[2J" in text for text in lines) == 1
        assert sum("value omitted" in text for text in lines) == 1

        code, out, err = await cli(kafka, "requeue", group.dlq, "--all", "--dry-run", "--json")
        assert code == 1
        outcomes = [json.loads(text) for text in out.splitlines()]
        assert {o["action"] for o in outcomes} == {"refused"} and len(outcomes) == 5
        reasons = sorted(o["detail"].split(":")[0] for o in outcomes)
        assert reasons == sorted(
            [
                "no usable ce_id header",
                "no usable ce_id header",
                "no usable dlq_source_topic header",
                f"its source topic {elsewhere} does not exist",
                f"it was dead-lettered without its value (MessageSizeTooLargeError); the original is at {topic}[1]@7",
            ]
        )

        code, out, err = await cli(kafka, "requeue", group.dlq, "--all")
        assert code == 1 and out.count("refused ") == 5 and "5 refused" in err
        code, out, err = await cli(kafka, "requeue", group.dlq, "--offset", "0:999")
        assert code == 1 and out == f"missing 0:999 ce_id=-: no message at 0:999 on {group.dlq}\n"
        assert len(await read_topic(kafka.admin, topic)) == before  # nothing was sent anywhere
        with suppress(LookupError):
            marks = await read_topic(kafka.admin, BOOKKEEPING_TOPIC)
            assert requeued_index(((m.key, m.value) for m in marks), group.dlq) == {}

        code, _, err = await cli(kafka, "list", "docket.dlq.docket-no-such-group")
        assert code == 1 and err.strip() == "no topic docket.dlq.docket-no-such-group"


async def test_a_message_the_broker_refuses_is_named_and_the_others_still_go(kafka):
    """A dead letter too large for its source topic now (its limit was lowered): that one fails with the
    broker's reason and exit code 1, the next one is still re-injected and recorded."""
    topic, dlq = f"dlqtest.small-{uuid4().hex[:8]}", dead_letter_topic(f"docket-dlqtest-{uuid4().hex[:8]}")
    admin = AIOKafkaAdminClient(**kafka.admin.options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"max.message.bytes": "2048"})])
    finally:
        await admin.close()
    await ensure_topics(kafka.admin, [topic, dlq], 1)
    await let_the_operator_requeue_into(kafka, topic)

    def dead(ce_id: str, value: bytes) -> KafkaMessage:
        return KafkaMessage(
            dlq,
            b"case-1",
            value,
            [
                ("ce_id", ce_id.encode()),
                ("dlq_source_topic", topic.encode()),
                ("dlq_reason", b"handler failed 5 times: RuntimeError"),
            ],
        )

    await publish(kafka, [dead("big", b"x" * 10_000), dead("small", b"{}")])

    code, out, err = await cli(kafka, "requeue", dlq, "--all")
    assert code == 1, err
    big, small = out.splitlines()
    assert big.startswith(f"failed 0:0 ce_id=big: not re-injected into {topic}: ") and "TooLarge" in big
    assert small == f"requeued 0:1 ce_id=small: re-injected as {topic}[0]@0"
    assert [header(m.headers, "ce_id") for m in await read_topic(kafka.admin, topic)] == [b"small"]
    assert [(r.ce_id, r.requeued) for r in await list_dead_letters(kafka.operator, dlq)] == [
        ("big", False),
        ("small", True),
    ]
