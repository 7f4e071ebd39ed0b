"""Intake's tables, and what is read and written in them: a submission with its outbox event (and its
idempotency record), a withdrawal, an evidence file, the progress read back from case events. Every function
works within the session it is given; the transactions are the application's (application.py) and the
event handlers' (handlers.py, one per event, run by the inbox consumer).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts import topics
from docket_contracts.events import (
    COMPLAINANT_EMAIL,
    COMPLAINANT_NAME,
    ComplaintAddressCodeIssued,
    ComplaintAddressProven,
    ComplaintFiled,
    ComplaintWithdrawn,
    PersonalDataErased,
    Sealed,
)
from docket_contracts.progress import OWN_ENDS
from docket_contracts.registry import new_event
from docket_messaging.outbox import add_to_outbox
from docket_messaging.tables import OUTBOX_COLUMNS, OutboxRow, outbox_values, table_of, utc_column
from docket_service.database import page

SOURCE = "/docket/intake"
TABLES = {
    "complaints",
    "evidence",
    "idempotency_keys",
    "complaint_cases",
    "progress_entries",
    "letters",
    "rate_limits",
    "outbox",
    "inbox",
}

# The fields intake seals values as (docket_privacy): the complainant's as complaint.filed carries them, and
# intake's own. A letter's text is sealed by the notifier (docket_contracts.events.LETTER_TEXT).
NARRATIVE = "complaint.narrative"
STATUS_TOKEN = "complaint.status_token"
REQUEST_DIGEST = "idempotency.request_digest"
EVIDENCE_NAME = "evidence.filename"
EVIDENCE_CONTENT = "evidence.content"
# A complaint's sealed columns, each with the field its value is sealed as.
SEALED_COLUMNS = {"complainant_name": COMPLAINANT_NAME, "complainant_email": COMPLAINANT_EMAIL, "narrative": NARRATIVE}


def sealed_column() -> Any:
    """A personal value, sealed with its subject's key (a contract Sealed as JSON)."""
    return Field(sa_column=sa.Column(JSONB, nullable=False))


def as_sealed(value: Any) -> Sealed | None:
    """The Sealed in a column, or None for a value that is not one (a clear value from before sealing)."""
    return Sealed.model_validate(value) if isinstance(value, dict) else None


def withheld(subject: UUID) -> Sealed:
    """What stands for a value of an erased subject that was never sealed: it opens to None, like an erased one."""
    return Sealed(subject=subject, ciphertext="")


class ComplaintRow(SQLModel, table=True):
    """A submission as lodged. The complainant's name, address and narrative are sealed with the key of
    its data subject, the complainant of this complaint (subject id = complaint id)."""

    __tablename__ = "complaints"

    id: UUID = Field(primary_key=True)
    reference: str = Field(unique=True)
    status_token_digest: str
    kind: str = Field(index=True)
    mandate_reference: str | None = None
    constitution_proof: str | None = None  # a body's (Regulation 2025/2518 art 4(1)(b))
    complainant_name: dict[str, Any] = sealed_column()
    complainant_email: dict[str, Any] = sealed_column()
    complainant_country: str
    controller_key: str = Field(index=True)
    controller_name: str
    controller_country: str | None = None
    controller_website: str | None = None
    category: str
    articles_alleged: list[int] = Field(sa_column=sa.Column(JSONB, nullable=False))
    territory: list[str] = Field(sa_column=sa.Column(JSONB, nullable=False))
    narrative: dict[str, Any] = sealed_column()
    received_on: date = Field(index=True)
    filed_at: datetime = utc_column(server_default=sa.func.now())
    status: str = Field(default="received", index=True)
    personal_data_erased_on: date | None = None
    language: str = Field(default="en", sa_column_kwargs={"server_default": "en"})  # letters' language
    # The address the complainant gave, proven or not. A filing at the public door stores the digest of the
    # code sent to it (domain.address_code_digest) and counts the wrong tries; the day the right code is entered,
    # or the day staff recorded a paper complaint, it is proven. Neither a digest nor a day: filed before
    # addresses were proven, and taken as proven as it was then.
    address_code_digest: str | None = None
    address_code_tries: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    address_proven_on: date | None = None

    @property
    def address_proven(self) -> bool:
        return self.address_proven_on is not None or self.address_code_digest is None


