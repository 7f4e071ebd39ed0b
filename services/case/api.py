"""The case service's REST routes: staff commands, the read side, and the fine estimate."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Header, HTTPException, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from docket_contracts.events import (
    PROCEDURE_FIELD,
    AppealOutcome,
    Art58Point,
    CaseOutcome,
    ComplaintKind,
    FineCap,
    GdprArticle,
    Injunction,
    Order,
    OrderNotComplied,
    Procedure,
)
from docket_contracts.progress import due
from docket_identity.roles import Caller
from docket_service.limits import DAY_RANGE, INSTANT_RANGE, MAX_OFFSET, MAX_VERSION, Day, Instant, day, query_text, text

from . import domain, eventstore, fines, integrity, readside, timeline
from .application import Actor, execute
from .deps import (
    CaseReader,
    CasesDep,
    ClockDep,
    Decider,
    IntegrityChecker,
    Investigator,
    SanctionsCommittee,
    SessionDep,
)
from .domain import Command, Convention, Invalid, Rejected, Status
from .errors import StaleVersion, StreamNotFound
from .views import case_view

reads = APIRouter(tags=["cases"])
commands = APIRouter(tags=["case commands"])
fine_estimates = APIRouter(tags=["fines"])

# --- the bounds of a command ------------------------------------------------------------------------------
#
# Each command's event must fit in one Kafka message (the broker's message.max.bytes, about 1 MB) with room to
# spare, whatever the text: every character counts as 4 bytes of UTF-8 (docket_service.limits.text allows no
# control character, which would take 6). The largest event a command can cause is a formal notice or a
# sanction's injunction with MAX_ORDERS orders of MAX_ORDER_CHARS: 20 x 2,000 x 4 = 160,000 bytes of text.
# In plain ASCII that notice is about 41 KB of JSON, inside the default request body limit (64 KiB).
MAX_ORDERS = 20
MAX_ORDER_CHARS = 2_000
MAX_TEXT_CHARS = 10_000  # a scope, a finding's facts, a closure's reasons
MAX_FACTORS = 20
MAX_CONDUCTS = 20  # separate conducts in one sanction or estimate: 20 of 99 articles add about 12 KB to the event
MAX_FACTOR_CHARS = 200
# Beyond any undertaking's turnover, and within the integers a JSON reader holds exactly (2^53).
MAX_EUR = 10**15

Articles = Annotated[
    list[GdprArticle], Field(min_length=1, max_length=99, description="GDPR articles, 1 to 99 of them")
]
Amount = Annotated[int, Field(ge=0, le=MAX_EUR, description=f"whole euros, 0 to {MAX_EUR:,}")]
ConductArticles = Annotated[
    list[GdprArticle],
    Field(
        max_length=99,
        description=(
            "GDPR articles the conduct infringed, 0 to 99 of them (41 stands for Art 41(4); 85-91 for Member State law "
            "adopted under them)"
        ),
    ),
]
OrdersNotComplied = Annotated[
    list[OrderNotComplied],
    Field(
        max_length=2,
        description=(
            "orders of the authority not complied with: 58(1) access ordered under its investigative powers not given "
            "(Art 83(5)(e)); 58(2) a corrective order not complied with, which needs a formal notice of the case whose "
            "deadline passed without compliance (Art 83(6))"
        ),
    ),
]


# --- errors -----------------------------------------------------------------------------------------------


def install_error_handlers(app: FastAPI) -> None:
    async def rejected(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Rejected)
        return JSONResponse(
            {
                "detail": str(exc),
                "status": exc.state.status,
                "current_version": exc.state.version,
                "allowed_next_steps": list(domain.next_steps(exc.state)),
            },
            status_code=status.HTTP_409_CONFLICT,
        )

    async def stale(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StaleVersion)
        return JSONResponse(
            {"detail": str(exc), "current_version": exc.current_version},
            status_code=status.HTTP_409_CONFLICT,
            headers={"ETag": f'"{exc.current_version}"'},
        )

    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": f"no case {exc}"}, status_code=status.HTTP_404_NOT_FOUND)

    app.add_exception_handler(Rejected, rejected)
    app.add_exception_handler(StaleVersion, stale)
    app.add_exception_handler(StreamNotFound, not_found)


# --- commands ---------------------------------------------------------------------------------------------


class CommandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected_version: int | None = Field(
        default=None, ge=0, le=MAX_VERSION, description="the version you saw; or send If-Match"
    )


class OpenInvestigationIn(CommandIn):
    opened_on: Day
    scope: text(MAX_TEXT_CHARS, "what the investigation covers")


class FindingIn(CommandIn):
    articles: Articles
    facts: text(MAX_TEXT_CHARS, "what was found, about the controller's processing")


class OrderIn(BaseModel):
    """One corrective order, as the contract's Order but bounded so that a notice fits in one event."""

    model_config = ConfigDict(extra="forbid")

    point: Art58Point = Field(description="the point of GDPR Art 58(2) the order rests on")
    text: text(MAX_ORDER_CHARS, "what the controller must do")

    def order(self) -> Order:
        return Order(point=self.point, text=self.text)


