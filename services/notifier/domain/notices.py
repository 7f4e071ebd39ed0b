"""The letters of a formal notice (GDPR Art 58(2); loi 78-17 art 20 II): issued, notified (its deadline), extended,
complied with, its deadline passed (or that news superseded), and a sanction's injunction complied with."""

from __future__ import annotations

from docket_contracts.events import (
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeExtended,
    FormalNoticeIssued,
    FormalNoticeNotified,
    InjunctionComplied,
    WarningIssued,
)

from . import remedies
from .letters import (
    CaseFile,
    Letter,
    Say,
    controller_name,
    for_complainants,
    for_controller,
    order_line,
    reasons,
    span,
    t,
)


def _by(event: FormalNoticeIssued, name: Say) -> tuple[Say, Say, Say]:
    """When the controller must comply: in the letter to it, in the complainants' letter, and in a summary."""
    if event.compliance_deadline is not None:  # a notice of version 2 or before fixed its deadline at issue
        by = t("by {day}", day=event.compliance_deadline)
        return by, by, t("comply by {day}", day=event.compliance_deadline.isoformat())
    assert event.time_limit is not None
    limit = span(event.time_limit)
    return (
        t("within {limit} of the day you receive this notice", limit=limit),
        t("within {limit} of the day {controller} receives it", limit=limit, controller=name),
        t("comply within {limit} of receipt", limit=limit),
    )


def warning_issued(event: WarningIssued, case: CaseFile) -> list[Letter]:
    name, articles = controller_name(case), ", ".join(map(str, event.articles))
    to_complainants = for_complainants(
        case,
        "progress",
        t("A warning was issued"),
        t(
            "{controller} was warned on {day} that the processing it intends is likely to infringe the GDPR.",
            controller=name,
            day=event.decided_on.isoformat(),
        ),
        [
            t(
                "on {day} we warned {controller} that the processing it intends is likely to infringe Articles "
                "{articles} of the GDPR.",
                day=event.decided_on,
                controller=name,
                articles=articles,
            )
        ],
    )
    to_controller = for_controller(
        case,
        "warning",
        t("Warning ({reference}) of {day}", reference=event.reference, day=event.decided_on),
        t(
            "Warning of {day}: the intended processing is likely to infringe the GDPR.",
            day=event.decided_on.isoformat(),
        ),
        [
            t(
                "by its decision {reference} of {day}, the President of the authority warns you, under Article 20 I "
                "of the loi Informatique et Libertés and Article 58(2)(a) of the GDPR, that the processing you "
                "intend is likely to infringe Articles {articles} of the GDPR.",
                reference=event.reference,
                day=event.decided_on,
                articles=articles,
            ),
            t("The processing: {processing}", processing=event.intended_processing),
            remedies.of_controller(case),
        ],
    )
    return to_complainants + to_controller


