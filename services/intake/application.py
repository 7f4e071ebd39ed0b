"""Intake's use cases: file a complaint (at the public door, or from paper with its true receipt date), withdraw
it, add evidence to it, erase its complainant's personal data.

Each opens and commits its own transaction on the session it is given; the routes parse and answer, the store
reads and writes within the transaction it is in. A refusal is an exception of errors.py, which api.py
answers with its status code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import ComplaintCategory, ComplaintKind, Party
from docket_messaging.context import bind_ids
from docket_privacy.personal import PersonalData
from docket_service.clock import Clock

from . import domain, legacy, store
from .config import IntakeSettings
from .errors import AlreadyWithdrawn, IdempotencyKeyReused, UnknownComplaint

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


async def own_complaint(session: AsyncSession, reference: str, token: str | None) -> store.ComplaintRow:
    """The complaint, if the token is its own; UnknownComplaint otherwise, so nothing is revealed."""
    complaint = await store.by_reference(session, reference)
    if complaint is None or not domain.token_matches(token, complaint.status_token_digest):
        raise UnknownComplaint(f"no complaint {reference} for this token")
    return complaint


async def withdraw(session: AsyncSession, reference: str, token: str | None, clock: Clock) -> None:
    """The complainant withdraws their complaint (once), announced as complaint.withdrawn."""
    async with session.begin():
        complaint = await own_complaint(session, reference, token)
        if complaint.status == "withdrawn":
            raise AlreadyWithdrawn(f"complaint {reference} is already withdrawn")
        store.withdraw(session, complaint, clock.today())


@dataclass(frozen=True)
class EvidenceFile:
    """A file as the complainant sent it: its display name (domain.safe_filename), declared type and bytes."""

    name: str
    content_type: str
    content: bytes


async def add_evidence(
    session: AsyncSession,
    personal: PersonalData,
    settings: IntakeSettings,
    reference: str,
    token: str | None,
    file: EvidenceFile,
) -> store.EvidenceRow:
    """Attach a file to the complaint, its name and content sealed with the complainant's key."""
    async with session.begin():
        complaint = await own_complaint(session, reference, token)
        domain.check_evidence(file.content_type, file.content, settings.evidence_types, settings.evidence_max_bytes)
        [sealed_name] = await personal.seal_many(complaint.id, [file.name])
        sealed = await personal.seal_bytes(complaint.id, file.content)
        row = store.add_evidence(session, complaint.id, sealed_name, file.content_type, file.content, sealed)
        await session.flush()
    await session.refresh(row)
    return row


# --- the complainant's rights (GDPR Art 15 and 17) --------------------------------------------------------


async def complaint(session: AsyncSession, complaint_id: uuid.UUID) -> store.ComplaintRow:
    row = await session.get(store.ComplaintRow, complaint_id)
    if row is None:
        raise UnknownComplaint(f"no complaint {complaint_id}")
    return row


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
        await complaint(session, complaint_id)  # unknown before anything is destroyed
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
