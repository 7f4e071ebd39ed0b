"""Payload models of every Docket event: past-tense, frozen, versioned facts.

Amounts are whole euros. Dates are calendar dates in the regulator's time zone;
instants are timezone-aware. Personal data (a complainant's name and e-mail address, a letter to
them) travels only sealed: encrypted with its data subject's key, marked `x-personal` in the schemas,
and unreadable everywhere at once when that key is erased.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

GdprArticle = Annotated[int, Field(ge=1, le=99, description="GDPR article number")]
Euros = Annotated[int, Field(ge=0, description="amount in whole euros")]
Text = Annotated[str, Field(min_length=1, max_length=10_000)]

ComplaintKind = Literal["art77_complaint", "art80_1_mandated", "art80_2_unmandated", "alert"]
ComplaintCategory = Literal[
    "unlawful_processing",
    "access_request_ignored",
    "erasure_refused",
    "rectification_refused",
    "objection_ignored",
    "direct_marketing",
    "security_breach",
    "video_surveillance",
    "transfer_outside_eea",
    "other",
]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
CaseOutcome = Literal["complied", "sanctioned", "reprimanded", "warned", "dismissed", "no_infringement"]
# The languages a complainant may be written to in; intake's DEFAULT_LANGUAGE setting picks one when the
# submission names none.
Language = Literal["fr", "en"]
# The content Regulation 2025/2518 art 4(1) (as reported) requires of a complaint about cross-border processing that
# one may be recorded without, from a letter an intake officer holds: a body's proof that it is properly constituted
# (art 4(1)(b)). Such a complaint is still received; art 4(2) gives the authority two weeks from receipt to declare
# it inadmissible and tell the complainant why.
MissingContent = Literal["constitution_proof"]
MISSING_CONTENT_FIELD: Any = Field(  # Any: each model declares the field as tuple[MissingContent, ...]
    default=(),
    description="what Regulation 2025/2518 art 4(1) (as reported) requires of a cross-border complaint and it was "
    "recorded without, from paper; art 4(2) gives two weeks from receipt to declare it inadmissible",
)


class Payload(BaseModel):
    """Base of every event payload: immutable and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Sealed(Payload):
    """Personal data, encrypted with the key of its data subject (AES-256-GCM, the subject id and the
    field's name as associated data: a value opens only as the field it was sealed for, named below for
    those that travel in events). Only services allowed to read personal data hold the keys; once the
    subject's key is erased, every copy of the value, on every topic and in every table, reads as erased."""

    subject: UUID = Field(description="the data subject whose key sealed the value")
    ciphertext: Annotated[
        str,
        Field(
            pattern=r"^[A-Za-z0-9_-]*$",
            max_length=200_000,
            description=(
                "base64url (no padding) of the version marker (none before version 2), the 12-byte nonce, the "
                "ciphertext and the 16-byte tag; empty when the value was withheld (an event written before values "
                "were sealed)"
            ),
        ),
    ]


# The fields sealed values travel as: complaint.filed's complainant, the code of complaint.address_code_issued,
# and the text of a letter to them (notification.recorded).
COMPLAINANT_NAME = "complainant.name"
COMPLAINANT_EMAIL = "complainant.email"
ADDRESS_CODE = "complaint.address_code"
LETTER_TEXT = "letter.text"

# A field holding personal data: always sealed, and marked so in the JSON Schemas and the AsyncAPI document.
Personal = Annotated[Sealed, Field(json_schema_extra={"x-personal": True})]


class Controller(Payload):
    """The controller a submission is about, by its resolved identity key and display name."""

    key: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[a-z0-9][a-z0-9.-]*$")]
    name: Annotated[str, Field(min_length=1, max_length=300)]
    country: CountryCode | None = None
    website: Annotated[str, Field(max_length=300)] | None = None


class Party(Payload):
    """Who lodged a submission: the data subject, or the body acting for data subjects.

    Version 2 of complaint.filed: the name and address are sealed with the complainant's key (the notifier
    writes to the address). The country stays readable: it says where, not who.
    """

    name: Personal
    email: Personal
    country: CountryCode


class Body(Payload):
    """The body that lodged a complaint under GDPR Art 80, by its resolved key and name: in clear, since a body
    is not a data subject (Art 4(1): personal data relate to a natural person). What gathers a campaign."""

    key: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[a-z0-9][a-z0-9.-]*$")]
    name: Annotated[str, Field(min_length=1, max_length=300)]


