"""The CNIL's Clearview AI case (MED-2021-134, SAN-2022-019, SAN-2023-005), end to end through REST and real
Kafka, with the tokens of the people who acted: complaints and Privacy International's alert, the President's
checks and formal notice, its expiry by the durable timer, the referral, the rapporteur's report, the hearing and
the deliberation, the EUR 20M sanction (EUR 30M refused, and a decision before the hearing refused), the EUR
100,000 a day injunction and its notification, no compliance, the EUR 5.2M liquidation after its written
procedure, the notice, the sanction and the liquidation made public, and the case left open under enforcement;
then every event on the topic, in order, with its CloudEvents headers, and the wind-up `make run` does before it
plays the story again.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import date

import pytest
from prometheus_client.parser import text_string_to_metric_families

from docket_contracts import registry, topics
from docket_devstack.clearview import EARLIER_RUN, MEMBERS, Story, close_open_cases
from docket_devstack.staff import INVESTIGATOR, PRESIDENT, RAPPORTEUR, SANCTIONS_COMMITTEE
from services.case.config import CaseSettings
from services.case.main import create_app as case_app
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from tests.apps import Running, serve
from tests.conftest import repo_root
from tests.kafka_reader import eventually, headers, read_topic

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def regulator(configure, kafka) -> AsyncIterator[tuple[Running, Running]]:
    common = {"kafka_bootstrap_servers": kafka.bootstrap_servers, "relay_poll_interval_s": 1.0}
    async with AsyncExitStack() as stack:
        # The status pages are read until the letters catch up: the public door's rate limit is set out of the way.
        roomy = {"rate_limit_per_minute": 100_000, "rate_limit_burst": 100_000}
        intake = await stack.enter_async_context(serve(intake_app(configure(IntakeSettings, **common, **roomy))))
        case = await stack.enter_async_context(serve(case_app(configure(CaseSettings, **common, timer_interval_s=0.5))))
        yield intake, case


async def test_the_clearview_story(regulator, kafka, tokens):
    """The story as make run plays it (docket_devstack.clearview), every answer checked."""
    intake, case_service = regulator
    played = await Story(intake.http, case_service.http, tokens).play()
    case_id, (first, second, third, alert) = played.case_id, played.receipts
    rapporteur, committee = tokens(INVESTIGATOR), tokens(SANCTIONS_COMMITTEE)
    case_service.http.headers.update(rapporteur)  # the rapporteur reads the case throughout

    assert played.answers["formal notice"]["case"]["status"] == "formal_notice"
    refused = played.answers["fine above the cap"]
    assert (
        "EUR 30,000,000 exceeds the cap of Art 83(6): the higher of EUR 20,000,000 and 4 %"
        in refused["detail"][0]["msg"]
    )
    early = played.answers["decision before the hearing"]
    assert (
        "(the controller has not been heard: the controller has not been summoned to a hearing (décret "
        in (early["detail"])
    )
    imposed = played.answers["sanction"]
    assert [e["type"] for e in imposed["events"]] == ["docket.proceedings.deliberated", "docket.sanction.imposed"]
    assert imposed["events"][0]["data"]["members"] == MEMBERS
    notified = played.answers["notification"]
    assert [e["type"] for e in notified["events"]] == ["docket.sanction.notified", "docket.penalty_payment.imposed"]
    assert notified["events"][1]["data"]["accrues_from"] == "2022-12-19"
    [opened] = played.answers["liquidation opened"]["events"]
    assert (opened["data"]["maximum_eur"], opened["data"]["observations_due"]) == (5_200_000, "2023-02-24")
    [decided] = played.answers["liquidation"]["events"]
    assert (decided["data"]["days_counted"], decided["data"]["amount_eur"]) == (52, 5_200_000)
    assert decided["data"]["reference"] == "SAN-2023-005"
    left_open = played.answers["no closure"]
    assert (
        "(the injunction of the sanction of 2022-10-17 is neither complied with nor ended: the case stays "
        in (left_open["detail"])
    )
    assert left_open["status"] == "sanctioned"

    expected_types = [
        "case.opened",
        "complaint.linked",
        "investigation.opened",
        "check.recorded",
        "complaint.linked",
        "complaint.linked",
        "finding.recorded",
        "finding.recorded",
        "formal_notice.issued",
        "formal_notice.notified",
        "formal_notice.deadline_expired",
        "publication.made",  # of 16 December 2021, recorded once the timer has acted
        "proceedings.referred",
        "proceedings.report_notified",
        "proceedings.controller_summoned",
        "proceedings.hearing_held",
        "proceedings.deliberated",
        "sanction.imposed",
        "sanction.notified",
        "penalty_payment.imposed",
        "publication.made",
        "liquidation.opened",
        "penalty_payment.liquidated",
        "publication.made",
    ]

    async def published():
        records = [r for r in await read_topic(kafka.operator, topics.CASES) if r.key == case_id.encode()]
        return records if len(records) >= len(expected_types) else None

    records = await eventually(published, timeout=60)
    assert len({r.partition for r in records}) == 1  # one key, one partition, one order
    assert [headers(r)["ce_type"] for r in records] == [f"docket.{t}" for t in expected_types]
    for sequence, record in enumerate(records, start=1):
        ce = headers(record)
        assert ce["ce_specversion"] == "1.0" and ce["ce_source"] == "/docket/case"
        assert ce["ce_subject"] == case_id and ce["ce_sequence"] == str(sequence)
        assert ce["content-type"] == "application/json" and ce["ce_time"].endswith("Z")
        version = registry.BY_TYPE[ce["ce_type"]].version  # the version the contract states
        assert ce["ce_dataschema"] == f"urn:docket:schema:{ce['ce_type']}:v{version}"
    payloads = [json.loads(r.value) for r in records]
    linked = [p for t, p in zip(expected_types, payloads, strict=True) if t == "complaint.linked"]
    of = dict(zip(expected_types, payloads, strict=True))  # the last of each type
    assert payloads[0]["complaint_id"] == first["id"] and payloads[0]["opened_on"] == "2020-05-25"
    assert of["investigation.opened"]["decision_reference"] == "2020-116C"
    assert of["investigation.opened"]["opened_on"] == "2020-08-26"
    assert (of["check.recorded"]["kind"], of["check.recorded"]["carried_out_on"]) == ("questionnaire", "2020-10-27")
    assert (linked[2]["complaint_kind"], linked[2]["received_on"]) == ("alert", "2021-05-27")
    assert linked[2]["complaint_id"] == alert["id"]
    notice = of["formal_notice.issued"]
    assert notice["reference"] == "MED-2021-134" and notice["time_limit"] == {"days": None, "months": 2}
    assert of["formal_notice.notified"]["compliance_deadline"] == "2022-01-26"
    assert of["formal_notice.deadline_expired"]["deadline"] == "2022-01-26"
    assert of["proceedings.referred"]["rapporteur"] == {"name": "Claude Castelluccia", "kind": "commissioner"}
    assert of["proceedings.report_notified"]["notified_on"] == "2022-07-14"
    assert of["proceedings.hearing_held"]["held_on"] == "2022-10-13"
    deliberated = of["proceedings.deliberated"]
    assert (deliberated["reference"], deliberated["members"]) == ("SAN-2022-019", MEMBERS)
    assert of["sanction.imposed"]["fine_eur"] == 20_000_000 and of["sanction.imposed"]["cap"]["cap_eur"] == 20_000_000
    assert of["sanction.notified"]["notified_on"] == "2022-10-18"
    assert of["liquidation.opened"]["opened_on"] == "2023-02-09"
    liquidated = of["penalty_payment.liquidated"]
    assert liquidated["amount_eur"] == 5_200_000 and liquidated["convention"].startswith("exclusive_end")
    assert liquidated["decided_on"] == "2023-04-13" and liquidated["maximum_eur"] == 5_200_000
    made = [p for t, p in zip(expected_types, payloads, strict=True) if t == "publication.made"]
    assert [(p["decision"], p["published_on"], p["decided_by"]) for p in made] == [
        ("formal_notice", "2021-12-16", "bureau"),
        ("sanction", "2022-10-20", "restricted_committee"),
        ("liquidation", "2023-05-10", "restricted_committee"),
    ]
    assert made[2]["decision_id"] == of["liquidation.opened"]["liquidation_id"]
    assert made[2]["anonymised_on"] == "2025-05-10" and made[2]["decision_dated"] == "2023-04-13"

    history = (await case_service.http.get(f"/cases/{case_id}/history")).json()
    actors = {e["type"]: (e["actor"], e["actor_role"], e["actor_name"]) for e in history}
    assert actors["docket.formal_notice.deadline_expired"] == ("system:deadline-timer", None, None)
    assert actors["docket.complaint.linked"] == ("system:complaint-routing", None, None)
    assert actors["docket.investigation.opened"] == (tokens.subject(PRESIDENT), "president", PRESIDENT)
    assert actors["docket.check.recorded"][1] == "investigator"
    assert actors["docket.formal_notice.issued"] == (tokens.subject(PRESIDENT), "president", PRESIDENT)
    assert actors["docket.proceedings.referred"][1] == "president"
    assert actors["docket.proceedings.report_notified"] == (tokens.subject(RAPPORTEUR), "rapporteur", RAPPORTEUR)
    assert actors["docket.proceedings.hearing_held"][1] == actors["docket.proceedings.deliberated"][1]
    assert actors["docket.sanction.imposed"] == (
        tokens.subject(SANCTIONS_COMMITTEE),
        "sanctions_committee",
        SANCTIONS_COMMITTEE,
    )
    assert (
        actors["docket.sanction.notified"][1] == actors["docket.penalty_payment.liquidated"][1] == "sanctions_committee"
    )
    assert actors["docket.liquidation.opened"][1] == "sanctions_committee"
    publishers = [e["actor_role"] for e in history if e["type"] == "docket.publication.made"]
    assert publishers == ["president", "sanctions_committee", "sanctions_committee"]
    assert "docket.injunction.complied" not in actors and "docket.case.closed" not in actors  # the record has neither
    listed = await case_service.http.get("/cases", params={"controller": "clearview-ai", "under_enforcement": True})
    assert [c["case_id"] for c in listed.json()["items"]] == [case_id]
    assert listed.json()["items"][0]["under_enforcement"] is True
    integrity = await case_service.http.get(f"/cases/{case_id}/integrity", headers=committee)
    assert integrity.status_code == 403  # checking the record is the auditors' job

    picture = await case_service.http.get(f"/cases/{case_id}/timeline.svg")
    assert picture.headers["content-type"] == "image/svg+xml"
    drawn = sorted(
        int(v) for versions in re.findall(r'data-versions="([^"]*)"', picture.text) for v in versions.split()
    )
    assert drawn == [event["version"] for event in history]  # every event of the case is in the picture
    # What an operator sees: the case service consumed every complaint and fired the deadline's timer.
    scraped = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families((await case_service.http.get("/metrics")).text)
        for s in family.samples
    }
    lags = [
        value
        for (name, labels), value in scraped.items()
        if name == "docket_consumer_lag_messages"
        and ("topic", topics.COMPLAINTS) in labels
        and ("group", "docket-case") in labels
    ]
    assert lags and all(lag == 0 for lag in lags)
    assert scraped[("docket_timers_fired_total", ())] >= 1
    readme_picture = repo_root() / "docs" / "clearview-timeline.svg"
    if os.environ.get("DOCKET_REDRAW_PICTURES"):
        readme_picture.write_text(picture.text)
    assert picture.text == readme_picture.read_text(), "the README's picture is stale: DOCKET_REDRAW_PICTURES=1"

    async def status_page(receipt: dict) -> dict | None:
        response = await intake.http.get(
            f"/complaints/{receipt['reference']}/status", headers={"X-Status-Token": receipt["status_token"]}
        )
        page = response.json()
        last = "The authority made its liquidation of the penalty payment of 2023-04-13 public."
        return page if page["progress"] and page["progress"][-1]["text"] == last else None

    for receipt in (first, second, third):  # every complainant sees the case's progress, and only that
        page = await eventually(lambda: status_page(receipt))  # noqa: B023 - awaited in this iteration
        texts = [line["text"] for line in page["progress"]]
        assert texts[0] == "We received your complaint."
        assert "The authority imposed a fine of EUR 20,000,000." in texts
        assert "A penalty payment of EUR 5,200,000 was set for the controller's delay." in texts
        assert "The authority made its formal notice of 2021-11-26 public." in texts
        assert "The authority referred the case to its restricted committee, which decides sanctions." in texts
        assert not any(text.startswith("The case was closed") for text in texts)  # it stays open
        assert not any("Privacy International" in text or "no legal basis" in text for text in texts)

    # Before the story plays again, `make run` winds up the case it leaves open under enforcement, saying so.
    [wound_up] = await close_open_cases(case_service.http, tokens, date.today())
    assert (wound_up["id"], wound_up["status"], wound_up["outcome"]) == (case_id, "closed", "sanctioned")
    assert wound_up["sanctions"][0]["injunction_complied_on"] is None  # nobody says Clearview AI complied
    assert wound_up["closing_reasons"] == EARLIER_RUN
