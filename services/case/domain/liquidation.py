"""The liquidation of a periodic penalty payment, as décret 2019-536 art 44 runs it: a written procedure first, in
which the restricted committee notifies the controller of the reasons of the liquidation it envisages and of its
amount, and the controller has fifteen days to answer in writing; then the decision, which fixes the amount, up
to the days of delay times the daily rate, taking account of the controller's conduct and difficulties (loi 78-17
art 22: the committee "en fixe le montant définitif"). Liquidations repeat for later periods while the injunction
is neither complied with nor ended.
"""

from __future__ import annotations

from datetime import date, timedelta

from docket_contracts.errors import Invalid
from docket_contracts.events import (
    LiquidationObservationsReceived,
    LiquidationOpened,
    Payload,
    PenaltyPaymentLiquidated,
)

from .commands import CONVENTIONS, Convention, LiquidatePenalty, OpenLiquidation, RecordLiquidationObservations
from .injunctions import standing
from .refusals import Rejected, not_before, require
from .state import CaseState, Liquidation, Sanction

# The controller's time to answer the reasons and the envisaged amount in writing: fifteen days from their
# notification (décret 2019-536 art 44, its text read).
OBSERVATIONS_DAYS = 15


def days_of_delay(period_start: date, period_end: date, convention: Convention) -> int:
    return (period_end - period_start).days + (1 if convention == "inclusive" else 0)


def _penalty(state: CaseState, action: str, sanction: Sanction) -> None:
    if not sanction.daily_penalty_eur or sanction.accrues_from is None:
        raise Rejected(state, action, "the sanction carries no periodic penalty payment")
    if sanction.days_late == 0:
        raise Rejected(
            state, action, f"the injunction's penalty stopped on {sanction.stopped_on}, before any day of delay"
        )


def open_liquidation(state: CaseState, command: OpenLiquidation) -> list[Payload]:
    """The reasons and the envisaged amount notified, for a period of delay that has passed and that no earlier
    liquidation counts."""
    action = "open a liquidation of the penalty payment"
    require(state, action, "sanctioned")
    assert state.case_id is not None
    sanction = standing(state, command.sanction_id)
    _penalty(state, action, sanction)
    if (pending := sanction.pending_liquidation) is not None:
        raise Rejected(state, action, f"the liquidation opened on {pending.opened_on} awaits its decision")
    assert sanction.accrues_from is not None
    not_before("period_start", command.period_start, sanction.accrues_from, "the penalty began to accrue")
    first = sanction.first_unliquidated
    if first is not None and command.period_start < first:
        raise Invalid("period_start", f"overlaps the period already liquidated, up to {first - timedelta(days=1)}")
    days = days_of_delay(command.period_start, command.period_end, command.convention)
    if days <= 0:
        raise Invalid("period_end", "the period counts no day of delay")
    last_day = command.period_start + timedelta(days=days - 1)
    if sanction.stopped_on is not None and last_day >= sanction.stopped_on:
        raise Invalid(
            "period_end",
            f"the period counts {last_day}, not before the penalty stopped ({sanction.stopped_on}): it accrued no "
            f"more from then",
        )
    if command.opened_on <= last_day:
        raise Invalid(
            "opened_on",
            f"{command.opened_on} is not after the last day of delay the period counts ({last_day}): a liquidation "
            f"counts days that have passed",
        )
    not_before("opened_on", command.opened_on, sanction.decided_on, "the sanction was decided")
    maximum = days * sanction.daily_penalty_eur
    if command.envisaged_amount_eur > maximum:
        raise Invalid(
            "envisaged_amount_eur",
            f"EUR {command.envisaged_amount_eur:,} is more than the {days} days of delay at EUR "
            f"{sanction.daily_penalty_eur:,} a day (EUR {maximum:,}) (décret 2019-536 art 44)",
        )
    return [
        LiquidationOpened(
            case_id=state.case_id,
            sanction_id=sanction.sanction_id,
            liquidation_id=command.liquidation_id,
            opened_on=command.opened_on,
            period_start=command.period_start,
            period_end=command.period_end,
            days_counted=days,
            convention=f"{command.convention}: {CONVENTIONS[command.convention]}",
            maximum_eur=maximum,
            envisaged_amount_eur=command.envisaged_amount_eur,
            reasons=command.reasons,
            observations_due=command.opened_on + timedelta(days=OBSERVATIONS_DAYS),
        )
    ]


