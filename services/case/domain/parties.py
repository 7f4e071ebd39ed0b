"""The parties' right to be heard in a cross-border case (Regulation 2025/2518, as reported; the Official Journal
text was not read): preliminary findings sent to the party under investigation, and to the complainant where a
rejection is intended, each with a time to answer that the timer keeps; and access to the administrative file, each
document withheld recorded with its ground (art 24(3)). The lead authority deals with the controller (GDPR Art
56(6)); the authority the complaint was lodged with, with the complainant (art 24(2), as reported).

The time to answer is the authority's: the Regulation's time limits for the parties' replies were not found.
"""

from __future__ import annotations

from docket_contracts.cooperation import FileAccessGiven, Party, PartyViewsReceived, PreliminaryFindingsSent, Step
from docket_contracts.errors import Invalid

from .cooperation import by, check_step, deadline, not_before, running
from .cooperation_state import Deadline, Findings, Frame, OneStopShop
from .state import CaseState


def _speaks_to(frame: Frame, step: Step, party: Party) -> None:
    """The controller hears from the lead authority (GDPR Art 56(6)); the complainant from the authority the
    complaint was lodged with (Regulation 2025/2518 art 24(2), as reported)."""
    if party == "controller":
        by(step, frame.lead, "the lead authority", "the controller's sole interlocutor, GDPR Art 56(6)")
    elif step.authority != frame.lead and not frame.received_complaint(step.authority):
        raise Invalid("authority", "the complainant deals with the authority the complaint was lodged with")


def send_findings(state: CaseState, step: PreliminaryFindingsSent, authorities: frozenset[str]) -> None:
    action = "send preliminary findings"
    frame = check_step(state, step, action, authorities)
    procedure = running(state, step, OneStopShop, action)
    _speaks_to(frame, step, step.party)
    if step.party == "complainant" and not step.rejection_intended:
        raise Invalid(
            "rejection_intended",
            "a complainant receives preliminary findings where a rejection is intended (Regulation 2025/2518, as "
            "reported)",
        )
    if step.answer_due <= step.sent_on:
        raise Invalid("answer_due", "the party is given time to answer, after the day the findings are sent")
    not_before("sent_on", step.sent_on, procedure.opened_on, "the procedure opened")


def _awaiting(procedure: OneStopShop, party: str) -> Findings | None:
    found = [f for f in procedure.findings if f.party == party]
    return found[-1] if found and found[-1].views_on is None else None


def receive_views(state: CaseState, step: PartyViewsReceived, authorities: frozenset[str]) -> None:
    action = "record a party's views on the preliminary findings"
    check_step(state, step, action, authorities)
    procedure = running(state, step, OneStopShop, action)
    findings = _awaiting(procedure, step.party)
    if findings is None:
        raise Invalid("party", f"no preliminary findings sent to the {step.party} await its views")
    by(step, findings.by, "the authority that sent the findings", "the party answers it")
    not_before("received_on", step.received_on, findings.sent_on, "the findings were sent")
    if step.received_on > findings.answer_due:
        raise Invalid("received_on", f"{step.received_on} is after the time to answer ({findings.answer_due})")


def give_file_access(state: CaseState, step: FileAccessGiven, authorities: frozenset[str]) -> None:
    """Access to the administrative file: what is withheld is recorded by document, with its ground (Regulation
    2025/2518 art 24(3), as reported: correspondence between the authorities, confidential information)."""
    action = "record access to the administrative file"
    frame = check_step(state, step, action, authorities)
    procedure = running(state, step, OneStopShop, action)
    _speaks_to(frame, step, step.party)
    both = set(step.documents) & {w.document for w in step.withheld}
    if both:
        raise Invalid("withheld", f"{sorted(both)[0]} is both given and withheld")
    not_before("given_on", step.given_on, procedure.opened_on, "the procedure opened")


def deadlines(procedure: OneStopShop) -> list[Deadline]:
    found = []
    for party in ("controller", "complainant"):
        findings = _awaiting(procedure, party)
        if findings is not None:
            found.append(deadline(procedure, f"2025/2518-views-{party}", findings.by, findings.answer_due))
    return found
