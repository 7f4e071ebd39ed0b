"""Which letters an event calls for, what they say, and when staff must be reminded; pure: it imports only the
standard library and docket_contracts.

A letter is decided from the event and what the notifier knows of the case (its controller, the
controller's contact address, its complainants). Alerts have no complainant to keep informed. What a letter
is and how it reads is letters.py; the letters of each stage of a case are complaints.py, notices.py,
sanctions.py and appeals.py, those of a complaint's own handling handling.py, those of a cross-border case
cooperation.py, one rule per event type in
RULES; the Art 78(2) reminders are reminders.py. The webhook rules (signatures, matching, retries, which URLs
may be called) are webhooks.py.
"""

from __future__ import annotations

from collections.abc import Callable

from docket_contracts.cooperation import (
    ComplaintResolvedEarly,
    ComplaintTransmitted,
    CrossBorderComplaintRegistered,
    DecisionAdopted,
)
from docket_contracts.events import (
    AppealDecided,
    AppealLodged,
    CaseClosed,
    CaseOpened,
    CaseReferred,
    ComplaintAdmissibilityDecided,
    ComplaintClosed,
    ComplaintControllerAsked,
    ComplaintFiled,
    ComplaintJoinedInvestigation,
    ComplaintLinked,
    ComplaintTransferred,
    ComplaintWithdrawn,
    ControllerAnswerOverdue,
    ControllerAskedToAct,
    ControllerSummoned,
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeExtended,
    FormalNoticeIssued,
    FormalNoticeNotified,
    HearingHeld,
    InjunctionComplied,
    InjunctionEnded,
    InvestigationOpened,
    LiquidationOpened,
    ObservationsExtended,
    Payload,
    PenaltyPaymentLiquidated,
    PublicationMade,
    PublicationWithdrawn,
    ReportNotified,
    ReprimandIssued,
    SanctionImposed,
    SanctionNotified,
    WarningIssued,
)

from .appeals import appeal_decided, appeal_lodged
from .complaints import (
    address_proof,
    case_closed,
    case_opened,
    complaint_filed,
    complaint_linked,
    complaint_withdrawn,
    investigation_opened,
)
from .cooperation import complaint_registered, complaint_resolved_early, complaint_transmitted, decision_adopted
from .enforcement import injunction_ended, liquidation_opened
from .handling import (
    admissibility_decided,
    complaint_closed,
    complaint_controller_asked,
    complaint_joined_investigation,
    complaint_transferred,
    controller_answer_overdue,
    controller_asked_to_act,
)
from .letters import CaseFile, Channel, Complainant, Letter, Role
from .notices import (
    deadline_expired,
    expiry_superseded,
    formal_notice_complied,
    formal_notice_extended,
    formal_notice_issued,
    formal_notice_notified,
    injunction_complied,
    warning_issued,
)
from .proceedings import case_referred, controller_summoned, hearing_held, observations_extended, report_notified
from .reminders import reminder, reminder_due_on
from .sanctions import (
    penalty_liquidated,
    publication_made,
    publication_withdrawn,
    reprimand_issued,
    sanction_imposed,
    sanction_notified,
)

__all__ = [
    "RULES",
    "CaseFile",
    "Channel",
    "Complainant",
    "Letter",
    "Role",
    "address_proof",
    "letters_for",
    "reminder",
    "reminder_due_on",
]

RULES: dict[type[Payload], Callable[..., list[Letter]]] = {
    ComplaintFiled: complaint_filed,
    ComplaintWithdrawn: complaint_withdrawn,
    CaseOpened: case_opened,
    ComplaintLinked: complaint_linked,
    InvestigationOpened: investigation_opened,
    WarningIssued: warning_issued,
    FormalNoticeIssued: formal_notice_issued,
    FormalNoticeNotified: formal_notice_notified,
    FormalNoticeExtended: formal_notice_extended,
    FormalNoticeComplied: formal_notice_complied,
    FormalNoticeDeadlineExpired: deadline_expired,
    CaseReferred: case_referred,
    ReportNotified: report_notified,
    ObservationsExtended: observations_extended,
    ControllerSummoned: controller_summoned,
    HearingHeld: hearing_held,
    SanctionImposed: sanction_imposed,
    ReprimandIssued: reprimand_issued,
    PublicationMade: publication_made,
    PublicationWithdrawn: publication_withdrawn,
    AppealLodged: appeal_lodged,
    AppealDecided: appeal_decided,
    InjunctionComplied: injunction_complied,
    SanctionNotified: sanction_notified,
    PenaltyPaymentLiquidated: penalty_liquidated,
    LiquidationOpened: liquidation_opened,
    InjunctionEnded: injunction_ended,
    FormalNoticeExpirySuperseded: expiry_superseded,
    CaseClosed: case_closed,
    ComplaintAdmissibilityDecided: admissibility_decided,
    ControllerAskedToAct: controller_asked_to_act,
    ComplaintControllerAsked: complaint_controller_asked,
    ControllerAnswerOverdue: controller_answer_overdue,
    ComplaintJoinedInvestigation: complaint_joined_investigation,
    ComplaintTransferred: complaint_transferred,
    ComplaintClosed: complaint_closed,
    CrossBorderComplaintRegistered: complaint_registered,
    ComplaintTransmitted: complaint_transmitted,
    ComplaintResolvedEarly: complaint_resolved_early,
    DecisionAdopted: decision_adopted,
}


def letters_for(event: Payload, case: CaseFile | None = None) -> list[Letter]:
    """The letters `event` calls for, given what is known of its case (finding.recorded is internal: none)."""
    rule = RULES.get(type(event))
    return rule(event, case or CaseFile()) if rule else []
