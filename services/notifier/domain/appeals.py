"""The letters of an appeal before the Conseil d'État: lodged, and ruled on."""

from __future__ import annotations

from docket_contracts.events import AppealDecided, AppealLodged

from .letters import DECISIONS, CaseFile, Letter, controller_name, euros, for_complainants, for_controller, t

# What a ruling means for the controller, by its outcome and the decision appealed.
RULING_EFFECTS = {
    ("dismissed", "sanction"): t("the sanction stands as decided, with everything it imposes"),
    ("dismissed", "reprimand"): t("the reprimand stands"),
    ("annulled", "sanction"): t(
        "the sanction no longer stands: its fine, its injunction and any periodic penalty payment are not due; the "
        "authority will examine the case again"
    ),
    ("annulled", "reprimand"): t("the reprimand no longer stands; the authority will examine the case again"),
    ("fine_reduced", "sanction"): t("the fine due is now {fine}; the rest of the sanction stands"),
}
RULED = {
    "dismissed": t("dismissed the appeal against"),
    "annulled": t("annulled"),
    "fine_reduced": t("reduced the fine of"),
}


def appeal_lodged(event: AppealLodged, case: CaseFile) -> list[Letter]:
    decision = t("{decision} of {day}", decision=DECISIONS[event.decision], day=event.decision_dated)
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        t("The decision was appealed"),
        t(
            "{controller} appealed the authority's {decision} before the Conseil d'État on {day}.",
            controller=name,
            decision=decision,
            day=event.lodged_on.isoformat(),
        ),
        [
            t(
                "{controller} appealed the authority's {decision} before the Conseil d'État on {day}. The decision "
                "applies meanwhile; we will tell you of the court's ruling.",
                controller=name,
                decision=decision,
                day=event.lodged_on,
            )
        ],
    )


def appeal_decided(event: AppealDecided, case: CaseFile) -> list[Letter]:
    decision = t("{decision} of {day}", decision=DECISIONS[event.decision], day=event.decision_dated)
    ruled = RULED[event.outcome]
    template = RULING_EFFECTS[(event.outcome, event.decision)]
    effect = t(template.message, fine=euros(event.fine_eur or 0))
    to_complainants = for_complainants(
        case,
        "progress",
        t("The court ruled on the appeal"),
        t(
            "On {day} the Conseil d'État {ruled} the authority's {decision}.",
            day=event.decided_on.isoformat(),
            ruled=ruled,
            decision=decision,
        ),
        [
            t(
                "on {day} the Conseil d'État {ruled} the authority's {decision} concerning {controller}: {effect}.",
                day=event.decided_on,
                ruled=ruled,
                decision=decision,
                controller=controller_name(case),
                effect=effect,
            )
        ],
    )
    to_controller = for_controller(
        case,
        "appeal_ruling",
        t("The Conseil d'État's ruling on the {decision}", decision=decision),
        t(
            "On {day} the Conseil d'État {ruled} the {decision}.",
            day=event.decided_on.isoformat(),
            ruled=ruled,
            decision=decision,
        ),
        [
            t(
                "by its ruling of {day}, the Conseil d'État {ruled} the authority's {decision}: {effect}.",
                day=event.decided_on,
                ruled=ruled,
                decision=decision,
                effect=effect,
            )
        ],
    )
    return to_complainants + to_controller
