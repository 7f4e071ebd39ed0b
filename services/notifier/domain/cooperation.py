"""The letters of a cross-border case to its complainants, who deal with the authority they lodged their complaint
with only (Regulation 2025/2518, as reported): their complaint registered and sent to the lead authority, resolved
early, and the decision the authorities reached together, which this authority tells them of (GDPR Art 60(7)-(8)).
Either decision names the complainant's remedies before this authority's courts (GDPR Art 78), as every decision
ending a complaint does: the complaint ends in a decision a court can review (Regulation 2025/2518, as reported).
"""

from __future__ import annotations

from docket_contracts.cooperation import (
    ComplaintResolvedEarly,
    ComplaintTransmitted,
    CrossBorderComplaintRegistered,
    DecisionAdopted,
)

from . import remedies
from .letters import CaseFile, Letter, for_complainants, t

ONLY_HERE = t("You keep dealing with us only: we will tell you how it progresses.")


def complaint_registered(event: CrossBorderComplaintRegistered, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        t("Your complaint concerns several countries"),
        t("Your complaint is about processing in several countries of the EU."),
        [
            t(
                "it is about processing in several countries of the EU: we assess it and send it to the lead "
                "authority, in the country where the controller is established."
            ),
            ONLY_HERE,
        ],
        only=event.complaint_id,
    )


def complaint_transmitted(event: ComplaintTransmitted, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        t("Your complaint was sent to the lead authority"),
        t("Your complaint was sent on {day} to the lead authority.", day=event.transmitted_on.isoformat()),
        [
            t(
                "on {day} we sent it to the lead authority ({authority}), which investigates the controller.",
                day=event.transmitted_on,
                authority=event.lead,
            ),
            ONLY_HERE,
        ],
        only=event.complaint_id,
    )


def complaint_resolved_early(event: ComplaintResolvedEarly, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        t("Your complaint was resolved"),
        t("Your complaint was resolved on {day}.", day=event.resolved_on.isoformat()),
        [
            t(
                "the controller ended the infringement, and you did not object: we closed it as resolved on {day}.",
                day=event.resolved_on,
            ),
        ],
        only=event.complaint_id,
    )


def decision_adopted(event: DecisionAdopted, case: CaseFile) -> list[Letter]:
    if event.decision == "action":
        return for_complainants(
            case,
            "progress",
            t("The authorities decided on the controller"),
            t("The lead authority adopted the decision on {day}.", day=event.adopted_on.isoformat()),
            [
                t(
                    "the authorities concerned reached their decision on the controller together, and the lead "
                    "authority adopted it on {day}.",
                    day=event.adopted_on,
                ),
                t("Summary: {summary}", summary=event.summary),
                remedies.of_complainant(),
            ],
        )
    return for_complainants(
        case,
        "progress",
        t("Your complaint was rejected"),
        t("Your complaint was rejected on {day}.", day=event.adopted_on.isoformat()),
        [
            t(
                "in agreement with the other authorities concerned, we rejected it on {day}.",
                day=event.adopted_on,
            ),
            t("Summary: {summary}", summary=event.summary),
            remedies.of_complainant(),
        ],
    )
