"""Valid contract payloads for tests, overridable field by field."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from docket_contracts import cooperation as co
from docket_contracts import events as ev
from docket_contracts.events import COMPLAINANT_EMAIL, COMPLAINANT_NAME, ComplaintFiled, Controller, Party, Sealed
from docket_privacy import cipher
from docket_privacy.personal import PersonalData

CLEARVIEW = Controller(key="clearview-ai", name="Clearview AI", country="US", website="clearview.ai")
JEANNE = ("Jeanne Martin", "jeanne.martin@example.org")

# Sealed values for tests that never open them; no key store holds this key.
THROWAWAY_KEY = cipher.new_key()


def sealed(subject: UUID, value: str) -> Sealed:
    return Sealed(
        subject=subject, ciphertext=cipher.b64(cipher.seal(THROWAWAY_KEY, subject, "unopened", value.encode()))
    )


def reference() -> str:
    return f"DKT-2020-{secrets.token_hex(3).upper()}"


def complaint_filed(**changes: Any) -> ComplaintFiled:
    """A complaint.filed whose complainant is sealed under a key no service holds (for the case service, which
    never opens them); see `openable_complaint_filed` for one a service can read."""
    complaint_id = changes.pop("complaint_id", None) or uuid4()
    name, email = JEANNE
    fields: dict[str, Any] = {
        "complaint_id": complaint_id,
        "reference": reference(),
        "kind": "art77_complaint",
        "complainant": Party(name=sealed(complaint_id, name), email=sealed(complaint_id, email), country="FR"),
        "controller": CLEARVIEW,
        "category": "access_request_ignored",
        "articles_alleged": (15, 17),
        "territory": ("FR",),
        "received_on": date(2020, 5, 25),
    }
    return ComplaintFiled(**(fields | changes))


async def openable_complaint_filed(
    personal: PersonalData, name: str = JEANNE[0], email: str = JEANNE[1], **changes: Any
) -> ComplaintFiled:
    """A complaint.filed sealed with the real key store's key for its complaint, as intake would send it."""
    complaint_id = changes.pop("complaint_id", None) or uuid4()
    sealed_name, sealed_email = await personal.seal_many(
        complaint_id, [(COMPLAINANT_NAME, name), (COMPLAINANT_EMAIL, email)]
    )
    return complaint_filed(
        complaint_id=complaint_id, complainant=Party(name=sealed_name, email=sealed_email, country="FR"), **changes
    )


def submission(**changes: Any) -> dict[str, Any]:
    """A valid body for POST /complaints."""
    body: dict[str, Any] = {
        "kind": "art77_complaint",
        "complainant": {"name": "Jeanne Martin", "email": "jeanne.martin@example.org", "country": "FR"},
        "controller": {"name": "Clearview AI", "country": "US", "website": "clearview.ai"},
        "category": "access_request_ignored",
        "articles_alleged": [15, 17],
        "territory": ["FR"],
        "narrative": "I asked Clearview AI for my data on 2 May 2020 and got no answer.",
    }
    return body | changes


