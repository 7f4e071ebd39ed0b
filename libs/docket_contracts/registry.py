"""Which events exist: type name, payload model, schema version, topic and producer.

`EVENTS` is the single list the codec, the consumers and the AsyncAPI export read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from . import cooperation as co
from . import events as ev
from . import topics
from .envelope import CloudEvent

TYPE_PREFIX = "docket"

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class EventSpec:
    """One event type of the contract."""

    name: str  # "<aggregate>.<event>", e.g. "case.opened"
    payload: type[ev.Payload]
    topic: str
    producer: str
    summary: str
    version: int = 1
    # upcasters[n] turns a version-n payload into version n+1
    upcasters: Mapping[int, Upcaster] | None = None

    @property
    def type(self) -> str:
        return f"{TYPE_PREFIX}.{self.name}"

    @property
    def dataschema(self) -> str:
        return dataschema(self.type, self.version)


def dataschema(event_type: str, version: int) -> str:
    return f"urn:docket:schema:{event_type}:v{version}"


def _spec(
    name: str,
    payload: type[ev.Payload],
    topic: str,
    producer: str,
    summary: str,
    version: int = 1,
    upcasters: Mapping[int, Upcaster] | None = None,
) -> EventSpec:
    return EventSpec(
        name=name,
        payload=payload,
        topic=topic,
        producer=producer,
        summary=summary,
        version=version,
        upcasters=upcasters,
    )


def _no_complaint_named(data: dict[str, Any]) -> dict[str, Any]:
    """cooperation.competence_confirmed v1 -> v2: the confirmation names no transmitted complaint."""
    return {**data, "complaint_reference": None}


def _orders_name_their_point(data: dict[str, Any]) -> dict[str, Any]:
    """formal_notice.issued v1 -> v2: a plain order becomes an Art 58(2)(d) order, the point under which
    a controller is ordered to bring processing into compliance within a period."""
    return {**data, "orders": [{"point": "d", "text": text} for text in data["orders"]]}


def _no_time_limit(data: dict[str, Any]) -> dict[str, Any]:
    """formal_notice.issued v2 -> v3: v2 fixed its compliance deadline at issue; it keeps it, with no time limit
    and no reference."""
    return data


def _no_deadline_fixed(data: dict[str, Any]) -> dict[str, Any]:
    """formal_notice.notified v1 -> v2: the deadline of a v1 notification was the one its notice fixed at issue."""
    return data


def _personal_data_withheld(data: dict[str, Any]) -> dict[str, Any]:
    """complaint.filed v1 -> v2: v1 carried the complainant's name and address in clear. A pure upcaster
    holds no key to seal them, so they are withheld (an empty sealed value, which reads as erased)."""
    withheld = {"subject": data["complaint_id"], "ciphertext": ""}
    return {**data, "complainant": {**data["complainant"], "name": withheld, "email": withheld}}


def _no_national_provisions(data: dict[str, Any]) -> dict[str, Any]:
    """sanction.imposed v1 -> v2: v1 charged GDPR articles only; v2's national_provisions default to none."""
    return data


def _no_decision_reference(data: dict[str, Any]) -> dict[str, Any]:
    """investigation.opened v1 -> v2: v1 kept no reference of the President's decision to carry out checks."""
    return data


def _no_warning(data: dict[str, Any]) -> dict[str, Any]:
    """case.closed v1 -> v2: v2 adds the outcome warned; every v1 outcome is still one."""
    return data


def _no_written_procedure(data: dict[str, Any]) -> dict[str, Any]:
    """penalty_payment.liquidated v1 -> v2: v1 had no written procedure, reasons or reference to carry."""
    return data


def _publisher_by_decision(data: dict[str, Any]) -> dict[str, Any]:
    """publication.made v1 -> v2: v1 kept neither who decided the publication nor when the controller's name is
    removed. Who decides follows from the decision (the bureau for a formal notice, the restricted committee for
    its measures); no day of anonymisation was set."""
    decided_by = "bureau" if data["decision"] == "formal_notice" else "restricted_committee"
    return {**data, "decided_by": decided_by, "anonymised_on": None}


def _liquidations_published(data: dict[str, Any]) -> dict[str, Any]:
    """publication.withdrawn v1 -> v2: v2 adds the liquidation to the decisions; every v1 decision is still one."""
    return data


