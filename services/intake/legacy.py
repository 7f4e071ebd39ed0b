"""Sealing what intake stored in clear before personal data was sealed (migrations 0002 and 0003 kept those
values as JSON strings, where a sealed value is a JSON object): the complainants' names, addresses and
narratives, evidence files and their names, the status tokens kept for idempotent retries, letters, and
complaint.filed events of schema v1 in the outbox. `python -m services.intake seal-legacy` seals them, in
batches, once per release: after the migrations and before the service serves (a Job, a one-shot container:
docs/operations.md); the service does not at start. `in_clear` tells, reading only, what is left: the
init container's `wait-for-migrations` waits until nothing is, so that no pod serves them (nor its relay
publishes a v1 event) in clear. A database with nothing left in clear costs one query per kind.

A complainant may have been erased before their values were sealed: nothing can be sealed for them any
more, so their values are withheld instead (an empty sealed value, which reads as erased; an evidence file
loses its content). The erasure route does the same at once for its complaint (`withhold_in_clear`), so
that nothing of an erased complainant stays readable until `seal-legacy` runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from docket_contracts.events import COMPLAINANT_EMAIL, COMPLAINANT_NAME, LETTER_TEXT, Sealed
from docket_contracts.registry import BY_TYPE, dataschema
from docket_messaging.tables import OutboxRow, table_of
from docket_privacy.personal import ErasedSubject, PersonalData
from docket_service.database import make_engine, make_sessions

from .config import IntakeSettings
from .store import (
    EVIDENCE_CONTENT,
    EVIDENCE_NAME,
    SEALED_COLUMNS,
    STATUS_TOKEN,
    ComplaintRow,
    EvidenceRow,
    IdempotencyRow,
    LetterRow,
    withheld,
)

log = logging.getLogger(__name__)

BATCH = 200
FILED = BY_TYPE["docket.complaint.filed"]
V1 = dataschema(FILED.type, 1)
R = TypeVar("R")

# One kind of row: seals (or, with no PersonalData, withholds) a batch of the rows still in clear, of one
# complaint or of all; returns how many it changed.
Step = Callable[[AsyncSession, PersonalData | None, UUID | None], Awaitable[int]]


async def seal_legacy_command(settings: IntakeSettings) -> None:
    """`python -m services.intake seal-legacy`: seal every value still in clear, with the service's own role and
    key store."""
    personal = settings.personal_data()
    engine = make_engine(settings.database_url, settings.database_schema)
    try:
        sealed = await seal_legacy(make_sessions(engine), personal)
    finally:
        await engine.dispose()
        await personal.keystore.close()
    if not sealed:
        log.info("intake: nothing stored in clear is left to seal")


async def seal_legacy(sessions: async_sessionmaker[AsyncSession], personal: PersonalData) -> int:
    """Seal every value still in clear; returns how many rows were sealed (or withheld)."""
    total = 0
    for kind in KINDS.values():
        while sealed := await _batch(sessions, personal, kind.seal):
            total += sealed
    if total:
        log.info("intake: sealed %d row(s) stored before personal data was sealed", total)
    return total


async def withhold_in_clear(session: AsyncSession, complaint_id: UUID) -> int:
    """Withhold every value of the complaint still in clear, in the caller's transaction (its complainant was
    erased: their key is gone, nothing of theirs may stay readable); returns how many rows changed."""
    total = 0
    for kind in KINDS.values():
        while changed := await kind.seal(session, None, complaint_id):
            total += changed
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
        return await step(session, personal, None)


async def _sealed(personal: PersonalData | None, subject: UUID, values: list[tuple[str, str]]) -> list[Sealed]:
    """The values, each (field, value), sealed with the subject's key; withheld if the subject was erased (or
    `personal` is None)."""
    if personal is not None:
        try:
            return await personal.seal_many(subject, values)
        except ErasedSubject:
            pass
    return [withheld(subject) for _ in values]


async def _sealed_bytes(personal: PersonalData | None, subject: UUID, content: bytes) -> bytes:
    """The content sealed with the subject's key; nothing if the subject was erased (or `personal` is None)."""
    if personal is not None:
        try:
            return await personal.seal_bytes(subject, EVIDENCE_CONTENT, content)
        except ErasedSubject:
            pass
    return b""


def _locked(query: SelectOfScalar[R], complaint_id: UUID | None) -> SelectOfScalar[R]:
    """At start, a batch skips rows another instance is sealing; for one complaint's erasure, it waits for
    them (and then finds them sealed, or still in clear)."""
    return query.limit(BATCH).with_for_update(skip_locked=complaint_id is None)


def _is_string(column: Any) -> sa.ColumnElement[bool]:
    """A JSON column holding a string: a value stored in clear (a sealed one is an object)."""
    return sa.func.jsonb_typeof(column) == "string"


def _clear_complaints() -> sa.ColumnElement[bool]:
    return _is_string(col(ComplaintRow.complainant_name))


async def _complaints(session: AsyncSession, personal: PersonalData | None, complaint_id: UUID | None) -> int:
    query = select(ComplaintRow).where(_clear_complaints())
    if complaint_id is not None:
        query = query.where(col(ComplaintRow.id) == complaint_id)
    rows = (await session.exec(_locked(query, complaint_id))).all()
    for row in rows:
        name, email, narrative = await _sealed(
            personal, row.id, [(field, str(getattr(row, column))) for column, field in SEALED_COLUMNS.items()]
        )
        row.complainant_name, row.complainant_email, row.narrative = (
            name.model_dump(mode="json"),
            email.model_dump(mode="json"),
            narrative.model_dump(mode="json"),
        )
        session.add(row)
    return len(rows)