Orders = Annotated[
    list[OrderIn],
    Field(min_length=1, max_length=MAX_ORDERS, description=f"orders under GDPR Art 58(2), 1 to {MAX_ORDERS} of them"),
]


class FormalNoticeIn(CommandIn):
    orders: Orders
    issued_on: Day
    compliance_deadline: day("after issued_on")


class ComplianceIn(CommandIn):
    complied_on: Day


class InjunctionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    orders: Orders
    deadline: day("after decided_on; or give days_after_notification") | None = None
    days_after_notification: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        default=None,
        description=(
            "the deadline as a period from the decision's notification to the controller (recorded later at "
            "/sanctions/{sanction_id}/notification), instead of a deadline"
        ),
    )
    daily_penalty_eur: Amount = Field(
        description=f"the periodic penalty payment a day of delay, at most EUR {fines.MAX_DAILY_PENALTY_EUR:,}"
    )

    @model_validator(mode="after")
    def _one_deadline(self) -> InjunctionIn:
        if (self.deadline is None) == (self.days_after_notification is None):
            raise ValueError("give either deadline or days_after_notification")
        return self

    def injunction(self) -> Injunction:
        return Injunction(
            orders=tuple(o.order() for o in self.orders),
            deadline=self.deadline,
            days_after_notification=self.days_after_notification,
            daily_penalty_eur=self.daily_penalty_eur,
        )


class NotificationIn(CommandIn):
    notified_on: day("the day the controller received it")


class ConductIn(BaseModel):
    """One sanctionable conduct: what it infringed and its fine, within the cap of its gravest infringement."""

    model_config = ConfigDict(extra="forbid")

    articles_infringed: ConductArticles = []
    orders_not_complied: OrdersNotComplied = []
    fine_eur: Amount

    def conduct(self) -> domain.Conduct:
        return domain.Conduct(
            articles=tuple(sorted(set(self.articles_infringed))),
            fine_eur=self.fine_eur,
            orders_not_complied=tuple(sorted(set(self.orders_not_complied))),
        )


class SanctionIn(CommandIn):
    decided_on: Day
    fine_eur: Amount = Field(description="the whole fine; with conducts, the sum of their fines")
    turnover_eur: Amount | None = Field(
        default=None, description=f"total worldwide annual turnover of the preceding financial year; 0 to {MAX_EUR:,}"
    )
    articles_infringed: Articles | None = Field(
        default=None,
        description=(
            "one conduct: the GDPR articles it infringed, capped together by the gravest (Art 83(3)); or give conducts"
        ),
    )
    orders_not_complied: OrdersNotComplied = []
    conducts: Annotated[list[ConductIn], Field(min_length=1, max_length=MAX_CONDUCTS)] | None = Field(
        default=None,
        description=f"several separate conducts, 1 to {MAX_CONDUCTS}, each fined within its own cap; "
        f"instead of articles_infringed and orders_not_complied",
    )
    injunction: InjunctionIn | None = None
    procedure: Procedure = PROCEDURE_FIELD


