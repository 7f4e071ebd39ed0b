"""The letters of a sanction's enforcement: the written procedure of a liquidation, which gives the controller
fifteen days to answer (décret 2019-536 art 44), and the committee's decision ending an injunction."""

from __future__ import annotations

from docket_contracts.events import InjunctionEnded, LiquidationOpened

from .letters import CaseFile, Letter, controller_name, euros, for_complainants, for_controller, reasons, t


def liquidation_opened(event: LiquidationOpened, case: CaseFile) -> list[Letter]:
    amount = euros(event.envisaged_amount_eur)
    return for_controller(
        case,
        "liquidation_procedure",
        t("The liquidation of the periodic penalty payment the committee envisages"),
        t(
            "The restricted committee envisages liquidating the penalty payment at {amount}; written observations "
            "by {due}.",
            amount=amount,
            due=event.observations_due.isoformat(),
        ),
        [
            t(
                "the restricted committee envisages liquidating the periodic penalty payment for {days} days of "
                "delay, from {start} to {end} ({convention}), at {amount} (at most {maximum}, the days of delay at "
                "the daily rate).",
                days=event.days_counted,
                start=event.period_start,
                end=event.period_end,
                convention=event.convention,
                amount=amount,
                maximum=euros(event.maximum_eur),
            ),
            t("Its reasons: {reasons}", reasons=event.reasons),
            t(
                "You may send the committee your written observations, and the evidence of your compliance, by "
                "{due}, fifteen days from this notification (décret 2019-536 art 44). The committee decides after "
                "that day, taking account of what you send, your conduct and the difficulties you met.",
                due=event.observations_due,
            ),
        ],
    )


def injunction_ended(event: InjunctionEnded, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    to_complainants = for_complainants(
        case,
        "progress",
        t("The injunction was ended"),
        t(
            "The restricted committee ended the injunction addressed to {controller} on {day}.",
            controller=name,
            day=event.ended_on.isoformat(),
        ),
        [
            t(
                "on {day} the restricted committee ended the injunction addressed to {controller}; its periodic "
                "penalty payment stopped accruing that day.",
                day=event.ended_on,
                controller=name,
            )
        ],
    )
    to_controller = for_controller(
        case,
        "injunction_end",
        t("The end of the injunction"),
        t("The restricted committee ended the injunction on {day}.", day=event.ended_on.isoformat()),
        [
            t(
                "by its decision of {day}, the restricted committee ends the injunction of its sanction decision; its "
                "periodic penalty payment stops accruing that day. The days of delay before it are still liquidated.",
                day=event.ended_on,
            ),
            reasons(event.reasons),
        ],
    )
    return to_complainants + to_controller
