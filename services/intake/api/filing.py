"""Filing a complaint: at the public door, and from paper (staff, with the true receipt date)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import Header, Request, status
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from docket_contracts.events import ComplaintCategory, ComplaintKind, Controller, CountryCode, GdprArticle, Language
from docket_privacy.personal import PersonalData
from docket_service.limits import EARLIEST_DAY, NO_CONTROLS, EmailAddress, printable, text

from .. import domain
from ..application import filing as application
from ..application.filing import Receipt
from ..deps import ClockDep, IntakeOfficer, PersonalDep, SessionDep, SettingsDep, public_door, staff_door
from .door import STATUS_PATH

public = public_door()
staff = staff_door()

# Visible ASCII: the key is stored and compared, and a header carries nothing else on the wire.
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]+$"


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
    constitution_proof: text(200) | None = Field(
        default=None,
        description="a body's proof that it is properly constituted under the law of a Member State: the register "
        "and number it is constituted under, or the reference of the document proving it; required of a body where "
        "the complaint is presumed cross-border (Regulation 2025/2518 art 4(1)(b), as reported)",
    )
    complainant: PartyIn = Field(description="the data subject, or the body lodging for data subjects")
    controller: ControllerIn
    # Required but where the complaint is presumed cross-border, which Regulation 2025/2518 art 4(1) lets omit them
    # (domain.file_complaint says so, naming the field).
    category: ComplaintCategory | None = None
    articles_alleged: Annotated[list[GdprArticle], Field(max_length=99)] = []
    narrative: text(20_000)
    territory: Annotated[list[CountryCode], Field(max_length=40)] = []
    # Bounded below here, above by today (the route says so, naming the day): no date it takes can overflow.
    received_on: Annotated[date, Field(ge=EARLIEST_DAY)] | None = Field(
        default=None,
        description="defaults to today (in REGULATOR_TIMEZONE); at most RECEIVED_ON_MAX_AGE_DAYS (30) days back",
    )
    language: Language | None = Field(
        default=None, description="the language to write to the complainant in; DEFAULT_LANGUAGE (fr) when not given"
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
    # Anyone may type any address here: it is proven by the code sent to it before anything else goes there.
    return await file(
        body,
        session,
        request,
        personal,
        application.PUBLIC_SCOPE,
        idempotency_key,
        today,
        earliest,
        settings.default_language,
        paper=False,
        own_state=settings.member_state,
    )


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
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """The receipt's status token is shown once, as at the public door: send it to the complainant. A body's
    presumed cross-border complaint without its proof of constitution is recorded all the same, the receipt naming
    what is missing: it is declared inadmissible within two weeks of its receipt (Regulation 2025/2518 art 4(2), as
    reported)."""
    scope = application.staff_scope(caller.subject)
    # The address is the one the complainant wrote on their own letter, recorded by an intake officer.
    today = clock.today()
    return await file(
        body,
        session,
        request,
        personal,
        scope,
        idempotency_key,
        today,
        None,
        settings.default_language,
        paper=True,
        own_state=settings.member_state,
    )


async def file(
    body: ComplaintIn,
    session: SessionDep,
    request: Request,
    personal: PersonalData,
    scope: str,
    idempotency_key: str | None,
    today: date,
    earliest: date | None,
    default_language: Language,
    *,
    paper: bool,
    own_state: str,
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
        language=body.language or default_language,
        constitution_proof=body.constitution_proof,
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
        else application.Idempotency.of(scope, idempotency_key, body.model_dump(mode="json")),
        address_proven=paper,
        own_state=own_state,
        from_paper=paper,
    )
    # A Receipt's already, or the first answer to this key: not checked again.
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=answer.status_code, headers=headers)
