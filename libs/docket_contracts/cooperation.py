"""Payload models of the cooperation between supervisory authorities (GDPR Chapter VII; Regulation (EU) 2025/2518):
the frame of a cross-border case, then each step of a procedure that authorities run together, on the case's stream.

Every step names the procedure both authorities use for it (`cooperation_reference`, made by the authority that
opens it) and who took it (`authority`, an id of the directory of authorities such as FR-CNIL or IE-DPC; the
Board is EU-EDPB). A step this authority took is one to send to the others; a step another authority took is
recorded here from its message. What a clock finds (an agreement deemed, a deadline passed or near) is found by
each installation on its own, and never sent.

Where a rule comes from Regulation 2025/2518, its text was read only on secondary sources (its Official Journal
text was not read): the fields and descriptions say "as reported".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from .events import CountryCode, DocumentName, Payload, Text

# The States where the GDPR applies: the European Union's 27 and, through the EEA Agreement, Iceland, Liechtenstein
# and Norway (EEA Joint Committee Decision No 154/2018).
EEA_STATES = frozenset(
    {
        *("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU"),
        *("IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"),
        *("IS", "LI", "NO"),
    }
)


# An authority as the directory of authorities names it: its Member State, then its own short name.
AuthorityId = Annotated[
    str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{2,16}$", description="an authority of the directory, e.g. FR-CNIL")
]
# The European Data Protection Board, which decides disputes (Art 65) and urgent requests (Art 66(2)).
BOARD = "EU-EDPB"
Reference = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$",
        description="the procedure's reference, the same at every authority that takes part in it",
    ),
]

# GDPR Art 4(23): processing in the context of establishments in more than one Member State (a), or of a single
# establishment substantially affecting data subjects in more than one Member State (b).
CrossBorderBasis = Literal["4(23)(a)", "4(23)(b)"]
# Where the controller is established: a main establishment in the Union (Art 4(16)), a single establishment, or
# none in the Union (Art 3(2): no one-stop shop, each authority acts on its own territory).
Establishment = Literal["main_establishment", "single_establishment", "none_in_union"]
# This authority's part in the case (Art 56(1), Art 4(22)).
CooperationRole = Literal["lead", "concerned", "not_concerned"]
# Why an authority is concerned (Art 4(22)): the controller is established on its territory (a), data subjects
# there are substantially affected (b), a complaint was lodged with it (c).
ConcernReason = Literal["a", "b", "c"]


class ConcernedAuthority(Payload):
    authority: AuthorityId
    reasons: Annotated[tuple[ConcernReason, ...], Field(min_length=1, max_length=3)]


class CooperationFrameRecorded(Payload):
    """Whether the case's processing is cross-border and on which basis, where the controller is established,
    this authority's part, the lead authority and the authorities concerned (GDPR Art 4(16), 4(22), 4(23), 55(2),
    56). Recorded again, it replaces the frame before it."""

    case_id: UUID
    recorded_on: date
    authority: AuthorityId = Field(description="this authority, which records its frame of the case")
    cross_border: bool
    basis: CrossBorderBasis | None = None
    establishment: Establishment
    establishment_state: CountryCode | None = Field(
        default=None, description="the Member State of the main or single establishment"
    )
    public_interest: bool = Field(
        default=False,
        description="processing by a public authority, or under Art 6(1)(c) or (e): Art 56 does not apply (Art 55(2))",
    )
    role: CooperationRole
    lead: AuthorityId | None = None
    concerned: Annotated[tuple[ConcernedAuthority, ...], Field(max_length=40)] = ()


class Step(Payload):
    """What every step of a procedure carries."""

    case_id: UUID
    cooperation_reference: Reference
    authority: AuthorityId = Field(description="the authority that took the step")


# --- Art 56(3)-(5): a local case ----------------------------------------------------------------------------


class LocalCaseNotified(Step):
    """A case that relates only to one Member State was notified to the lead authority, which decides within
    three weeks whether it handles it (GDPR Art 56(2)-(3))."""

    lead: AuthorityId
    informed_on: date = Field(description="the day the lead authority was informed")
    subject: Text


class LocalCaseDecided(Step):
    """The lead authority decided whether it handles the case under Art 60, or leaves it to the authority that
    informed it, which handles it under Arts 61 and 62 (GDPR Art 56(3)-(5))."""

    decided_on: date
    handling: Literal["one_stop_shop", "local"]


# --- Art 60: the one-stop shop, and Regulation 2025/2518's time limits -----------------------------------------


class CompetenceConfirmed(Step):
    """The lead authority confirmed its competence (Regulation 2025/2518 art 4(6), as reported): for a complaint
    lodged or an investigation opened after 2 April 2027, the draft decision is due within 15 months (12 more in a
    complex case) or 12 under the simple procedure (art 12 and art 6, as reported).

    Version 2: the transmitted complaint it confirms its competence for, by which the authority the complaint was
    lodged with finds its case (version 1 named none)."""

    confirmed_on: date
    procedure: Literal["standard", "simple"]
    began: Literal["complaint", "ex_officio"]
    began_on: date = Field(description="the day the complaint was lodged, or the investigation opened ex officio")
    complaint_reference: Reference | None = Field(
        default=None,
        description="for a complaint transmitted to the lead authority: the reference of its procedure at the "
        "authority it was lodged with (CrossBorderComplaintRegistered)",
    )


class InvestigationExtended(Step):
    """The lead authority extended the time limit of a complex investigation (Regulation 2025/2518 art 12, as
    reported: up to 12 additional months)."""

    decided_on: date
    months: Annotated[int, Field(ge=1, le=12)]
    reasons: Text


class Consultation(Payload):
    authority: AuthorityId
    consulted_on: date


class DraftDecisionSubmitted(Step):
    """The lead authority submitted a draft decision to the authorities concerned for their opinion (GDPR Art
    60(3)); a draft after the first is a revised draft (Art 60(5)). Each may object within four weeks of being
    consulted, two weeks for a revised draft (Art 60(4)-(5))."""

    draft: Annotated[int, Field(ge=1, le=20, description="1 for the draft, 2 and on for revised drafts")]
    submitted_on: date
    consulted: Annotated[tuple[Consultation, ...], Field(min_length=1, max_length=40)]
    summary: Text


class DraftAgreed(Step):
    """An authority concerned agreed with the draft decision before its time to object ran out."""

    draft: Annotated[int, Field(ge=1, le=20)]
    agreed_on: date


ObjectionConcerns = Literal["infringement", "envisaged_action"]


class ObjectionRaised(Step):
    """A relevant and reasoned objection to the draft decision (GDPR Art 60(4); Art 4(24): whether there is an
    infringement, or whether the envisaged action complies, clearly demonstrating the significance of the risks)."""

    draft: Annotated[int, Field(ge=1, le=20)]
    raised_on: date
    concerns: ObjectionConcerns
    subject: Text = Field(description="the infringement or the envisaged action objected to")
    relevant: bool
    reasoned: bool
    risks: Text = Field(description="the significance of the risks the draft decision poses")


class DraftDeemedAgreed(Step):
    """An authority concerned did not object within its time: it is deemed to agree with the draft decision and is
    bound by it (GDPR Art 60(6)); found by the timer, never sent."""

    draft: Annotated[int, Field(ge=1, le=20)]
    window_ended: date = Field(description="the last day it could object")
    detected_at: datetime


DecisionKind = Literal["action", "rejection"]


class DecisionAdopted(Step):
    """The final decision adopted and notified: by the lead authority to the controller's main or single
    establishment (GDPR Art 60(7)); a complaint dismissed or rejected, by the authority it was lodged with, to the
    complainant (Art 60(8)); or, where part is rejected and part acted on, one decision for each part (Art 60(9))."""

    adopted_on: date
    notified_on: date
    decision: DecisionKind
    split: bool = Field(default=False, description="one of the two decisions of Art 60(9)")
    summary: Text


# --- Regulation 2025/2518 art 10: the summary of key issues (as reported) ----------------------------------------


class KeyIssuesSummarised(Step):
    """The lead authority shared, early in the investigation, its summary of the key issues with the authorities
    concerned, for their comments (Regulation 2025/2518 arts 9(1)(f), 10, as reported). Not under the simple
    procedure (art 6(1), as reported: art 10 does not apply)."""

    summarised_on: date
    summary: Text = Field(description="the key issues: the main facts and the lead authority's preliminary view")


class KeyIssuesCommented(Step):
    """An authority concerned commented on the lead authority's summary of key issues (Regulation 2025/2518 arts
    9(1)(f), 10, as reported). The time limit for comments was not found in any source read: none is kept."""

    commented_on: date
    comments: Text


# --- Arts 61 and 62: mutual assistance and joint operations -----------------------------------------------------


class AssistanceRequested(Step):
    """A request for mutual assistance, with its purpose and reasons (GDPR Art 61(1), (3)); the requested authority
    answers within one month of receiving it (Art 61(2))."""

    requested: AuthorityId
    received_on: date = Field(description="the day the requested authority received the request")
    asks: Literal["information", "measures"]
    purpose: Text
    reasons: Text


# The only grounds on which a request for mutual assistance may be refused (GDPR Art 61(4)): the requested
# authority is not competent for its subject or the measures asked (a), or complying would infringe the GDPR or
# Union or Member State law (b).
RefusalGround = Literal["61(4)(a)", "61(4)(b)"]


class AssistanceAnswered(Step):
    """The requested authority answered: it supplied what was asked, or refused on a ground of Art 61(4), with its
    reasons (GDPR Art 61(5))."""

    answered_on: date
    outcome: Literal["provided", "refused"]
    refusal_ground: RefusalGround | None = None
    summary: Text


class JointOperationRequested(Step):
    """An invitation to a joint operation by the competent authority, or an authority's request to take part in
    one, which the competent authority answers within one month (GDPR Art 62(2), (7))."""

    kind: Literal["invitation", "participation_request"]
    addressed_to: AuthorityId
    received_on: date
    scope: Text


class JointOperationAnswered(Step):
    answered_on: date
    accepted: bool


# --- Art 65: the Board settles a dispute -----------------------------------------------------------------------


DisputeGround = Literal["65(1)(a)", "65(1)(b)", "65(1)(c)"]


class DisputeReferred(Step):
    """A dispute referred to the Board: an objection the lead authority does not follow (GDPR Art 65(1)(a)),
    conflicting views on which authority leads (b), or an opinion of the Board not asked for or not followed (c).
    No authority concerned decides on its subject until the Board has (Art 65(4))."""

    referred_on: date
    ground: DisputeGround
    concerning: Reference | None = Field(default=None, description="the one-stop-shop procedure in dispute")
    matters: Text


class BoardPeriodExtended(Step):
    """The Board extended its month by a further month, on account of the subject's complexity (GDPR Art 65(2))."""

    decided_on: date


