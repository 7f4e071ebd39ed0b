"""Closing a case with its outcome, once every step its decisions opened is done."""

from __future__ import annotations

from docket_contracts.events import CaseClosed, Payload

from .commands import CloseCase
from .refusals import Rejected, not_before
from .state import CaseState


def close(state: CaseState, command: CloseCase) -> list[Payload]:
    action = f"close the case as {command.outcome.replace('_', ' ')}"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    if (appeal := state.pending_appeal) is not None:
        raise Rejected(
            state,
            action,
            f"the appeal against the {appeal.decision} lodged on {appeal.lodged_on} awaits the court's ruling",
        )
    if command.outcome == "complied" and state.status != "notice_complied":
        raise Rejected(state, action, "compliance with a formal notice has not been recorded")
    if command.outcome == "sanctioned":
        if state.status != "sanctioned":
            raise Rejected(state, action, "no sanction has been imposed")
        if any(
            s.awaits_notification and s.injunction and s.injunction.daily_penalty_eur and s.stopped_on is None
            for s in state.standing_sanctions
        ):
            raise Rejected(
                state,
                action,
                "the injunction's deadline runs from the decision's notification, which has not been recorded",
            )
        enforced = next((s for s in state.standing_sanctions if s.under_enforcement), None)
        if enforced is not None:
            raise Rejected(
                state,
                action,
                f"the injunction of the sanction of {enforced.decided_on} is neither complied with nor ended: the "
                f"case stays open under enforcement, its penalty running until compliance is recorded or a decision "
                f"ends it",
            )
        owed = next((s for s in state.standing_sanctions if s.penalty_owed), None)
        if owed is not None:
            pending = owed.pending_liquidation
            raise Rejected(
                state,
                action,
                f"the liquidation opened on {pending.opened_on} awaits its decision"
                if pending
                else f"the periodic penalty payment accrued up to {owed.stopped_on} has not all been liquidated "
                f"(décret 2019-536 art 44)",
            )
    if command.outcome == "reprimanded" and state.status != "reprimanded":
        raise Rejected(state, action, "no reprimand has been issued")
    if command.outcome == "warned" and state.status != "warned":
        raise Rejected(state, action, "no warning has been issued")
    if command.outcome in ("dismissed", "no_infringement") and state.status in (
        "warned",
        "notice_complied",
        "sanctioned",
        "reprimanded",
    ):
        raise Rejected(state, action, "the case already has a decision")
    latest = state.latest_fact()
    if latest is not None:
        not_before("closed_on", command.closed_on, latest[0], latest[1])
    assert state.case_id is not None
    return [
        CaseClosed(case_id=state.case_id, outcome=command.outcome, reasons=command.reasons, closed_on=command.closed_on)
    ]