class EvidenceRow(SQLModel, table=True):
    """An evidence file, its name and content sealed with the complaint's subject key (a file's name is
    personal data too: often the complainant's own, or what the file is about); the SHA-256 is of the file."""

    __tablename__ = "evidence"

    id: UUID = Field(primary_key=True)
    complaint_id: UUID = Field(index=True, foreign_key="complaints.id")
    filename: dict[str, Any] = sealed_column()
    content_type: str
    size: int
    sha256: str
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    sealed: bool = Field(default=True, description="false only for a file stored before files were sealed")
    uploaded_at: datetime = utc_column(server_default=sa.func.now())


class IdempotencyRow(SQLModel, table=True):
    """The first answer to a POST with an Idempotency-Key, replayed to its retries; a key is its caller's own
    (`scope`: application.filing.PUBLIC_SCOPE or staff_scope). The digest of the request
    and the status token in the answer are sealed with the complaint's subject key: the body named the
    complainant, and what was derived from it must read as nothing once they are erased, like the rest. A
    digest kept by an earlier release is a string, in clear."""

    __tablename__ = "idempotency_keys"

    scope: str = Field(primary_key=True, sa_column_kwargs={"server_default": "public"})
    key: str = Field(primary_key=True)
    request_digest: dict[str, Any] | str = Field(sa_column=sa.Column(JSONB, nullable=False))
    status_code: int
    response: dict[str, Any] = Field(sa_column=sa.Column(JSONB, nullable=False))
    created_at: datetime = utc_column(server_default=sa.func.now())


class ComplaintCaseRow(SQLModel, table=True):
    """The case each complaint went into, learnt from the case service's events."""

    __tablename__ = "complaint_cases"

    complaint_id: UUID = Field(primary_key=True, foreign_key="complaints.id")
    case_id: UUID = Field(index=True)


class ProgressRow(SQLModel, table=True):
    """One line of a complaint's progress, as its complainant reads it."""

    __tablename__ = "progress_entries"

    complaint_id: UUID = Field(primary_key=True, foreign_key="complaints.id")
    event_id: str = Field(primary_key=True)
    on: date | None = None
    text: str = Field(sa_type=sa.Text)
    recorded_at: datetime = utc_column(server_default=sa.func.now())


class LetterRow(SQLModel, table=True):
    """A letter the notifier wrote to a complaint's complainant (from notification.recorded), kept sealed so
    that an access request can give back what Docket told them."""

    __tablename__ = "letters"

    notification_id: UUID = Field(primary_key=True)
    complaint_id: UUID = Field(index=True, foreign_key="complaints.id")
    title: str | None = None
    text: dict[str, Any] = sealed_column()
    recorded_at: datetime = utc_column()


class RateLimitRow(SQLModel, table=True):
    """A client's bucket at the public door, shared by every instance: the moment it is full again (the
    generic cell rate algorithm's theoretical arrival time). A row whose moment has passed says no more than no
    row at all, and is deleted (forget_full_buckets): the table holds the clients of the last minute or so.
    Unlogged: written at every public request, and worth nothing after a crash (all buckets start full)."""

    __tablename__ = "rate_limits"
    __table_args__ = {"prefixes": ["UNLOGGED"]}

    client: str = Field(primary_key=True)  # limits.client_key: an IPv4 address, or an IPv6 /64
    full_again_at: datetime = utc_column()


# One request takes one interval (60 s / the rate) from its client's bucket, which holds `window` (the burst's
# intervals): admitted, the bucket is full again an interval later than it would have been; refused (the new
# moment would be more than a window away), nothing changes and the answer is how long until the next is
# admitted. One statement, so that concurrent requests of a client, on any instance, queue on its row.
TAKE_FROM_BUCKET = sa.text("""
    WITH taken AS (
        INSERT INTO rate_limits AS r (client, full_again_at)
        VALUES (:client, now() + make_interval(secs => :interval_s))
        ON CONFLICT (client) DO UPDATE
            SET full_again_at = GREATEST(r.full_again_at, now()) + make_interval(secs => :interval_s)
            WHERE GREATEST(r.full_again_at, now()) + make_interval(secs => :interval_s)
                  <= now() + make_interval(secs => :window_s)
        RETURNING 0.0::float8 AS wait
    )
    SELECT wait FROM taken
    UNION ALL
    SELECT EXTRACT(EPOCH FROM r.full_again_at - now())::float8 + :interval_s - :window_s
    FROM rate_limits r WHERE r.client = :client AND NOT EXISTS (SELECT 1 FROM taken)
""")


async def take_from_bucket(connection: AsyncConnection, client: str, interval_s: float, window_s: float) -> float:
    """0 if the client's request may go ahead, else the seconds until one may (TAKE_FROM_BUCKET)."""
    wait = await connection.scalar(TAKE_FROM_BUCKET, {"client": client, "interval_s": interval_s, "window_s": window_s})
    return max(float(wait or 0.0), 0.0)


