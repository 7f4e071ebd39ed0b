"""The authorities working together on a case (GDPR Chapter VII): the frame of the case, and what every procedure
shares: who may name which authority, how a step finds its procedure, withdrawal, the deadlines the procedures keep
open and what the timer finds when one passes, and the one rule that holds a decision back while the Board decides.

A step is taken here (its `authority` is this authority's) or reported by another authority's message; both are
decided by the same rules. The procedures, a module each: local_case.py (Art 56(3)-(5)), one_stop_shop.py (Art 60
and Regulation 2025/2518's time limits), key_issues.py (the lead's summary of key issues and the comments on it,
2025/2518 art 10), parties.py (the parties' right to be heard, access to the file), assistance.py (Arts 61 and 62),
disputes.py (Art 65), urgency.py (Art 66), transmission.py (a cross-border complaint lodged here); the deadlines
they keep open and what the timer finds, cooperation_deadlines.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

from docket_contracts.cooperation import (
    BOARD,
    CooperationFrameRecorded,
    ProcedureWithdrawn,
    Step,
)
from docket_contracts.errors import Invalid

from .cooperation_state import (
    AnyProcedure,
    Assistance,
    CrossBorderComplaint,
    Deadline,
    Dispute,
    Frame,
    JointOperation,
    LocalCase,
    OneStopShop,
    Urgency,
)
from .refusals import Rejected
from .state import CaseState

P = TypeVar("P", LocalCase, OneStopShop, Assistance, JointOperation, Dispute, Urgency, CrossBorderComplaint)

# Regulation 2025/2518 applies to complaints lodged, and investigations opened ex officio, after 2 April 2027 (art 36,
# as reported: the Official Journal text was not read). Before, no time limit of its own runs.
REGULATION_2025_2518_AFTER = date(2027, 4, 2)


def in_scope(began_on: date) -> bool:
    """Whether Regulation 2025/2518's procedure applies to what began on `began_on` (art 36, as reported)."""
    return began_on > REGULATION_2025_2518_AFTER


def weeks(start: date, count: int) -> date:
    """The last day of `count` weeks counted from `start`."""
    return start + timedelta(weeks=count)


# --- the frame --------------------------------------------------------------------------------------------------


def record_frame(state: CaseState, step: CooperationFrameRecorded, own: str, authorities: frozenset[str]) -> None:
    """Refuse a frame that does not hold together: this authority records its own; a cross-border case names its
    basis (Art 4(23)); a one-stop shop names its lead, and a case without one does not (Arts 3(2), 55(2), 56(1));
    this authority's role agrees with the lead and the authorities concerned (Art 4(22))."""
    if step.authority != own:
        raise Invalid("authority", f"{step.authority} is not this authority ({own}): each authority records its frame")
    names = [step.lead] if step.lead else []
    for field, authority in [("lead", a) for a in names] + [("concerned", c.authority) for c in step.concerned]:
        known(field, authority, authorities)
    if step.cross_border != (step.basis is not None):
        raise Invalid("basis", "a cross-border case names its basis, (a) or (b) of GDPR Art 4(23), and only one does")
    if step.cross_border and step.establishment == "none_in_union":
        raise Invalid(
            "cross_border",
            "cross-border processing is processing in the context of establishments in the Union (GDPR Art 4(23)): a "
            "controller with none there has none, however many Member States it affects (Art 3(2)); each authority "
            "acts on its own territory and cooperates under Art 61",
        )
    if step.establishment != "none_in_union" and step.establishment_state is None:
        raise Invalid("establishment_state", "name the Member State of the controller's establishment (Art 4(16))")
    one_stop_shop = step.cross_border and step.establishment != "none_in_union" and not step.public_interest
    if one_stop_shop and step.lead is None:
        raise Invalid("lead", "the authority of the main or single establishment leads (GDPR Art 56(1))")
    if not one_stop_shop and step.lead is not None:
        raise Invalid("lead", f"no authority leads: {_no_one_stop_shop(step)}")
    if step.lead is not None and any(c.authority == step.lead for c in step.concerned):
        raise Invalid("concerned", f"{step.lead} leads; the authorities concerned are the others (Art 4(22))")
    if len({c.authority for c in step.concerned}) != len(step.concerned):
        raise Invalid("concerned", "each authority concerned is named once")
    _role_agrees(step, own)


def _no_one_stop_shop(step: CooperationFrameRecorded) -> str:
    if step.establishment == "none_in_union":
        return "the controller has no establishment in the Union (GDPR Art 3(2)): each authority acts on its territory"
    if step.public_interest:
        return "Art 56 does not apply to processing in the public interest (GDPR Art 55(2))"
    return "the processing is not cross-border (GDPR Art 4(23))"


def _role_agrees(step: CooperationFrameRecorded, own: str) -> None:
    concerned = any(c.authority == own for c in step.concerned)
    if step.role == "lead" and step.lead != own:
        raise Invalid("role", f"this authority leads only where it is the lead named ({step.lead})")
    if step.role == "concerned" and not concerned:
        raise Invalid("role", f"name {own} among the authorities concerned, with its reason (GDPR Art 4(22))")
    if step.role == "not_concerned" and (concerned or step.lead == own):
        raise Invalid("role", f"{own} is named as lead or concerned")


