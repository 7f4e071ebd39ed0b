"""GDPR Art 78(2), the one rule: which events are news for which complainant, when the three months run, what
ends the wait, and when a complainant counts as told."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from docket_contracts import cooperation as co
from docket_contracts import topics
from docket_contracts.events import (
    AppealDecided,
    AppealLodged,
    CaseClosed,
    CaseOpened,
    ComplaintAdmissibilityDecided,
    ComplaintClosed,
    ComplaintControllerAsked,
    ComplaintFiled,
    ComplaintJoinedInvestigation,
    ComplaintLinked,
    ComplaintTransferred,
    ComplaintWithdrawn,
    Controller,
    FindingRecorded,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeIssued,
    InjunctionComplied,
    Order,
    PenaltyPaymentLiquidated,
    PersonalDataErased,
    PublicationMade,
    PublicationWithdrawn,
    ReprimandIssued,
    SanctionImposed,
)
from docket_contracts.progress import (
    NEWS_TYPES,
    WaitEnds,
    add_months,
    clock_start,
    due,
    ends_wait,
    news,
    tells_of_progress,
)
from docket_contracts.registry import EVENTS
from tests.factories import complaint_filed, one_of_each

CASE_ID, COMPLAINT_ID = uuid4(), uuid4()
EACH = one_of_each(CASE_ID, COMPLAINT_ID)
# The news of one complaint: its case taking it in, and each step of its own handling.
ONE_COMPLAINTS = (
    CaseOpened,
    ComplaintLinked,
    ComplaintAdmissibilityDecided,
    ComplaintControllerAsked,
    ComplaintJoinedInvestigation,
    ComplaintTransferred,
    ComplaintClosed,
    co.CrossBorderComplaintRegistered,
    co.ComplaintTransmitted,
    co.ComplaintResolvedEarly,
)


def test_every_complaint_and_case_event_type_is_classified():
    """A new event type on these topics must be put in or out of the news before anything else passes."""
    assert set(EACH) == {spec.payload for spec in EVENTS if spec.topic in (topics.COMPLAINTS, topics.CASES)}


@pytest.mark.parametrize("event", EACH.values(), ids=lambda e: type(e).__name__)
def test_an_event_is_news_exactly_when_its_type_is_counted_as_news(event):
    assert (news(event) is not None) == (type(event) in NEWS_TYPES)


@pytest.mark.parametrize("event", [EACH[CaseOpened], EACH[ComplaintLinked]], ids=lambda e: type(e).__name__)
def test_an_opening_or_a_joining_is_news_for_its_complaint_only(event):
    assert news(event).only == COMPLAINT_ID and news(event).stage == "case_opened"


def test_what_the_authority_does_is_news_for_every_complainant_and_its_findings_are_not():
    for event in EACH.values():
        told = news(event)
        if told is not None and not isinstance(event, ONE_COMPLAINTS):
            assert told.only is None, type(event).__name__
    assert news(FindingRecorded(case_id=CASE_ID, finding_id=uuid4(), articles=(6,), facts="secret")) is None


def test_complainants_read_what_the_authority_did_dated_by_its_act():
    opened = news(
        CaseOpened(
            case_id=CASE_ID,
            controller=Controller(key="c", name="C"),
            complaint_id=COMPLAINT_ID,
            complaint_kind="art77_complaint",
            opened_on=date(2020, 5, 25),
        )
    )
    assert (opened.on, opened.line) == (date(2020, 5, 25), "A case was opened on your complaint.")
    notice = news(
        FormalNoticeIssued(
            case_id=CASE_ID,
            notice_id=uuid4(),
            orders=(Order(point="f", text="stop"),),
            issued_on=date(2021, 11, 26),
            compliance_deadline=date(2022, 1, 26),
        )
    )
    assert (notice.on, notice.line, notice.stage) == (
        date(2021, 11, 26),
        "The authority ordered the controller to comply by 2022-01-26.",
        "formal_notice",
    )
    assert news(InjunctionComplied(case_id=CASE_ID, sanction_id=uuid4(), complied_on=date(2022, 12, 10))).on == date(
        2022, 12, 10
    )
    superseded = news(FormalNoticeExpirySuperseded(case_id=CASE_ID, notice_id=uuid4(), complied_on=date(2022, 1, 25)))
    assert superseded.on == date(2022, 1, 25) and "no longer stands" in superseded.line
    closed = news(CaseClosed(case_id=CASE_ID, outcome="sanctioned", reasons="r", closed_on=date(2023, 4, 13)))
    assert (closed.line, closed.stage) == ("The case was closed: the controller was sanctioned.", "closed")
    assert news(EACH[SanctionImposed]).line == "The authority imposed a fine of EUR 20,000,000."
    reprimanded = news(EACH[ReprimandIssued])
    assert (reprimanded.on, reprimanded.line, reprimanded.stage) == (
        date(2022, 10, 17),
        "The authority issued a reprimand to the controller, without a fine.",
        "reprimand",
    )
    closed = news(CaseClosed(case_id=CASE_ID, outcome="reprimanded", reasons="r", closed_on=date(2022, 11, 1)))
    assert closed.line == "The case was closed: the controller was reprimanded."
    published = news(EACH[PublicationMade])
    assert (published.on, published.line, published.stage) == (
        date(2021, 12, 16),
        "The authority made its formal notice of 2021-11-26 public.",
        "formal_notice",
    )
    liquidation = EACH[PublicationMade].model_copy(
        update={"decision": "liquidation", "decision_dated": date(2023, 4, 13), "republishes": None}
    )
    assert news(liquidation).line == "The authority made its liquidation of the penalty payment of 2023-04-13 public."
    again = EACH[PublicationMade].model_copy(update={"decision": "sanction", "republishes": uuid4()})
    assert news(again).line.endswith("public again, as the court reformed it.")
    assert news(EACH[PublicationWithdrawn]) is None  # the decision stands; nothing new about the complaint
    lodged = news(EACH[AppealLodged])
    assert (lodged.on, lodged.stage) == (date(2022, 12, 16), "appeal")
    assert lodged.line == "The controller appealed the authority's sanction of 2022-10-17 before the Conseil d'État."


@pytest.mark.parametrize(
    ("outcome", "fine", "line", "stage"),
    [
        ("dismissed", None, "The Conseil d'État dismissed the appeal: the authority's sanction stands.", "sanction"),
        (
            "annulled",
            None,
            "The Conseil d'État annulled the authority's sanction; the authority examines the case again.",
            "investigating",
        ),
        (
            "fine_reduced",
            10_000_000,
            "The Conseil d'État reduced the fine to EUR 10,000,000; the rest of the sanction stands.",
            "sanction",
        ),
    ],
)
def test_a_ruling_is_news_dated_by_the_court_with_its_effect_on_the_case(outcome, fine, line, stage):
    told = news(EACH[AppealDecided].model_copy(update={"outcome": outcome, "fine_eur": fine}))
    assert (told.on, told.line, told.stage) == (date(2023, 6, 1), line, stage)


def test_an_expiry_is_dated_by_the_deadline_it_found_passed_not_by_when_the_timer_ran():
    expired = EACH[FormalNoticeDeadlineExpired]
    assert expired.detected_at.date() != expired.deadline
    assert news(expired).on == date(2022, 1, 26)


def test_a_liquidation_is_news_dated_by_its_decision():
    liquidated = EACH[PenaltyPaymentLiquidated]
    assert news(liquidated).on == date(2023, 4, 13)
    assert news(liquidated.model_copy(update={"decided_on": None})).on == date(2023, 2, 9)  # recorded before


def test_three_months_run_from_a_complaints_receipt_and_an_alert_starts_none():
    filed = complaint_filed(received_on=date(2020, 5, 25))
    assert clock_start(filed) == (filed.complaint_id, date(2020, 5, 25))
    assert clock_start(complaint_filed(kind="alert")) is None
    assert clock_start(EACH[CaseOpened]) == (COMPLAINT_ID, EACH[CaseOpened].opened_on)
    assert clock_start(EACH[ComplaintLinked]) == (COMPLAINT_ID, EACH[ComplaintLinked].received_on)
    assert clock_start(EACH[ComplaintLinked].model_copy(update={"complaint_kind": "alert"})) is None
    takers = (ComplaintFiled, CaseOpened, ComplaintLinked)
    assert all(clock_start(e) is None for e in EACH.values() if not isinstance(e, takers))


def test_closing_ends_every_wait_of_the_case_and_a_withdrawal_or_erasure_its_complaints():
    assert ends_wait(EACH[CaseClosed]) == WaitEnds(case_id=CASE_ID)
    assert ends_wait(EACH[ComplaintWithdrawn]) == WaitEnds(complaint_id=COMPLAINT_ID)
    assert ends_wait(EACH[PersonalDataErased]) == WaitEnds(complaint_id=COMPLAINT_ID)
    own_ends = {ComplaintTransferred, ComplaintClosed}
    assert all(ends_wait(EACH[kind]) == WaitEnds(complaint_id=COMPLAINT_ID) for kind in own_ends)
    others = set(EACH) - {CaseClosed, ComplaintWithdrawn, PersonalDataErased} - own_ends
    assert all(ends_wait(EACH[kind]) is None for kind in others)


def test_each_step_of_a_complaint_is_news_for_its_complainant_only_and_its_end_ends_their_wait():
    for kind in ONE_COMPLAINTS[2:]:
        told = news(EACH[kind])
        assert told is not None and told.only == COMPLAINT_ID, kind.__name__
    inadmissible = ComplaintAdmissibilityDecided(
        case_id=CASE_ID,
        complaint_id=COMPLAINT_ID,
        decision="inadmissible",
        reason="not_personal_data",
        reasons="a parcel delivered late",
        decided_on=date(2020, 6, 15),
    )
    told = news(inadmissible)
    assert told is not None and told.stage == "inadmissible" and "not about personal data" in told.line
    assert ends_wait(inadmissible) == WaitEnds(complaint_id=COMPLAINT_ID)
    assert ends_wait(EACH[ComplaintAdmissibilityDecided]) is None  # admissible: the handling goes on
    assert news(EACH[ComplaintClosed]).line == "Your complaint was closed: the controller acted on it."


def test_a_letter_tells_of_progress_when_it_goes_to_a_complainant_about_news():
    complaint = uuid4()
    assert tells_of_progress("complainant", complaint, "docket.investigation.opened")
    assert tells_of_progress("complainant", complaint, "docket.penalty_payment.liquidated")
    assert not tells_of_progress("complainant", complaint, "docket.complaint.filed")  # an acknowledgement
    assert not tells_of_progress("complainant", complaint, "docket.complaint.withdrawn")
    assert not tells_of_progress("controller", None, "docket.investigation.opened")
    assert not tells_of_progress("complainant", None, "docket.investigation.opened")
    assert not tells_of_progress("complainant", complaint, "docket.case.teleported")  # not in the contract


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2020, 5, 25), 3, date(2020, 8, 25)),
        (date(2020, 11, 30), 3, date(2021, 2, 28)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2020, 5, 31), 3, date(2020, 8, 31)),
        (date(2020, 10, 15), 3, date(2021, 1, 15)),
    ],
)
def test_three_months_later_is_calendar_months_clamped_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


def test_three_months_without_news_end_three_calendar_months_after_the_last_told():
    assert due(date(2020, 11, 30)) == date(2021, 2, 28)
