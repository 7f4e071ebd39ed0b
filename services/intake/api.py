"""Intake's REST routes: the public door (filing, status, withdrawal, evidence) and staff views."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from docket_contracts.events import ComplaintCategory, ComplaintKind, Controller, CountryCode, GdprArticle
from docket_privacy.personal import ERASED, ErasedSubject, PersonalData
from docket_service.limits import (
    DAY_RANGE,
    EARLIEST_DAY,
    MAX_OFFSET,
    NO_CONTROLS,
    Day,
    EmailAddress,
    printable,
    query_text,
    text,
)

from . import application, domain
from .application import Receipt
from .config import IntakeSettings
from .deps import (
    Administrator,
    ClockDep,
    IntakeOfficer,
    PersonalDep,
    SessionDep,
    SettingsDep,
    SubmissionReader,
    rate_limited,
)
from .errors import AlreadyWithdrawn, IdempotencyKeyReused, UnknownComplaint, UnknownEvidence

public = APIRouter(tags=["complainants"], dependencies=[Depends(rate_limited)])
staff = APIRouter(tags=["staff"])

StatusToken = Annotated[
    str | None, Header(alias="X-Status-Token", max_length=200, description="the secret token of the receipt")
]
REFERENCE_PATTERN = r"^DKT-[0-9]{4}-[0-9A-Z]{6}$"
STATUS_PATH = "/complaints/{reference}/status"
Reference = Annotated[str, Path(pattern=REFERENCE_PATTERN, description="the receipt's reference, e.g. DKT-2020-7K3Q9Z")]
# Visible ASCII: the key is stored and compared, and a header carries nothing else on the wire.
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]+$"


def install_error_handlers(app: FastAPI) -> None:
    def answer(status_code: int) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
        async def handler(_: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status_code)

        return handler

    app.add_exception_handler(ErasedSubject, answer(status.HTTP_410_GONE))
    app.add_exception_handler(UnknownComplaint, answer(status.HTTP_404_NOT_FOUND))
    app.add_exception_handler(UnknownEvidence, answer(status.HTTP_404_NOT_FOUND))
    app.add_exception_handler(AlreadyWithdrawn, answer(status.HTTP_409_CONFLICT))
    app.add_exception_handler(IdempotencyKeyReused, answer(status.HTTP_409_CONFLICT))


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: text(300)
    email: EmailAddress
    country: CountryCode


# The key the case service joins complaints by must fit the contract's Controller.key.
MAX_CONTROLLER_KEY: int = next(
    rule.max_length for rule in Controller.model_fields["key"].metadata if hasattr(rule, "max_length")
)


def key_fits(name: str) -> str:
    """Refuse a name whose controller key would be longer than the contract allows.

    Refused rather than cut: the key is the controller's identity, which joins complaints into one case; a key
    cut short would silently join two controllers whose names only differ past the cut. A real name is far
    shorter, and the one who types it is there to shorten it.
    """
    length = len(domain.controller_key(name))
    if length > MAX_CONTROLLER_KEY:
        raise ValueError(
            f"gives a controller key of {length} characters, longer than {MAX_CONTROLLER_KEY}: the "
            f"name's words joined by hyphens, legal forms dropped, must fit in {MAX_CONTROLLER_KEY}"
        )
    return name


class ControllerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=r"[A-Za-z0-9]"),
        AfterValidator(printable),
        AfterValidator(key_fits),
    ] = Field(
        description=f"1 to 300 characters with a letter or digit, {NO_CONTROLS}; its key (lower-case words joined by "
        f"hyphens, legal forms dropped) at most {MAX_CONTROLLER_KEY} characters"
    )
    country: CountryCode | None = None
    website: (
        Annotated[
            str,
            StringConstraints(max_length=300, pattern=r"^(https?://)?[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/.*)?$"),
            AfterValidator(printable),
        ]
        | None
    ) = None


class ComplaintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ComplaintKind = "art77_complaint"
    mandate_reference: text(200) | None = None
    complainant: PartyIn = Field(description="the data subject, or the body lodging for data subjects")
    controller: ControllerIn
    category: ComplaintCategory
    articles_alleged: Annotated[list[GdprArticle], Field(min_length=1, max_length=99)]
    narrative: text(20_000)
    territory: Annotated[list[CountryCode], Field(min_length=1, max_length=40)]
    # Bounded below here, above by today (the route says so, naming the day): no date it takes can overflow.
    received_on: Annotated[date, Field(ge=EARLIEST_DAY)] | None = Field(
        default=None,
        description="defaults to today (in REGULATOR_TIMEZONE); at most RECEIVED_ON_MAX_AGE_DAYS (30) days back",
    )


class PaperComplaintIn(ComplaintIn):
    received_on: Annotated[
        date,
        Field(
            ge=EARLIEST_DAY,
            description=(
                f"the day the regulator received the complaint (the postmark or the registry's stamp); from "
                f"{EARLIEST_DAY} up to today"
            ),
        ),
    ]


class ComplaintOut(BaseModel):
    id: uuid.UUID
    reference: str
    kind: ComplaintKind
    mandate_reference: str | None
    complainant_name: str = Field(description=f"{ERASED!r} once the complainant's personal data was erased")
    complainant_email: str
    complainant_country: str
    controller_key: str
    controller_name: str
    controller_country: str | None
    controller_website: str | None
    category: ComplaintCategory
    articles_alleged: list[int]
    territory: list[str]
    narrative: str
    received_on: date
    filed_at: datetime
    status: str
    personal_data_erased: bool


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="1 to 200 visible ASCII characters",
    ),
]


@public.post(
    "/complaints",
    status_code=status.HTTP_201_CREATED,
    response_model=Receipt,
    responses={409: {"description": "the Idempotency-Key was used with another body"}},
)
async def file_complaint(
    body: ComplaintIn,
    session: SessionDep,
    request: Request,
    personal: PersonalDep,
    clock: ClockDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    today = clock.today()
    earliest = today - timedelta(days=settings.received_on_max_age_days)
    return await file(body, session, request, personal, idempotency_key, today, earliest)


@staff.post(
    "/paper-complaints",
    status_code=status.HTTP_201_CREATED,
    response_model=Receipt,
    summary="Record a complaint received on paper, with its true receipt date",
    responses={409: {"description": "the Idempotency-Key was used with another body"}},
)
async def file_paper_complaint(
    body: PaperComplaintIn,
    session: SessionDep,
    request: Request,
    personal: PersonalDep,
    caller: IntakeOfficer,
    clock: ClockDep,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """The receipt's status token is shown once, as at the public door: send it to the complainant."""
    return await file(body, session, request, personal, idempotency_key, clock.today(), None)


