"""Which letters an event calls for, what they say, and when staff must be reminded; pure.

A letter is decided from the event and what the notifier knows of the case (its controller, the
controller's contact address, its complainants). Alerts have no complainant to keep informed.
"""

from __future__ import annotations

import calendar
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal
from uuid import UUID

from docket_contracts.events import (
    AppealDecided,
    AppealLodged,
    CaseClosed,
    CaseOpened,
    ComplaintFiled,
    ComplaintKind,
    ComplaintLinked,
    ComplaintWithdrawn,
    Controller,
    FineCap,
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeIssued,
    InjunctionComplied,
    InvestigationOpened,
    Order,
    Payload,
    PenaltyPaymentLiquidated,
    PublicationMade,
    PublicationWithdrawn,
    ReprimandIssued,
    SanctionImposed,
    SanctionNotified,
)
from docket_contracts.progress import due

Channel = Literal["letter", "email", "webhook"]
Role = Literal["complainant", "controller", "staff", "integrator"]

SIMPLIFIED = ", taken under the simplified procedure (loi Informatique et Libertés art 22-1)"

OUTCOMES = {
    "complied": "the controller brought its processing into compliance",
    "sanctioned": "a sanction was imposed on the controller",
    "reprimanded": "the controller was reprimanded",
    "dismissed": "the complaint was dismissed",
    "no_infringement": "no infringement was found",
}


@dataclass(frozen=True)
class Complainant:
    """Who lodged a complaint, and where letters to them go (personal data)."""

    complaint_id: UUID
    reference: str
    kind: ComplaintKind
    name: str
    email: str

    @property
    def kept_informed(self) -> bool:
        """GDPR Art 78(2) applies to complaints; an alert has no complainant to inform."""
        return self.kind != "alert"


@dataclass(frozen=True)
class CaseFile:
    """What the notifier knows of a case when an event about it arrives."""

    case_id: UUID | None = None
    controller: Controller | None = None
    controller_email: str | None = None
    complainants: tuple[Complainant, ...] = ()


@dataclass(frozen=True)
class Letter:
    """A letter to send: plain paragraphs, rendered to text and HTML by `render_text` / `render_html`."""

    kind: str
    recipient_role: Role
    recipient_name: str
    address: str | None
    subject: str
    summary: str
    paragraphs: tuple[str, ...]
    case_id: UUID | None = None
    complaint_id: UUID | None = None
    controller_key: str | None = None
    channel: Channel = "letter"
    items: tuple[str, ...] = field(default=())  # a bulleted list after the first paragraph

    @property
    def text(self) -> str:
        return render_text(self)

    @property
    def html(self) -> str:
        return render_html(self)


# --- rendering --------------------------------------------------------------------------------------------


def euros(amount: int) -> str:
    return f"EUR {amount:,}"


def long_date(day: date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def order_line(order: Order) -> str:
    return f"Art 58(2)({order.point}) GDPR: {order.text}"


def render_text(letter: Letter) -> str:
    lines = [f"Dear {letter.recipient_name},", ""]
    for index, paragraph in enumerate(letter.paragraphs):
        lines += [paragraph, ""]
        if index == 0 and letter.items:
            lines += [*(f"  - {item}" for item in letter.items), ""]
    return "\n".join([*lines, "Yours faithfully,", "The data protection authority", ""])


def render_html(letter: Letter) -> str:
    e = html.escape
    parts = [f"<p>Dear {e(letter.recipient_name)},</p>"]
    for index, paragraph in enumerate(letter.paragraphs):
        parts.append(f"<p>{e(paragraph)}</p>")
        if index == 0 and letter.items:
            parts.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in letter.items) + "</ul>")
    parts.append("<p>Yours faithfully,<br>The data protection authority</p>")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(letter.subject)}</title>'
        f"</head>\n<body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


# --- which letters an event calls for ---------------------------------------------------------------------


