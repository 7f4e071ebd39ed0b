"""Sealing what intake stored in clear before personal data was sealed (migration 0002 kept those values
as JSON strings, where a sealed value is a JSON object): the complainants' names, addresses and
narratives, evidence files, the status tokens kept for idempotent retries, and complaint.filed events
of schema v1 in the outbox. Run at start, before serving, in batches; a database with nothing left in
clear costs one query per kind.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.registry import BY_TYPE
from docket_messaging.tables import OutboxRow
from docket_privacy.personal import PersonalData

from .store import ComplaintRow, EvidenceRow, IdempotencyRow

log = logging.getLogger(__name__)

BATCH = 200
FILED = BY_TYPE["docket.complaint.filed"]


async def seal_legacy(sessions: async_sessionmaker[AsyncSession], personal: PersonalData) -> int:
    """Seal every value still in clear; returns how many rows were sealed."""
    total = 0
    for step in (_complaints, _evidence, _idempotent_answers, _outbox):
        while sealed := await _batch(sessions, personal, step):
            total += sealed
    if total:
        log.info("intake: sealed %d row(s) stored before personal data was sealed", total)
    return total


async def _batch(sessions: async_sessionmaker[AsyncSession], personal: PersonalData, step: Any) -> int:
    async with sessions() as session, session.begin():
        return int(await step(session, personal))


async def _complaints(session: AsyncSession, personal: PersonalData) -> int:
    rows = (await session.exec(select(ComplaintRow).where(
        sa.func.jsonb_typeof(col(ComplaintRow.complainant_name)) == "string").limit(BATCH)
        .with_for_update(skip_locked=True))).all()
    for row in rows:
        name, email, narrative = await personal.seal_many(row.id, [str(row.complainant_name),
                                                                   str(row.complainant_email), str(row.narrative)])
        row.complainant_name, row.complainant_email, row.narrative = (
            name.model_dump(mode="json"), email.model_dump(mode="json"), narrative.model_dump(mode="json"))
        session.add(row)
    return len(rows)


async def _evidence(session: AsyncSession, personal: PersonalData) -> int:
    rows = (await session.exec(select(EvidenceRow).where(col(EvidenceRow.sealed).is_(False)).limit(BATCH)
                               .with_for_update(skip_locked=True))).all()
    for row in rows:
        row.content, row.sealed = await personal.seal_bytes(row.complaint_id, row.content), True
        session.add(row)
    return len(rows)


async def _idempotent_answers(session: AsyncSession, personal: PersonalData) -> int:
    token = IdempotencyRow.__table__.c.response["status_token"]
    rows = (await session.exec(select(IdempotencyRow).where(sa.func.jsonb_typeof(token) == "string").limit(BATCH)
                               .with_for_update(skip_locked=True))).all()
    for row in rows:
        sealed = await personal.seal(UUID(row.response["id"]), row.response["status_token"])
        row.response = row.response | {"status_token": sealed.model_dump(mode="json")}
        session.add(row)
    return len(rows)


async def _outbox(session: AsyncSession, personal: PersonalData) -> int:
    """complaint.filed v1 rows, published or not, become v2 rows: the same event, its complainant sealed."""
    rows = (await session.exec(select(OutboxRow).where(col(OutboxRow.type) == FILED.type,
                                                       col(OutboxRow.dataschema) != FILED.dataschema)
                               .limit(BATCH).with_for_update(skip_locked=True))).all()
    for row in rows:
        complainant = row.data["complainant"]
        name, email = await personal.seal_many(UUID(row.data["complaint_id"]),
                                               [complainant["name"], complainant["email"]])
        row.data = row.data | {"complainant": complainant | {"name": name.model_dump(mode="json"),
                                                             "email": email.model_dump(mode="json")}}
        row.dataschema = FILED.dataschema
        session.add(row)
    return len(rows)