class ComplaintFiled(Payload):
    """Version 4: a body's proof that it is properly constituted (Regulation 2025/2518 art 4(1)(b), as reported;
    version 3 had none), or that a complaint staff recorded from paper is missing it. Version 3: the language the
    complainant is written to in, and the Art 80 body by name (version 2 had neither: its complainants were written
    to in English). Version 2: the complainant's name and e-mail address are sealed (version 1 had them in clear)."""

    complaint_id: UUID
    reference: Annotated[str, Field(pattern=r"^DKT-\d{4}-[0-9A-Z]{6}$", description="the receipt's reference")]
    kind: ComplaintKind
    mandate_reference: Annotated[str, Field(max_length=200)] | None = Field(
        default=None, description="for a body mandated under Art 80(1)"
    )
    complainant: Party
    controller: Controller
    category: ComplaintCategory
    articles_alleged: tuple[GdprArticle, ...]
    territory: Annotated[tuple[CountryCode, ...], Field(min_length=1)]
    received_on: date
    language: Language = Field(default="en", description="the language letters to the complainant are written in")
    body: Body | None = Field(
        default=None, description="for a complaint lodged by a body under Art 80(1) or 80(2): the body, in clear"
    )
    constitution_proof: Annotated[str, Field(max_length=200)] | None = Field(
        default=None,
        description="for a body: the register and number it is constituted under, or the reference of the document "
        "proving it (Regulation 2025/2518 art 4(1)(b), as reported); required where the complaint is presumed "
        "cross-border, but of a complaint staff record from paper, which names it missing instead",
    )
    missing_content: tuple[MissingContent, ...] = MISSING_CONTENT_FIELD


class ComplaintAddressCodeIssued(Payload):
    """A filing at the public door gave an e-mail address nobody has proven yet: this code, sealed, proves it.
    Intake publishes it just before the complaint.filed it goes with (the same key, so it is read first); the
    notifier sends the code there once, in a letter that says nothing a filer chose, and writes nothing else
    to the address until the complainant enters the code on the status page (complaint.address_proven)."""

    complaint_id: UUID
    code: Personal


class ComplaintAddressProven(Payload):
    """The complainant entered the code sent to their address: letters about the complaint may go there now."""

    complaint_id: UUID
    proven_on: date


class ComplaintWithdrawn(Payload):
    complaint_id: UUID
    withdrawn_on: date


class PersonalDataErased(Payload):
    """The complainant's key was destroyed (GDPR Art 17): every sealed value of theirs now reads as erased.
    The complaint stays in its case; nobody can write to its complainant any more."""

    complaint_id: UUID
    erased_on: date


# What a case keeps of a complaint it takes in, beside its kind (version 2 of case.opened and complaint.linked):
# what gathers complaints alike into a campaign, and counts them in the annual report.
CATEGORY_FIELD: Any = Field(  # Any: each model declares the field as ComplaintCategory | None
    default=None, description="the complaint's category; absent from events recorded before it was kept"
)
BODY_KEY_FIELD: Any = Field(
    default=None,
    max_length=200,
    description="the key of the Art 80 body that lodged it; absent for a data subject's own complaint or an alert",
)


class CaseOpened(Payload):
    """Version 3: the content the complaint was recorded without (version 2 had none missing). Version 2: the
    complaint's category and Art 80 body."""

    case_id: UUID
    controller: Controller
    complaint_id: UUID
    complaint_kind: ComplaintKind
    opened_on: date
    category: ComplaintCategory | None = CATEGORY_FIELD
    body_key: str | None = BODY_KEY_FIELD
    missing_content: tuple[MissingContent, ...] = MISSING_CONTENT_FIELD


class ComplaintLinked(Payload):
    """Version 3: the content the complaint was recorded without (version 2 had none missing). Version 2: the
    complaint's category and Art 80 body."""

    case_id: UUID
    complaint_id: UUID
    complaint_kind: ComplaintKind
    received_on: date
    category: ComplaintCategory | None = CATEGORY_FIELD
    body_key: str | None = BODY_KEY_FIELD
    missing_content: tuple[MissingContent, ...] = MISSING_CONTENT_FIELD


class InvestigationOpened(Payload):
    """The President's decision to carry out checks (loi 78-17 art 19; the CNIL's President decided the checks on
    Clearview AI by decision n° 2020-116C of 26 August 2020). Version 2 carries the decision's reference; version 1
    did not."""

    case_id: UUID
    opened_on: date
    scope: Text
    decision_reference: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None,
        description="the reference of the President's decision, e.g. 2020-116C; absent from version 1 events",
    )


# How a check was carried out: a questionnaire (contrôle sur pièces), online, on site, or by summoning the controller
# to a hearing (audition).
CheckKind = Literal["questionnaire", "online", "on_site", "hearing"]


class CheckRecorded(Payload):
    """A check carried out in the investigation: a questionnaire sent to the controller (Clearview AI's, on 27 October
    2020), an online or on-site check, or a hearing of the controller."""

    case_id: UUID
    check_id: UUID
    kind: CheckKind
    carried_out_on: date
    description: Text


class FindingRecorded(Payload):
    case_id: UUID
    finding_id: UUID
    articles: Annotated[tuple[GdprArticle, ...], Field(min_length=1)]
    facts: Text


Art58Point = Literal["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]


class Order(Payload):
    """One corrective order: the point of GDPR Art 58(2) it rests on, and what the controller must do."""

    point: Art58Point
    text: Text


class TimeLimit(Payload):
    """A time limit of so many days or so many months (one of the two), counted from the day an act reached its
    addressee: `months` ends on the same day of the month that many months later (or the month's last day)."""

    days: Annotated[int, Field(ge=1, le=3650)] | None = None
    months: Annotated[int, Field(ge=1, le=120)] | None = None

    @model_validator(mode="after")
    def _days_or_months(self) -> TimeLimit:
        if (self.days is None) == (self.months is None):
            raise ValueError("a time limit is a number of days or a number of months")
        return self

    @property
    def words(self) -> str:
        """ "two months", "10 days": the time limit as a letter says it."""
        count, unit = (self.days, "day") if self.days is not None else (self.months, "month")
        assert count is not None
        return f"{NUMBERS.get(count, str(count))} {unit}{'s' if count > 1 else ''}"


NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 6: "six"}


