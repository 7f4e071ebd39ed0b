"""GET /metrics: requests by route template and status, and the gauges of the tables measured at the scrape,
against the real database."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from tests.service.test_case_service import case_service, open_case  # noqa: F401 - the fixture

pytestmark = pytest.mark.service


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_requests_are_counted_by_route_template_and_the_tables_measured_at_the_scrape(case_service):  # noqa: F811 - the fixture imported above
    case_id, _ = await open_case(case_service)
    assert (await case_service.http.get(f"/cases/{case_id}")).status_code == 200
    assert (await case_service.http.get(f"/cases/{uuid4()}")).status_code == 404
    overdue, offset = 0, 0
    while page := (await case_service.http.get("/art78-overdue", params={"limit": 500, "offset": offset})).json():
        overdue, offset = overdue + len(page), offset + 500

    response = await case_service.http.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)

    def request_count(status: str) -> float:
        labels = frozenset({"service": "case", "method": "GET", "route": "/cases/{case_id}", "status": status}.items())
        return found[("docket_http_request_duration_seconds_count", labels)]

    assert request_count("200") >= 1 and request_count("404") >= 1
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", response.text)  # no id in a label: routes are templates
    async with case_service.runtime.engine.connect() as connection:
        backlog = await connection.scalar(sa.text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
    assert backlog > 0  # no Kafka here: what the case appended waits
    assert found[("docket_outbox_unpublished_rows", frozenset({"service": "case"}.items()))] == backlog
    assert found[("docket_outbox_oldest_unpublished_age_seconds", frozenset({"service": "case"}.items()))] > 0
    assert found[("docket_art78_overdue_complainants", frozenset())] == overdue > 0
