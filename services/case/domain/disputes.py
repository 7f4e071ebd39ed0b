"""Dispute resolution by the Board (GDPR Art 65): an objection the lead authority does not follow (Art 65(1)(a)),
conflicting views on which authority leads (b), an opinion of the Board not asked for or not followed (c). The Board
decides within one month by a two-thirds majority, a month more where the subject is complex (Art 65(2)); failing
that, within two weeks following the expiration of the second month, by a simple majority (Art 65(3): the text
counts the two weeks from the second month, extended or not). While it decides, no authority concerned adopts a
decision on the subject matter (Art 65(4); cooperation.not_during_dispute). The final decision follows within one
month of the Board's notification (Art 65(6); one_stop_shop.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from docket_contracts.cooperation import BOARD, BoardDecisionReceived, BoardPeriodExtended, DisputeReferred
from docket_contracts.errors import Invalid
from docket_contracts.progress import add_months

from .cooperation import by, check_step, deadline, new_reference, not_before, not_during_dispute, running
from .cooperation_state import Deadline, Dispute, OneStopShop
from .refusals import Rejected
from .state import CaseState

# "within one month from the referral ... That period may be extended by a further month" (GDPR Art 65(2)); "within
# two weeks following the expiration of the second month" (Art 65(3)).
BOARD_MONTHS = 1
EXTENSION_MONTHS = 1
SIMPLE_MAJORITY_WEEKS = 2


def two_thirds_ends(dispute: Dispute) -> date:
    """The last day the Board decides by a two-thirds majority (Art 65(2))."""
    return add_months(dispute.opened_on, BOARD_MONTHS + (EXTENSION_MONTHS if dispute.extended_on else 0))


def simple_majority_ends(dispute: Dispute) -> date:
    """The last day the Board decides by a simple majority (Art 65(3))."""
    return add_months(dispute.opened_on, BOARD_MONTHS + EXTENSION_MONTHS) + timedelta(weeks=SIMPLE_MAJORITY_WEEKS)


def refer(state: CaseState, step: DisputeReferred, authorities: frozenset[str]) -> None:
    action = "refer a dispute to the Board"
    frame = check_step(state, step, action, authorities)
    new_reference(state, step)
    if step.authority != frame.lead and not frame.is_concerned(step.authority):
        raise Invalid("authority", f"{step.authority} neither leads nor is concerned (GDPR Art 65(1))")
    if step.ground != "65(1)(a)":
        return
    if step.concerning is None:
        raise Invalid("concerning", "name the one-stop-shop procedure whose objection is not followed (Art 65(1)(a))")
    found = state.cooperation.procedure(step.concerning)
    if not isinstance(found, OneStopShop) or not found.open:
        raise Invalid("concerning", f"the case has no running one-stop-shop procedure {step.concerning}")
    by(step, frame.lead, "the lead authority", "it submits the objection it does not follow, GDPR Art 60(4)")
    not_during_dispute(state, action, found.reference)
    if found.draft is None or not found.draft.objected:
        raise Rejected(state, action, f"no objection to the draft of {found.reference} awaits (GDPR Art 65(1)(a))")
    not_before("referred_on", step.referred_on, max(on for _, on in found.draft.objections), "the objection")


def extend(state: CaseState, step: BoardPeriodExtended, authorities: frozenset[str]) -> None:
    action = "record the Board's extension of its time"
    check_step(state, step, action, authorities)
    dispute = running(state, step, Dispute, action)
    by(step, BOARD, "the Board", "GDPR Art 65(2)")
    if dispute.extended_on is not None:
        raise Rejected(state, action, f"the Board extended it on {dispute.extended_on}: once (GDPR Art 65(2))")
    not_before("decided_on", step.decided_on, dispute.opened_on, "the referral")
    if step.decided_on > two_thirds_ends(dispute):
        raise Invalid("decided_on", f"{step.decided_on} is after the Board's month ({two_thirds_ends(dispute)})")


def decided(state: CaseState, step: BoardDecisionReceived, dispute: Dispute) -> None:
    """The Board's binding decision: by a two-thirds majority within its month (or two), by a simple majority
    after (GDPR Art 65(2)-(3))."""
    within = step.decided_on <= two_thirds_ends(dispute)
    if within != (step.majority == "two_thirds"):
        raise Invalid(
            "majority",
            f"the Board decides by a two-thirds majority until {two_thirds_ends(dispute)}, by a simple majority "
            "after (GDPR Art 65(2)-(3))",
        )
    not_before("decided_on", step.decided_on, dispute.opened_on, "the referral")


def deadlines(dispute: Dispute) -> list[Deadline]:
    return [
        deadline(dispute, "65(2)", BOARD, two_thirds_ends(dispute)),
        deadline(dispute, "65(3)", BOARD, simple_majority_ends(dispute)),
    ]