def _no_letter(data: dict[str, Any]) -> dict[str, Any]:
    """notification.recorded v1 -> v2: no letter text was carried."""
    return data


def _written_in_english(data: dict[str, Any]) -> dict[str, Any]:
    """complaint.filed v2 -> v3: its complainant was written to in English, the only language letters had; no
    body was named (a body's complaint of v2 keeps its name sealed as its complainant's)."""
    return {**data, "language": "en", "body": None}


def _no_constitution_proof(data: dict[str, Any]) -> dict[str, Any]:
    """complaint.filed v3 -> v4: no body's proof of constitution was asked for (Regulation 2025/2518 art 4(1)(b))."""
    return {**data, "constitution_proof": None}


def _category_not_kept(data: dict[str, Any]) -> dict[str, Any]:
    """case.opened and complaint.linked v1 -> v2: neither the complaint's category nor its body was kept."""
    return {**data, "category": None, "body_key": None}


def _content_complete(data: dict[str, Any]) -> dict[str, Any]:
    """case.opened and complaint.linked v2 -> v3: no complaint was taken in without art 4(1)'s content
    (Regulation 2025/2518 art 4(2)); v3's missing_content defaults to none."""
    return data


def _no_content_missing(data: dict[str, Any]) -> dict[str, Any]:
    """case.complaint_admissibility_decided v1 -> v2: v2 adds the reason cross_border_content_missing and the
    content it names missing; no v1 decision had either."""
    return data


