"""What `make run` shows while the story plays and after (docket_devstack.story), and how it runs the services
(docket_devstack.up), without I/O."""

from __future__ import annotations

import io
from uuid import uuid4

from docket_contracts import registry
from docket_contracts.envelope import CloudEvent
from docket_devstack.story import Console, event_line, penalty_lines, summary_lines
from docket_devstack.up import local_settings
from docket_devstack.webhook_receiver import Request, WebhookReceiver
from docket_operator.tail import Seen
from tests.factories import one_of_each
from tests.unit.case_history import OPENED, SANCTIONED

CASE = OPENED.case_id


def test_the_tail_shows_type_subject_and_what_it_says_or_why_a_message_is_no_event():
    event = CloudEvent(
        type="docket.case.closed",
        source="/docket/case",
        subject=str(CASE),
        dataschema="urn:x",
        data={"outcome": "sanctioned", "closed_on": "2023-04-13"},
    )
    line = event_line(Seen("docket.cases", 1, 7, event))
    assert "case.closed" in line and str(CASE)[:8] in line and "closed 2023-04-13: sanctioned" in line
    assert "docket.cases[1]@7: not a Docket event (missing ce_type)" in event_line(
        Seen("docket.cases", 1, 7, None, "missing ce_type")
    )


def test_the_penalty_payment_shows_the_days_counted_the_convention_and_what_the_other_counts():
    liquidated = one_of_each(CASE, uuid4())
    by_type = {registry.spec_of(event).type: event.model_dump(mode="json") for event in liquidated.values()}
    by_type["docket.penalty_payment.liquidated"]["convention"] = "exclusive_end: up to but not including period_end"
    text = "\n".join(line for line, _ in penalty_lines(by_type))
    assert "EUR 100,000 a day of delay from 2022-12-19" in text
    assert "complied with on 2023-02-09" in text
    assert "52 days x EUR 100,000 = at most EUR 5,200,000; fixed at EUR 5,200,000" in text
    assert "2022-12-19 to 2023-02-09 under exclusive_end: up to but not including period_end" in text
    assert "53 calendar days counting both ends" in text


def test_the_summary_shows_the_case_its_timeline_the_fine_within_its_cap_the_letters_and_the_signatures():
    events = one_of_each(CASE, uuid4())
    history = [
        {
            "type": registry.spec_of(event).type,
            "data": event.model_dump(mode="json"),
            "actor": "system:x",
            "actor_name": None,
        }
        for event in events.values()
        if registry.spec_of(event).topic == "docket.cases"
    ]
    case = {
        "id": str(CASE),
        "controller": {"key": "clearview-ai", "name": "Clearview AI"},
        "opened_on": "2020-05-25",
        "complaint_count": 4,
        "closed_on": "2023-04-20",
        "outcome": "sanctioned",
        "version": 16,
    }
    letters = [
        {
            "recipient_role": "complainant",
            "recipient_name": "Jeanne Martin",
            "subject": "A case was opened",
            "email_status": "pending",
        }
    ]
    deliveries = [{"event_type": "docket.case.closed", "status": "delivered", "attempts": 1, "last_status_code": 204}]
    receiver = WebhookReceiver(requests=[Request("w1", {}, b"{}", verified=True, answered="ok")])
    text = "\n".join(line for line, _ in summary_lines(case, history, letters, deliveries, receiver))
    assert f"case        {CASE}  Clearview AI (clearview-ai)" in text
    assert "closed 2023-04-20: sanctioned" in text
    assert "  2021-11-26  formal_notice.issued" in text and "  2022-01-26  formal_notice.deadline_expired" in text
    assert "within the cap of EUR 20,000,000 (Art 83(5): the higher of EUR 20,000,000 and 4 % of the turnover)" in text
    assert "52 days x EUR 100,000 = at most EUR 5,200,000; fixed at EUR 5,200,000" in text
    assert "Jeanne Martin" in text and "recorded, not e-mailed: no SMTP_HOST is set" in text
    assert "1 deliveries" in text and "1 delivered; the receiver verified 1 of 1 signatures" in text


def test_a_case_left_open_under_enforcement_says_so_and_that_no_compliance_was_recorded():
    imposed = {"daily_rate_eur": 100_000, "accrues_from": "2022-12-19"}
    liquidated = {
        "period_start": "2022-12-19",
        "period_end": "2023-02-09",
        "days_counted": 52,
        "convention": "exclusive_end: up to but not including period_end",
        "decided_on": "2023-04-13",
        "maximum_eur": 5_200_000,
        "amount_eur": 5_200_000,
        "reference": "SAN-2023-005",
    }
    by_type = {"docket.penalty_payment.imposed": imposed, "docket.penalty_payment.liquidated": liquidated}
    text = "\n".join(line for line, _ in penalty_lines(by_type))
    assert "no compliance recorded: the penalty runs on, the case stays open" in text
    assert "liquidated on 2023-04-13 (SAN-2023-005): 52 days x EUR 100,000 = at most EUR 5,200,000" in text
    case = {
        "id": str(CASE),
        "controller": {"key": "clearview-ai", "name": "Clearview AI"},
        "opened_on": "2020-05-25",
        "complaint_count": 4,
        "status": "sanctioned",
        "under_enforcement": True,
        "closed_on": None,
        "version": 30,
    }
    receiver = WebhookReceiver()
    shown = "\n".join(line for line, _ in summary_lines(case, [], [], [], receiver))
    assert "4 complaints and alerts, still sanctioned, under enforcement (version 30)" in shown


def test_no_penalty_no_lines():
    assert penalty_lines({"docket.sanction.imposed": SANCTIONED.model_dump(mode="json")}) == []


def test_a_console_that_is_no_terminal_writes_plain_lines():
    out = io.StringIO()
    Console(out).line("refused", "red bold")
    assert out.getvalue() == "refused\n"


def test_a_local_run_looks_for_deadlines_every_two_seconds_and_lets_webhooks_reach_this_machine():
    assert local_settings("case", {}) == {"TIMER_INTERVAL_S": "2"}
    assert local_settings("case", {"TIMER_INTERVAL_S": "30"}) == {}
    assert local_settings("notifier", {}) == {"WEBHOOK_ALLOW_LIST": "127.0.0.1"}
    assert local_settings("notifier", {"WEBHOOK_ALLOW_LIST": "10.0.0.0/8"}) == {
        "WEBHOOK_ALLOW_LIST": "10.0.0.0/8,127.0.0.1"
    }
    assert local_settings("intake", {}) == {}
