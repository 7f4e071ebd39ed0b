"""Intake's use cases: file a complaint (at the public door, or from paper with its true receipt date), show its
complainant its status, withdraw it, add evidence to it; staff's reads of complaints and their evidence; give a
complainant's personal data back, and erase it.

Each that writes opens and commits its own transaction on the session it is given (a read runs in the one the
session begins); the routes parse and answer, the store reads and writes within the transaction it is in. The
routes are given plain values (the frozen dataclasses below), never the store's rows. A refusal is an exception
of errors.py, which api.py answers with its status code.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import ComplaintCategory, ComplaintKind, Party
from docket_messaging.context import bind_ids
from docket_privacy.personal import ERASED, ErasedSubject, PersonalData
from docket_service.clock import Clock

from . import domain, legacy, store
from .config import IntakeSettings
from .errors import AlreadyWithdrawn, IdempotencyKeyReused, UnknownComplaint, UnknownEvidence

CREATED = 201  # what a filing answers, kept with its Idempotency-Key to be answered again


# --- filing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A complaint as it was sent, its personal values still in clear."""

    kind: ComplaintKind
    mandate_reference: str | None
    complainant_name: str
    complainant_email: str
    complainant_country: str
    controller_name: str
    controller_country: str | None
    controller_website: str | None
    category: ComplaintCategory
    articles_alleged: tuple[int, ...]
    territory: tuple[str, ...]
    narrative: str
    received_on: date | None


@dataclass(frozen=True)
class Idempotency:
    """An Idempotency-Key and the digest of the body it came with."""

    key: str
    request_digest: str

    @classmethod
    def of(cls, key: str, body: dict[str, Any]) -> Idempotency:
        return cls(key, store.request_digest(body))


class Receipt(BaseModel):
    id: uuid.UUID
    reference: str
    status_token: str = Field(description="shown once: with the reference, it opens the status page")
    received_on: date
    status_url: str


@dataclass(frozen=True)
class Answer:
    """What a filing answers: the receipt (as JSON), or the first answer to its Idempotency-Key, replayed."""

    body: dict[str, Any]
    status_code: int = CREATED
    replayed: bool = False


async def file_complaint(
    session: AsyncSession,
    personal: PersonalData,
    submission: Submission,
    *,
    today: date,
    earliest: date | None,
    status_page: str,
    idempotency: Idempotency | None,
) -> Answer:
    """File the complaint: it may not be received after `today`, nor before `earliest` where the door it came
    through sets one (domain.file_complaint). `status_page` is the status page's URL, with `{reference}` for
    the receipt's reference. Without an Idempotency-Key, the complaint and its event are one statement in a
    transaction of its own; with one, the key's record joins them in one transaction, and a key seen before
    is answered as it was the first time."""
    received_on = submission.received_on or today
    complaint_id, token = uuid.uuid4(), domain.new_status_token()
    # Sealed before anything is stored or published: the complainant of this complaint is the data subject.
    name, email, narrative, sealed_token = await personal.seal_many(
        complaint_id, [submission.complainant_name, submission.complainant_email, submission.narrative, token]
    )
    command = domain.FileComplaint(
        complaint_id=complaint_id,
        reference=domain.new_reference(received_on.year),
        kind=submission.kind,
        mandate_reference=submission.mandate_reference,
        complainant=Party(name=name, email=email, country=submission.complainant_country),
        controller_name=submission.controller_name,
        controller_country=submission.controller_country,
        controller_website=submission.controller_website,
        category=submission.category,
        articles_alleged=submission.articles_alleged,
        territory=submission.territory,
        received_on=received_on,
    )
    filed = domain.file_complaint(command, today, earliest)
    bind_ids(complaint_id=filed.complaint_id)  # the access line of its filing names the new complaint
    receipt = Receipt(
        id=filed.complaint_id,
        reference=filed.reference,
        status_token=token,
        received_on=filed.received_on,
        status_url=status_page.format(reference=filed.reference),
    )
    answer = receipt.model_dump(mode="json")
    digest = domain.token_digest(token)
    if idempotency is None:
        # FILING is one statement, hence one transaction of its own: run in autocommit, it is committed
        # (durably) when it returns, without the two round trips of BEGIN and COMMIT.
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        await store.add_complaint(session, filed, narrative, digest)
        return Answer(answer)
    async with session.begin():
        kept = answer | {"status_token": sealed_token.model_dump(mode="json")}
        first = await store.claim_idempotency_key(session, idempotency.key, idempotency.request_digest, CREATED, kept)
        if first is not None:
            if first.request_digest != idempotency.request_digest:
                raise IdempotencyKeyReused("this Idempotency-Key was used for a different submission")
            bind_ids(complaint_id=first.response.get("id"))
            replay = first.response | {
                "status_token": await personal.open(store.as_sealed(first.response.get("status_token")))
            }
            return Answer(replay, status_code=first.status_code, replayed=True)
        await store.add_complaint(session, filed, narrative, digest)
    return Answer(answer)


