"""The case aggregate, pure: decide(state, command) -> events; evolve(state, event) -> state.

A command that does not fit the state raises Rejected (the state and the allowed next steps);
a command whose values break a rule raises Invalid (the field and the rule). Nothing else fails.

The rooms, each importing only the standard library, docket_contracts and the rooms above it:

    state.py          the status, and the record of the case the fold builds (CaseState)
    commands.py       the commands, and Command, their union
    fines.py          the law's numbers: the Art 83 caps, the EDPB calculation, the penalty payment caps
    refusals.py       what a case allows next; Rejected, and the guards every procedure shares
    complaints.py     a case opened from a complaint, later complaints linked to it
    investigation.py  the investigation opened, its findings recorded
    notices.py        formal notices: issued, notified, complied with, expired
    injunctions.py    what follows a sanction: its notification, its injunction, the penalty payment
    sanctions.py      the sanctions committee's decisions: a sanction and its fines, a reprimand
    publication.py    a decision made public, and the publication withdrawn
    appeals.py        an appeal to the Conseil d'État, and the court's ruling
    closing.py        the case closed with its outcome
    decide.py         decide: each command to the procedure that decides it
    evolve.py         evolve and replay: each event type to the function that folds it

A complaint's own handling, and who holds what, kept per complaint beside the case (handle: handling -> events):

    handling.py           a complaint's record, the steps it allows, its refusal, and its fold
    handling_commands.py  the commands of its handling and of assignment, and HandlingCommand, their union
    assignment.py         a case or a complaint given to a staff member, a team, or nobody
    admissibility.py      admissible or not, with a reason from the closed list; a transfer
    controller_letters.py the controller asked to act, its answer, its reminder
    complaint_endings.py  a complaint joined to the investigation, or closed with its reason
    handle.py             handle: each command to its rule, complaint by complaint
"""

from __future__ import annotations

from docket_contracts.errors import Invalid

from .commands import (
    CONVENTIONS,
    CloseCase,
    Command,
    Conduct,
    Convention,
    ExpireDeadline,
    ImposeSanction,
    IssueFormalNotice,
    IssueReprimand,
    LinkComplaint,
    LiquidatePenalty,
    LodgeAppeal,
    OpenCase,
    OpenInvestigation,
    PublishDecision,
    RecordCompliance,
    RecordFinding,
    RecordInjunctionCompliance,
    RecordNoticeNotification,
    RecordRuling,
    RecordSanctionNotification,
    WithdrawPublication,
)
from .decide import decide
from .evolve import evolve, replay
from .handle import Handled, handle
from .handling import ENDED, Complaint, ComplaintRejected, ComplaintStatus, complaint_steps, fold, replay_complaints
from .handling_commands import (
    AskController,
    AssignCase,
    AssignComplaints,
    CloseComplaints,
    DecideAdmissibility,
    HandlingCommand,
    JoinInvestigation,
    RecordControllerAnswer,
    RemindController,
    SelectionCommand,
    TransferComplaints,
)
from .injunctions import days_of_delay
from .refusals import NEXT_STEPS, Rejected, next_steps
from .state import Appeal, CaseState, Decision, Liquidation, Notice, Publication, Reprimand, Sanction, Status

__all__ = [
    "CONVENTIONS",
    "ENDED",
    "NEXT_STEPS",
    "Appeal",
    "AskController",
    "AssignCase",
    "AssignComplaints",
    "CaseState",
    "CloseCase",
    "CloseComplaints",
    "Command",
    "Complaint",
    "ComplaintRejected",
    "ComplaintStatus",
    "Conduct",
    "Convention",
    "DecideAdmissibility",
    "Decision",
    "ExpireDeadline",
    "Handled",
    "HandlingCommand",
    "ImposeSanction",
    "Invalid",
    "IssueFormalNotice",
    "IssueReprimand",
    "JoinInvestigation",
    "LinkComplaint",
    "LiquidatePenalty",
    "Liquidation",
    "LodgeAppeal",
    "Notice",
    "OpenCase",
    "OpenInvestigation",
    "Publication",
    "PublishDecision",
    "RecordCompliance",
    "RecordControllerAnswer",
    "RecordFinding",
    "RecordInjunctionCompliance",
    "RecordNoticeNotification",
    "RecordRuling",
    "RecordSanctionNotification",
    "Rejected",
    "RemindController",
    "Reprimand",
    "Sanction",
    "SelectionCommand",
    "Status",
    "TransferComplaints",
    "WithdrawPublication",
    "complaint_steps",
    "days_of_delay",
    "decide",
    "evolve",
    "fold",
    "handle",
    "next_steps",
    "replay",
    "replay_complaints",
]
