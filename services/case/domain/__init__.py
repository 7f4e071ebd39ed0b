"""The case aggregate, pure: decide(state, command) -> events; evolve(state, event) -> state.

A command that does not fit the state raises Rejected (the state and the allowed next steps);
a command whose values break a rule raises Invalid (the field and the rule). Nothing else fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import reduce
from typing import Any, Literal
from uuid import UUID

from docket_contracts.errors import Invalid
from docket_contracts.events import (
    AppealableDecision,
    AppealDecided,
    AppealLodged,
    AppealOutcome,
    CaseClosed,
    CaseOpened,
    CaseOutcome,
    ComplaintFiled,
    ComplaintLinked,
    ConductFined,
    Controller,
    FindingRecorded,
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeIssued,
    FormalNoticeNotified,
    Injunction,
    InjunctionComplied,
    InvestigationOpened,
    Order,
    OrderNotComplied,
    Payload,
    PenaltyPaymentImposed,
    PenaltyPaymentLiquidated,
    Procedure,
    PublicationMade,
    PublicationWithdrawn,
    PublishedDecision,
    ReprimandIssued,
    SanctionImposed,
    SanctionNotified,
)

from . import fines

Status = Literal[
    "none",
    "open",
    "investigating",
    "formal_notice",
    "notice_complied",
    "notice_expired",
    "sanctioned",
    "reprimanded",
    "closed",
]

NEXT_STEPS: dict[Status, tuple[str, ...]] = {
    "none": ("open the case from a complaint",),
    "open": ("open an investigation", "link a complaint", "close as dismissed or no infringement"),
    "investigating": (
        "record a finding",
        "issue a formal notice",
        "impose a sanction",
        "issue a reprimand",
        "link a complaint",
        "close as dismissed or no infringement",
    ),
    "formal_notice": (
        "record compliance with the formal notice",
        "record the notice's notification",
        "link a complaint",
        "close as dismissed or no infringement",
    ),
    "notice_complied": ("close as complied", "link a complaint"),
    "notice_expired": (
        "impose a sanction",
        "issue a reprimand",
        "record compliance dated by the deadline",
        "link a complaint",
        "close as dismissed or no infringement",
    ),
    "sanctioned": (
        "record the decision's notification",
        "record compliance with the injunction",
        "liquidate the penalty payment",
        "link a complaint",
        "close as sanctioned",
    ),
    "reprimanded": ("link a complaint", "close as reprimanded"),
    "closed": (),
}

Convention = Literal["exclusive_end", "inclusive"]
CONVENTIONS: dict[Convention, str] = {
    "exclusive_end": "days of delay from period_start up to but not including period_end, the day compliance "
    "was recorded",
    "inclusive": "calendar days from period_start to period_end, both included",
}


class Rejected(Exception):
    """A command that does not fit the case's current state (HTTP 409)."""

    def __init__(self, state: CaseState, action: str, why: str = "") -> None:
        allowed = "; ".join(next_steps(state)) or "none, the case is closed"
        reason = f" ({why})" if why else ""
        super().__init__(
            f"cannot {action}: the case is {state.status.replace('_', ' ')}{reason}; allowed next steps: {allowed}"
        )
        self.state = state


@dataclass(frozen=True)
class Notice:
    notice_id: UUID
    issued_on: date
    deadline: date
    orders: tuple[Order, ...]
    status: Literal["pending", "complied", "expired"] = "pending"
    complied_on: date | None = None
    expiry_superseded: bool = False  # expired by the timer, then compliance by the deadline was recorded
    notified_on: date | None = None  # the day the notice reached the controller


@dataclass(frozen=True)
class Liquidation:
    period_start: date
    period_end: date
    days_counted: int
    amount_eur: int
    decided_on: date

    @property
    def last_day(self) -> date:
        """The last day of delay the liquidation counted, whatever its convention."""
        return self.period_start + timedelta(days=self.days_counted - 1)


@dataclass(frozen=True)
class Sanction:
    sanction_id: UUID
    decided_on: date
    fine_eur: int
    articles: tuple[int, ...]
    injunction: Injunction | None
    daily_penalty_eur: int = 0
    accrues_from: date | None = None
    liquidations: tuple[Liquidation, ...] = ()
    injunction_complied_on: date | None = None
    notified_on: date | None = None  # the day the decision reached the controller
    procedure: Procedure = "ordinary"
    annulled_on: date | None = None  # the court annulled it: it no longer stands
    reduced_fine_eur: int | None = None  # the fine as the court reduced it

    @property
    def awaits_notification(self) -> bool:
        """An injunction whose deadline runs from a notification not yet recorded: no deadline, no penalty yet."""
        return self.injunction is not None and self.injunction.deadline is None and self.notified_on is None

    @property
    def days_late(self) -> int | None:
        """Days of delay the penalty accrued before the injunction was complied with (None: not complied)."""
        if self.injunction_complied_on is None:
            return None
        if self.accrues_from is None:
            return 0
        return max(0, (self.injunction_complied_on - self.accrues_from).days)

    @property
    def penalty_owed(self) -> bool:
        """A penalty that must be liquidated before the case can close as sanctioned: accrued and not yet
        liquidated, unless the injunction was complied with before any day of delay."""
        return bool(self.daily_penalty_eur) and not self.liquidations and self.days_late != 0


@dataclass(frozen=True)
class Reprimand:
    reprimand_id: UUID
    decided_on: date
    articles: tuple[int, ...]
    procedure: Procedure = "ordinary"
    annulled_on: date | None = None


@dataclass(frozen=True)
class Appeal:
    """An appeal before the Conseil d'État against a sanction or a reprimand, and the court's ruling once made."""

    appeal_id: UUID
    decision: AppealableDecision
    decision_id: UUID
    lodged_on: date
    outcome: AppealOutcome | None = None
    decided_on: date | None = None
    fine_eur: int | None = None


