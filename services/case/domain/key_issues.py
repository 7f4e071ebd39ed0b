"""The summary of key issues in a one-stop-shop procedure (Regulation 2025/2518 art 10, as reported; the Official
Journal text was not read, its number is confirmed by art 9(1)(f)'s reference to "the summary of key issues and
comments on that summary referred to in Article 10"): the lead authority shares it early in the investigation, and
the authorities concerned may comment on it. Under the simple procedure art 10 does not apply (art 6(1), as
reported).

The time limit for comments was not found in any source read (the Commission's proposal had one, not verified in
the final text): none is encoded, so no timer watches the comments.
"""

from __future__ import annotations

from docket_contracts.cooperation import KeyIssuesCommented, KeyIssuesSummarised
from docket_contracts.errors import Invalid

from .cooperation import by, check_step, concerned, in_scope, not_before, running
from .cooperation_state import OneStopShop
from .refusals import Rejected
from .state import CaseState

RULE = "Regulation 2025/2518 art 10, as reported"
NOT_SIMPLE = "under the simple procedure art 10 does not apply (Regulation 2025/2518 art 6(1), as reported)"


def summarise(state: CaseState, step: KeyIssuesSummarised, authorities: frozenset[str]) -> None:
    action = "share the summary of key issues"
    frame = check_step(state, step, action, authorities)
    procedure = running(state, step, OneStopShop, action)
    by(step, frame.lead, "the lead authority", RULE)
    if procedure.simple:
        raise Rejected(state, action, NOT_SIMPLE)
    if procedure.began_on is None or not in_scope(procedure.began_on):
        raise Rejected(
            state,
            action,
            "Regulation 2025/2518 applies to complaints lodged and investigations opened after 2 April 2027 (art 36, "
            "as reported): this investigation has no summary of key issues",
        )
    if procedure.drafts:
        # "Early" in the investigation (art 10, as reported): the summary is for the authorities concerned to
        # comment on before the lead drafts its decision; once the draft is submitted, Art 60(3)-(4) takes over.
        raise Rejected(
            state,
            action,
            f"the draft decision was submitted on {procedure.drafts[0].submitted_on}: the summary of key issues comes "
            f"before it ({RULE}), and the authorities concerned now answer the draft (GDPR Art 60(4))",
        )
    not_before("summarised_on", step.summarised_on, procedure.opened_on, "the competence was confirmed")


def comment(state: CaseState, step: KeyIssuesCommented, authorities: frozenset[str]) -> None:
    action = "comment on the summary of key issues"
    frame = check_step(state, step, action, authorities)
    procedure = running(state, step, OneStopShop, action)
    if procedure.simple:
        raise Rejected(state, action, NOT_SIMPLE)
    if procedure.key_issues_on is None:
        raise Rejected(state, action, f"the lead authority shared no summary of key issues to comment on ({RULE})")
    if step.authority == frame.lead:
        raise Invalid("authority", f"the authorities concerned comment on the lead authority's summary ({RULE})")
    concerned(frame, step.authority, f"the authorities concerned comment on the summary ({RULE})")
    not_before("commented_on", step.commented_on, procedure.key_issues_on, "the summary was shared")