def _to_complainants(
    case: CaseFile, kind: str, subject: str, summary: str, paragraphs: Sequence[str], only: UUID | None = None
) -> list[Letter]:
    return [
        Letter(
            kind=kind,
            recipient_role="complainant",
            recipient_name=c.name,
            address=c.email,
            subject=f"{subject} ({c.reference})",
            summary=summary,
            paragraphs=(f"Your complaint {c.reference}: {paragraphs[0]}", *paragraphs[1:]),
            case_id=case.case_id,
            complaint_id=c.complaint_id,
        )
        for c in case.complainants
        if c.kept_informed and (only is None or c.complaint_id == only)
    ]


def _to_controller(
    case: CaseFile, kind: str, subject: str, summary: str, paragraphs: Sequence[str], items: Sequence[str] = ()
) -> list[Letter]:
    if case.controller is None:
        return []
    return [
        Letter(
            kind=kind,
            recipient_role="controller",
            recipient_name=case.controller.name,
            address=case.controller_email,
            subject=subject,
            summary=summary,
            paragraphs=tuple(paragraphs),
            items=tuple(items),
            case_id=case.case_id,
            controller_key=case.controller.key,
        )
    ]


def _controller_name(case: CaseFile) -> str:
    return case.controller.name if case.controller else "the controller"


def _complaint_filed(event: ComplaintFiled, case: CaseFile) -> list[Letter]:
    """The acknowledgement, to the complainant of the case file (the event's own name and address are sealed;
    the application opens them into the case file)."""
    on_file = replace(case, controller=event.controller)
    return _to_complainants(
        on_file,
        "acknowledgement",
        "Your complaint was received",
        f"We received your complaint about {event.controller.name} on {event.received_on.isoformat()}. "
        f"We will tell you how it progresses.",
        [
            f"we received it on {long_date(event.received_on)}. It concerns {event.controller.name}.",
            "We will tell you how your complaint progresses, and at the latest within three months (GDPR Art 78(2)).",
        ],
        only=event.complaint_id,
    )


def _case_opened(event: CaseOpened, case: CaseFile) -> list[Letter]:
    case = replace(case, controller=case.controller or event.controller)
    return _to_complainants(
        case,
        "progress",
        "A case was opened",
        f"A case on {event.controller.name} was opened on {event.opened_on.isoformat()} from your complaint.",
        [
            f"a case on {event.controller.name} was opened from it on {long_date(event.opened_on)}.",
            "We will write to you again at each step of the case that concerns you.",
        ],
        only=event.complaint_id,
    )


def _complaint_linked(event: ComplaintLinked, case: CaseFile) -> list[Letter]:
    name = _controller_name(case)
    return _to_complainants(
        case,
        "progress",
        "Your complaint joined an open case",
        f"Your complaint was joined to the case already open on {name}.",
        [
            f"it was joined to the case already open on {name}, which examines the same processing.",
            "We will write to you again at each step of the case that concerns you.",
        ],
        only=event.complaint_id,
    )


def _complaint_withdrawn(event: ComplaintWithdrawn, case: CaseFile) -> list[Letter]:
    return _to_complainants(
        case,
        "withdrawal",
        "Your complaint was withdrawn",
        f"Your withdrawal of the complaint on {event.withdrawn_on.isoformat()} was recorded.",
        [
            f"we recorded that you withdrew it on {long_date(event.withdrawn_on)}.",
            "We will not write to you about it again.",
        ],
        only=event.complaint_id,
    )


def _investigation_opened(event: InvestigationOpened, case: CaseFile) -> list[Letter]:
    return _to_complainants(
        case,
        "progress",
        "An investigation was opened",
        f"An investigation of {_controller_name(case)} was opened on {event.opened_on.isoformat()}.",
        [f"we opened an investigation of {_controller_name(case)} on {long_date(event.opened_on)}."],
    )