class BoardDecisionReceived(Step):
    """The Board's binding decision (GDPR Art 65(2)-(5)), or its urgent opinion or decision (Art 66(4)), notified."""

    decided_on: date
    notified_on: date
    majority: Literal["two_thirds", "simple"]
    summary: Text


# --- Art 66: urgency ---------------------------------------------------------------------------------------------


MeasureBasis = Literal["66(1)", "61(8)", "62(7)"]


class ProvisionalMeasureAdopted(Step):
    """A provisional measure on this authority's territory, valid three months at most (GDPR Art 66(1)); or after a
    request for assistance or to take part in a joint operation went a month unanswered (Art 61(8), 62(7)), where
    the urgent need to act is presumed and an urgent binding decision of the Board is required."""

    adopted_on: date
    expires_on: date
    basis: MeasureBasis
    concerning: Reference | None = Field(default=None, description="the unanswered request, for 61(8) and 62(7)")
    territory: CountryCode
    measure: Text


class UrgentRequestMade(Step):
    """An urgent opinion or an urgent binding decision asked of the Board (GDPR Art 66(2)-(3)), which adopts it
    within two weeks (Art 66(4)); under Regulation 2025/2518, at least four weeks before the provisional measures
    expire (as reported)."""

    requested_on: date
    asks: Literal["opinion", "binding_decision"]