async def forget_full_buckets(connection: AsyncConnection) -> int:
    """Delete the buckets that are full again: they say no more than no row at all."""
    deleted = await connection.execute(
        sa.delete(table_of(RateLimitRow)).where(table_of(RateLimitRow).c.full_again_at < sa.func.now())
    )
    return deleted.rowcount


def request_digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


async def claim_idempotency_key(
    session: AsyncSession, scope: str, key: str, digest: Sealed, status_code: int, response: dict[str, Any]
) -> IdempotencyRow | None:
    """Record the answer under `key` in `scope`; if the key was used there already, return that first record
    instead.

    A concurrent request with the same key waits on the insert until the first transaction ends.
    """
    inserted = await session.scalar(
        insert(IdempotencyRow)
        .values(
            scope=scope,
            key=key,
            request_digest=digest.model_dump(mode="json"),
            status_code=status_code,
            response=response,
        )
        .on_conflict_do_nothing()
        .returning(table_of(IdempotencyRow).c.key)
    )
    if inserted is not None:
        return None
    return await session.get(IdempotencyRow, (scope, key))


# Filing is the hot path of the public door, so it is written without the ORM: no instance, identity map or
# flush, one INSERT statement built once. The complaint goes in a data-modifying CTE of the statement that adds
# its events to the outbox: one statement is one transaction, so all commit or none does. FILING adds
# complaint.filed; FILING_WITH_CODE adds complaint.address_code_issued before it (the outbox's order, which the
# relay keeps), so that the notifier has the code when the filing comes.
_COMPLAINTS, _OUTBOX = table_of(ComplaintRow), table_of(OutboxRow)
_COMPLAINT_COLUMNS = [c.name for c in _COMPLAINTS.columns if c.name not in {"filed_at", "personal_data_erased_on"}]


def _filing(prefixes: Sequence[str]) -> sa.Insert:
    """The statement adding a complaint and an outbox row per prefix of its parameters, in that order."""
    rows: list[dict[str, Any]] = [
        # Typed: a second row's parameters would not be given their column's type (JSONB) otherwise.
        {name: sa.bindparam(f"{prefix}_{name}", type_=_OUTBOX.c[name].type) for name in OUTBOX_COLUMNS}
        for prefix in prefixes
    ]
    return (
        insert(_OUTBOX)
        .values(rows)
        .add_cte(
            insert(_COMPLAINTS)
            .values({name: sa.bindparam(f"c_{name}") for name in _COMPLAINT_COLUMNS})
            .cte("complaint")
        )
    )


# o_: complaint.filed; oc_: complaint.address_code_issued.
FILING, FILING_WITH_CODE = _filing(["o"]), _filing(["oc", "o"])


@dataclass(frozen=True)
class Address:
    """The complainant's address as the filing leaves it: to prove with a code (its digest, and the event that
    carries it sealed), or proven on a day (a paper complaint)."""

    code_digest: str | None = None
    code_issued: ComplaintAddressCodeIssued | None = None
    proven_on: date | None = None


def filing_parameters(
    filed: ComplaintFiled, narrative: Sealed, token_digest: str, address: Address | None = None
) -> dict[str, Any]:
    """The complaint's row and its events (outbox rows, as OutboxRow.of makes them), for FILING or
    FILING_WITH_CODE: complaint.filed, after complaint.address_code_issued when the address is to prove."""
    address = address or Address()
    complaint = {
        "id": filed.complaint_id,
        "reference": filed.reference,
        "status_token_digest": token_digest,
        "kind": filed.kind,
        "mandate_reference": filed.mandate_reference,
        "constitution_proof": filed.constitution_proof,
        "complainant_name": filed.complainant.name.model_dump(mode="json"),
        "complainant_email": filed.complainant.email.model_dump(mode="json"),
        "complainant_country": filed.complainant.country,
        "controller_key": filed.controller.key,
        "controller_name": filed.controller.name,
        "controller_country": filed.controller.country,
        "controller_website": filed.controller.website,
        "category": filed.category,
        "articles_alleged": list(filed.articles_alleged),
        "territory": list(filed.territory),
        "narrative": narrative.model_dump(mode="json"),
        "received_on": filed.received_on,
        "status": "received",
        "language": filed.language,
        "address_code_digest": address.code_digest,
        "address_code_tries": 0,
        "address_proven_on": address.proven_on,
    }
    subject = str(filed.complaint_id)
    events = {"o": new_event(filed, source=SOURCE, subject=subject)}
    if address.code_issued is not None:
        events["oc"] = new_event(address.code_issued, source=SOURCE, subject=subject)
    outbox = outbox_values(list(events.values()), topics.COMPLAINTS)
    return {f"c_{name}": value for name, value in complaint.items()} | {
        f"{prefix}_{name}": value for prefix, row in zip(events, outbox, strict=True) for name, value in row.items()
    }


