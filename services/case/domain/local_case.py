"""A local case (GDPR Art 56(2)-(5)): an authority concerned competent for a case that relates only to its Member
State informs the lead authority, which decides within three weeks whether it handles the case under Art 60 or
leaves it to the informing authority, which then handles it under Arts 61 and 62 (Art 56(5)).

The GDPR gives no consequence to three weeks passing without the lead's decision: the timer marks it overdue, and
the lead may still decide.
"""

from __future__ import annotations

from docket_contracts.cooperation import LocalCaseDecided, LocalCaseNotified
from docket_contracts.errors import Invalid

from .cooperation import by, check_step, concerned, deadline, new_reference, not_before, one_stop_shop, running, weeks
from .cooperation_state import Deadline, LocalCase
from .state import CaseState

# "Within a period of three weeks after being informed the lead supervisory authority shall decide whether or not
# it will handle the case" (GDPR Art 56(3)).
DECISION_WEEKS = 3


def notify(state: CaseState, step: LocalCaseNotified, authorities: frozenset[str]) -> None:
    action = "notify a local case to the lead authority"
    check_step(state, step, action, authorities)
    frame = one_stop_shop(state, action)
    new_reference(state, step)
    if step.lead != frame.lead:
        raise Invalid("lead", f"the case's lead authority is {frame.lead} (GDPR Art 56(1), (3))")
    concerned(frame, step.authority, "the authority competent for a local case informs the lead (Art 56(2)-(3))")


def decide(state: CaseState, step: LocalCaseDecided, authorities: frozenset[str]) -> None:
    action = "record the lead authority's decision on a local case"
    check_step(state, step, action, authorities)
    local = running(state, step, LocalCase, action)
    by(step, local.lead, "the lead authority", "GDPR Art 56(3)")
    not_before("decided_on", step.decided_on, local.opened_on, "the lead authority was informed")


def deadlines(local: LocalCase) -> list[Deadline]:
    return [deadline(local, "56(3)", local.lead, weeks(local.opened_on, DECISION_WEEKS))]
