"""GDPR Art 78(2), one rule for the three services: what a complainant is told of their complaint's progress.

A complainant whose authority "does not inform the data subject within three months on the progress or
outcome of the complaint" may go to court (Art 78(2)). So, from the case's events:

- `news`: which events are progress a complainant is told of, which complainants (every one of the case, or
  the one complaint it is about), the day it carries and the line they read;
- `clock_start`: a complaint's three months run from the day it was received (an alert, which has no
  complainant, starts none);
- `ends_wait`: after the case is closed, or a complaint withdrawn, found inadmissible, transferred or closed,
  or its complainant's data erased, no news is owed (and a later event does not make it owed again): the
  clock follows each complaint to its own end;
- `tells_of_progress`: a complainant is told when a letter to them about news is sent, not when it is
  written; the regulator's day it is sent restarts their three months (`due`).

Intake's progress lines, the notifier's letters and reminders and the case service's overdue list all read
these, so they agree by construction. Pure: no I/O, no clock.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

from .cooperation import (
    ComplaintResolvedEarly,
    ComplaintTransmitted,
    CrossBorderComplaintRegistered,
    DecisionAdopted,
)
from .events import (
    AppealDecided,
    AppealLodged,
    CaseClosed,
    CaseOpened,
    CaseReferred,
    ComplaintAdmissibilityDecided,
    ComplaintClosed,
    ComplaintControllerAsked,
    ComplaintFiled,
    ComplaintJoinedInvestigation,
    ComplaintLinked,
    ComplaintTransferred,
    ComplaintWithdrawn,
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeExtended,
    FormalNoticeIssued,
    HearingHeld,
    InjunctionComplied,
    InjunctionEnded,
    InvestigationOpened,
    Payload,
    PenaltyPaymentLiquidated,
    PersonalDataErased,
    PublicationMade,
    ReprimandIssued,
    SanctionImposed,
    WarningIssued,
)
from .registry import BY_TYPE

ART_78_MONTHS = 3

Stage = Literal[
    "received",
    "case_opened",
    "investigating",
    "warning",
    "formal_notice",
    "committee",
    "sanction",
    "reprimand",
    "liquidation",
    "appeal",
    "closed",
    "admissible",
    "inadmissible",
    "with_controller",
    "transferred",
    "cooperation",
]
# The stages a complaint ends in on its own: after them, no line of its case moves it.
OWN_ENDS: frozenset[Stage] = frozenset({"inadmissible", "transferred", "closed"})

# What an inadmissible or a closed complaint's complainant reads, by reason.
INADMISSIBLE_LINES = {
    "not_personal_data": "it is not about personal data",
    "outside_competence": "it is outside this authority's competence",
    "no_prior_request": "you had not first asked the controller to respect your rights",
    "manifestly_unfounded_or_excessive": "it is manifestly unfounded or excessive (GDPR Art 57(4))",
    "duplicate": "it repeats a complaint already lodged",
    "cross_border_content_missing": "it is about processing across borders and lacks what Regulation (EU) 2025/2518 "
    "art 4(1) requires of such a complaint ({missing}); art 4(2) requires the authority to declare it inadmissible "
    "within two weeks of receiving it",
}
MISSING_CONTENT_LINES = {"constitution_proof": "the body's proof that it is properly constituted, art 4(1)(b)"}
CLOSURE_LINES = {
    "resolved": "the controller acted on it",
    "no_infringement": "no infringement was found",
    "withdrawn": "you withdrew it",
    "not_pursued": "the authority does not pursue it",
}

OUTCOME_LINES = {
    "complied": "the controller complied",
    "warned": "the controller was warned",
    "sanctioned": "the controller was sanctioned",
    "reprimanded": "the controller was reprimanded",
    "dismissed": "the complaint was dismissed",
    "no_infringement": "no infringement was found",
}

RULING_LINES = {
    "dismissed": "The Conseil d'État dismissed the appeal: the authority's {decision} stands.",
    "annulled": "The Conseil d'État annulled the authority's {decision}; the authority examines the case again.",
    "fine_reduced": "The Conseil d'État reduced the fine to EUR {fine:,}; the rest of the sanction stands.",
}


@dataclass(frozen=True)
class News:
    """Progress complainants are told of: the day it carries (None: the event carries none), the line they
    read, the stage their complaint reaches, and the one complaint it is about (None: every complaint of the
    case)."""

    on: date | None
    line: str
    stage: Stage
    only: UUID | None = None


def _investigation_news(event: Payload) -> News | None:
    match event:
        case CaseOpened():
            return News(event.opened_on, "A case was opened on your complaint.", "case_opened", event.complaint_id)
        case ComplaintLinked():
            return News(
                None,
                "Your complaint was joined to the case already open on this controller.",
                "case_opened",
                event.complaint_id,
            )
        case InvestigationOpened():
            return News(event.opened_on, "The authority opened an investigation.", "investigating")
        case WarningIssued():
            return News(
                event.decided_on,
                "The authority warned the controller that the processing it intends is likely to infringe the GDPR.",
                "warning",
            )
    return None


def _notice_news(event: Payload) -> News | None:
    match event:
        case FormalNoticeIssued():
            by = (
                f"by {event.compliance_deadline.isoformat()}"
                if event.compliance_deadline
                else f"within {event.time_limit.words} of receiving the order"
                if event.time_limit
                else "by the deadline it set"
            )
            return News(event.issued_on, f"The authority ordered the controller to comply {by}.", "formal_notice")
        case FormalNoticeExtended():
            return News(
                event.decided_on,
                f"The authority extended the controller's time limit to comply by {event.extension.words}.",
                "formal_notice",
            )
        case FormalNoticeComplied():
            return News(event.complied_on, "The controller complied with the order.", "formal_notice")
        case FormalNoticeDeadlineExpired():
            return News(event.deadline, "The controller did not comply by the deadline.", "formal_notice")
        case FormalNoticeExpirySuperseded():
            return News(
                event.complied_on,
                "The earlier notice that the deadline had passed no longer stands: the "
                "controller's compliance by the deadline was recorded.",
                "formal_notice",
            )
    return None


def _decision_news(event: Payload) -> News | None:
    match event:
        case CaseReferred():
            return News(
                event.referred_on,
                "The authority referred the case to its restricted committee, which decides sanctions.",
                "committee",
            )
        case HearingHeld():
            return News(event.held_on, "The restricted committee heard the case.", "committee")
        case SanctionImposed():
            return News(event.decided_on, f"The authority imposed a fine of EUR {event.fine_eur:,}.", "sanction")
        case ReprimandIssued():
            return News(
                event.decided_on, "The authority issued a reprimand to the controller, without a fine.", "reprimand"
            )
        case PublicationMade():
            name = "liquidation of the penalty payment" if event.decision == "liquidation" else event.decision
            again = " again, as the court reformed it" if event.republishes is not None else ""
            return News(
                event.published_on,
                f"The authority made its {name.replace('_', ' ')} of {event.decision_dated.isoformat()} public{again}.",
                event.decision,
            )
        case AppealLodged():
            return News(
                event.lodged_on,
                f"The controller appealed the authority's {event.decision} of "
                f"{event.decision_dated.isoformat()} before the Conseil d'État.",
                "appeal",
            )
        case AppealDecided():
            return News(
                event.decided_on,
                RULING_LINES[event.outcome].format(decision=event.decision, fine=event.fine_eur or 0),
                "investigating" if event.outcome == "annulled" else event.decision,
            )
        case CaseClosed():
            return News(event.closed_on, f"The case was closed: {OUTCOME_LINES[event.outcome]}.", "closed")
    return None


def _enforcement_news(event: Payload) -> News | None:
    match event:
        case InjunctionComplied():
            return News(event.complied_on, "The controller complied with the authority's injunction.", "sanction")
        case InjunctionEnded():
            return News(event.ended_on, "The authority ended its injunction; its penalty payment stopped.", "sanction")
        case PenaltyPaymentLiquidated():
            return News(
                event.decision_day,
                f"A penalty payment of EUR {event.amount_eur:,} was set for the controller's delay.",
                "sanction",
            )
    return None


def complaint_news(event: Payload) -> News | None:
    """The news of a complaint's own handling: told to its complainant only."""
    match event:
        case ComplaintAdmissibilityDecided() if event.decision == "admissible":
            return News(event.decided_on, "Your complaint was found admissible.", "admissible", event.complaint_id)
        case ComplaintAdmissibilityDecided():
            assert event.reason is not None
            missing = "; ".join(MISSING_CONTENT_LINES[content] for content in event.missing_content)
            line = f"Your complaint was found inadmissible: {INADMISSIBLE_LINES[event.reason].format(missing=missing)}."
            return News(event.decided_on, line, "inadmissible", event.complaint_id)
        case ComplaintControllerAsked():
            line = f"The authority asked the controller to act on your complaint by {event.answer_due.isoformat()}."
            return News(event.asked_on, line, "with_controller", event.complaint_id)
        case ComplaintJoinedInvestigation():
            line = "Your complaint joined the authority's investigation of the controller."
            return News(event.joined_on, line, "investigating", event.complaint_id)
        case ComplaintTransferred():
            line = f"Your complaint was sent to {event.authority}, the authority competent for it."
            return News(event.transferred_on, line, "transferred", event.complaint_id)
        case ComplaintClosed():
            line = f"Your complaint was closed: {CLOSURE_LINES[event.reason]}."
            return News(event.closed_on, line, "closed", event.complaint_id)
    return None


