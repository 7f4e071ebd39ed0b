"""The fold: evolve(state, event) -> state, and replay, the fold of a stream. FOLDS, at the bottom, names the small
function that folds each event type; an event the table does not name changes only the version."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import reduce
from typing import Any
from uuid import UUID

from docket_contracts.events import (
    AppealDecided,
    AppealLodged,
    CaseAssigned,
    CaseClosed,
    CaseOpened,
    CheckRecorded,
    ComplaintLinked,
    FindingRecorded,
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeExtended,
    FormalNoticeIssued,
    FormalNoticeNotified,
    InjunctionComplied,
    InjunctionEnded,
    InvestigationOpened,
    LiquidationObservationsReceived,
    LiquidationOpened,
    Payload,
    PenaltyPaymentImposed,
    PenaltyPaymentLiquidated,
    PublicationMade,
    PublicationWithdrawn,
    ReprimandIssued,
    SanctionImposed,
    SanctionNotified,
    WarningIssued,
)

from . import committee_folds, cooperation_folds
from .state import (
    Appeal,
    CaseState,
    CaseWarning,
    Liquidation,
    Notice,
    Publication,
    Reprimand,
    Sanction,
    Status,
)


def _replace_notice(state: CaseState, notice_id: UUID, **changes: Any) -> tuple[Notice, ...]:
    return tuple(replace(n, **changes) if n.notice_id == notice_id else n for n in state.notices)


def _replace_sanction(state: CaseState, sanction_id: UUID, **changes: Any) -> tuple[Sanction, ...]:
    return tuple(replace(s, **changes) if s.sanction_id == sanction_id else s for s in state.sanctions)


# --- the case and its complaints ---------------------------------------------------------------------------


def _opened(state: CaseState, event: CaseOpened) -> CaseState:
    return replace(
        state,
        case_id=event.case_id,
        status="open",
        controller=event.controller,
        opened_on=event.opened_on,
        complaint_count=1,
    )


def _complaint_linked(state: CaseState, event: ComplaintLinked) -> CaseState:
    return replace(state, complaint_count=state.complaint_count + 1)


def _closed(state: CaseState, event: CaseClosed) -> CaseState:
    return replace(
        state, status="closed", outcome=event.outcome, closed_on=event.closed_on, closing_reasons=event.reasons
    )


# --- the investigation -------------------------------------------------------------------------------------


def _investigation_opened(state: CaseState, event: InvestigationOpened) -> CaseState:
    return replace(
        state,
        status="investigating",
        investigation_opened_on=event.opened_on,
        investigation_reference=event.decision_reference,
    )


def _check_recorded(state: CaseState, event: CheckRecorded) -> CaseState:
    return replace(state, checks=(*state.checks, event))


def _finding_recorded(state: CaseState, event: FindingRecorded) -> CaseState:
    return replace(state, findings=(*state.findings, event))


def _warning_issued(state: CaseState, event: WarningIssued) -> CaseState:
    warning = CaseWarning(event.warning_id, event.decided_on, event.reference, event.articles)
    return replace(state, status="warned", warnings=(*state.warnings, warning))


# --- formal notices ----------------------------------------------------------------------------------------


def _notice_issued(state: CaseState, event: FormalNoticeIssued) -> CaseState:
    notice = Notice(
        event.notice_id,
        event.issued_on,
        event.compliance_deadline,  # fixed at issue before version 3; since, by the notification
        event.orders,
        reference=event.reference,
        time_limit=event.time_limit,
        urgency=event.urgency,
    )
    return replace(state, status="formal_notice", notices=(*state.notices, notice))


def _notice_extended(state: CaseState, event: FormalNoticeExtended) -> CaseState:
    return replace(
        state,
        notices=_replace_notice(
            state,
            event.notice_id,
            extension=event.extension,
            extended_on=event.decided_on,
            deadline=event.compliance_deadline,
        ),
    )


def _notice_complied(state: CaseState, event: FormalNoticeComplied) -> CaseState:
    return replace(
        state,
        status="notice_complied",
        notices=_replace_notice(state, event.notice_id, status="complied", complied_on=event.complied_on),
    )


def _notice_expired(state: CaseState, event: FormalNoticeDeadlineExpired) -> CaseState:
    return replace(
        state,
        status="notice_expired",
        notices=_replace_notice(state, event.notice_id, status="expired", deadline=event.deadline),
    )


def _expiry_superseded(state: CaseState, event: FormalNoticeExpirySuperseded) -> CaseState:
    return replace(
        state,
        status="formal_notice",
        notices=_replace_notice(state, event.notice_id, status="pending", expiry_superseded=True),
    )


def _notice_notified(state: CaseState, event: FormalNoticeNotified) -> CaseState:
    notice = next(n for n in state.notices if n.notice_id == event.notice_id)
    deadline = event.compliance_deadline or notice.deadline  # a notice of version 2 or before kept its own
    return replace(
        state, notices=_replace_notice(state, event.notice_id, notified_on=event.notified_on, deadline=deadline)
    )


# --- sanctions, injunctions and penalty payments -----------------------------------------------------------


def _sanction_imposed(state: CaseState, event: SanctionImposed) -> CaseState:
    sanction = Sanction(
        event.sanction_id,
        event.decided_on,
        event.fine_eur,
        event.articles_infringed,
        event.injunction,
        procedure=event.procedure,
    )
    return replace(state, status="sanctioned", sanctions=(*state.sanctions, sanction))


def _reprimand_issued(state: CaseState, event: ReprimandIssued) -> CaseState:
    reprimand = Reprimand(event.reprimand_id, event.decided_on, event.articles_infringed, event.procedure)
    return replace(state, status="reprimanded", reprimands=(*state.reprimands, reprimand))


def _penalty_imposed(state: CaseState, event: PenaltyPaymentImposed) -> CaseState:
    return replace(
        state,
        sanctions=_replace_sanction(
            state, event.sanction_id, daily_penalty_eur=event.daily_rate_eur, accrues_from=event.accrues_from
        ),
    )


def _injunction_complied(state: CaseState, event: InjunctionComplied) -> CaseState:
    return replace(
        state, sanctions=_replace_sanction(state, event.sanction_id, injunction_complied_on=event.complied_on)
    )


def _sanction_notified(state: CaseState, event: SanctionNotified) -> CaseState:
    sanction = next(s for s in state.sanctions if s.sanction_id == event.sanction_id)
    injunction = sanction.injunction
    if event.injunction_deadline is not None and injunction is not None:
        injunction = injunction.model_copy(update={"deadline": event.injunction_deadline})
    return replace(
        state,
        sanctions=_replace_sanction(state, event.sanction_id, notified_on=event.notified_on, injunction=injunction),
    )


def _liquidation_opened(state: CaseState, event: LiquidationOpened) -> CaseState:
    sanction = next(s for s in state.sanctions if s.sanction_id == event.sanction_id)
    opened = Liquidation(
        event.period_start,
        event.period_end,
        event.days_counted,
        None,
        None,
        liquidation_id=event.liquidation_id,
        opened_on=event.opened_on,
        maximum_eur=event.maximum_eur,
        envisaged_amount_eur=event.envisaged_amount_eur,
        observations_due=event.observations_due,
        convention=event.convention,
    )
    return replace(
        state, sanctions=_replace_sanction(state, event.sanction_id, liquidations=(*sanction.liquidations, opened))
    )


def _liquidation_answered(state: CaseState, event: LiquidationObservationsReceived) -> CaseState:
    sanction = next(s for s in state.sanctions if s.sanction_id == event.sanction_id)
    liquidations = tuple(
        replace(liq, observations_on=event.received_on) if liq.liquidation_id == event.liquidation_id else liq
        for liq in sanction.liquidations
    )
    return replace(state, sanctions=_replace_sanction(state, event.sanction_id, liquidations=liquidations))


def _penalty_liquidated(state: CaseState, event: PenaltyPaymentLiquidated) -> CaseState:
    """The decision of a liquidation opened before; one recorded before the written procedure was kept (version 1)
    stands alone."""
    sanction = next(s for s in state.sanctions if s.sanction_id == event.sanction_id)
    opened = event.liquidation_id is not None and any(
        liq.liquidation_id == event.liquidation_id for liq in sanction.liquidations
    )
    if opened:
        liquidations = tuple(
            replace(liq, amount_eur=event.amount_eur, decided_on=event.decision_day, reference=event.reference)
            if liq.liquidation_id == event.liquidation_id
            else liq
            for liq in sanction.liquidations
        )
    else:
        alone = Liquidation(
            event.period_start, event.period_end, event.days_counted, event.amount_eur, event.decision_day
        )
        liquidations = (*sanction.liquidations, alone)
    return replace(state, sanctions=_replace_sanction(state, event.sanction_id, liquidations=liquidations))


def _injunction_ended(state: CaseState, event: InjunctionEnded) -> CaseState:
    return replace(state, sanctions=_replace_sanction(state, event.sanction_id, injunction_ended_on=event.ended_on))


# --- publication and appeals -------------------------------------------------------------------------------


def _publication_made(state: CaseState, event: PublicationMade) -> CaseState:
    publication = Publication(
        event.publication_id,
        event.decision,
        event.decision_id,
        event.published_on,
        decided_by=event.decided_by,
        anonymised_on=event.anonymised_on,
        republishes=event.republishes,
    )
    return replace(state, publications=(*state.publications, publication))


def _publication_withdrawn(state: CaseState, event: PublicationWithdrawn) -> CaseState:
    return replace(
        state,
        publications=tuple(
            replace(p, withdrawn_on=event.withdrawn_on) if p.publication_id == event.publication_id else p
            for p in state.publications
        ),
    )


def _appeal_lodged(state: CaseState, event: AppealLodged) -> CaseState:
    appeal = Appeal(event.appeal_id, event.decision, event.decision_id, event.lodged_on)
    return replace(state, appeals=(*state.appeals, appeal))


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


# --- who holds the case ---------------------------------------------------------------------------------------


def _assigned(state: CaseState, event: CaseAssigned) -> CaseState:
    return replace(state, staff=event.staff, team=event.team, assigned_on=event.assigned_on)


FOLDS: dict[type[Payload], Callable[[CaseState, Any], CaseState]] = {
    CaseOpened: _opened,
    ComplaintLinked: _complaint_linked,
    CaseClosed: _closed,
    InvestigationOpened: _investigation_opened,
    CheckRecorded: _check_recorded,
    FindingRecorded: _finding_recorded,
    WarningIssued: _warning_issued,
    FormalNoticeIssued: _notice_issued,
    FormalNoticeExtended: _notice_extended,
    FormalNoticeComplied: _notice_complied,
    FormalNoticeDeadlineExpired: _notice_expired,
    FormalNoticeExpirySuperseded: _expiry_superseded,
    FormalNoticeNotified: _notice_notified,
    **committee_folds.FOLDS,
    SanctionImposed: _sanction_imposed,
    ReprimandIssued: _reprimand_issued,
    PenaltyPaymentImposed: _penalty_imposed,
    InjunctionComplied: _injunction_complied,
    SanctionNotified: _sanction_notified,
    LiquidationOpened: _liquidation_opened,
    LiquidationObservationsReceived: _liquidation_answered,
    PenaltyPaymentLiquidated: _penalty_liquidated,
    InjunctionEnded: _injunction_ended,
    PublicationMade: _publication_made,
    PublicationWithdrawn: _publication_withdrawn,
    AppealLodged: _appeal_lodged,
    AppealDecided: _ruled,
    CaseAssigned: _assigned,
    **cooperation_folds.FOLDS,
}


def evolve(state: CaseState, event: Payload) -> CaseState:
    state = replace(state, version=state.version + 1)
    fold = FOLDS.get(type(event))
    return state if fold is None else fold(state, event)


def replay(events: Iterable[Payload], state: CaseState | None = None) -> CaseState:
    return reduce(evolve, events, state or CaseState())