@dataclass(frozen=True)
class Publication:
    publication_id: UUID
    decision: PublishedDecision
    decision_id: UUID
    published_on: date
    withdrawn_on: date | None = None


@dataclass(frozen=True)
class Decision:
    """A decision of the authority in the case, as a publication names it: its kind, id, day and procedure."""

    kind: PublishedDecision
    decision_id: UUID
    dated: date
    procedure: Procedure = "ordinary"
    annulled_on: date | None = None

    @property
    def name(self) -> str:
        return self.kind.replace("_", " ")

    @property
    def taken(self) -> str:
        """What happened on its day, as a refusal names it."""
        return f"the {self.name} was {'issued' if self.kind == 'formal_notice' else 'decided'}"


@dataclass(frozen=True)
class CaseState:
    case_id: UUID | None = None
    version: int = 0
    status: Status = "none"
    controller: Controller | None = None
    opened_on: date | None = None
    complaint_count: int = 0  # the complaints themselves are a list of their own (readside.CaseComplaintRow)
    investigation_opened_on: date | None = None
    findings: tuple[FindingRecorded, ...] = ()
    notices: tuple[Notice, ...] = ()
    sanctions: tuple[Sanction, ...] = ()
    reprimands: tuple[Reprimand, ...] = ()
    publications: tuple[Publication, ...] = ()
    appeals: tuple[Appeal, ...] = ()
    outcome: CaseOutcome | None = None
    closed_on: date | None = None
    closing_reasons: str | None = None

    @property
    def pending_notice(self) -> Notice | None:
        return next((n for n in self.notices if n.status == "pending"), None)

    @property
    def standing_sanctions(self) -> tuple[Sanction, ...]:
        """The sanctions the court has not annulled."""
        return tuple(s for s in self.sanctions if s.annulled_on is None)

    @property
    def pending_appeal(self) -> Appeal | None:
        return next((a for a in self.appeals if a.outcome is None), None)

    @property
    def last_annulled_on(self) -> date | None:
        """The day the court last annulled a decision of the case: a decision taken again follows it."""
        return max((a.decided_on for a in self.appeals if a.outcome == "annulled" and a.decided_on), default=None)

    def dated_facts(self) -> list[tuple[date, str]]:
        """Every day the record fixes, with what happened on it: what a later step may not precede."""
        facts: list[tuple[date, str]] = []
        if self.opened_on is not None:
            facts.append((self.opened_on, "the case opened"))
        if self.investigation_opened_on is not None:
            facts.append((self.investigation_opened_on, "the investigation opened"))
        for notice in self.notices:
            facts.append((notice.issued_on, "the formal notice was issued"))
            if notice.notified_on is not None:
                facts.append((notice.notified_on, "the formal notice was notified"))
            if notice.complied_on is not None:
                facts.append((notice.complied_on, "the formal notice was complied with"))
        for sanction in self.sanctions:
            facts.append((sanction.decided_on, "the sanction was decided"))
            if sanction.notified_on is not None:
                facts.append((sanction.notified_on, "the sanction was notified"))
            if sanction.injunction_complied_on is not None:
                facts.append((sanction.injunction_complied_on, "the injunction was complied with"))
            facts += [
                (liquidation.decided_on, "the penalty payment was liquidated") for liquidation in sanction.liquidations
            ]
        facts += [(reprimand.decided_on, "the reprimand was decided") for reprimand in self.reprimands]
        for publication in self.publications:
            facts.append((publication.published_on, f"the {publication.decision.replace('_', ' ')} was made public"))
            if publication.withdrawn_on is not None:
                facts.append((publication.withdrawn_on, "its publication was withdrawn"))
        for appeal in self.appeals:
            facts.append((appeal.lodged_on, f"the appeal against the {appeal.decision} was lodged"))
            if appeal.decided_on is not None:
                facts.append((appeal.decided_on, "the court ruled on the appeal"))
        return facts

    def latest_fact(self) -> tuple[date, str] | None:
        return max(self.dated_facts(), default=None, key=lambda fact: fact[0])

    def decisions(self) -> list[Decision]:
        """The decisions of the case: its formal notices, sanctions and reprimands."""
        return (
            [Decision("formal_notice", n.notice_id, n.issued_on) for n in self.notices]
            + [Decision("sanction", s.sanction_id, s.decided_on, s.procedure, s.annulled_on) for s in self.sanctions]
            + [Decision("reprimand", r.reprimand_id, r.decided_on, r.procedure, r.annulled_on) for r in self.reprimands]
        )

    def standing_decision(self) -> Decision | None:
        """The sanction or reprimand the case stands on, once it has one (the court may annul it)."""
        if self.status not in ("sanctioned", "reprimanded"):
            return None
        return next(d for d in reversed(self.decisions()) if d.kind != "formal_notice" and d.annulled_on is None)


def next_steps(state: CaseState) -> tuple[str, ...]:
    """What the case allows now: the steps of its status, and those its decisions open. A publication may be
    withdrawn even after the case closed: the authority decides how long a decision stays public."""
    steps = NEXT_STEPS[state.status]
    if state.status not in ("none", "closed") and any(_unpublishable(state, d) is None for d in state.decisions()):
        steps += ("make a decision public",)
    if any(p.withdrawn_on is None for p in state.publications):
        steps += ("withdraw a publication",)
    standing = state.standing_decision()
    if standing is not None and not any(a.decision_id == standing.decision_id for a in state.appeals):
        steps += ("record an appeal",)
    if state.pending_appeal is not None:
        steps += ("record the court's ruling",)
    return steps


# --- commands ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCase:
    case_id: UUID
    complaint: ComplaintFiled


@dataclass(frozen=True)
class LinkComplaint:
    complaint: ComplaintFiled


@dataclass(frozen=True)
class OpenInvestigation:
    opened_on: date
    scope: str


@dataclass(frozen=True)
class RecordFinding:
    finding_id: UUID
    articles: tuple[int, ...]
    facts: str


@dataclass(frozen=True)
class IssueFormalNotice:
    notice_id: UUID
    orders: tuple[Order, ...]
    issued_on: date
    compliance_deadline: date