async def add_complaint(
    session: AsyncSession, filed: ComplaintFiled, narrative: Sealed, token_digest: str, address: Address | None = None
) -> None:
    """Store the complaint and its events in the caller's transaction (or, on a connection the caller put in
    autocommit, as a transaction of its own: application.file_complaint)."""
    connection = await session.connection()
    statement = FILING_WITH_CODE if address is not None and address.code_issued is not None else FILING
    await connection.execute(statement, filing_parameters(filed, narrative, token_digest, address))


async def file(session: AsyncSession, filed: ComplaintFiled, narrative: Sealed, token_digest: str = "") -> None:
    """Store a complaint with its event in a transaction of its own, as application.file_complaint does without
    an Idempotency-Key; `session` must not have begun a transaction. Kept for tests that fill the outbox without
    going through the door (tests/e2e/test_relay_crash.py); the service itself files through the application."""
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    await add_complaint(session, filed, narrative, token_digest)


async def by_reference(session: AsyncSession, reference: str, *, for_update: bool = False) -> ComplaintRow | None:
    query = select(ComplaintRow).where(ComplaintRow.reference == reference)
    return (await session.exec(query.with_for_update() if for_update else query)).first()


def withdraw(session: AsyncSession, complaint: ComplaintRow, on: date) -> None:
    complaint.status = "withdrawn"
    session.add(complaint)
    session.add(
        ProgressRow(
            complaint_id=complaint.id, event_id=f"withdrawal:{complaint.id}", on=on, text="You withdrew your complaint."
        )
    )
    event = new_event(
        ComplaintWithdrawn(complaint_id=complaint.id, withdrawn_on=on), source=SOURCE, subject=str(complaint.id)
    )
    add_to_outbox(session, [event], topics.COMPLAINTS)


def prove_address(session: AsyncSession, complaint: ComplaintRow, on: date) -> None:
    """Record and announce that the complainant proved their address (complaint.address_proven)."""
    complaint.address_proven_on = on
    session.add(complaint)
    session.add(
        ProgressRow(
            complaint_id=complaint.id,
            event_id=f"address:{complaint.id}",
            on=on,
            text="You confirmed your e-mail address: our letters about the complaint go there.",
        )
    )
    event = new_event(
        ComplaintAddressProven(complaint_id=complaint.id, proven_on=on), source=SOURCE, subject=str(complaint.id)
    )
    add_to_outbox(session, [event], topics.COMPLAINTS)


def count_wrong_code(session: AsyncSession, complaint: ComplaintRow) -> None:
    complaint.address_code_tries += 1
    session.add(complaint)


def add_evidence(
    session: AsyncSession,
    complaint_id: UUID,
    filename: Sealed,
    content_type: str,
    content: bytes,
    sealed_content: bytes,
) -> EvidenceRow:
    """Stage an evidence file: its size and SHA-256 are of the file, what is stored is `sealed_content`."""
    row = EvidenceRow(
        id=uuid4(),
        complaint_id=complaint_id,
        filename=filename.model_dump(mode="json"),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=sealed_content,
    )
    session.add(row)
    return row


async def evidence_totals(session: AsyncSession, complaint_id: UUID) -> tuple[int, int]:
    """How many evidence files the complaint has, and their bytes in all."""
    table = table_of(EvidenceRow)
    connection = await session.connection()
    found = (
        await connection.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(table.c.size), 0)).where(
                table.c.complaint_id == complaint_id
            )
        )
    ).one()
    return int(found[0]), int(found[1])


async def lock_complaint(session: AsyncSession, complaint_id: UUID) -> None:
    """Hold the complaint's row until the transaction ends: evidence added to it meanwhile waits (its quota)."""
    await session.exec(select(ComplaintRow.id).where(ComplaintRow.id == complaint_id).with_for_update())


async def evidence_of(session: AsyncSession, complaint_id: UUID) -> Sequence[sa.Row[*tuple[Any, ...]]]:
    """The evidence of a complaint without its content (a Core query: rows, not models)."""
    table = table_of(EvidenceRow)
    connection = await session.connection()
    return (
        await connection.execute(
            sa.select(
                table.c.id, table.c.filename, table.c.content_type, table.c.size, table.c.sha256, table.c.uploaded_at
            )
            .where(table.c.complaint_id == complaint_id)
            .order_by(table.c.uploaded_at)
        )
    ).all()


