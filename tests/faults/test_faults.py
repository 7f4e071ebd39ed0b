"""The fault suite: the real processes under a bounded load, one fault at a time, and after each the same
invariants (tests/faults/checks.py). The full suite (`make faults`, marker `faults`) files 2,000 submissions
over 50 controllers, one with 500; the default suite runs a representative part on a smaller load: one
kill, poison messages on a topic, and a PostgreSQL restart; and each service stopped with SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from docket_contracts import topics
from docket_devstack.processes import SERVICES
from docket_devstack.staff import AUDITOR, INVESTIGATOR, PRESIDENT, Tokens
from docket_messaging.kafka import KafkaPublisher
from docket_operator.acls import CONSUMES
from tests.faults.checks import caught_up, everything_holds, query
from tests.faults.load import Filed, Load, file_all
from tests.faults.poison import poison
from tests.faults.stack import Stack, running, subscribe
from tests.kafka_reader import read_topic

pytestmark = pytest.mark.e2e

FULL = Load(submissions=2000, controllers=50, biggest=500)
SMALL = Load(submissions=200, controllers=5, biggest=80)
Fault = Callable[[Stack], Awaitable[None]]
# How long a service may take from SIGTERM to its exit under load, all going well: its requests in flight, the
# message and rounds in hand, the relay's last batch. (SHUTDOWN_GRACE_S bounds each step at 5 s.)
STOP_WITHIN_S = 15.0


@pytest.fixture
async def stack(tmp_path, keycloak) -> AsyncIterator[Stack]:
    async with running(tmp_path, keycloak) as started:
        yield started


@pytest.fixture
async def json_logging_stack(tmp_path, keycloak) -> AsyncIterator[Stack]:
    """The stack as a deployment runs it: its services log JSON lines."""
    async with running(tmp_path, keycloak, extra_env={"LOG_FORMAT": "json"}) as started:
        yield started


async def under_load(stack: Stack, tokens: Tokens, load: Load, fault: Fault, after: float = 0.25) -> list[Filed]:
    """File the load; once a share `after` of it is in, inject the fault; wait until everything caught up
    and check that everything holds."""
    subscription = await subscribe(stack, tokens)
    filing = asyncio.create_task(file_all(stack.url("intake"), load))
    while not filing.done():
        [(count,)] = await query(stack, "SELECT count(*) FROM intake.complaints")
        if count >= load.submissions * after:
            break
        await asyncio.sleep(0.2)
    await fault(stack)
    filed = await filing
    await caught_up(stack, filed, subscription)
    await everything_holds(stack, filed, subscription)
    return filed


async def kill_each_service_three_times(stack: Stack) -> None:
    for _ in range(3):
        for name in ("intake", "case", "notifier"):
            await stack.kill_and_restart(name)
            await asyncio.sleep(1.0)


async def kill_the_case_service(stack: Stack) -> None:
    await stack.kill_and_restart("case")


async def restart_kafka(stack: Stack) -> None:
    await stack.restart_kafka(down_s=10.0)


async def restart_postgres(stack: Stack) -> None:
    await stack.restart_postgres(down_s=5.0)


async def receiver_down_for_a_minute(stack: Stack) -> None:
    await stack.receiver.go_down()
    await asyncio.sleep(60.0)
    await stack.receiver.come_back()


async def applied_but_not_committed(stack: Stack, name: str) -> dict[tuple[str, int], tuple[int, int | None]]:
    """The partitions whose last event the service's inbox recorded lies at or past the offset its consumer
    group committed: (topic, partition) -> (offset applied, offset committed)."""
    applied = await query(stack, f'SELECT topic, "partition", max("offset") FROM "{name}".inbox GROUP BY 1, 2')
    admin = AIOKafkaAdminClient(**stack.kafka.admin.options())
    await admin.start()
    try:
        committed = {
            (tp.topic, tp.partition): meta.offset
            for tp, meta in (await admin.list_consumer_group_offsets(f"docket-{name}")).items()
        }
    finally:
        await admin.close()
    return {
        (topic, partition): (offset, committed.get((topic, partition)))
        for topic, partition, offset in applied
        if committed.get((topic, partition), -1) <= offset
    }


async def stop_each_service_with_sigterm(stack: Stack) -> None:
    """SIGTERM each service in turn while the load flows: it exits 0 within STOP_WITHIN_S, having published every
    outbox row it committed and committed the offset of every event it applied; then it starts again."""
    for name in SERVICES:
        status, took = await stack.terminate(name)
        assert (status, took < STOP_WITHIN_S) == (0, True), (
            f"{name}: exit status {status} after {took:.1f}s\n{stack.logs()}"
        )
        [(unpublished,)] = await query(stack, f'SELECT count(*) FROM "{name}".outbox WHERE published_at IS NULL')
        assert unpublished == 0, name
        assert await applied_but_not_committed(stack, name) == {}, name
        await stack.launch(name)


async def poison_every_topic(stack: Stack) -> None:
    publisher = KafkaPublisher(stack.kafka.admin, client_id="fault-poison")
    try:
        for topic in topics.ALL:
            await publisher.publish(poison(topic))
    finally:
        await publisher.close()


async def poison_one_topic(stack: Stack) -> None:
    publisher = KafkaPublisher(stack.kafka.admin, client_id="fault-poison")
    try:
        await publisher.publish(poison(topics.CASES)[:1] + poison(topics.COMPLAINTS)[6:7])
    finally:
        await publisher.close()


async def dead_letters(stack: Stack) -> dict[str, int]:
    """Messages on each consumer group's dead-letter topic (in a fresh stack, only what was injected)."""
    return {
        group: len(await read_topic(stack.kafka.operator, topics.dead_letter_topic(f"docket-{group}")))
        for group in ("intake", "case", "notifier")
    }