class ProcedureWithdrawn(Step):
    """The authority that opened the procedure withdrew it: a request, a draft, a referral or a measure."""

    withdrawn_on: date
    reasons: Text


# --- what the clocks find ------------------------------------------------------------------------------------------

DeadlineKind = Literal[
    "56(3)",
    "61(2)",
    "62(7)",
    "65(2)",
    "65(3)",
    "65(6)",
    "66(1)",
    "66(4)",
    "2025/2518-transmission",
    "2025/2518-investigation",
    "2025/2518-views-controller",
    "2025/2518-views-complainant",
]


class DeadlinePassed(Step):
    """A legal deadline of the procedure ran out without the step it waited for (found by the timer, never sent):
    `authority` owed that step. The text gives no consequence of its own to some (Art 56(3)): it is marked."""

    deadline: DeadlineKind
    last_day: date
    detected_at: datetime


class DeadlineNear(Step):
    """A deadline of the procedure is a week away (found by the timer, never sent)."""

    deadline: DeadlineKind
    last_day: date
    detected_at: datetime


# --- a cross-border complaint received here (Regulation 2025/2518 arts 4-5, as reported) -------------------------


class CrossBorderComplaintRegistered(Step):
    """A complaint about cross-border processing lodged with this authority: it assesses it and transmits it to the
    presumed lead authority within six weeks of receipt (Regulation 2025/2518 art 4, as reported). The
    complainant deals with this authority only."""

    complaint_id: UUID
    received_on: date
    presumed_lead: AuthorityId