def _formal_notice_issued(event: FormalNoticeIssued, case: CaseFile) -> list[Letter]:
    name, deadline = _controller_name(case), long_date(event.compliance_deadline)
    to_complainants = _to_complainants(
        case,
        "progress",
        "A formal notice was issued",
        f"{name} was given formal notice on {event.issued_on.isoformat()} to comply by "
        f"{event.compliance_deadline.isoformat()}.",
        [
            f"on {long_date(event.issued_on)} we gave {name} formal notice to bring its processing into "
            f"compliance by {deadline}."
        ],
    )
    to_controller = _to_controller(
        case,
        "formal_notice",
        f"Formal notice of {long_date(event.issued_on)}",
        f"Formal notice of {event.issued_on.isoformat()}: comply by {event.compliance_deadline.isoformat()}.",
        [
            f"following the examination of complaints about your processing of personal data, the authority "
            f"gives you formal notice, on {long_date(event.issued_on)}, under Article 58(2) of the GDPR, to:",
            f"You must comply with these orders by {deadline} and send us the evidence of compliance by then. "
            f"If you do not, the authority may impose a sanction, including an administrative fine under "
            f"Article 83 of the GDPR.",
        ],
        items=[order_line(order) for order in event.orders],
    )
    return to_complainants + to_controller


def _formal_notice_complied(event: FormalNoticeComplied, case: CaseFile) -> list[Letter]:
    return _to_complainants(
        case,
        "progress",
        "The formal notice was complied with",
        f"{_controller_name(case)} complied with the formal notice on {event.complied_on.isoformat()}.",
        [f"{_controller_name(case)} complied with the formal notice on {long_date(event.complied_on)}."],
    )


def _injunction_complied(event: InjunctionComplied, case: CaseFile) -> list[Letter]:
    return _to_complainants(
        case,
        "progress",
        "The injunction was complied with",
        f"{_controller_name(case)} complied with the authority's injunction on {event.complied_on.isoformat()}.",
        [
            f"{_controller_name(case)} complied with the injunction of the authority's decision on "
            f"{long_date(event.complied_on)}; the periodic penalty payment stopped accruing that day."
        ],
    )


def _deadline_expired(event: FormalNoticeDeadlineExpired, case: CaseFile) -> list[Letter]:
    return _to_complainants(
        case,
        "progress",
        "The formal notice's deadline passed",
        f"The deadline of {event.deadline.isoformat()} passed without compliance by {_controller_name(case)}.",
        [
            f"the deadline of {long_date(event.deadline)} set to {_controller_name(case)} passed without "
            f"compliance. We are considering further measures."
        ],
    )


def _infringed(articles: Sequence[int], orders_not_complied: Sequence[str]) -> str:
    """ "Articles 6, 12 of the GDPR and the authority's order under Article 58(2) GDPR": what was infringed."""
    named = [f"Articles {', '.join(map(str, articles))} of the GDPR"] if articles else []
    if orders_not_complied:
        plural = "s under Articles" if len(orders_not_complied) > 1 else " under Article"
        named.append(f"the authority's order{plural} {' and '.join(orders_not_complied)} GDPR")
    return " and ".join(named)


def _within(cap: FineCap) -> str:
    return (
        f"within the cap of {euros(cap.cap_eur)} of Article {cap.paragraph} GDPR ({euros(cap.fixed_eur)} or "
        f"{cap.turnover_percent} % of worldwide annual turnover, whichever is higher)"
    )