EVENTS: tuple[EventSpec, ...] = (
    _spec(
        "complaint.filed",
        ev.ComplaintFiled,
        topics.COMPLAINTS,
        "intake",
        "A submission (complaint, mandated or unmandated body's complaint, or alert) was lodged.",
        version=4,
        upcasters={1: _personal_data_withheld, 2: _written_in_english, 3: _no_constitution_proof},
    ),
    _spec(
        "complaint.address_code_issued",
        ev.ComplaintAddressCodeIssued,
        topics.COMPLAINTS,
        "intake",
        "A code to prove the e-mail address a filing gave, sealed; published just before its complaint.filed. "
        "The notifier sends it to the address once, and nothing else until the address is proven.",
    ),
    _spec(
        "complaint.address_proven",
        ev.ComplaintAddressProven,
        topics.COMPLAINTS,
        "intake",
        "The complainant proved their e-mail address with the code sent to it: letters may go there now.",
    ),
    _spec(
        "complaint.withdrawn",
        ev.ComplaintWithdrawn,
        topics.COMPLAINTS,
        "intake",
        "The complainant withdrew the complaint.",
    ),
    _spec(
        "complaint.personal_data_erased",
        ev.PersonalDataErased,
        topics.COMPLAINTS,
        "intake",
        "The complainant's key was destroyed: their sealed personal data reads as erased everywhere.",
    ),
    _spec(
        "case.opened",
        ev.CaseOpened,
        topics.CASES,
        "case",
        "A case was opened on a controller from a first complaint.",
        version=3,
        upcasters={1: _category_not_kept, 2: _content_complete},
    ),
    _spec(
        "complaint.linked",
        ev.ComplaintLinked,
        topics.CASES,
        "case",
        "A further complaint was joined to the open case on the same controller.",
        version=3,
        upcasters={1: _category_not_kept, 2: _content_complete},
    ),
    _spec(
        "investigation.opened",
        ev.InvestigationOpened,
        topics.CASES,
        "case",
        "The President decided to carry out checks: the investigation of the case opens, with the decision's "
        "reference.",
        version=2,
        upcasters={1: _no_decision_reference},
    ),
    _spec(
        "check.recorded",
        ev.CheckRecorded,
        topics.CASES,
        "case",
        "An investigator recorded a check: a questionnaire to the controller, an online or on-site check, a hearing.",
    ),
    _spec(
        "finding.recorded",
        ev.FindingRecorded,
        topics.CASES,
        "case",
        "The investigation recorded a finding: articles breached and facts.",
    ),
    _spec(
        "warning.issued",
        ev.WarningIssued,
        topics.CASES,
        "case",
        "The President warned the controller that its intended processing is likely to infringe the GDPR (Art "
        "58(2)(a); loi 78-17 art 20 I).",
    ),
    _spec(
        "formal_notice.issued",
        ev.FormalNoticeIssued,
        topics.CASES,
        "case",
        "The President gave formal notice: Art 58(2) orders, a reference and a time limit that runs from the "
        "controller's receipt (décret 2019-536 art 38).",
        version=3,
        upcasters={1: _orders_name_their_point, 2: _no_time_limit},
    ),
    _spec(
        "formal_notice.extended",
        ev.FormalNoticeExtended,
        topics.CASES,
        "case",
        "The President extended the formal notice's time limit, once (décret 2019-536 art 38).",
    ),
    _spec(
        "formal_notice.complied",
        ev.FormalNoticeComplied,
        topics.CASES,
        "case",
        "The controller's compliance with the formal notice was recorded.",
    ),
    _spec(
        "formal_notice.deadline_expired",
        ev.FormalNoticeDeadlineExpired,
        topics.CASES,
        "case",
        "The compliance deadline passed without recorded compliance (emitted by a durable timer).",
    ),
    _spec(
        "formal_notice.expiry_superseded",
        ev.FormalNoticeExpirySuperseded,
        topics.CASES,
        "case",
        "Compliance dated by the deadline was recorded after the expiry: the expiry stands superseded "
        "(followed by formal_notice.complied).",
    ),
    _spec(
        "proceedings.referred",
        ev.CaseReferred,
        topics.CASES,
        "case",
        "The President referred the case to the restricted committee and named its rapporteur (loi 78-17 art 22; "
        "art 22-1 for the simplified procedure).",
    ),
    _spec(
        "proceedings.report_notified",
        ev.ReportNotified,
        topics.CASES,
        "case",
        "The rapporteur's report was notified to the controller with the file's documents; observations are due "
        "one month later (décret 2019-536 art 40).",
    ),
    _spec(
        "proceedings.file_consulted",
        ev.FileConsulted,
        topics.CASES,
        "case",
        "The controller consulted documents of the file.",
    ),
    _spec(
        "proceedings.observations_extended",
        ev.ObservationsExtended,
        topics.CASES,
        "case",
        "The president of the restricted committee extended the time limit for written observations.",
    ),
    _spec(
        "proceedings.observations_received",
        ev.ObservationsReceived,
        topics.CASES,
        "case",
        "The controller's written observations on the report were received.",
    ),
    _spec(
        "proceedings.rapporteur_answered",
        ev.RapporteurAnswered,
        topics.CASES,
        "case",
        "The rapporteur answered the controller's observations.",
    ),
    _spec(
        "proceedings.controller_replied",
        ev.ControllerReplied,
        topics.CASES,
        "case",
        "The controller replied to the rapporteur's answer.",
    ),
    _spec(
        "proceedings.controller_summoned",
        ev.ControllerSummoned,
        topics.CASES,
        "case",
        "The controller was told of the hearing's day, at least fifteen days before it.",
    ),
    _spec(
        "proceedings.hearing_held",
        ev.HearingHeld,
        topics.CASES,
        "case",
        "The restricted committee heard the case: who spoke, the controller able to speak last (décret 2019-536 "
        "art 42).",
    ),
    _spec(
        "proceedings.deliberated",
        ev.CommitteeDeliberated,
        topics.CASES,
        "case",
        "The restricted committee deliberated, its members recorded and the rapporteur not among them; the "
        "decision it reached follows.",
    ),
    _spec(
        "proceedings.simplified_interrupted",
        ev.SimplifiedProcedureInterrupted,
        topics.CASES,
        "case",
        "The simplified procedure was refused or interrupted; the case may be referred again under the ordinary one.",
    ),
    _spec(
        "sanction.imposed",
        ev.SanctionImposed,
        topics.CASES,
        "case",
        "A sanction was imposed: fine, infringed GDPR articles and provisions of French law, the cap applied (GDPR "
        "Art 83; loi 78-17 art 20 III 7°), the conducts fined each within the cap of its gravest infringement, an "
        "optional injunction.",
        version=2,
        upcasters={1: _no_national_provisions},
    ),
    _spec(
        "reprimand.issued",
        ev.ReprimandIssued,
        topics.CASES,
        "case",
        "A reprimand (GDPR Art 58(2)(b)) was issued: the infringements found, without a fine.",
    ),
    _spec(
        "publication.made",
        ev.PublicationMade,
        topics.CASES,
        "case",
        "The authority made a decision of the case public (a formal notice, a sanction, a reprimand or a "
        "liquidation) until the day the controller's name is removed; a reformed decision is made public again.",
        version=2,
        upcasters={1: _publisher_by_decision},
    ),
    _spec(
        "publication.withdrawn",
        ev.PublicationWithdrawn,
        topics.CASES,
        "case",
        "A publication was withdrawn: the decision stands, but is no longer public.",
        version=2,
        upcasters={1: _liquidations_published},
    ),
    _spec(
        "appeal.lodged",
        ev.AppealLodged,
        topics.CASES,
        "case",
        "The controller appealed a sanction or a reprimand before the Conseil d'État.",
    ),
    _spec(
        "appeal.decided",
        ev.AppealDecided,
        topics.CASES,
        "case",
        "The court ruled on the appeal: dismissed, the decision annulled, or the fine reduced.",
    ),
    _spec(
        "penalty_payment.imposed",
        ev.PenaltyPaymentImposed,
        topics.CASES,
        "case",
        "A periodic penalty payment starts accruing after the injunction's deadline.",
    ),
    _spec(
        "formal_notice.notified",
        ev.FormalNoticeNotified,
        topics.CASES,
        "case",
        "The formal notice was notified to the controller (the day it reached them), which fixes its deadline.",
        version=2,
        upcasters={1: _no_deadline_fixed},
    ),
    _spec(
        "sanction.notified",
        ev.SanctionNotified,
        topics.CASES,
        "case",
        "The sanction decision was notified to the controller; an injunction whose deadline runs from "
        "notification gets its deadline, and its penalty payment (penalty_payment.imposed) follows.",
    ),
    _spec(
        "injunction.complied",
        ev.InjunctionComplied,
        topics.CASES,
        "case",
        "The controller complied with the sanction's injunction; its penalty payment stops accruing.",
    ),
    _spec(
        "injunction.ended",
        ev.InjunctionEnded,
        topics.CASES,
        "case",
        "The restricted committee ended a sanction's injunction; its penalty payment stops accruing.",
    ),
    _spec(
        "liquidation.opened",
        ev.LiquidationOpened,
        topics.CASES,
        "case",
        "The reasons and the envisaged amount of a liquidation were notified to the controller, who has fifteen "
        "days to answer (décret 2019-536 art 44).",
    ),
    _spec(
        "liquidation.observations_received",
        ev.LiquidationObservationsReceived,
        topics.CASES,
        "case",
        "The controller's written observations on the envisaged liquidation were received.",
    ),
    _spec(
        "penalty_payment.liquidated",
        ev.PenaltyPaymentLiquidated,
        topics.CASES,
        "case",
        "The restricted committee liquidated the penalty payment after its written procedure: period, days "
        "counted, convention, the most it could be (days x rate) and the amount it fixed, with its reasons.",
        version=2,
        upcasters={1: _no_written_procedure},
    ),
    _spec(
        "case.closed",
        ev.CaseClosed,
        topics.CASES,
        "case",
        "The case was closed with an outcome and reasons.",
        version=2,
        upcasters={1: _no_warning},
    ),
    _spec(
        "notification.recorded",
        ev.NotificationRecorded,
        topics.NOTIFICATIONS,
        "notifier",
        "The notifier recorded a notification (letter, e-mail or webhook) for an event; a letter to a "
        "complainant carries its text, sealed.",
        version=2,
        upcasters={1: _no_letter},
    ),
    _spec(
        "notification.sent",
        ev.NotificationSent,
        topics.NOTIFICATIONS,
        "notifier",
        "A notification's e-mail was sent; a letter to a complainant about progress tells them of it that "
        "day, which restarts their GDPR Art 78(2) three months.",
    ),
    _spec(
        "checkpoint.signed",
        ev.CheckpointSigned,
        topics.CHECKPOINTS,
        "case",
        "The case service signed the head (version and hash) of every case stream appended to since its previous "
        "checkpoint, chained to that one: a witness of the case record outside its database. Keyed by "
        "docket.cases, so that the checkpoints stay in one partition, in order.",
    ),
    _spec(
        "case.assigned",
        ev.CaseAssigned,
        topics.CASES,
        "case",
        "The case was assigned to a staff member or a team (or released); a reassignment is the same event again.",
    ),
    _spec(
        "case.complaint_assigned",
        ev.ComplaintAssigned,
        topics.CASES,
        "case",
        "A complaint was assigned to a staff member or a team (or released); a reassignment is the same event again.",
    ),
    _spec(
        "case.complaint_admissibility_decided",
        ev.ComplaintAdmissibilityDecided,
        topics.CASES,
        "case",
        "A complaint was found admissible, or inadmissible with a reason from the closed list and reasons; an "
        "inadmissible complaint ends there.",
        version=2,
        upcasters={1: _no_content_missing},
    ),
    _spec(
        "case.controller_asked_to_act",
        ev.ControllerAskedToAct,
        topics.CASES,
        "case",
        "The authority wrote once to the controller about complaints of the case, asking it to act and to answer "
        "by a day.",
    ),
    _spec(
        "case.complaint_controller_asked",
        ev.ComplaintControllerAsked,
        topics.CASES,
        "case",
        "The controller was asked to act on a complaint (in the letter named) and to answer by a day.",
    ),
    _spec(
        "case.controller_answer_overdue",
        ev.ControllerAnswerOverdue,
        topics.CASES,
        "case",
        "The controller did not answer a letter by its day (emitted by a durable timer); it is reminded.",
    ),
    _spec(
        "case.complaint_controller_answered",
        ev.ComplaintControllerAnswered,
        topics.CASES,
        "case",
        "The controller's answer to the letter about a complaint was recorded.",
    ),
    _spec(
        "case.complaint_joined_investigation",
        ev.ComplaintJoinedInvestigation,
        topics.CASES,
        "case",
        "A complaint joined the case's investigation; it ends with the case unless closed before.",
    ),
    _spec(
        "case.complaint_transferred",
        ev.ComplaintTransferred,
        topics.CASES,
        "case",
        "A complaint was sent to the authority competent for it; it ends here.",
    ),
    _spec(
        "case.complaint_closed",
        ev.ComplaintClosed,
        topics.CASES,
        "case",
        "A complaint was closed with its reason (resolved, no infringement, withdrawn, not pursued); its case may "
        "go on.",
    ),
    _spec(
        "cooperation.frame_recorded",
        co.CooperationFrameRecorded,
        topics.CASES,
        "case",
        "This authority recorded the case's cooperation frame: cross-border or not and on which basis, the "
        "controller's establishment, its own part, the lead authority and the authorities concerned (GDPR Arts "
        "4(16), 4(22), 4(23), 55(2), 56).",
    ),
    _spec(
        "cooperation.local_case_notified",
        co.LocalCaseNotified,
        topics.CASES,
        "case",
        "A local case was notified to the lead authority, which decides within three weeks whether it handles it "
        "(GDPR Art 56(3)).",
    ),
    _spec(
        "cooperation.local_case_decided",
        co.LocalCaseDecided,
        topics.CASES,
        "case",
        "The lead authority decided whether it handles a local case under Art 60, or leaves it to the informing "
        "authority (GDPR Art 56(3)-(5)).",
    ),
    _spec(
        "cooperation.competence_confirmed",
        co.CompetenceConfirmed,
        topics.CASES,
        "case",
        "The lead authority confirmed its competence; for a complaint lodged or an investigation opened after 2 "
        "April 2027 the draft decision's time limit runs (Regulation 2025/2518 arts 4(6), 12, as reported).",
        version=2,
        upcasters={1: _no_complaint_named},
    ),
    _spec(
        "cooperation.investigation_extended",
        co.InvestigationExtended,
        topics.CASES,
        "case",
        "The lead authority extended a complex investigation's time limit (Regulation 2025/2518 art 12, as reported).",
    ),
    _spec(
        "cooperation.draft_decision_submitted",
        co.DraftDecisionSubmitted,
        topics.CASES,
        "case",
        "The lead authority submitted a draft decision, or a revised one, to the authorities concerned (GDPR Art "
        "60(3), (5)).",
    ),
    _spec(
        "cooperation.draft_agreed",
        co.DraftAgreed,
        topics.CASES,
        "case",
        "An authority concerned agreed with the draft decision.",
    ),
    _spec(
        "cooperation.objection_raised",
        co.ObjectionRaised,
        topics.CASES,
        "case",
        "An authority concerned raised a relevant and reasoned objection to the draft decision (GDPR Arts 60(4), "
        "4(24)).",
    ),
    _spec(
        "cooperation.draft_deemed_agreed",
        co.DraftDeemedAgreed,
        topics.CASES,
        "case",
        "An authority concerned did not object in time and is deemed to agree (GDPR Art 60(6); emitted by a "
        "durable timer).",
    ),
    _spec(
        "cooperation.decision_adopted",
        co.DecisionAdopted,
        topics.CASES,
        "case",
        "The final decision was adopted and notified (GDPR Art 60(7)-(9)).",
    ),
    _spec(
        "cooperation.assistance_requested",
        co.AssistanceRequested,
        topics.CASES,
        "case",
        "A request for mutual assistance, answered within one month of its receipt (GDPR Art 61).",
    ),
    _spec(
        "cooperation.assistance_answered",
        co.AssistanceAnswered,
        topics.CASES,
        "case",
        "The requested authority answered a request for mutual assistance, or refused it on a ground of Art 61(4).",
    ),
    _spec(
        "cooperation.joint_operation_requested",
        co.JointOperationRequested,
        topics.CASES,
        "case",
        "An invitation to a joint operation, or a request to take part in one (GDPR Art 62).",
    ),
    _spec(
        "cooperation.joint_operation_answered",
        co.JointOperationAnswered,
        topics.CASES,
        "case",
        "The answer about a joint operation (GDPR Art 62).",
    ),
    _spec(
        "cooperation.dispute_referred",
        co.DisputeReferred,
        topics.CASES,
        "case",
        "A dispute was referred to the Board (GDPR Art 65(1)); no decision on its subject until the Board's (Art "
        "65(4)).",
    ),
    _spec(
        "cooperation.board_period_extended",
        co.BoardPeriodExtended,
        topics.CASES,
        "case",
        "The Board extended its month by a further month (GDPR Art 65(2)).",
    ),
    _spec(
        "cooperation.board_decision_received",
        co.BoardDecisionReceived,
        topics.CASES,
        "case",
        "The Board's binding decision (GDPR Art 65), or its urgent opinion or decision (Art 66(4)), was notified.",
    ),
    _spec(
        "cooperation.provisional_measure_adopted",
        co.ProvisionalMeasureAdopted,
        topics.CASES,
        "case",
        "A provisional measure for three months at most (GDPR Art 66(1)), or after a month without answer (Arts "
        "61(8), 62(7)).",
    ),
    _spec(
        "cooperation.urgent_request_made",
        co.UrgentRequestMade,
        topics.CASES,
        "case",
        "An urgent opinion or binding decision was asked of the Board (GDPR Art 66(2)-(3)).",
    ),
    _spec(
        "cooperation.procedure_withdrawn",
        co.ProcedureWithdrawn,
        topics.CASES,
        "case",
        "The authority that opened a cooperation procedure withdrew it.",
    ),
    _spec(
        "cooperation.deadline_passed",
        co.DeadlinePassed,
        topics.CASES,
        "case",
        "A legal deadline of a cooperation procedure ran out without the step it waited for (emitted by a durable"
        " timer).",
    ),
    _spec(
        "cooperation.deadline_near",
        co.DeadlineNear,
        topics.CASES,
        "case",
        "A deadline of a cooperation procedure is a week away (emitted by a durable timer).",
    ),
    _spec(
        "cooperation.complaint_registered",
        co.CrossBorderComplaintRegistered,
        topics.CASES,
        "case",
        "A cross-border complaint lodged here, to transmit to the presumed lead authority within six weeks "
        "(Regulation 2025/2518 art 4, as reported).",
    ),
    _spec(
        "cooperation.complaint_transmitted",
        co.ComplaintTransmitted,
        topics.CASES,
        "case",
        "A cross-border complaint and its preliminary assessment were transmitted to the lead authority.",
    ),
    _spec(
        "cooperation.complaint_resolved_early",
        co.ComplaintResolvedEarly,
        topics.CASES,
        "case",
        "A cross-border complaint was resolved early: the infringement ended and the complainant does not object "
        "(Regulation 2025/2518 art 5, as reported).",
    ),
    _spec(
        "cooperation.preliminary_findings_sent",
        co.PreliminaryFindingsSent,
        topics.CASES,
        "case",
        "Preliminary findings were sent to a party, with its time to answer (Regulation 2025/2518, as reported).",
    ),
    _spec(
        "cooperation.party_views_received",
        co.PartyViewsReceived,
        topics.CASES,
        "case",
        "A party's views on the preliminary findings were received.",
    ),
    _spec(
        "cooperation.file_access_given",
        co.FileAccessGiven,
        topics.CASES,
        "case",
        "A party was given access to the administrative file, each document withheld named with its ground "
        "(Regulation 2025/2518 art 24, as reported).",
    ),
    _spec(
        "cooperation.key_issues_summarised",
        co.KeyIssuesSummarised,
        topics.CASES,
        "case",
        "The lead authority shared its summary of the key issues with the authorities concerned (Regulation "
        "2025/2518 art 10, as reported).",
    ),
    _spec(
        "cooperation.key_issues_commented",
        co.KeyIssuesCommented,
        topics.CASES,
        "case",
        "An authority concerned commented on the lead authority's summary of key issues (Regulation 2025/2518 art "
        "10, as reported).",
    ),
)