def one_of_each(case_id: UUID, complaint_id: UUID) -> dict[type[ev.Payload], ev.Payload]:
    """A valid event of every type on the complaints and cases topics, about `case_id` and `complaint_id`."""
    notice, sanction, publication, appeal, day = uuid4(), uuid4(), uuid4(), uuid4(), date(2021, 11, 26)
    proceedings, liquidation = uuid4(), uuid4()
    order = ev.Order(point="f", text="stop collecting")
    cap = ev.FineCap(paragraph="83(5)", fixed_eur=20_000_000, turnover_percent=4, turnover_eur=None, cap_eur=20_000_000)
    events: list[ev.Payload] = [
        complaint_filed(complaint_id=complaint_id),
        ev.ComplaintAddressCodeIssued(complaint_id=complaint_id, code=sealed(complaint_id, "7K3Q-9ZXM")),
        ev.ComplaintAddressProven(complaint_id=complaint_id, proven_on=day),
        ev.ComplaintWithdrawn(complaint_id=complaint_id, withdrawn_on=day),
        ev.PersonalDataErased(complaint_id=complaint_id, erased_on=day),
        ev.CaseOpened(
            case_id=case_id,
            controller=CLEARVIEW,
            complaint_id=complaint_id,
            complaint_kind="art77_complaint",
            opened_on=day,
        ),
        ev.ComplaintLinked(
            case_id=case_id, complaint_id=complaint_id, complaint_kind="art77_complaint", received_on=day
        ),
        ev.InvestigationOpened(
            case_id=case_id, opened_on=day, scope="biometric templates", decision_reference="2020-116C"
        ),
        ev.CheckRecorded(
            case_id=case_id, check_id=uuid4(), kind="questionnaire", carried_out_on=day, description="questionnaire"
        ),
        ev.FindingRecorded(case_id=case_id, finding_id=uuid4(), articles=(6,), facts="no legal basis"),
        ev.WarningIssued(
            case_id=case_id,
            warning_id=uuid4(),
            decided_on=day,
            reference="AVT-2021-001",
            articles=(6,),
            intended_processing="matching faces against scraped images",
        ),
        ev.FormalNoticeIssued(
            case_id=case_id,
            notice_id=notice,
            orders=(order,),
            issued_on=day,
            reference="MED-2021-134",
            time_limit=ev.TimeLimit(months=2),
        ),
        ev.FormalNoticeExtended(
            case_id=case_id,
            notice_id=notice,
            decided_on=date(2022, 1, 10),
            extension=ev.TimeLimit(months=1),
            reasons="the processing is complex",
            compliance_deadline=date(2022, 2, 26),
        ),
        ev.FormalNoticeComplied(case_id=case_id, notice_id=notice, complied_on=date(2022, 1, 20)),
        ev.FormalNoticeExpirySuperseded(case_id=case_id, notice_id=notice, complied_on=date(2022, 1, 20)),
        ev.FormalNoticeDeadlineExpired(
            case_id=case_id,
            notice_id=notice,
            deadline=date(2022, 1, 26),
            detected_at=datetime(2022, 1, 27, 1, tzinfo=UTC),
        ),
        ev.CaseReferred(
            case_id=case_id,
            proceedings_id=proceedings,
            referred_on=date(2022, 6, 2),
            reference="decision of 2 June 2022",
            rapporteur=ev.Rapporteur(name="Claude Castelluccia", kind="commissioner"),
        ),
        ev.ReportNotified(
            case_id=case_id,
            proceedings_id=proceedings,
            notified_on=date(2022, 7, 14),
            documents=("the report",),
            observations_due=date(2022, 8, 14),
        ),
        ev.FileConsulted(
            case_id=case_id, proceedings_id=proceedings, consulted_on=date(2022, 7, 20), documents=("the report",)
        ),
        ev.ObservationsExtended(
            case_id=case_id,
            proceedings_id=proceedings,
            decided_on=date(2022, 8, 1),
            observations_due=date(2022, 9, 14),
            reasons="complex",
        ),
        ev.ObservationsReceived(case_id=case_id, proceedings_id=proceedings, received_on=date(2022, 9, 1)),
        ev.RapporteurAnswered(case_id=case_id, proceedings_id=proceedings, answered_on=date(2022, 9, 10)),
        ev.ControllerReplied(case_id=case_id, proceedings_id=proceedings, replied_on=date(2022, 9, 12)),
        ev.ControllerSummoned(
            case_id=case_id, proceedings_id=proceedings, summoned_on=date(2022, 9, 13), hearing_on=date(2022, 10, 13)
        ),
        ev.HearingHeld(
            case_id=case_id,
            proceedings_id=proceedings,
            held_on=date(2022, 10, 13),
            public=True,
            speakers=("rapporteur", "controller"),
        ),
        ev.CommitteeDeliberated(
            case_id=case_id,
            proceedings_id=proceedings,
            deliberated_on=date(2022, 10, 17),
            reference="SAN-2022-019",
            members=("Alexandre Linden", "Anne Debet", "Alain Dru"),
            decision="sanction",
            decision_id=sanction,
        ),
        ev.SimplifiedProcedureInterrupted(
            case_id=case_id, proceedings_id=proceedings, interrupted_on=date(2022, 8, 1), reasons="not simple"
        ),
        ev.SanctionImposed(
            case_id=case_id,
            sanction_id=sanction,
            decided_on=date(2022, 10, 17),
            fine_eur=20_000_000,
            articles_infringed=(6,),
            cap=cap,
        ),
        ev.ReprimandIssued(
            case_id=case_id,
            reprimand_id=uuid4(),
            decided_on=date(2022, 10, 17),
            articles_infringed=(15,),
            reasons="access requests left unanswered",
        ),
        ev.PublicationMade(
            case_id=case_id,
            publication_id=publication,
            decision="formal_notice",
            decision_id=notice,
            decision_dated=day,
            published_on=date(2021, 12, 16),
            decided_by="bureau",
            anonymised_on=date(2023, 12, 16),
        ),
        ev.PublicationWithdrawn(
            case_id=case_id,
            publication_id=publication,
            decision="formal_notice",
            decision_id=notice,
            withdrawn_on=date(2023, 12, 16),
            reasons="two years public",
        ),
        ev.AppealLodged(
            case_id=case_id,
            appeal_id=appeal,
            decision="sanction",
            decision_id=sanction,
            decision_dated=date(2022, 10, 17),
            lodged_on=date(2022, 12, 16),
        ),
        ev.AppealDecided(
            case_id=case_id,
            appeal_id=appeal,
            decision="sanction",
            decision_id=sanction,
            decision_dated=date(2022, 10, 17),
            decided_on=date(2023, 6, 1),
            outcome="fine_reduced",
            fine_eur=10_000_000,
        ),
        ev.PenaltyPaymentImposed(
            case_id=case_id, sanction_id=sanction, daily_rate_eur=100_000, accrues_from=date(2022, 12, 19)
        ),
        ev.FormalNoticeNotified(
            case_id=case_id, notice_id=notice, notified_on=date(2021, 11, 26), compliance_deadline=date(2022, 1, 26)
        ),
        ev.SanctionNotified(case_id=case_id, sanction_id=sanction, notified_on=date(2022, 10, 19)),
        ev.InjunctionComplied(case_id=case_id, sanction_id=sanction, complied_on=date(2023, 2, 9)),
        ev.InjunctionEnded(case_id=case_id, sanction_id=sanction, ended_on=date(2023, 2, 9), reasons="ended"),
        ev.LiquidationOpened(
            case_id=case_id,
            sanction_id=sanction,
            liquidation_id=liquidation,
            opened_on=date(2023, 2, 9),
            period_start=date(2022, 12, 19),
            period_end=date(2023, 2, 9),
            days_counted=52,
            convention="exclusive_end",
            maximum_eur=5_200_000,
            envisaged_amount_eur=5_200_000,
            reasons="no proof of compliance",
            observations_due=date(2023, 2, 24),
        ),
        ev.LiquidationObservationsReceived(
            case_id=case_id, sanction_id=sanction, liquidation_id=liquidation, received_on=date(2023, 2, 20)
        ),
        ev.PenaltyPaymentLiquidated(
            case_id=case_id,
            sanction_id=sanction,
            liquidation_id=liquidation,
            period_start=date(2022, 12, 19),
            period_end=date(2023, 2, 9),
            days_counted=52,
            convention="exclusive_end",
            amount_eur=5_200_000,
            decided_on=date(2023, 4, 13),
        ),
        ev.CaseClosed(case_id=case_id, outcome="sanctioned", reasons="penalty liquidated", closed_on=date(2023, 4, 20)),
        *handling(case_id, complaint_id),
        *cooperation(case_id, complaint_id),
    ]
    return {type(event): event for event in events}


