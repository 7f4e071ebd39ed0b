"""Sealing what the notifier stored in clear before personal data was sealed (migration 0004 kept those
values as JSON strings, where a sealed value is a JSON object): complainants' names and addresses,
letters to complainants, webhook signing secrets, and the bodies of deliveries of complaint.filed v1.
Run at start, before serving, and by `python -m services.notifier seal-legacy`, in batches; a database with
nothing left in clear costs one query per kind.

A complainant may have been erased before their values were sealed: nothing can be sealed for them any
more, so their values are withheld instead (an empty sealed value, which reads as erased). A subscription
whose key is gone cannot sign: its secrets are withheld and it is disabled, never left to send unsigned.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import Sealed
from docket_contracts.registry import BY_TYPE
from docket_privacy.personal import ErasedSubject, PersonalData
from docket_service.database import make_engine, make_sessions

from .config import NotifierSettings
from .store import PERSONAL_LETTER_FIELDS, ComplainantRow, DeliveryRow, NotificationRow, SubscriptionRow

log = logging.getLogger(__name__)

BATCH = 200
FILED = BY_TYPE["docket.complaint.filed"]


async def seal_legacy_command(settings: NotifierSettings) -> None:
    """`python -m services.notifier seal-legacy`: seal every value still in clear, with the service's own role and
    key store, as `serve` does before it serves."""
    personal = settings.personal_data()
    engine = make_engine(settings.database_url, settings.database_schema)
    try:
        sealed = await seal_legacy(make_sessions(engine), personal)
    finally:
        await engine.dispose()
        await personal.keystore.close()
    if not sealed:
        log.info("notifier: nothing stored in clear is left to seal")


async def seal_legacy(sessions: async_sessionmaker[AsyncSession], personal: PersonalData) -> int:
    """Seal every value still in clear; returns how many rows were sealed."""
    total = 0
    for step in (_complainants, _letters, _secrets, _deliveries):
        while sealed := await _batch(sessions, personal, step):
            total += sealed
    if total:
        log.info("notifier: sealed %d row(s) stored before personal data was sealed", total)
    return total


async def _batch(sessions: async_sessionmaker[AsyncSession], personal: PersonalData, step: Any) -> int:
    async with sessions() as session, session.begin():
        return int(await step(session, personal))


async def _sealed(personal: PersonalData, subject: UUID, values: list[str]) -> list[dict[str, Any]]:
    """The values sealed with the subject's key, as JSON; withheld if the subject was erased (an empty
    sealed value, which opens to None like an erased one)."""
    try:
        sealed = await personal.seal_many(subject, values)
    except ErasedSubject:
        sealed = [Sealed(subject=subject, ciphertext="") for _ in values]
    return [value.model_dump(mode="json") for value in sealed]


async def _complainants(session: AsyncSession, personal: PersonalData) -> int:
    rows = (
        await session.exec(
            select(ComplainantRow)
            .where(sa.func.jsonb_typeof(col(ComplainantRow.name)) == "string")
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        row.name, row.email = await _sealed(personal, row.complaint_id, [str(row.name), str(row.email)])
        session.add(row)
    return len(rows)


async def _letters(session: AsyncSession, personal: PersonalData) -> int:
    rows = (
        await session.exec(
            select(NotificationRow)
            .where(
                col(NotificationRow.recipient_role) == "complainant",
                col(NotificationRow.complaint_id).is_not(None),
                col(NotificationRow.personal).is_(None),
            )
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        assert row.complaint_id is not None
        values = await _sealed(
            personal, row.complaint_id, [row.recipient_name, row.recipient_address or "", row.text, row.html]
        )
        row.personal = dict(zip(PERSONAL_LETTER_FIELDS, values, strict=True))
        row.recipient_name, row.recipient_address, row.text, row.html = "", None, "", ""
        session.add(row)
    return len(rows)


async def _secrets(session: AsyncSession, personal: PersonalData) -> int:
    rows = (
        await session.exec(
            select(SubscriptionRow)
            .where(
                sa.or_(
                    sa.func.jsonb_typeof(col(SubscriptionRow.secret)) == "string",
                    sa.func.jsonb_typeof(col(SubscriptionRow.previous_secret)) == "string",
                )
            )
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        for name in ("secret", "previous_secret"):
            value = getattr(row, name)
            if isinstance(value, str):
                [sealed] = await _sealed(personal, row.id, [value])
                setattr(row, name, sealed)
                if not sealed["ciphertext"]:
                    row.status, row.disabled_reason = "disabled", "its signing secret was erased"
                    row.updated_at = datetime.now(UTC)
        session.add(row)
    return len(rows)


async def _deliveries(session: AsyncSession, personal: PersonalData) -> int:
    """A delivery of complaint.filed v1 carries the complainant in clear: it is sealed, and said to be v2."""
    name = DeliveryRow.__table__.c.body["data"]["complainant"]["name"]
    rows = (
        await session.exec(
            select(DeliveryRow)
            .where(col(DeliveryRow.event_type) == FILED.type, sa.func.jsonb_typeof(name) == "string")
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
    ).all()
    sealed_rows = 0
    for row in rows:
        data = row.body["data"]
        try:
            subject = UUID(data["complaint_id"])
            clear = [str(data["complainant"]["name"]), str(data["complainant"]["email"])]
        except (KeyError, TypeError, ValueError):
            log.warning("notifier: delivery %s is no complaint.filed v1 of the previous release; left as it is", row.id)
            continue
        sealed_rows += 1
        sealed_name, sealed_email = await _sealed(personal, subject, clear)
        complainant = data["complainant"] | {"name": sealed_name, "email": sealed_email}
        row.body = row.body | {"data": data | {"complainant": complainant}, "dataschema": FILED.dataschema}
        session.add(row)
    return sealed_rows
