"""Given events, when a command, then events or a refusal: the President's formal notice (loi 78-17 art 20 II) and
its time limit, which runs from the controller's receipt (décret 2019-536 art 38)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from docket_contracts.events import (
    FormalNoticeDeadlineExpired,
    FormalNoticeExtended,
    FormalNoticeNotified,
    TimeLimit,
    WarningIssued,
)
from services.case.domain import (
    ExpireDeadline,
    ExtendFormalNotice,
    Invalid,
    IssueFormalNotice,
    IssueWarning,
    RecordCompliance,
    RecordNoticeNotification,
    Rejected,
    decide,
    next_steps,
)
from tests.unit.case_history import (
    AT_ISSUE,
    AT_NOTICE,
    CASE,
    FOUND,
    INVESTIGATING,
    ISSUED_V2,
    NOTICE,
    NOTIFIED,
    OPENED,
    ORDERS,
    close,
    given,
    sanction,
)

INVESTIGATED = (OPENED, INVESTIGATING, FOUND)
FAR_LATER = datetime(2023, 1, 1, tzinfo=UTC)
ONE_MONTH = TimeLimit(months=1)


def extend(decided_on: date = date(2022, 1, 20), extension: TimeLimit = ONE_MONTH) -> ExtendFormalNotice:
    return ExtendFormalNotice(NOTICE, decided_on, extension, "the processing is complex")


# --- the time limit, at least ten days unless urgency -----------------------------------------------------------


@pytest.mark.parametrize(
    ("time_limit", "urgency"),
    [(TimeLimit(days=10), False), (TimeLimit(months=1), False), (TimeLimit(days=1), True)],
)
def test_a_notice_gives_at_least_ten_days_or_less_in_urgency(time_limit, urgency):
    command = IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), time_limit, "MED-2021-134", urgency)
    [issued] = decide(given(*INVESTIGATED), command)
    assert (issued.time_limit, issued.urgency, issued.compliance_deadline) == (time_limit, urgency, None)


def test_a_notice_under_ten_days_without_urgency_is_refused_naming_the_decree():
    with pytest.raises(Invalid) as refused:
        decide(given(*INVESTIGATED), IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), TimeLimit(days=9)))
    assert refused.value.field == "time_limit.days"
    assert "unless urgency is invoked (décret 2019-536 art 38)" in refused.value.message


# --- the deadline: fixed by the notification ----------------------------------------------------------------------


def test_no_deadline_runs_before_the_notice_reaches_the_controller_and_the_timer_cannot_expire_it():
    state = given(*AT_ISSUE)
    assert state.notices[0].deadline is None and state.pending_notice is not None
    assert decide(state, ExpireDeadline(NOTICE, date(2030, 1, 1), FAR_LATER)) == []
    with pytest.raises(Rejected, match="cannot impose a sanction: the case is formal notice"):
        decide(state, sanction(orders=("58(2)",)))  # no expiry, so no Art 83(6) charge


@pytest.mark.parametrize(
    ("time_limit", "notified_on", "deadline"),
    [
        (TimeLimit(months=2), date(2021, 11, 26), date(2022, 1, 26)),  # the Clearview notice, MED-2021-134
        (TimeLimit(months=2), date(2021, 12, 31), date(2022, 2, 28)),  # the month's last day
        (TimeLimit(days=10), date(2021, 12, 1), date(2021, 12, 11)),
    ],
)
def test_the_notification_fixes_the_deadline_from_the_day_of_receipt(time_limit, notified_on, deadline):
    issued = decide(given(*INVESTIGATED), IssueFormalNotice(NOTICE, ORDERS, date(2021, 11, 26), time_limit))
    [notified] = decide(given(*INVESTIGATED, *issued), RecordNoticeNotification(NOTICE, notified_on))
    assert notified == FormalNoticeNotified(
        case_id=CASE, notice_id=NOTICE, notified_on=notified_on, compliance_deadline=deadline
    )
    state = given(*INVESTIGATED, *issued, notified)
    assert state.notices[0].deadline == deadline
    assert decide(state, ExpireDeadline(NOTICE, deadline, FAR_LATER)) == []  # the last day is still within it
    [expired] = decide(state, ExpireDeadline(NOTICE, date.fromordinal(deadline.toordinal() + 1), FAR_LATER))
    assert isinstance(expired, FormalNoticeDeadlineExpired) and expired.deadline == deadline


def test_compliance_may_come_before_the_notice_reached_the_controller():
    [complied] = decide(given(*AT_ISSUE), RecordCompliance(NOTICE, date(2021, 11, 30)))
    assert given(*AT_ISSUE, complied).status == "notice_complied"


def test_a_notice_recorded_before_time_limits_keeps_the_deadline_it_fixed_at_issue():
    state = given(*INVESTIGATED, ISSUED_V2)
    assert state.notices[0].deadline == date(2022, 1, 26)
    [expired] = decide(state, ExpireDeadline(NOTICE, date(2022, 1, 27), FAR_LATER))
    assert expired.deadline == date(2022, 1, 26)
    [notified] = decide(state, RecordNoticeNotification(NOTICE, date(2021, 12, 1)))
    assert notified.compliance_deadline is None  # nothing new: the notice carried its deadline
    assert given(*INVESTIGATED, ISSUED_V2, notified).notices[0].deadline == date(2022, 1, 26)


# --- one extension ----------------------------------------------------------------------------------------------


def test_the_president_extends_the_time_limit_once_and_the_deadline_moves():
    assert "extend the notice's time limit" in next_steps(given(*AT_NOTICE))
    [extended] = decide(given(*AT_NOTICE), extend())
    assert extended == FormalNoticeExtended(
        case_id=CASE,
        notice_id=NOTICE,
        decided_on=date(2022, 1, 20),
        extension=ONE_MONTH,
        reasons="the processing is complex",
        compliance_deadline=date(2022, 2, 26),
    )
    state = given(*AT_NOTICE, extended)
    assert state.notices[0].deadline == date(2022, 2, 26)
    assert decide(state, ExpireDeadline(NOTICE, date(2022, 2, 1), FAR_LATER)) == []
    with pytest.raises(Rejected) as refused:
        decide(state, extend(date(2022, 2, 1)))
    assert (
        "(it was extended on 2022-01-20, and a formal notice's time limit is extended once (décret 2019-536 art 38))"
    ) in str(refused.value)


def test_an_extension_before_the_notification_counts_from_the_deadline_the_notification_fixes():
    [extended] = decide(given(*AT_ISSUE), extend(date(2021, 11, 30)))
    assert extended.compliance_deadline is None
    [notified] = decide(given(*AT_ISSUE, extended), RecordNoticeNotification(NOTICE, date(2021, 12, 1)))
    assert notified.compliance_deadline == date(2022, 3, 1)  # two months from 1 December, then one more


@pytest.mark.parametrize(
    ("history", "command", "refusal", "message"),
    [
        (
            AT_NOTICE,
            extend(date(2022, 1, 27)),
            Invalid,
            "2022-01-27 is after the notice's deadline (2022-01-26): a time limit that has run out is not extended",
        ),
        (AT_NOTICE, extend(date(2021, 11, 25)), Invalid, "2021-11-25 is before the notice was issued (2021-11-26)"),
        (INVESTIGATED, extend(), Rejected, "cannot extend the notice's time limit: the case is investigating"),
    ],
)
def test_an_extension_that_comes_too_late_early_or_without_a_notice_is_refused(history, command, refusal, message):
    with pytest.raises(refusal) as refused:
        decide(given(*history), command)
    assert message in str(refused.value)


def test_the_clearview_notice_is_notified_the_day_it_was_issued_as_the_story_takes_it():
    assert decide(given(*AT_ISSUE), RecordNoticeNotification(NOTICE, date(2021, 11, 26))) == [NOTIFIED]


# --- the President's warning (GDPR Art 58(2)(a); loi 78-17 art 20 I) ----------------------------------------------

WARNING = IssueWarning(NOTICE, date(2021, 3, 1), "AVT-2021-001", (6, 9), "matching faces against scraped images")


def test_a_warning_is_a_measure_of_its_own_and_the_case_closes_as_warned():
    [warned] = decide(given(OPENED, INVESTIGATING), WARNING)
    assert warned == WarningIssued(
        case_id=CASE,
        warning_id=NOTICE,
        decided_on=date(2021, 3, 1),
        reference="AVT-2021-001",
        articles=(6, 9),
        intended_processing="matching faces against scraped images",
    )
    state = given(OPENED, INVESTIGATING, warned)
    assert state.status == "warned" and next_steps(state) == ("close as warned", "link a complaint")
    [closed] = decide(state, close("warned", closed_on=date(2021, 3, 1)))
    assert closed.outcome == "warned"
    with pytest.raises(Rejected, match=r"\(the case already has a decision\)"):
        decide(state, close("dismissed", closed_on=date(2021, 3, 1)))
    with pytest.raises(Invalid, match="2021-02-28 is before the warning was issued"):
        decide(state, close("warned", closed_on=date(2021, 2, 28)))


@pytest.mark.parametrize(
    ("history", "command", "refusal", "message"),
    [
        ((OPENED,), WARNING, Rejected, "cannot issue a warning: the case is open"),
        (AT_NOTICE, WARNING, Rejected, "cannot issue a warning: the case is formal notice"),
        (
            (OPENED, INVESTIGATING),
            replace(WARNING, decided_on=date(2020, 7, 31)),
            Invalid,
            "2020-07-31 is before the investigation opened (2020-08-01)",
        ),
        ((OPENED, INVESTIGATING), close("warned"), Rejected, "(no warning has been issued)"),
    ],
)
def test_a_warning_out_of_its_place_is_refused(history, command, refusal, message):
    with pytest.raises(refusal) as refused:
        decide(given(*history), command)
    assert message in str(refused.value)