async def file(
    body: ComplaintIn,
    session: SessionDep,
    request: Request,
    personal: PersonalData,
    idempotency_key: str | None,
    today: date,
    earliest: date | None,
) -> JSONResponse:
    submission = application.Submission(
        kind=body.kind,
        mandate_reference=body.mandate_reference,
        complainant_name=body.complainant.name,
        complainant_email=body.complainant.email,
        complainant_country=body.complainant.country,
        controller_name=body.controller.name,
        controller_country=body.controller.country,
        controller_website=body.controller.website,
        category=body.category,
        articles_alleged=tuple(body.articles_alleged),
        territory=tuple(body.territory),
        narrative=body.narrative,
        received_on=body.received_on,
    )
    answer = await application.file_complaint(
        session,
        personal,
        submission,
        today=today,
        earliest=earliest,
        # The status page's URL as url_for would give it, without its search through every route (a tenth of a
        # millisecond a request).
        status_page=str(request.base_url).rstrip("/") + STATUS_PATH,
        idempotency=None
        if idempotency_key is None
        else application.Idempotency.of(idempotency_key, body.model_dump(mode="json")),
    )
    # A Receipt's already, or the first answer to this key: not checked again.
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)


class ProgressLine(BaseModel):
    on: date | None
    text: str


class StatusOut(BaseModel):
    reference: str
    kind: ComplaintKind
    controller_name: str
    received_on: date
    status: str
    progress: list[ProgressLine]


@public.get(
    STATUS_PATH,
    response_model=StatusOut,
    name="complaint_status",
    summary="The complainant's view of their complaint (X-Status-Token required)",
)
async def complaint_status(reference: Reference, session: SessionDep, token: StatusToken = None) -> StatusOut:
    found = await application.complaint_status(session, reference, token)
    return StatusOut.model_validate(found, from_attributes=True)


