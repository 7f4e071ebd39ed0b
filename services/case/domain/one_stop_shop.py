"""The one-stop shop (GDPR Art 60): the lead authority submits a draft decision to the authorities concerned; each
may raise a relevant and reasoned objection within four weeks of being consulted (Art 60(4)), two weeks for a revised
draft (Art 60(5)); one silent when its time runs out is deemed to agree and is bound (Art 60(6)); an objection the
lead does not follow goes to the Board (Art 65(1)(a)); then the final decision is adopted and notified: by the lead
(Art 60(7)), by the authority the complaint was lodged with for a rejection (Art 60(8)), one for each part where part
is rejected (Art 60(9)). In urgency, Art 66 applies (Art 60(11); urgency.py).

For a complaint lodged or an investigation opened after 2 April 2027, Regulation 2025/2518 sets the time for the
draft decision from the lead's confirmation of competence (art 12, as reported: 15 months, up to 12 more for a
complex case; 12 under the simple procedure of art 6). The Official Journal text was not read.
"""

from __future__ import annotations

from datetime import date

from docket_contracts.cooperation import (
    CompetenceConfirmed,
    DecisionAdopted,
    DraftAgreed,
    DraftDecisionSubmitted,
    InvestigationExtended,
    ObjectionRaised,
)
from docket_contracts.errors import Invalid
from docket_contracts.progress import add_months

from .cooperation import (
    by,
    check_step,
    concerned,
    deadline,
    in_scope,
    known,
    new_reference,
    not_before,
    not_during_dispute,
    one_stop_shop,
    running,
    weeks,
)
from .cooperation_state import CrossBorderComplaint, Deadline, Draft, OneStopShop
from .refusals import Rejected
from .state import CaseState

# "within a period of four weeks after having been consulted" (GDPR Art 60(4)); a revised draft, "within a period of
# two weeks" (Art 60(5)).
OBJECTION_WEEKS = 4
REVISED_OBJECTION_WEEKS = 2
# Regulation 2025/2518 art 12, as reported (the Official Journal text was not read): the draft decision within 15
# months of the confirmation of competence, up to 12 more months in a complex case; 12 months under the simple
# procedure (art 6(1), which refers to art 12(6)).
INVESTIGATION_MONTHS = 15
SIMPLE_INVESTIGATION_MONTHS = 12
MAX_EXTENSION_MONTHS = 12
# "at the latest by one month after the Board has notified its decision" (GDPR Art 65(6)).
FINAL_DECISION_MONTHS = 1


def window_ends(draft: Draft, consulted_on: date) -> date:
    """The last day an authority consulted on `consulted_on` may object to `draft`."""
    return weeks(consulted_on, OBJECTION_WEEKS if draft.number == 1 else REVISED_OBJECTION_WEEKS)


def investigation_ends(procedure: OneStopShop) -> date | None:
    """The last day for the draft decision under Regulation 2025/2518 (as reported), or None where it does not
    apply: no confirmation of competence recorded, or a complaint lodged (an investigation opened) by 2 April 2027."""
    if procedure.confirmed_on is None or procedure.began_on is None or not in_scope(procedure.began_on):
        return None
    months = SIMPLE_INVESTIGATION_MONTHS if procedure.simple else INVESTIGATION_MONTHS + procedure.extension_months
    return add_months(procedure.confirmed_on, months)


def confirm_competence(state: CaseState, step: CompetenceConfirmed, authorities: frozenset[str]) -> None:
    action = "record the lead authority's confirmation of competence"
    check_step(state, step, action, authorities)
    frame = one_stop_shop(state, action)
    by(step, frame.lead, "the lead authority", "Regulation 2025/2518 art 4(6), as reported")
    new_reference(state, step)
    not_before("confirmed_on", step.confirmed_on, step.began_on, "the complaint was lodged or the investigation opened")
    if step.complaint_reference is not None:
        _transmitted_to(state, step)


# The lead authority confirms its competence for a complaint transmitted to it by the authority it was lodged with
# (Regulation 2025/2518 art 4(3)-(6), as reported: the paragraph numbers are inferred from art 6(2)'s reference).
TRANSMITTED = "Regulation 2025/2518 art 4, as reported"