class WarningIssued(Payload):
    """The President warned the controller that the processing it intends is likely to infringe the GDPR (GDPR Art
    58(2)(a); loi 78-17 art 20 I): a measure of its own, which the case may close on."""

    case_id: UUID
    warning_id: UUID
    decided_on: date
    reference: Annotated[str, Field(min_length=1, max_length=100)]
    articles: Annotated[
        tuple[GdprArticle, ...], Field(min_length=1, description="the articles the intended processing would infringe")
    ]
    intended_processing: Text


class FormalNoticeIssued(Payload):
    """The President's formal notice (loi 78-17 art 20 II). Version 3: its reference (MED-2021-134), its time limit,
    which runs from the day the controller receives it (décret 2019-536 art 38), so that its deadline is fixed by
    its notification (formal_notice.notified), and whether urgency was invoked for a time limit under ten days.
    Version 2 fixed a compliance deadline at issue; version 1 also had plain strings for orders."""

    case_id: UUID
    notice_id: UUID
    orders: Annotated[tuple[Order, ...], Field(min_length=1, description="orders under GDPR Art 58(2)")]
    issued_on: date
    reference: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="the President's decision, e.g. MED-2021-134; absent from earlier versions"
    )
    time_limit: TimeLimit | None = Field(
        default=None, description="to comply, from the day the controller receives the notice; absent before v3"
    )
    urgency: bool = Field(default=False, description="urgency invoked: the time limit may be under ten days")
    compliance_deadline: date | None = Field(
        default=None,
        description=(
            "the deadline fixed at issue, in events before version 3; since, the notification fixes it from the "
            "time limit"
        ),
    )

    @model_validator(mode="after")
    def _a_time_limit_or_a_deadline(self) -> FormalNoticeIssued:
        if (self.time_limit is None) == (self.compliance_deadline is None):
            raise ValueError("a formal notice gives a time limit (or, before version 3, a compliance deadline)")
        return self


class FormalNoticeExtended(Payload):
    """The President extended the formal notice's time limit, once, where the complexity of the case justifies it
    (décret 2019-536 art 38)."""

    case_id: UUID
    notice_id: UUID
    decided_on: date
    extension: TimeLimit
    reasons: Text
    compliance_deadline: date | None = Field(
        default=None, description="the deadline now, once the notice was notified; else fixed by its notification"
    )


class FormalNoticeComplied(Payload):
    case_id: UUID
    notice_id: UUID
    complied_on: date


class FormalNoticeExpirySuperseded(Payload):
    """Compliance dated on or before the deadline was recorded after the timer had found the deadline passed:
    the expiry stays in the record, marked superseded by that compliance."""

    case_id: UUID
    notice_id: UUID
    complied_on: date


class FormalNoticeDeadlineExpired(Payload):
    case_id: UUID
    notice_id: UUID
    deadline: date
    detected_at: datetime


# Where a fine's cap comes from: a paragraph of GDPR Art 83, or, for a provision of French law that is not the GDPR's,
# loi Informatique et Libertés (loi 78-17) art 20 III 7°.
FineParagraph = Literal["83(4)", "83(5)", "83(6)", "loi-78-17-art-20-III-7"]
# A provision of French law a sanction may charge beside the GDPR's articles: loi 78-17 art 82 (cookies and other
# trackers on a user's terminal, transposing the ePrivacy directive).
NationalProvision = Literal["loi-78-17-art-82"]
# Non-compliance with an order of the authority: "58(1)" access it ordered under its investigative powers was not
# given (GDPR Art 83(5)(e)); "58(2)" a corrective order, such as a formal notice's, was not complied with (Art 83(6)).
OrderNotComplied = Literal["58(1)", "58(2)"]


class FineCap(Payload):
    """The cap that applied (GDPR Art 83, or loi 78-17 art 20 III 7°): the higher of a fixed amount and a share of
    turnover."""

    paragraph: FineParagraph
    fixed_eur: Euros
    turnover_percent: Annotated[int, Field(ge=0, le=100)]
    turnover_eur: Euros | None
    cap_eur: Euros


class Injunction(Payload):
    """Orders with a deadline: a day, or a period that runs from the decision's notification to the controller
    (then the deadline is fixed by sanction.notified)."""

    orders: Annotated[tuple[Order, ...], Field(min_length=1)]
    deadline: date | None = Field(
        default=None, description="the day by which to comply; absent when the deadline is a period from notification"
    )
    daily_penalty_eur: Euros
    days_after_notification: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        default=None,
        description=(
            "the deadline as a period: this many days after the day the decision is notified to the controller"
        ),
    )
    months_after_notification: Annotated[int, Field(ge=1, le=120)] | None = Field(
        default=None,
        description=("or this many months after it (the CNIL gave Clearview AI two months); since sanction.imposed v2"),
    )

    @model_validator(mode="after")
    def _a_deadline(self) -> Injunction:
        if self.deadline is None and self.period is None:
            raise ValueError("an injunction needs a deadline, days_after_notification or months_after_notification")
        return self

    @property
    def period(self) -> TimeLimit | None:
        """The deadline as a period from the decision's notification, if it is one."""
        if self.days_after_notification is not None:
            return TimeLimit(days=self.days_after_notification)
        if self.months_after_notification is not None:
            return TimeLimit(months=self.months_after_notification)
        return None