def _sanction_imposed(event: SanctionImposed, case: CaseFile) -> list[Letter]:
    name = _controller_name(case)
    conducts = event.conducts or ()
    infringed = (
        _infringed(
            sorted({a for c in conducts for a in c.articles_infringed}),
            sorted({o for c in conducts for o in c.orders_not_complied}),
        )
        if conducts
        else _infringed(event.articles_infringed, ())
    )
    items = [f"an administrative fine of {euros(event.fine_eur)}, {_within(event.cap)}"]
    if len(conducts) > 1:  # separate conducts, each fined within its own cap (Art 83(3))
        items = [f"an administrative fine of {euros(event.fine_eur)} for {len(conducts)} separate conducts"] + [
            f"{euros(c.fine_eur)} for infringing {_infringed(c.articles_infringed, c.orders_not_complied)}, "
            f"{_within(c.cap)}"
            for c in conducts
        ]
    if event.injunction is not None:
        injunction = event.injunction
        by = (
            long_date(injunction.deadline)
            if injunction.deadline is not None
            else f"the end of {injunction.days_after_notification} days from the notification of this decision"
        )
        items += [f"an injunction to comply by {by}: {order_line(order)}" for order in injunction.orders]
        if injunction.daily_penalty_eur:
            items.append(
                f"a periodic penalty payment of {euros(injunction.daily_penalty_eur)} per day of delay after {by}"
            )
    to_complainants = _to_complainants(
        case,
        "progress",
        "A sanction was imposed",
        f"A sanction was imposed on {name} on {event.decided_on.isoformat()}: a fine of {euros(event.fine_eur)}.",
        [
            f"on {long_date(event.decided_on)} we imposed a sanction on {name}, including a fine of "
            f"{euros(event.fine_eur)}, for infringing {infringed}."
        ],
    )
    to_controller = _to_controller(
        case,
        "sanction_decision",
        f"Sanction decision of {long_date(event.decided_on)}",
        f"Sanction decision of {event.decided_on.isoformat()}: a fine of {euros(event.fine_eur)}.",
        [
            f"the authority finds that you infringed {infringed}. By its decision of {long_date(event.decided_on)}"
            f"{SIMPLIFIED if event.procedure == 'simplified' else ''}, it imposes:",
            "This decision may be appealed before the competent court within the time limit the law sets.",
        ],
        items=items,
    )
    return to_complainants + to_controller


def _reprimand_issued(event: ReprimandIssued, case: CaseFile) -> list[Letter]:
    name, infringed = _controller_name(case), _infringed(event.articles_infringed, ())
    how = SIMPLIFIED if event.procedure == "simplified" else ""
    to_complainants = _to_complainants(
        case,
        "progress",
        "A reprimand was issued",
        f"A reprimand was issued to {name} on {event.decided_on.isoformat()}, without a fine.",
        [
            f"on {long_date(event.decided_on)} we issued a reprimand to {name} for infringing {infringed}. "
            f"The reprimand is a corrective measure of its own (Article 58(2)(b) GDPR); no fine was imposed."
        ],
    )
    to_controller = _to_controller(
        case,
        "reprimand_decision",
        f"Reprimand of {long_date(event.decided_on)}",
        f"Reprimand of {event.decided_on.isoformat()} under Article 58(2)(b) GDPR, without a fine.",
        [
            f"the authority finds that you infringed {infringed}. By its decision of {long_date(event.decided_on)}"
            f"{how}, it issues you a reprimand under Article 58(2)(b) of the GDPR, without a fine.",
            f"Reasons: {event.reasons}",
            "This decision may be appealed before the Conseil d'État within the time limit the law sets.",
        ],
    )
    return to_complainants + to_controller


def _publication_made(event: PublicationMade, case: CaseFile) -> list[Letter]:
    decision = f"{event.decision.replace('_', ' ')} of {long_date(event.decision_dated)}"
    to_complainants = _to_complainants(
        case,
        "progress",
        "A decision was made public",
        f"The authority made its {decision} public on {event.published_on.isoformat()}.",
        [
            f"on {long_date(event.published_on)} the authority made public its {decision} concerning "
            f"{_controller_name(case)}."
        ],
    )
    to_controller = _to_controller(
        case,
        "publication",
        f"Publication of the {decision}",
        f"The {decision} was made public on {event.published_on.isoformat()}.",
        [
            f"the authority made its {decision} public on {long_date(event.published_on)}, under your name.",
            "We will tell you when the publication is withdrawn.",
        ],
    )
    return to_complainants + to_controller


def _publication_withdrawn(event: PublicationWithdrawn, case: CaseFile) -> list[Letter]:
    decision = event.decision.replace("_", " ")
    return _to_controller(
        case,
        "publication_withdrawn",
        f"Withdrawal of the publication of the {decision}",
        f"The publication of the {decision} was withdrawn on {event.withdrawn_on.isoformat()}.",
        [
            f"the authority withdrew the publication of its {decision} on {long_date(event.withdrawn_on)}; the "
            f"decision stands, but is no longer public under your name.",
            f"Reasons: {event.reasons}",
        ],
    )