@dataclass(frozen=True)
class RecordCompliance:
    notice_id: UUID
    complied_on: date


@dataclass(frozen=True)
class ExpireDeadline:
    """Sent by the durable timer, never by a person."""

    notice_id: UUID
    today: date
    now: datetime


@dataclass(frozen=True)
class Conduct:
    """One sanctionable conduct: the articles it infringed, the orders of the authority it did not comply with, and
    the fine for it, which the cap of its gravest infringement bounds (GDPR Art 83(3))."""

    articles: tuple[int, ...]
    fine_eur: int
    orders_not_complied: tuple[OrderNotComplied, ...] = ()


@dataclass(frozen=True)
class ImposeSanction:
    """A fine for one conduct (`articles`, `orders_not_complied`), or for several separate conducts (`conducts`,
    whose fines add up to `fine_eur`), each within its own cap."""

    sanction_id: UUID
    decided_on: date
    fine_eur: int
    turnover_eur: int | None
    articles: tuple[int, ...]
    injunction: Injunction | None = None
    orders_not_complied: tuple[OrderNotComplied, ...] = ()
    conducts: tuple[Conduct, ...] = ()
    procedure: Procedure = "ordinary"


@dataclass(frozen=True)
class IssueReprimand:
    reprimand_id: UUID
    decided_on: date
    articles: tuple[int, ...]
    reasons: str
    procedure: Procedure = "ordinary"


@dataclass(frozen=True)
class PublishDecision:
    publication_id: UUID
    decision_id: UUID
    published_on: date


@dataclass(frozen=True)
class WithdrawPublication:
    publication_id: UUID
    withdrawn_on: date
    reasons: str


@dataclass(frozen=True)
class LodgeAppeal:
    appeal_id: UUID
    decision_id: UUID
    lodged_on: date


@dataclass(frozen=True)
class RecordRuling:
    appeal_id: UUID
    decided_on: date
    outcome: AppealOutcome
    fine_eur: int | None = None  # with fine_reduced: the fine as the court reduced it


@dataclass(frozen=True)
class RecordInjunctionCompliance:
    sanction_id: UUID
    complied_on: date


@dataclass(frozen=True)
class LiquidatePenalty:
    sanction_id: UUID
    period_start: date
    period_end: date
    convention: Convention
    decided_on: date


@dataclass(frozen=True)
class RecordNoticeNotification:
    notice_id: UUID
    notified_on: date


@dataclass(frozen=True)
class RecordSanctionNotification:
    sanction_id: UUID
    notified_on: date


@dataclass(frozen=True)
class CloseCase:
    outcome: CaseOutcome
    reasons: str
    closed_on: date


Command = (
    OpenCase
    | LinkComplaint
    | OpenInvestigation
    | RecordFinding
    | IssueFormalNotice
    | RecordCompliance
    | ExpireDeadline
    | ImposeSanction
    | RecordInjunctionCompliance
    | LiquidatePenalty
    | CloseCase
    | RecordNoticeNotification
    | RecordSanctionNotification
    | IssueReprimand
    | PublishDecision
    | WithdrawPublication
    | LodgeAppeal
    | RecordRuling
)


def decide(state: CaseState, command: Command) -> list[Payload]:
    match command:
        case OpenCase():
            return _open(state, command)
        case LinkComplaint():
            return _link(state, command)
        case OpenInvestigation():
            return _open_investigation(state, command)
        case RecordFinding():
            return _record_finding(state, command)
        case IssueFormalNotice():
            return _issue_notice(state, command)
        case RecordCompliance():
            return _record_compliance(state, command)
        case ExpireDeadline():
            return _expire(state, command)
        case ImposeSanction():
            return _impose_sanction(state, command)
        case IssueReprimand():
            return _issue_reprimand(state, command)
        case PublishDecision():
            return _publish(state, command)
        case WithdrawPublication():
            return _withdraw_publication(state, command)
        case LodgeAppeal():
            return _lodge_appeal(state, command)
        case RecordRuling():
            return _record_ruling(state, command)
        case RecordInjunctionCompliance():
            return _record_injunction_compliance(state, command)
        case LiquidatePenalty():
            return _liquidate(state, command)
        case RecordNoticeNotification():
            return _notice_notified(state, command)
        case RecordSanctionNotification():
            return _sanction_notified(state, command)
        case CloseCase():
            return _close(state, command)
    raise TypeError(f"unknown command {command!r}")


def _not_before(field_name: str, day: date, earliest: date | None, what: str) -> None:
    """Refuse `day` if it precedes `earliest`, the day on which `what` happened; the error names both days."""
    if earliest is not None and day < earliest:
        raise Invalid(field_name, f"{day} is before {what} ({earliest})")


def _require(state: CaseState, action: str, *allowed: Status) -> None:
    if state.status not in allowed:
        raise Rejected(state, action)


def _open(state: CaseState, command: OpenCase) -> list[Payload]:
    _require(state, "open a case", "none")
    complaint = command.complaint
    return [
        CaseOpened(
            case_id=command.case_id,
            controller=complaint.controller,
            complaint_id=complaint.complaint_id,
            complaint_kind=complaint.kind,
            opened_on=complaint.received_on,
        )
    ]


def _link(state: CaseState, command: LinkComplaint) -> list[Payload]:
    if state.status in ("none", "closed"):
        raise Rejected(state, "link a complaint")
    complaint = command.complaint
    assert state.case_id is not None
    return [
        ComplaintLinked(
            case_id=state.case_id,
            complaint_id=complaint.complaint_id,
            complaint_kind=complaint.kind,
            received_on=complaint.received_on,
        )
    ]


def _open_investigation(state: CaseState, command: OpenInvestigation) -> list[Payload]:
    _require(state, "open an investigation", "open")
    assert state.case_id is not None and state.opened_on is not None
    _not_before("opened_on", command.opened_on, state.opened_on, "the case opened")
    return [InvestigationOpened(case_id=state.case_id, opened_on=command.opened_on, scope=command.scope)]