def _pending(state: CaseState, action: str, sanction: Sanction) -> Liquidation:
    pending = sanction.pending_liquidation
    if pending is None:
        raise Rejected(
            state,
            action,
            "no liquidation was opened: its reasons and envisaged amount are notified to the controller first, who "
            "has fifteen days to answer in writing (décret 2019-536 art 44)",
        )
    return pending


def record_observations(state: CaseState, command: RecordLiquidationObservations) -> list[Payload]:
    action = "record the observations on the liquidation"
    require(state, action, "sanctioned")
    assert state.case_id is not None
    pending = _pending(state, action, standing(state, command.sanction_id))
    assert pending.liquidation_id is not None and pending.opened_on and pending.observations_due
    if pending.observations_on is not None:
        raise Rejected(state, action, f"they were received on {pending.observations_on}")
    not_before("received_on", command.received_on, pending.opened_on, "the liquidation was opened")
    if command.received_on > pending.observations_due:
        raise Invalid(
            "received_on",
            f"{command.received_on} is after the fifteen days the controller had to answer, to "
            f"{pending.observations_due} (décret 2019-536 art 44)",
        )
    return [
        LiquidationObservationsReceived(
            case_id=state.case_id,
            sanction_id=command.sanction_id,
            liquidation_id=pending.liquidation_id,
            received_on=command.received_on,
        )
    ]


def liquidate(state: CaseState, command: LiquidatePenalty) -> list[Payload]:
    """The decision, once the controller's fifteen days are over, at an amount up to days x rate and up to the
    amount the controller was told of."""
    action = "decide the liquidation"
    require(state, action, "sanctioned")
    assert state.case_id is not None
    sanction = standing(state, command.sanction_id)
    pending = _pending(state, action, sanction)
    assert pending.observations_due is not None and pending.maximum_eur is not None
    if command.decided_on <= pending.observations_due:
        raise Invalid(
            "decided_on",
            f"{command.decided_on} is within the fifteen days the controller has to answer in writing, which run to "
            f"{pending.observations_due} (décret 2019-536 art 44)",
        )
    if command.amount_eur > pending.maximum_eur:
        raise Invalid(
            "amount_eur",
            f"EUR {command.amount_eur:,} is more than the {pending.days_counted} days of delay at EUR "
            f"{sanction.daily_penalty_eur:,} a day (EUR {pending.maximum_eur:,}): the committee fixes the amount up "
            f"to that (décret 2019-536 art 44)",
        )
    if pending.envisaged_amount_eur is not None and command.amount_eur > pending.envisaged_amount_eur:
        # Inferred, not read: the written procedure lets the controller answer the amount it was told of, so the
        # decision does not go above it without a new written procedure.
        raise Invalid(
            "amount_eur",
            f"EUR {command.amount_eur:,} is more than the EUR {pending.envisaged_amount_eur:,} notified to the "
            f"controller, who answered that amount (décret 2019-536 art 44): open a new written procedure for more",
        )
    return [
        PenaltyPaymentLiquidated(
            case_id=state.case_id,
            sanction_id=sanction.sanction_id,
            period_start=pending.period_start,
            period_end=pending.period_end,
            days_counted=pending.days_counted,
            convention=pending.convention or "",
            amount_eur=command.amount_eur,
            decided_on=command.decided_on,
            liquidation_id=pending.liquidation_id,
            maximum_eur=pending.maximum_eur,
            reference=command.reference,
            reasons=command.reasons,
        )
    ]