# --- the complainant's door: status, withdrawal, evidence -------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """One line of a complaint's progress, as its complainant reads it."""

    on: date | None
    text: str


@dataclass(frozen=True)
class Status:
    """The complainant's view of their complaint: its receipt, then each line of news."""

    reference: str
    kind: str
    controller_name: str
    received_on: date
    status: str
    progress: tuple[Progress, ...]


async def _own_complaint(session: AsyncSession, reference: str, token: str | None) -> store.ComplaintRow:
    """The complaint, if the token is its own; UnknownComplaint otherwise, so nothing is revealed."""
    complaint = await store.by_reference(session, reference)
    if complaint is None or not domain.token_matches(token, complaint.status_token_digest):
        raise UnknownComplaint(f"no complaint {reference} for this token")
    return complaint


async def _progress(session: AsyncSession, complaint_id: uuid.UUID) -> tuple[Progress, ...]:
    return tuple(Progress(on=line.on, text=line.text) for line in await store.progress_of(session, complaint_id))


async def complaint_status(session: AsyncSession, reference: str, token: str | None) -> Status:
    """The complaint's status page, if the token is its own."""
    complaint = await _own_complaint(session, reference, token)
    received = Progress(on=complaint.received_on, text="We received your complaint.")
    return Status(
        reference=complaint.reference,
        kind=complaint.kind,
        controller_name=complaint.controller_name,
        received_on=complaint.received_on,
        status=complaint.status,
        progress=(received, *await _progress(session, complaint.id)),
    )


async def withdraw(session: AsyncSession, reference: str, token: str | None, clock: Clock) -> None:
    """The complainant withdraws their complaint (once), announced as complaint.withdrawn."""
    async with session.begin():
        complaint = await _own_complaint(session, reference, token)
        if complaint.status == "withdrawn":
            raise AlreadyWithdrawn(f"complaint {reference} is already withdrawn")
        store.withdraw(session, complaint, clock.today())


@dataclass(frozen=True)
class EvidenceFile:
    """A file as the complainant sent it: its display name (domain.safe_filename), declared type and bytes."""

    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Evidence:
    """An evidence file as staff see it listed: its name opened (or ERASED), without its content."""

    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


async def add_evidence(
    session: AsyncSession,
    personal: PersonalData,
    settings: IntakeSettings,
    reference: str,
    token: str | None,
    file: EvidenceFile,
) -> Evidence:
    """Attach a file to the complaint, its name and content sealed with the complainant's key."""
    async with session.begin():
        complaint = await _own_complaint(session, reference, token)
        domain.check_evidence(file.content_type, file.content, settings.evidence_types, settings.evidence_max_bytes)
        [sealed_name] = await personal.seal_many(complaint.id, [file.name])
        sealed = await personal.seal_bytes(complaint.id, file.content)
        row = store.add_evidence(session, complaint.id, sealed_name, file.content_type, file.content, sealed)
        await session.flush()
    await session.refresh(row)
    return Evidence(
        id=row.id,
        filename=file.name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        uploaded_at=row.uploaded_at,
    )


# --- staff's reads ----------------------------------------------------------------------------------------

SEALED_FIELDS = ("complainant_name", "complainant_email", "narrative")


