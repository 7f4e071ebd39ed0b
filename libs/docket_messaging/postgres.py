"""PostgreSQL as the messaging uses it: a Core statement run in a session's transaction, the plain DSN
asyncpg takes, and the LISTEN connection on which an insert into the outbox wakes the relay at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from sqlalchemy.engine import Result, make_url
from sqlalchemy.ext.asyncio import AsyncSession as CoreSession
from sqlalchemy.sql.base import Executable
from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger(__name__)


async def run(
    session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None
) -> Result[*tuple[Any, ...]]:
    """A Core statement (text, or a select of columns rather than of models) in the session's transaction, typed as
    SQLAlchemy types it: SQLModel's `exec` is typed for its own selects only, and its `execute` is marked deprecated."""
    return await CoreSession.execute(session, statement, params)


def asyncpg_dsn(url: str) -> str:
    """The SQLAlchemy URL as a plain DSN that asyncpg.connect accepts."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Notifications:
    """Waits for NOTIFY on one channel; reconnects lazily, so a lost connection only costs a poll."""

    def __init__(self, url: str, channel: str) -> None:
        self._dsn = asyncpg_dsn(url)
        self._channel = channel
        self._connection: asyncpg.Connection | None = None
        self._event = asyncio.Event()

    def _notified(self, *_: object) -> None:
        self._event.set()

    async def _listen(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            return
        try:
            self._connection = await asyncpg.connect(self._dsn)
            await self._connection.add_listener(self._channel, self._notified)
        except (OSError, asyncpg.PostgresError) as exc:
            self._connection = None
            log.warning("LISTEN %s failed, polling instead: %s", self._channel, exc)

    async def wait(self, timeout: float) -> bool:
        """Return when a notification arrives (True), or after `timeout` seconds (False)."""
        await self._listen()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        notified = self._event.is_set()
        self._event.clear()
        return notified

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
