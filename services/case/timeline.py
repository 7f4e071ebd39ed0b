"""A case on a time axis, as SVG: one lane per part of the procedure, one mark per event; pure.

Complaints, the investigation and its findings, the formal notice with its period to comply, the restricted
committee's procedure (the report with the controller's month, the summons, the hearing, the deliberation), the
sanction, the penalty payment with its period, the days counted and the amount, the steps of the authorities working
together, the closure. Every event of the case
is a mark carrying its version (`data-versions`), so what is drawn can be checked against the history. A case
with more complaints than `CROWD` draws the complaints of one day as one mark.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from docket_contracts import cooperation as co
from docket_contracts.events import (
    AppealDecided,
    AppealLodged,
    CaseClosed,
    CaseOpened,
    CaseReferred,
    CheckRecorded,
    CommitteeDeliberated,
    ComplaintLinked,
    ControllerReplied,
    ControllerSummoned,
    FileConsulted,
    FindingRecorded,
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeExtended,
    FormalNoticeIssued,
    FormalNoticeNotified,
    HearingHeld,
    InjunctionComplied,
    InjunctionEnded,
    InvestigationOpened,
    LiquidationObservationsReceived,
    LiquidationOpened,
    ObservationsExtended,
    ObservationsReceived,
    Payload,
    PenaltyPaymentImposed,
    PenaltyPaymentLiquidated,
    PublicationMade,
    PublicationWithdrawn,
    RapporteurAnswered,
    ReportNotified,
    ReprimandIssued,
    SanctionImposed,
    SanctionNotified,
    SimplifiedProcedureInterrupted,
    WarningIssued,
)
from docket_contracts.registry import BY_PAYLOAD

from .domain import fines

LANES = (
    "complaints",
    "investigation",
    "formal notice",
    "committee",
    "sanction",
    "penalty payment",
    "publication",
    "appeal",
    "cooperation",
    "closure",
    "other",
)
CROWD = 40  # complaints beyond which those of one day are one mark

WIDTH, LEFT, RIGHT, TOP, LANE_HEIGHT, AXIS = 1200, 150, 40, 60, 84, 40
COLOURS = {
    "complaints": "#4e79a7",
    "investigation": "#59a14f",
    "formal notice": "#f28e2b",
    "committee": "#8c6d31",
    "sanction": "#e15759",
    "penalty payment": "#b07aa1",
    "publication": "#edc948",
    "appeal": "#ff9da7",
    "cooperation": "#4b9b9b",
    "closure": "#76b7b2",
    "other": "#9c755f",
}


@dataclass(frozen=True)
class Mark:
    """One event (or, for a crowded case, one day's complaints) on the axis: a point, or a span to `until`."""

    lane: str
    on: date
    label: str
    versions: tuple[int, ...]
    until: date | None = None


def _euros(amount: int) -> str:
    return f"EUR {amount:,}"


def _investigation_mark(payload: Payload, v: tuple[int, ...], last_day: date | None) -> Mark | None:
    match payload:
        case CaseOpened():
            return Mark("complaints", payload.opened_on, "case opened", v)
        case ComplaintLinked():
            return Mark("complaints", payload.received_on, f"complaint joined ({payload.complaint_kind})", v)
        case InvestigationOpened():
            return Mark("investigation", payload.opened_on, "checks decided", v)
        case CheckRecorded():
            return Mark("investigation", payload.carried_out_on, f"{payload.kind.replace('_', ' ')} check", v)
        case FindingRecorded():  # undated: drawn where the record stood when it was made
            articles = ", ".join(str(a) for a in payload.articles)
            return Mark("investigation", last_day, f"finding: Art {articles}", v) if last_day else None
    return None


def _notice_mark(payload: Payload, v: tuple[int, ...], last_day: date | None) -> Mark | None:
    match payload:
        case FormalNoticeIssued():
            within = (
                f"comply by {payload.compliance_deadline.isoformat()}"
                if payload.compliance_deadline
                else f"{payload.time_limit.words} to comply"
                if payload.time_limit
                else ""
            )
            reference = f" {payload.reference}" if payload.reference else ""
            label = f"formal notice{reference}, {within}"
            return Mark("formal notice", payload.issued_on, label, v, until=payload.compliance_deadline)
        case FormalNoticeNotified():
            by = f", comply by {payload.compliance_deadline.isoformat()}" if payload.compliance_deadline else ""
            return Mark("formal notice", payload.notified_on, f"notice notified{by}", v, payload.compliance_deadline)
        case WarningIssued():
            return Mark("formal notice", payload.decided_on, f"warning {payload.reference} (Art 58(2)(a))", v)
        case FormalNoticeExtended():
            return Mark("formal notice", payload.decided_on, f"time limit extended by {payload.extension.words}", v)
        case FormalNoticeComplied():
            return Mark("formal notice", payload.complied_on, "complied", v)
        case FormalNoticeDeadlineExpired():
            return Mark("formal notice", payload.deadline, "deadline passed", v)
        case FormalNoticeExpirySuperseded():
            return Mark("formal notice", payload.complied_on, "expiry superseded", v)
    return None


def _committee_mark(payload: Payload, v: tuple[int, ...], last_day: date | None) -> Mark | None:
    match payload:
        case CaseReferred():
            return Mark("committee", payload.referred_on, f"referred; rapporteur {payload.rapporteur.name}", v)
        case ReportNotified():
            return Mark("committee", payload.notified_on, "report notified", v, until=payload.observations_due)
        case FileConsulted():
            return Mark("committee", payload.consulted_on, "file consulted", v)
        case ObservationsExtended():
            return Mark("committee", payload.decided_on, f"observations due {payload.observations_due.isoformat()}", v)
        case ObservationsReceived():
            return Mark("committee", payload.received_on, "written observations", v)
        case RapporteurAnswered():
            return Mark("committee", payload.answered_on, "rapporteur answered", v)
        case ControllerReplied():
            return Mark("committee", payload.replied_on, "controller replied", v)
        case ControllerSummoned():
            return Mark("committee", payload.summoned_on, "summoned", v, until=payload.hearing_on)
        case HearingHeld():
            return Mark("committee", payload.held_on, "hearing", v)
        case CommitteeDeliberated():
            return Mark("committee", payload.deliberated_on, f"{payload.reference}: {len(payload.members)} members", v)
        case SimplifiedProcedureInterrupted():
            return Mark("committee", payload.interrupted_on, "simplified procedure interrupted", v)
    return None


def _decision_mark(payload: Payload, v: tuple[int, ...], last_day: date | None) -> Mark | None:
    match payload:
        case SanctionImposed():
            cap = fines.PARAGRAPH_NAMES[payload.cap.paragraph]
            return Mark("sanction", payload.decided_on, f"fine {_euros(payload.fine_eur)} (cap {cap})", v)
        case SanctionNotified():
            return Mark("sanction", payload.notified_on, "decision notified", v)
        case ReprimandIssued():
            return Mark("sanction", payload.decided_on, "reprimand (Art 58(2)(b)), no fine", v)
        case PublicationMade():
            again = " again" if payload.republishes is not None else ""
            return Mark(
                "publication", payload.published_on, f"{payload.decision.replace('_', ' ')} made public{again}", v
            )
        case PublicationWithdrawn():
            return Mark("publication", payload.withdrawn_on, "publication withdrawn", v)
        case AppealLodged():
            return Mark("appeal", payload.lodged_on, f"{payload.decision} appealed", v)
        case AppealDecided():
            ruled = (
                f"fine reduced to {_euros(payload.fine_eur)}"
                if payload.fine_eur is not None
                else f"{payload.decision} annulled"
                if payload.outcome == "annulled"
                else "appeal dismissed"
            )
            return Mark("appeal", payload.decided_on, ruled, v)
        case CaseClosed():
            return Mark("closure", payload.closed_on, f"closed: {payload.outcome.replace('_', ' ')}", v)
    return None


def _penalty_mark(payload: Payload, v: tuple[int, ...], last_day: date | None) -> Mark | None:
    match payload:
        case PenaltyPaymentImposed():
            return Mark(
                "penalty payment",
                payload.accrues_from,
                f"{_euros(payload.daily_rate_eur)} a day from {payload.accrues_from.isoformat()}",
                v,
            )
        case InjunctionComplied():
            return Mark("penalty payment", payload.complied_on, "injunction complied", v)
        case InjunctionEnded():
            return Mark("penalty payment", payload.ended_on, "injunction ended", v)
        case LiquidationOpened():
            return Mark(
                "penalty payment",
                payload.opened_on,
                f"liquidation opened: {_euros(payload.envisaged_amount_eur)} envisaged",
                v,
                until=payload.observations_due,
            )
        case LiquidationObservationsReceived():
            return Mark("penalty payment", payload.received_on, "observations on the liquidation", v)
        case PenaltyPaymentLiquidated():
            return Mark(
                "penalty payment",
                payload.period_start,
                f"liquidated {payload.decision_day.isoformat()}: {payload.days_counted} days, "
                f"{_euros(payload.amount_eur)}",
                v,
                until=payload.period_end,
            )
    return None


def _cooperation_mark(payload: Payload, v: tuple[int, ...], last_day: date | None) -> Mark | None:
    """A step of the authorities working together, by who took it; a provisional measure spans its validity."""
    if not isinstance(payload, co.Step | co.CooperationFrameRecorded):
        return None
    what = BY_PAYLOAD[type(payload)].name.removeprefix("cooperation.").replace("_", " ")
    day = next(value for value in payload.__dict__.values() if isinstance(value, date))
    if isinstance(payload, co.DeadlinePassed | co.DeadlineNear):
        what = f"{what}: {payload.deadline}"
    until = payload.expires_on if isinstance(payload, co.ProvisionalMeasureAdopted) else None
    return Mark("cooperation", day, f"{what} ({payload.authority})", v, until)


# Each stage of the procedure marks its own events; an event none marks is drawn in the lane "other".
STAGES = (_investigation_mark, _notice_mark, _committee_mark, _decision_mark, _penalty_mark, _cooperation_mark)


def _mark(payload: Payload, version: int, last_day: date | None) -> Mark | None:
    v = (version,)
    for stage in STAGES:
        if (found := stage(payload, v, last_day)) is not None:
            return found
    if isinstance(payload, FindingRecorded):
        return None  # undated, and nothing recorded before it to draw it at
    day = next((value for value in payload.__dict__.values() if isinstance(value, date)), last_day)
    return Mark("other", day, type(payload).__name__, v) if day else None


def marks(history: Sequence[tuple[int, Payload]]) -> list[Mark]:
    """The marks of a case's events, given in version order."""
    found: list[Mark] = []
    last_day: date | None = None
    for version, payload in history:
        mark = _mark(payload, version, last_day)
        if mark is not None:
            found.append(mark)
            last_day = max(last_day, mark.on) if last_day else mark.on
    complaints = [m for m in found if m.lane == "complaints"]
    if len(complaints) <= CROWD:
        return found
    by_day: dict[date, Mark] = {}
    for mark in complaints:
        day = by_day.get(mark.on)
        by_day[mark.on] = mark if day is None else replace(day, versions=day.versions + mark.versions)
    crowded = [replace(m, label=f"{len(m.versions)} complaints") if len(m.versions) > 1 else m for m in by_day.values()]
    return crowded + [m for m in found if m.lane != "complaints"]


def draw(title: str, history: Sequence[tuple[int, Payload]]) -> str:
    """The case's timeline as a standalone SVG document (a case's first event, its opening, is dated)."""
    found = marks(history)
    lanes = [lane for lane in LANES if any(m.lane == lane for m in found)]
    days = [d for m in found for d in (m.on, m.until) if d is not None]
    first, last = min(days) - timedelta(days=20), max(days) + timedelta(days=20)
    span = (last - first).days
    height = TOP + LANE_HEIGHT * len(lanes) + AXIS

    def x(day: date) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (day - first).days / span, 1)

    e = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
        f'<text x="{LEFT}" y="28" font-size="16" font-weight="bold">{e(title)}</text>',
    ]
    for index, lane in enumerate(lanes):
        top = TOP + index * LANE_HEIGHT
        parts.append(
            f'<rect x="0" y="{top}" width="{WIDTH}" height="{LANE_HEIGHT}" '
            f'fill="{"#f7f7f7" if index % 2 else "#ffffff"}"/>'
        )
        parts.append(f'<text x="10" y="{top + 24}" font-weight="bold" fill="{COLOURS[lane]}">{e(lane)}</text>')
    axis = TOP + LANE_HEIGHT * len(lanes)
    parts.append(f'<line x1="{LEFT}" y1="{axis}" x2="{WIDTH - RIGHT}" y2="{axis}" stroke="#333"/>')
    for year in range(first.year, last.year + 1):
        for month in (1, 7):
            tick = date(year, month, 1)
            if first <= tick <= last:
                parts.append(f'<line x1="{x(tick)}" y1="{TOP}" x2="{x(tick)}" y2="{axis + 5}" stroke="#ddd"/>')
                parts.append(
                    f'<text x="{x(tick)}" y="{axis + 20}" text-anchor="middle">{tick.strftime("%b %Y")}</text>'
                )
    for index, lane in enumerate(lanes):
        middle = TOP + index * LANE_HEIGHT + LANE_HEIGHT // 2 + 6
        colour = COLOURS[lane]
        for row, mark in enumerate(m for m in found if m.lane == lane):
            label_y = middle - 14 - 12 * (row % 3)  # three label rows, so that close marks stay readable
            versions = " ".join(str(v) for v in mark.versions)
            when = mark.on.isoformat() + (f" to {mark.until.isoformat()}" if mark.until else "")
            parts.append(f'<g class="event" data-versions="{versions}"><title>{e(mark.label)}, {when}</title>')
            if mark.until is not None:
                parts.append(
                    f'<rect x="{x(mark.on)}" y="{middle - 4}" width="{max(round(x(mark.until) - x(mark.on), 1), 1)}" '
                    f'height="8" fill="{colour}" fill-opacity="0.35"/>'
                )
            parts.append(f'<circle cx="{x(mark.on)}" cy="{middle}" r="5" fill="{colour}"/>')
            # A label reads to the right of its mark, or to its left in the right part, so that none runs off.
            left = x(mark.on) > LEFT + 0.6 * (WIDTH - LEFT - RIGHT)
            anchor = f'x="{x(mark.on) - 7}" text-anchor="end"' if left else f'x="{x(mark.on) + 7}"'
            parts.append(f'<text {anchor} y="{label_y}">{e(mark.label)}</text></g>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