def _record_finding(state: CaseState, command: RecordFinding) -> list[Payload]:
    _require(state, "record a finding", "investigating", "formal_notice")
    assert state.case_id is not None
    return [
        FindingRecorded(
            case_id=state.case_id, finding_id=command.finding_id, articles=command.articles, facts=command.facts
        )
    ]


def _issue_notice(state: CaseState, command: IssueFormalNotice) -> list[Payload]:
    _require(state, "issue a formal notice", "investigating")
    assert state.case_id is not None
    if not state.findings:
        raise Rejected(state, "issue a formal notice", "no finding recorded yet")
    _not_before("issued_on", command.issued_on, state.investigation_opened_on, "the investigation opened")
    if command.compliance_deadline <= command.issued_on:
        raise Invalid(
            "compliance_deadline",
            f"{command.compliance_deadline} is not after the day the notice is issued ({command.issued_on})",
        )
    return [
        FormalNoticeIssued(
            case_id=state.case_id,
            notice_id=command.notice_id,
            orders=command.orders,
            issued_on=command.issued_on,
            compliance_deadline=command.compliance_deadline,
        )
    ]


def _notice(state: CaseState, notice_id: UUID, field_name: str = "notice_id") -> Notice:
    notice = next((n for n in state.notices if n.notice_id == notice_id), None)
    if notice is None:
        raise Invalid(field_name, f"the case has no formal notice {notice_id}")
    return notice


def _record_compliance(state: CaseState, command: RecordCompliance) -> list[Payload]:
    """Compliance by the deadline. Recorded after the timer found the deadline passed (and before any
    sanction), it supersedes that expiry, which stays in the record."""
    _require(state, "record compliance with the formal notice", "formal_notice", "notice_expired")
    assert state.case_id is not None
    notice = _notice(state, command.notice_id)
    _not_before("complied_on", command.complied_on, notice.issued_on, "the notice was issued")
    if command.complied_on > notice.deadline:
        raise Invalid(
            "complied_on",
            f"{command.complied_on} is after the compliance deadline ({notice.deadline}); the deadline has expired",
        )
    complied = FormalNoticeComplied(case_id=state.case_id, notice_id=notice.notice_id, complied_on=command.complied_on)
    if notice.status == "expired":
        return [
            FormalNoticeExpirySuperseded(
                case_id=state.case_id, notice_id=notice.notice_id, complied_on=command.complied_on
            ),
            complied,
        ]
    if notice.status != "pending":
        raise Rejected(state, "record compliance with the formal notice", f"the notice is already {notice.status}")
    return [complied]


def _expire(state: CaseState, command: ExpireDeadline) -> list[Payload]:
    notice = next((n for n in state.notices if n.notice_id == command.notice_id), None)
    if state.status != "formal_notice" or notice is None or notice.status != "pending":
        return []  # complied, closed or already expired: the timer has nothing to do
    if command.today <= notice.deadline:
        return []
    assert state.case_id is not None
    return [
        FormalNoticeDeadlineExpired(
            case_id=state.case_id, notice_id=notice.notice_id, deadline=notice.deadline, detected_at=command.now
        )
    ]


def _may_decide(state: CaseState, action: str, decided_on: date) -> None:
    """A decision of the sanctions committee (a sanction, a reprimand) follows findings of an investigation, or the
    expiry of a formal notice, and is dated after them."""
    _require(state, action, "investigating", "notice_expired")
    if not state.findings:
        raise Rejected(state, action, "no finding recorded yet")
    _not_before("decided_on", decided_on, state.investigation_opened_on, "the investigation opened")
    if state.status == "notice_expired":
        expired = state.notices[-1]
        if decided_on <= expired.deadline:
            raise Invalid(
                "decided_on",
                f"{decided_on} is not after the formal notice's compliance deadline "
                f"({expired.deadline}), whose expiry the decision follows",
            )
    _not_before("decided_on", decided_on, state.last_annulled_on, "the court annulled the earlier decision")


def _issue_reprimand(state: CaseState, command: IssueReprimand) -> list[Payload]:
    _may_decide(state, "issue a reprimand", command.decided_on)
    assert state.case_id is not None
    return [
        ReprimandIssued(
            case_id=state.case_id,
            reprimand_id=command.reprimand_id,
            decided_on=command.decided_on,
            articles_infringed=command.articles,
            reasons=command.reasons,
            procedure=command.procedure,
        )
    ]


def _impose_sanction(state: CaseState, command: ImposeSanction) -> list[Payload]:
    _may_decide(state, "impose a sanction", command.decided_on)
    assert state.case_id is not None
    _within_the_procedure(command)
    fined: list[ConductFined] = []
    for field_prefix, conduct in _conducts(command):
        fined.append(_fine(state, field_prefix, conduct, command.turnover_eur, fined))
    gravest = max((c.cap for c in fined), key=lambda limit: (limit.cap_eur, fines.GRAVITY.index(limit.paragraph)))
    articles = {a for c in fined for a in c.articles_infringed} | (
        {58} if any(c.orders_not_complied for c in fined) else set()
    )
    injunction = command.injunction
    events: list[Payload] = [
        SanctionImposed(
            case_id=state.case_id,
            sanction_id=command.sanction_id,
            decided_on=command.decided_on,
            fine_eur=command.fine_eur,
            articles_infringed=tuple(sorted(articles)),
            cap=gravest,
            injunction=injunction,
            conducts=tuple(fined),
            procedure=command.procedure,
        )
    ]
    if injunction is not None:
        if injunction.deadline is not None and injunction.deadline <= command.decided_on:
            raise Invalid(
                "injunction.deadline",
                f"{injunction.deadline} is not after the day the sanction is decided ({command.decided_on})",
            )
        if injunction.daily_penalty_eur > fines.MAX_DAILY_PENALTY_EUR:
            raise Invalid(
                "injunction.daily_penalty_eur",
                f"EUR {injunction.daily_penalty_eur:,} a day exceeds the cap of "
                f"EUR {fines.MAX_DAILY_PENALTY_EUR:,} a day of delay",
            )
        if injunction.daily_penalty_eur and injunction.deadline is not None:
            # A deadline that runs from notification: the penalty is imposed with the notification.
            events.append(_penalty(state, command.sanction_id, injunction, injunction.deadline))
    return events


