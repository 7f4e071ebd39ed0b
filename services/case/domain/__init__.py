"""The case aggregate, pure: decide(state, command) -> events; evolve(state, event) -> state.

A command that does not fit the state raises Rejected (the state and the allowed next steps);
a command whose values break a rule raises Invalid (the field and the rule). Nothing else fails.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from docket_contracts.errors import Invalid
from docket_contracts.events import (
    AppealDecided,
    AppealLodged,
    ConductFined,
    Injunction,
    InjunctionComplied,
    Payload,
    PenaltyPaymentImposed,
    PenaltyPaymentLiquidated,
    PublicationMade,
    PublicationWithdrawn,
    ReprimandIssued,
    SanctionImposed,
    SanctionNotified,
)

from . import closing, complaints, fines, investigation, notices
from .commands import (
    CONVENTIONS,
    CloseCase,
    Command,
    Conduct,
    Convention,
    ExpireDeadline,
    ImposeSanction,
    IssueFormalNotice,
    IssueReprimand,
    LinkComplaint,
    LiquidatePenalty,
    LodgeAppeal,
    OpenCase,
    OpenInvestigation,
    PublishDecision,
    RecordCompliance,
    RecordFinding,
    RecordInjunctionCompliance,
    RecordNoticeNotification,
    RecordRuling,
    RecordSanctionNotification,
    WithdrawPublication,
)
from .evolve import evolve, replay
from .refusals import NEXT_STEPS, Rejected, next_steps, not_before, require, unpublishable
from .state import Appeal, CaseState, Decision, Liquidation, Notice, Publication, Reprimand, Sanction, Status

__all__ = [
    "CONVENTIONS",
    "NEXT_STEPS",
    "Appeal",
    "CaseState",
    "CloseCase",
    "Command",
    "Conduct",
    "Convention",
    "Decision",
    "ExpireDeadline",
    "ImposeSanction",
    "Invalid",
    "IssueFormalNotice",
    "IssueReprimand",
    "LinkComplaint",
    "LiquidatePenalty",
    "Liquidation",
    "LodgeAppeal",
    "Notice",
    "OpenCase",
    "OpenInvestigation",
    "Publication",
    "PublishDecision",
    "RecordCompliance",
    "RecordFinding",
    "RecordInjunctionCompliance",
    "RecordNoticeNotification",
    "RecordRuling",
    "RecordSanctionNotification",
    "Rejected",
    "Reprimand",
    "Sanction",
    "Status",
    "WithdrawPublication",
    "days_of_delay",
    "decide",
    "evolve",
    "next_steps",
    "replay",
]


def decide(state: CaseState, command: Command) -> list[Payload]:
    match command:
        case OpenCase():
            return complaints.open_case(state, command)
        case LinkComplaint():
            return complaints.link_complaint(state, command)
        case OpenInvestigation():
            return investigation.open_investigation(state, command)
        case RecordFinding():
            return investigation.record_finding(state, command)
        case IssueFormalNotice():
            return notices.issue(state, command)
        case RecordCompliance():
            return notices.record_compliance(state, command)
        case ExpireDeadline():
            return notices.expire(state, command)
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
            return notices.record_notification(state, command)
        case RecordSanctionNotification():
            return _sanction_notified(state, command)
        case CloseCase():
            return closing.close(state, command)
    raise TypeError(f"unknown command {command!r}")


def _may_decide(state: CaseState, action: str, decided_on: date) -> None:
    """A decision of the sanctions committee (a sanction, a reprimand) follows findings of an investigation, or the
    expiry of a formal notice, and is dated after them."""
    require(state, action, "investigating", "notice_expired")
    if not state.findings:
        raise Rejected(state, action, "no finding recorded yet")
    not_before("decided_on", decided_on, state.investigation_opened_on, "the investigation opened")
    if state.status == "notice_expired":
        expired = state.notices[-1]
        if decided_on <= expired.deadline:
            raise Invalid(
                "decided_on",
                f"{decided_on} is not after the formal notice's compliance deadline "
                f"({expired.deadline}), whose expiry the decision follows",
            )
    not_before("decided_on", decided_on, state.last_annulled_on, "the court annulled the earlier decision")


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


def _sanction_notified(state: CaseState, command: RecordSanctionNotification) -> list[Payload]:
    action = "record the decision's notification"
    require(state, action, "sanctioned")
    assert state.case_id is not None
    sanction = _sanction(state, command.sanction_id)
    if sanction.notified_on is not None:
        raise Rejected(state, action, f"it was notified on {sanction.notified_on}")
    not_before("notified_on", command.notified_on, sanction.decided_on, "the sanction was decided")
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
    require(state, action, "sanctioned")
    assert state.case_id is not None
    sanction = _sanction(state, command.sanction_id)
    if sanction.injunction is None:
        raise Rejected(state, action, "the sanction carries no injunction")
    if sanction.injunction_complied_on is not None:
        raise Rejected(state, action, f"compliance was already recorded, on {sanction.injunction_complied_on}")
    not_before("complied_on", command.complied_on, sanction.decided_on, "the sanction was decided")
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
    require(state, "liquidate the penalty payment", "sanctioned")
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
    not_before("period_start", command.period_start, sanction.accrues_from, "the penalty began to accrue")
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


def _publish(state: CaseState, command: PublishDecision) -> list[Payload]:
    action = "make a decision public"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    assert state.case_id is not None
    decision = next((d for d in state.decisions() if d.decision_id == command.decision_id), None)
    if decision is None:
        raise Invalid("decision_id", f"the case has no formal notice, sanction or reprimand {command.decision_id}")
    if (why := unpublishable(state, decision)) is not None:
        raise Rejected(state, action, why)
    if any(p.publication_id == command.publication_id for p in state.publications):
        raise Invalid("publication_id", f"the case already has a publication {command.publication_id}")
    not_before("published_on", command.published_on, decision.dated, decision.taken)
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
    not_before(
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
    not_before("lodged_on", command.lodged_on, standing.dated, standing.taken)
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
    not_before("decided_on", command.decided_on, appeal.lodged_on, "the appeal was lodged")
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