def _appeal_lodged(event: AppealLodged, case: CaseFile) -> list[Letter]:
    decision = f"{event.decision} of {long_date(event.decision_dated)}"
    return _to_complainants(
        case,
        "progress",
        "The decision was appealed",
        f"{_controller_name(case)} appealed the authority's {decision} before the Conseil d'État on "
        f"{event.lodged_on.isoformat()}.",
        [
            f"{_controller_name(case)} appealed the authority's {decision} before the Conseil d'État on "
            f"{long_date(event.lodged_on)}. The decision applies meanwhile; we will tell you of the court's ruling."
        ],
    )


# What a ruling means for the controller, by its outcome and the decision appealed.
RULING_EFFECTS = {
    ("dismissed", "sanction"): "the sanction stands as decided, with everything it imposes",
    ("dismissed", "reprimand"): "the reprimand stands",
    ("annulled", "sanction"): "the sanction no longer stands: its fine, its injunction and any periodic penalty "
    "payment are not due; the authority will examine the case again",
    ("annulled", "reprimand"): "the reprimand no longer stands; the authority will examine the case again",
    ("fine_reduced", "sanction"): "the fine due is now {fine}; the rest of the sanction stands",
}


def _appeal_decided(event: AppealDecided, case: CaseFile) -> list[Letter]:
    decision = f"{event.decision} of {long_date(event.decision_dated)}"
    ruled = {
        "dismissed": "dismissed the appeal against",
        "annulled": "annulled",
        "fine_reduced": "reduced the fine of",
    }[event.outcome]
    effect = RULING_EFFECTS[(event.outcome, event.decision)].format(fine=euros(event.fine_eur or 0))
    to_complainants = _to_complainants(
        case,
        "progress",
        "The court ruled on the appeal",
        f"On {event.decided_on.isoformat()} the Conseil d'État {ruled} the authority's {decision}.",
        [
            f"on {long_date(event.decided_on)} the Conseil d'État {ruled} the authority's {decision} concerning "
            f"{_controller_name(case)}: {effect}."
        ],
    )
    to_controller = _to_controller(
        case,
        "appeal_ruling",
        f"The Conseil d'État's ruling on the {decision}",
        f"On {event.decided_on.isoformat()} the Conseil d'État {ruled} the {decision}.",
        [
            f"by its ruling of {long_date(event.decided_on)}, the Conseil d'État {ruled} the authority's {decision}: "
            f"{effect}."
        ],
    )
    return to_complainants + to_controller


def _sanction_notified(event: SanctionNotified, case: CaseFile) -> list[Letter]:
    if event.injunction_deadline is None:
        return []  # the deadline was in the decision itself: nothing new to tell
    return _to_controller(
        case,
        "injunction_deadline",
        "The deadline of the injunction",
        f"The sanction decision was notified on {event.notified_on.isoformat()}: comply by "
        f"{event.injunction_deadline.isoformat()}.",
        [
            f"the sanction decision was notified to you on {long_date(event.notified_on)}; the injunction it "
            f"contains runs from that day, so you must comply by {long_date(event.injunction_deadline)}."
        ],
    )


def _expiry_superseded(event: FormalNoticeExpirySuperseded, case: CaseFile) -> list[Letter]:
    return _to_complainants(
        case,
        "progress",
        "The formal notice was complied with in time",
        f"{_controller_name(case)}'s compliance by the deadline, on {event.complied_on.isoformat()}, was recorded; "
        f"the earlier news that the deadline had passed no longer stands.",
        [
            f"we recorded that {_controller_name(case)} complied with the formal notice on "
            f"{long_date(event.complied_on)}, by its deadline. Our earlier letter saying the deadline had passed "
            f"without compliance no longer stands."
        ],
    )