def _within_the_procedure(command: ImposeSanction) -> None:
    """The simplified procedure's ceilings (loi Informatique et Libertés art 22-1); a sanction beyond them is taken
    under the ordinary procedure, whose ceilings are the Art 83 caps and EUR 100,000 a day."""
    if command.procedure != "simplified":
        return
    law = "of the simplified procedure (loi Informatique et Libertés art 22-1); the ordinary procedure decides more"
    if command.fine_eur > fines.SIMPLIFIED_MAX_FINE_EUR:
        raise Invalid(
            "fine_eur", f"EUR {command.fine_eur:,} exceeds the cap of EUR {fines.SIMPLIFIED_MAX_FINE_EUR:,} {law}"
        )
    daily = command.injunction.daily_penalty_eur if command.injunction else 0
    if daily > fines.SIMPLIFIED_MAX_DAILY_PENALTY_EUR:
        raise Invalid(
            "injunction.daily_penalty_eur",
            f"EUR {daily:,} a day exceeds the cap of EUR {fines.SIMPLIFIED_MAX_DAILY_PENALTY_EUR:,} a day {law}",
        )


def _conducts(command: ImposeSanction) -> list[tuple[str, Conduct]]:
    """The conducts a sanction fines, each with the prefix that names its fields in a refusal: the one conduct the
    command's own fields describe, or the several of `conducts`, whose fines must add up to the fine."""
    if not command.conducts:
        return [("", Conduct(command.articles, command.fine_eur, command.orders_not_complied))]
    if command.articles or command.orders_not_complied:
        raise Invalid(
            "conducts",
            "name what each conduct infringed in conducts, or what the one conduct infringed in "
            "articles_infringed and orders_not_complied, not both",
        )
    total = sum(c.fine_eur for c in command.conducts)
    if total != command.fine_eur:
        raise Invalid("fine_eur", f"EUR {command.fine_eur:,} is not the sum of the conducts' fines (EUR {total:,})")
    return [(f"conducts.{n}.", conduct) for n, conduct in enumerate(command.conducts)]


def _fine(
    state: CaseState, field_prefix: str, conduct: Conduct, turnover_eur: int | None, fined: list[ConductFined]
) -> ConductFined:
    """One conduct's fine within the cap of its gravest infringement (Art 83(3)). Non-compliance with an order is
    charged only where the case holds one: a formal notice (Art 58(2)) whose deadline passed without compliance;
    and once, however many conducts the sanction fines."""
    orders = tuple(sorted(set(conduct.orders_not_complied)))
    if "58(2)" in orders and not any(notice.status == "expired" for notice in state.notices):
        raise Invalid(
            f"{field_prefix}orders_not_complied",
            "no order under Art 58(2) stands unheeded: the case has no formal notice whose deadline passed "
            "without compliance",
        )
    for order in orders:
        if any(order in earlier.orders_not_complied for earlier in fined):
            raise Invalid(
                f"{field_prefix}orders_not_complied",
                f"non-compliance with the order under Art {order} is already charged with another conduct",
            )
    try:
        limit = fines.cap(conduct.articles, turnover_eur, orders)
    except fines.NotFineable as exc:
        raise Invalid(f"{field_prefix}articles_infringed", str(exc)) from None
    if conduct.fine_eur > limit.cap_eur:
        raise Invalid(
            f"{field_prefix}fine_eur", f"EUR {conduct.fine_eur:,} exceeds the cap of {fines.explain_cap(limit)}"
        )
    return ConductFined(
        articles_infringed=tuple(sorted(set(conduct.articles))),
        orders_not_complied=orders,
        fine_eur=conduct.fine_eur,
        cap=limit,
    )


def _penalty(state: CaseState, sanction_id: UUID, injunction: Injunction, deadline: date) -> PenaltyPaymentImposed:
    assert state.case_id is not None
    return PenaltyPaymentImposed(
        case_id=state.case_id,
        sanction_id=sanction_id,
        daily_rate_eur=injunction.daily_penalty_eur,
        accrues_from=deadline + timedelta(days=1),
    )


def _notice_notified(state: CaseState, command: RecordNoticeNotification) -> list[Payload]:
    action = "record the notice's notification"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    assert state.case_id is not None
    notice = _notice(state, command.notice_id)
    if notice.notified_on is not None:
        raise Rejected(state, action, f"it was notified on {notice.notified_on}")
    _not_before("notified_on", command.notified_on, notice.issued_on, "the notice was issued")
    if command.notified_on > notice.deadline:
        raise Invalid(
            "notified_on", f"{command.notified_on} is after the notice's compliance deadline ({notice.deadline})"
        )
    return [FormalNoticeNotified(case_id=state.case_id, notice_id=notice.notice_id, notified_on=command.notified_on)]


def _sanction_notified(state: CaseState, command: RecordSanctionNotification) -> list[Payload]:
    action = "record the decision's notification"
    _require(state, action, "sanctioned")
    assert state.case_id is not None
    sanction = _sanction(state, command.sanction_id)
    if sanction.notified_on is not None:
        raise Rejected(state, action, f"it was notified on {sanction.notified_on}")
    _not_before("notified_on", command.notified_on, sanction.decided_on, "the sanction was decided")
    injunction = sanction.injunction
    if injunction is None or injunction.deadline is not None or injunction.days_after_notification is None:
        return [
            SanctionNotified(case_id=state.case_id, sanction_id=sanction.sanction_id, notified_on=command.notified_on)
        ]
    if sanction.injunction_complied_on is not None and sanction.injunction_complied_on < command.notified_on:
        raise Invalid(
            "notified_on",
            f"{command.notified_on} is after the injunction was complied with ({sanction.injunction_complied_on})",
        )
    deadline = command.notified_on + timedelta(days=injunction.days_after_notification)
    events: list[Payload] = [
        SanctionNotified(
            case_id=state.case_id,
            sanction_id=sanction.sanction_id,
            notified_on=command.notified_on,
            injunction_deadline=deadline,
        )
    ]
    if injunction.daily_penalty_eur:
        events.append(_penalty(state, sanction.sanction_id, injunction, deadline))
    return events


