"""Files staff download are data, never pages: an evidence file a complainant uploaded and a case's SVG timeline
are saved rather than opened, their type is not sniffed, and, opened anyway, they may load and run nothing.

An evidence file is whatever its uploader made it: a "text/plain" file can hold HTML, and an SVG can carry a
script. Served inline and sniffed, either would run in the browser of the staff member who opens it, on
Docket's origin, with their session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import pytest

from docket_contracts.events import Controller
from docket_devstack.staff import AUDITOR, INTAKE_OFFICER, Tokens
from services.case import application, readside, store
from services.case.config import CaseSettings
from services.case.main import create_app as case_app
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from tests.apps import Running, serve
from tests.factories import complaint_filed, submission

pytestmark = pytest.mark.service


def served_safely(headers, filename: str) -> None:
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert headers["content-disposition"] == f'attachment; filename="{filename}"'


@pytest.fixture
async def intake(configure, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    settings = configure(IntakeSettings, kafka_bootstrap_servers=closed_port_bootstrap, run_consumer=False)
    async with serve(intake_app(settings)) as running:
        yield running


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 11, 22, 9, tzinfo=UTC)

    def today(self) -> date:
        return date(2026, 11, 22)


@pytest.fixture
async def case_service(configure, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    settings = configure(
        CaseSettings,
        kafka_bootstrap_servers=closed_port_bootstrap,
        run_relay=False,
        run_consumer=False,
        run_timers=False,
    )
    async with serve(case_app(settings, clock=FixedClock())) as running:
        yield running


async def test_an_evidence_file_of_html_in_plain_text_is_downloaded_as_an_attachment_never_sniffed(
    intake, tokens: Tokens
):
    receipt = (await intake.http.post("/complaints", json=submission())).json()
    page = b"<html><body><script>fetch('/complaints').then(r => r.text()).then(steal)</script></body></html>"
    upload = await intake.http.post(
        f"/complaints/{receipt['reference']}/evidence",
        content=page,
        headers={"X-Status-Token": receipt["status_token"], "Content-Type": "text/plain", "X-Filename": "note.html"},
    )
    assert upload.status_code == 201, upload.text
    download = await intake.http.get(
        f"/complaints/{receipt['id']}/evidence/{upload.json()['id']}", headers=tokens(INTAKE_OFFICER)
    )
    assert download.status_code == 200 and download.content == page
    assert download.headers["content-type"].startswith("text/plain")
    served_safely(download.headers, "note.html")


async def test_a_case_timeline_is_downloaded_as_an_attachment_that_runs_nothing(case_service, tokens: Tokens):
    key = "acme-timeline"
    complaint = complaint_filed(controller=Controller(key=key, name="<script>alert(1)</script> Acme"))
    async with case_service.runtime.sessions() as session, session.begin():
        await application.route_complaint(store.PostgresCases(session), complaint)
        case_id = await readside.case_of_complaint(session, complaint.complaint_id)
    drawn = await case_service.http.get(f"/cases/{case_id}/timeline.svg", headers=tokens(AUDITOR))
    assert drawn.status_code == 200 and drawn.headers["content-type"] == "image/svg+xml"
    assert "<script>" not in drawn.text  # the name is escaped; the headers hold even if something were not
    served_safely(drawn.headers, f"case-{case_id}-timeline.svg")
