"""The urgency procedure (GDPR Art 66): in exceptional circumstances an authority concerned adopts provisional
measures on its territory, valid three months at most (Art 66(1)); where final measures are urgently needed it asks
the Board for an urgent opinion or an urgent binding decision (Art 66(2)-(3)), which the Board adopts within two
weeks by a simple majority (Art 66(4)). A measure adopted after a request for assistance or to take part in a joint
operation went a month unanswered presumes the urgency and requires an urgent binding decision (Art 61(8), 62(7)).

Regulation 2025/2518 adds that the request is made at least four weeks before the provisional measures expire
(chapter VI, as reported; the Official Journal text was not read; applied to measures adopted after 2 April 2027,
art 36 as reported being cut off where it says which urgency procedures it covers).
"""

from __future__ import annotations

from datetime import timedelta

from docket_contracts.cooperation import BOARD, BoardDecisionReceived, ProvisionalMeasureAdopted, UrgentRequestMade
from docket_contracts.errors import Invalid
from docket_contracts.progress import add_months

from .assistance import answer_due
from .cooperation import by, check_step, deadline, in_scope, new_reference, not_before, running
from .cooperation_state import Assistance, Deadline, JointOperation, Urgency
from .refusals import Rejected
from .state import CaseState

# "a specified period of validity which shall not exceed three months" (GDPR Art 66(1)).
MEASURE_MONTHS = 3
# "within two weeks by simple majority" (GDPR Art 66(4)).
BOARD_WEEKS = 2
# A request "no later than four weeks prior to the expiry of provisional measures" (Regulation 2025/2518 chapter VI,
# as reported).
REQUEST_WEEKS_BEFORE_EXPIRY = 4


def adopt_measure(state: CaseState, step: ProvisionalMeasureAdopted, authorities: frozenset[str]) -> None:
    action = "record a provisional measure"
    frame = check_step(state, step, action, authorities)
    new_reference(state, step)
    if step.authority != frame.lead and not frame.is_concerned(step.authority):
        raise Invalid("authority", f"{step.authority} is not an authority concerned (GDPR Art 66(1))")
    longest = add_months(step.adopted_on, MEASURE_MONTHS)
    if step.expires_on > longest:
        raise Invalid(
            "expires_on",
            f"{step.expires_on} is after {longest}: a provisional measure is valid three months at most (GDPR Art "
            "66(1))",
        )
    if step.expires_on <= step.adopted_on:
        raise Invalid("expires_on", "a provisional measure is valid for a period after the day it is adopted")
    if step.basis != "66(1)":
        _unanswered(state, step)


def _unanswered(state: CaseState, step: ProvisionalMeasureAdopted) -> None:
    """A measure under Art 61(8) or 62(7): the request it follows went a month unanswered."""
    kind = Assistance if step.basis == "61(8)" else JointOperation
    rule = f"GDPR Art {step.basis}"
    request = state.cooperation.procedure(step.concerning or "")
    if not isinstance(request, kind) or not request.open:
        raise Invalid("concerning", f"name the unanswered request the measure follows ({rule})")
    if isinstance(request, JointOperation) and request.request != "participation_request":
        raise Invalid("concerning", f"a measure follows an unanswered request to take part ({rule})")
    by(step, request.opened_by, "the authority that made the request", rule)
    assert request.received_on is not None
    due = answer_due(request.received_on)
    if step.adopted_on <= due:
        raise Invalid(
            "adopted_on", f"the request may be answered until {due}: a measure follows a month unanswered ({rule})"
        )


def request_board(state: CaseState, step: UrgentRequestMade, authorities: frozenset[str]) -> None:
    action = "ask the Board for an urgent opinion or decision"
    frame = check_step(state, step, action, authorities)
    urgency = running(state, step, Urgency, action)
    if step.authority != frame.lead and not frame.is_concerned(step.authority):
        raise Invalid("authority", f"{step.authority} is not an authority concerned (GDPR Art 66(2)-(3))")
    if urgency.requested_on is not None:
        raise Rejected(state, action, f"the Board was asked on {urgency.requested_on}")
    if urgency.basis != "66(1)" and step.asks != "binding_decision":
        raise Invalid(
            "asks", f"a measure under Art {urgency.basis} requires an urgent binding decision (GDPR Art 66(2))"
        )
    not_before("requested_on", step.requested_on, urgency.opened_on, "the measure was adopted")
    assert urgency.expires_on is not None
    latest = urgency.expires_on - timedelta(weeks=REQUEST_WEEKS_BEFORE_EXPIRY)
    if in_scope(urgency.opened_on) and step.requested_on > latest:
        raise Invalid(
            "requested_on",
            f"{step.requested_on} is after {latest}: the request is made at least four weeks before the measure "
            f"expires on {urgency.expires_on} (Regulation 2025/2518 chapter VI, as reported)",
        )
    if step.requested_on > urgency.expires_on:
        raise Invalid("requested_on", f"the measure expired on {urgency.expires_on}")


def decided(state: CaseState, step: BoardDecisionReceived, urgency: Urgency) -> None:
    if urgency.requested_on is None:
        raise Rejected(state, "record the Board's urgent decision", "the Board was not asked (GDPR Art 66(2))")
    if step.majority != "simple":
        raise Invalid("majority", "the Board adopts an urgent opinion or decision by a simple majority (Art 66(4))")
    not_before("decided_on", step.decided_on, urgency.requested_on, "the request")


def deadlines(urgency: Urgency) -> list[Deadline]:
    assert urgency.expires_on is not None
    found = [deadline(urgency, "66(1)", urgency.opened_by, urgency.expires_on)]
    if urgency.requested_on is not None and urgency.board_decided_on is None:
        found.append(deadline(urgency, "66(4)", BOARD, urgency.requested_on + timedelta(weeks=BOARD_WEEKS)))
    return found