def _sanction(state: CaseState, sanction_id: UUID) -> Sanction:
    sanction = next((s for s in state.sanctions if s.sanction_id == sanction_id), None)
    if sanction is None:
        raise Invalid("sanction_id", f"the case has no sanction {sanction_id}")
    if sanction.annulled_on is not None:
        raise Invalid(
            "sanction_id",
            f"the court annulled the sanction {sanction_id} on {sanction.annulled_on}: it no longer stands",
        )
    return sanction


def _record_injunction_compliance(state: CaseState, command: RecordInjunctionCompliance) -> list[Payload]:
    action = "record compliance with the injunction"
    _require(state, action, "sanctioned")
    assert state.case_id is not None
    sanction = _sanction(state, command.sanction_id)
    if sanction.injunction is None:
        raise Rejected(state, action, "the sanction carries no injunction")
    if sanction.injunction_complied_on is not None:
        raise Rejected(state, action, f"compliance was already recorded, on {sanction.injunction_complied_on}")
    _not_before("complied_on", command.complied_on, sanction.decided_on, "the sanction was decided")
    if sanction.liquidations and command.complied_on <= sanction.liquidations[-1].last_day:
        raise Invalid(
            "complied_on",
            f"{command.complied_on} is within the period already liquidated, whose last "
            f"day of delay is {sanction.liquidations[-1].last_day}",
        )
    return [
        InjunctionComplied(case_id=state.case_id, sanction_id=sanction.sanction_id, complied_on=command.complied_on)
    ]


def days_of_delay(period_start: date, period_end: date, convention: Convention) -> int:
    return (period_end - period_start).days + (1 if convention == "inclusive" else 0)


def _liquidate(state: CaseState, command: LiquidatePenalty) -> list[Payload]:
    _require(state, "liquidate the penalty payment", "sanctioned")
    assert state.case_id is not None
    sanction = _sanction(state, command.sanction_id)
    if not sanction.daily_penalty_eur or sanction.accrues_from is None:
        raise Rejected(state, "liquidate the penalty payment", "the sanction carries no periodic penalty payment")
    if sanction.days_late == 0:
        raise Rejected(
            state,
            "liquidate the penalty payment",
            f"the injunction was complied with on {sanction.injunction_complied_on}, before any day of delay",
        )
    last_day = command.period_end - timedelta(days=0 if command.convention == "inclusive" else 1)
    if sanction.injunction_complied_on is not None and last_day >= sanction.injunction_complied_on:
        raise Invalid(
            "period_end",
            f"the period counts {last_day}, not before the injunction was complied with "
            f"({sanction.injunction_complied_on}); the penalty stopped accruing then",
        )
    _not_before("period_start", command.period_start, sanction.accrues_from, "the penalty began to accrue")
    if sanction.liquidations and command.period_start <= sanction.liquidations[-1].period_end:
        raise Invalid(
            "period_start", f"overlaps the period already liquidated up to {sanction.liquidations[-1].period_end}"
        )
    days = days_of_delay(command.period_start, command.period_end, command.convention)
    if days <= 0:
        raise Invalid("period_end", "the period counts no day of delay")
    if command.decided_on <= last_day:
        raise Invalid(
            "decided_on",
            f"{command.decided_on} is not after the last day of delay the period counts "
            f"({last_day}): a liquidation counts days that have passed",
        )
    return [
        PenaltyPaymentLiquidated(
            case_id=state.case_id,
            sanction_id=sanction.sanction_id,
            period_start=command.period_start,
            period_end=command.period_end,
            days_counted=days,
            convention=f"{command.convention}: {CONVENTIONS[command.convention]}",
            amount_eur=days * sanction.daily_penalty_eur,
            decided_on=command.decided_on,
        )
    ]


def _unpublishable(state: CaseState, decision: Decision) -> str | None:
    """Why `decision` may not be made public, or None when it may."""
    if decision.procedure == "simplified":
        return (
            f"the {decision.name} was taken under the simplified procedure, whose decisions are not made public "
            f"(loi Informatique et Libertés art 22-1)"
        )
    if decision.annulled_on is not None:
        return f"the court annulled the {decision.name} on {decision.annulled_on}"
    published = next((p for p in state.publications if p.decision_id == decision.decision_id), None)
    if published is not None:
        return f"the {decision.name} was made public on {published.published_on}"
    return None


def _publish(state: CaseState, command: PublishDecision) -> list[Payload]:
    action = "make a decision public"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    assert state.case_id is not None
    decision = next((d for d in state.decisions() if d.decision_id == command.decision_id), None)
    if decision is None:
        raise Invalid("decision_id", f"the case has no formal notice, sanction or reprimand {command.decision_id}")
    if (why := _unpublishable(state, decision)) is not None:
        raise Rejected(state, action, why)
    if any(p.publication_id == command.publication_id for p in state.publications):
        raise Invalid("publication_id", f"the case already has a publication {command.publication_id}")
    _not_before("published_on", command.published_on, decision.dated, decision.taken)
    return [
        PublicationMade(
            case_id=state.case_id,
            publication_id=command.publication_id,
            decision=decision.kind,
            decision_id=decision.decision_id,
            decision_dated=decision.dated,
            published_on=command.published_on,
        )
    ]