def formal_notice_issued(event: FormalNoticeIssued, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    by, within, summary = _by(event, name)
    reference = f" ({event.reference})" if event.reference else ""
    to_complainants = for_complainants(
        case,
        "progress",
        t("A formal notice was issued"),
        t(
            "{controller} was given formal notice on {day} to {summary}.",
            controller=name,
            day=event.issued_on.isoformat(),
            summary=summary,
        ),
        [
            t(
                "on {day} we gave {controller} formal notice to bring its processing into compliance {within}.",
                day=event.issued_on,
                controller=name,
                within=within,
            )
        ],
    )
    urgency = t(" Urgency being invoked, the time limit is shorter than ten days.") if event.urgency else ""
    to_controller = for_controller(
        case,
        "formal_notice",
        t("Formal notice{reference} of {day}", reference=reference, day=event.issued_on),
        t(
            "Formal notice{reference} of {day}: {summary}.",
            reference=reference,
            day=event.issued_on.isoformat(),
            summary=summary,
        ),
        [
            t(
                "following the examination of complaints about your processing of personal data, the President of "
                "the authority gives you formal notice{reference}, on {day}, under Article 20 II of the loi "
                "Informatique et Libertés and Article 58(2) of the GDPR, to:",
                reference=reference,
                day=event.issued_on,
            ),
            t(
                "You must comply with these orders {by} and send us the evidence of compliance by then (décret "
                "2019-536 art 38).{urgency} If you do not, the authority may impose a sanction, including an "
                "administrative fine under Article 83 of the GDPR.",
                by=by,
                urgency=urgency,
            ),
            remedies.of_controller(case),
        ],
        items=[order_line(order) for order in event.orders],
    )
    return to_complainants + to_controller


def formal_notice_notified(event: FormalNoticeNotified, case: CaseFile) -> list[Letter]:
    if event.compliance_deadline is None:
        return []  # the deadline was in the notice itself: nothing new to tell
    return for_controller(
        case,
        "formal_notice_deadline",
        t("The deadline of the formal notice"),
        t(
            "The formal notice reached you on {day}: comply by {deadline}.",
            day=event.notified_on.isoformat(),
            deadline=event.compliance_deadline.isoformat(),
        ),
        [
            t(
                "the formal notice reached you on {day}; its time limit runs from that day (décret 2019-536 art 38), "
                "so you must comply by {deadline}.",
                day=event.notified_on,
                deadline=event.compliance_deadline,
            )
        ],
    )


def formal_notice_extended(event: FormalNoticeExtended, case: CaseFile) -> list[Letter]:
    until = t(" to {day}", day=event.compliance_deadline) if event.compliance_deadline else ""
    extension, name = span(event.extension), controller_name(case)
    to_complainants = for_complainants(
        case,
        "progress",
        t("The formal notice's time limit was extended"),
        t("The time limit given to {controller} was extended by {extension}.", controller=name, extension=extension),
        [
            t(
                "on {day} we extended the time limit given to {controller} by {extension}{until}.",
                day=event.decided_on,
                controller=name,
                extension=extension,
                until=until,
            )
        ],
    )
    to_controller = for_controller(
        case,
        "formal_notice_extension",
        t("Extension of the formal notice's time limit"),
        t("The formal notice's time limit was extended by {extension}{until}.", extension=extension, until=until),
        [
            t(
                "by a decision of {day}, the President extends the time limit of the formal notice by "
                "{extension}{until}, once, as décret 2019-536 art 38 allows.",
                day=event.decided_on,
                extension=extension,
                until=until,
            ),
            reasons(event.reasons),
        ],
    )
    return to_complainants + to_controller


def formal_notice_complied(event: FormalNoticeComplied, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        t("The formal notice was complied with"),
        t(
            "{controller} complied with the formal notice on {day}.",
            controller=name,
            day=event.complied_on.isoformat(),
        ),
        [t("{controller} complied with the formal notice on {day}.", controller=name, day=event.complied_on)],
    )


def deadline_expired(event: FormalNoticeDeadlineExpired, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        t("The formal notice's deadline passed"),
        t(
            "The deadline of {day} passed without compliance by {controller}.",
            day=event.deadline.isoformat(),
            controller=name,
        ),
        [
            t(
                "the deadline of {day} set to {controller} passed without compliance. We are considering further "
                "measures.",
                day=event.deadline,
                controller=name,
            )
        ],
    )


def expiry_superseded(event: FormalNoticeExpirySuperseded, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        t("The formal notice was complied with in time"),
        t(
            "{controller}'s compliance by the deadline, on {day}, was recorded; the earlier news that the deadline "
            "had passed no longer stands.",
            controller=name,
            day=event.complied_on.isoformat(),
        ),
        [
            t(
                "we recorded that {controller} complied with the formal notice on {day}, by its deadline. Our "
                "earlier letter saying the deadline had passed without compliance no longer stands.",
                controller=name,
                day=event.complied_on,
            )
        ],
    )


def injunction_complied(event: InjunctionComplied, case: CaseFile) -> list[Letter]:
    name = controller_name(case)
    return for_complainants(
        case,
        "progress",
        t("The injunction was complied with"),
        t(
            "{controller} complied with the authority's injunction on {day}.",
            controller=name,
            day=event.complied_on.isoformat(),
        ),
        [
            t(
                "{controller} complied with the injunction of the authority's decision on {day}; the periodic "
                "penalty payment stopped accruing that day.",
                controller=name,
                day=event.complied_on,
            )
        ],
    )