def _penalty_liquidated(event: PenaltyPaymentLiquidated, case: CaseFile) -> list[Letter]:
    to_complainants = _to_complainants(
        case,
        "progress",
        "A penalty payment was set",
        f"A penalty payment of {euros(event.amount_eur)} was set for {_controller_name(case)}'s delay on "
        f"{event.decision_day.isoformat()}.",
        [
            f"by its decision of {long_date(event.decision_day)}, the authority set the periodic penalty payment "
            f"owed by {_controller_name(case)} for its delay in complying at {euros(event.amount_eur)} "
            f"({event.days_counted} days)."
        ],
    )
    return to_complainants + _to_controller(
        case,
        "penalty_liquidation",
        "Liquidation of the periodic penalty payment",
        f"Penalty payment liquidated at {euros(event.amount_eur)} for {event.days_counted} days.",
        [
            f"by its decision of {long_date(event.decision_day)}, the authority liquidates the periodic penalty "
            f"payment at {euros(event.amount_eur)}: {event.days_counted} days "
            f"of delay counted from {long_date(event.period_start)} to {long_date(event.period_end)} "
            f"({event.convention})."
        ],
    )


def _case_closed(event: CaseClosed, case: CaseFile) -> list[Letter]:
    return _to_complainants(
        case,
        "progress",
        "The case was closed",
        f"The case on {_controller_name(case)} was closed on {event.closed_on.isoformat()}: {OUTCOMES[event.outcome]}.",
        [
            f"the case on {_controller_name(case)} was closed on {long_date(event.closed_on)}: "
            f"{OUTCOMES[event.outcome]}.",
            f"Reasons: {event.reasons}",
        ],
    )


RULES: dict[type[Payload], Callable[..., list[Letter]]] = {
    ComplaintFiled: _complaint_filed,
    ComplaintWithdrawn: _complaint_withdrawn,
    CaseOpened: _case_opened,
    ComplaintLinked: _complaint_linked,
    InvestigationOpened: _investigation_opened,
    FormalNoticeIssued: _formal_notice_issued,
    FormalNoticeComplied: _formal_notice_complied,
    FormalNoticeDeadlineExpired: _deadline_expired,
    SanctionImposed: _sanction_imposed,
    ReprimandIssued: _reprimand_issued,
    PublicationMade: _publication_made,
    PublicationWithdrawn: _publication_withdrawn,
    AppealLodged: _appeal_lodged,
    AppealDecided: _appeal_decided,
    InjunctionComplied: _injunction_complied,
    SanctionNotified: _sanction_notified,
    PenaltyPaymentLiquidated: _penalty_liquidated,
    FormalNoticeExpirySuperseded: _expiry_superseded,
    CaseClosed: _case_closed,
}


def letters_for(event: Payload, case: CaseFile | None = None) -> list[Letter]:
    """The letters `event` calls for, given what is known of its case (finding.recorded is internal: none)."""
    rule = RULES.get(type(event))
    return rule(event, case or CaseFile()) if rule else []


# --- GDPR Art 78(2): three months without news ------------------------------------------------------------


def reminder_due_on(last_news_on: date, lead_days: int) -> date:
    """Staff are reminded `lead_days` before the three months end."""
    return due(last_news_on) - timedelta(days=lead_days)


def reminder(
    complaint_id: UUID,
    reference: str,
    case_id: UUID | None,
    controller_name: str | None,
    last_news_on: date,
    staff_address: str | None,
) -> Letter:
    """A reminder to staff: it names the complaint by its reference, never its complainant."""
    ends = due(last_news_on)
    about = f"about {controller_name}" if controller_name else "not yet joined to a case"
    return Letter(
        kind="art78_reminder",
        recipient_role="staff",
        recipient_name="colleague",
        address=staff_address,
        channel="email",
        case_id=case_id,
        complaint_id=complaint_id,
        subject=f"Art 78(2): complaint {reference} has had no news since {last_news_on.isoformat()}",
        summary=f"Complaint {reference} has had no news since {last_news_on.isoformat()}; "
        f"three months end on {ends.isoformat()}.",
        paragraphs=(
            f"complaint {reference} ({about}) was last told of its progress on {long_date(last_news_on)}.",
            f"Unless the complainant hears from us, three months without news end on {long_date(ends)}, "
            f"after which they may seek a judicial remedy (GDPR Art 78(2)). Please send them an update.",
        ),
    )