@dataclass(frozen=True)
class Complaint:
    """A submission as staff read it: its personal values opened, or ERASED."""

    id: uuid.UUID
    reference: str
    kind: str
    mandate_reference: str | None
    complainant_name: str
    complainant_email: str
    complainant_country: str
    controller_key: str
    controller_name: str
    controller_country: str | None
    controller_website: str | None
    category: str
    articles_alleged: tuple[int, ...]
    territory: tuple[str, ...]
    narrative: str
    received_on: date
    filed_at: datetime
    status: str
    personal_data_erased: bool


async def _complaints(personal: PersonalData, rows: Sequence[store.ComplaintRow]) -> list[Complaint]:
    """The complaints with their personal values opened, or shown as erased (one trip to the key store)."""
    opened = await personal.open_many([store.as_sealed(getattr(row, f)) for row in rows for f in SEALED_FIELDS])
    found = []
    for index, row in enumerate(rows):
        name, email, narrative = opened[index * len(SEALED_FIELDS) : (index + 1) * len(SEALED_FIELDS)]
        found.append(
            Complaint(
                id=row.id,
                reference=row.reference,
                kind=row.kind,
                mandate_reference=row.mandate_reference,
                complainant_name=ERASED if name is None else name,
                complainant_email=ERASED if email is None else email,
                complainant_country=row.complainant_country,
                controller_key=row.controller_key,
                controller_name=row.controller_name,
                controller_country=row.controller_country,
                controller_website=row.controller_website,
                category=row.category,
                articles_alleged=tuple(row.articles_alleged),
                territory=tuple(row.territory),
                narrative=ERASED if narrative is None else narrative,
                received_on=row.received_on,
                filed_at=row.filed_at,
                status=row.status,
                personal_data_erased=row.personal_data_erased_on is not None or name is None,
            )
        )
    return found


@dataclass(frozen=True)
class Found:
    """A page of a search: how many complaints match in all, and those of the page."""

    total: int
    complaints: list[Complaint]


async def search_complaints(
    session: AsyncSession,
    personal: PersonalData,
    *,
    controller: str | None,
    kind: str | None,
    status: str | None,
    received_from: date | None,
    received_to: date | None,
    limit: int,
    offset: int,
) -> Found:
    """The complaints that match, newest received first."""
    total, rows = await store.search(
        session,
        controller=controller,
        kind=kind,
        status=status,
        received_from=received_from,
        received_to=received_to,
        limit=limit,
        offset=offset,
    )
    return Found(total=total, complaints=await _complaints(personal, rows))


async def _complaint_row(session: AsyncSession, complaint_id: uuid.UUID) -> store.ComplaintRow:
    row = await session.get(store.ComplaintRow, complaint_id)
    if row is None:
        raise UnknownComplaint(f"no complaint {complaint_id}")
    return row


async def complaint(session: AsyncSession, personal: PersonalData, complaint_id: uuid.UUID) -> Complaint:
    [found] = await _complaints(personal, [await _complaint_row(session, complaint_id)])
    return found


async def _file_names(personal: PersonalData, stored: Sequence[Any]) -> list[str]:
    """Evidence file names as staff read them: opened, or ERASED (one trip to the key store). A name still
    in clear (stored before names were sealed, and not sealed yet) reads as it is."""
    opened = await personal.open_many([store.as_sealed(value) for value in stored])
    return [
        value if isinstance(value, str) else ERASED if name is None else name
        for value, name in zip(stored, opened, strict=True)
    ]


async def evidence(session: AsyncSession, personal: PersonalData, complaint_id: uuid.UUID) -> list[Evidence]:
    """The complaint's evidence files, oldest first, without their content."""
    await _complaint_row(session, complaint_id)
    rows = await store.evidence_of(session, complaint_id)
    names = await _file_names(personal, [row.filename for row in rows])
    return [
        Evidence(
            id=row.id,
            filename=name,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            uploaded_at=row.uploaded_at,
        )
        for row, name in zip(rows, names, strict=True)
    ]


