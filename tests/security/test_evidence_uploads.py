"""An evidence upload costs Docket nothing before it is known to be welcome, and little after.

Before, the route read the whole body (up to twice the file limit) and only then looked at the status token,
the type and the size; a complaint took any number of files; and uploads were taken in any number at once:
ten in parallel held more than the pod's memory. Now the token, the declared type and size, and the
complaint's quota are checked before a byte of the body is read; the body is read as it streams and refused
at the chunk that takes it past the limit; and an instance takes a few uploads at once, answering 503 to more.

The bodies here are generators that count what was read of them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from services.intake.config import IntakeSettings
from services.intake.main import create_app
from tests.apps import Running, serve
from tests.factories import submission

pytestmark = pytest.mark.service

MAX = 1024
PDF = b"%PDF-1.7\n" + b"x" * 100


@pytest.fixture
async def intake(configure, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    settings = configure(
        IntakeSettings,
        kafka_bootstrap_servers=closed_port_bootstrap,
        run_consumer=False,
        evidence_max_bytes=MAX,
        evidence_max_files=2,
        evidence_max_total_bytes=3 * MAX,
        evidence_concurrent_uploads=1,
    )
    async with serve(create_app(settings)) as running:
        yield running


class Body:
    """A request body in chunks, counting how many were read; `hold` keeps it waiting after its first."""

    def __init__(self, chunks: list[bytes], hold: asyncio.Event | None = None) -> None:
        self.chunks, self.hold, self.read = chunks, hold, 0
        self.started = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.read += 1
            yield chunk
            self.started.set()
            if self.hold is not None:
                await self.hold.wait()


async def upload(intake: Running, receipt: dict, body, *, token: str | None = None, **headers: str):
    return await intake.http.post(
        f"/complaints/{receipt['reference']}/evidence",
        content=body,
        headers={
            "X-Status-Token": token or receipt["status_token"],
            "Content-Type": "application/pdf",
            "X-Filename": "letter.pdf",
            **headers,
        },
    )


async def filed(intake: Running) -> dict:
    return (await intake.http.post("/complaints", json=submission())).json()


async def test_a_wrong_token_a_refused_type_or_a_declared_size_over_the_limit_reads_none_of_the_body(intake):
    receipt = await filed(intake)
    stranger = Body([PDF] * 4)
    assert (await upload(intake, receipt, stranger, token="a guess")).status_code == 404
    executable = Body([b"MZ"] * 4)
    refused = await upload(intake, receipt, executable, **{"Content-Type": "application/x-msdownload"})
    assert refused.status_code == 422 and "not accepted" in refused.text
    declared = Body([PDF] * 4)
    too_big = await upload(intake, receipt, declared, **{"Content-Length": str(MAX + 500)})
    assert too_big.status_code == 422 and "larger than 1,024 bytes" in too_big.text
    assert (stranger.read, executable.read, declared.read) == (0, 0, 0)


async def test_a_body_that_streams_past_the_limit_is_refused_at_the_chunk_that_crosses_it(intake):
    receipt = await filed(intake)
    endless = Body([b"%PDF-"] + [b"x" * 512] * 20)  # chunked: no Content-Length to refuse it by
    response = await upload(intake, receipt, endless)
    assert response.status_code == 422 and "larger than 1,024 bytes" in response.text
    assert endless.read <= 4  # 5 + 512 + 512 bytes, then the chunk that crosses: nothing after it


async def test_a_complaint_takes_so_many_files_and_so_many_bytes(intake):
    receipt = await filed(intake)
    assert (await upload(intake, receipt, PDF)).status_code == 201
    assert (await upload(intake, receipt, PDF)).status_code == 201
    third = Body([PDF])
    refused = await upload(intake, receipt, third)
    assert refused.status_code == 422 and "more than 2 files" in refused.text
    assert third.read == 0

    other = await filed(intake)
    big = b"%PDF-" + b"x" * (MAX - 5)
    assert (await upload(intake, other, big)).status_code == 201
    assert (await upload(intake, other, big)).status_code == 201  # 2 KiB of 3 in all
    assert (await upload(intake, other, big)).status_code == 422  # the third file, and past 3 KiB


async def test_uploads_beyond_what_an_instance_takes_at_once_are_answered_503_unread(intake):
    first, second = await filed(intake), await filed(intake)
    release = asyncio.Event()
    slow = Body([b"%PDF-", b"x" * 100], hold=release)
    in_flight = asyncio.create_task(upload(intake, first, slow))
    await asyncio.wait_for(slow.started.wait(), 10)
    waiting = Body([PDF])
    busy = await upload(intake, second, waiting)
    assert busy.status_code == 503 and busy.headers["Retry-After"] and waiting.read == 0
    release.set()
    assert (await in_flight).status_code == 201
    assert (await upload(intake, second, PDF)).status_code == 201  # the slot is free again
