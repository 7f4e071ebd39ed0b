"""The letters of a complaint's own handling: its admissibility decided, the controller asked to act (one
letter to the controller for all the complaints it names, and one to each complainant), the controller
reminded when its answer is late, the complaint joined to the investigation, transferred, or closed.

A decision that ends a complaint (inadmissible, closed) names the complainant's remedies (remedies.py): GDPR
Art 77(2) requires the complainant to be told of the judicial remedy of Art 78, and in France the time to bring
it runs only if the letter states it (code de justice administrative R421-5).
"""

from __future__ import annotations

from docket_contracts.events import (
    ComplaintAdmissibilityDecided,
    ComplaintClosed,
    ComplaintControllerAsked,
    ComplaintJoinedInvestigation,
    ComplaintTransferred,
    ControllerAnswerOverdue,
    ControllerAskedToAct,
)

from . import remedies
from .letters import CaseFile, Letter, controller_name, for_complainants, for_controller, long_date

INADMISSIBLE = {
    "not_personal_data": "it is not about personal data relating to you (GDPR Art 4(1), Art 77(1))",
    "outside_competence": "what it is about is outside what this authority supervises (GDPR Art 55)",
    "no_prior_request": "you had not first asked the controller to respect your rights, as a complaint about "
    "them requires",
    "manifestly_unfounded_or_excessive": "it is manifestly unfounded or excessive (GDPR Art 57(4))",
    "duplicate": "it repeats a complaint already lodged",
}
CLOSED = {
    "resolved": "the controller acted on it after our letter",
    "no_infringement": "we found no infringement",
    "withdrawn": "you withdrew it",
    "not_pursued": "we decided not to pursue it",
}


def admissibility_decided(event: ComplaintAdmissibilityDecided, case: CaseFile) -> list[Letter]:
    on = long_date(event.decided_on)
    if event.decision == "admissible":
        return for_complainants(
            case,
            "progress",
            "Your complaint is admissible",
            f"Your complaint was found admissible on {event.decided_on.isoformat()}.",
            [
                f"we examined it and found it admissible on {on}.",
                "We will now handle it and tell you how it progresses.",
            ],
            only=event.complaint_id,
        )
    assert event.reason is not None
    return for_complainants(
        case,
        "progress",
        "Your complaint is not admissible",
        f"Your complaint was found inadmissible on {event.decided_on.isoformat()}.",
        [
            f"we examined it and found it inadmissible on {on}: {INADMISSIBLE[event.reason]}.",
            f"Reasons: {event.reasons}",
            remedies.for_complainant(),
        ],
        only=event.complaint_id,
    )


def controller_asked_to_act(event: ControllerAskedToAct, case: CaseFile) -> list[Letter]:
    """The one letter to the controller, however many complaints it is about."""
    count = len(event.complaint_ids)
    about = "a complaint" if count == 1 else f"{count:,} complaints"
    return for_controller(
        case,
        "controller_request",
        f"Complaints about your processing: please act by {long_date(event.answer_due)}",
        f"Asked to act on {about} by {event.answer_due.isoformat()}.",
        [
            f"the authority has received {about} about your processing of personal data. {event.request}",
            f"Please act on {'it' if count == 1 else 'them'} and tell us by {long_date(event.answer_due)} what you "
            f"have done.",
        ],
    )


def complaint_controller_asked(event: ComplaintControllerAsked, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        "We wrote to the controller",
        f"{name} was asked on {event.asked_on.isoformat()} to act on your complaint by {event.answer_due.isoformat()}.",
        [
            f"on {long_date(event.asked_on)} we wrote to {name}, asking it to act on your complaint and to tell us "
            f"by {long_date(event.answer_due)} what it has done.",
            "We will tell you what follows.",
        ],
        only=event.complaint_id,
    )


def controller_answer_overdue(event: ControllerAnswerOverdue, case: CaseFile) -> list[Letter]:
    return for_controller(
        case,
        "controller_reminder",
        f"Reminder: your answer was due on {long_date(event.answer_due)}",
        f"No answer by {event.answer_due.isoformat()}: reminded.",
        [
            f"we asked you to act on complaints about your processing and to answer by "
            f"{long_date(event.answer_due)}. We have no answer from you.",
            "Please answer without delay. Without an answer, the authority may use its investigative and "
            "corrective powers (GDPR Art 58).",
        ],
    )


def complaint_joined_investigation(event: ComplaintJoinedInvestigation, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        "Your complaint joined an investigation",
        f"Your complaint joined the investigation of {name} on {event.joined_on.isoformat()}.",
        [
            f"on {long_date(event.joined_on)} it joined the authority's investigation of {name}.",
            "We will write to you again at each step of the case that concerns you.",
        ],
        only=event.complaint_id,
    )


def complaint_transferred(event: ComplaintTransferred, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        "Your complaint was sent to another authority",
        f"Your complaint was sent on {event.transferred_on.isoformat()} to {event.authority}.",
        [
            f"on {long_date(event.transferred_on)} we sent it to {event.authority} ({event.authority_country}), "
            f"the authority competent for it.",
            f"Reasons: {event.reasons}",
            "That authority will handle it from now on and write to you.",
        ],
        only=event.complaint_id,
    )


def complaint_closed(event: ComplaintClosed, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        "Your complaint was closed",
        f"Your complaint was closed on {event.closed_on.isoformat()}: {CLOSED[event.reason]}.",
        [
            f"we closed it on {long_date(event.closed_on)}: {CLOSED[event.reason]}.",
            f"Reasons: {event.reasons}",
            remedies.for_complainant(),
        ],
        only=event.complaint_id,
    )