class ReprimandIn(CommandIn):
    decided_on: Day
    articles_infringed: Articles
    reasons: text(MAX_TEXT_CHARS, "what the reprimand finds, and why it imposes no fine")
    procedure: Procedure = PROCEDURE_FIELD


class PublicationIn(CommandIn):
    decision_id: uuid.UUID = Field(
        description="the formal notice (notice_id), sanction (sanction_id) or reprimand (reprimand_id) to make public"
    )
    published_on: day("the day it was made public, on or after the decision")


class PublicationWithdrawalIn(CommandIn):
    withdrawn_on: day("the day the publication was withdrawn, on or after it was made")
    reasons: text(MAX_TEXT_CHARS, "why it is withdrawn, e.g. the period set for the publication ended")


class AppealIn(CommandIn):
    decision_id: uuid.UUID = Field(description="the sanction (sanction_id) or reprimand (reprimand_id) appealed")
    lodged_on: day("the day the appeal was lodged before the Conseil d'État, on or after the decision")


class RulingIn(CommandIn):
    decided_on: day("the day the court ruled, on or after the appeal was lodged")
    outcome: AppealOutcome = Field(
        description=(
            "dismissed: the decision stands; annulled: it no longer stands, and the case goes back to where it stood "
            "before it, to be decided again or closed; fine_reduced: the sanction stands with the fine in fine_eur"
        )
    )
    fine_eur: Amount | None = Field(
        default=None, description="with fine_reduced only: the fine as the court reduced it, below the fine imposed"
    )


class LiquidationIn(CommandIn):
    period_start: Day
    period_end: Day
    convention: Convention = Field(description="; ".join(f"{k}: {v}" for k, v in domain.CONVENTIONS.items()))
    decided_on: Day = Field(description="the day of the liquidation decision, after the last day it counts")


class ClosureIn(CommandIn):
    outcome: CaseOutcome
    reasons: text(MAX_TEXT_CHARS, "why the case is closed")
    closed_on: Day


class EventOut(BaseModel):
    version: int
    position: int
    event_id: str
    type: str
    schema_version: int
    actor: str = Field(description="who caused the event: the token's subject, or system:<part> for Docket itself")
    actor_role: str | None = Field(description="the role the person acted in")
    actor_name: str | None = Field(description="the person's user name, as the identity provider gave it")
    previous_hash: str = Field(description="SHA-256 of the event before it in the case (GENESIS: 64 zeros)")
    hash: str = Field(description="SHA-256 of this event over its canonical encoding (see services/case/integrity.py)")
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, Any]


class CommandOut(BaseModel):
    case: dict[str, Any]
    events: list[dict[str, Any]]


# A case version as If-Match carries it: "3", 3 or W/"3" (ASCII digits only: str.isdigit also takes "²").
IF_MATCH = re.compile(rf'^(?:W/)?(?P<quote>"?)(?P<version>[0-9]{{1,{len(str(MAX_VERSION))}}})(?P=quote)$')


def expected(body: CommandIn, if_match: str | None) -> int:
    """The version the client saw, from If-Match ("3" or 3) or the body; both must agree."""
    from_header = None
    if if_match is not None:
        found = IF_MATCH.match(if_match)
        if found is None:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, 'If-Match must be a case version such as "3"')
        from_header = int(found["version"])
    if from_header is not None and body.expected_version is not None and from_header != body.expected_version:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "If-Match and expected_version disagree")
    version = from_header if from_header is not None else body.expected_version
    if version is None:
        raise HTTPException(
            status.HTTP_428_PRECONDITION_REQUIRED, "send the case version you saw, as If-Match or expected_version"
        )
    return version


IfMatch = Annotated[str | None, Header(alias="If-Match")]


async def run(
    cases: CasesDep,
    case_id: uuid.UUID,
    body: CommandIn,
    if_match: str | None,
    caller: Caller,
    command: Command,
    response: Response,
) -> CommandOut:
    actor = Actor(caller.subject, caller.acting_as, caller.name)
    state, events = await execute(cases, case_id, expected(body, if_match), command, actor)
    response.headers["ETag"] = f'"{state.version}"'
    return CommandOut(
        case=case_view(state),
        events=[{"type": e.type, "version": e.sequence, "event_id": e.id, "data": e.data} for e in events],
    )


