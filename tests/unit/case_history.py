"""The Clearview AI case as events and commands, for the given-events / when-command / then-events tests of
the case domain (tests/unit/test_case_*.py): dates and amounts follow the CNIL's case (MED-2021-134, SAN-2022-019).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from docket_contracts.events import (
    AppealDecided,
    AppealLodged,
    CaseClosed,
    CaseOpened,
    CaseReferred,
    CommitteeDeliberated,
    ComplaintFiled,
    ConductFined,
    Controller,
    ControllerSummoned,
    FindingRecorded,
    FineCap,
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeIssued,
    FormalNoticeNotified,
    HearingHeld,
    Injunction,
    InjunctionComplied,
    InvestigationOpened,
    LiquidationOpened,
    Order,
    PenaltyPaymentImposed,
    PenaltyPaymentLiquidated,
    PublicationAuthority,
    PublicationMade,
    PublicationWithdrawn,
    Rapporteur,
    ReportNotified,
    ReprimandIssued,
    SanctionImposed,
    TimeLimit,
)
from services.case.domain import (
    CaseState,
    CloseCase,
    Deliberation,
    ImposeSanction,
    IssueReprimand,
    LiquidatePenalty,
    LodgeAppeal,
    OpenLiquidation,
    PublishDecision,
    RecordRuling,
    ReferToCommittee,
    WithdrawPublication,
    decide,
    evolve,
    replay,
)
from tests.factories import complaint_filed

CLEARVIEW = Controller(key="clearview-ai", name="Clearview AI")
CASE = UUID("00000000-0000-0000-0000-0000000000c1")
NOTICE = UUID("00000000-0000-0000-0000-00000000000a")
SANCTION = UUID("00000000-0000-0000-0000-00000000000b")
FINDING = UUID("00000000-0000-0000-0000-00000000000f")
FIRST = UUID("00000000-0000-0000-0000-000000000001")

ORDERS = (
    Order(point="f", text="stop collecting and processing data of people in France without a legal basis"),
    Order(point="g", text="delete the data of people in France"),
    Order(point="c", text="honour access and erasure requests"),
)
INJUNCTION = Injunction(orders=ORDERS, deadline=date(2022, 12, 18), daily_penalty_eur=100_000)


def complaint(kind: str = "art77_complaint", complaint_id: UUID | None = None) -> ComplaintFiled:
    return complaint_filed(complaint_id=complaint_id or uuid4(), kind=kind, controller=CLEARVIEW)


OPENED = CaseOpened(
    case_id=CASE,
    controller=CLEARVIEW,
    complaint_id=FIRST,
    complaint_kind="art77_complaint",
    opened_on=date(2020, 5, 25),
)
INVESTIGATING = InvestigationOpened(case_id=CASE, opened_on=date(2020, 8, 1), scope="scraping of facial images")
FOUND = FindingRecorded(
    case_id=CASE,
    finding_id=FINDING,
    articles=(6, 12, 15, 17),
    facts="no legal basis; access and erasure requests left unanswered",
)
TWO_MONTHS = TimeLimit(months=2)
ISSUED = FormalNoticeIssued(
    case_id=CASE,
    notice_id=NOTICE,
    orders=ORDERS,
    issued_on=date(2021, 11, 26),
    reference="MED-2021-134",
    time_limit=TWO_MONTHS,
)
# The day the notice reached Clearview AI is not in the record: the story takes the day it was issued.
NOTIFIED = FormalNoticeNotified(
    case_id=CASE, notice_id=NOTICE, notified_on=date(2021, 11, 26), compliance_deadline=date(2022, 1, 26)
)
# A notice recorded before time limits were kept (formal_notice.issued v2): its deadline was fixed at issue.
ISSUED_V2 = FormalNoticeIssued(
    case_id=CASE, notice_id=NOTICE, orders=ORDERS, issued_on=date(2021, 11, 26), compliance_deadline=date(2022, 1, 26)
)
COMPLIED = FormalNoticeComplied(case_id=CASE, notice_id=NOTICE, complied_on=date(2022, 1, 20))
EXPIRED = FormalNoticeDeadlineExpired(
    case_id=CASE, notice_id=NOTICE, deadline=date(2022, 1, 26), detected_at=datetime(2022, 1, 27, 0, 5, tzinfo=UTC)
)
CAP_83_6 = FineCap(
    paragraph="83(6)", fixed_eur=20_000_000, turnover_percent=4, turnover_eur=100_000_000, cap_eur=20_000_000
)
SANCTIONED = SanctionImposed(
    case_id=CASE,
    sanction_id=SANCTION,
    decided_on=date(2022, 10, 17),
    fine_eur=20_000_000,
    articles_infringed=(6, 12, 15, 17, 58),
    cap=CAP_83_6,
    injunction=INJUNCTION,
    conducts=(
        ConductFined(
            articles_infringed=(6, 12, 15, 17), orders_not_complied=("58(2)",), fine_eur=20_000_000, cap=CAP_83_6
        ),
    ),
)
FINED = SANCTIONED.model_copy(update={"injunction": None})  # a fine alone: nothing to enforce after it
PENALTY = PenaltyPaymentImposed(
    case_id=CASE, sanction_id=SANCTION, daily_rate_eur=100_000, accrues_from=date(2022, 12, 19)
)
# The liquidation of SAN-2023-005: its reasons and amount notified on 9 February 2023, then decided on 13 April
# 2023 for the 52 days of delay from 19 December 2022 up to (not including) 9 February 2023.
LIQUIDATION = UUID("00000000-0000-0000-0000-0000000000e1")
LIQUIDATION_OPENED = LiquidationOpened(
    case_id=CASE,
    sanction_id=SANCTION,
    liquidation_id=LIQUIDATION,
    opened_on=date(2023, 2, 9),
    period_start=date(2022, 12, 19),
    period_end=date(2023, 2, 9),
    days_counted=52,
    convention="exclusive_end: days of delay from period_start up to but not including period_end",
    maximum_eur=5_200_000,
    envisaged_amount_eur=5_200_000,
    reasons="no proof of compliance was sent",
    observations_due=date(2023, 2, 24),
)
LIQUIDATED = PenaltyPaymentLiquidated(
    case_id=CASE,
    sanction_id=SANCTION,
    period_start=date(2022, 12, 19),
    period_end=date(2023, 2, 9),
    days_counted=52,
    convention="exclusive_end: days of delay from period_start up to but not including period_end",
    amount_eur=5_200_000,
    decided_on=date(2023, 4, 13),
    liquidation_id=LIQUIDATION,
    maximum_eur=5_200_000,
    reference="SAN-2023-005",
    reasons="no proof of compliance was sent",
)
LIQUIDATION_DONE = (LIQUIDATION_OPENED, LIQUIDATED)
# Compliance with the injunction, as the Clearview record does not have it: for the cases that do close.
COMPLIED_LATE = InjunctionComplied(case_id=CASE, sanction_id=SANCTION, complied_on=date(2023, 2, 9))

# Before the restricted committee (SAN-2022-019): the President named Claude Castelluccia, a commissioner who does not
# sit on the committee, rapporteur on 2 June 2022; the report was notified on 14 July 2022; no written observations;
# the hearing on 13 October 2022 (the day of the summons is not in the record: the story takes a month before); the
# deliberation of 17 October 2022 by five members.
PROCEEDINGS = UUID("00000000-0000-0000-0000-0000000000d0")
RAPPORTEUR = "Claude Castelluccia"
MEMBERS = ("Alexandre Linden", "Philippe-Pierre Cabourdin", "Anne Debet", "Bertrand du Marais", "Alain Dru")
DOCUMENTS = ("the rapporteur's report", "formal notice MED-2021-134", "the questionnaire of 27 October 2020")
REFERRED = CaseReferred(
    case_id=CASE,
    proceedings_id=PROCEEDINGS,
    referred_on=date(2022, 6, 2),
    reference="decision of 2 June 2022 designating a rapporteur",
    rapporteur=Rapporteur(name=RAPPORTEUR, kind="commissioner"),
)
REPORTED = ReportNotified(
    case_id=CASE,
    proceedings_id=PROCEEDINGS,
    notified_on=date(2022, 7, 14),
    documents=DOCUMENTS,
    observations_due=date(2022, 8, 14),
)
SUMMONED = ControllerSummoned(
    case_id=CASE, proceedings_id=PROCEEDINGS, summoned_on=date(2022, 9, 13), hearing_on=date(2022, 10, 13)
)
HEARD = HearingHeld(
    case_id=CASE, proceedings_id=PROCEEDINGS, held_on=date(2022, 10, 13), public=True, speakers=("rapporteur",)
)
DELIBERATED = CommitteeDeliberated(
    case_id=CASE,
    proceedings_id=PROCEEDINGS,
    deliberated_on=date(2022, 10, 17),
    reference="SAN-2022-019",
    members=MEMBERS,
    decision="sanction",
    decision_id=SANCTION,
)
DELIBERATION = Deliberation("SAN-2022-019", MEMBERS, quorum=3)
BEFORE_COMMITTEE = (REFERRED, REPORTED, SUMMONED, HEARD)

# Under the simplified procedure (loi 78-17 art 22-1): an agent as rapporteur, one member deciding alone.
DECIDING_MEMBER = "Alexandre Linden"
SIMPLIFIED_REFERRED = REFERRED.model_copy(
    update={
        "procedure": "simplified",
        "rapporteur": Rapporteur(name="Agnès Agent", kind="agent"),
        "deciding_member": DECIDING_MEMBER,
    }
)
BEFORE_ONE_MEMBER = (SIMPLIFIED_REFERRED, REPORTED)

AT_ISSUE = (OPENED, INVESTIGATING, FOUND, ISSUED)  # issued, not yet notified: no deadline runs
AT_NOTICE = (*AT_ISSUE, NOTIFIED)
AT_EXPIRY = (*AT_NOTICE, EXPIRED)
AT_HEARING = (*AT_EXPIRY, *BEFORE_COMMITTEE)  # heard by the restricted committee, to deliberate
HEARD_DIRECTLY = (OPENED, INVESTIGATING, FOUND, *BEFORE_COMMITTEE)  # referred without a formal notice
AT_SANCTION = (*AT_HEARING, DELIBERATED, SANCTIONED, PENALTY)


def given(*events) -> CaseState:
    return replay(events)


def played(state: CaseState, *commands) -> CaseState:
    """The case after each command in turn (each must be accepted)."""
    for command in commands:
        for event in decide(state, command):
            state = evolve(state, event)
    return state


def sanction(
    fine: int = 20_000_000,
    turnover: int | None = 100_000_000,
    articles=(6, 12, 15, 17),
    injunction: Injunction | None = INJUNCTION,
    decided_on: date = date(2022, 10, 17),
    orders=(),
    conducts=(),
    deliberation: Deliberation | None = DELIBERATION,
) -> ImposeSanction:
    return ImposeSanction(
        sanction_id=SANCTION,
        decided_on=decided_on,
        fine_eur=fine,
        turnover_eur=turnover,
        articles=articles,
        injunction=injunction,
        orders_not_complied=orders,
        conducts=conducts,
        deliberation=deliberation,
    )


def refer(
    referred_on: date = date(2022, 6, 2),
    rapporteur: str = RAPPORTEUR,
    kind: str = "commissioner",
    procedure: str = "ordinary",
    deciding_member: str | None = None,
) -> ReferToCommittee:
    return ReferToCommittee(
        PROCEEDINGS,
        referred_on,
        "decision of 2 June 2022 designating a rapporteur",
        rapporteur,
        kind,
        procedure,
        deciding_member,
    )


def open_liquidation(
    start=date(2022, 12, 19),
    end=date(2023, 2, 9),
    convention="exclusive_end",
    opened_on=date(2023, 2, 9),
    amount: int = 5_200_000,
    sanction_id: UUID = SANCTION,
) -> OpenLiquidation:
    return OpenLiquidation(
        LIQUIDATION, sanction_id, opened_on, start, end, convention, amount, "no proof of compliance was sent"
    )


def liquidation(
    decided_on=date(2023, 4, 13), amount: int = 5_200_000, sanction_id: UUID = SANCTION
) -> LiquidatePenalty:
    return LiquidatePenalty(sanction_id, decided_on, amount, "no proof of compliance was sent", "SAN-2023-005")


def close(outcome: str, closed_on: date = date(2023, 4, 13)) -> CloseCase:
    return CloseCase(outcome=outcome, reasons="reasons given in the decision", closed_on=closed_on)


# --- notification to the controller -------------------------------------------------------------------------

PERIOD_INJUNCTION = Injunction(orders=ORDERS, days_after_notification=60, daily_penalty_eur=100_000)


SMALL = Injunction(orders=ORDERS[:1], deadline=date(2022, 12, 18), daily_penalty_eur=100)


ALONE = Deliberation("SAN-2022-101", (DECIDING_MEMBER,), quorum=3)


def simplified(fine: int = 20_000, injunction: Injunction | None = SMALL) -> ImposeSanction:
    """A sanction decided by the one member of the simplified procedure (history: BEFORE_ONE_MEMBER)."""
    return sanction(fine=fine, turnover=None, articles=(15,), injunction=injunction, deliberation=ALONE)


REPRIMAND = UUID("00000000-0000-0000-0000-00000000000e")
REPRIMANDED = ReprimandIssued(
    case_id=CASE,
    reprimand_id=REPRIMAND,
    decided_on=date(2022, 10, 17),
    articles_infringed=(12, 15),
    reasons="requests answered late; no fine needed",
)


def reprimand(decided_on: date = date(2022, 10, 17), deliberation: Deliberation = DELIBERATION) -> IssueReprimand:
    return IssueReprimand(
        reprimand_id=REPRIMAND,
        decided_on=decided_on,
        articles=(12, 15),
        reasons="requests answered late; no fine needed",
        deliberation=deliberation,
    )


PUBLICATION = UUID("00000000-0000-0000-0000-0000000000d1")
NOTICE_PUBLISHED = PublicationMade(
    case_id=CASE,
    publication_id=PUBLICATION,
    decision="formal_notice",
    decision_id=NOTICE,
    decision_dated=date(2021, 11, 26),
    published_on=date(2021, 12, 16),
    decided_by="bureau",
    anonymised_on=date(2023, 12, 16),
)
WITHDRAWN = PublicationWithdrawn(
    case_id=CASE,
    publication_id=PUBLICATION,
    decision="formal_notice",
    decision_id=NOTICE,
    withdrawn_on=date(2023, 12, 16),
    reasons="public for two years",
)


def publish(
    decision_id: UUID = NOTICE,
    published_on: date = date(2021, 12, 16),
    anonymised_on: date | None = None,
    decided_by: PublicationAuthority | None = None,
    publication_id: UUID = PUBLICATION,
) -> PublishDecision:
    """A publication for two years, decided by the bureau for the notice and by the committee for the rest."""
    return PublishDecision(
        publication_id=publication_id,
        decision_id=decision_id,
        published_on=published_on,
        anonymised_on=anonymised_on or published_on.replace(year=published_on.year + 2),
        decided_by=decided_by or ("bureau" if decision_id == NOTICE else "restricted_committee"),
    )


def withdraw(
    withdrawn_on: date = date(2023, 12, 16),
    publication_id: UUID = PUBLICATION,
    decided_by: PublicationAuthority = "bureau",
) -> WithdrawPublication:
    return WithdrawPublication(
        publication_id=publication_id, withdrawn_on=withdrawn_on, reasons="public for two years", decided_by=decided_by
    )


SIMPLIFIED_SANCTION = SANCTIONED.model_copy(update={"fine_eur": 15_000, "procedure": "simplified", "injunction": None})
CLOSED_AT_NOTICE = CaseClosed(case_id=CASE, outcome="dismissed", reasons="r", closed_on=date(2022, 1, 1))

APPEAL = UUID("00000000-0000-0000-0000-0000000000a1")
SECOND = UUID("00000000-0000-0000-0000-0000000000b2")
APPEALED = AppealLodged(
    case_id=CASE,
    appeal_id=APPEAL,
    decision="sanction",
    decision_id=SANCTION,
    decision_dated=date(2022, 10, 17),
    lodged_on=date(2022, 12, 16),
)
AT_APPEAL = (*AT_SANCTION, APPEALED)


def appeal(decision_id: UUID = SANCTION, lodged_on: date = date(2022, 12, 16)) -> LodgeAppeal:
    return LodgeAppeal(appeal_id=APPEAL, decision_id=decision_id, lodged_on=lodged_on)


def ruling(outcome: str, fine: int | None = None, decided_on: date = date(2023, 6, 1)) -> RecordRuling:
    return RecordRuling(appeal_id=APPEAL, decided_on=decided_on, outcome=outcome, fine_eur=fine)


def ruled(outcome: str, fine: int | None = None, decision: str = "sanction", decision_id: UUID = SANCTION):
    return AppealDecided(
        case_id=CASE,
        appeal_id=APPEAL,
        decision=decision,
        decision_id=decision_id,
        decision_dated=date(2022, 10, 17),
        decided_on=date(2023, 6, 1),
        outcome=outcome,
        fine_eur=fine,
    )


SANCTION_PUBLISHED = NOTICE_PUBLISHED.model_copy(
    update={
        "decision": "sanction",
        "decision_id": SANCTION,
        "decision_dated": date(2022, 10, 17),
        "published_on": date(2022, 10, 17),
        "decided_by": "restricted_committee",
        "anonymised_on": date(2024, 10, 17),
    }
)
