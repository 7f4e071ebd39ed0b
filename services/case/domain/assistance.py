"""Mutual assistance (GDPR Art 61) and joint operations (Art 62). A request names its purpose and reasons (Art
61(3)); the requested authority answers within one month of receiving it (Art 61(2)), and refuses only where it is
not competent or complying would infringe the law (Art 61(4)). After a month without an answer the requesting
authority may adopt a provisional measure on its territory, the urgent need to act presumed (Art 61(8); urgency.py).
A request to take part in a joint operation is answered within one month too, else the same follows (Art 62(7));
an invitation has no time for its answer in the text (Art 62(2)).
"""

from __future__ import annotations

from datetime import date

from docket_contracts.cooperation import (
    AssistanceAnswered,
    AssistanceRequested,
    JointOperationAnswered,
    JointOperationRequested,
)
from docket_contracts.errors import Invalid
from docket_contracts.progress import add_months

from .cooperation import by, check_step, deadline, known, new_reference, not_before, running
from .cooperation_state import Assistance, Deadline, JointOperation
from .state import CaseState

# "without undue delay and no later than one month after receiving the request" (GDPR Art 61(2)); a request to take
# part in a joint operation, "within one month" (Art 62(7)).
ANSWER_MONTHS = 1


def answer_due(received_on: date) -> date:
    """The last day to answer a request received on `received_on`."""
    return add_months(received_on, ANSWER_MONTHS)


def request(state: CaseState, step: AssistanceRequested, authorities: frozenset[str]) -> None:
    check_step(state, step, "request mutual assistance", authorities)
    new_reference(state, step)
    known("requested", step.requested, authorities)
    if step.requested == step.authority:
        raise Invalid("requested", "an authority requests assistance of another")


def answer(state: CaseState, step: AssistanceAnswered, authorities: frozenset[str]) -> None:
    action = "record the answer to a request for mutual assistance"
    check_step(state, step, action, authorities)
    asked = running(state, step, Assistance, action)
    by(step, asked.requested, "the requested authority", "GDPR Art 61(2)")
    assert asked.received_on is not None
    not_before("answered_on", step.answered_on, asked.received_on, "the request was received")
    if step.outcome == "refused" and step.refusal_ground is None:
        raise Invalid(
            "refusal_ground",
            "a request is refused only where the authority is not competent (61(4)(a)) or complying would infringe "
            "the law (61(4)(b)) (GDPR Art 61(4))",
        )
    if step.outcome == "provided" and step.refusal_ground is not None:
        raise Invalid("refusal_ground", "a ground of refusal is given only with a refusal")


def request_joint_operation(state: CaseState, step: JointOperationRequested, authorities: frozenset[str]) -> None:
    check_step(state, step, "invite to, or ask to take part in, a joint operation", authorities)
    new_reference(state, step)
    known("addressed_to", step.addressed_to, authorities)
    if step.addressed_to == step.authority:
        raise Invalid("addressed_to", "a joint operation is asked of another authority")


def answer_joint_operation(state: CaseState, step: JointOperationAnswered, authorities: frozenset[str]) -> None:
    action = "record the answer about a joint operation"
    check_step(state, step, action, authorities)
    operation = running(state, step, JointOperation, action)
    by(step, operation.addressed_to, "the authority asked", "GDPR Art 62(2)")
    assert operation.received_on is not None
    not_before("answered_on", step.answered_on, operation.received_on, "the request was received")


def deadlines(procedure: Assistance | JointOperation) -> list[Deadline]:
    assert procedure.received_on is not None
    if isinstance(procedure, Assistance):
        return [deadline(procedure, "61(2)", procedure.requested, answer_due(procedure.received_on))]
    if procedure.request == "participation_request":
        return [deadline(procedure, "62(7)", procedure.addressed_to, answer_due(procedure.received_on))]
    return []