@commands.post("/cases/{case_id}/investigation", response_model=CommandOut)
async def open_investigation(
    case_id: uuid.UUID,
    body: OpenInvestigationIn,
    cases: CasesDep,
    caller: Investigator,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    return await run(
        cases,
        case_id,
        body,
        if_match,
        caller,
        domain.OpenInvestigation(opened_on=body.opened_on, scope=body.scope),
        response,
    )


@commands.post("/cases/{case_id}/findings", response_model=CommandOut)
async def record_finding(
    case_id: uuid.UUID,
    body: FindingIn,
    cases: CasesDep,
    caller: Investigator,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordFinding(
        finding_id=uuid.uuid4(), articles=tuple(sorted(set(body.articles))), facts=body.facts
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post("/cases/{case_id}/formal-notices", response_model=CommandOut)
async def issue_formal_notice(
    case_id: uuid.UUID,
    body: FormalNoticeIn,
    cases: CasesDep,
    caller: Investigator,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.IssueFormalNotice(
        notice_id=uuid.uuid4(),
        orders=tuple(o.order() for o in body.orders),
        issued_on=body.issued_on,
        compliance_deadline=body.compliance_deadline,
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post(
    "/cases/{case_id}/formal-notices/{notice_id}/compliance",
    response_model=CommandOut,
    summary="Record compliance with a formal notice; dated by the deadline, it is taken even after the "
    "timer found the deadline passed, and that expiry is marked superseded",
)
async def record_compliance(
    case_id: uuid.UUID,
    notice_id: uuid.UUID,
    body: ComplianceIn,
    cases: CasesDep,
    caller: Investigator,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordCompliance(notice_id=notice_id, complied_on=body.complied_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post(
    "/cases/{case_id}/formal-notices/{notice_id}/notification",
    response_model=CommandOut,
    summary="Record the day the formal notice was notified to the controller",
)
async def record_notice_notification(
    case_id: uuid.UUID,
    notice_id: uuid.UUID,
    body: NotificationIn,
    cases: CasesDep,
    caller: Investigator,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordNoticeNotification(notice_id=notice_id, notified_on=body.notified_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post(
    "/cases/{case_id}/sanctions/{sanction_id}/notification",
    response_model=CommandOut,
    summary="Record the day the sanction decision was notified to the controller; an injunction "
    "whose deadline is a period from notification gets its deadline, and its penalty starts",
)
async def record_sanction_notification(
    case_id: uuid.UUID,
    sanction_id: uuid.UUID,
    body: NotificationIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordSanctionNotification(sanction_id=sanction_id, notified_on=body.notified_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post(
    "/cases/{case_id}/sanctions",
    response_model=CommandOut,
    summary="Impose a sanction: a fine within the GDPR Art 83 cap of each conduct it fines, and an "
    "optional injunction with its periodic penalty payment",
)
async def impose_sanction(
    case_id: uuid.UUID,
    body: SanctionIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.ImposeSanction(
        sanction_id=uuid.uuid4(),
        decided_on=body.decided_on,
        fine_eur=body.fine_eur,
        turnover_eur=body.turnover_eur,
        articles=tuple(sorted(set(body.articles_infringed or ()))),
        injunction=body.injunction.injunction() if body.injunction else None,
        orders_not_complied=tuple(sorted(set(body.orders_not_complied))),
        conducts=tuple(c.conduct() for c in body.conducts or ()),
        procedure=body.procedure,
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post(
    "/cases/{case_id}/reprimands",
    response_model=CommandOut,
    summary="Issue a reprimand (GDPR Art 58(2)(b)): the infringements found, without a fine; the case may "
    "then close as reprimanded",
)
async def issue_reprimand(
    case_id: uuid.UUID,
    body: ReprimandIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.IssueReprimand(
        reprimand_id=uuid.uuid4(),
        decided_on=body.decided_on,
        articles=tuple(sorted(set(body.articles_infringed))),
        reasons=body.reasons,
        procedure=body.procedure,
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post(
    "/cases/{case_id}/publications",
    response_model=CommandOut,
    summary="Make a formal notice, a sanction or a reprimand public (never one taken under the simplified procedure)",
)
async def publish_decision(
    case_id: uuid.UUID,
    body: PublicationIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.PublishDecision(
        publication_id=uuid.uuid4(), decision_id=body.decision_id, published_on=body.published_on
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post(
    "/cases/{case_id}/publications/{publication_id}/withdrawal",
    response_model=CommandOut,
    summary="Withdraw a publication: the decision stands, no longer public; also after the case closed",
)
async def withdraw_publication(
    case_id: uuid.UUID,
    publication_id: uuid.UUID,
    body: PublicationWithdrawalIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.WithdrawPublication(
        publication_id=publication_id, withdrawn_on=body.withdrawn_on, reasons=body.reasons
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post(
    "/cases/{case_id}/appeals",
    response_model=CommandOut,
    summary="Record the controller's appeal of a sanction or a reprimand before the Conseil d'État; the "
    "case cannot close until the court has ruled",
)
async def lodge_appeal(
    case_id: uuid.UUID,
    body: AppealIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.LodgeAppeal(appeal_id=uuid.uuid4(), decision_id=body.decision_id, lodged_on=body.lodged_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post(
    "/cases/{case_id}/appeals/{appeal_id}/ruling",
    response_model=CommandOut,
    summary="Record the court's ruling on an appeal: dismissed, annulled (the case goes back to before the "
    "decision) or the fine reduced",
)
async def record_ruling(
    case_id: uuid.UUID,
    appeal_id: uuid.UUID,
    body: RulingIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordRuling(
        appeal_id=appeal_id, decided_on=body.decided_on, outcome=body.outcome, fine_eur=body.fine_eur
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post(
    "/cases/{case_id}/sanctions/{sanction_id}/compliance",
    response_model=CommandOut,
    summary="Record compliance with a sanction's injunction: its penalty payment stops accruing that day",
)
async def record_injunction_compliance(
    case_id: uuid.UUID,
    sanction_id: uuid.UUID,
    body: ComplianceIn,
    cases: CasesDep,
    caller: Investigator,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.RecordInjunctionCompliance(sanction_id=sanction_id, complied_on=body.complied_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post("/cases/{case_id}/sanctions/{sanction_id}/liquidations", response_model=CommandOut)
async def liquidate_penalty(
    case_id: uuid.UUID,
    sanction_id: uuid.UUID,
    body: LiquidationIn,
    cases: CasesDep,
    caller: SanctionsCommittee,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.LiquidatePenalty(
        sanction_id=sanction_id,
        period_start=body.period_start,
        period_end=body.period_end,
        convention=body.convention,
        decided_on=body.decided_on,
    )
    return await run(cases, case_id, body, if_match, caller, command, response)


@commands.post("/cases/{case_id}/closure", response_model=CommandOut)
async def close_case(
    case_id: uuid.UUID,
    body: ClosureIn,
    cases: CasesDep,
    caller: Decider,
    response: Response,
    if_match: IfMatch = None,
) -> CommandOut:
    command = domain.CloseCase(outcome=body.outcome, reasons=body.reasons, closed_on=body.closed_on)
    return await run(cases, case_id, body, if_match, caller, command, response)


# --- reads ------------------------------------------------------------------------------------------------


class CaseSummaryOut(BaseModel):
    case_id: uuid.UUID
    controller_key: str
    controller_name: str
    status: Status
    opened_on: date
    complaints: int
    next_deadline: date | None
    deadline_overdue: bool
    outcome: CaseOutcome | None
    version: int

    @classmethod
    def of(cls, row: readside.CaseSummaryRow, today: date) -> CaseSummaryOut:
        overdue = row.next_deadline is not None and row.next_deadline < today
        return cls(**row.model_dump(exclude={"position"}), deadline_overdue=overdue)


class CasePage(BaseModel):
    items: list[CaseSummaryOut]
    total: int
    limit: int
    offset: int


@reads.get("/cases", response_model=CasePage, summary="List cases, newest first, with filters")
async def list_cases(
    session: SessionDep,
    clock: ClockDep,
    caller: CaseReader,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    controller: query_text(300, "controller key or part of its name") = None,
    overdue: Annotated[
        bool | None, Query(description="a formal notice's deadline has passed without recorded compliance")
    ] = None,
    complaint_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> CasePage:
    today = clock.today()
    total, rows = await readside.case_summaries(
        session,
        today,
        status=status_,
        controller=controller,
        overdue=overdue,
        complaint_id=complaint_id,
        limit=limit,
        offset=offset,
    )
    items = [CaseSummaryOut.of(row, today) for row in rows]
    return CasePage(items=items, total=total, limit=limit, offset=offset)


class OverdueComplaint(BaseModel):
    case_id: uuid.UUID
    complaint_id: uuid.UUID
    last_progress_on: date
    progress_due_on: date

    @classmethod
    def of(cls, clock: readside.ComplainantClockRow) -> OverdueComplaint:
        return cls(
            case_id=clock.case_id,
            complaint_id=clock.complaint_id,
            last_progress_on=clock.last_progress_on,
            progress_due_on=due(clock.last_progress_on),
        )


@reads.get(
    "/art78-overdue",
    response_model=list[OverdueComplaint],
    summary="Complainants not told of progress within three months (GDPR Art 78(2))",
)
async def art78_overdue(
    session: SessionDep,
    clock: ClockDep,
    caller: CaseReader,
    as_of: Annotated[Day | None, Query(description=f"the day to look from, today by default; {DAY_RANGE}")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[OverdueComplaint]:
    found = await readside.overdue(session, as_of or clock.today(), limit=limit, offset=offset)
    return [OverdueComplaint.of(r) for r in found]


@reads.get("/cases/{case_id}", summary="A case; with ?as_of= the case as it stood then, replayed from its events")
async def get_case(
    case_id: uuid.UUID,
    session: SessionDep,
    response: Response,
    caller: CaseReader,
    as_of: Annotated[
        Instant | None, Query(description=f"an instant with its time zone, e.g. 2026-11-22T10:00:00Z; {INSTANT_RANGE}")
    ] = None,
) -> dict[str, Any]:
    document = await readside.case_document(session, case_id, as_of)
    response.headers["ETag"] = f'"{document["version"]}"'
    return document


HISTORY_PAGE = 1000


@reads.get(
    "/cases/{case_id}/history",
    response_model=list[EventOut],
    summary="The events of the case in order, with actor, time and payload, a page at a time",
    responses={
        200: {
            "description": "up to `limit` events after version `after`; when more follow, a "
            '`Link: <...>; rel="next"` header gives the next page'
        }
    },
)
async def case_history(
    case_id: uuid.UUID,
    session: SessionDep,
    request: Request,
    response: Response,
    caller: CaseReader,
    after: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="the last version already read")] = 0,
    limit: Annotated[int, Query(ge=1, le=HISTORY_PAGE)] = HISTORY_PAGE,
) -> list[eventstore.EventRow]:
    found, more = await eventstore.history(session, case_id, after, limit)
    if more:
        following = request.url.include_query_params(after=found[-1].version, limit=limit)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return found


@reads.get(
    "/cases/{case_id}/timeline.svg",
    response_class=Response,
    summary="The case on a time axis (SVG): complaints, investigation, formal notice, sanction, penalty, closure",
    responses={
        200: {"content": {"image/svg+xml": {}}, "description": "every event of the case is a mark carrying its version"}
    },
)
async def case_timeline(case_id: uuid.UUID, session: SessionDep, caller: CaseReader) -> Response:
    case, history = await readside.case_with_history(session, case_id)
    title = f"{case['controller']['name']}: case opened {case['opened_on']}, {case['status'].replace('_', ' ')}"
    return Response(timeline.draw(title, history), media_type="image/svg+xml")


class CaseComplaintOut(BaseModel):
    complaint_id: uuid.UUID
    kind: ComplaintKind | None
    received_on: date | None
    linked_at_version: int | None = Field(description="the case version whose event linked it")

    @classmethod
    def of(cls, row: readside.CaseComplaintRow) -> CaseComplaintOut:
        return cls(
            complaint_id=row.complaint_id, kind=row.kind, received_on=row.received_on, linked_at_version=row.version
        )


class CaseComplaintPage(BaseModel):
    items: list[CaseComplaintOut]
    total: int
    limit: int
    offset: int


@reads.get(
    "/cases/{case_id}/complaints",
    response_model=CaseComplaintPage,
    summary="The complaints of the case in the order they were linked, a page at a time",
)
async def case_complaints(
    case_id: uuid.UUID,
    session: SessionDep,
    caller: CaseReader,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> CaseComplaintPage:
    total, rows = await readside.case_complaints(session, case_id, limit=limit, offset=offset)
    items = [CaseComplaintOut.of(r) for r in rows]
    return CaseComplaintPage(items=items, total=total, limit=limit, offset=offset)


class BrokenLinkOut(BaseModel):
    version: int = Field(description="the first version whose link to the stream does not hold")
    reason: str


class IntegrityOut(BaseModel):
    case_id: uuid.UUID
    intact: bool
    events: int = Field(description="events read, up to and including the first broken link")
    head_version: int | None = Field(description="the version the stream was last appended at")
    first_broken_link: BrokenLinkOut | None


def integrity_out(verdict: integrity.Verdict) -> IntegrityOut:
    broken = verdict.broken
    return IntegrityOut(
        case_id=verdict.stream_id,
        intact=verdict.intact,
        events=verdict.events,
        head_version=verdict.head_version,
        first_broken_link=BrokenLinkOut(version=broken.version, reason=broken.reason) if broken else None,
    )


@reads.get(
    "/cases/{case_id}/integrity",
    response_model=IntegrityOut,
    summary="Check the case's hash chain: every event follows from the one before, up to the recorded head",
)
async def case_integrity(case_id: uuid.UUID, session: SessionDep, caller: IntegrityChecker) -> IntegrityOut:
    return integrity_out(await eventstore.integrity(session, case_id))


# --- fine estimate ----------------------------------------------------------------------------------------


class FactorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: text(MAX_FACTOR_CHARS, "the circumstance of Art 83(2)")
    percent: Annotated[int, Field(ge=0, le=100, description="its weight in percent of the amount, 0 to 100")]


Factors = Annotated[list[FactorIn], Field(max_length=MAX_FACTORS, description=f"0 to {MAX_FACTORS} of them")]


Position = Annotated[Decimal, Field(ge=0, le=1, description="a point in a range, 0 (its bottom) to 1 (its top)")]


class AssessmentIn(BaseModel):
    """One conduct as the authority assesses it (EDPB Guidelines 04/2022, steps 2 and 3)."""

    model_config = ConfigDict(extra="forbid")

    articles_infringed: ConductArticles = []
    orders_not_complied: OrdersNotComplied = []
    seriousness: fines.Seriousness
    position: Position = Field(default=Decimal("0.5"), description="where in the seriousness level's range, 0 to 1")
    aggravating: Factors = []
    mitigating: Factors = []

    def assessment(self, seriousness: fines.Seriousness) -> fines.Assessment:
        return fines.Assessment(
            articles=tuple(self.articles_infringed),
            seriousness=seriousness,
            position=self.position,
            orders_not_complied=tuple(self.orders_not_complied),
            aggravating=tuple(fines.Factor(f.name, f.percent) for f in self.aggravating),
            mitigating=tuple(fines.Factor(f.name, f.percent) for f in self.mitigating),
        )


class AdjustmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    percent: Annotated[int, Field(ge=-100, le=100, description="the change, -100 to +100 %")]
    reason: text(MAX_FACTOR_CHARS, "why the fine needs it to be effective, proportionate and dissuasive")


class InabilityToPayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payable_eur: Amount = Field(
        description="the most the undertaking can pay without its economic viability being irretrievably jeopardised"
    )
    evidence: text(MAX_FACTOR_CHARS, "the objective evidence of it")


class FineEstimateIn(AssessmentIn):
    """One conduct by the fields of AssessmentIn, or several separate ones in conducts; and the undertaking."""

    seriousness: fines.Seriousness | None = Field(default=None, description="required unless conducts are given")  # type: ignore[assignment]
    conducts: Annotated[list[AssessmentIn], Field(min_length=1, max_length=MAX_CONDUCTS)] | None = Field(
        default=None, description=f"several separate conducts, 1 to {MAX_CONDUCTS}, instead of one conduct's fields"
    )
    turnover_eur: Amount = Field(
        description="total worldwide annual turnover of the undertaking in the preceding financial year"
    )
    size_position: Position | None = Field(
        default=None,
        description=(
            "where in the range of the undertaking's turnover band (up to EUR 500M of turnover) to take the starting "
            "amount; by default the point at which its turnover lies within the band"
        ),
    )
    effectiveness: AdjustmentIn | None = None
    inability_to_pay: InabilityToPayIn | None = None

    def assessments(self) -> list[fines.Assessment]:
        """The conducts to estimate, each charging only what Art 83(4)-(6) make subject to a fine."""
        if self.conducts is None:
            if self.seriousness is None:
                raise Invalid("seriousness", "give the seriousness of the conduct, or give conducts")
            named = [("", self.assessment(self.seriousness))]
        else:
            beside = sorted(set(AssessmentIn.model_fields) & self.model_fields_set)
            if beside:
                raise Invalid(beside[0], "give it within each of conducts, not beside them")
            named = [(f"conducts.{n}.", c.assessment(c.seriousness)) for n, c in enumerate(self.conducts)]
        for field_prefix, assessment in named:
            try:
                fines.provisions(assessment.articles, assessment.orders_not_complied)
            except fines.NotFineable as exc:
                raise Invalid(f"{field_prefix}articles_infringed", str(exc)) from None
        return [assessment for _, assessment in named]

    def adjustment(self) -> fines.Adjustment:
        effective, unable = self.effectiveness, self.inability_to_pay
        return fines.Adjustment(
            percent=effective.percent if effective else 0,
            reason=effective.reason if effective else "",
            payable_eur=unable.payable_eur if unable else None,
            evidence=unable.evidence if unable else "",
        )


class StepOut(BaseModel):
    step: str
    explanation: str
    amount_eur: int
    range_eur: tuple[int, int] | None = Field(
        description="the lowest and highest amount the step could reach; amount_eur is the point chosen"
    )


class ConductFineOut(BaseModel):
    articles_infringed: list[int]
    orders_not_complied: list[OrderNotComplied]
    cap: FineCap = Field(description="the cap of the conduct's gravest infringement (Art 83(3))")
    starting_amount_eur: int
    fine_eur: int


class FineEstimateOut(BaseModel):
    method: Literal["EDPB Guidelines 04/2022"] = "EDPB Guidelines 04/2022"
    steps: list[StepOut]
    conducts: list[ConductFineOut]
    fine_eur: int


@fine_estimates.post(
    "/fine-estimates",
    response_model=FineEstimateOut,
    summary="Walk the five steps of the EDPB Guidelines 04/2022 and show each with its reasons",
)
async def estimate_fine(body: FineEstimateIn, caller: Decider) -> FineEstimateOut:
    found = fines.estimate(body.assessments(), body.turnover_eur, body.size_position, body.adjustment())
    return FineEstimateOut(
        steps=[StepOut(**vars(s)) for s in found.steps],
        fine_eur=found.fine_eur,
        conducts=[
            ConductFineOut(
                articles_infringed=list(c.articles),
                orders_not_complied=list(c.orders_not_complied),
                cap=c.cap,
                starting_amount_eur=c.starting_amount_eur,
                fine_eur=c.fine_eur,
            )
            for c in found.conducts
        ],
    )