def frame_of(state: CaseState, action: str) -> Frame:
    """The case's frame; a step of a procedure waits for it."""
    frame = state.cooperation.frame
    if frame is None:
        raise Rejected(state, action, "record the case's cooperation frame first (GDPR Arts 4(23), 56)")
    return frame


def one_stop_shop(state: CaseState, action: str) -> Frame:
    """The frame of a case where a lead authority acts (Art 56(1)); a case without one refuses the step."""
    frame = frame_of(state, action)
    if not frame.one_stop_shop:
        why = (
            "the controller has no establishment in the Union (GDPR Art 3(2)): there is no one-stop shop, each "
            "authority acts on its own territory and cooperates under Art 61"
            if frame.establishment == "none_in_union"
            else "the case has no one-stop shop (GDPR Arts 55(2), 56(1))"
        )
        raise Rejected(state, action, why)
    return frame


# --- authorities and procedures ---------------------------------------------------------------------------------


def known(field: str, authority: str, authorities: frozenset[str]) -> None:
    """Refuse an authority the directory of authorities does not name (the Board always is)."""
    if authority != BOARD and authority not in authorities:
        raise Invalid(field, f"{authority} is not in the directory of authorities")


def check_step(state: CaseState, step: Step, action: str, authorities: frozenset[str]) -> Frame:
    """What every step needs: an open case with its frame, and an authority the directory names."""
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    known("authority", step.authority, authorities)
    return frame_of(state, action)


def concerned(frame: Frame, authority: str, what: str) -> None:
    """Refuse `authority` unless it is concerned by the case (GDPR Art 4(22))."""
    if not frame.is_concerned(authority):
        raise Invalid("authority", f"{authority} is not an authority concerned by the case (GDPR Art 4(22)): {what}")


def by(step: Step, authority: str | None, who: str, rule: str) -> None:
    """Refuse a step not taken by the authority the rule gives it to."""
    if step.authority != authority:
        raise Invalid("authority", f"{who} ({authority}) takes this step, not {step.authority} ({rule})")


def new_reference(state: CaseState, step: Step) -> None:
    if state.cooperation.procedure(step.cooperation_reference) is not None:
        raise Invalid("cooperation_reference", f"the case already has a procedure {step.cooperation_reference}")


def running(state: CaseState, step: Step, kind: type[P], action: str) -> P:
    """The open procedure of `kind` the step names; refused if it is of another kind, or has ended."""
    found = state.cooperation.procedure(step.cooperation_reference)
    if not isinstance(found, kind):
        raise Invalid(
            "cooperation_reference", f"the case has no {kind.__name__} procedure {step.cooperation_reference}"
        )
    if not found.open:
        raise Rejected(state, action, f"the procedure {found.reference} ended on {found.ended_on} ({found.ending})")
    return found


def not_before(field: str, day: date, earliest: date, what: str) -> None:
    if day < earliest:
        raise Invalid(field, f"{day} is before {what} ({earliest})")


def withdraw(state: CaseState, step: ProcedureWithdrawn, authorities: frozenset[str]) -> None:
    """The authority that opened a procedure withdraws it while it runs."""
    action = "withdraw a procedure"
    check_step(state, step, action, authorities)
    found = state.cooperation.procedure(step.cooperation_reference)
    if found is None:
        raise Invalid("cooperation_reference", f"the case has no procedure {step.cooperation_reference}")
    if not found.open:
        raise Rejected(state, action, f"the procedure {found.reference} ended on {found.ended_on} ({found.ending})")
    by(step, found.opened_by, "the authority that opened it", "it withdraws its own request, draft or referral")
    not_before("withdrawn_on", step.withdrawn_on, found.opened_on, "the procedure opened")


def not_during_dispute(state: CaseState, action: str, concerning: str | None = None) -> None:
    """No authority concerned adopts a decision on the subject matter while the Board decides it (GDPR Art 65(4)):
    a dispute on the procedure `concerning`, or, without one, any dispute of the case."""
    for dispute in state.cooperation.running_disputes():
        if concerning is None or dispute.concerning in (None, concerning):
            raise Rejected(
                state,
                action,
                f"the dispute {dispute.reference} referred to the Board on {dispute.opened_on} runs: no decision on "
                "its subject matter until the Board's (GDPR Art 65(4))",
            )


# --- deadlines ---------------------------------------------------------------------------------------------------


def deadline(procedure: AnyProcedure, kind: str, authority: str, last_day: date, key: str = "") -> Deadline:
    """A deadline looked at the day after its last day, found once under its key: by default its kind and last day,
    so that a deadline moved is a new one."""
    key = f"{procedure.reference}|{key or passed_key(kind, last_day)}"
    return Deadline(key, procedure.reference, kind, authority, last_day, last_day + timedelta(days=1))


def warning(procedure: AnyProcedure, kind: str, authority: str, last_day: date, days_before: int) -> Deadline:
    """A warning looked at `days_before` the last day of a deadline."""
    key = f"{procedure.reference}|{passed_key(kind, last_day, warning=True)}"
    fires_on = last_day - timedelta(days=days_before)
    return Deadline(key, procedure.reference, kind, authority, last_day, fires_on, warning=True)


def passed_key(kind: str, last_day: date, warning: bool = False) -> str:
    """The key a deadline (or its warning) is found under, within its procedure."""
    return f"{kind}|{last_day.isoformat()}" + ("|warning" if warning else "")
