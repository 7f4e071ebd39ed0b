"""The letters of a complaint's own handling: its admissibility decided, the controller asked to act (one
letter to the controller for all the complaints it names, and one to each complainant), the controller
reminded when its answer is late, the complaint joined to the investigation, transferred, or closed.

A decision that ends a complaint (inadmissible, closed) names the complainant's remedies (remedies.py): GDPR
Art 77(2) requires the complainant to be told of the judicial remedy of Art 78, and in France the time to bring
it runs only if the letter states it (code de justice administrative R421-5).
"""

from __future__ import annotations

from dataclasses import replace

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
from .letters import CaseFile, Letter, Text, controller_name, for_complainants, for_controller, reasons, t, tn

INADMISSIBLE = {
    "not_personal_data": t("it is not about personal data relating to you (GDPR Art 4(1), Art 77(1))"),
    "outside_competence": t("what it is about is outside what this authority supervises (GDPR Art 55)"),
    "no_prior_request": t(
        "you had not first asked the controller to respect your rights, as a complaint about them requires"
    ),
    "manifestly_unfounded_or_excessive": t("it is manifestly unfounded or excessive (GDPR Art 57(4))"),
    "duplicate": t("it repeats a complaint already lodged"),
    "cross_border_content_missing": t(
        "it is about processing across borders and lacks what Regulation (EU) 2025/2518 art 4(1) requires of such a "
        "complaint ({missing}); art 4(2) requires the authority to declare it inadmissible within two weeks of "
        "receiving it"
    ),
}
# What of art 4(1) a cross-border complaint may lack (docket_contracts.events.MissingContent).
MISSING_CONTENT = {
    "constitution_proof": t(
        "proof that the body lodging it is properly constituted under the law of a Member State, art 4(1)(b)"
    ),
}
CLOSED = {
    "resolved": t("the controller acted on it after our letter"),
    "no_infringement": t("we found no infringement"),
    "withdrawn": t("you withdrew it"),
    "not_pursued": t("we decided not to pursue it"),
}
STEPS = t("We will write to you again at each step of the case that concerns you.")


def admissibility_decided(event: ComplaintAdmissibilityDecided, case: CaseFile) -> list[Letter]:
    on, iso = event.decided_on, event.decided_on.isoformat()
    if event.decision == "admissible":
        return for_complainants(
            case,
            "progress",
            t("Your complaint is admissible"),
            t("Your complaint was found admissible on {day}.", day=iso),
            [
                t("we examined it and found it admissible on {day}.", day=on),
                t("We will now handle it and tell you how it progresses."),
            ],
            only=event.complaint_id,
        )
    assert event.reason is not None
    return for_complainants(
        case,
        "progress",
        t("Your complaint is not admissible"),
        t("Your complaint was found inadmissible on {day}.", day=iso),
        [
            t("we examined it and found it inadmissible on {day}: {reason}.", day=on, reason=inadmissible(event)),
            reasons(event.reasons),
            remedies.of_complainant(),
        ],
        only=event.complaint_id,
    )


def inadmissible(event: ComplaintAdmissibilityDecided) -> Text:
    """Why the complaint is inadmissible, naming what it lacks where that is why."""
    assert event.reason is not None
    if not event.missing_content:
        return INADMISSIBLE[event.reason]
    missing = MISSING_CONTENT[event.missing_content[0]]
    for more in event.missing_content[1:]:
        missing = t("{these}; {that}", these=missing, that=MISSING_CONTENT[more])
    return replace(INADMISSIBLE[event.reason], values={"missing": missing})


def controller_asked_to_act(event: ControllerAskedToAct, case: CaseFile) -> list[Letter]:
    """The one letter to the controller, however many complaints it is about."""
    count = len(event.complaint_ids)
    about = tn("a complaint", "{count} complaints", count, count=count)
    due = event.answer_due
    return for_controller(
        case,
        "controller_request",
        t("Complaints about your processing: please act by {day}", day=due),
        t("Asked to act on {about} by {day}.", about=about, day=due.isoformat()),
        [
            t(
                "the authority has received {about} about your processing of personal data. {request}",
                about=about,
                request=event.request,
            ),
            tn(
                "Please act on it and tell us by {day} what you have done.",
                "Please act on them and tell us by {day} what you have done.",
                count,
                day=due,
            ),
        ],
    )


def complaint_controller_asked(event: ComplaintControllerAsked, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        t("We wrote to the controller"),
        t(
            "{controller} was asked on {day} to act on your complaint by {due}.",
            controller=name,
            day=event.asked_on.isoformat(),
            due=event.answer_due.isoformat(),
        ),
        [
            t(
                "on {day} we wrote to {controller}, asking it to act on your complaint and to tell us by {due} what "
                "it has done.",
                day=event.asked_on,
                controller=name,
                due=event.answer_due,
            ),
            t("We will tell you what follows."),
        ],
        only=event.complaint_id,
    )


def controller_answer_overdue(event: ControllerAnswerOverdue, case: CaseFile) -> list[Letter]:
    return for_controller(
        case,
        "controller_reminder",
        t("Reminder: your answer was due on {day}", day=event.answer_due),
        t("No answer by {day}: reminded.", day=event.answer_due.isoformat()),
        [
            t(
                "we asked you to act on complaints about your processing and to answer by {day}. We have no answer "
                "from you.",
                day=event.answer_due,
            ),
            t(
                "Please answer without delay. Without an answer, the authority may use its investigative and "
                "corrective powers (GDPR Art 58)."
            ),
        ],
    )


def complaint_joined_investigation(event: ComplaintJoinedInvestigation, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        t("Your complaint joined an investigation"),
        t(
            "Your complaint joined the investigation of {controller} on {day}.",
            controller=name,
            day=event.joined_on.isoformat(),
        ),
        [
            t(
                "on {day} it joined the authority's investigation of {controller}.",
                day=event.joined_on,
                controller=name,
            ),
            STEPS,
        ],
        only=event.complaint_id,
    )


def complaint_transferred(event: ComplaintTransferred, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        t("Your complaint was sent to another authority"),
        t(
            "Your complaint was sent on {day} to {authority}.",
            day=event.transferred_on.isoformat(),
            authority=event.authority,
        ),
        [
            t(
                "on {day} we sent it to {authority} ({country}), the authority competent for it.",
                day=event.transferred_on,
                authority=event.authority,
                country=event.authority_country,
            ),
            reasons(event.reasons),
            t("That authority will handle it from now on and write to you."),
        ],
        only=event.complaint_id,
    )


def complaint_closed(event: ComplaintClosed, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        t("Your complaint was closed"),
        t(
            "Your complaint was closed on {day}: {reason}.",
            day=event.closed_on.isoformat(),
            reason=CLOSED[event.reason],
        ),
        [
            t("we closed it on {day}: {reason}.", day=event.closed_on, reason=CLOSED[event.reason]),
            reasons(event.reasons),
            remedies.of_complainant(),
        ],
        only=event.complaint_id,
    )
