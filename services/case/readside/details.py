"""One case as staff read it: its detail document (kept by the projection, or replayed as it stood at an
instant) and, for its timeline, the document with every event of the case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import registry
from docket_contracts.events import Payload

from .. import eventstore
from ..errors import StreamNotFound
from ..views import case_view
from .tables import CaseDetailRow


async def case_document(session: AsyncSession, case_id: UUID, as_of: datetime | None = None) -> dict[str, Any]:
    """The case as its detail document: the projection's, or with `as_of` the case replayed from its events
    as it stood then; StreamNotFound if there is no such case (or none yet at `as_of`)."""
    if as_of is not None:
        return case_view(await eventstore.replayed(session, case_id, as_of))
    row = await session.get(CaseDetailRow, case_id)
    if row is None:
        raise StreamNotFound(case_id)
    return row.document


async def case_with_history(session: AsyncSession, case_id: UUID) -> tuple[dict[str, Any], list[tuple[int, Payload]]]:
    """The case's detail document and its events in order, each with its version; StreamNotFound if there is
    no such case."""
    document = await case_document(session, case_id)
    history = [
        (row.version, registry.parse(eventstore.stored_event(row))) for row in await eventstore.rows(session, case_id)
    ]
    return document, history