def _clear_evidence() -> sa.ColumnElement[bool]:
    """Files stored before files were sealed, and names stored before names were (of sealed files too)."""
    return sa.or_(col(EvidenceRow.sealed).is_(False), _is_string(col(EvidenceRow.filename)))


async def _evidence(session: AsyncSession, personal: PersonalData | None, complaint_id: UUID | None) -> int:
    query = select(EvidenceRow).where(_clear_evidence())
    if complaint_id is not None:
        query = query.where(col(EvidenceRow.complaint_id) == complaint_id)
    rows = (await session.exec(_locked(query, complaint_id))).all()
    for row in rows:
        if not row.sealed:
            row.content, row.sealed = await _sealed_bytes(personal, row.complaint_id, row.content), True
        if isinstance(row.filename, str):
            [name] = await _sealed(personal, row.complaint_id, [(EVIDENCE_NAME, row.filename)])
            row.filename = name.model_dump(mode="json")
        session.add(row)
    return len(rows)


def _clear_answers() -> sa.ColumnElement[bool]:
    return _is_string(table_of(IdempotencyRow).c.response["status_token"])


async def _idempotent_answers(session: AsyncSession, personal: PersonalData | None, complaint_id: UUID | None) -> int:
    response = table_of(IdempotencyRow).c.response
    query = select(IdempotencyRow).where(_clear_answers())
    if complaint_id is not None:
        query = query.where(response["id"].astext == str(complaint_id))
    rows = (await session.exec(_locked(query, complaint_id))).all()
    for row in rows:
        [sealed] = await _sealed(personal, UUID(row.response["id"]), [(STATUS_TOKEN, row.response["status_token"])])
        row.response = row.response | {"status_token": sealed.model_dump(mode="json")}
        session.add(row)
    return len(rows)


def _clear_letters() -> sa.ColumnElement[bool]:
    """Letters are kept sealed from the start; one in clear, should any be, is sealed like the rest."""
    return _is_string(col(LetterRow.text))


async def _letters(session: AsyncSession, personal: PersonalData | None, complaint_id: UUID | None) -> int:
    query = select(LetterRow).where(_clear_letters())
    if complaint_id is not None:
        query = query.where(col(LetterRow.complaint_id) == complaint_id)
    rows = (await session.exec(_locked(query, complaint_id))).all()
    for row in rows:
        [text] = await _sealed(personal, row.complaint_id, [(LETTER_TEXT, str(row.text))])
        row.text = text.model_dump(mode="json")
        session.add(row)
    return len(rows)


def _clear_events() -> sa.ColumnElement[bool]:
    """Exactly the complaint.filed rows of the previous release, published or not: v1, the complaint's id and
    its complainant's name and address strings. Any other shape is not this step's to touch (and a relay or a
    consumer will refuse it for what it is), nor waited for."""
    data = table_of(OutboxRow).c.data
    return sa.and_(
        col(OutboxRow.type) == FILED.type,
        col(OutboxRow.dataschema) == V1,
        *(
            _is_string(value)
            for value in (data["complaint_id"], data["complainant"]["name"], data["complainant"]["email"])
        ),
    )


async def _outbox(session: AsyncSession, personal: PersonalData | None, complaint_id: UUID | None) -> int:
    """complaint.filed v1 rows become v2 rows: the same event, its complainant sealed."""
    query = select(OutboxRow).where(_clear_events())
    if complaint_id is not None:
        query = query.where(table_of(OutboxRow).c.data["complaint_id"].astext == str(complaint_id))
    rows = (await session.exec(_locked(query, complaint_id))).all()
    sealed_rows = 0
    for row in rows:
        try:
            complainant, subject = row.data["complainant"], UUID(row.data["complaint_id"])
            clear = [(COMPLAINANT_NAME, str(complainant["name"])), (COMPLAINANT_EMAIL, str(complainant["email"]))]
        except (KeyError, TypeError, ValueError):
            log.warning("intake: outbox row %s is no complaint.filed v1 of the previous release; left as it is", row.id)
            continue
        sealed_rows += 1
        name, email = await _sealed(personal, subject, clear)
        row.data = row.data | {
            "complainant": complainant | {"name": name.model_dump(mode="json"), "email": email.model_dump(mode="json")}
        }
        row.dataschema = FILED.dataschema
        session.add(row)
    return sealed_rows


@dataclass(frozen=True)
class Kind:
    """One kind of row the previous release stored in clear: its table, which of its rows are still in clear, and
    the step that seals (or withholds) a batch of them."""

    table: type[SQLModel]
    rows: Callable[[], sa.ColumnElement[bool]]
    seal: Step


KINDS: dict[str, Kind] = {
    "complaints": Kind(ComplaintRow, _clear_complaints, _complaints),
    "evidence": Kind(EvidenceRow, _clear_evidence, _evidence),
    "idempotency_keys": Kind(IdempotencyRow, _clear_answers, _idempotent_answers),
    "letters": Kind(LetterRow, _clear_letters, _letters),
    "outbox": Kind(OutboxRow, _clear_events, _outbox),
}