class ConductFined(Payload):
    """One sanctionable conduct of a sanction: what it infringed, its fine, and the cap of its gravest infringement,
    which bounds the whole fine for that conduct however many provisions it infringed (GDPR Art 83(3))."""

    articles_infringed: tuple[GdprArticle, ...] = ()
    orders_not_complied: tuple[OrderNotComplied, ...] = Field(
        default=(),
        description=(
            "orders of the authority not complied with: 58(1) access ordered under its investigative powers not given "
            "(Art 83(5)(e)); 58(2) a corrective order not complied with (Art 83(6))"
        ),
    )
    national_provisions: tuple[NationalProvision, ...] = Field(
        default=(),
        description="provisions of French law the conduct infringed (loi 78-17 art 82: cookies and trackers)",
    )
    fine_eur: Euros
    cap: FineCap

    @model_validator(mode="after")
    def _something_infringed(self) -> ConductFined:
        if not (self.articles_infringed or self.orders_not_complied or self.national_provisions):
            raise ValueError("a conduct infringes an article or a provision, or does not comply with an order")
        return self


# The procedure a decision was taken under. French law (loi Informatique et Libertés art 22-1) lets a case that
# raises no particular difficulty be decided by one member of the sanctions committee alone: a reprimand, a fine of
# at most EUR 20,000, an injunction with a penalty of at most EUR 100 a day; and such a decision is not made public.
Procedure = Literal["ordinary", "simplified"]
PROCEDURE_FIELD: Any = Field(  # Any: each model declares the field as Procedure
    default="ordinary",
    description=(
        "ordinary, or simplified (loi Informatique et Libertés art 22-1: a fine of at most EUR 20,000, a periodic "
        "penalty of at most EUR 100 a day, never made public)"
    ),
)


# --- the restricted committee's procedure (loi 78-17 art 22 and 22-1; décret 2019-536 arts 39-45-2) -----------

PersonName = Annotated[str, Field(min_length=1, max_length=200)]
DocumentName = Annotated[str, Field(min_length=1, max_length=300)]
# Who the President names as rapporteur: a member of the authority who does not sit on the restricted committee
# (loi 78-17 art 22, ordinary procedure), or an agent of its services (art 22-1, simplified procedure).
RapporteurKind = Literal["commissioner", "agent"]
# Who spoke at the hearing, in the order they spoke (décret 2019-536 art 42).
Speaker = Literal["rapporteur", "controller", "counsel", "expert", "government_commissioner", "witness"]


class Rapporteur(Payload):
    name: PersonName
    kind: RapporteurKind


class CaseReferred(Payload):
    """The President referred the case to the restricted committee and named its rapporteur (loi 78-17 art 22;
    décret 2019-536 art 39), under the ordinary procedure, or the simplified one (art 22-1), where a member of the
    committee decides alone."""

    case_id: UUID
    proceedings_id: UUID
    referred_on: date
    reference: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="the President's decision naming the rapporteur"
    )
    rapporteur: Rapporteur
    procedure: Procedure = PROCEDURE_FIELD
    deciding_member: PersonName | None = Field(
        default=None, description="simplified procedure: the member of the restricted committee who decides alone"
    )


class ReportNotified(Payload):
    """The rapporteur's report was notified to the controller, with the documents of the file it may consult and
    copy; its written observations are due one month later (décret 2019-536 art 40)."""

    case_id: UUID
    proceedings_id: UUID
    notified_on: date
    documents: Annotated[tuple[DocumentName, ...], Field(min_length=1, description="the documents of the file")]
    observations_due: date


class FileConsulted(Payload):
    """The controller consulted (and may have copied) documents of the file (décret 2019-536 art 40)."""

    case_id: UUID
    proceedings_id: UUID
    consulted_on: date
    documents: Annotated[tuple[DocumentName, ...], Field(min_length=1)]


class ObservationsExtended(Payload):
    """The president of the restricted committee extended the time limit for written observations (décret
    2019-536 art 40, as the CNIL describes it: where the complexity of the case justifies it)."""

    case_id: UUID
    proceedings_id: UUID
    decided_on: date
    observations_due: date
    reasons: Text


class ObservationsReceived(Payload):
    """The controller's written observations on the report were received (décret 2019-536 art 40)."""

    case_id: UUID
    proceedings_id: UUID
    received_on: date


class RapporteurAnswered(Payload):
    """The rapporteur answered the controller's observations (décret 2019-536 art 40)."""

    case_id: UUID
    proceedings_id: UUID
    answered_on: date


