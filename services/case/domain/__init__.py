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

The authorities working together (GDPR Chapter VII; Regulation 2025/2518, as reported), each step an event on the
case's stream, taken here or reported by another authority (cooperate: Cooperate -> the step):

    cooperation_state.py      the frame, each procedure's record, the deadlines they keep open
    cooperation.py            the frame's rules, and what every procedure shares (authorities, references, 65(4))
    local_case.py             a local case notified to the lead, its decision within three weeks (Art 56(3)-(5))
    one_stop_shop.py          drafts, objections, agreement deemed, the final decisions (Art 60); 2025/2518's limits
    parties.py                preliminary findings and the parties' views, access to the file (2025/2518 art 24)
    assistance.py             mutual assistance (Art 61) and joint operations (Art 62)
    disputes.py               a dispute before the Board (Art 65)
    urgency.py                provisional measures and the Board's urgent opinion or decision (Art 66)
    transmission.py           a cross-border complaint lodged here: transmitted within six weeks, or resolved early
    cooperation_deadlines.py  the open deadlines, and what the timer finds (LapseCooperation)
    cooperate.py              cooperate: each step to the rule of its procedure
    cooperation_folds.py      the fold of the cooperation's events
    recipients.py             who a step this authority took is addressed to, by which rule (the exchange sends it)

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

from .admissibility import admissibility_days
from .commands import (
    CONVENTIONS,
    CloseCase,
    Command,
    Conduct,
    Convention,
    Cooperate,
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
    LapseCooperation,
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
from .cooperation_deadlines import deadlines as open_deadlines
from .cooperation_state import Cooperation, Deadline, Frame
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
from .liquidation import days_of_delay
from .recipients import Addressee, addressees, awaiting_a_case
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
    "ENDED",
    "NEXT_STEPS",
    "Addressee",
    "Appeal",
    "AskController",
    "AssignCase",
    "AssignComplaints",
    "CaseState",
    "CaseWarning",
    "CloseCase",
    "CloseComplaints",
    "Command",
    "Complaint",
    "ComplaintRejected",
    "ComplaintStatus",
    "Conduct",
    "Convention",
    "Cooperate",
    "Cooperation",
    "Deadline",
    "DecideAdmissibility",
    "Decision",
    "Deliberation",
    "EndInjunction",
    "ExpireDeadline",
    "ExtendFormalNotice",
    "ExtendObservations",
    "Frame",
    "Handled",
    "HandlingCommand",
    "Hearing",
    "ImposeSanction",
    "InterruptSimplified",
    "Invalid",
    "IssueFormalNotice",
    "IssueReprimand",
    "IssueWarning",
    "JoinInvestigation",
    "LapseCooperation",
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
    "RecordControllerAnswer",
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
    "RemindController",
    "Reprimand",
    "Sanction",
    "SelectionCommand",
    "Status",
    "SummonController",
    "TransferComplaints",
    "WithdrawPublication",
    "addressees",
    "admissibility_days",
    "awaiting_a_case",
    "complaint_steps",
    "days_of_delay",
    "decide",
    "evolve",
    "fold",
    "handle",
    "next_steps",
    "open_deadlines",
    "replay",
    "replay_complaints",
]
