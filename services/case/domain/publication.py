"""Making a decision of the case public (a formal notice, a sanction, a reprimand), once, unless it was taken
under the simplified procedure or annulled; and withdrawing the publication, even after the case closed."""

from __future__ import annotations

from docket_contracts.errors import Invalid
from docket_contracts.events import Payload, PublicationMade, PublicationWithdrawn

from .commands import PublishDecision, WithdrawPublication
from .refusals import Rejected, not_before, unpublishable
from .state import CaseState


def publish(state: CaseState, command: PublishDecision) -> list[Payload]:
    action = "make a decision public"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    assert state.case_id is not None
    decision = next((d for d in state.decisions() if d.decision_id == command.decision_id), None)
    if decision is None:
        raise Invalid("decision_id", f"the case has no formal notice, sanction or reprimand {command.decision_id}")
    if (why := unpublishable(state, decision)) is not None:
        raise Rejected(state, action, why)
    if any(p.publication_id == command.publication_id for p in state.publications):
        raise Invalid("publication_id", f"the case already has a publication {command.publication_id}")
    not_before("published_on", command.published_on, decision.dated, decision.taken)
    return [
        PublicationMade(
            case_id=state.case_id,
            publication_id=command.publication_id,
            decision=decision.kind,
            decision_id=decision.decision_id,
            decision_dated=decision.dated,
            published_on=command.published_on,
        )
    ]


def withdraw(state: CaseState, command: WithdrawPublication) -> list[Payload]:
    """A publication is withdrawn while the case is open or after it closed, once, and not before it was made."""
    action = "withdraw a publication"
    if state.status == "none":
        raise Rejected(state, action)
    assert state.case_id is not None
    publication = next((p for p in state.publications if p.publication_id == command.publication_id), None)
    if publication is None:
        raise Invalid("publication_id", f"the case has no publication {command.publication_id}")
    if publication.withdrawn_on is not None:
        raise Rejected(state, action, f"it was withdrawn on {publication.withdrawn_on}")
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