def _transmitted_to(state: CaseState, step: CompetenceConfirmed) -> None:
    """The complaint a confirmation names was transmitted (or is to be) to the authority that confirms."""
    complaint = state.cooperation.procedure(step.complaint_reference or "")
    if not isinstance(complaint, CrossBorderComplaint):
        raise Invalid(
            "complaint_reference", f"the case has no cross-border complaint {step.complaint_reference} ({TRANSMITTED})"
        )
    if step.authority not in (complaint.lead, complaint.presumed_lead):
        raise Invalid(
            "complaint_reference",
            f"the complaint {complaint.reference} was not sent to {step.authority}: only the authority it was "
            f"transmitted to confirms its competence for it ({TRANSMITTED})",
        )
    if step.began != "complaint":
        raise Invalid(
            "began", f"a confirmation that names a complaint is of an investigation the complaint began ({TRANSMITTED})"
        )


def extend(state: CaseState, step: InvestigationExtended, authorities: frozenset[str]) -> None:
    action = "extend the investigation's time limit"
    check_step(state, step, action, authorities)
    procedure = running(state, step, OneStopShop, action)
    by(step, procedure.opened_by, "the lead authority", "Regulation 2025/2518 art 12, as reported")
    ends = investigation_ends(procedure)
    if ends is None:
        raise Rejected(state, action, "no time limit of Regulation 2025/2518 runs on this investigation (art 36)")
    if procedure.simple:
        raise Rejected(state, action, "the simple procedure's 12 months are not extended (2025/2518 art 6, reported)")
    if procedure.drafts:
        raise Rejected(state, action, "the draft decision was submitted: the time limit was met")
    if procedure.extension_months + step.months > MAX_EXTENSION_MONTHS:
        raise Invalid(
            "months",
            f"{procedure.extension_months} months were added already; a complex case has up to "
            f"{MAX_EXTENSION_MONTHS} more (Regulation 2025/2518 art 12, as reported)",
        )
    if step.decided_on > ends:
        raise Invalid("decided_on", f"{step.decided_on} is after the time limit ({ends}): it ran out")
    not_before("decided_on", step.decided_on, procedure.opened_on, "the competence was confirmed")


def submit_draft(state: CaseState, step: DraftDecisionSubmitted, authorities: frozenset[str]) -> None:
    """The draft (Art 60(3)), or a revised draft that follows an objection (Art 60(5))."""
    action = "submit a draft decision" if step.draft == 1 else "submit a revised draft decision"
    check_step(state, step, action, authorities)
    frame = one_stop_shop(state, action)
    by(step, frame.lead, "the lead authority", "GDPR Art 60(3)")
    found = state.cooperation.procedure(step.cooperation_reference)
    if found is None:
        if step.draft != 1:
            raise Invalid("draft", "a procedure opens with draft 1")
    else:
        procedure = running(state, step, OneStopShop, action)
        _revision(state, procedure, step, action)
    named = [c.authority for c in step.consulted]
    if len(set(named)) != len(named):
        raise Invalid("consulted", "each authority concerned is consulted once")
    for consultation in step.consulted:
        known("consulted", consultation.authority, authorities)
        concerned(frame, consultation.authority, "the lead consults the authorities concerned (GDPR Art 60(3))")
        not_before("consulted", consultation.consulted_on, step.submitted_on, "the draft was submitted")


def _revision(state: CaseState, procedure: OneStopShop, step: DraftDecisionSubmitted, action: str) -> None:
    not_during_dispute(state, action, procedure.reference)
    if procedure.board_notified_on is not None:
        raise Rejected(state, action, "the Board decided: the final decision follows its decision (GDPR Art 65(6))")
    if step.draft != len(procedure.drafts) + 1:
        raise Invalid("draft", f"the next draft of {procedure.reference} is draft {len(procedure.drafts) + 1}")
    current = procedure.draft
    if current is not None and not current.objected:
        raise Rejected(state, action, "a revised draft follows an objection the lead follows (GDPR Art 60(5))")
    since = current.submitted_on if current else procedure.opened_on
    not_before("submitted_on", step.submitted_on, since, "the draft before, or the confirmation of competence")


def _answering(state: CaseState, step: DraftAgreed | ObjectionRaised, day: date, action: str) -> tuple[Draft, date]:
    """The draft an authority consulted answers, and the last day it may: refused if it was not consulted, answered
    already, or its time ran out."""
    procedure = running(state, step, OneStopShop, action)
    draft = procedure.draft
    if draft is None or step.draft != draft.number:
        raise Invalid("draft", f"the draft of {procedure.reference} open to answers is draft {len(procedure.drafts)}")
    consulted_on = dict(draft.consulted).get(step.authority)
    if consulted_on is None:
        raise Invalid("authority", f"{step.authority} was not consulted on draft {draft.number} (GDPR Art 60(3)-(4))")
    if draft.answered(step.authority):
        raise Rejected(state, action, f"{step.authority} answered draft {draft.number} already, or was deemed to")
    if procedure.board_notified_on is not None:
        raise Rejected(state, action, "the Board decided the dispute (GDPR Art 65(2))")
    ends = window_ends(draft, consulted_on)
    not_before("day", day, consulted_on, f"{step.authority} was consulted")
    return draft, ends