async def search(
    session: AsyncSession,
    *,
    controller: str | None,
    kind: str | None,
    status: str | None,
    received_from: date | None,
    received_to: date | None,
    limit: int,
    offset: int,
) -> tuple[int, Sequence[ComplaintRow]]:
    query = select(ComplaintRow)
    if controller:
        query = query.where(
            sa.or_(
                col(ComplaintRow.controller_key) == controller,
                col(ComplaintRow.controller_name).icontains(controller, autoescape=True),
            )
        )
    if kind:
        query = query.where(col(ComplaintRow.kind) == kind)
    if status:
        query = query.where(col(ComplaintRow.status) == status)
    if received_from:
        query = query.where(col(ComplaintRow.received_on) >= received_from)
    if received_to:
        query = query.where(col(ComplaintRow.received_on) <= received_to)
    return await page(
        session, query, col(ComplaintRow.received_on).desc(), col(ComplaintRow.id), limit=limit, offset=offset
    )


async def progress_of(session: AsyncSession, complaint_id: UUID) -> Sequence[ProgressRow]:
    return (
        await session.exec(
            select(ProgressRow)
            .where(ProgressRow.complaint_id == complaint_id)
            .order_by(col(ProgressRow.recorded_at), col(ProgressRow.event_id))
        )
    ).all()


# The statuses after which a complaint's complainant is owed no news.
NO_NEWS_OWED = ("withdrawn", *sorted(OWN_ENDS))


async def record_progress(
    session: AsyncSession, complaint_ids: Sequence[UUID], event_id: str, on: date | None, text: str, stage: str
) -> None:
    """Add the progress line for each complaint still owed news and move its status forward: a complaint
    withdrawn, or ended on its own (found inadmissible, transferred, closed), is told nothing more
    (docket_contracts.progress.ends_wait) and keeps its status."""
    owed = (
        await session.exec(
            select(ComplaintRow.id).where(
                col(ComplaintRow.id).in_(complaint_ids), col(ComplaintRow.status).not_in(NO_NEWS_OWED)
            )
        )
    ).all()
    for complaint_id in owed:
        session.add(ProgressRow(complaint_id=complaint_id, event_id=event_id, on=on, text=text))
    if owed:
        await session.exec(sa.update(ComplaintRow).where(col(ComplaintRow.id).in_(owed)).values(status=stage))


async def complaints_of_case(session: AsyncSession, case_id: UUID) -> list[UUID]:
    return list(
        (await session.exec(select(ComplaintCaseRow.complaint_id).where(ComplaintCaseRow.case_id == case_id))).all()
    )


async def join_case(session: AsyncSession, complaint_id: UUID, case_id: UUID) -> bool:
    """Remember the complaint's case; False if the complaint was not filed here."""
    if await session.get(ComplaintRow, complaint_id) is None:
        return False
    session.add(ComplaintCaseRow(complaint_id=complaint_id, case_id=case_id))
    await session.flush()
    return True


def erase(session: AsyncSession, complaint: ComplaintRow, on: date) -> None:
    """Record and announce that the complainant's key was destroyed (the key store did that already)."""
    complaint.personal_data_erased_on = on
    session.add(complaint)
    event = new_event(
        PersonalDataErased(complaint_id=complaint.id, erased_on=on), source=SOURCE, subject=str(complaint.id)
    )
    add_to_outbox(session, [event], topics.COMPLAINTS)


async def add_letter(
    session: AsyncSession,
    notification_id: UUID,
    complaint_id: UUID,
    title: str | None,
    text: Sealed,
    recorded_at: datetime,
) -> None:
    await session.exec(
        insert(LetterRow)
        .values(
            notification_id=notification_id,
            complaint_id=complaint_id,
            title=title,
            text=text.model_dump(mode="json"),
            recorded_at=recorded_at,
        )
        .on_conflict_do_nothing()
    )


async def letters_of(session: AsyncSession, complaint_id: UUID) -> Sequence[LetterRow]:
    return (
        await session.exec(
            select(LetterRow)
            .where(LetterRow.complaint_id == complaint_id)
            .order_by(col(LetterRow.recorded_at), col(LetterRow.notification_id))
        )
    ).all()


async def evidence_files(session: AsyncSession, complaint_id: UUID) -> Sequence[EvidenceRow]:
    return (
        await session.exec(
            select(EvidenceRow).where(EvidenceRow.complaint_id == complaint_id).order_by(col(EvidenceRow.uploaded_at))
        )
    ).all()