@public.post(
    "/complaints/{reference}/withdrawal",
    response_model=StatusOut,
    summary="The complainant withdraws the complaint (X-Status-Token required)",
)
async def withdraw_complaint(
    reference: Reference, session: SessionDep, clock: ClockDep, token: StatusToken = None
) -> StatusOut:
    await application.withdraw(session, reference, token, clock)
    return await complaint_status(reference, session, token)


class EvidenceOut(BaseModel):
    id: uuid.UUID
    filename: str = Field(description=f"{ERASED!r} once the complainant's personal data was erased")
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


EVIDENCE_PATH = "/complaints/{reference}/evidence"
FilenameHeader = Annotated[
    str | None,
    Header(
        alias="X-Filename",
        min_length=1,
        max_length=900,
        description="the file's name, percent-encoded (UTF-8) where it is not plain ASCII",
    ),
]
FilenameQuery = Annotated[
    str | None,
    Query(
        alias="filename",
        min_length=1,
        max_length=300,
        deprecated=True,
        description="the file's name, for clients written before X-Filename; a query string ends up in access logs",
    ),
]


# The body is the file itself, read by the route (not a model), so the document says so: of one of the accepted
# types (EVIDENCE_TYPES; these by default), up to EVIDENCE_MAX_BYTES.
EVIDENCE_TYPES = sorted(IntakeSettings.model_fields["evidence_types"].default)
EVIDENCE_BODY = {
    "requestBody": {
        "required": True,
        "description": "the file, up to EVIDENCE_MAX_BYTES (10 MiB by default)",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in EVIDENCE_TYPES},
    }
}


@public.post(
    EVIDENCE_PATH,
    status_code=status.HTTP_201_CREATED,
    response_model=EvidenceOut,
    openapi_extra=EVIDENCE_BODY,
    summary="Attach a file: the raw bytes as the body, its type as Content-Type (X-Status-Token required)",
    description="The file's name goes in the `X-Filename` header, percent-encoded (UTF-8) where it is "
    "not plain ASCII. It is stored sealed, like the file, as a display name: without its path, "
    "other characters than letters, digits, spaces, dots, dashes and underscores replaced by "
    "`_`. The `filename` query parameter is still accepted but deprecated: a file's name is "
    "often the complainant's own, and URLs end up in access logs and proxies. Given both, the "
    "header is used.",
)
async def upload_evidence(
    reference: Reference,
    request: Request,
    session: SessionDep,
    personal: PersonalDep,
    settings: SettingsDep,
    header_name: FilenameHeader = None,
    query_name: FilenameQuery = None,
    token: StatusToken = None,
    content_type: Annotated[str, Header(alias="Content-Type")] = "",
) -> EvidenceOut:
    given = unquote(header_name) if header_name is not None else query_name
    if given is None:
        raise RequestValidationError([{"loc": ("header", "X-Filename"), "msg": "Field required", "type": "missing"}])
    file = application.EvidenceFile(
        name=domain.safe_filename(given),
        content_type=content_type.split(";")[0].strip().lower(),
        content=await request.body(),
    )
    added = await application.add_evidence(session, personal, settings, reference, token, file)
    return EvidenceOut.model_validate(added, from_attributes=True)


# --- staff ------------------------------------------------------------------------------------------------


class ComplaintPage(BaseModel):
    items: list[ComplaintOut]
    total: int
    limit: int
    offset: int


