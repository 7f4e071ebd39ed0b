"""The letters of a formal notice (GDPR Art 58(2)): issued, complied with, its deadline passed (or that news
superseded), and a sanction's injunction complied with."""

from __future__ import annotations

from docket_contracts.events import (
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeIssued,
    InjunctionComplied,
)

from . import remedies
from .letters import CaseFile, Letter, controller_name, for_complainants, for_controller, long_date, order_line


def formal_notice_issued(event: FormalNoticeIssued, case: CaseFile) -> list[Letter]:
    name, deadline = controller_name(case), long_date(event.compliance_deadline)
    to_complainants = for_complainants(
        case,
        "progress",
        "A formal notice was issued",
        f"{name} was given formal notice on {event.issued_on.isoformat()} to comply by "
        f"{event.compliance_deadline.isoformat()}.",
        [
            f"on {long_date(event.issued_on)} we gave {name} formal notice to bring its processing into "
            f"compliance by {deadline}."
        ],
    )
    to_controller = for_controller(
        case,
        "formal_notice",
        f"Formal notice of {long_date(event.issued_on)}",
        f"Formal notice of {event.issued_on.isoformat()}: comply by {event.compliance_deadline.isoformat()}.",
        [
            f"following the examination of complaints about your processing of personal data, the authority "
            f"gives you formal notice, on {long_date(event.issued_on)}, under Article 58(2) of the GDPR, to:",
            f"You must comply with these orders by {deadline} and send us the evidence of compliance by then. "
            f"If you do not, the authority may impose a sanction, including an administrative fine under "
            f"Article 83 of the GDPR.",
            remedies.for_controller(case),
        ],
        items=[order_line(order) for order in event.orders],
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
