"""What follows a sanction: its notification, which starts an injunction's deadline when that runs from
notification; the periodic penalty payment, imposed with the deadline; and what stops it, compliance with the
injunction recorded or the restricted committee's decision ending it. Its liquidation is liquidation.py."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from docket_contracts.errors import Invalid
from docket_contracts.events import (
    Injunction,
    InjunctionComplied,
    InjunctionEnded,
    Payload,
    PenaltyPaymentImposed,
    SanctionNotified,
)

from .commands import EndInjunction, RecordInjunctionCompliance, RecordSanctionNotification
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
    sanction = standing(state, command.sanction_id)
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


def standing(state: CaseState, sanction_id: UUID) -> Sanction:
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
    sanction = standing(state, command.sanction_id)
    if sanction.injunction is None:
        raise Rejected(state, action, "the sanction carries no injunction")
    if sanction.injunction_complied_on is not None:
        raise Rejected(state, action, f"compliance was already recorded, on {sanction.injunction_complied_on}")
    if sanction.injunction_ended_on is not None:
        raise Rejected(state, action, f"the committee ended the injunction on {sanction.injunction_ended_on}")
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


def end_injunction(state: CaseState, command: EndInjunction) -> list[Payload]:
    """The restricted committee's decision ending an injunction neither complied with nor ended: its penalty stops
    accruing that day, the days before still liquidated."""
    action = "end the injunction"
    require(state, action, "sanctioned")
    assert state.case_id is not None
    sanction = standing(state, command.sanction_id)
    if sanction.injunction is None:
        raise Rejected(state, action, "the sanction carries no injunction")
    if sanction.stopped_on is not None:
        raise Rejected(state, action, f"its penalty stopped on {sanction.stopped_on}")
    not_before("ended_on", command.ended_on, sanction.decided_on, "the sanction was decided")
    if sanction.liquidations and command.ended_on <= sanction.liquidations[-1].last_day:
        raise Invalid(
            "ended_on",
            f"{command.ended_on} is within the period a liquidation counts, whose last day of delay is "
            f"{sanction.liquidations[-1].last_day}",
        )
    return [
        InjunctionEnded(
            case_id=state.case_id, sanction_id=sanction.sanction_id, ended_on=command.ended_on, reasons=command.reasons
        )
    ]