@dataclass(frozen=True)
class Download:
    """An evidence file opened, with the name to save it under (made safe) and the SHA-256 of its content."""

    content: bytes
    content_type: str
    filename: str
    sha256: str


async def download_evidence(
    session: AsyncSession, personal: PersonalData, complaint_id: uuid.UUID, evidence_id: uuid.UUID
) -> Download:
    """The file opened; ErasedSubject once its complainant's personal data was erased."""
    row = await session.get(store.EvidenceRow, evidence_id)
    if row is None or row.complaint_id != complaint_id:
        raise UnknownEvidence(f"no evidence {evidence_id} on complaint {complaint_id}")
    content = await personal.open_bytes(complaint_id, row.content) if row.sealed else row.content
    if content is None:
        raise ErasedSubject(complaint_id)
    [name] = await _file_names(personal, [row.filename])
    # Made safe again: a name stored by the previous release may not have been.
    return Download(content, row.content_type, domain.safe_filename(name), row.sha256)


# --- the complainant's rights (GDPR Art 15 and 17) --------------------------------------------------------


@dataclass(frozen=True)
class EvidenceCopy(Evidence):
    content: bytes | None  # None once erased


@dataclass(frozen=True)
class LetterCopy:
    title: str | None
    text: str | None  # None once erased
    recorded_at: datetime


@dataclass(frozen=True)
class PersonalDataCopy:
    """Everything Docket holds about the complainant of one complaint (GDPR Art 15)."""

    complaint: Complaint
    case_id: uuid.UUID | None
    progress: tuple[Progress, ...]
    evidence: tuple[EvidenceCopy, ...]
    letters: tuple[LetterCopy, ...]


async def personal_data(session: AsyncSession, personal: PersonalData, complaint_id: uuid.UUID) -> PersonalDataCopy:
    """What Docket holds about the complaint's complainant, opened (what was erased reads as erased)."""
    found = await complaint(session, personal, complaint_id)
    files = await store.evidence_files(session, complaint_id)
    letters = await store.letters_of(session, complaint_id)
    texts = await personal.open_many([store.as_sealed(letter.text) for letter in letters])
    names = await _file_names(personal, [file.filename for file in files])
    copies = []
    for file, name in zip(files, names, strict=True):
        content = await personal.open_bytes(complaint_id, file.content) if file.sealed else file.content
        copies.append(
            EvidenceCopy(
                id=file.id,
                filename=name,
                content_type=file.content_type,
                size=file.size,
                sha256=file.sha256,
                uploaded_at=file.uploaded_at,
                content=content,
            )
        )
    case = await session.get(store.ComplaintCaseRow, complaint_id)
    return PersonalDataCopy(
        complaint=found,
        case_id=case.case_id if case else None,
        progress=await _progress(session, complaint_id),
        evidence=tuple(copies),
        letters=tuple(
            LetterCopy(title=letter.title, text=text, recorded_at=letter.recorded_at)
            for letter, text in zip(letters, texts, strict=True)
        ),
    )


@dataclass(frozen=True)
class Erasure:
    on: date
    already: bool  # an earlier request had erased it already


async def erase_personal_data(
    session: AsyncSession, personal: PersonalData, complaint_id: uuid.UUID, by: str, clock: Clock
) -> Erasure:
    """Destroy the complainant's key, withhold what of theirs is still in clear, record and announce it
    (complaint.personal_data_erased) once."""
    async with session.begin():
        await _complaint_row(session, complaint_id)  # unknown before anything is destroyed
    # The key first, then the record and the event: a crash in between leaves the key destroyed and the
    # event still to be announced, which a retry does; never an announced erasure that did not happen.
    await personal.keystore.erase(complaint_id, by=by)
    personal.forget(complaint_id)
    async with session.begin():
        row = await session.get(store.ComplaintRow, complaint_id, with_for_update=True, populate_existing=True)
        assert row is not None
        await legacy.withhold_in_clear(session, complaint_id)  # the key no longer covers what was never sealed
        already = row.personal_data_erased_on is not None
        if not already:
            store.erase(session, row, clock.today())
    assert row.personal_data_erased_on is not None
    return Erasure(on=row.personal_data_erased_on, already=already)
