"""The letters of the restricted committee's procedure: the referral and its rapporteur (décret 2019-536 art 39),
the report and the controller's time limit for observations (art 40), its extension, and the summons to the
hearing (arts 40-42); complainants are told of the referral and of the hearing."""

from __future__ import annotations

from docket_contracts.events import CaseReferred, ControllerSummoned, HearingHeld, ObservationsExtended, ReportNotified

from .letters import CaseFile, Letter, controller_name, for_complainants, for_controller, long_date

COUNSEL = "You may be assisted or represented by counsel of your choice."


def case_referred(event: CaseReferred, case: CaseFile) -> list[Letter]:
    alone = (
        f" under the simplified procedure (Article 22-1 of the loi Informatique et Libertés): {event.deciding_member} "
        f"will decide alone, within its ceilings of EUR 20,000 and EUR 100 a day"
        if event.procedure == "simplified"
        else ""
    )
    to_complainants = for_complainants(
        case,
        "progress",
        "The case was referred to the restricted committee",
        f"The case on {controller_name(case)} was referred to the restricted committee on "
        f"{event.referred_on.isoformat()}.",
        [
            f"on {long_date(event.referred_on)} the President of the authority referred the case on "
            f"{controller_name(case)} to the restricted committee, which decides sanctions."
        ],
    )
    to_controller = for_controller(
        case,
        "referral",
        "Referral to the restricted committee",
        f"The case was referred to the restricted committee on {event.referred_on.isoformat()}; rapporteur: "
        f"{event.rapporteur.name}.",
        [
            f"by a decision of {long_date(event.referred_on)} ({event.reference}), the President of the authority "
            f"referred the case to the restricted committee{alone}, and named {event.rapporteur.name} rapporteur "
            f"(Article 22 of the loi Informatique et Libertés; décret 2019-536 art 39).",
            "The rapporteur's report will be notified to you; you will then have one month to answer it in writing.",
        ],
    )
    return to_complainants + to_controller


def report_notified(event: ReportNotified, case: CaseFile) -> list[Letter]:
    return for_controller(
        case,
        "report",
        "The rapporteur's report",
        f"The rapporteur's report was notified on {event.notified_on.isoformat()}: written observations by "
        f"{event.observations_due.isoformat()}.",
        [
            f"the rapporteur's report was notified to you on {long_date(event.notified_on)}. You may consult and copy "
            f"the documents of the file:",
            f"You may send the restricted committee your written observations by {long_date(event.observations_due)}, "
            f"one month from this notification (décret 2019-536 art 40). {COUNSEL}",
        ],
        items=event.documents,
    )


def observations_extended(event: ObservationsExtended, case: CaseFile) -> list[Letter]:
    return for_controller(
        case,
        "observations_extension",
        "Your time limit for written observations",
        f"The time limit for written observations was extended to {event.observations_due.isoformat()}.",
        [
            f"on {long_date(event.decided_on)} the president of the restricted committee extended your time limit for "
            f"written observations to {long_date(event.observations_due)}.",
            f"Reasons: {event.reasons}",
        ],
    )


def controller_summoned(event: ControllerSummoned, case: CaseFile) -> list[Letter]:
    return for_controller(
        case,
        "summons",
        f"Hearing of {long_date(event.hearing_on)}",
        f"The restricted committee will hear the case on {event.hearing_on.isoformat()}.",
        [
            f"the restricted committee will hear the case on {long_date(event.hearing_on)}, and you may be heard "
            f"(décret 2019-536 arts 40-41). {COUNSEL} You, or your counsel, will be able to speak last (art 42).",
        ],
    )


def hearing_held(event: HearingHeld, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        "The restricted committee heard the case",
        f"The restricted committee heard the case on {controller_name(case)} on {event.held_on.isoformat()}.",
        [f"the restricted committee heard the case on {controller_name(case)} on {long_date(event.held_on)}."],
    )
