"""The case aggregate, pure: decide(state, command) -> events; evolve(state, event) -> state.

A command that does not fit the state raises Rejected (the state and the allowed next steps);
a command whose values break a rule raises Invalid (the field and the rule). Nothing else fails.

The rooms, each importing only the standard library, docket_contracts and the rooms above it:

    state.py          the status, and the record of the case the fold builds (CaseState)
    commands.py       the commands, and Command, their union
    fines.py          the law's numbers: the Art 83 caps, the EDPB calculation, the penalty payment caps
    refusals.py       what a case allows next; Rejected, and the guards every procedure shares
    complaints.py     a case opened from a complaint, later complaints linked to it
    investigation.py  the President's decision to carry out checks, the checks and findings recorded
    warning.py        the President's warning that intended processing is likely to infringe the GDPR
    notices.py        formal notices: issued with a time limit, notified (which fixes the deadline), extended
                      once, complied with, expired
    injunctions.py    what follows a sanction: its notification, its penalty payment, compliance with its injunction
                      or the committee's decision ending it
    liquidation.py    the liquidation of a penalty payment: its written procedure, then the committee's decision
    proceedings.py    the restricted committee's procedure: referral, report, written exchange, summons, hearing, and
                      the deliberation without which no sanction, reprimand or injunction of the committee stands
    sanctions.py      the restricted committee's decisions, each by its deliberation: a sanction and its fines, a
                      reprimand
    publication.py    a decision made public, and the publication withdrawn
    appeals.py        an appeal to the Conseil d'État, and the court's ruling
    closing.py        the case closed with its outcome
    decide.py         decide: each command to the procedure that decides it
    committee_folds.py  the fold of the restricted committee's procedure
    evolve.py         evolve and replay: each event type to the function that folds it
"""

from __future__ import annotations

from docket_contracts.errors import Invalid

from .commands import (
    CONVENTIONS,
    CloseCase,
    Command,
    Conduct,
    Convention,
    Deliberation,
    EndInjunction,
    ExpireDeadline,
    ExtendFormalNotice,
    ExtendObservations,
    ImposeSanction,
    InterruptSimplified,
    IssueFormalNotice,
    IssueReprimand,
    IssueWarning,
    LinkComplaint,
    LiquidatePenalty,
    LodgeAppeal,
    NotifyReport,
    OpenCase,
    OpenInvestigation,
    OpenLiquidation,
    PublishDecision,
    RecordCheck,
    RecordCompliance,
    RecordControllerReply,
    RecordFileAccess,
    RecordFinding,
    RecordHearing,
    RecordInjunctionCompliance,
    RecordLiquidationObservations,
    RecordNoticeNotification,
    RecordObservations,
    RecordRapporteurAnswer,
    RecordRuling,
    RecordSanctionNotification,
    ReferToCommittee,
    SummonController,
    WithdrawPublication,
)
from .decide import decide
from .evolve import evolve, replay
from .liquidation import days_of_delay
from .refusals import NEXT_STEPS, Rejected, next_steps
from .state import (
    Appeal,
    CaseState,
    CaseWarning,
    Decision,
    Hearing,
    Liquidation,
    Notice,
    Proceedings,
    Publication,
    Reprimand,
    Sanction,
    Status,
)

__all__ = [
    "CONVENTIONS",
    "NEXT_STEPS",
    "Appeal",
    "CaseState",
    "CaseWarning",
    "CloseCase",
    "Command",
    "Conduct",
    "Convention",
    "Decision",
    "Deliberation",
    "EndInjunction",
    "ExpireDeadline",
    "ExtendFormalNotice",
    "ExtendObservations",
    "Hearing",
    "ImposeSanction",
    "InterruptSimplified",
    "Invalid",
    "IssueFormalNotice",
    "IssueReprimand",
    "IssueWarning",
    "LinkComplaint",
    "LiquidatePenalty",
    "Liquidation",
    "LodgeAppeal",
    "Notice",
    "NotifyReport",
    "OpenCase",
    "OpenInvestigation",
    "OpenLiquidation",
    "Proceedings",
    "Publication",
    "PublishDecision",
    "RecordCheck",
    "RecordCompliance",
    "RecordControllerReply",
    "RecordFileAccess",
    "RecordFinding",
    "RecordHearing",
    "RecordInjunctionCompliance",
    "RecordLiquidationObservations",
    "RecordNoticeNotification",
    "RecordObservations",
    "RecordRapporteurAnswer",
    "RecordRuling",
    "RecordSanctionNotification",
    "ReferToCommittee",
    "Rejected",
    "Reprimand",
    "Sanction",
    "Status",
    "SummonController",
    "WithdrawPublication",
    "days_of_delay",
    "decide",
    "evolve",
    "next_steps",
    "replay",
]