@staff.get("/complaints", response_model=ComplaintPage, summary="Search submissions, newest received first")
async def list_complaints(
    session: SessionDep,
    caller: SubmissionReader,
    personal: PersonalDep,
    controller: query_text(300, "key or part of the name") = None,
    kind: ComplaintKind | None = None,
    status_: query_text(50, "the complaint's stage", alias="status") = None,
    received_from: Annotated[Day | None, Query(description=f"received on or after; {DAY_RANGE}")] = None,
    received_to: Annotated[Day | None, Query(description=f"received on or before; {DAY_RANGE}")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ComplaintPage:
    found = await application.search_complaints(
        session,
        personal,
        controller=controller,
        kind=kind,
        status=status_,
        received_from=received_from,
        received_to=received_to,
        limit=limit,
        offset=offset,
    )
    items = [ComplaintOut.model_validate(complaint, from_attributes=True) for complaint in found.complaints]
    return ComplaintPage(items=items, total=found.total, limit=limit, offset=offset)


@staff.get("/complaints/{complaint_id}", response_model=ComplaintOut)
async def get_complaint(
    complaint_id: uuid.UUID, session: SessionDep, caller: SubmissionReader, personal: PersonalDep
) -> ComplaintOut:
    found = await application.complaint(session, personal, complaint_id)
    return ComplaintOut.model_validate(found, from_attributes=True)


@staff.get("/complaints/{complaint_id}/evidence", response_model=list[EvidenceOut])
async def list_evidence(
    complaint_id: uuid.UUID, session: SessionDep, caller: SubmissionReader, personal: PersonalDep
) -> list[EvidenceOut]:
    files = await application.evidence(session, personal, complaint_id)
    return [EvidenceOut.model_validate(file, from_attributes=True) for file in files]


@staff.get(
    "/complaints/{complaint_id}/evidence/{evidence_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_evidence(
    complaint_id: uuid.UUID,
    evidence_id: uuid.UUID,
    session: SessionDep,
    caller: SubmissionReader,
    personal: PersonalDep,
) -> Response:
    file = await application.download_evidence(session, personal, complaint_id, evidence_id)
    return Response(
        file.content,
        media_type=file.content_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"', "X-Content-SHA256": file.sha256},
    )


# --- the complainant's rights: access (GDPR Art 15) and erasure (Art 17) ----------------------------------


class ErasureOut(BaseModel):
    complaint_id: uuid.UUID
    erased_on: date
    already_erased: bool = Field(description="true if an earlier request had erased it already")


@staff.post(
    "/complaints/{complaint_id}/erasure",
    response_model=ErasureOut,
    summary="Erase the complainant's personal data (GDPR Art 17) by destroying their key",
    description="Every sealed value of the complainant (name, address, narrative, evidence, letters), in "
    "every table and on every topic, reads as erased from now on, and any value of theirs "
    "still in clear (stored by the previous release and not sealed yet) is withheld; the "
    "complaint stays in its case, whose history still reads and verifies. Announced as "
    "complaint.personal_data_erased. Cannot be undone.",
)
async def erase_personal_data(
    complaint_id: uuid.UUID, session: SessionDep, personal: PersonalDep, caller: Administrator, clock: ClockDep
) -> ErasureOut:
    erased = await application.erase_personal_data(session, personal, complaint_id, caller.subject, clock)
    return ErasureOut(complaint_id=complaint_id, erased_on=erased.on, already_erased=erased.already)


class EvidenceExport(EvidenceOut):
    content_base64: str | None = Field(description="the file; null once erased")


class LetterExport(BaseModel):
    title: str | None
    text: str | None = Field(description="null once erased")
    recorded_at: datetime


class PersonalDataExport(BaseModel):
    """Everything Docket holds about the complainant of one complaint."""

    complaint: ComplaintOut
    case_id: uuid.UUID | None
    progress: list[ProgressLine]
    evidence: list[EvidenceExport]
    letters: list[LetterExport] = Field(description="the letters Docket wrote to the complainant")


def evidence_export(file: application.EvidenceCopy) -> EvidenceExport:
    return EvidenceExport(
        id=file.id,
        filename=file.filename,
        content_type=file.content_type,
        size=file.size,
        sha256=file.sha256,
        uploaded_at=file.uploaded_at,
        content_base64=base64.b64encode(file.content).decode() if file.content else None,
    )


@staff.get(
    "/complaints/{complaint_id}/personal-data",
    response_model=PersonalDataExport,
    summary="Export what Docket holds about the complainant of a complaint (GDPR Art 15)",
)
async def export_personal_data(
    complaint_id: uuid.UUID, session: SessionDep, personal: PersonalDep, caller: Administrator
) -> PersonalDataExport:
    copy = await application.personal_data(session, personal, complaint_id)
    return PersonalDataExport(
        complaint=ComplaintOut.model_validate(copy.complaint, from_attributes=True),
        case_id=copy.case_id,
        progress=[ProgressLine.model_validate(line, from_attributes=True) for line in copy.progress],
        evidence=[evidence_export(file) for file in copy.evidence],
        letters=[LetterExport.model_validate(letter, from_attributes=True) for letter in copy.letters],
    )
