"""The letters of an appeal before the Conseil d'État: lodged, and ruled on."""

from __future__ import annotations

from docket_contracts.events import AppealDecided, AppealLodged

from .letters import CaseFile, Letter, controller_name, euros, for_complainants, for_controller, long_date

# What a ruling means for the controller, by its outcome and the decision appealed.
RULING_EFFECTS = {
    ("dismissed", "sanction"): "the sanction stands as decided, with everything it imposes",
    ("dismissed", "reprimand"): "the reprimand stands",
    ("annulled", "sanction"): "the sanction no longer stands: its fine, its injunction and any periodic penalty "
    "payment are not due; the authority will examine the case again",
    ("annulled", "reprimand"): "the reprimand no longer stands; the authority will examine the case again",
    ("fine_reduced", "sanction"): "the fine due is now {fine}; the rest of the sanction stands",
}


def appeal_lodged(event: AppealLodged, case: CaseFile) -> list[Letter]:
    decision = f"{event.decision} of {long_date(event.decision_dated)}"
    return for_complainants(
        case,
        "progress",
        "The decision was appealed",
        f"{controller_name(case)} appealed the authority's {decision} before the Conseil d'État on "
        f"{event.lodged_on.isoformat()}.",
        [
            f"{controller_name(case)} appealed the authority's {decision} before the Conseil d'État on "
            f"{long_date(event.lodged_on)}. The decision applies meanwhile; we will tell you of the court's ruling."
        ],
    )


def appeal_decided(event: AppealDecided, case: CaseFile) -> list[Letter]:
    decision = f"{event.decision} of {long_date(event.decision_dated)}"
    ruled = {
        "dismissed": "dismissed the appeal against",
        "annulled": "annulled",
        "fine_reduced": "reduced the fine of",
    }[event.outcome]
    effect = RULING_EFFECTS[(event.outcome, event.decision)].format(fine=euros(event.fine_eur or 0))
    to_complainants = for_complainants(
        case,
        "progress",
        "The court ruled on the appeal",
        f"On {event.decided_on.isoformat()} the Conseil d'État {ruled} the authority's {decision}.",
        [
            f"on {long_date(event.decided_on)} the Conseil d'État {ruled} the authority's {decision} concerning "
            f"{controller_name(case)}: {effect}."
        ],
    )
    to_controller = for_controller(
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
