"""The letters of a complaint's handling: the proof of its complainant's address, its acknowledgement, its case
opened or joined, its withdrawal, the investigation, and the case's closing."""

from __future__ import annotations

from dataclasses import replace

from docket_contracts.events import (
    CaseClosed,
    CaseOpened,
    ComplaintFiled,
    ComplaintLinked,
    ComplaintWithdrawn,
    InvestigationOpened,
)

from . import remedies
from .letters import CaseFile, Complainant, Letter, closing, controller_name, for_complainants, opening, reasons, say, t

OUTCOMES = {
    "complied": t("the controller brought its processing into compliance"),
    "sanctioned": t("a sanction was imposed on the controller"),
    "reprimanded": t("the controller was reprimanded"),
    "warned": t("the controller was warned"),
    "dismissed": t("the complaint was dismissed"),
    "no_infringement": t("no infringement was found"),
}
STEPS = t("We will write to you again at each step of the case that concerns you.")


def address_proof(complainant: Complainant, code: str) -> Letter:
    """The first letter to an address given at the public door, and the only one before it is proven: it asks
    whoever reads it to enter `code` on the status page if they lodged the complaint. Anyone can type anyone's
    address into a filing, so it holds nothing the filer chose (neither their name, nor the controller's, nor
    a word of the complaint): only the authority's own words, the reference Docket gave and the code."""
    words, reference = complainant.words, complainant.reference
    return Letter(
        kind="address_proof",
        recipient_role="complainant",
        recipient_name=complainant.name,
        salutation="Sir or Madam",
        address=complainant.email,
        subject=say(words, t("Confirm your e-mail address ({reference})", reference=reference)),
        summary=say(words, t("The code that proves the complainant's e-mail address was sent to it.")),
        paragraphs=(
            say(
                words,
                t(
                    "A complaint was lodged with the data protection authority under the reference {reference}, "
                    "giving this e-mail address for our letters about it.",
                    reference=reference,
                ),
            ),
            say(
                words,
                t(
                    "If you lodged it, enter this code on the complaint's status page to confirm the address: "
                    "{code}. Until then we write nothing else to this address.",
                    code=code,
                ),
            ),
            say(words, t("If you did not, you need do nothing: we will not write to you again.")),
        ),
        complaint_id=complainant.complaint_id,
        asks_for_proof=True,
        language=words.language,
        greeting=opening(words, t("Sir or Madam")),
        closing=closing(words),
    )


def complaint_filed(event: ComplaintFiled, case: CaseFile) -> list[Letter]:
    """The acknowledgement, to the complainant of the case file (the event's own name and address are sealed;
    the application opens them into the case file)."""
    on_file = replace(case, controller=event.controller)
    return for_complainants(
        on_file,
        "acknowledgement",
        t("Your complaint was received"),
        t(
            "We received your complaint about {controller} on {day}. We will tell you how it progresses.",
            controller=event.controller.name,
            day=event.received_on.isoformat(),
        ),
        [
            t(
                "we received it on {day}. It concerns {controller}.",
                day=event.received_on,
                controller=event.controller.name,
            ),
            t(
                "We will tell you how your complaint progresses, and at the latest within three months "
                "(GDPR Art 78(2))."
            ),
        ],
        only=event.complaint_id,
    )


def case_opened(event: CaseOpened, case: CaseFile) -> list[Letter]:
    case = replace(case, controller=case.controller or event.controller)
    return for_complainants(
        case,
        "progress",
        t("A case was opened"),
        t(
            "A case on {controller} was opened on {day} from your complaint.",
            controller=event.controller.name,
            day=event.opened_on.isoformat(),
        ),
        [
            t(
                "a case on {controller} was opened from it on {day}.",
                controller=event.controller.name,
                day=event.opened_on,
            ),
            STEPS,
        ],
        only=event.complaint_id,
    )


def complaint_linked(event: ComplaintLinked, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        t("Your complaint joined an open case"),
        t("Your complaint was joined to the case already open on {controller}.", controller=name),
        [
            t(
                "it was joined to the case already open on {controller}, which examines the same processing.",
                controller=name,
            ),
            STEPS,
        ],
        only=event.complaint_id,
    )


def complaint_withdrawn(event: ComplaintWithdrawn, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "withdrawal",
        t("Your complaint was withdrawn"),
        t("Your withdrawal of the complaint on {day} was recorded.", day=event.withdrawn_on.isoformat()),
        [
            t("we recorded that you withdrew it on {day}.", day=event.withdrawn_on),
            t("We will not write to you about it again."),
        ],
        only=event.complaint_id,
    )


def investigation_opened(event: InvestigationOpened, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        t("An investigation was opened"),
        t(
            "An investigation of {controller} was opened on {day}.",
            controller=controller_name(case),
            day=event.opened_on.isoformat(),
        ),
        [
            t(
                "we opened an investigation of {controller} on {day}.",
                controller=controller_name(case),
                day=event.opened_on,
            )
        ],
    )


def case_closed(event: CaseClosed, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        t("The case was closed"),
        t(
            "The case on {controller} was closed on {day}: {outcome}.",
            controller=controller_name(case),
            day=event.closed_on.isoformat(),
            outcome=OUTCOMES[event.outcome],
        ),
        [
            t(
                "the case on {controller} was closed on {day}: {outcome}.",
                controller=controller_name(case),
                day=event.closed_on,
                outcome=OUTCOMES[event.outcome],
            ),
            reasons(event.reasons),
            remedies.of_complainant(),
        ],
    )
