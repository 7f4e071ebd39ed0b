"""Making a decision of the case public (a formal notice, a sanction, a reprimand, a liquidation of a penalty
payment) until a day when the controller's name is removed, also after the case closed; a decision the court
reformed made public again, once, in the same form; and withdrawing a publication."""

from __future__ import annotations

from uuid import UUID

from docket_contracts.errors import Invalid
from docket_contracts.events import Payload, PublicationAuthority, PublicationMade, PublicationWithdrawn

from .commands import PublishDecision, WithdrawPublication
from .refusals import Rejected, not_before, unpublishable
from .state import CaseState, Decision

PUBLISHERS: dict[PublicationAuthority, str] = {
    "bureau": "the bureau, at the President's request (loi 78-17 art 20 II)",
    "restricted_committee": "the restricted committee, whose measure it is (loi 78-17 art 22)",
}


def publish(state: CaseState, command: PublishDecision) -> list[Payload]:
    """A decision is made public by the authority the law names, on or after its day, until a later day when the
    controller's name is removed: a publication with no end is excessive (Conseil d'État, 28 September 2016,
    n° 389448)."""
    action = "make a decision public"
    if state.status == "none":
        raise Rejected(state, action)
    assert state.case_id is not None
    decision = next((d for d in state.publishable() if d.decision_id == command.decision_id), None)
    if decision is None:
        raise Invalid(
            "decision_id", f"the case has no formal notice, sanction, reprimand or liquidation {command.decision_id}"
        )
    if (why := unpublishable(state, decision)) is not None:
        raise Rejected(state, action, why)
    if any(p.publication_id == command.publication_id for p in state.publications):
        raise Invalid("publication_id", f"the case already has a publication {command.publication_id}")
    if command.decided_by != decision.publisher:
        raise Invalid("decided_by", f"a {decision.name} is made public by {PUBLISHERS[decision.publisher]}")
    not_before("published_on", command.published_on, decision.dated, decision.taken)
    if command.anonymised_on <= command.published_on:
        raise Invalid(
            "anonymised_on",
            f"{command.anonymised_on} is not after the day it is made public ({command.published_on}): a publication "
            f"sets the day the controller's name is removed (Conseil d'État, 28 September 2016, n° 389448)",
        )
    republishes = _republication(state, decision, command)
    return [
        PublicationMade(
            case_id=state.case_id,
            publication_id=command.publication_id,
            decision=decision.kind,
            decision_id=decision.decision_id,
            decision_dated=decision.dated,
            published_on=command.published_on,
            decided_by=command.decided_by,
            anonymised_on=command.anonymised_on,
            republishes=republishes,
        )
    ]


def _republication(state: CaseState, decision: Decision, command: PublishDecision) -> UUID | None:
    """The publication a reformed decision's new one follows, if it was public before the court reformed it: the
    new one is in the same form, its name removed on the same day (the Conseil d'État orders its own decision
    published « dans les mêmes conditions que la délibération », 23 December 2025)."""
    earlier = next((p for p in state.publications if p.decision_id == decision.decision_id), None)
    if earlier is None:
        return None
    assert decision.reformed_on is not None  # unpublishable() refuses a second publication of any other
    not_before("published_on", command.published_on, decision.reformed_on, f"the court reformed the {decision.name}")
    if earlier.anonymised_on is not None and command.anonymised_on != earlier.anonymised_on:
        raise Invalid(
            "anonymised_on",
            f"a reformed decision is made public in the same form as before: the name removed on "
            f"{earlier.anonymised_on}",
        )
    return earlier.publication_id


def withdraw(state: CaseState, command: WithdrawPublication) -> list[Payload]:
    """A publication is withdrawn by the authority that decided it, while the case is open or after it closed,
    once, and not before it was made."""
    action = "withdraw a publication"
    if state.status == "none":
        raise Rejected(state, action)
    assert state.case_id is not None
    publication = next((p for p in state.publications if p.publication_id == command.publication_id), None)
    if publication is None:
        raise Invalid("publication_id", f"the case has no publication {command.publication_id}")
    if publication.withdrawn_on is not None:
        raise Rejected(state, action, f"it was withdrawn on {publication.withdrawn_on}")
    if command.decided_by != publication.decided_by:
        raise Invalid("decided_by", f"the publication was decided by {PUBLISHERS[publication.decided_by]}")
    not_before(
        "withdrawn_on",
        command.withdrawn_on,
        publication.published_on,
        f"the {publication.decision.replace('_', ' ')} was made public",
    )
    return [
        PublicationWithdrawn(
            case_id=state.case_id,
            publication_id=publication.publication_id,
            decision=publication.decision,
            decision_id=publication.decision_id,
            withdrawn_on=command.withdrawn_on,
            reasons=command.reasons,
        )
    ]