class ControllerReplied(Payload):
    """The controller replied to the rapporteur's answer: its last word in writing (décret 2019-536 art 40)."""

    case_id: UUID
    proceedings_id: UUID
    replied_on: date


class ControllerSummoned(Payload):
    """The controller was told of the hearing's day and that it may be heard (décret 2019-536 arts 40-41)."""

    case_id: UUID
    proceedings_id: UUID
    summoned_on: date = Field(description="the day the summons reached the controller")
    hearing_on: date


class HearingHeld(Payload):
    """The restricted committee heard the case: who spoke, in order, the controller able to speak last (décret
    2019-536 art 42), and whether the hearing was public."""

    case_id: UUID
    proceedings_id: UUID
    held_on: date
    public: bool
    speakers: Annotated[tuple[Speaker, ...], Field(min_length=1, max_length=20)]


# A decision of the restricted committee reached by its deliberation.
DeliberatedDecision = Literal["sanction", "reprimand"]


class CommitteeDeliberated(Payload):
    """The restricted committee deliberated, its members recorded and the rapporteur not among them (loi 78-17
    art 22); under the simplified procedure, the one member designated decided alone (art 22-1). The decision it
    reached follows (sanction.imposed or reprimand.issued)."""

    case_id: UUID
    proceedings_id: UUID
    deliberated_on: date
    reference: Annotated[str, Field(min_length=1, max_length=100)] = Field(description="e.g. SAN-2022-019")
    members: Annotated[tuple[PersonName, ...], Field(min_length=1, max_length=6)]
    procedure: Procedure = PROCEDURE_FIELD
    decision: DeliberatedDecision
    decision_id: UUID


class SimplifiedProcedureInterrupted(Payload):
    """The member deciding under the simplified procedure refused or interrupted it; the President may take the
    case up again under the ordinary procedure, every document staying on file (loi 78-17 art 22-1)."""

    case_id: UUID
    proceedings_id: UUID
    interrupted_on: date
    reasons: Text


class SanctionImposed(Payload):
    """Version 2: a conduct may infringe a provision of French law (national_provisions, loi 78-17 art 82), capped
    by loi 78-17 art 20 III 7°; articles_infringed may then be empty. Version 1 charged GDPR articles only."""

    case_id: UUID
    sanction_id: UUID
    decided_on: date
    fine_eur: Euros
    articles_infringed: tuple[GdprArticle, ...] = Field(
        description=(
            "every GDPR article infringed; 58 when non-compliance with an order of the authority is charged (see "
            "conducts)"
        ),
    )
    national_provisions: tuple[NationalProvision, ...] = Field(
        default=(), description="every provision of French law infringed (loi 78-17 art 82: cookies and trackers)"
    )
    cap: FineCap = Field(
        description=(
            "the cap of the gravest conduct; with several separate conducts, each conduct's fine is within its own cap "
            "and the fine, their sum, within the sum of their caps"
        )
    )
    injunction: Injunction | None = None
    conducts: tuple[ConductFined, ...] | None = Field(
        default=None,
        min_length=1,
        description=(
            "the conducts fined, each within the cap of its gravest infringement (Art 83(3)), their fines adding up to "
            "fine_eur; absent from events recorded before conducts were kept, which fined one conduct of "
            "articles_infringed"
        ),
    )
    procedure: Procedure = PROCEDURE_FIELD

    @model_validator(mode="after")
    def _something_infringed(self) -> SanctionImposed:
        if not self.articles_infringed and not self.national_provisions:
            raise ValueError("a sanction names a GDPR article or a provision of French law infringed")
        return self


class ReprimandIssued(Payload):
    """A reprimand (GDPR Art 58(2)(b)): a corrective measure of its own, decided by the sanctions committee, that
    finds the infringements and closes the procedure without a fine."""

    case_id: UUID
    reprimand_id: UUID
    decided_on: date
    articles_infringed: Annotated[tuple[GdprArticle, ...], Field(min_length=1)]
    reasons: Text
    procedure: Procedure = PROCEDURE_FIELD


# A decision of the authority that may be made public, and who decides to make it public: the bureau, at the
# President's request, for a formal notice (loi 78-17 art 20 II); the restricted committee for its own measures
# (loi 78-17 art 22), a liquidation of a penalty payment among them.
PublishedDecision = Literal["formal_notice", "sanction", "reprimand", "liquidation"]
PublicationAuthority = Literal["bureau", "restricted_committee"]


class PublicationMade(Payload):
    """The authority made one of its decisions public, until a day when the controller's name is removed (the CNIL
    made its formal notice to Clearview AI public on 16 December 2021, and the liquidation of its penalty payment
    on 10 May 2023). A decision taken under the simplified procedure is never made public; a decision the court
    reformed is made public again once, in the same form (`republishes`)."""

    case_id: UUID
    publication_id: UUID
    decision: PublishedDecision
    decision_id: UUID = Field(
        description="the notice_id, sanction_id, reprimand_id or liquidation_id of the decision made public"
    )
    decision_dated: date = Field(
        description=(
            "the day of that decision: a formal notice's issue, a sanction's, a reprimand's or a liquidation's decision"
        )
    )
    published_on: date
    decided_by: PublicationAuthority = Field(
        description=(
            "who decided to make it public: the bureau at the President's request (a formal notice, loi 78-17 art 20 "
            "II) or the restricted committee (its own measures, loi 78-17 art 22)"
        )
    )
    anonymised_on: date | None = Field(
        description=(
            "the day the controller's name is removed from the publication: a publication with no end is excessive "
            "(Conseil d'État, 28 September 2016, n° 389448); null only in publications recorded before it was kept"
        )
    )
    republishes: UUID | None = Field(
        default=None,
        description="the publication of the same decision before the court reformed it, when this one follows it",
    )

    @model_validator(mode="after")
    def _anonymised_after_published(self) -> PublicationMade:
        if self.anonymised_on is not None and self.anonymised_on <= self.published_on:
            raise ValueError("a publication is anonymised after the day it is made")
        return self


