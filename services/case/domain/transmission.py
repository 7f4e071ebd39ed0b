"""A cross-border complaint lodged with this authority (Regulation 2025/2518 arts 4-5, as reported; the Official
Journal text was not read): assessed, and transmitted to the presumed lead authority within six weeks of receipt
(the timer warns a week before, and marks it overdue once the time runs out); or resolved early, where the
infringement has ended and the complainant does not object (art 5). The complainant deals with this authority only:
the lead's final decision, reported here, is what its letter tells them (GDPR Art 60(7)-(8)).

For a complaint lodged by 2 April 2027 the Regulation does not apply (art 36, as reported): no six weeks run.
"""

from __future__ import annotations

from datetime import date, timedelta

from docket_contracts.cooperation import ComplaintResolvedEarly, ComplaintTransmitted, CrossBorderComplaintRegistered
from docket_contracts.errors import Invalid

from .cooperation import by, check_step, deadline, in_scope, known, new_reference, not_before, one_stop_shop, running
from .cooperation import warning as warning_of
from .cooperation_state import CrossBorderComplaint, Deadline
from .state import CaseState

# "must transmit the complaint to the presumed lead SA within six weeks of receipt of the complaint" (Regulation
# 2025/2518 art 4, as reported by a secondary source; the paragraph was not found). Staff are warned a week before.
TRANSMISSION_WEEKS = 6
WARNING_DAYS = 7


def transmission_due(received_on: date) -> date:
    return received_on + timedelta(weeks=TRANSMISSION_WEEKS)


def register(state: CaseState, step: CrossBorderComplaintRegistered, authorities: frozenset[str]) -> None:
    action = "register a cross-border complaint"
    check_step(state, step, action, authorities)
    frame = one_stop_shop(state, action)
    new_reference(state, step)
    if not frame.received_complaint(step.authority):
        raise Invalid("authority", f"{step.authority} is not concerned as the authority the complaint was lodged with")
    known("presumed_lead", step.presumed_lead, authorities)
    if step.presumed_lead == step.authority:
        raise Invalid("presumed_lead", "the complaint is transmitted to another authority, the presumed lead")


def transmit(state: CaseState, step: ComplaintTransmitted, authorities: frozenset[str]) -> None:
    action = "record the complaint's transmission to the lead authority"
    check_step(state, step, action, authorities)
    complaint = _the_complaint(state, step, action)
    known("lead", step.lead, authorities)
    assert complaint.received_on is not None
    not_before("transmitted_on", step.transmitted_on, complaint.received_on, "the complaint was received")


def resolve_early(state: CaseState, step: ComplaintResolvedEarly, authorities: frozenset[str]) -> None:
    action = "record the complaint's early resolution"
    check_step(state, step, action, authorities)
    complaint = _the_complaint(state, step, action)
    if step.complainant_objected:
        raise Invalid(
            "complainant_objected",
            "a complaint is resolved early only where the complainant does not object (Regulation 2025/2518 art 5, "
            "as reported)",
        )
    assert complaint.received_on is not None
    not_before("resolved_on", step.resolved_on, complaint.received_on, "the complaint was received")
    if step.infringement_ended_on > step.resolved_on:
        raise Invalid("infringement_ended_on", "the infringement has ended by the day the complaint is resolved")


def _the_complaint(
    state: CaseState, step: ComplaintTransmitted | ComplaintResolvedEarly, action: str
) -> CrossBorderComplaint:
    complaint = running(state, step, CrossBorderComplaint, action)
    by(step, complaint.opened_by, "the authority the complaint was lodged with", "Regulation 2025/2518 art 4")
    if step.complaint_id != complaint.complaint_id:
        raise Invalid("complaint_id", f"the procedure {complaint.reference} is about another complaint")
    return complaint


def deadlines(complaint: CrossBorderComplaint) -> list[Deadline]:
    assert complaint.received_on is not None
    if not in_scope(complaint.received_on):
        return []
    due = transmission_due(complaint.received_on)
    kind = "2025/2518-transmission"
    return [
        warning_of(complaint, kind, complaint.opened_by, due, WARNING_DAYS),
        deadline(complaint, kind, complaint.opened_by, due),
    ]