def handling(case_id: UUID, complaint_id: UUID) -> list[ev.Payload]:
    """A valid event of every type of a complaint's own handling and of assignment."""
    letter, day = uuid4(), date(2020, 6, 15)
    return [
        ev.CaseAssigned(case_id=case_id, staff="5b1c7f0e-staff", team="complaints-desk", assigned_on=day),
        ev.ComplaintAssigned(case_id=case_id, complaint_id=complaint_id, team="complaints-desk", assigned_on=day),
        ev.ComplaintAdmissibilityDecided(
            case_id=case_id, complaint_id=complaint_id, decision="admissible", decided_on=day
        ),
        ev.ControllerAskedToAct(
            case_id=case_id,
            letter_id=letter,
            complaint_ids=(complaint_id,),
            request="Give the complainant access to their data (GDPR Art 15).",
            asked_on=day,
            answer_due=date(2020, 7, 15),
        ),
        ev.ComplaintControllerAsked(
            case_id=case_id, complaint_id=complaint_id, letter_id=letter, asked_on=day, answer_due=date(2020, 7, 15)
        ),
        ev.ControllerAnswerOverdue(
            case_id=case_id,
            letter_id=letter,
            answer_due=date(2020, 7, 15),
            detected_at=datetime(2020, 7, 16, tzinfo=UTC),
        ),
        ev.ComplaintControllerAnswered(
            case_id=case_id,
            complaint_id=complaint_id,
            letter_id=letter,
            answered_on=date(2020, 7, 20),
            summary="access given on 18 July",
        ),
        ev.ComplaintJoinedInvestigation(case_id=case_id, complaint_id=complaint_id, joined_on=date(2020, 8, 1)),
        ev.ComplaintTransferred(
            case_id=case_id,
            complaint_id=complaint_id,
            authority="Data Protection Commission",
            authority_country="IE",
            reasons="the controller's main establishment is in Ireland (GDPR Art 56)",
            transferred_on=date(2020, 7, 1),
        ),
        ev.ComplaintClosed(
            case_id=case_id,
            complaint_id=complaint_id,
            reason="resolved",
            reasons="the controller gave access",
            closed_on=date(2020, 7, 25),
        ),
    ]


