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
from .letters import CaseFile, Complainant, Letter, controller_name, for_complainants, long_date

OUTCOMES = {
    "complied": "the controller brought its processing into compliance",
    "sanctioned": "a sanction was imposed on the controller",
    "reprimanded": "the controller was reprimanded",
    "warned": "the controller was warned",
    "dismissed": "the complaint was dismissed",
    "no_infringement": "no infringement was found",
}


def address_proof(complainant: Complainant, code: str) -> Letter:
    """The first letter to an address given at the public door, and the only one before it is proven: it asks
    whoever reads it to enter `code` on the status page if they lodged the complaint. Anyone can type anyone's
    address into a filing, so it holds nothing the filer chose (neither their name, nor the controller's, nor
    a word of the complaint): only the authority's own words, the reference Docket gave and the code."""
    return Letter(
        kind="address_proof",
        recipient_role="complainant",
        recipient_name=complainant.name,
        salutation="Sir or Madam",
        address=complainant.email,
        subject=f"Confirm your e-mail address ({complainant.reference})",
        summary="The code that proves the complainant's e-mail address was sent to it.",
        paragraphs=(
            f"A complaint was lodged with the data protection authority under the reference "
            f"{complainant.reference}, giving this e-mail address for our letters about it.",
            f"If you lodged it, enter this code on the complaint's status page to confirm the address: {code}. "
            "Until then we write nothing else to this address.",
            "If you did not, you need do nothing: we will not write to you again.",
        ),
        complaint_id=complainant.complaint_id,
        asks_for_proof=True,
    )


def complaint_filed(event: ComplaintFiled, case: CaseFile) -> list[Letter]:
    """The acknowledgement, to the complainant of the case file (the event's own name and address are sealed;
    the application opens them into the case file)."""
    on_file = replace(case, controller=event.controller)
    return for_complainants(
        on_file,
        "acknowledgement",
        "Your complaint was received",
        f"We received your complaint about {event.controller.name} on {event.received_on.isoformat()}. "
        f"We will tell you how it progresses.",
        [
            f"we received it on {long_date(event.received_on)}. It concerns {event.controller.name}.",
            "We will tell you how your complaint progresses, and at the latest within three months (GDPR Art 78(2)).",
        ],
        only=event.complaint_id,
    )


def case_opened(event: CaseOpened, case: CaseFile) -> list[Letter]:
    case = replace(case, controller=case.controller or event.controller)
    return for_complainants(
        case,
        "progress",
        "A case was opened",
        f"A case on {event.controller.name} was opened on {event.opened_on.isoformat()} from your complaint.",
        [
            f"a case on {event.controller.name} was opened from it on {long_date(event.opened_on)}.",
            "We will write to you again at each step of the case that concerns you.",
        ],
        only=event.complaint_id,
    )


def complaint_linked(event: ComplaintLinked, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        "Your complaint joined an open case",
        f"Your complaint was joined to the case already open on {name}.",
        [
            f"it was joined to the case already open on {name}, which examines the same processing.",
            "We will write to you again at each step of the case that concerns you.",
        ],
        only=event.complaint_id,
    )


def complaint_withdrawn(event: ComplaintWithdrawn, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "withdrawal",
        "Your complaint was withdrawn",
        f"Your withdrawal of the complaint on {event.withdrawn_on.isoformat()} was recorded.",
        [
            f"we recorded that you withdrew it on {long_date(event.withdrawn_on)}.",
            "We will not write to you about it again.",
        ],
        only=event.complaint_id,
    )


def investigation_opened(event: InvestigationOpened, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        "An investigation was opened",
        f"An investigation of {controller_name(case)} was opened on {event.opened_on.isoformat()}.",
        [f"we opened an investigation of {controller_name(case)} on {long_date(event.opened_on)}."],
    )


def case_closed(event: CaseClosed, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        "The case was closed",
        f"The case on {controller_name(case)} was closed on {event.closed_on.isoformat()}: {OUTCOMES[event.outcome]}.",
        [
            f"the case on {controller_name(case)} was closed on {long_date(event.closed_on)}: "
            f"{OUTCOMES[event.outcome]}.",
            f"Reasons: {event.reasons}",
            remedies.for_complainant(),
        ],
    )