BY_TYPE: dict[str, EventSpec] = {spec.type: spec for spec in EVENTS}
BY_PAYLOAD: dict[type[ev.Payload], EventSpec] = {spec.payload: spec for spec in EVENTS}


class UnknownEventType(LookupError):
    """The event's type is not part of the contract."""


class SchemaViolation(ValueError):
    """The event's payload does not match its schema."""


def spec_of(payload: ev.Payload) -> EventSpec:
    return BY_PAYLOAD[type(payload)]


def new_event(
    payload: ev.Payload, *, source: str, subject: str, sequence: int | None = None, **envelope: Any
) -> CloudEvent:
    """Wrap a payload in a CloudEvent of its contract type and current schema version."""
    spec = spec_of(payload)
    return CloudEvent(
        type=spec.type,
        source=source,
        subject=subject,
        dataschema=spec.dataschema,
        data=payload.model_dump(mode="json"),
        sequence=sequence,
        **envelope,
    )


def schema_version(dataschema_uri: str) -> int:
    """The version number at the end of a `urn:docket:schema:<type>:v<n>` URI."""
    _, _, tail = dataschema_uri.rpartition(":v")
    if not tail.isdigit():
        raise SchemaViolation(f"dataschema {dataschema_uri!r} does not end in ':v<version>'")
    return int(tail)