@pytest.mark.faults
async def test_each_service_killed_three_times_mid_stream(stack, tokens):
    await under_load(stack, tokens, FULL, kill_each_service_three_times, after=0.1)


@pytest.mark.faults
async def test_kafka_restarted_mid_stream(stack, tokens):
    await under_load(stack, tokens, FULL, restart_kafka)


@pytest.mark.faults
async def test_postgres_restarted_mid_stream_without_restarting_the_services(stack, tokens):
    await under_load(stack, tokens, FULL, restart_postgres)


@pytest.mark.faults
async def test_the_webhook_receiver_down_for_a_minute(stack, tokens):
    await under_load(stack, tokens, FULL, receiver_down_for_a_minute)


@pytest.mark.faults
async def test_poison_messages_of_every_kind_on_every_topic(stack, tokens):
    await under_load(stack, tokens, FULL, poison_every_topic)
    kinds = len(poison(topics.CASES))
    # each consumer group dead-letters every poison message of each topic it reads (checkpoints: no group reads them)
    assert await dead_letters(stack) == {name: kinds * len(CONSUMES[name]) for name in ("intake", "case", "notifier")}


async def test_representative_faults_on_a_small_load(stack, tokens):
    """The default suite's part: one kill, poison messages, a PostgreSQL restart, under one load."""

    async def faults(running: Stack) -> None:
        await kill_the_case_service(running)
        await poison_one_topic(running)
        await restart_postgres(running)

    await under_load(stack, tokens, SMALL, faults)
    assert await dead_letters(stack) == {"intake": 1, "case": 1, "notifier": 2}


async def test_sigterm_to_each_service_under_load_loses_nothing_and_every_line_is_json(json_logging_stack, tokens):
    """The default suite's graceful stop: each process exits 0 in time with nothing left unpublished or
    uncommitted, and what the load needs happens once (under_load's checks). Every line each process wrote,
    uvicorn's included, is a JSON object naming its service, and each complaint can be followed by its id through
    the three: intake's access line of its filing, the case service's line applying it (naming its case too),
    the notifier's."""
    stack = json_logging_stack
    filed = {f.complaint_id for f in await under_load(stack, tokens, SMALL, stop_each_service_with_sigterm)}
    logs = {name: [json.loads(line) for line in stack.services[name].log.read_text().splitlines()] for name in SERVICES}
    for name, lines in logs.items():
        assert {line["service"] for line in lines} == {name}
        assert sum(line["message"] == f"{name}: stopped cleanly" for line in lines) == 1
    assert filed <= {
        line.get("complaint_id")
        for line in logs["intake"]
        if line["logger"] == "uvicorn.access" and line.get("http_path") == "/complaints"
    }
    routed = [line for line in logs["case"] if line["message"] == "docket-case: docket.complaint.filed applied"]
    assert {line["complaint_id"] for line in routed} == filed and all("case_id" in line for line in routed)
    assert filed <= {
        line.get("complaint_id")
        for line in logs["notifier"]
        if line["message"] == "docket-notifier: docket.complaint.filed applied"
    }


@pytest.mark.faults
async def test_fifty_concurrent_conflicting_commands_on_one_case(stack, tokens):
    filed = await under_load(stack, tokens, SMALL, lambda running: asyncio.sleep(0))
    [(case_id,)] = await query(
        stack,
        'SELECT case_id::text FROM "case".case_complaints WHERE complaint_id::text = :id',
        id=filed[0].complaint_id,
    )
    headers = tokens(INVESTIGATOR)
    base = f"{stack.url('case')}/cases/{case_id}"
    async with httpx.AsyncClient(timeout=60) as http:
        version = int((await http.get(base, headers=headers)).headers["ETag"].strip('"'))
        opened = await http.post(
            f"{base}/investigation",
            headers=tokens(PRESIDENT) | {"If-Match": f'"{version}"'},
            json={"opened_on": date.today().isoformat(), "scope": "the campaign", "decision_reference": "2026-002C"},
        )
        assert opened.status_code == 200, opened.text
        for round_ in range(3):  # each round: fifty staff act on the same version; one wins, one per version
            version = int((await http.get(base, headers=headers)).headers["ETag"].strip('"'))
            answers = await asyncio.gather(
                *(
                    http.post(
                        f"{base}/findings",
                        headers=headers | {"If-Match": f'"{version}"'},
                        json={"articles": [15], "facts": f"round {round_}, finding {n}"},
                    )
                    for n in range(50)
                )
            )
            codes = sorted(a.status_code for a in answers)
            assert codes == [200] + [409] * 49, codes
        projected = (await http.get(base, headers=headers)).json()
        replayed = (await http.get(base, headers=headers, params={"as_of": "2999-01-01T00:00:00Z"})).json()
        assert projected == replayed and len(projected["findings"]) == 3
        verdict = (await http.get(f"{base}/integrity", headers=tokens(AUDITOR))).json()
        assert verdict["intact"] and verdict["head_version"] == projected["version"]
