"""What a case is: its status, and the record of its notices, sanctions, reprimands, publications and appeals,
as the fold (evolve.py) builds it from the events."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal
from uuid import UUID

from docket_contracts.events import (
    AppealableDecision,
    AppealOutcome,
    CaseOutcome,
    CheckRecorded,
    Controller,
    FindingRecorded,
    Injunction,
    Order,
    Procedure,
    PublicationAuthority,
    PublishedDecision,
    RapporteurKind,
    Speaker,
    TimeLimit,
)

from .cooperation_state import Cooperation

Status = Literal[
    "none",
    "open",
    "investigating",
    "warned",
    "formal_notice",
    "notice_complied",
    "notice_expired",
    "before_committee",
    "sanctioned",
    "reprimanded",
    "closed",
]


@dataclass(frozen=True)
class Notice:
    """A formal notice. Its deadline is the time limit (and extension) from the day it reached the controller
    (décret 2019-536 art 38): None until it is notified. A notice recorded before time limits were kept fixed
    its deadline at issue."""

    notice_id: UUID
    issued_on: date
    deadline: date | None
    orders: tuple[Order, ...]
    status: Literal["pending", "complied", "expired"] = "pending"
    complied_on: date | None = None
    expiry_superseded: bool = False  # expired by the timer, then compliance by the deadline was recorded
    notified_on: date | None = None  # the day the notice reached the controller
    reference: str | None = None  # the President's decision, e.g. MED-2021-134
    time_limit: TimeLimit | None = None
    urgency: bool = False
    extension: TimeLimit | None = None
    extended_on: date | None = None


@dataclass(frozen=True)
class CaseWarning:
    """The President's warning (GDPR Art 58(2)(a); loi 78-17 art 20 I)."""

    warning_id: UUID
    decided_on: date
    reference: str
    articles: tuple[int, ...]


@dataclass(frozen=True)
class Hearing:
    held_on: date
    public: bool
    speakers: tuple[Speaker, ...]


@dataclass(frozen=True)
class Proceedings:
    """The case before the restricted committee: the President's referral naming the rapporteur (loi 78-17 art 22,
    or art 22-1 for the simplified procedure), the report notified, the written exchange, the summons and the
    hearing, then the deliberation, or the simplified procedure interrupted. `resumes` is where the case stood
    before the referral, and goes back to if it is interrupted."""

    proceedings_id: UUID
    procedure: Procedure
    referred_on: date
    reference: str
    rapporteur: str
    rapporteur_kind: RapporteurKind
    deciding_member: str | None
    resumes: Status
    report_notified_on: date | None = None
    documents: tuple[str, ...] = ()
    consulted_on: tuple[date, ...] = ()
    observations_due: date | None = None
    extended_on: tuple[date, ...] = ()
    observations_on: date | None = None
    answered_on: date | None = None
    replied_on: date | None = None
    summoned_on: date | None = None
    hearing_on: date | None = None
    hearing: Hearing | None = None
    deliberated_on: date | None = None
    members: tuple[str, ...] = ()
    decision_reference: str | None = None
    interrupted_on: date | None = None

    @property
    def open(self) -> bool:
        return self.deliberated_on is None and self.interrupted_on is None

    def dated_facts(self) -> list[tuple[date, str]]:
        facts = [(self.referred_on, "the case was referred to the restricted committee")]
        if self.report_notified_on is not None:
            facts.append((self.report_notified_on, "the report was notified"))
        facts += [(day, "the controller consulted the file") for day in self.consulted_on]
        facts += [(day, "the time limit for observations was extended") for day in self.extended_on]
        for day, what in (
            (self.observations_on, "the controller's observations were received"),
            (self.answered_on, "the rapporteur answered"),
            (self.replied_on, "the controller replied"),
            (self.summoned_on, "the summons reached the controller"),
            (self.hearing.held_on if self.hearing else None, "the hearing was held"),
            (self.deliberated_on, "the restricted committee deliberated"),
            (self.interrupted_on, "the simplified procedure was interrupted"),
        ):
            if day is not None:
                facts.append((day, what))
        return facts