class PublicationWithdrawn(Payload):
    """A publication was withdrawn (taken down, or anonymised when the period set for it ended): the decision
    stands, but is no longer public under the controller's name."""

    case_id: UUID
    publication_id: UUID
    decision: PublishedDecision
    decision_id: UUID
    withdrawn_on: date
    reasons: Text


# A decision the controller may appeal before the Conseil d'État, and what the court may rule.
AppealableDecision = Literal["sanction", "reprimand"]
AppealOutcome = Literal["dismissed", "annulled", "fine_reduced"]


class AppealLodged(Payload):
    """The controller appealed a sanction or a reprimand before the Conseil d'État, the court that hears appeals
    against the CNIL's decisions. The appeal does not suspend the decision; the case cannot close until the court
    has ruled."""

    case_id: UUID
    appeal_id: UUID
    decision: AppealableDecision
    decision_id: UUID = Field(description="the sanction_id or reprimand_id appealed")
    decision_dated: date = Field(description="the day of the decision appealed")
    lodged_on: date


class AppealDecided(Payload):
    """The court ruled on an appeal. dismissed: the decision stands. annulled: it no longer stands (a sanction's fine,
    injunction and periodic penalty payment fall with it) and the case goes back to where it stood before the
    decision, to be decided again or closed. fine_reduced: the sanction stands, with the fine the court set."""

    case_id: UUID
    appeal_id: UUID
    decision: AppealableDecision
    decision_id: UUID
    decision_dated: date
    decided_on: date
    outcome: AppealOutcome
    fine_eur: Euros | None = Field(default=None, description="the fine as the court reduced it; only with fine_reduced")

    @model_validator(mode="after")
    def _a_fine_with_a_reduction_only(self) -> AppealDecided:
        if (self.fine_eur is None) == (self.outcome == "fine_reduced"):
            raise ValueError("a ruling that reduces the fine sets the fine, and no other ruling sets one")
        return self


class PenaltyPaymentImposed(Payload):
    case_id: UUID
    sanction_id: UUID
    daily_rate_eur: Euros
    accrues_from: date


class FormalNoticeNotified(Payload):
    """The formal notice was notified to the controller, on `notified_on`. Version 2: the deadline this fixes, the
    notice's time limit (and extension) from that day (décret 2019-536 art 38); absent for a notice that fixed its
    deadline at issue, and from version 1 events."""

    case_id: UUID
    notice_id: UUID
    notified_on: date
    compliance_deadline: date | None = None


class SanctionNotified(Payload):
    """The sanction decision was notified to the controller, on `notified_on`; an injunction whose deadline is
    a period from notification gets its deadline here."""

    case_id: UUID
    sanction_id: UUID
    notified_on: date
    injunction_deadline: date | None = Field(
        default=None,
        description="the injunction's deadline, fixed by this notification (its period after it)",
    )


class InjunctionComplied(Payload):
    """The controller complied with a sanction's injunction: its periodic penalty stops accruing that day."""

    case_id: UUID
    sanction_id: UUID
    complied_on: date


class InjunctionEnded(Payload):
    """The restricted committee ended a sanction's injunction: its periodic penalty stops accruing that day, as it
    would on compliance; the days that accrued until then are still liquidated."""

    case_id: UUID
    sanction_id: UUID
    ended_on: date
    reasons: Text


class LiquidationOpened(Payload):
    """The written procedure before a liquidation (décret 2019-536 art 44): the restricted committee notified the
    controller of the reasons of the liquidation it envisages and of its amount; the controller has fifteen days
    to answer in writing."""

    case_id: UUID
    sanction_id: UUID
    liquidation_id: UUID
    opened_on: date = Field(description="the day the reasons and the envisaged amount were notified")
    period_start: date
    period_end: date
    days_counted: Annotated[int, Field(ge=1)]
    convention: Text
    maximum_eur: Euros = Field(description="the days counted times the daily rate: the most the liquidation may be")
    envisaged_amount_eur: Euros
    reasons: Text
    observations_due: date


class LiquidationObservationsReceived(Payload):
    """The controller's written observations on the envisaged liquidation were received (décret 2019-536 art 44)."""

    case_id: UUID
    sanction_id: UUID
    liquidation_id: UUID
    received_on: date


