"""What the case service's routes take and give: the commands' bodies and answer, and the read side's
documents. The fine estimate's own are in fines.py.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from docket_contracts.events import (
    AppealOutcome,
    Art58Point,
    CaseOutcome,
    CheckKind,
    ComplaintKind,
    Injunction,
    Order,
    PublicationAuthority,
    TimeLimit,
)
from docket_contracts.progress import due
from docket_service.limits import MAX_VERSION, Day, day, text

from .. import domain, integrity, readside
from ..domain import Convention, Status, fines
from .bounds import (
    MAX_CONDUCTS,
    MAX_EUR,
    MAX_NAME_CHARS,
    MAX_ORDER_CHARS,
    MAX_ORDERS,
    MAX_REFERENCE_CHARS,
    MAX_TEXT_CHARS,
    Amount,
    Articles,
    ConductArticles,
    NationalProvisions,
    OrdersNotComplied,
)

# --- commands ---------------------------------------------------------------------------------------------


class CommandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected_version: int | None = Field(
        default=None, ge=0, le=MAX_VERSION, description="the version you saw; or send If-Match"
    )


class OpenInvestigationIn(CommandIn):
    """The President's decision to carry out checks."""

    opened_on: day("the day of the President's decision to carry out checks")
    scope: text(MAX_TEXT_CHARS, "what the investigation covers")
    decision_reference: text(MAX_REFERENCE_CHARS, "the reference of the President's decision, e.g. 2020-116C")


class CheckIn(CommandIn):
    kind: CheckKind = Field(
        description="questionnaire (a check on documents), online, on_site, or hearing (the controller heard)"
    )
    carried_out_on: day("the day the check was carried out, or the questionnaire sent")
    description: text(MAX_TEXT_CHARS, "what was checked or asked")


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


class TimeLimitIn(BaseModel):
    """A number of days or a number of months, from the day the act reaches the controller."""

    model_config = ConfigDict(extra="forbid")

    days: Annotated[int, Field(ge=1, le=3650)] | None = None
    months: Annotated[int, Field(ge=1, le=120)] | None = None

    @model_validator(mode="after")
    def _days_or_months(self) -> TimeLimitIn:
        if (self.days is None) == (self.months is None):
            raise ValueError("give days or months")
        return self

    def time_limit(self) -> TimeLimit:
        return TimeLimit(days=self.days, months=self.months)


class WarningIn(CommandIn):
    """The President's warning (GDPR Art 58(2)(a); loi 78-17 art 20 I)."""

    decided_on: Day
    reference: text(MAX_REFERENCE_CHARS, "the President's decision")
    articles: Articles = Field(description="the GDPR articles the intended processing is likely to infringe")
    intended_processing: text(MAX_TEXT_CHARS, "the processing the controller intends")


class FormalNoticeIn(CommandIn):
    """The President's formal notice (loi 78-17 art 20 II)."""

    orders: Orders
    issued_on: Day
    reference: text(MAX_REFERENCE_CHARS, "the President's decision, e.g. MED-2021-134")
    time_limit: TimeLimitIn = Field(
        description=(
            "to comply, from the day the controller receives the notice (décret 2019-536 art 38): at least ten days "
            "unless urgency is invoked; the deadline is fixed when the notification is recorded"
        )
    )
    urgency: bool = Field(default=False, description="urgency invoked: the time limit may be under ten days")


class NoticeExtensionIn(CommandIn):
    decided_on: day("the day the President extended the time limit, by its deadline")
    extension: TimeLimitIn = Field(description="how much longer the controller has; once (décret 2019-536 art 38)")
    reasons: text(MAX_TEXT_CHARS, "why: the complexity of the case")


class ComplianceIn(CommandIn):
    complied_on: Day


class InjunctionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    orders: Orders
    deadline: day("after decided_on; or give days_after_notification or months_after_notification") | None = None
    days_after_notification: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        default=None,
        description=(
            "the deadline as a period from the decision's notification to the controller (recorded later at "
            "/sanctions/{sanction_id}/notification), instead of a deadline"
        ),
    )
    months_after_notification: Annotated[int, Field(ge=1, le=120)] | None = Field(
        default=None, description="or as a number of months from that notification (the CNIL's two months)"
    )
    daily_penalty_eur: Amount = Field(
        description=f"the periodic penalty payment a day of delay, at most EUR {fines.MAX_DAILY_PENALTY_EUR:,}"
    )

    @model_validator(mode="after")
    def _one_deadline(self) -> InjunctionIn:
        given = [self.deadline, self.days_after_notification, self.months_after_notification]
        if sum(value is not None for value in given) != 1:
            raise ValueError("give either deadline, days_after_notification or months_after_notification")
        return self

    def injunction(self) -> Injunction:
        return Injunction(
            orders=tuple(o.order() for o in self.orders),
            deadline=self.deadline,
            days_after_notification=self.days_after_notification,
            months_after_notification=self.months_after_notification,
            daily_penalty_eur=self.daily_penalty_eur,
        )


class NotificationIn(CommandIn):
    notified_on: day("the day the controller received it")


class ConductIn(BaseModel):
    """One sanctionable conduct: what it infringed and its fine, within the cap of its gravest infringement."""

    model_config = ConfigDict(extra="forbid")

    articles_infringed: ConductArticles = []
    orders_not_complied: OrdersNotComplied = []
    national_provisions: NationalProvisions = []
    fine_eur: Amount

    def conduct(self) -> domain.Conduct:
        return domain.Conduct(
            articles=tuple(sorted(set(self.articles_infringed))),
            fine_eur=self.fine_eur,
            orders_not_complied=tuple(sorted(set(self.orders_not_complied))),
            national=tuple(sorted(set(self.national_provisions))),
        )


