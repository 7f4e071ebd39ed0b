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
from .letters import CaseFile, Letter, controller_name, for_complainants, for_controller, long_date, order_line


def _by(event: FormalNoticeIssued) -> tuple[str, str]:
    """When the controller must comply, in a letter's words and in a summary's."""
    if event.compliance_deadline is not None:  # a notice of version 2 or before fixed its deadline at issue
        return f"by {long_date(event.compliance_deadline)}", f"comply by {event.compliance_deadline.isoformat()}"
    assert event.time_limit is not None
    limit = event.time_limit.words
    return f"within {limit} of the day you receive this notice", f"comply within {limit} of receipt"


def warning_issued(event: WarningIssued, case: CaseFile) -> list[Letter]:
    name, articles = controller_name(case), ", ".join(map(str, event.articles))
    to_complainants = for_complainants(
        case,
        "progress",
        "A warning was issued",
        f"{name} was warned on {event.decided_on.isoformat()} that the processing it intends is likely to infringe "
        f"the GDPR.",
        [
            f"on {long_date(event.decided_on)} we warned {name} that the processing it intends is likely to infringe "
            f"Articles {articles} of the GDPR."
        ],
    )
    to_controller = for_controller(
        case,
        "warning",
        f"Warning ({event.reference}) of {long_date(event.decided_on)}",
        f"Warning of {event.decided_on.isoformat()}: the intended processing is likely to infringe the GDPR.",
        [
            f"by its decision {event.reference} of {long_date(event.decided_on)}, the President of the authority "
            f"warns you, under Article 20 I of the loi Informatique et Libertés and Article 58(2)(a) of the GDPR, "
            f"that the processing you intend is likely to infringe Articles {articles} of the GDPR.",
            f"The processing: {event.intended_processing}",
            remedies.for_controller(case),
        ],
    )
    return to_complainants + to_controller


def formal_notice_issued(event: FormalNoticeIssued, case: CaseFile) -> list[Letter]:
    name, (by, summary) = controller_name(case), _by(event)
    reference = f" ({event.reference})" if event.reference else ""
    within = by.replace("you receive this notice", f"{name} receives it")
    to_complainants = for_complainants(
        case,
        "progress",
        "A formal notice was issued",
        f"{name} was given formal notice on {event.issued_on.isoformat()} to {summary}.",
        [
            f"on {long_date(event.issued_on)} we gave {name} formal notice to bring its processing into "
            f"compliance {within}."
        ],
    )
    urgency = " Urgency being invoked, the time limit is shorter than ten days." if event.urgency else ""
    to_controller = for_controller(
        case,
        "formal_notice",
        f"Formal notice{reference} of {long_date(event.issued_on)}",
        f"Formal notice{reference} of {event.issued_on.isoformat()}: {summary}.",
        [
            f"following the examination of complaints about your processing of personal data, the President of "
            f"the authority gives you formal notice{reference}, on {long_date(event.issued_on)}, under Article 20 II "
            f"of the loi Informatique et Libertés and Article 58(2) of the GDPR, to:",
            f"You must comply with these orders {by} and send us the evidence of compliance by then (décret "
            f"2019-536 art 38).{urgency} If you do not, the authority may impose a sanction, including an "
            f"administrative fine under Article 83 of the GDPR.",
            remedies.for_controller(case),
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
        "The deadline of the formal notice",
        f"The formal notice reached you on {event.notified_on.isoformat()}: comply by "
        f"{event.compliance_deadline.isoformat()}.",
        [
            f"the formal notice reached you on {long_date(event.notified_on)}; its time limit runs from that day "
            f"(décret 2019-536 art 38), so you must comply by {long_date(event.compliance_deadline)}."
        ],
    )


def formal_notice_extended(event: FormalNoticeExtended, case: CaseFile) -> list[Letter]:
    until = f" to {long_date(event.compliance_deadline)}" if event.compliance_deadline else ""
    to_complainants = for_complainants(
        case,
        "progress",
        "The formal notice's time limit was extended",
        f"The time limit given to {controller_name(case)} was extended by {event.extension.words}.",
        [
            f"on {long_date(event.decided_on)} we extended the time limit given to {controller_name(case)} by "
            f"{event.extension.words}{until}."
        ],
    )
    to_controller = for_controller(
        case,
        "formal_notice_extension",
        "Extension of the formal notice's time limit",
        f"The formal notice's time limit was extended by {event.extension.words}{until}.",
        [
            f"by a decision of {long_date(event.decided_on)}, the President extends the time limit of the formal "
            f"notice by {event.extension.words}{until}, once, as décret 2019-536 art 38 allows.",
            f"Reasons: {event.reasons}",
        ],
    )
    return to_complainants + to_controller


def formal_notice_complied(event: FormalNoticeComplied, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        "The formal notice was complied with",
        f"{controller_name(case)} complied with the formal notice on {event.complied_on.isoformat()}.",
        [f"{controller_name(case)} complied with the formal notice on {long_date(event.complied_on)}."],
    )


def deadline_expired(event: FormalNoticeDeadlineExpired, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        "The formal notice's deadline passed",
        f"The deadline of {event.deadline.isoformat()} passed without compliance by {controller_name(case)}.",
        [
            f"the deadline of {long_date(event.deadline)} set to {controller_name(case)} passed without "
            f"compliance. We are considering further measures."
        ],
    )


def expiry_superseded(event: FormalNoticeExpirySuperseded, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        "The formal notice was complied with in time",
        f"{controller_name(case)}'s compliance by the deadline, on {event.complied_on.isoformat()}, was recorded; "
        f"the earlier news that the deadline had passed no longer stands.",
        [
            f"we recorded that {controller_name(case)} complied with the formal notice on "
            f"{long_date(event.complied_on)}, by its deadline. Our earlier letter saying the deadline had passed "
            f"without compliance no longer stands."
        ],
    )


def injunction_complied(event: InjunctionComplied, case: CaseFile) -> list[Letter]:
    return for_complainants(
        case,
        "progress",
        "The injunction was complied with",
        f"{controller_name(case)} complied with the authority's injunction on {event.complied_on.isoformat()}.",
        [
            f"{controller_name(case)} complied with the injunction of the authority's decision on "
            f"{long_date(event.complied_on)}; the periodic penalty payment stopped accruing that day."
        ],
    )