def cooperation_news(event: Payload) -> News | None:
    """What a complainant of a cross-border case is told: they deal with the authority they lodged the complaint
    with only (Regulation 2025/2518, as reported), which tells them what the authorities did together (GDPR Art
    60(7)-(8))."""
    match event:
        case CrossBorderComplaintRegistered():
            line = (
                "Your complaint is about processing in several countries of the EU. The authority is assessing it "
                "and will send it to the lead authority, in the country where the controller is established. You "
                "keep dealing with this authority only."
            )
            return News(event.received_on, line, "cooperation", event.complaint_id)
        case ComplaintTransmitted():
            line = (
                f"The authority sent your complaint to the lead authority ({event.lead}), which investigates the "
                "controller. This authority keeps you informed."
            )
            return News(event.transmitted_on, line, "cooperation", event.complaint_id)
        case ComplaintResolvedEarly():
            line = "Your complaint was resolved: the controller ended the infringement, and you did not object."
            return News(event.resolved_on, line, "cooperation", event.complaint_id)
        case DecisionAdopted() if event.decision == "action":
            line = (
                "The authorities concerned reached their decision on the controller together: the lead authority "
                f"adopted it on {event.adopted_on.isoformat()}."
            )
            return News(event.adopted_on, line, "cooperation")
        case DecisionAdopted():
            line = "Your complaint was rejected, in agreement with the other authorities concerned."
            return News(event.adopted_on, line, "cooperation")
    return None


