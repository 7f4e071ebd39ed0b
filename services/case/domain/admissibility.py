"""Whether a complaint is admissible, and its transfer to the authority competent for it.

The closed list of reasons rests on its sources (docket_contracts.events.InadmissibilityReason). An
inadmissibility is an unfavourable decision: it states its reasons (code des relations entre le public et
l'administration L211-2, L211-5), which a court reviews in full (CJEU C-26/22 and C-64/22, SCHUFA).
"""

from __future__ import annotations

from docket_contracts.errors import Invalid
from docket_contracts.events import (
    ComplaintAdmissibilityDecided,
    ComplaintCategory,
    ComplaintTransferred,
    Payload,
)

from .handling import Complaint, ComplaintRejected
from .handling_commands import DecideAdmissibility, TransferComplaints
from .refusals import not_before
from .state import CaseState

# The categories of complaint about the complainant's own rights (GDPR Arts 15-22): only such a complaint needs
# the right first exercised with the controller, who has a month to answer (Art 12(3)). That rule is the CNIL's
# doctrine ("Avant de demander l'intervention de la CNIL, vous devez d'abord exercer vos droits"; its 2021
# complaint page and 2023 annual report), not a statute: no text of loi 78-17 or décret 2019-536 stating it was
# found, so it is named here, for the authority to change.
RIGHTS_CATEGORIES: frozenset[ComplaintCategory] = frozenset(
    {"access_request_ignored", "erasure_refused", "rectification_refused", "objection_ignored"}
)
# GDPR Art 57(4): the authority may refuse to act on a manifestly unfounded or excessive request, bearing the
# burden of showing it; CJEU C-416/23 (9 Jan 2025): never for the number of requests alone, so it is decided
# complaint by complaint, with the evidence in its reasons, and never for a selection at once.
EXCESSIVE = "manifestly_unfounded_or_excessive"
# Where a complaint about cross-border processing lacks the content art 4(1) lists, the authority "shall, within two
# weeks of receiving that complaint, declare that complaint inadmissible and inform the complainant of the reasons
# thereof" (Regulation 2025/2518 art 4(2), as reported: quoted by secondary sources, the Official Journal text was
# not read). Such a complaint reaches a case only from paper (intake's public door refuses it on the spot).
CONTENT_MISSING_RULE = "Regulation 2025/2518 art 4(2), as reported"
CONTENT_MISSING_DAYS = 14
CONTENT_MISSING = "cross_border_content_missing"


def admissibility_days(target_days: int, content_missing: bool) -> int:
    """Days from a complaint's receipt to the decision on its admissibility: the authority's own target, and for a
    complaint recorded without art 4(1)'s content at most art 4(2)'s two weeks."""
    return min(target_days, CONTENT_MISSING_DAYS) if content_missing else target_days


def check_admissibility(command: DecideAdmissibility) -> None:
    """The rules of the decision itself, whatever the complaints it is given to."""
    if command.decision == "admissible":
        if command.reason is not None or command.duplicate_of is not None:
            raise Invalid("reason", "an admissible complaint has no reason of inadmissibility")
        return
    if command.reason is None:
        raise Invalid("reason", "an inadmissible complaint names its reason from the closed list")
    if not command.reasons:
        raise Invalid(
            "reasons",
            "an inadmissibility states its reasons (code des relations entre le public et l'administration "
            "L211-2, L211-5)",
        )
    if command.reason == EXCESSIVE and len(command.complaint_ids) > 1:
        raise Invalid(
            "reason",
            "a complaint is found manifestly unfounded or excessive (GDPR Art 57(4)) on its own evidence, one at a "
            "time: never for the number of complaints alone (CJEU C-416/23)",
        )
    if (command.reason == "duplicate") != (command.duplicate_of is not None):
        raise Invalid("duplicate_of", "a duplicate names the complaint it repeats, and only a duplicate does")


def decide_admissibility(case: CaseState, complaint: Complaint, command: DecideAdmissibility) -> list[Payload]:
    action = f"find the complaint {command.decision}"
    if complaint.status != "received":
        why = f"its admissibility was decided on {complaint.decided_on}" if complaint.decided_on else ""
        raise ComplaintRejected(case, complaint, action, why)
    not_before("decided_on", command.decided_on, complaint.received_on, "the complaint was received")
    if command.reason == "no_prior_request" and complaint.category not in (None, *RIGHTS_CATEGORIES):
        raise Invalid(
            "reason",
            f"a complaint of category {complaint.category} needs no prior request to the controller: only one about "
            f"the complainant's rights (GDPR Arts 15-22) does",
        )
    if command.reason == CONTENT_MISSING and not complaint.missing_content:
        raise Invalid(
            "reason",
            f"only a complaint about cross-border processing recorded without content Regulation 2025/2518 art 4(1) "
            f"lists is declared inadmissible for it, within two weeks of its receipt ({CONTENT_MISSING_RULE}); this "
            f"one lacks none",
        )
    if command.duplicate_of == complaint.complaint_id:
        raise Invalid("duplicate_of", "a complaint does not repeat itself")
    return [
        ComplaintAdmissibilityDecided(
            case_id=complaint.case_id,
            complaint_id=complaint.complaint_id,
            decision=command.decision,
            reason=command.reason,
            reasons=command.reasons,
            duplicate_of=command.duplicate_of,
            missing_content=complaint.missing_content if command.reason == CONTENT_MISSING else (),
            decided_on=command.decided_on,
        )
    ]


def transfer(case: CaseState, complaint: Complaint, command: TransferComplaints) -> list[Payload]:
    """Send a complaint to the authority competent for it, telling the complainant (code des relations entre le
    public et l'administration L114-2; for cross-border processing, the lead authority of GDPR Art 56). Before
    its handling began: a complaint already put to the controller or joined to the investigation stays here.
    The transfer ends it here; what the other authority does is the cooperation's exchange."""
    if complaint.status not in ("received", "admissible"):
        raise ComplaintRejected(case, complaint, "transfer the complaint")
    latest, what = complaint.latest_fact()
    not_before("transferred_on", command.transferred_on, latest, what)
    return [
        ComplaintTransferred(
            case_id=complaint.case_id,
            complaint_id=complaint.complaint_id,
            authority=command.authority,
            authority_country=command.authority_country,
            reasons=command.reasons,
            transferred_on=command.transferred_on,
        )
    ]