@dataclass(frozen=True)
class Liquidation:
    """A liquidation of a penalty payment: opened (its reasons and envisaged amount notified to the controller,
    décret 2019-536 art 44), then decided, with the amount the restricted committee fixed, up to days x rate.
    One recorded before the written procedure was kept has no liquidation_id and was decided at days x rate."""

    period_start: date
    period_end: date
    days_counted: int
    amount_eur: int | None  # None until decided
    decided_on: date | None  # None until decided
    liquidation_id: UUID | None = None
    opened_on: date | None = None
    maximum_eur: int | None = None
    envisaged_amount_eur: int | None = None
    observations_due: date | None = None
    observations_on: date | None = None
    reference: str | None = None
    convention: str | None = None

    @property
    def last_day(self) -> date:
        """The last day of delay the liquidation counted, whatever its convention."""
        return self.period_start + timedelta(days=self.days_counted - 1)

    @property
    def decided(self) -> bool:
        return self.decided_on is not None


@dataclass(frozen=True)
class Sanction:
    sanction_id: UUID
    decided_on: date
    fine_eur: int
    articles: tuple[int, ...]
    injunction: Injunction | None
    daily_penalty_eur: int = 0
    accrues_from: date | None = None
    liquidations: tuple[Liquidation, ...] = ()  # the last may be opened and not yet decided
    injunction_complied_on: date | None = None
    injunction_ended_on: date | None = None  # the committee ended the injunction
    notified_on: date | None = None  # the day the decision reached the controller
    procedure: Procedure = "ordinary"
    annulled_on: date | None = None  # the court annulled it: it no longer stands
    reduced_fine_eur: int | None = None  # the fine as the court reduced it

    @property
    def awaits_notification(self) -> bool:
        """An injunction whose deadline runs from a notification not yet recorded: no deadline, no penalty yet."""
        return self.injunction is not None and self.injunction.deadline is None and self.notified_on is None

    @property
    def stopped_on(self) -> date | None:
        """The day the penalty stopped accruing: compliance recorded, or the committee's decision ending it."""
        return self.injunction_complied_on or self.injunction_ended_on

    @property
    def under_enforcement(self) -> bool:
        """An injunction neither complied with nor ended: its penalty runs, and the case stays open."""
        return self.injunction is not None and self.stopped_on is None

    @property
    def days_late(self) -> int | None:
        """Days of delay the penalty accrued before it stopped (None: it has not stopped)."""
        if self.stopped_on is None:
            return None
        if self.accrues_from is None:
            return 0
        return max(0, (self.stopped_on - self.accrues_from).days)

    @property
    def pending_liquidation(self) -> Liquidation | None:
        """The liquidation opened and not yet decided."""
        return next((liq for liq in self.liquidations if not liq.decided), None)

    @property
    def first_unliquidated(self) -> date | None:
        """The first day of delay no liquidation (decided or opened) counts yet."""
        if self.accrues_from is None:
            return None
        return max([self.accrues_from, *(liq.last_day + timedelta(days=1) for liq in self.liquidations)])

    @property
    def penalty_owed(self) -> bool:
        """A penalty that must be liquidated before the case can close as sanctioned: days of delay accrued up to
        the day it stopped that no liquidation counts yet, or a liquidation opened and not yet decided (the
        committee liquidates in any case of late or no compliance, décret 2019-536 art 44)."""
        if not self.daily_penalty_eur:
            return False
        if self.pending_liquidation is not None:
            return True
        first, stopped = self.first_unliquidated, self.stopped_on
        return first is not None and stopped is not None and first < stopped


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
    decided_by: PublicationAuthority = "restricted_committee"
    anonymised_on: date | None = None  # None only in a publication recorded before the day was kept
    republishes: UUID | None = None  # the publication of the decision before the court reformed it