# Each stage of a case tells its own news, and a complaint its own handling's; an event none tells is no news.
STAGES = (_investigation_news, _notice_news, _decision_news, _enforcement_news, complaint_news, cooperation_news)


def news(event: Payload) -> News | None:
    """The progress `event` tells complainants of, or None. Only what the authority does and decides: nothing
    about other complainants or the investigation's findings."""
    return next((found for stage in STAGES if (found := stage(event)) is not None), None)


# The types `news` answers for: a letter sent about an event of one of them told its complainant of progress.
NEWS_TYPES: frozenset[type[Payload]] = frozenset(
    {
        CaseOpened,
        ComplaintLinked,
        InvestigationOpened,
        WarningIssued,
        FormalNoticeIssued,
        FormalNoticeExtended,
        FormalNoticeComplied,
        FormalNoticeDeadlineExpired,
        FormalNoticeExpirySuperseded,
        CaseReferred,
        HearingHeld,
        SanctionImposed,
        InjunctionComplied,
        InjunctionEnded,
        PenaltyPaymentLiquidated,
        CaseClosed,
        ReprimandIssued,
        PublicationMade,
        AppealLodged,
        AppealDecided,
        ComplaintAdmissibilityDecided,
        ComplaintControllerAsked,
        ComplaintJoinedInvestigation,
        ComplaintTransferred,
        ComplaintClosed,
        CrossBorderComplaintRegistered,
        ComplaintTransmitted,
        ComplaintResolvedEarly,
        DecisionAdopted,
    }
)


def clock_start(event: Payload) -> tuple[UUID, date] | None:
    """The complaint whose three months `event` starts, and the day they run from: its receipt, which the
    complaint carries, and so do the case's events that take it in (a case is opened on the day its first
    complaint was received). An alert or a referral is not a complaint: nobody is owed news of it."""
    match event:
        case ComplaintFiled() if event.kind != "alert":
            return event.complaint_id, event.received_on
        case CaseOpened() if event.complaint_kind != "alert":
            return event.complaint_id, event.opened_on
        case ComplaintLinked() if event.complaint_kind != "alert":
            return event.complaint_id, event.received_on
    return None


@dataclass(frozen=True)
class WaitEnds:
    """No news is owed any more to every complainant of `case_id`, or to the complainant of `complaint_id`."""

    case_id: UUID | None = None
    complaint_id: UUID | None = None


def ends_wait(event: Payload) -> WaitEnds | None:
    match event:
        case CaseClosed():
            return WaitEnds(case_id=event.case_id)
        case ComplaintWithdrawn() | PersonalDataErased() | ComplaintTransferred() | ComplaintClosed():
            return WaitEnds(complaint_id=event.complaint_id)
        case ComplaintAdmissibilityDecided() if event.decision == "inadmissible":
            return WaitEnds(complaint_id=event.complaint_id)
    return None


def tells_of_progress(recipient_role: str, complaint_id: UUID | None, source_event_type: str) -> bool:
    """Whether a letter, once sent, told its complainant of progress: one to a complainant about an event of
    a type that is news (an acknowledgement or a withdrawal's confirmation is not)."""
    about = BY_TYPE.get(source_event_type)
    return (
        recipient_role == "complainant"
        and complaint_id is not None
        and about is not None
        and about.payload in NEWS_TYPES
    )


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter (30 Nov + 3 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due(last_told_on: date) -> date:
    """The day three months without news are complete: the complainant may then go to court."""
    return add_months(last_told_on, ART_78_MONTHS)
