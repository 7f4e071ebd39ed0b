"""An appeal before the Conseil d'État against the sanction or reprimand the case stands on, and the court's
ruling: dismissed, the decision annulled, or the fine reduced."""

from __future__ import annotations

from docket_contracts.errors import Invalid
from docket_contracts.events import AppealDecided, AppealLodged, Payload

from .commands import LodgeAppeal, RecordRuling
from .refusals import Rejected, not_before
from .state import CaseState


def lodge(state: CaseState, command: LodgeAppeal) -> list[Payload]:
    """The controller appeals the sanction or reprimand the case stands on, once, on or after its day."""
    action = "record an appeal"
    standing = state.standing_decision()
    if standing is None:
        raise Rejected(state, action, "no sanction or reprimand stands to appeal")
    assert state.case_id is not None and standing.kind != "formal_notice"
    appealable = {d.decision_id: d for d in state.decisions() if d.kind != "formal_notice"}
    if command.decision_id not in appealable:
        raise Invalid("decision_id", f"the case has no sanction or reprimand {command.decision_id}")
    if command.decision_id != standing.decision_id:
        annulled = appealable[command.decision_id].annulled_on
        raise Rejected(state, action, f"the court annulled that {appealable[command.decision_id].name} on {annulled}")
    lodged = next((a for a in state.appeals if a.decision_id == standing.decision_id), None)
    if lodged is not None:
        raise Rejected(state, action, f"an appeal against the {standing.name} was lodged on {lodged.lodged_on}")
    if any(a.appeal_id == command.appeal_id for a in state.appeals):
        raise Invalid("appeal_id", f"the case already has an appeal {command.appeal_id}")
    not_before("lodged_on", command.lodged_on, standing.dated, standing.taken)
    return [
        AppealLodged(
            case_id=state.case_id,
            appeal_id=command.appeal_id,
            decision=standing.kind,
            decision_id=standing.decision_id,
            decision_dated=standing.dated,
            lodged_on=command.lodged_on,
        )
    ]


def record_ruling(state: CaseState, command: RecordRuling) -> list[Payload]:
    """The court's ruling on an appeal, once, on or after the appeal was lodged. Only a sanction's fine can be
    reduced, and only below what it was."""
    action = "record the court's ruling"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    assert state.case_id is not None
    appeal = next((a for a in state.appeals if a.appeal_id == command.appeal_id), None)
    if appeal is None:
        raise Invalid("appeal_id", f"the case has no appeal {command.appeal_id}")
    if appeal.decided_on is not None:
        raise Rejected(state, action, f"the court ruled on {appeal.decided_on}: the appeal was {appeal.outcome}")
    not_before("decided_on", command.decided_on, appeal.lodged_on, "the appeal was lodged")
    if command.outcome == "fine_reduced":
        if appeal.decision != "sanction":
            raise Invalid("outcome", "a reprimand imposes no fine to reduce")
        fine = next(s.fine_eur for s in state.sanctions if s.sanction_id == appeal.decision_id)
        if command.fine_eur is None:
            raise Invalid("fine_eur", "give the fine as the court reduced it")
        if command.fine_eur >= fine:
            raise Invalid(
                "fine_eur", f"EUR {command.fine_eur:,} is not below the fine the sanction imposed (EUR {fine:,})"
            )
    elif command.fine_eur is not None:
        raise Invalid("fine_eur", "only a ruling that reduces the fine sets one")
    decision = next(d for d in state.decisions() if d.decision_id == appeal.decision_id)
    return [
        AppealDecided(
            case_id=state.case_id,
            appeal_id=appeal.appeal_id,
            decision=appeal.decision,
            decision_id=appeal.decision_id,
            decision_dated=decision.dated,
            decided_on=command.decided_on,
            outcome=command.outcome,
            fine_eur=command.fine_eur,
        )
    ]
