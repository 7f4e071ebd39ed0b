"""The deadlines the case's cooperation procedures keep open, and what the timer finds on a day: an agreement
deemed when an authority's time to object ran out in silence (GDPR Art 60(6)), a deadline near (a week before,
for a warning) or passed. The timer decides nothing else: a deadline the GDPR gives no consequence (Art 56(3)) is
only marked.

The read side keeps a timer per open deadline (its key, the day to look), and looks at the case that day.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from docket_contracts.cooperation import DeadlineKind, DeadlineNear, DeadlinePassed, DraftDeemedAgreed
from docket_contracts.events import Payload

from . import assistance, disputes, local_case, one_stop_shop, parties, transmission, urgency
from .commands import LapseCooperation
from .cooperation_state import (
    AnyProcedure,
    Assistance,
    CrossBorderComplaint,
    Deadline,
    Dispute,
    JointOperation,
    LocalCase,
    OneStopShop,
    Urgency,
)
from .state import CaseState

# The deadlines of an authority's time to object: each, when it runs out in silence, an agreement deemed.
OBJECTION_WINDOWS = ("60(4)", "60(5)")


def deadlines(state: CaseState) -> list[Deadline]:
    """Every deadline the case's procedures keep open (the step it waits for not taken), each marked passed once the
    timer found it."""
    found: list[Deadline] = []
    for procedure in state.cooperation.procedures:
        if procedure.open:
            found += [replace(d, passed=d.key in procedure.passed) for d in _kept_open(procedure)]
    return found


def _kept_open(procedure: AnyProcedure) -> list[Deadline]:
    match procedure:
        case LocalCase():
            return local_case.deadlines(procedure)
        case OneStopShop():
            return one_stop_shop.deadlines(procedure) + parties.deadlines(procedure)
        case Assistance() | JointOperation():
            return assistance.deadlines(procedure)
        case Dispute():
            return disputes.deadlines(procedure)
        case Urgency():
            return urgency.deadlines(procedure)
        case CrossBorderComplaint():
            return transmission.deadlines(procedure)
    raise TypeError(f"unknown procedure {procedure!r}")


def lapse(state: CaseState, command: LapseCooperation) -> list[Payload]:
    """What the timer finds on `command.today`: each open deadline whose day to look has come."""
    if state.case_id is None:
        return []
    found: list[Payload] = []
    for due in deadlines(state):
        if due.passed or due.fires_on > command.today:
            continue
        common = {"case_id": state.case_id, "cooperation_reference": due.reference, "authority": due.authority}
        if due.kind in OBJECTION_WINDOWS:
            draft = int(due.key.split("|")[2])
            found.append(DraftDeemedAgreed(**common, draft=draft, window_ended=due.last_day, detected_at=command.now))
        elif due.warning:
            found.append(
                DeadlineNear(
                    **common, deadline=cast(DeadlineKind, due.kind), last_day=due.last_day, detected_at=command.now
                )
            )
        else:
            found.append(
                DeadlinePassed(
                    **common, deadline=cast(DeadlineKind, due.kind), last_day=due.last_day, detected_at=command.now
                )
            )
    return found
