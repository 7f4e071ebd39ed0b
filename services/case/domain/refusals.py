"""What a case allows next, and how a command is refused: Rejected when it does not fit the case's state (it
names the steps the case allows), Invalid when one of its values breaks a rule (it names the field and the rule).
"""

from __future__ import annotations

from datetime import date

from docket_contracts.errors import Invalid

from .state import CaseState, Decision, Proceedings, Status

NEXT_STEPS: dict[Status, tuple[str, ...]] = {
    "none": ("open the case from a complaint",),
    "open": ("open an investigation", "link a complaint", "close as dismissed or no infringement"),
    "investigating": (
        "record a check",
        "record a finding",
        "issue a warning",
        "issue a formal notice",
        "refer the case to the restricted committee",
        "link a complaint",
        "close as dismissed or no infringement",
    ),
    "formal_notice": (
        "record a check",
        "record compliance with the formal notice",
        "record the notice's notification",
        "extend the notice's time limit",
        "link a complaint",
        "close as dismissed or no infringement",
    ),
    "warned": ("close as warned", "link a complaint"),
    "notice_complied": ("close as complied", "link a complaint"),
    "notice_expired": (
        "record a check",
        "refer the case to the restricted committee",
        "record compliance dated by the deadline",
        "link a complaint",
        "close as dismissed or no infringement",
    ),
    "before_committee": ("record a check", "link a complaint", "close as dismissed or no infringement"),
    "sanctioned": (
        "record the decision's notification",
        "record compliance with the injunction",
        "end the injunction",
        "open a liquidation of the penalty payment",
        "link a complaint",
        "close as sanctioned",
    ),
    "reprimanded": ("link a complaint", "close as reprimanded"),
    "closed": (),
}


class Rejected(Exception):
    """A command that does not fit the case's current state (HTTP 409)."""

    def __init__(self, state: CaseState, action: str, why: str = "") -> None:
        allowed = "; ".join(next_steps(state)) or "none, the case is closed"
        reason = f" ({why})" if why else ""
        super().__init__(
            f"cannot {action}: the case is {state.status.replace('_', ' ')}{reason}; allowed next steps: {allowed}"
        )
        self.state = state


def next_steps(state: CaseState) -> tuple[str, ...]:
    """What the case allows now: the steps of its status, and those its decisions open. A decision may be made
    public, and a publication withdrawn, even after the case closed."""
    steps = NEXT_STEPS[state.status]
    if state.status == "before_committee" and (proceedings := state.current_proceedings) is not None:
        steps = _before_committee(proceedings) + steps
    if any(s.pending_liquidation for s in state.standing_sanctions):
        steps = ("record the observations on the liquidation", "decide the liquidation", *steps)
    if state.status != "none" and any(unpublishable(state, d) is None for d in state.publishable()):
        steps += ("make a decision public",)
    if any(p.withdrawn_on is None for p in state.publications):
        steps += ("withdraw a publication",)
    standing = state.standing_decision()
    if standing is not None and not any(a.decision_id == standing.decision_id for a in state.appeals):
        steps += ("record an appeal",)
    if state.pending_appeal is not None:
        steps += ("record the court's ruling",)
    return steps


def _before_committee(proceedings: Proceedings) -> tuple[str, ...]:
    """The steps of the restricted committee's procedure the case is ready for (proceedings.py)."""
    steps: list[str] = []
    if proceedings.report_notified_on is None:
        steps.append("notify the rapporteur's report")
    else:
        steps.append("record the controller's access to the file")
        if proceedings.observations_on is None:
            steps += ["record the controller's observations", "extend the time limit for observations"]
        elif proceedings.answered_on is None:
            steps.append("record the rapporteur's answer")
        elif proceedings.replied_on is None:
            steps.append("record the controller's reply")
        if proceedings.hearing is None:
            steps.append("summon the controller to a hearing")
            if proceedings.hearing_on is not None:
                steps.append("record the hearing")
        if proceedings.hearing is not None or (
            proceedings.procedure == "simplified" and proceedings.hearing_on is None
        ):
            steps += ["impose a sanction", "issue a reprimand"]
    if proceedings.procedure == "simplified":
        steps.append("interrupt the simplified procedure")
    return tuple(steps)


# Docket makes no decision of the simplified procedure public; it did so before the procedure was checked against
# the texts, and whether loi 78-17 art 22-1 says so was not found in the copies of the text that could be read. The
# rule stays, named, until that text is checked.
SIMPLIFIED_DECISIONS_PUBLIC = False


def unpublishable(state: CaseState, decision: Decision) -> str | None:
    """Why `decision` may not be made public, or None when it may: once, or once more after the court reformed it
    if it was public before."""
    if decision.procedure == "simplified" and not SIMPLIFIED_DECISIONS_PUBLIC:
        return (
            f"the {decision.name} was taken under the simplified procedure, whose decisions Docket does not make public"
        )
    if decision.annulled_on is not None:
        return f"the court annulled the {decision.name} on {decision.annulled_on}"
    made = [p for p in state.publications if p.decision_id == decision.decision_id]
    if len(made) > 1:
        return f"the {decision.name} was made public again on {made[-1].published_on}, as the court reformed it"
    if made and (decision.reformed_on is None or made[0].published_on >= decision.reformed_on):
        return f"the {decision.name} was made public on {made[0].published_on}"
    return None


def require(state: CaseState, action: str, *allowed: Status) -> None:
    """Refuse `action` unless the case is in one of the `allowed` statuses."""
    if state.status not in allowed:
        raise Rejected(state, action)


def not_before(field_name: str, day: date, earliest: date | None, what: str) -> None:
    """Refuse `day` if it precedes `earliest`, the day on which `what` happened; the error names both days."""
    if earliest is not None and day < earliest:
        raise Invalid(field_name, f"{day} is before {what} ({earliest})")
