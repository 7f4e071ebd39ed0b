"""The CNIL's Clearview AI case (MED-2021-134, SAN-2022-019), end to end through REST and real Kafka:
complaints and Privacy International's alert, investigation, findings, formal notice, deadline expiry by
the durable timer, the EUR 20M sanction (EUR 30M refused), the EUR 100,000 a day injunction, the
EUR 5.2M liquidation and closure; then every event on the topic, in order, with its CloudEvents headers.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from docket_contracts import topics
from docket_devstack.staff import INTAKE_OFFICER, INVESTIGATOR, SANCTIONS_COMMITTEE
from services.case.config import CaseSettings
from services.case.main import create_app as case_app
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from tests.apps import Running, serve
from tests.conftest import repo_root
from tests.factories import submission
from tests.kafka_reader import eventually, headers, read_topic

pytestmark = pytest.mark.e2e
ORDERS = [{"point": "f", "text": "stop collecting and processing data of people in France without a legal basis"},
          {"point": "g", "text": "delete the data of people in France already collected"},
          {"point": "c", "text": "honour the access and erasure requests of people in France"}]


@pytest.fixture(scope="module")
async def regulator(configure, kafka) -> AsyncIterator[tuple[Running, Running]]:
    common = dict(kafka_bootstrap_servers=kafka.bootstrap_servers, relay_poll_interval_s=1.0)
    async with AsyncExitStack() as stack:
        intake = await stack.enter_async_context(serve(intake_app(configure(IntakeSettings, **common))))
        case = await stack.enter_async_context(serve(case_app(configure(CaseSettings, **common,
                                                                        timer_interval_s=0.5))))
        yield intake, case


async def test_the_clearview_story(regulator, kafka, tokens):
    intake, case_service = regulator
    rapporteur, committee = tokens(INVESTIGATOR), tokens(SANCTIONS_COMMITTEE)
    case_service.http.headers.update(rapporteur)  # the rapporteur reads the case throughout

    async def file(kind: str, controller: str, received_on: str, articles: list[int], by: str) -> dict:
        # Received in 2020 and 2021: recorded by the intake officer with their true receipt dates.
        response = await intake.http.post("/paper-complaints", headers=tokens(INTAKE_OFFICER), json=submission(
            kind=kind, controller={"name": controller}, articles_alleged=articles, received_on=received_on,
            complainant={"name": by, "email": f"{by.split()[0].lower()}@example.org", "country": "FR"},
            narrative="Clearview AI collected my photographs and did not answer my requests."))
        assert response.status_code == 201, response.text
        return response.json()

    async def case_with(complaints: int) -> dict:
        async def probe():
            found = (await case_service.http.get("/cases", params={"controller": "clearview-ai"})).json()["items"]
            return found[0] if found and found[0]["complaints"] == complaints else None
        return await eventually(probe)

    async def command(path: str, body: dict, expect: int = 200) -> dict:
        """The rapporteur investigates and gives notice; the sanctions committee decides and liquidates."""
        current = await case_service.http.get(f"/cases/{case_id}")
        who = committee if "/sanctions" in path else rapporteur
        response = await case_service.http.post(f"/cases/{case_id}{path}", json=body,
                                                headers=who | {"If-Match": current.headers["ETag"]})
        assert response.status_code == expect, response.text
        return response.json()

    first = await file("art77_complaint", "Clearview AI", "2020-05-25", [15, 17], "Jeanne Martin")
    case_id = (await case_with(1))["case_id"]
    second = await file("art77_complaint", "Clearview AI, Inc.", "2020-07-01", [15], "Paul Durand")
    await case_with(2)
    await command("/investigation", {"opened_on": "2020-08-01", "scope": "checks and questionnaire on the "
                                                                     "scraping of facial images"})
    third = await file("art77_complaint", "clearview.ai", "2020-12-15", [17], "Amira Haddad")
    await case_with(3)
    await file("alert", "Clearview AI", "2021-05-27", [5, 6, 9], "Privacy International")  # with other bodies
    await case_with(4)
    await command("/findings", {"articles": [6], "facts": "no legal basis for collecting and using biometric data"})
    await command("/findings", {"articles": [12, 15, 17], "facts": "access and erasure requests not honoured"})
    notice = await command("/formal-notices", {"orders": ORDERS, "issued_on": "2021-11-26",
                                               "compliance_deadline": "2022-01-26"})
    assert notice["case"]["status"] == "formal_notice"

    async def expired():
        detail = (await case_service.http.get(f"/cases/{case_id}")).json()
        return detail if detail["status"] == "notice_expired" else None

    await eventually(expired)  # the durable timer, not a person

    sanction = {"decided_on": "2022-10-17", "turnover_eur": 100_000_000, "articles_infringed": [6, 12, 15, 17],
                "orders_not_complied": ["58(2)"],  # the formal notice's orders: Art 83(6)
                "injunction": {"orders": ORDERS, "deadline": "2022-12-18", "daily_penalty_eur": 100_000}}
    refused = await command("/sanctions", sanction | {"fine_eur": 30_000_000}, expect=422)
    assert "EUR 30,000,000 exceeds the cap of Art 83(6): the higher of EUR 20,000,000 and 4 %" in \
        refused["detail"][0]["msg"]
    imposed = await command("/sanctions", sanction | {"fine_eur": 20_000_000})
    sanction_id = imposed["events"][0]["data"]["sanction_id"]
    assert [e["type"] for e in imposed["events"]] == ["docket.sanction.imposed", "docket.penalty_payment.imposed"]
    assert imposed["events"][1]["data"]["accrues_from"] == "2022-12-19"
    liquidated = await command(f"/sanctions/{sanction_id}/liquidations",
                               {"period_start": "2022-12-19", "period_end": "2023-02-09", "convention": "exclusive_end",
                                "decided_on": "2023-04-13"})
    [liquidation] = liquidated["events"]
    assert (liquidation["data"]["days_counted"], liquidation["data"]["amount_eur"]) == (52, 5_200_000)
    closed = await command("/closure", {"outcome": "sanctioned", "closed_on": "2023-04-13",
                                        "reasons": "fine of EUR 20,000,000; penalty payment liquidated at "
                                                   "EUR 5,200,000"})
    assert closed["case"]["status"] == "closed"

    expected_types = ["case.opened", "complaint.linked", "investigation.opened", "complaint.linked",
                      "complaint.linked", "finding.recorded", "finding.recorded", "formal_notice.issued",
                      "formal_notice.deadline_expired", "sanction.imposed", "penalty_payment.imposed",
                      "penalty_payment.liquidated", "case.closed"]

    async def published():
        records = [r for r in await read_topic(kafka.bootstrap_servers, topics.CASES) if r.key == case_id.encode()]
        return records if len(records) >= len(expected_types) else None

    records = await eventually(published, timeout=60)
    assert len({r.partition for r in records}) == 1  # one key, one partition, one order
    assert [headers(r)["ce_type"] for r in records] == [f"docket.{t}" for t in expected_types]
    for sequence, record in enumerate(records, start=1):
        ce = headers(record)
        assert ce["ce_specversion"] == "1.0" and ce["ce_source"] == "/docket/case"
        assert ce["ce_subject"] == case_id and ce["ce_sequence"] == str(sequence)
        assert ce["content-type"] == "application/json" and ce["ce_time"].endswith("Z")
        version = 2 if ce["ce_type"] == "docket.formal_notice.issued" else 1
        assert ce["ce_dataschema"] == f"urn:docket:schema:{ce['ce_type']}:v{version}"
    payloads = [json.loads(r.value) for r in records]
    assert payloads[0]["complaint_id"] == first["id"] and payloads[0]["opened_on"] == "2020-05-25"
    assert payloads[4]["complaint_kind"] == "alert" and payloads[4]["received_on"] == "2021-05-27"
    assert payloads[8]["deadline"] == "2022-01-26"
    assert payloads[9]["fine_eur"] == 20_000_000 and payloads[9]["cap"]["cap_eur"] == 20_000_000
    assert payloads[11]["amount_eur"] == 5_200_000 and payloads[11]["convention"].startswith("exclusive_end")
    assert payloads[12]["outcome"] == "sanctioned"

    history = (await case_service.http.get(f"/cases/{case_id}/history")).json()
    actors = {e["type"]: (e["actor"], e["actor_role"], e["actor_name"]) for e in history}
    assert actors["docket.formal_notice.deadline_expired"] == ("system:deadline-timer", None, None)
    assert actors["docket.complaint.linked"] == ("system:complaint-routing", None, None)
    assert actors["docket.formal_notice.issued"] == (tokens.subject(INVESTIGATOR), "investigator", INVESTIGATOR)
    assert actors["docket.sanction.imposed"] == (tokens.subject(SANCTIONS_COMMITTEE), "sanctions_committee",
                                                 SANCTIONS_COMMITTEE)
    assert actors["docket.penalty_payment.liquidated"][1] == "sanctions_committee"
    assert actors["docket.case.closed"][1] == "investigator"
    integrity = (await case_service.http.get(f"/cases/{case_id}/integrity", headers=committee))
    assert integrity.status_code == 403  # checking the record is the auditors' job

    picture = await case_service.http.get(f"/cases/{case_id}/timeline.svg")
    assert picture.headers["content-type"] == "image/svg+xml"
    drawn = sorted(int(v) for versions in re.findall(r'data-versions="([^"]*)"', picture.text) for v in versions.split())
    assert drawn == [event["version"] for event in history]  # every event of the case is in the picture
    readme_picture = repo_root() / "docs" / "clearview-timeline.svg"
    if os.environ.get("DOCKET_REDRAW_PICTURES"):
        readme_picture.write_text(picture.text)
    assert picture.text == readme_picture.read_text(), "the README's picture is stale: DOCKET_REDRAW_PICTURES=1"

    async def status_page(receipt: dict) -> dict | None:
        page = (await intake.http.get(f"/complaints/{receipt['reference']}/status",
                                      headers={"X-Status-Token": receipt["status_token"]})).json()
        return page if page["status"] == "closed" else None

    for receipt in (first, second, third):  # every complainant sees the case's progress, and only that
        page = await eventually(lambda: status_page(receipt))
        texts = [line["text"] for line in page["progress"]]
        assert texts[0] == "We received your complaint."
        assert "The authority imposed a fine of EUR 20,000,000." in texts
        assert texts[-1] == "The case was closed: the controller was sanctioned."
        assert not any("Privacy International" in text or "no legal basis" in text for text in texts)
