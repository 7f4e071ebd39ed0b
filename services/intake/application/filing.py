"""Filing a complaint, at the public door or from paper with its true receipt date; a retry with the same
Idempotency-Key is answered as the first time."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import (
    ADDRESS_CODE,
    COMPLAINANT_EMAIL,
    COMPLAINANT_NAME,
    ComplaintAddressCodeIssued,
    ComplaintCategory,
    ComplaintKind,
    Language,
    MissingContent,
    Party,
)
from docket_messaging.context import bind_ids
from docket_privacy.personal import PersonalData

from .. import domain, store
from ..errors import IdempotencyKeyReused

CREATED = 201  # what a filing answers, kept with its Idempotency-Key to be answered again


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
    category: ComplaintCategory | None
    articles_alleged: tuple[int, ...]
    territory: tuple[str, ...]
    narrative: str
    received_on: date | None
    language: Language = "en"
    constitution_proof: str | None = None


# Whose Idempotency-Keys a key is among: the public door's, or one staff member's (staff_scope). A key is
# looked up in its caller's scope only, so that nobody's key answers, or refuses, another's request.
PUBLIC_SCOPE = "public"


def staff_scope(subject: str) -> str:
    return f"staff:{subject}"


@dataclass(frozen=True)
class Idempotency:
    """An Idempotency-Key, whose keys it is among (PUBLIC_SCOPE, or staff_scope of the caller),
    and the digest of the body it came with."""

    scope: str
    key: str
    request_digest: str

    @classmethod
    def of(cls, scope: str, key: str, body: dict[str, Any]) -> Idempotency:
        return cls(scope, key, store.request_digest(body))


class Receipt(BaseModel):
    id: uuid.UUID
    reference: str
    status_token: str = Field(description="shown once: with the reference, it opens the status page")
    received_on: date
    status_url: str
    cross_border: bool = Field(
        default=False,
        description="presumed to concern cross-border processing (the controller is established in another EEA "
        "State): assessed, and if so sent to the lead authority within six weeks (Regulation 2025/2518, as reported)",
    )
    missing_content: list[MissingContent] = Field(
        default=[],
        description="what Regulation 2025/2518 art 4(1) (as reported) requires of a cross-border complaint and this "
        "one, recorded from paper, lacks: the authority declares it inadmissible within two weeks of its receipt and "
        "tells the complainant why (art 4(2))",
    )


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
    address_proven: bool,
    own_state: str | None = None,
    from_paper: bool = False,
) -> Answer:
    """File the complaint: it may not be received after `today`, nor before `earliest` where the door it came
    through sets one (domain.file_complaint). `status_page` is the status page's URL, with `{reference}` for
    the receipt's reference. Without an Idempotency-Key, the complaint and its event are one statement in a
    transaction of its own; with one, the key's record joins them in one transaction, and a key seen before
    is answered as it was the first time. Unless `address_proven` (staff recorded it from the complainant's
    own letter), the address is to prove: a code for it goes to the notifier sealed, just before the filing. A
    complaint staff record `from_paper` may lack content a cross-border complaint needs, and names it missing."""
    received_on = submission.received_on or today
    token = domain.new_status_token()
    code = None if address_proven else domain.new_address_code()
    values = [
        (COMPLAINANT_NAME, submission.complainant_name),
        (COMPLAINANT_EMAIL, submission.complainant_email),
        (store.NARRATIVE, submission.narrative),
        (store.STATUS_TOKEN, token),
    ]
    # Sealed before anything is stored or published: the complainant of this complaint is the data subject, a
    # new one, whose id is the complaint's and whose key the key store made and stored in advance.
    complaint_id, (name, email, narrative, sealed_token, *more) = await personal.seal_new(
        values
        + ([(ADDRESS_CODE, code)] if code else [])
        + ([(store.REQUEST_DIGEST, idempotency.request_digest)] if idempotency else []),
    )
    sealed_code, sealed_digest = (more[0] if code else None), (more[-1] if idempotency else None)
    command = filing_command(
        submission, complaint_id, received_on, Party(name=name, email=email, country=submission.complainant_country)
    )
    filed = domain.file_complaint(command, today, earliest, own_state, from_paper=from_paper)
    bind_ids(complaint_id=filed.complaint_id)  # the access line of its filing names the new complaint
    receipt = Receipt(
        id=filed.complaint_id,
        reference=filed.reference,
        status_token=token,
        received_on=filed.received_on,
        status_url=status_page.format(reference=filed.reference),
        cross_border=domain.presumed_cross_border(submission.controller_country, own_state),
        missing_content=list(filed.missing_content),
    )
    answer = receipt.model_dump(mode="json")
    digest = domain.token_digest(token)
    address = store.Address(proven_on=today)
    if code is not None and sealed_code is not None:  # a code to prove the address, with the filing
        issued = ComplaintAddressCodeIssued(complaint_id=complaint_id, code=sealed_code)
        address = store.Address(code_digest=domain.address_code_digest(code), code_issued=issued)
    if idempotency is None:
        # FILING is one statement, hence one transaction of its own: run in autocommit, it is committed
        # (durably) when it returns, without the two round trips of BEGIN and COMMIT.
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        await store.add_complaint(session, filed, narrative, digest, address)
        return Answer(answer)
    async with session.begin():
        kept = answer | {"status_token": sealed_token.model_dump(mode="json")}
        assert sealed_digest is not None
        first = await store.claim_idempotency_key(
            session, idempotency.scope, idempotency.key, sealed_digest, CREATED, kept
        )
        if first is not None:
            return await replayed(personal, first, idempotency)
        await store.add_complaint(session, filed, narrative, digest, address)
    return Answer(answer)


def filing_command(
    submission: Submission, complaint_id: uuid.UUID, received_on: date, complainant: Party
) -> domain.FileComplaint:
    """The submission as the domain files it, its complainant sealed; a body lodging under Art 80 is named in
    clear (it is no data subject)."""
    return domain.FileComplaint(
        complaint_id=complaint_id,
        reference=domain.new_reference(received_on.year),
        kind=submission.kind,
        mandate_reference=submission.mandate_reference,
        complainant=complainant,
        controller_name=submission.controller_name,
        controller_country=submission.controller_country,
        controller_website=submission.controller_website,
        category=submission.category,
        articles_alleged=submission.articles_alleged,
        territory=submission.territory,
        received_on=received_on,
        language=submission.language,
        body_name=submission.complainant_name if submission.kind in domain.BODY_KINDS else None,
        constitution_proof=submission.constitution_proof,
    )


async def replayed(personal: PersonalData, first: store.IdempotencyRow, idempotency: Idempotency) -> Answer:
    """The first answer to an Idempotency-Key, if it came with the same body; IdempotencyKeyReused if not."""
    first_digest, first_token = await personal.open_many(
        [
            (store.REQUEST_DIGEST, store.as_sealed(first.request_digest)),
            (store.STATUS_TOKEN, store.as_sealed(first.response.get("status_token"))),
        ]
    )
    if isinstance(first.request_digest, str):  # kept in clear by an earlier release
        first_digest = first.request_digest
    # A first submission since erased has no digest to compare with: it is answered as another one.
    if first_digest is None or not secrets.compare_digest(first_digest, idempotency.request_digest):
        raise IdempotencyKeyReused("this Idempotency-Key was used for a different submission")
    bind_ids(complaint_id=first.response.get("id"))
    replay = first.response | {"status_token": first_token}
    return Answer(replay, status_code=first.status_code, replayed=True)