class PenaltyPaymentLiquidated(Payload):
    """The restricted committee liquidated the periodic penalty payment for a period: version 2 ties it to its
    written procedure (liquidation_id) and carries its reasons, its reference and the most it could be (days x
    rate, maximum_eur), the amount being up to that (décret 2019-536 art 44). Version 1 carried none of these and
    the amount was days x rate."""

    case_id: UUID
    sanction_id: UUID
    period_start: date
    period_end: date
    days_counted: Annotated[int, Field(ge=0)]
    convention: Text
    amount_eur: Euros
    decided_on: date | None = Field(
        default=None,
        description=(
            "the day of the liquidation decision; absent from events recorded before it was kept, whose "
            "period_end stands in for it"
        ),
    )
    liquidation_id: UUID | None = Field(default=None, description="the liquidation opened; absent from version 1")
    maximum_eur: Euros | None = Field(default=None, description="days counted x daily rate; absent from version 1")
    reference: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="the decision's reference, e.g. SAN-2023-005"
    )
    reasons: Text | None = None

    @property
    def decision_day(self) -> date:
        """The day the liquidation was decided (the period's end for an event recorded without it)."""
        return self.decided_on or self.period_end


class CaseClosed(Payload):
    """Version 2: a case may close as warned (the President's warning); version 1 had no such outcome."""

    case_id: UUID
    outcome: CaseOutcome
    reasons: Text
    closed_on: date


class NotificationRecorded(Payload):
    """Version 2: a letter to a complainant carries its subject line and its text, sealed with the
    complainant's key, so that what Docket told them can be given back on an access request."""

    notification_id: UUID
    source_event_id: str
    source_event_type: str
    channel: Literal["letter", "email", "webhook"]
    recipient_role: Literal["complainant", "controller", "staff", "integrator"]
    case_id: UUID | None = None
    complaint_id: UUID | None = None
    title: Annotated[str, Field(max_length=300)] | None = Field(default=None, description="the letter's subject line")
    text: Personal | None = Field(default=None, description="the letter to a complainant, sealed")


class NotificationSent(Payload):
    """A notification's e-mail was sent. A letter to a complainant about progress told them of it that day
    (GDPR Art 78(2)): the case service restarts their three months from it."""

    notification_id: UUID
    source_event_type: str = Field(max_length=200, description="the type of the event the notification is about")
    recipient_role: Literal["complainant", "controller", "staff", "integrator"]
    case_id: UUID | None = None
    complaint_id: UUID | None = None
    sent_at: datetime
    sent_on: date = Field(description="the regulator's calendar day of sent_at")


# --- the checkpoints of the case record ---------------------------------------------------------------------

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="a SHA-256, 64 lower-case hex digits")]
# Heads one checkpoint signs at most: about 130 bytes each, so a checkpoint stays well under Kafka's 1 MB.
CHECKPOINT_HEADS = 1000


class CheckpointedHead(Payload):
    """Where a case stream stood when it was checkpointed: its last version and that event's hash (the
    `hash` of the event in the case's history, which chains every event before it)."""

    case_id: UUID
    version: int = Field(ge=1)
    hash: Sha256


class CheckpointSigned(Payload):
    """The case service's signed statement of where the case streams stood: the head of every stream appended
    to since the previous checkpoint (once its events were on docket.cases), numbered and chained to the
    previous checkpoint. The signature covers the payload without `signature`, as sorted-key compact JSON in
    UTF-8; see docket_contracts.checkpoints."""

    sequence: int = Field(ge=1, description="the checkpoint's number: one more than the previous one's")
    previous: Sha256 = Field(description="the SHA-256 of the previous checkpoint's statement; 64 zeros for the first")
    signed_at: datetime
    heads: list[CheckpointedHead] = Field(min_length=1, max_length=CHECKPOINT_HEADS)
    key_id: str = Field(
        min_length=1,
        max_length=100,
        description="the `kid` of the signing key in the case service's JWKS (GET /.well-known/jwks.json)",
    )
    algorithm: Literal["EdDSA"] = Field(default="EdDSA", description="Ed25519 (RFC 8037)")
    signature: str = Field(
        pattern=r"^[A-Za-z0-9_-]*$",
        max_length=200,
        description="base64url (no padding) of the Ed25519 signature of the statement",
    )


# --- a complaint's own handling, and who holds what ---------------------------------------------------------

# Who holds a case or a complaint: a staff member by the subject of their tokens, a team by a group the identity
# provider puts in their tokens, both (a member of the team), or neither (nobody: the item waits to be taken).
StaffSubject = Annotated[str, Field(min_length=1, max_length=200, description="the subject (sub) of the staff member")]
TeamName = Annotated[
    str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._-]*$", description="a team: a group")
]
# The most complaints one request of a campaign handles, and so one letter to a controller names.
CAMPAIGN_MAX = 1_000


class CaseAssigned(Payload):
    """Who holds the case from now on (a reassignment is the same fact again; neither staff nor team: released)."""

    case_id: UUID
    staff: StaffSubject | None = None
    team: TeamName | None = None
    assigned_on: date


class ComplaintAssigned(Payload):
    """Who holds the complaint from now on (a reassignment is the same fact again; neither: released)."""

    case_id: UUID
    complaint_id: UUID
    staff: StaffSubject | None = None
    team: TeamName | None = None
    assigned_on: date


