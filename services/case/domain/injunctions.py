"""What follows a sanction: its notification, which starts an injunction's deadline when that runs from
notification; compliance with the injunction; and the periodic penalty payment, imposed with the deadline
and liquidated for the days of delay that have passed."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from docket_contracts.errors import Invalid
from docket_contracts.events import (
    Injunction,
    InjunctionComplied,
    Payload,
    PenaltyPaymentImposed,
    PenaltyPaymentLiquidated,
    SanctionNotified,
)

from .commands import CONVENTIONS, Convention, LiquidatePenalty, RecordInjunctionCompliance, RecordSanctionNotification
from .notices import ends
from .refusals import Rejected, not_before, require
from .state import CaseState, Sanction


def penalty(state: CaseState, sanction_id: UUID, injunction: Injunction, deadline: date) -> PenaltyPaymentImposed:
    """The injunction's periodic penalty payment, which accrues from the day after its deadline."""
    assert state.case_id is not None
    return PenaltyPaymentImposed(
        case_id=state.case_id,
        sanction_id=sanction_id,
        daily_rate_eur=injunction.daily_penalty_eur,
        accrues_from=deadline + timedelta(days=1),
    )


def record_sanction_notification(state: CaseState, command: RecordSanctionNotification) -> list[Payload]:
    action = "record the decision's notification"
    require(state, action, "sanctioned")
    assert state.case_id is not None
    sanction = _sanction(state, command.sanction_id)
    if sanction.notified_on is not None:
        raise Rejected(state, action, f"it was notified on {sanction.notified_on}")
    not_before("notified_on", command.notified_on, sanction.decided_on, "the sanction was decided")
    injunction = sanction.injunction
    if injunction is None or injunction.deadline is not None or injunction.period is None:
        return [
            SanctionNotified(case_id=state.case_id, sanction_id=sanction.sanction_id, notified_on=command.notified_on)
        ]
    if sanction.injunction_complied_on is not None and sanction.injunction_complied_on < command.notified_on:
        raise Invalid(
            "notified_on",
            f"{command.notified_on} is after the injunction was complied with ({sanction.injunction_complied_on})",
        )
    deadline = ends(command.notified_on, injunction.period)
    events: list[Payload] = [
        SanctionNotified(
            case_id=state.case_id,
            sanction_id=sanction.sanction_id,
            notified_on=command.notified_on,
            injunction_deadline=deadline,
        )
    ]
    if injunction.daily_penalty_eur:
        events.append(penalty(state, sanction.sanction_id, injunction, deadline))
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


def record_compliance(state: CaseState, command: RecordInjunctionCompliance) -> list[Payload]:
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


def liquidate(state: CaseState, command: LiquidatePenalty) -> list[Payload]:
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
