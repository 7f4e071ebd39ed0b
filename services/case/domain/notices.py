"""Formal notices: issued after a finding, with orders and a compliance deadline; their notification to the
controller, compliance by the deadline, and the expiry of the deadline, which the durable timer detects."""

from __future__ import annotations

from uuid import UUID

from docket_contracts.errors import Invalid
from docket_contracts.events import (
    FormalNoticeComplied,
    FormalNoticeDeadlineExpired,
    FormalNoticeExpirySuperseded,
    FormalNoticeIssued,
    FormalNoticeNotified,
    Payload,
)

from .commands import ExpireDeadline, IssueFormalNotice, RecordCompliance, RecordNoticeNotification
from .refusals import Rejected, not_before, require
from .state import CaseState, Notice


def issue(state: CaseState, command: IssueFormalNotice) -> list[Payload]:
    require(state, "issue a formal notice", "investigating")
    assert state.case_id is not None
    if not state.findings:
        raise Rejected(state, "issue a formal notice", "no finding recorded yet")
    not_before("issued_on", command.issued_on, state.investigation_opened_on, "the investigation opened")
    if command.compliance_deadline <= command.issued_on:
        raise Invalid(
            "compliance_deadline",
            f"{command.compliance_deadline} is not after the day the notice is issued ({command.issued_on})",
        )
    return [
        FormalNoticeIssued(
            case_id=state.case_id,
            notice_id=command.notice_id,
            orders=command.orders,
            issued_on=command.issued_on,
            compliance_deadline=command.compliance_deadline,
        )
    ]


def _notice(state: CaseState, notice_id: UUID, field_name: str = "notice_id") -> Notice:
    notice = next((n for n in state.notices if n.notice_id == notice_id), None)
    if notice is None:
        raise Invalid(field_name, f"the case has no formal notice {notice_id}")
    return notice


def record_compliance(state: CaseState, command: RecordCompliance) -> list[Payload]:
    """Compliance by the deadline. Recorded after the timer found the deadline passed (and before any
    sanction), it supersedes that expiry, which stays in the record."""
    require(state, "record compliance with the formal notice", "formal_notice", "notice_expired")
    assert state.case_id is not None
    notice = _notice(state, command.notice_id)
    not_before("complied_on", command.complied_on, notice.issued_on, "the notice was issued")
    if command.complied_on > notice.deadline:
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
    notice = next((n for n in state.notices if n.notice_id == command.notice_id), None)
    if state.status != "formal_notice" or notice is None or notice.status != "pending":
        return []  # complied, closed or already expired: the timer has nothing to do
    if command.today <= notice.deadline:
        return []
    assert state.case_id is not None
    return [
        FormalNoticeDeadlineExpired(
            case_id=state.case_id, notice_id=notice.notice_id, deadline=notice.deadline, detected_at=command.now
        )
    ]


def record_notification(state: CaseState, command: RecordNoticeNotification) -> list[Payload]:
    action = "record the notice's notification"
    if state.status in ("none", "closed"):
        raise Rejected(state, action)
    assert state.case_id is not None
    notice = _notice(state, command.notice_id)
    if notice.notified_on is not None:
        raise Rejected(state, action, f"it was notified on {notice.notified_on}")
    not_before("notified_on", command.notified_on, notice.issued_on, "the notice was issued")
    if command.notified_on > notice.deadline:
        raise Invalid(
            "notified_on", f"{command.notified_on} is after the notice's compliance deadline ({notice.deadline})"
        )
    return [FormalNoticeNotified(case_id=state.case_id, notice_id=notice.notice_id, notified_on=command.notified_on)]
