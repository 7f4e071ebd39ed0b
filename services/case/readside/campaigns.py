"""Campaigns: the complaints alike (of one controller and category over a period, or lodged by one Art 80 body),
and the steps of a campaign's request already done under its Idempotency-Key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .handling_tables import CampaignStepRow, ComplaintRecordRow


async def alike(
    session: AsyncSession,
    *,
    controller: str | None,
    category: str | None,
    body: str | None,
    received_from: date | None,
    received_to: date | None,
    status: str | None,
    open_only: bool,
    limit: int,
) -> tuple[int, Sequence[ComplaintRecordRow]]:
    """How many complaints match, and the first `limit` of them, the earliest received first."""
    table = ComplaintRecordRow
    wanted: list[Any] = []
    if controller:
        wanted.append(col(table.controller_key) == controller)
    if category:
        wanted.append(col(table.category) == category)
    if body:
        wanted.append(col(table.body_key) == body)
    if received_from:
        wanted.append(col(table.received_on) >= received_from)
    if received_to:
        wanted.append(col(table.received_on) <= received_to)
    if status:
        wanted.append(col(table.status) == status)
    if open_only:
        wanted.append(col(table.ended_on).is_(None))
    total = await session.scalar(sa.select(sa.func.count()).select_from(table).where(*wanted)) or 0
    rows = await session.exec(
        select(table).where(*wanted).order_by(col(table.received_on), col(table.complaint_id)).limit(limit)
    )
    return total, rows.all()


async def step_done(session: AsyncSession, key: str, case_id: UUID) -> tuple[str, list[dict[str, Any]]] | None:
    row = await session.get(CampaignStepRow, (key, case_id))
    return None if row is None else (row.request_digest, row.results)


async def record_step(
    session: AsyncSession, key: str, case_id: UUID, request_digest: str, results: list[dict[str, Any]]
) -> None:
    session.add(CampaignStepRow(key=key, case_id=case_id, request_digest=request_digest, results=results))
    await session.flush()