class DeliberationIn(CommandIn):
    """The restricted committee's deliberation that reaches the decision (loi 78-17 art 22)."""

    decided_on: day("the day of the deliberation")
    reference: text(MAX_REFERENCE_CHARS, "the deliberation's reference, e.g. SAN-2022-019")
    members: Annotated[list[text(MAX_NAME_CHARS, "a member's name")], Field(min_length=1, max_length=6)] = Field(
        description=(
            "the members of the restricted committee who sat, never the rapporteur, at least the quorum "
            "(RESTRICTED_COMMITTEE_QUORUM); under the simplified procedure the one member designated"
        )
    )


class SanctionIn(DeliberationIn):
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
    national_provisions: NationalProvisions = []
    conducts: Annotated[list[ConductIn], Field(min_length=1, max_length=MAX_CONDUCTS)] | None = Field(
        default=None,
        description=f"several separate conducts, 1 to {MAX_CONDUCTS}, each fined within its own cap; "
        f"instead of articles_infringed, orders_not_complied and national_provisions",
    )
    injunction: InjunctionIn | None = None


class ReprimandIn(DeliberationIn):
    articles_infringed: Articles
    reasons: text(MAX_TEXT_CHARS, "what the reprimand finds, and why it imposes no fine")


PUBLISHER_FIELD: Any = Field(
    description=(
        "who decided it: the bureau at the President's request (a formal notice; the President's token) or the "
        "restricted committee (its sanctions, reprimands and liquidations; a committee member's token)"
    )
)


class PublicationIn(CommandIn):
    decision_id: uuid.UUID = Field(
        description=(
            "the formal notice (notice_id), sanction (sanction_id), reprimand (reprimand_id) or liquidation "
            "(liquidation_id) to make public"
        )
    )
    published_on: day("the day it was made public, on or after the decision, also after the case closed")
    anonymised_on: day(
        "the day the controller's name is removed from the publication, after it is made (a publication with no "
        "end is excessive); a decision the court reformed is made public again with the same day"
    )
    decided_by: PublicationAuthority = PUBLISHER_FIELD


class PublicationWithdrawalIn(CommandIn):
    withdrawn_on: day("the day the publication was withdrawn, on or after it was made")
    reasons: text(MAX_TEXT_CHARS, "why it is withdrawn, e.g. taken down before the day set for anonymisation")
    decided_by: PublicationAuthority = PUBLISHER_FIELD


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
    """The written procedure of a liquidation (décret 2019-536 art 44): its reasons and envisaged amount, notified
    to the controller, who has fifteen days to answer."""

    opened_on: day("the day the reasons and the envisaged amount reached the controller, after the period")
    period_start: Day
    period_end: Day
    convention: Convention = Field(description="; ".join(f"{k}: {v}" for k, v in domain.CONVENTIONS.items()))
    envisaged_amount_eur: Amount = Field(description="at most the days of delay times the daily rate")
    reasons: text(MAX_TEXT_CHARS, "why the committee envisages liquidating, and at that amount")


class LiquidationObservationsIn(CommandIn):
    received_on: day("the day the controller's written observations were received, within the fifteen days")


class LiquidationDecisionIn(CommandIn):
    decided_on: day("the day of the restricted committee's decision, after the controller's fifteen days")
    amount_eur: Amount = Field(
        description="the amount the committee fixes, up to days x rate and up to the amount notified"
    )
    reasons: text(MAX_TEXT_CHARS, "the controller's conduct, its difficulties, what it sent")
    reference: text(MAX_REFERENCE_CHARS, "the decision's reference, e.g. SAN-2023-005") | None = None


class InjunctionEndIn(CommandIn):
    ended_on: day("the day the restricted committee ended the injunction")
    reasons: text(MAX_TEXT_CHARS, "why")


class ClosureIn(CommandIn):
    outcome: CaseOutcome
    reasons: text(MAX_TEXT_CHARS, "why the case is closed")
    closed_on: Day


class CommandOut(BaseModel):
    case: dict[str, Any]
    events: list[dict[str, Any]]


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
    under_enforcement: bool = Field(
        description="sanctioned, with an injunction neither complied with nor ended: the case stays open"
    )

    @classmethod
    def of(cls, row: readside.CaseSummaryRow, today: date) -> CaseSummaryOut:
        overdue = row.next_deadline is not None and row.next_deadline < today
        return cls(**row.model_dump(exclude={"position"}), deadline_overdue=overdue)


class CasePage(BaseModel):
    items: list[CaseSummaryOut]
    total: int
    limit: int
    offset: int


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


class BrokenLinkOut(BaseModel):
    version: int = Field(description="the first version whose link to the stream does not hold")
    reason: str


class IntegrityOut(BaseModel):
    case_id: uuid.UUID
    intact: bool
    events: int = Field(description="events read, up to and including the first broken link")
    head_version: int | None = Field(description="the version the stream was last appended at")
    first_broken_link: BrokenLinkOut | None

    @classmethod
    def of(cls, verdict: integrity.Verdict) -> IntegrityOut:
        broken = verdict.broken
        return cls(
            case_id=verdict.stream_id,
            intact=verdict.intact,
            events=verdict.events,
            head_version=verdict.head_version,
            first_broken_link=BrokenLinkOut(version=broken.version, reason=broken.reason) if broken else None,
        )