def _withdraw_publication(state: CaseState, command: WithdrawPublication) -> list[Payload]:
    """A publication is withdrawn while the case is open or after it closed, once, and not before it was made."""
    action = "withdraw a publication"
    if state.status == "none":
        raise Rejected(state, action)
    assert state.case_id is not None
    publication = next((p for p in state.publications if p.publication_id == command.publication_id), None)
    if publication is None:
        raise Invalid("publication_id", f"the case has no publication {command.publication_id}")
    if publication.withdrawn_on is not None:
        raise Rejected(state, action, f"it was withdrawn on {publication.withdrawn_on}")
    _not_before(
        "withdrawn_on",
        command.withdrawn_on,
        publication.published_on,
        f"the {publication.decision.replace('_', ' ')} was made public",
    )
    return [
        PublicationWithdrawn(
            case_id=state.case_id,
            publication_id=publication.publication_id,
            decision=publication.decision,
            decision_id=publication.decision_id,
            withdrawn_on=command.withdrawn_on,
            reasons=command.reasons,
        )
    ]


def _lodge_appeal(state: CaseState, command: LodgeAppeal) -> list[Payload]:
    """The controller appeals the sanction or reprimand the case stands on, once, on or after its day."""
    action = "record an appeal"
    standing = state.standing_decision()
    if standing is None:
        raise Rejected(state, action, "no sanction or reprimand stands to appeal")
    assert state.case_id is not None and standing.kind != "formal_notice"
    appealable = {d.decision_id: d for d in state.decisions() if d.kind != "formal_notice"}
    if command.decision_id not in appealable:
        raise Invalid("decision_id", f"the case has no sanction or reprimand {command.decision_id}")
    if command.decision_id != standing.decision_id:
        annulled = appealable[command.decision_id].annulled_on
        raise Rejected(state, action, f"the court annulled that {appealable[command.decision_id].name} on {annulled}")
    lodged = next((a for a in state.appeals if a.decision_id == standing.decision_id), None)
    if lodged is not None:
        raise Rejected(state, action, f"an appeal against the {standing.name} was lodged on {lodged.lodged_on}")
    if any(a.appeal_id == command.appeal_id for a in state.appeals):
        raise Invalid("appeal_id", f"the case already has an appeal {command.appeal_id}")
    _not_before("lodged_on", command.lodged_on, standing.dated, standing.taken)
    return [
        AppealLodged(
            case_id=state.case_id,
            appeal_id=command.appeal_id,
            decision=standing.kind,
            decision_id=standing.decision_id,
            decision_dated=standing.dated,
            lodged_on=command.lodged_on,
        )
    ]


def _record_ruling(state: CaseState, command: RecordRuling) -> list[Payload]:
    """The court's ruling on an appeal, once, on or after the appeal was lodged. Only a sanction's fine can be
    reduced, and only below what it was."""
    action = "record the court's ruling"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    assert state.case_id is not None
    appeal = next((a for a in state.appeals if a.appeal_id == command.appeal_id), None)
    if appeal is None:
        raise Invalid("appeal_id", f"the case has no appeal {command.appeal_id}")
    if appeal.decided_on is not None:
        raise Rejected(state, action, f"the court ruled on {appeal.decided_on}: the appeal was {appeal.outcome}")
    _not_before("decided_on", command.decided_on, appeal.lodged_on, "the appeal was lodged")
    if command.outcome == "fine_reduced":
        if appeal.decision != "sanction":
            raise Invalid("outcome", "a reprimand imposes no fine to reduce")
        fine = next(s.fine_eur for s in state.sanctions if s.sanction_id == appeal.decision_id)
        if command.fine_eur is None:
            raise Invalid("fine_eur", "give the fine as the court reduced it")
        if command.fine_eur >= fine:
            raise Invalid(
                "fine_eur", f"EUR {command.fine_eur:,} is not below the fine the sanction imposed (EUR {fine:,})"
            )
    elif command.fine_eur is not None:
        raise Invalid("fine_eur", "only a ruling that reduces the fine sets one")
    decision = next(d for d in state.decisions() if d.decision_id == appeal.decision_id)
    return [
        AppealDecided(
            case_id=state.case_id,
            appeal_id=appeal.appeal_id,
            decision=appeal.decision,
            decision_id=appeal.decision_id,
            decision_dated=decision.dated,
            decided_on=command.decided_on,
            outcome=command.outcome,
            fine_eur=command.fine_eur,
        )
    ]


def _close(state: CaseState, command: CloseCase) -> list[Payload]:
    action = f"close the case as {command.outcome.replace('_', ' ')}"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    if (appeal := state.pending_appeal) is not None:
        raise Rejected(
            state,
            action,
            f"the appeal against the {appeal.decision} lodged on {appeal.lodged_on} awaits the court's ruling",
        )
    if command.outcome == "complied" and state.status != "notice_complied":
        raise Rejected(state, action, "compliance with a formal notice has not been recorded")
    if command.outcome == "sanctioned":
        if state.status != "sanctioned":
            raise Rejected(state, action, "no sanction has been imposed")
        if any(
            s.awaits_notification and s.injunction and s.injunction.daily_penalty_eur for s in state.standing_sanctions
        ):
            raise Rejected(
                state,
                action,
                "the injunction's deadline runs from the decision's notification, which has not been recorded",
            )
        if any(s.penalty_owed for s in state.standing_sanctions):
            raise Rejected(
                state,
                action,
                "the periodic penalty payment has not been liquidated, and compliance "
                "with the injunction before any day of delay has not been recorded",
            )
    if command.outcome == "reprimanded" and state.status != "reprimanded":
        raise Rejected(state, action, "no reprimand has been issued")
    if command.outcome in ("dismissed", "no_infringement") and state.status in (
        "notice_complied",
        "sanctioned",
        "reprimanded",
    ):
        raise Rejected(state, action, "the case already has a decision")
    latest = state.latest_fact()
    if latest is not None:
        _not_before("closed_on", command.closed_on, latest[0], latest[1])
    assert state.case_id is not None
    return [
        CaseClosed(case_id=state.case_id, outcome=command.outcome, reasons=command.reasons, closed_on=command.closed_on)
    ]


