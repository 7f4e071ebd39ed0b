"""The commands a case takes, one frozen dataclass each, and `Command`, their union: what staff (through the
API), the complaint router and the durable timer ask of a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from docket_contracts.cooperation import CooperationFrameRecorded, Step
from docket_contracts.events import (
    AppealOutcome,
    CaseOutcome,
    CheckKind,
    ComplaintFiled,
    Injunction,
    NationalProvision,
    Order,
    OrderNotComplied,
    Procedure,
    PublicationAuthority,
    RapporteurKind,
    Speaker,
    TimeLimit,
)

Convention = Literal["exclusive_end", "inclusive"]
CONVENTIONS: dict[Convention, str] = {
    "exclusive_end": "days of delay from period_start up to but not including period_end",
    "inclusive": "calendar days from period_start to period_end, both included",
}


@dataclass(frozen=True)
class OpenCase:
    case_id: UUID
    complaint: ComplaintFiled


@dataclass(frozen=True)
class LinkComplaint:
    complaint: ComplaintFiled


@dataclass(frozen=True)
class OpenInvestigation:
    """The President's decision to carry out checks, by its reference (loi 78-17 art 19)."""

    opened_on: date
    scope: str
    reference: str | None = None


@dataclass(frozen=True)
class RecordCheck:
    check_id: UUID
    kind: CheckKind
    carried_out_on: date
    description: str


@dataclass(frozen=True)
class RecordFinding:
    finding_id: UUID
    articles: tuple[int, ...]
    facts: str


@dataclass(frozen=True)
class IssueWarning:
    """The President's warning that intended processing is likely to infringe the GDPR (Art 58(2)(a))."""

    warning_id: UUID
    decided_on: date
    reference: str
    articles: tuple[int, ...]
    intended_processing: str


@dataclass(frozen=True)
class IssueFormalNotice:
    """The President's formal notice (loi 78-17 art 20 II): its orders, and its time limit, which runs from the day
    the controller receives it (décret 2019-536 art 38)."""

    notice_id: UUID
    orders: tuple[Order, ...]
    issued_on: date
    time_limit: TimeLimit
    reference: str | None = None
    urgency: bool = False


@dataclass(frozen=True)
class ExtendFormalNotice:
    notice_id: UUID
    decided_on: date
    extension: TimeLimit
    reasons: str


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


# --- before the restricted committee ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferToCommittee:
    """The President's referral to the restricted committee, naming the rapporteur (loi 78-17 art 22; décret
    2019-536 art 39); under the simplified procedure (art 22-1), the member who decides alone."""

    proceedings_id: UUID
    referred_on: date
    reference: str
    rapporteur: str
    rapporteur_kind: RapporteurKind
    procedure: Procedure = "ordinary"
    deciding_member: str | None = None


@dataclass(frozen=True)
class NotifyReport:
    notified_on: date
    documents: tuple[str, ...]


@dataclass(frozen=True)
class RecordFileAccess:
    consulted_on: date
    documents: tuple[str, ...]


@dataclass(frozen=True)
class ExtendObservations:
    decided_on: date
    until: date
    reasons: str


@dataclass(frozen=True)
class RecordObservations:
    received_on: date


@dataclass(frozen=True)
class RecordRapporteurAnswer:
    answered_on: date


@dataclass(frozen=True)
class RecordControllerReply:
    replied_on: date


@dataclass(frozen=True)
class SummonController:
    summoned_on: date
    hearing_on: date


@dataclass(frozen=True)
class RecordHearing:
    held_on: date
    public: bool
    speakers: tuple[Speaker, ...]


@dataclass(frozen=True)
class InterruptSimplified:
    interrupted_on: date
    reasons: str


@dataclass(frozen=True)
class Deliberation:
    """How the restricted committee reached a decision: its reference (SAN-2022-019), the members who sat, and the
    quorum the case service's setting RESTRICTED_COMMITTEE_QUORUM sets (the domain reads no setting itself)."""

    reference: str
    members: tuple[str, ...]
    quorum: int