def upcast(spec: EventSpec, data: dict[str, Any], version: int) -> dict[str, Any]:
    """Bring a stored or received payload of `version` up to the spec's current version."""
    if version > spec.version:
        raise SchemaViolation(f"{spec.type} v{version} is newer than this contract (v{spec.version})")
    upcasters = spec.upcasters or {}
    while version < spec.version:
        if version not in upcasters:
            raise SchemaViolation(f"{spec.type} has no upcaster from v{version}")
        data = upcasters[version](data)
        version += 1
    return data


def parse(event: CloudEvent) -> ev.Payload:
    """Validate an event against the contract and return its payload model (upcast if old)."""
    spec = BY_TYPE.get(event.type)
    if spec is None:
        raise UnknownEventType(f"event type {event.type!r} is not in the Docket contract")
    expected_prefix = f"urn:docket:schema:{spec.type}:v"
    if not event.dataschema.startswith(expected_prefix):
        raise SchemaViolation(f"dataschema {event.dataschema!r} does not belong to {spec.type}")
    version = schema_version(event.dataschema)
    try:
        data = upcast(spec, event.data, version)
    except SchemaViolation:
        raise
    except Exception as exc:  # an upcaster meeting data that is not what its version promised
        raise SchemaViolation(f"{spec.type} v{version} payload cannot be upcast: {type(exc).__name__}") from None
    try:
        return spec.payload.model_validate(data)
    except ValidationError as exc:
        raise SchemaViolation(f"{spec.type} payload invalid: {describe(exc)}") from None


def describe(exc: ValidationError, limit: int = 10) -> str:
    """Where and why a payload is invalid, without the offending values: they may be personal data, and
    this text ends up in logs and dead-letter headers."""
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '(payload)'}: {e['msg']}" for e in errors[:limit]]
    more = f"; and {len(errors) - limit} more" if len(errors) > limit else ""
    return "; ".join(parts) + more
