"""Stopping background loops between two pieces of work rather than in the middle of one.

A loop that is asked to stop (an asyncio.Event set) finishes what it holds (the message it applies, the batch
it publishes), and stops waiting for more at once: its pauses and waits end when the event is set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def until_stopped(stop: asyncio.Event, waiting: Awaitable[T]) -> T | None:
    """Await `waiting` unless `stop` is set first, in which case it is cancelled and None returned."""
    work = asyncio.ensure_future(waiting)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({work, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not work.done():
            work.cancel()
            await asyncio.wait({work})
    return None if work.cancelled() else work.result()
