"""What must hold after any fault, once the system has caught up: every submission in exactly one case,
every case event once in each projection, every letter and webhook once in effect, every case's events in
order on the topic and at the receiver, nothing left behind in an outbox."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from docket_contracts import topics
from docket_service.database import make_engine
from tests.faults.load import Filed
from tests.faults.stack import Stack
from tests.kafka_reader import headers, read_topic


@dataclass
class Progress:
    """How far the system got, as counts; `done` when each reached what the load calls for."""

    counts: dict[str, int]
    expected: dict[str, int]

    @property
    def done(self) -> bool:
        return self.counts == self.expected


async def query(stack: Stack, sql: str, **params: Any) -> list[sa.Row[Any]]:
    engine = make_engine(stack.databases.admin, "public")
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(sa.text(sql), params)).all())
    finally:
        await engine.dispose()


async def progress(stack: Stack, filed: list[Filed], subscription: str) -> Progress:
    ids = [f.complaint_id for f in filed]
    [row] = await query(
        stack,
        """
        SELECT (SELECT count(*) FROM "case".case_complaints WHERE complaint_id::text = ANY(:ids)) AS in_cases,
               (SELECT count(*) FROM "case".events e JOIN "case".case_complaints c ON c.complaint_id::text =
                   e.data->>'complaint_id' WHERE e.type IN ('docket.case.opened', 'docket.complaint.linked')
                   AND c.complaint_id::text = ANY(:ids)) AS routing_events,
               (SELECT count(*) FROM notifier.notifications WHERE recipient_role = 'complainant'
                   AND complaint_id::text = ANY(:ids)) AS letters,
               (SELECT count(*) FROM intake.progress_entries WHERE complaint_id::text = ANY(:ids)) AS progress,
               (SELECT count(*) FROM notifier.deliveries WHERE subscription_id::text = :subscription
                   AND status = 'delivered') AS delivered,
               (SELECT count(*) FROM intake.outbox WHERE published_at IS NULL)
             + (SELECT count(*) FROM "case".outbox WHERE published_at IS NULL)
             + (SELECT count(*) FROM notifier.outbox WHERE published_at IS NULL) AS unpublished
    """,
        ids=ids,
        subscription=subscription,
    )
    n = len(filed)
    return Progress(
        counts=dict(row._mapping),
        expected={
            "in_cases": n,
            "routing_events": n,
            "letters": 3 * n,  # the address code, the acknowledgement, the case's opening or joining
            "progress": n,
            "delivered": n,
            "unpublished": 0,
        },
    )


async def caught_up(stack: Stack, filed: list[Filed], subscription: str, timeout: float = 600.0) -> Progress:
    """Wait until every effect of the load has happened, or fail naming what is missing."""
    deadline = time.monotonic() + timeout
    while True:
        found = await progress(stack, filed, subscription)
        if found.done:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(
                f"not caught up after {timeout:.0f}s: {found.counts} != {found.expected}\n{stack.logs()}"
            )
        await asyncio.sleep(1.0)


async def everything_holds(stack: Stack, filed: list[Filed], subscription: str) -> None:
    ids = [f.complaint_id for f in filed]
    controller_of = {f.complaint_id: f.controller for f in filed}

    # Every submission in exactly one case, and one case per controller.
    placed = await query(
        stack,
        'SELECT complaint_id::text, case_id::text FROM "case".case_complaints WHERE complaint_id::text = ANY(:ids)',
        ids=ids,
    )
    assert sorted(c for c, _ in placed) == sorted(ids)
    cases_of: dict[str, set[str]] = defaultdict(set)
    for complaint, case in placed:
        cases_of[controller_of[complaint]].add(case)
    assert all(len(cases) == 1 for cases in cases_of.values()), cases_of
    case_ids = sorted({case for _, case in placed})

    # Each complaint joined its case by one event; every projection reflects every event once.
    twice = await query(
        stack,
        """SELECT data->>'complaint_id', count(*) FROM "case".events
                                  WHERE type IN ('docket.case.opened', 'docket.complaint.linked')
                                  AND stream_id::text = ANY(:cases) GROUP BY 1 HAVING count(*) > 1""",
        cases=case_ids,
    )
    assert twice == []
    mismatched = await query(
        stack,
        """
        SELECT e.stream_id, e.version, d.version, s.version, s.complaints, c.complaints, k.clocks
        FROM (SELECT stream_id, max(version) AS version FROM "case".events GROUP BY stream_id) e
        JOIN "case".case_details d ON d.case_id = e.stream_id
        JOIN "case".case_summaries s ON s.case_id = e.stream_id
        JOIN (SELECT case_id, count(*) AS complaints FROM "case".case_complaints GROUP BY case_id) c
             ON c.case_id = e.stream_id
        JOIN (SELECT case_id, count(*) AS clocks FROM "case".complainant_clocks GROUP BY case_id) k
             ON k.case_id = e.stream_id
        WHERE e.stream_id::text = ANY(:cases)
          AND NOT (e.version = d.version AND e.version = s.version AND s.complaints = c.complaints
                   AND c.complaints = k.clocks AND (d.document->>'version')::int = e.version)""",
        cases=case_ids,
    )
    assert mismatched == []
    letters = Counter(
        r[0]
        for r in await query(
            stack,
            "SELECT complaint_id::text FROM notifier.notifications WHERE recipient_role = 'complainant' "
            "AND complaint_id::text = ANY(:ids)",
            ids=ids,
        )
    )
    assert set(letters.values()) == {3}  # the address code, the acknowledgement, the opening or joining: once each

    # On the topic: each case's events, first sightings in order and without gaps (a relay that died between
    # sending and marking sends a batch again: a redelivery, dropped by every inbox, not a reordering).
    first_seen: dict[str, list[int]] = defaultdict(list)
    seen_ids: set[str] = set()
    for record in await read_topic(stack.kafka.operator, topics.CASES):
        ce = headers(record)
        if ce.get("ce_subject") in case_ids and ce["ce_id"] not in seen_ids:
            seen_ids.add(ce["ce_id"])
            first_seen[ce["ce_subject"]].append(int(ce["ce_sequence"]))
    versions = dict(
        await query(
            stack,
            'SELECT stream_id::text, max(version) FROM "case".events WHERE stream_id::text = ANY(:cases) GROUP BY 1',
            cases=case_ids,
        )
    )
    assert dict(first_seen.items()) == {case: list(range(1, versions[case] + 1)) for case in case_ids}

    # At the receiver: every event once in effect, and each case's in order.
    deliveries = await query(
        stack, "SELECT id::text, event_id FROM notifier.deliveries WHERE subscription_id::text = :s", s=subscription
    )
    assert len(deliveries) == len(seen_ids) and {e for _, e in deliveries} == seen_ids
    accepted = stack.receiver.accepted
    assert set(accepted) == {d for d, _ in deliveries}
    order: dict[str, list[int]] = defaultdict(list)
    for webhook_id in stack.receiver.accepted_order:
        event = accepted[webhook_id]
        order[event["subject"]].append(int(event["sequence"]))
    assert all(sequence == sorted(sequence) for sequence in order.values())
    assert not [r for r in stack.receiver.requests if not r.verified]


def describe(filed: list[Filed]) -> str:
    per_controller = Counter(f.controller for f in filed)
    return json.dumps(
        {"submissions": len(filed), "controllers": len(per_controller), "largest": per_controller.most_common(1)[0][1]}
    )