def cooperation(case_id: UUID, complaint_id: UUID) -> list[ev.Payload]:
    """A valid event of every type of the cooperation between authorities, as the CNIL (FR-CNIL) would record
    them in a case the Irish DPC (IE-DPC) leads."""
    day, at = date(2027, 6, 1), datetime(2027, 7, 1, tzinfo=UTC)
    step: dict[str, Any] = {"case_id": case_id, "cooperation_reference": "IE-DPC/2027/1", "authority": "IE-DPC"}
    ours = {**step, "authority": "FR-CNIL"}
    return [
        co.CooperationFrameRecorded(
            case_id=case_id,
            recorded_on=day,
            authority="FR-CNIL",
            cross_border=True,
            basis="4(23)(a)",
            establishment="main_establishment",
            establishment_state="IE",
            role="concerned",
            lead="IE-DPC",
            concerned=(co.ConcernedAuthority(authority="FR-CNIL", reasons=("b", "c")),),
        ),
        co.LocalCaseNotified(**ours, lead="IE-DPC", informed_on=day, subject="a French shop's cameras"),
        co.LocalCaseDecided(**step, decided_on=day, handling="local"),
        co.CompetenceConfirmed(**step, confirmed_on=day, procedure="standard", began="complaint", began_on=day),
        co.InvestigationExtended(**step, decided_on=day, months=6, reasons="a complex case"),
        co.DraftDecisionSubmitted(
            **step,
            draft=1,
            submitted_on=day,
            consulted=(co.Consultation(authority="FR-CNIL", consulted_on=day),),
            summary="a fine",
        ),
        co.DraftAgreed(**ours, draft=1, agreed_on=day),
        co.ObjectionRaised(
            **ours,
            draft=1,
            raised_on=day,
            concerns="envisaged_action",
            subject="the fine is too low",
            relevant=True,
            reasoned=True,
            risks="the infringement goes on",
        ),
        co.DraftDeemedAgreed(**ours, draft=1, window_ended=day, detected_at=at),
        co.DecisionAdopted(**step, adopted_on=day, notified_on=day, decision="action", summary="a fine"),
        co.AssistanceRequested(
            **ours, requested="IE-DPC", received_on=day, asks="information", purpose="p", reasons="r"
        ),
        co.AssistanceAnswered(**step, answered_on=day, outcome="refused", refusal_ground="61(4)(a)", summary="s"),
        co.JointOperationRequested(
            **ours, kind="participation_request", addressed_to="IE-DPC", received_on=day, scope="s"
        ),
        co.JointOperationAnswered(**step, answered_on=day, accepted=True),
        co.DisputeReferred(**step, referred_on=day, ground="65(1)(a)", concerning="IE-DPC/2027/0", matters="the fine"),
        co.BoardPeriodExtended(**{**step, "authority": co.BOARD}, decided_on=day),
        co.BoardDecisionReceived(
            **{**step, "authority": co.BOARD}, decided_on=day, notified_on=day, majority="two_thirds", summary="s"
        ),
        co.ProvisionalMeasureAdopted(
            **ours, adopted_on=day, expires_on=date(2027, 9, 1), basis="66(1)", territory="FR", measure="stop"
        ),
        co.UrgentRequestMade(**ours, requested_on=day, asks="binding_decision"),
        co.ProcedureWithdrawn(**ours, withdrawn_on=day, reasons="no longer needed"),
        co.DeadlinePassed(**step, deadline="61(2)", last_day=day, detected_at=at),
        co.DeadlineNear(**ours, deadline="2025/2518-transmission", last_day=day, detected_at=at),
        co.CrossBorderComplaintRegistered(**ours, complaint_id=complaint_id, received_on=day, presumed_lead="IE-DPC"),
        co.ComplaintTransmitted(**ours, complaint_id=complaint_id, transmitted_on=day, lead="IE-DPC", assessment="a"),
        co.ComplaintResolvedEarly(
            **ours, complaint_id=complaint_id, resolved_on=day, infringement_ended_on=day, complainant_objected=False
        ),
        co.PreliminaryFindingsSent(**step, party="controller", sent_on=day, answer_due=date(2027, 7, 1)),
        co.PartyViewsReceived(**step, party="controller", received_on=day),
        co.FileAccessGiven(
            **step,
            party="controller",
            given_on=day,
            documents=("the report",),
            withheld=(co.WithheldDocument(document="the objections", ground="24(3)(a)"),),
        ),
        co.KeyIssuesSummarised(**step, summarised_on=day, summary="the key issues"),
        co.KeyIssuesCommented(**ours, commented_on=day, comments="Art 9 too"),
    ]
