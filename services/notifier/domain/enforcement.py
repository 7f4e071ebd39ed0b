"""The letters of a sanction's enforcement: the written procedure of a liquidation, which gives the controller
fifteen days to answer (décret 2019-536 art 44), and the committee's decision ending an injunction."""

from __future__ import annotations

from docket_contracts.events import InjunctionEnded, LiquidationOpened

from .letters import CaseFile, Letter, controller_name, euros, for_complainants, for_controller, long_date


def liquidation_opened(event: LiquidationOpened, case: CaseFile) -> list[Letter]:
    return for_controller(
        case,
        "liquidation_procedure",
        "The liquidation of the periodic penalty payment the committee envisages",
        f"The restricted committee envisages liquidating the penalty payment at {euros(event.envisaged_amount_eur)}; "
        f"written observations by {event.observations_due.isoformat()}.",
        [
            f"the restricted committee envisages liquidating the periodic penalty payment for {event.days_counted} "
            f"days of delay, from {long_date(event.period_start)} to {long_date(event.period_end)} "
            f"({event.convention}), at {euros(event.envisaged_amount_eur)} (at most {euros(event.maximum_eur)}, the "
            f"days of delay at the daily rate).",
            f"Its reasons: {event.reasons}",
            f"You may send the committee your written observations, and the evidence of your compliance, by "
            f"{long_date(event.observations_due)}, fifteen days from this notification (décret 2019-536 art 44). The "
            f"committee decides after that day, taking account of what you send, your conduct and the difficulties "
            f"you met.",
        ],
    )


def injunction_ended(event: InjunctionEnded, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    to_complainants = for_complainants(
        case,
        "progress",
        "The injunction was ended",
        f"The restricted committee ended the injunction addressed to {name} on {event.ended_on.isoformat()}.",
        [
            f"on {long_date(event.ended_on)} the restricted committee ended the injunction addressed to {name}; its "
            f"periodic penalty payment stopped accruing that day."
        ],
    )
    to_controller = for_controller(
        case,
        "injunction_end",
        "The end of the injunction",
        f"The restricted committee ended the injunction on {event.ended_on.isoformat()}.",
        [
            f"by its decision of {long_date(event.ended_on)}, the restricted committee ends the injunction of its "
            f"sanction decision; its periodic penalty payment stops accruing that day. The days of delay before it "
            f"are still liquidated.",
            f"Reasons: {event.reasons}",
        ],
    )
    return to_complainants + to_controller