@dataclass(frozen=True)
class Decision:
    """A decision of the authority in the case, as a publication names it: its kind, id, day and procedure."""

    kind: PublishedDecision
    decision_id: UUID
    dated: date
    procedure: Procedure = "ordinary"
    annulled_on: date | None = None
    reformed_on: date | None = None  # the court reduced its fine: it stands, reformed

    @property
    def name(self) -> str:
        return "liquidation of the penalty payment" if self.kind == "liquidation" else self.kind.replace("_", " ")

    @property
    def publisher(self) -> PublicationAuthority:
        """Who decides to make it public: the bureau at the President's request for a formal notice (loi 78-17 art
        20 II), the restricted committee for its own measures (loi 78-17 art 22)."""
        return "bureau" if self.kind == "formal_notice" else "restricted_committee"

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
    investigation_reference: str | None = None  # the President's decision to carry out checks
    checks: tuple[CheckRecorded, ...] = ()
    findings: tuple[FindingRecorded, ...] = ()
    warnings: tuple[CaseWarning, ...] = ()
    notices: tuple[Notice, ...] = ()
    proceedings: tuple[Proceedings, ...] = ()
    sanctions: tuple[Sanction, ...] = ()
    reprimands: tuple[Reprimand, ...] = ()
    publications: tuple[Publication, ...] = ()
    appeals: tuple[Appeal, ...] = ()
    outcome: CaseOutcome | None = None
    closed_on: date | None = None
    closing_reasons: str | None = None
    staff: str | None = None  # who holds the case: a staff member (token subject), a team, both or neither
    team: str | None = None
    assigned_on: date | None = None
    # the authorities working together on it (GDPR Chapter VII)
    cooperation: Cooperation = field(default_factory=Cooperation)

    @property
    def pending_notice(self) -> Notice | None:
        return next((n for n in self.notices if n.status == "pending"), None)

    @property
    def current_proceedings(self) -> Proceedings | None:
        """The proceedings before the restricted committee still running: referred, not yet deliberated on."""
        return next((p for p in self.proceedings if p.open), None)

    @property
    def standing_sanctions(self) -> tuple[Sanction, ...]:
        """The sanctions the court has not annulled."""
        return tuple(s for s in self.sanctions if s.annulled_on is None)

    @property
    def under_enforcement(self) -> bool:
        """Sanctioned, with an injunction of a standing sanction neither complied with nor ended: the case stays open
        (the case list shows it and filters on it)."""
        return self.status == "sanctioned" and any(s.under_enforcement for s in self.standing_sanctions)

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
        facts += [(check.carried_out_on, f"the {check.kind.replace('_', ' ')} check") for check in self.checks]
        facts += [(warning.decided_on, "the warning was issued") for warning in self.warnings]
        for notice in self.notices:
            facts.append((notice.issued_on, "the formal notice was issued"))
            if notice.notified_on is not None:
                facts.append((notice.notified_on, "the formal notice was notified"))
            if notice.complied_on is not None:
                facts.append((notice.complied_on, "the formal notice was complied with"))
        for proceedings in self.proceedings:
            facts += proceedings.dated_facts()
        for sanction in self.sanctions:
            facts.append((sanction.decided_on, "the sanction was decided"))
            if sanction.notified_on is not None:
                facts.append((sanction.notified_on, "the sanction was notified"))
            if sanction.injunction_complied_on is not None:
                facts.append((sanction.injunction_complied_on, "the injunction was complied with"))
            if sanction.injunction_ended_on is not None:
                facts.append((sanction.injunction_ended_on, "the injunction was ended"))
            for liquidation in sanction.liquidations:
                if liquidation.opened_on is not None:
                    facts.append((liquidation.opened_on, "the liquidation was opened"))
                if liquidation.observations_on is not None:
                    facts.append((liquidation.observations_on, "the observations on the liquidation were received"))
                if liquidation.decided_on is not None:
                    facts.append((liquidation.decided_on, "the penalty payment was liquidated"))
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

    def publishable(self) -> list[Decision]:
        """The decisions that may be made public: the case's decisions, a fine the court reduced marked reformed, and
        the liquidations decided after their written procedure (each with its sanction's procedure and annulment)."""
        reformed = {a.decision_id: a.decided_on for a in self.appeals if a.outcome == "fine_reduced"}
        liquidations = [
            Decision("liquidation", liq.liquidation_id, liq.decided_on, s.procedure, s.annulled_on)
            for s in self.sanctions
            for liq in s.liquidations
            if liq.liquidation_id is not None and liq.decided_on is not None
        ]
        return [replace(d, reformed_on=reformed.get(d.decision_id)) for d in self.decisions()] + liquidations

    def standing_decision(self) -> Decision | None:
        """The sanction or reprimand the case stands on, once it has one (the court may annul it)."""
        if self.status not in ("sanctioned", "reprimanded"):
            return None
        return next(d for d in reversed(self.decisions()) if d.kind != "formal_notice" and d.annulled_on is None)