@dataclass(frozen=True)
class Conduct:
    """One sanctionable conduct: the GDPR articles it infringed, the orders of the authority it did not comply with,
    the provisions of French law it infringed, and the fine for it, which the cap of its gravest infringement bounds
    (GDPR Art 83(3))."""

    articles: tuple[int, ...]
    fine_eur: int
    orders_not_complied: tuple[OrderNotComplied, ...] = ()
    national: tuple[NationalProvision, ...] = ()


@dataclass(frozen=True)
class ImposeSanction:
    """A fine for one conduct (`articles`, `orders_not_complied`, `national`), or for several separate conducts
    (`conducts`, whose fines add up to `fine_eur`), each within its own cap."""

    sanction_id: UUID
    decided_on: date
    fine_eur: int
    turnover_eur: int | None
    articles: tuple[int, ...]
    injunction: Injunction | None = None
    orders_not_complied: tuple[OrderNotComplied, ...] = ()
    conducts: tuple[Conduct, ...] = ()
    national: tuple[NationalProvision, ...] = ()
    deliberation: Deliberation | None = None


@dataclass(frozen=True)
class IssueReprimand:
    reprimand_id: UUID
    decided_on: date
    articles: tuple[int, ...]
    reasons: str
    deliberation: Deliberation | None = None


@dataclass(frozen=True)
class PublishDecision:
    """`decided_by` is the authority the caller speaks for: the bureau (the President asks it) or the restricted
    committee (one of its members records its decision)."""

    publication_id: UUID
    decision_id: UUID
    published_on: date
    anonymised_on: date
    decided_by: PublicationAuthority


@dataclass(frozen=True)
class WithdrawPublication:
    publication_id: UUID
    withdrawn_on: date
    reasons: str
    decided_by: PublicationAuthority


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
class OpenLiquidation:
    """The written procedure of a liquidation (décret 2019-536 art 44): its reasons and envisaged amount notified to
    the controller on `opened_on`, for the days of delay of a period that has passed."""

    liquidation_id: UUID
    sanction_id: UUID
    opened_on: date
    period_start: date
    period_end: date
    convention: Convention
    envisaged_amount_eur: int
    reasons: str


@dataclass(frozen=True)
class RecordLiquidationObservations:
    sanction_id: UUID
    received_on: date


@dataclass(frozen=True)
class LiquidatePenalty:
    """The restricted committee's liquidation of the opened period, at an amount up to days x rate."""

    sanction_id: UUID
    decided_on: date
    amount_eur: int
    reasons: str
    reference: str | None = None


@dataclass(frozen=True)
class EndInjunction:
    """The restricted committee's decision ending an injunction: its penalty stops accruing that day."""

    sanction_id: UUID
    ended_on: date
    reasons: str


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


@dataclass(frozen=True)
class Cooperate:
    """A step of the cooperation between authorities (cooperate.py), taken here or reported by another authority's
    message: the step itself, this authority's id, and the directory of authorities a step may name."""

    step: CooperationFrameRecorded | Step
    own: str
    authorities: frozenset[str]


@dataclass(frozen=True)
class LapseCooperation:
    """The timer's look at the case's cooperation deadlines on `today` (cooperation_deadlines.lapse)."""

    today: date
    now: datetime


Command = (
    OpenCase
    | LinkComplaint
    | OpenInvestigation
    | RecordCheck
    | RecordFinding
    | IssueWarning
    | IssueFormalNotice
    | ExtendFormalNotice
    | RecordCompliance
    | ExpireDeadline
    | ReferToCommittee
    | NotifyReport
    | RecordFileAccess
    | ExtendObservations
    | RecordObservations
    | RecordRapporteurAnswer
    | RecordControllerReply
    | SummonController
    | RecordHearing
    | InterruptSimplified
    | ImposeSanction
    | RecordInjunctionCompliance
    | OpenLiquidation
    | RecordLiquidationObservations
    | LiquidatePenalty
    | EndInjunction
    | CloseCase
    | RecordNoticeNotification
    | RecordSanctionNotification
    | IssueReprimand
    | PublishDecision
    | WithdrawPublication
    | LodgeAppeal
    | RecordRuling
    | Cooperate
    | LapseCooperation
)
