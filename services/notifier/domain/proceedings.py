"""The letters of the restricted committee's procedure: the referral and its rapporteur (décret 2019-536 art 39),
the report and the controller's time limit for observations (art 40), its extension, and the summons to the
hearing (arts 40-42); complainants are told of the referral and of the hearing."""

from __future__ import annotations

from docket_contracts.events import CaseReferred, ControllerSummoned, HearingHeld, ObservationsExtended, ReportNotified

from .letters import CaseFile, Euros, Letter, controller_name, for_complainants, for_controller, reasons, t

COUNSEL = t("You may be assisted or represented by counsel of your choice.")


def case_referred(event: CaseReferred, case: CaseFile) -> list[Letter]:
    alone = (
        t(
            " under the simplified procedure (Article 22-1 of the loi Informatique et Libertés): {member} will decide "
            "alone, within its ceilings of {fine} and {daily} a day",
            member=event.deciding_member,
            fine=Euros(20_000),
            daily=Euros(100),
        )
        if event.procedure == "simplified"
        else ""
    )
    name = controller_name(case)
    to_complainants = for_complainants(
        case,
        "progress",
        t("The case was referred to the restricted committee"),
        t(
            "The case on {controller} was referred to the restricted committee on {day}.",
            controller=name,
            day=event.referred_on.isoformat(),
        ),
        [
            t(
                "on {day} the President of the authority referred the case on {controller} to the restricted "
                "committee, which decides sanctions.",
                day=event.referred_on,
                controller=name,
            )
        ],
    )
    to_controller = for_controller(
        case,
        "referral",
        t("Referral to the restricted committee"),
        t(
            "The case was referred to the restricted committee on {day}; rapporteur: {rapporteur}.",
            day=event.referred_on.isoformat(),
            rapporteur=event.rapporteur.name,
        ),
        [
            t(
                "by a decision of {day} ({reference}), the President of the authority referred the case to the "
                "restricted committee{alone}, and named {rapporteur} rapporteur (Article 22 of the loi Informatique "
                "et Libertés; décret 2019-536 art 39).",
                day=event.referred_on,
                reference=event.reference,
                alone=alone,
                rapporteur=event.rapporteur.name,
            ),
            t("The rapporteur's report will be notified to you; you will then have one month to answer it in writing."),
        ],
    )
    return to_complainants + to_controller


def report_notified(event: ReportNotified, case: CaseFile) -> list[Letter]:
    return for_controller(
        case,
        "report",
        t("The rapporteur's report"),
        t(
            "The rapporteur's report was notified on {day}: written observations by {due}.",
            day=event.notified_on.isoformat(),
            due=event.observations_due.isoformat(),
        ),
        [
            t(
                "the rapporteur's report was notified to you on {day}. You may consult and copy the documents of the "
                "file:",
                day=event.notified_on,
            ),
            t(
                "You may send the restricted committee your written observations by {due}, one month from this "
                "notification (décret 2019-536 art 40). {counsel}",
                due=event.observations_due,
                counsel=COUNSEL,
            ),
        ],
        items=event.documents,
    )


def observations_extended(event: ObservationsExtended, case: CaseFile) -> list[Letter]:
    return for_controller(
        case,
        "observations_extension",
        t("Your time limit for written observations"),
        t(
            "The time limit for written observations was extended to {due}.",
            due=event.observations_due.isoformat(),
        ),
        [
            t(
                "on {day} the president of the restricted committee extended your time limit for written "
                "observations to {due}.",
                day=event.decided_on,
                due=event.observations_due,
            ),
            reasons(event.reasons),
        ],
    )


def controller_summoned(event: ControllerSummoned, case: CaseFile) -> list[Letter]:
    return for_controller(
        case,
        "summons",
        t("Hearing of {day}", day=event.hearing_on),
        t("The restricted committee will hear the case on {day}.", day=event.hearing_on.isoformat()),
        [
            t(
                "the restricted committee will hear the case on {day}, and you may be heard (décret 2019-536 arts "
                "40-41). {counsel} You, or your counsel, will be able to speak last (art 42).",
                day=event.hearing_on,
                counsel=COUNSEL,
            ),
        ],
    )


def hearing_held(event: HearingHeld, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        t("The restricted committee heard the case"),
        t(
            "The restricted committee heard the case on {controller} on {day}.",
            controller=name,
            day=event.held_on.isoformat(),
        ),
        [t("the restricted committee heard the case on {controller} on {day}.", controller=name, day=event.held_on)],
    )