class ComplaintTransmitted(Step):
    """The complaint and its preliminary assessment were transmitted to the lead authority."""

    complaint_id: UUID
    transmitted_on: date
    lead: AuthorityId
    assessment: Text


class ComplaintResolvedEarly(Step):
    """The complaint was resolved early: the infringement has ended and the complainant does not object
    (Regulation 2025/2518 art 5, as reported)."""

    complaint_id: UUID
    resolved_on: date
    infringement_ended_on: date
    complainant_objected: bool


# --- the parties' right to be heard (Regulation 2025/2518, as reported; art 24) -------------------------------------


Party = Literal["controller", "complainant"]


class PreliminaryFindingsSent(Step):
    """Preliminary findings sent to the party under investigation, or to the complainant where a rejection is
    intended, with a time to answer (Regulation 2025/2518, as reported: the time limits were not found, so the
    authority sets it)."""

    party: Party
    sent_on: date
    answer_due: date
    rejection_intended: bool = False


class PartyViewsReceived(Step):
    party: Party
    received_on: date


# What is kept out of the administrative file a party sees (Regulation 2025/2518 art 24(3), as reported):
# correspondence or deliberations between the supervisory authorities (a), confidential information (b).
WithheldGround = Literal["24(3)(a)", "24(3)(b)"]


class WithheldDocument(Payload):
    document: DocumentName
    ground: WithheldGround


class FileAccessGiven(Step):
    """A party was given access to the administrative file: the documents it saw, and each one withheld with its
    ground (Regulation 2025/2518 art 24, as reported). The lead authority gives the controller's; the authority the
    complaint was lodged with, the complainant's (art 24(2))."""

    party: Party
    given_on: date
    documents: Annotated[tuple[DocumentName, ...], Field(min_length=1, max_length=200)]
    withheld: Annotated[tuple[WithheldDocument, ...], Field(max_length=200)] = ()


# The steps an authority takes, and the facts the clocks find: each installation finds the latter on its own.
STEPS: tuple[type[Step], ...] = (
    LocalCaseNotified,
    LocalCaseDecided,
    CompetenceConfirmed,
    InvestigationExtended,
    DraftDecisionSubmitted,
    DraftAgreed,
    ObjectionRaised,
    DecisionAdopted,
    KeyIssuesSummarised,
    KeyIssuesCommented,
    AssistanceRequested,
    AssistanceAnswered,
    JointOperationRequested,
    JointOperationAnswered,
    DisputeReferred,
    BoardPeriodExtended,
    BoardDecisionReceived,
    ProvisionalMeasureAdopted,
    UrgentRequestMade,
    ProcedureWithdrawn,
    CrossBorderComplaintRegistered,
    ComplaintTransmitted,
    ComplaintResolvedEarly,
    PreliminaryFindingsSent,
    PartyViewsReceived,
    FileAccessGiven,
)
FOUND_BY_CLOCK: tuple[type[Step], ...] = (DraftDeemedAgreed, DeadlinePassed, DeadlineNear)