# --- evolve -----------------------------------------------------------------------------------------------


def _replace_notice(state: CaseState, notice_id: UUID, **changes: Any) -> tuple[Notice, ...]:
    return tuple(replace(n, **changes) if n.notice_id == notice_id else n for n in state.notices)


def _replace_sanction(state: CaseState, sanction_id: UUID, **changes: Any) -> tuple[Sanction, ...]:
    return tuple(replace(s, **changes) if s.sanction_id == sanction_id else s for s in state.sanctions)


def evolve(state: CaseState, event: Payload) -> CaseState:
    state = replace(state, version=state.version + 1)
    match event:
        case CaseOpened():
            return replace(
                state,
                case_id=event.case_id,
                status="open",
                controller=event.controller,
                opened_on=event.opened_on,
                complaint_count=1,
            )
        case ComplaintLinked():
            return replace(state, complaint_count=state.complaint_count + 1)
        case InvestigationOpened():
            return replace(state, status="investigating", investigation_opened_on=event.opened_on)
        case FindingRecorded():
            return replace(state, findings=(*state.findings, event))
        case FormalNoticeIssued():
            notice = Notice(event.notice_id, event.issued_on, event.compliance_deadline, event.orders)
            return replace(state, status="formal_notice", notices=(*state.notices, notice))
        case FormalNoticeComplied():
            return replace(
                state,
                status="notice_complied",
                notices=_replace_notice(state, event.notice_id, status="complied", complied_on=event.complied_on),
            )
        case FormalNoticeDeadlineExpired():
            return replace(
                state, status="notice_expired", notices=_replace_notice(state, event.notice_id, status="expired")
            )
        case FormalNoticeExpirySuperseded():
            return replace(
                state,
                status="formal_notice",
                notices=_replace_notice(state, event.notice_id, status="pending", expiry_superseded=True),
            )
        case SanctionImposed():
            sanction = Sanction(
                event.sanction_id,
                event.decided_on,
                event.fine_eur,
                event.articles_infringed,
                event.injunction,
                procedure=event.procedure,
            )
            return replace(state, status="sanctioned", sanctions=(*state.sanctions, sanction))
        case ReprimandIssued():
            reprimand = Reprimand(event.reprimand_id, event.decided_on, event.articles_infringed, event.procedure)
            return replace(state, status="reprimanded", reprimands=(*state.reprimands, reprimand))
        case PublicationMade():
            publication = Publication(event.publication_id, event.decision, event.decision_id, event.published_on)
            return replace(state, publications=(*state.publications, publication))
        case PublicationWithdrawn():
            return replace(
                state,
                publications=tuple(
                    replace(p, withdrawn_on=event.withdrawn_on) if p.publication_id == event.publication_id else p
                    for p in state.publications
                ),
            )
        case AppealLodged():
            appeal = Appeal(event.appeal_id, event.decision, event.decision_id, event.lodged_on)
            return replace(state, appeals=(*state.appeals, appeal))
        case AppealDecided():
            return _ruled(state, event)
        case PenaltyPaymentImposed():
            return replace(
                state,
                sanctions=_replace_sanction(
                    state, event.sanction_id, daily_penalty_eur=event.daily_rate_eur, accrues_from=event.accrues_from
                ),
            )
        case InjunctionComplied():
            return replace(
                state, sanctions=_replace_sanction(state, event.sanction_id, injunction_complied_on=event.complied_on)
            )
        case FormalNoticeNotified():
            return replace(state, notices=_replace_notice(state, event.notice_id, notified_on=event.notified_on))
        case SanctionNotified():
            sanction = next(s for s in state.sanctions if s.sanction_id == event.sanction_id)
            injunction = sanction.injunction
            if event.injunction_deadline is not None and injunction is not None:
                injunction = injunction.model_copy(update={"deadline": event.injunction_deadline})
            return replace(
                state,
                sanctions=_replace_sanction(
                    state, event.sanction_id, notified_on=event.notified_on, injunction=injunction
                ),
            )
        case PenaltyPaymentLiquidated():
            sanction = next(s for s in state.sanctions if s.sanction_id == event.sanction_id)
            liquidation = Liquidation(
                event.period_start, event.period_end, event.days_counted, event.amount_eur, event.decision_day
            )
            return replace(
                state,
                sanctions=_replace_sanction(
                    state, event.sanction_id, liquidations=(*sanction.liquidations, liquidation)
                ),
            )
        case CaseClosed():
            return replace(
                state, status="closed", outcome=event.outcome, closed_on=event.closed_on, closing_reasons=event.reasons
            )
    return state


def _ruled(state: CaseState, event: AppealDecided) -> CaseState:
    """The court's ruling. An annulled decision no longer stands, and the case goes back to where it stood before
    it: after an expired formal notice, or in the investigation, to be decided again or closed."""
    appeals = tuple(
        replace(a, outcome=event.outcome, decided_on=event.decided_on, fine_eur=event.fine_eur)
        if a.appeal_id == event.appeal_id
        else a
        for a in state.appeals
    )
    state = replace(state, appeals=appeals)
    if event.outcome == "fine_reduced":
        return replace(state, sanctions=_replace_sanction(state, event.decision_id, reduced_fine_eur=event.fine_eur))
    if event.outcome == "dismissed":
        return state
    before: Status = "notice_expired" if state.notices and state.notices[-1].status == "expired" else "investigating"
    if event.decision == "sanction":
        return replace(
            state, status=before, sanctions=_replace_sanction(state, event.decision_id, annulled_on=event.decided_on)
        )
    return replace(
        state,
        status=before,
        reprimands=tuple(
            replace(r, annulled_on=event.decided_on) if r.reprimand_id == event.decision_id else r
            for r in state.reprimands
        ),
    )


def replay(events: Iterable[Payload], state: CaseState | None = None) -> CaseState:
    return reduce(evolve, events, state or CaseState())
