"""Formal notices, the President's decision (loi 78-17 art 20 II): issued after a finding, with orders and a time
limit; notified to the controller, which fixes the deadline; extended once; complied with by the deadline, or
expired, which the durable timer detects.

The time limit runs from the day the controller receives the notice (décret 2019-536 art 38): until the notice
is notified its deadline is not known, the timer cannot expire it, and nothing opens the Art 83(6) charge of an
order not complied with.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from docket_contracts.errors import Invalid
from docket_contracts.events import (
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeExtended,
    FormalNoticeIssued,
    FormalNoticeNotified,
    Payload,
    TimeLimit,
)
from docket_contracts.progress import add_months

from .commands import ExpireDeadline, ExtendFormalNotice, IssueFormalNotice, RecordCompliance, RecordNoticeNotification
from .refusals import Rejected, not_before, require
from .state import CaseState, Notice

# The shortest time limit a formal notice may give, unless urgency is invoked (décret 2019-536 art 38, as amended by
# décret 2022-517: "ne peut, sauf urgence, être inférieur à dix jours").
MIN_NOTICE_DAYS = 10
# A notice's time limit may be extended once, where the complexity of the case justifies it (décret 2019-536 art 38,
# as amended by décret 2022-517: "prolongé une fois").
MAX_NOTICE_EXTENSIONS = 1


def ends(start: date, limit: TimeLimit) -> date:
    """The last day of a time limit counted from `start`."""
    if limit.days is not None:
        return start + timedelta(days=limit.days)
    assert limit.months is not None
    return add_months(start, limit.months)


def deadline_from(notice: Notice, notified_on: date) -> date | None:
    """The deadline a notification on `notified_on` fixes: the time limit from that day, then the extension."""
    if notice.time_limit is None:
        return None  # a notice recorded before time limits were kept fixed its deadline at issue
    deadline = ends(notified_on, notice.time_limit)
    return ends(deadline, notice.extension) if notice.extension else deadline


def issue(state: CaseState, command: IssueFormalNotice) -> list[Payload]:
    require(state, "issue a formal notice", "investigating")
    assert state.case_id is not None
    if not state.findings:
        raise Rejected(state, "issue a formal notice", "no finding recorded yet")
    not_before("issued_on", command.issued_on, state.investigation_opened_on, "the investigation opened")
    days = command.time_limit.days
    if days is not None and days < MIN_NOTICE_DAYS and not command.urgency:
        raise Invalid(
            "time_limit.days",
            f"{days} days is less than the ten days a formal notice gives at least, unless urgency is invoked "
            f"(décret 2019-536 art 38)",
        )
    return [
        FormalNoticeIssued(
            case_id=state.case_id,
            notice_id=command.notice_id,
            orders=command.orders,
            issued_on=command.issued_on,
            reference=command.reference,
            time_limit=command.time_limit,
            urgency=command.urgency,
        )
    ]


def _notice(state: CaseState, notice_id: UUID, field_name: str = "notice_id") -> Notice:
    notice = next((n for n in state.notices if n.notice_id == notice_id), None)
    if notice is None:
        raise Invalid(field_name, f"the case has no formal notice {notice_id}")
    return notice


def record_notification(state: CaseState, command: RecordNoticeNotification) -> list[Payload]:
    """The day the notice reached the controller (décret 2019-536 art 38: by a means that proves that day), which
    fixes its deadline."""
    action = "record the notice's notification"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    assert state.case_id is not None
    notice = _notice(state, command.notice_id)
    if notice.notified_on is not None:
        raise Rejected(state, action, f"it was notified on {notice.notified_on}")
    not_before("notified_on", command.notified_on, notice.issued_on, "the notice was issued")
    if notice.time_limit is None and notice.deadline is not None and command.notified_on > notice.deadline:
        raise Invalid(
            "notified_on", f"{command.notified_on} is after the notice's compliance deadline ({notice.deadline})"
        )
    return [
        FormalNoticeNotified(
            case_id=state.case_id,
            notice_id=notice.notice_id,
            notified_on=command.notified_on,
            compliance_deadline=deadline_from(notice, command.notified_on),
        )
    ]


def extend(state: CaseState, command: ExtendFormalNotice) -> list[Payload]:
    """The time limit extended once, while the notice runs and before its deadline (décret 2019-536 art 38)."""
    action = "extend the notice's time limit"
    require(state, action, "formal_notice")
    assert state.case_id is not None
    notice = _notice(state, command.notice_id)
    if notice.status != "pending":
        raise Rejected(state, action, f"the notice is {notice.status}")
    if notice.extension is not None:
        raise Rejected(
            state,
            action,
            f"it was extended on {notice.extended_on}, and a formal notice's time limit is extended "
            f"{'once' if MAX_NOTICE_EXTENSIONS == 1 else f'{MAX_NOTICE_EXTENSIONS} times'} (décret 2019-536 art 38)",
        )
    not_before("decided_on", command.decided_on, notice.issued_on, "the notice was issued")
    if notice.deadline is not None and command.decided_on > notice.deadline:
        raise Invalid(
            "decided_on",
            f"{command.decided_on} is after the notice's deadline ({notice.deadline}): a time limit that has run "
            f"out is not extended",
        )
    return [
        FormalNoticeExtended(
            case_id=state.case_id,
            notice_id=notice.notice_id,
            decided_on=command.decided_on,
            extension=command.extension,
            reasons=command.reasons,
            compliance_deadline=ends(notice.deadline, command.extension) if notice.deadline else None,
        )
    ]


def record_compliance(state: CaseState, command: RecordCompliance) -> list[Payload]:
    """Compliance by the deadline (or before the notice reached the controller). Recorded after the timer found the
    deadline passed (and before any decision), it supersedes that expiry, which stays in the record."""
    require(state, "record compliance with the formal notice", "formal_notice", "notice_expired")
    assert state.case_id is not None
    notice = _notice(state, command.notice_id)
    not_before("complied_on", command.complied_on, notice.issued_on, "the notice was issued")
    if notice.deadline is not None and command.complied_on > notice.deadline:
        raise Invalid(
            "complied_on",
            f"{command.complied_on} is after the compliance deadline ({notice.deadline}); the deadline has expired",
        )
    complied = FormalNoticeComplied(case_id=state.case_id, notice_id=notice.notice_id, complied_on=command.complied_on)
    if notice.status == "expired":
        return [
            FormalNoticeExpirySuperseded(
                case_id=state.case_id, notice_id=notice.notice_id, complied_on=command.complied_on
            ),
            complied,
        ]
    if notice.status != "pending":
        raise Rejected(state, "record compliance with the formal notice", f"the notice is already {notice.status}")
    return [complied]


def expire(state: CaseState, command: ExpireDeadline) -> list[Payload]:
    """The timer's look at a notice: it expires once its deadline, known once notified, has passed."""
    notice = next((n for n in state.notices if n.notice_id == command.notice_id), None)
    if state.status != "formal_notice" or notice is None or notice.status != "pending":
        return []  # complied, closed or already expired: the timer has nothing to do
    if notice.deadline is None or command.today <= notice.deadline:
        return []  # not notified yet (no deadline runs), or not passed
    assert state.case_id is not None
    return [
        FormalNoticeDeadlineExpired(
            case_id=state.case_id, notice_id=notice.notice_id, deadline=notice.deadline, detected_at=command.now
        )
    ]
