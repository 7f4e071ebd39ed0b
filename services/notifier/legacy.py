"""Sealing what the notifier stored in clear before personal data was sealed (migration 0004 kept those
values as JSON strings, where a sealed value is a JSON object): complainants' names and addresses,
letters to complainants, webhook signing secrets, and the bodies of deliveries of complaint.filed v1.
`python -m services.notifier seal-legacy` seals them, in batches, once per release: after the migrations and
before the service serves (a Job, a one-shot container: docs/operations.md); the service does not at start.
`in_clear` tells, reading only, what is left: the init container's `wait-for-migrations` waits until nothing
is. A database with nothing left in clear costs one query per kind.

A complainant may have been erased before their values were sealed: nothing can be sealed for them any
more, so their values are withheld instead (an empty sealed value, which reads as erased). A subscription
whose key is gone cannot sign: its secrets are withheld and it is disabled, never left to send unsigned.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from docket_contracts.events import COMPLAINANT_EMAIL, COMPLAINANT_NAME, Sealed
from docket_contracts.registry import BY_TYPE
from docket_messaging.tables import table_of
from docket_privacy.personal import ErasedSubject, PersonalData
from docket_service.database import make_engine, make_sessions

from .config import NotifierSettings
from .store import PERSONAL_LETTER_FIELDS, SECRET, ComplainantRow, DeliveryRow, NotificationRow, SubscriptionRow

log = logging.getLogger(__name__)

BATCH = 200
FILED = BY_TYPE["docket.complaint.filed"]
R = TypeVar("R")

# One kind of row: seals a batch of the rows still in clear; returns how many it sealed.
Step = Callable[[AsyncSession, PersonalData], Awaitable[int]]


async def seal_legacy_command(settings: NotifierSettings) -> None:
    """`python -m services.notifier seal-legacy`: seal every value still in clear, with the service's own role and
    key store."""
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
    for kind in KINDS.values():
        while sealed := await _batch(sessions, personal, kind.seal):
            total += sealed
    if total:
        log.info("notifier: sealed %d row(s) stored before personal data was sealed", total)
    return total


async def in_clear(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    """The tables that still hold rows in clear (none once `seal-legacy` has run): a read of one row at most
    per table, which writes and locks nothing (`wait-for-migrations` asks it with the service's role)."""
    left = []
    async with sessions() as session:
        for name, kind in KINDS.items():
            one = select(sa.literal(True)).select_from(kind.table).where(kind.rows()).limit(1)
            if (await session.exec(one)).first():
                left.append(name)
    return left


async def _batch(sessions: async_sessionmaker[AsyncSession], personal: PersonalData, step: Step) -> int:
    async with sessions() as session, session.begin():
        return await step(session, personal)


def _claimed(query: SelectOfScalar[R]) -> SelectOfScalar[R]:
    """A batch, skipping the rows another process is sealing."""
    return query.limit(BATCH).with_for_update(skip_locked=True)


async def _sealed(personal: PersonalData, subject: UUID, values: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The values, each (field, value), sealed with the subject's key, as JSON; withheld if the subject was erased
    (an empty sealed value, which opens to None like an erased one)."""
    try:
        sealed = await personal.seal_many(subject, values)
    except ErasedSubject:
        sealed = [Sealed(subject=subject, ciphertext="") for _ in values]
    return [value.model_dump(mode="json") for value in sealed]


def _is_string(column: Any) -> sa.ColumnElement[bool]:
    """A JSON column holding a string: a value stored in clear (a sealed one is an object)."""
    return sa.func.jsonb_typeof(column) == "string"


def _clear_complainants() -> sa.ColumnElement[bool]:
    return _is_string(col(ComplainantRow.name))


async def _complainants(session: AsyncSession, personal: PersonalData) -> int:
    rows = (await session.exec(_claimed(select(ComplainantRow).where(_clear_complainants())))).all()
    for row in rows:
        row.name, row.email = await _sealed(
            personal, row.complaint_id, [(COMPLAINANT_NAME, str(row.name)), (COMPLAINANT_EMAIL, str(row.email))]
        )
        session.add(row)
    return len(rows)


def _clear_letters() -> sa.ColumnElement[bool]:
    """Letters to a complainant with no sealed copy of their personal fields."""
    return sa.and_(
        col(NotificationRow.recipient_role) == "complainant",
        col(NotificationRow.complaint_id).is_not(None),
        col(NotificationRow.personal).is_(None),
    )


async def _letters(session: AsyncSession, personal: PersonalData) -> int:
    rows = (await session.exec(_claimed(select(NotificationRow).where(_clear_letters())))).all()
    for row in rows:
        assert row.complaint_id is not None
        clear = (row.recipient_name, row.recipient_address or "", row.text, row.html)
        values = await _sealed(
            personal, row.complaint_id, list(zip(PERSONAL_LETTER_FIELDS.values(), clear, strict=True))
        )
        row.personal = dict(zip(PERSONAL_LETTER_FIELDS, values, strict=True))
        row.recipient_name, row.recipient_address, row.text, row.html = "", None, "", ""
        session.add(row)
    return len(rows)


def _clear_secrets() -> sa.ColumnElement[bool]:
    return sa.or_(_is_string(col(SubscriptionRow.secret)), _is_string(col(SubscriptionRow.previous_secret)))


async def _secrets(session: AsyncSession, personal: PersonalData) -> int:
    rows = (await session.exec(_claimed(select(SubscriptionRow).where(_clear_secrets())))).all()
    for row in rows:
        for name in ("secret", "previous_secret"):
            value = getattr(row, name)
            if isinstance(value, str):
                [sealed] = await _sealed(personal, row.id, [(SECRET, value)])
                setattr(row, name, sealed)
                if not sealed["ciphertext"]:
                    row.status, row.disabled_reason = "disabled", "its signing secret was erased"
                    row.updated_at = datetime.now(UTC)
        session.add(row)
    return len(rows)


def _clear_deliveries() -> sa.ColumnElement[bool]:
    """Deliveries of complaint.filed as the previous release wrote them: the complaint's id and its
    complainant's name and address strings. Any other shape is not this step's to touch, nor waited for."""
    data = table_of(DeliveryRow).c.body["data"]
    return sa.and_(
        col(DeliveryRow.event_type) == FILED.type,
        *(
            _is_string(value)
            for value in (data["complaint_id"], data["complainant"]["name"], data["complainant"]["email"])
        ),
    )


async def _deliveries(session: AsyncSession, personal: PersonalData) -> int:
    """A delivery of complaint.filed v1 carries the complainant in clear: it is sealed, and said to be v2."""
    rows = (await session.exec(_claimed(select(DeliveryRow).where(_clear_deliveries())))).all()
    sealed_rows = 0
    for row in rows:
        data = row.body["data"]
        try:
            subject = UUID(data["complaint_id"])
            clear = [
                (COMPLAINANT_NAME, str(data["complainant"]["name"])),
                (COMPLAINANT_EMAIL, str(data["complainant"]["email"])),
            ]
        except (KeyError, TypeError, ValueError):
            log.warning("notifier: delivery %s is no complaint.filed v1 of the previous release; left as it is", row.id)
            continue
        sealed_rows += 1
        sealed_name, sealed_email = await _sealed(personal, subject, clear)
        complainant = data["complainant"] | {"name": sealed_name, "email": sealed_email}
        row.body = row.body | {"data": data | {"complainant": complainant}, "dataschema": FILED.dataschema}
        session.add(row)
    return sealed_rows


@dataclass(frozen=True)
class Kind:
    """One kind of row the previous release stored in clear: its table, which of its rows are still in clear, and
    the step that seals a batch of them."""

    table: type[SQLModel]
    rows: Callable[[], sa.ColumnElement[bool]]
    seal: Step


KINDS: dict[str, Kind] = {
    "complainants": Kind(ComplainantRow, _clear_complainants, _complainants),
    "notifications": Kind(NotificationRow, _clear_letters, _letters),
    "subscriptions": Kind(SubscriptionRow, _clear_secrets, _secrets),
    "deliveries": Kind(DeliveryRow, _clear_deliveries, _deliveries),
}