def agree(state: CaseState, step: DraftAgreed, authorities: frozenset[str]) -> None:
    action = "record an agreement with the draft decision"
    check_step(state, step, action, authorities)
    _, ends = _answering(state, step, step.agreed_on, action)
    if step.agreed_on > ends:
        raise Invalid("agreed_on", f"{step.agreed_on} is after {ends}: the authority was deemed to agree (Art 60(6))")


def object_to(state: CaseState, step: ObjectionRaised, authorities: frozenset[str]) -> None:
    """A relevant and reasoned objection (GDPR Art 4(24)), within four weeks of consultation, or two for a revised
    draft (Art 60(4)-(5))."""
    action = "record an objection to the draft decision"
    check_step(state, step, action, authorities)
    draft, ends = _answering(state, step, step.raised_on, action)
    if step.raised_on > ends:
        weeks_given = "four" if draft.number == 1 else "two"
        raise Invalid(
            "raised_on",
            f"{step.raised_on} is after {ends}, the end of the {weeks_given} weeks to object to draft {draft.number} "
            f"(GDPR Art 60({4 if draft.number == 1 else 5})); the authority is deemed to agree (Art 60(6))",
        )
    for field, claimed in (("relevant", step.relevant), ("reasoned", step.reasoned)):
        if not claimed:
            raise Invalid(field, "an objection under GDPR Art 60(4) is relevant and reasoned (Art 4(24))")


def adopt(state: CaseState, step: DecisionAdopted, authorities: frozenset[str]) -> None:
    """The final decision, once every authority consulted agreed (or is deemed to), or the Board decided; never
    while the Board decides (GDPR Art 65(4))."""
    action = "adopt the final decision"
    frame = check_step(state, step, action, authorities)
    procedure = running(state, step, OneStopShop, action)
    not_during_dispute(state, action, procedure.reference)
    if procedure.board_notified_on is None:
        _agreed(state, procedure, action)
    if step.decision == "action":
        by(step, frame.lead, "the lead authority", "GDPR Art 60(7)")
    elif step.authority != frame.lead and not frame.received_complaint(step.authority):
        raise Invalid(
            "authority", "the authority the complaint was lodged with adopts its rejection (GDPR Art 60(8)-(9))"
        )
    if any(split != step.split or decision == step.decision for decision, _, split in procedure.decisions):
        raise Rejected(state, action, "one decision, or one for each part (GDPR Art 60(9)), each adopted once")
    since = procedure.board_notified_on or (procedure.draft.submitted_on if procedure.draft else procedure.opened_on)
    not_before("adopted_on", step.adopted_on, since, "the draft decision, or the Board's decision")
    not_before("notified_on", step.notified_on, step.adopted_on, "the decision was adopted")


def _agreed(state: CaseState, procedure: OneStopShop, action: str) -> None:
    draft = procedure.draft
    if draft is None:
        raise Rejected(state, action, "no draft decision was submitted to the authorities concerned (Art 60(3))")
    if draft.objected:
        objecting = ", ".join(a for a, _ in draft.objections)
        raise Rejected(
            state,
            action,
            f"{objecting} objected to draft {draft.number}: the lead follows it with a revised draft, or refers it to "
            "the Board (GDPR Art 60(4)-(5), 65(1)(a))",
        )
    waiting = [f"{a} until {window_ends(draft, on)}" for a, on in draft.consulted if not draft.answered(a)]
    if waiting:
        raise Rejected(state, action, f"the time to object runs: {'; '.join(waiting)} (GDPR Art 60(4)-(6))")


def deadlines(procedure: OneStopShop) -> list[Deadline]:
    found: list[Deadline] = []
    draft = procedure.draft
    if draft is not None and procedure.board_notified_on is None:
        kind = "60(4)" if draft.number == 1 else "60(5)"
        found += [
            deadline(procedure, kind, authority, window_ends(draft, on), key=f"{kind}|{draft.number}|{authority}")
            for authority, on in draft.consulted
            if not draft.answered(authority)
        ]
    ends = investigation_ends(procedure)
    if ends is not None and not procedure.drafts:
        found.append(deadline(procedure, "2025/2518-investigation", procedure.opened_by, ends))
    if procedure.board_notified_on is not None:
        final = add_months(procedure.board_notified_on, FINAL_DECISION_MONTHS)
        found.append(deadline(procedure, "65(6)", procedure.opened_by, final))
    return found
