"""A bounded load at the public door: submissions spread over controllers, one of them with many, each sent
with its own Idempotency-Key and retried through outages, so that each is filed exactly once."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from tests.factories import submission

# Received three weeks ago, within what the public door takes: the cases then open early enough for a formal
# notice whose deadline has passed (test_scale_out gives them one).
RECEIVED_ON = datetime.now(UTC).date() - timedelta(days=21)


@dataclass(frozen=True)
class Load:
    submissions: int
    controllers: int
    biggest: int  # submissions against the first controller

    def plan(self) -> list[str]:
        """The controller of each submission: `biggest` on the first, the rest round-robin on the others."""
        names = [f"Fault Co {n:03d}" for n in range(self.controllers)]
        others = [names[1 + i % (self.controllers - 1)] for i in range(self.submissions - self.biggest)]
        plan = [names[0]] * self.biggest + others
        return [plan[i] for i in sorted(range(len(plan)), key=lambda i: (i * 7919) % len(plan))]  # interleaved


@dataclass
class Filed:
    complaint_id: str
    controller: str


async def file_all(intake_url: str, load: Load, concurrency: int = 16, deadline_s: float = 600.0) -> list[Filed]:
    """File every planned submission; a failure (the service down, a 5xx, a dropped connection) is retried
    with the same Idempotency-Key until it gets its receipt or the deadline passes."""
    plan = load.plan()
    filed: list[Filed | None] = [None] * len(plan)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(plan)):
        queue.put_nowait(index)
    stop_at = time.monotonic() + deadline_s

    async def worker(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            index = queue.get_nowait()
            key = f"fault-{index}-{uuid.uuid4().hex}"
            body = submission(
                controller={"name": plan[index]},
                received_on=RECEIVED_ON.isoformat(),
                complainant={"name": f"Complainant {index}", "email": f"c{index}@example.org", "country": "FR"},
            )
            delay = 0.2
            while True:
                try:
                    response = await http.post(f"{intake_url}/complaints", json=body, headers={"Idempotency-Key": key})
                    if response.status_code == 201:
                        filed[index] = Filed(response.json()["id"], plan[index])
                        break
                    assert response.status_code >= 500 or response.status_code == 429, response.text
                except (httpx.HTTPError, OSError):
                    pass
                assert time.monotonic() < stop_at, f"submission {index} not filed before the deadline"
                await asyncio.sleep(delay)
                delay = min(delay * 2, 3.0)

    async with httpx.AsyncClient(timeout=30) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    assert all(filed), "some submissions were not filed"
    return [f for f in filed if f is not None]
