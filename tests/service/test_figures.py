"""The annual report's figures through the case service, against the real PostgreSQL: counts, days to decide and
to end, the share told within three months, per team; as JSON, CSV and SVG charts. The period is a year of its
own (2031), so that the other tests' complaints are not counted."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID, uuid4

import pytest

from docket_contracts.events import Controller
from docket_devstack.staff import AUDITOR, INTAKE_OFFICER, INVESTIGATOR, Tokens
from services.case import application, readside, store
from services.case.config import CaseSettings
from services.case.main import create_app
from tests.apps import Running, serve
from tests.factories import complaint_filed
from tests.service.test_case_service import FixedClock

pytestmark = pytest.mark.service

YEAR = 2031


@pytest.fixture
async def service(configure, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    settings = configure(
        CaseSettings,
        kafka_bootstrap_servers=closed_port_bootstrap,
        run_relay=False,
        run_consumer=False,
        run_timers=False,
    )
    async with serve(create_app(settings, clock=FixedClock(date(YEAR + 1, 3, 1)))) as running:
        yield running


async def received_on(service: Running, day: date, category: str, kind: str = "art77_complaint") -> UUID:
    key = f"figures-{uuid4().hex[:8]}"
    complaint = complaint_filed(controller=Controller(key=key, name=key), received_on=day, category=category, kind=kind)
    async with service.runtime.sessions() as session, session.begin():
        await application.route_complaint(store.PostgresCases(session), complaint)
    return complaint.complaint_id


async def test_a_years_figures_count_time_and_tell_as_the_annual_report_does(service, tokens: Tokens):
    async def post(path: str, body: dict, who: str = INTAKE_OFFICER) -> None:
        response = await service.http.post(path, json=body, headers=tokens(who))
        assert response.status_code == 200, response.text

    a = await received_on(service, date(YEAR, 1, 10), "access_request_ignored")
    b = await received_on(service, date(YEAR, 1, 20), "video_surveillance")
    c = await received_on(service, date(YEAR, 2, 5), "access_request_ignored")
    await received_on(service, date(YEAR, 3, 1), "direct_marketing", kind="alert")  # no complainant to tell
    await post(f"/complaints/{a}/assignment", {"team": "complaints-desk"})
    await post(f"/complaints/{b}/assignment", {"team": "complaints-desk"})
    await post(
        f"/complaints/{a}/admissibility",
        {"decision": "inadmissible", "reason": "no_prior_request", "reasons": "none", "decided_on": f"{YEAR}-01-20"},
    )
    await post(f"/complaints/{b}/admissibility", {"decision": "admissible", "decided_on": f"{YEAR}-02-19"})
    await post(
        f"/complaints/{b}/closure",
        {"reason": "not_pursued", "reasons": "r", "closed_on": f"{YEAR}-04-30"},
        INVESTIGATOR,
    )
    async with service.runtime.sessions() as session, session.begin():  # letters sent to a and c
        await readside.told(session, a, date(YEAR, 1, 21))
        await readside.told(session, c, date(YEAR, 6, 1))

    found = (await service.http.get("/stats", params={"year": YEAR}, headers=tokens(AUDITOR))).json()
    assert found["period"] == {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"}
    assert found["received"]["total"] == 4
    assert found["received"]["by_kind"] == {"alert": 1, "art77_complaint": 3}
    assert found["received"]["by_month"] == {f"{YEAR}-01": 2, f"{YEAR}-02": 1, f"{YEAR}-03": 1}
    assert found["received"]["by_category"]["access_request_ignored"] == 2
    assert found["ended"]["by_outcome"] == {"inadmissible": 1, "not_pursued": 1}
    assert found["ended"]["inadmissible_by_reason"] == {"no_prior_request": 1}
    assert found["days_to_admissibility"] == {"count": 2, "median": 20.0, "p90": 28.0}  # 10 and 30 days
    assert found["days_to_end"]["count"] == 2 and found["days_to_end"]["median"] == 55.0  # 10 and 100 days
    # a told in 11 days; c told after four months; b never (its three months are over); d is an alert
    assert found["told_within_three_months"] == {"complainants": 3, "told": 1, "share": 0.3333}
    desk = next(team for team in found["teams"] if team["team"] == "complaints-desk")
    assert (desk["received"], desk["ended"], desk["days_to_end_median"]) == (2, 2, 55.0)

    table = list(
        csv.reader(
            io.StringIO((await service.http.get("/stats.csv", params={"year": YEAR}, headers=tokens(AUDITOR))).text)
        )
    )
    assert table[0] == ["figure", "key", "value"]
    assert ["received.by_kind", "alert", "1"] in table and ["told_within_three_months", "share", "0.3333"] in table

    chart = await service.http.get("/stats/months.svg", params={"year": YEAR}, headers=tokens(AUDITOR))
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert f'data-series="received" data-group="{YEAR}-01" data-value="2"' in chart.text
    assert f'data-series="ended" data-group="{YEAR}-04" data-value="1"' in chart.text
    refused = await service.http.get("/stats", params={"year": YEAR, "from": f"{YEAR}-01-01"}, headers=tokens(AUDITOR))
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["detail"]] == [["query", "year"], ["query", "from"], ["query", "to"]]
    backwards = {"from": f"{YEAR}-12-31", "to": f"{YEAR}-01-01"}
    refused = await service.http.get("/stats", params=backwards, headers=tokens(AUDITOR))
    assert refused.status_code == 422
    assert [e["loc"] for e in refused.json()["detail"]] == [["query", "from"], ["query", "to"]]