# Why a complaint is not admissible: the closed list, each resting on its source.
#   not_personal_data: what it is about is not personal data (GDPR Art 4(1)), nor processing of the
#       complainant's own data (Art 77(1)).
#   outside_competence: nothing this authority supervises, e.g. courts acting in their judicial capacity
#       (Art 55(3)) or another field of law; a complaint another authority is competent for is transferred
#       to it instead (complaint_transferred).
#   no_prior_request: a complaint about the complainant's rights (Arts 15-22) made before asking the controller
#       (CNIL doctrine; no statutory text found: see services/case/domain/admissibility.py).
#   manifestly_unfounded_or_excessive: GDPR Art 57(4), the authority bearing the burden of showing it; never
#       for the number of complaints alone (CJEU C-416/23).
#   duplicate: the same complaint lodged again (it names the complaint it repeats).
#   cross_border_content_missing: a complaint about cross-border processing recorded without content Regulation
#       2025/2518 art 4(1) requires (it names what is missing), declared inadmissible within two weeks of receipt
#       (art 4(2), as reported).
InadmissibilityReason = Literal[
    "not_personal_data",
    "outside_competence",
    "no_prior_request",
    "manifestly_unfounded_or_excessive",
    "duplicate",
    "cross_border_content_missing",
]
Admissibility = Literal["admissible", "inadmissible"]


class ComplaintAdmissibilityDecided(Payload):
    """The authority decided whether the complaint is admissible. An inadmissible complaint ends there, with
    its reason from the closed list and the reasons in words (an unfavourable decision gives its reasons).
    Version 2: the reason cross_border_content_missing, with the content missing (version 1 had neither)."""

    case_id: UUID
    complaint_id: UUID
    decision: Admissibility
    reason: InadmissibilityReason | None = None
    reasons: Text | None = None
    duplicate_of: UUID | None = Field(default=None, description="with duplicate only: the complaint it repeats")
    missing_content: tuple[MissingContent, ...] = Field(
        default=(),
        description="with cross_border_content_missing only: what Regulation 2025/2518 art 4(1) (as reported) "
        "requires and the complaint lacks",
    )
    decided_on: date

    @model_validator(mode="after")
    def _reasons_with_inadmissibility(self) -> ComplaintAdmissibilityDecided:
        if self.decision == "inadmissible" and (self.reason is None or self.reasons is None):
            raise ValueError("an inadmissible complaint has a reason and reasons")
        if self.decision == "admissible" and self.reason is not None:
            raise ValueError("an admissible complaint has no reason of inadmissibility")
        if (self.duplicate_of is not None) != (self.reason == "duplicate"):
            raise ValueError("a duplicate names the complaint it repeats, and nothing else does")
        if bool(self.missing_content) != (self.reason == "cross_border_content_missing"):
            raise ValueError(
                "missing content names what a cross-border complaint lacks (Regulation 2025/2518 art 4(1)-(2), as "
                "reported), and nothing else does"
            )
        return self


class ControllerAskedToAct(Payload):
    """The authority wrote to the controller once about complaints of the case, asking it to act on them and to
    answer by a day: the one letter to the controller (each complaint has its complaint_controller_asked)."""

    case_id: UUID
    letter_id: UUID
    complaint_ids: Annotated[tuple[UUID, ...], Field(min_length=1, max_length=CAMPAIGN_MAX)]
    request: Text
    asked_on: date
    answer_due: date


class ComplaintControllerAsked(Payload):
    """The controller was asked to act on this complaint (in letter_id) and to answer by answer_due."""

    case_id: UUID
    complaint_id: UUID
    letter_id: UUID
    asked_on: date
    answer_due: date


class ControllerAnswerOverdue(Payload):
    """The controller did not answer the letter by its day (found by a durable timer): it is reminded."""

    case_id: UUID
    letter_id: UUID
    answer_due: date
    detected_at: datetime


class ComplaintControllerAnswered(Payload):
    """The controller's answer to the letter about this complaint was recorded: what it says it did."""

    case_id: UUID
    complaint_id: UUID
    letter_id: UUID
    answered_on: date
    summary: Text


class ComplaintJoinedInvestigation(Payload):
    """The complaint joined the case's investigation: it ends with the case, unless closed before."""

    case_id: UUID
    complaint_id: UUID
    joined_on: date


class ComplaintTransferred(Payload):
    """The complaint was sent to the authority competent for it (which, why); the exchange itself is the
    cooperation's. It ends here."""

    case_id: UUID
    complaint_id: UUID
    authority: Annotated[str, Field(min_length=1, max_length=300, description="the authority it was sent to")]
    authority_country: CountryCode
    reasons: Text
    transferred_on: date


# Why a complaint was closed on its own (its case may go on): resolved after the controller acted on the
# authority's letter; no infringement found; withdrawn by the complainant; not pursued by the authority.
ComplaintClosure = Literal["resolved", "no_infringement", "withdrawn", "not_pursued"]


class ComplaintClosed(Payload):
    """The complaint was closed with its reason and the reasons in words; its case may go on."""

    case_id: UUID
    complaint_id: UUID
    reason: ComplaintClosure
    reasons: Text
    closed_on: date
