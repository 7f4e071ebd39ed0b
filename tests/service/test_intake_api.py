"""Intake over HTTP against the real PostgreSQL; Kafka is down for all of these."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import httpx
import pytest
import sqlalchemy as sa

from docket_contracts.events import CaseOpened, Controller, InvestigationOpened, Sealed
from docket_contracts.registry import new_event
from docket_devstack.staff import ADMINISTRATOR, AUDITOR, INTAKE_OFFICER, INVESTIGATOR, SANCTIONS_COMMITTEE, Tokens
from docket_service.clock import SystemClock
from docket_service.database import make_engine
from services.intake.config import IntakeSettings
from services.intake.handlers import EVENT_HANDLERS
from services.intake.main import create_app
from tests.apps import Running, serve
from tests.factories import submission

pytestmark = pytest.mark.service

PDF = b"%PDF-1.7\n% a scanned letter\n"


def settings(configure, bootstrap: str, **changes) -> IntakeSettings:
    """Intake as the tests run it: its own database role, the real identity provider and key store."""
    values = {
        "kafka_bootstrap_servers": bootstrap,
        "run_consumer": False,
        "relay_poll_interval_s": 0.2,
        "rate_limit_per_minute": 6000,
        "rate_limit_burst": 1000,
        "evidence_max_bytes": 1024,
        "max_body_bytes": 16 * 1024,
    }
    return configure(IntakeSettings, **(values | changes))


@pytest.fixture
async def intake(configure, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    async with serve(create_app(settings(configure, closed_port_bootstrap))) as running:
        yield running


@pytest.fixture
def officer(tokens: Tokens) -> dict[str, str]:
    """The bearer token of an intake officer, who may read submissions (the public door needs none)."""
    return tokens(INTAKE_OFFICER)


async def scalar(service: Running, sql: str, **params) -> object:
    """One value read with the service's own database role (its schema only)."""
    async with service.runtime.engine.connect() as connection:
        return (await connection.execute(sa.text(sql), params)).scalar_one()


async def beneath(database_url: str, sql: str, **params) -> object:
    """One value read as the database superuser, beneath the service and its key store."""
    engine = make_engine(database_url, "intake")
    try:
        async with engine.connect() as connection:
            return (await connection.execute(sa.text(sql), params)).scalar_one()
    finally:
        await engine.dispose()


async def file(service: Running, **changes) -> dict:
    response = await service.http.post("/complaints", json=submission(**changes))
    assert response.status_code == 201, response.text
    return response.json()


async def file_paper(service: Running, officer: dict[str, str], **changes) -> dict:
    """A complaint received on paper, recorded by an intake officer with its true receipt date."""
    response = await service.http.post("/paper-complaints", json=submission(**changes), headers=officer)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_complaint_is_stored_with_its_event_and_the_receipt_opens_its_status(intake, officer):
    receipt = await file_paper(
        intake,
        officer,
        controller={"name": "Clearview AI, Inc.", "country": "US"},
        articles_alleged=[17, 15, 17],
        received_on="2020-05-25",
    )
    assert receipt["reference"].startswith("DKT-2020-") and len(receipt["status_token"]) >= 32
    assert receipt["status_url"].endswith(f"/complaints/{receipt['reference']}/status")
    stored = (await intake.http.get(f"/complaints/{receipt['id']}", headers=officer)).json()
    assert (stored["controller_key"], stored["articles_alleged"], stored["status"]) == (
        "clearview-ai",
        [15, 17],
        "received",
    )
    assert (stored["complainant_name"], stored["complainant_email"], stored["narrative"]) == (
        "Jeanne Martin",
        "jeanne.martin@example.org",
        submission()["narrative"],
    )
    assert stored["personal_data_erased"] is False
    assert (
        await scalar(intake, "SELECT status_token_digest FROM complaints WHERE id = :id", id=receipt["id"])
        == hashlib.sha256(receipt["status_token"].encode()).hexdigest()
    )
    event = await scalar(
        intake,
        "SELECT data FROM outbox WHERE subject = :id AND type = 'docket.complaint.filed' AND published_at IS NULL",
        id=receipt["id"],
    )
    assert event["reference"] == receipt["reference"] and event["controller"]["key"] == "clearview-ai"
    assert "narrative" not in event  # the narrative stays in intake
    page = await intake.http.get(
        f"/complaints/{receipt['reference']}/status", headers={"X-Status-Token": receipt["status_token"]}
    )
    assert page.status_code == 200
    assert page.json() == {
        "reference": receipt["reference"],
        "kind": "art77_complaint",
        "controller_name": "Clearview AI, Inc.",
        "received_on": "2020-05-25",
        "status": "received",
        "progress": [{"on": "2020-05-25", "text": "We received your complaint."}],
        "language": "fr",  # the authority's default: the submission named none
        "address_proven": True,  # recorded by an intake officer from the complainant's own letter
    }
    assert event["language"] == "fr" and event["body"] is None


async def test_the_public_door_takes_a_receipt_date_only_a_few_weeks_back_and_staff_record_older_ones(intake, officer):
    today = intake.app.state.clock.today()  # the regulator's calendar day, which is not UTC's near midnight
    oldest = today - timedelta(days=IntakeSettings.model_fields["received_on_max_age_days"].default)
    assert (await file(intake, received_on=oldest.isoformat()))["received_on"] == oldest.isoformat()
    refused = await intake.http.post("/complaints", json=submission(received_on="1900-01-01"))
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["loc"] == ["body", "received_on"]
    assert error["msg"].startswith(f"1900-01-01 is before the earliest receipt date this door accepts ({oldest})")

    paper = await file_paper(intake, officer, received_on="1900-01-01")
    assert paper["received_on"] == "1900-01-01" and paper["reference"].startswith("DKT-1900-")
    future = await intake.http.post("/paper-complaints", json=submission(received_on="2999-01-01"), headers=officer)
    assert future.status_code == 422 and future.json()["detail"][0]["msg"] == f"2999-01-01 is after today ({today})"
    undated = await intake.http.post("/paper-complaints", json=submission(), headers=officer)
    assert undated.status_code == 422 and undated.json()["detail"][0]["loc"] == ["body", "received_on"]
    anonymous = await intake.http.post("/paper-complaints", json=submission(received_on="2020-05-25"))
    assert anonymous.status_code == 401


async def test_a_complaint_against_a_controller_in_another_eea_state_needs_only_regulation_2025_2518_s_list(intake):
    """Lodged with the CNIL (AUTHORITY_ID FR-CNIL) against a controller established in Ireland: presumed
    cross-border, admissible without category, articles or territory (art 4(1), as reported); against one
    established in France, those are still asked for, each refusal naming its field."""
    bare = submission(controller={"name": "Dublin Social Ltd", "country": "IE"})
    for field in ("category", "articles_alleged", "territory"):
        del bare[field]
    response = await intake.http.post("/complaints", json=bare)
    assert response.status_code == 201, response.text
    assert response.json()["cross_border"] is True
    outbox = "SELECT data FROM outbox WHERE subject = :id AND type = 'docket.complaint.filed'"
    event = await scalar(intake, outbox, id=response.json()["id"])
    assert (event["category"], event["articles_alleged"], event["territory"]) == ("other", [], ["FR"])

    national = await intake.http.post("/complaints", json=bare | {"controller": {"name": "Lyon Social SARL"}})
    assert national.status_code == 422
    [error] = national.json()["detail"]
    assert error["loc"] == ["body", "category"] and "Regulation 2025/2518 art 4(1)" in error["msg"]
    assert (await file(intake))["cross_border"] is False


async def test_a_body_s_cross_border_complaint_needs_its_proof_of_constitution(intake, officer):
    """Regulation 2025/2518 art 4(1)(b), as reported: a body proves it is properly constituted under the law of a
    Member State; refused on the spot without it, naming the field and the rule; kept and carried when given."""
    body = submission(
        kind="art80_1_mandated",
        mandate_reference="noyb/2027/4",
        complainant={"name": "noyb", "email": "info@noyb.example", "country": "AT"},
        controller={"name": "Dublin Social Ltd", "country": "IE"},
    )
    refused = await intake.http.post("/complaints", json=body)
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["loc"] == ["body", "constitution_proof"] and "art 4(1)(b), as reported" in error["msg"]
    filed = await file(intake, **(body | {"constitution_proof": "Vereinsregister ZVR 123456789"}))
    stored = (await intake.http.get(f"/complaints/{filed['id']}", headers=officer)).json()
    assert stored["constitution_proof"] == "Vereinsregister ZVR 123456789"
    outbox = "SELECT data FROM outbox WHERE subject = :id AND type = 'docket.complaint.filed'"
    assert (await scalar(intake, outbox, id=filed["id"]))["constitution_proof"] == "Vereinsregister ZVR 123456789"


async def test_a_body_s_paper_complaint_without_its_proof_of_constitution_is_recorded_naming_it_missing(
    intake, officer
):
    """Regulation 2025/2518 art 4(2), as reported: a letter lacking art 4(1)'s content is a complaint received, to be
    declared inadmissible within two weeks; the receipt and complaint.filed name what is missing."""
    body = submission(
        kind="art80_2_unmandated",
        complainant={"name": "noyb", "email": "info@noyb.example", "country": "AT"},
        controller={"name": "Dublin Social Ltd", "country": "IE"},
        received_on="2025-05-03",
    )
    receipt = await file_paper(intake, officer, **body)
    assert receipt["cross_border"] is True and receipt["missing_content"] == ["constitution_proof"]
    outbox = "SELECT data FROM outbox WHERE subject = :id AND type = 'docket.complaint.filed'"
    assert (await scalar(intake, outbox, id=receipt["id"]))["missing_content"] == ["constitution_proof"]


async def test_personal_fields_are_stored_sealed_and_staff_read_them_opened(intake, officer, database_url, personal):
    marker = uuid4().hex
    name, email = f"Jeanne Martin {marker}", f"jeanne.{marker}@example.org"
    narrative = f"Clearview AI never answered my access request {marker}."
    complainant = {"name": name, "email": email, "country": "FR"}
    controller, key = f"Sealco {uuid4().hex[:8]}", f"sealed-{uuid4()}"
    body = submission(complainant=complainant, narrative=narrative, controller={"name": controller})
    first = await intake.http.post("/complaints", json=body, headers={"Idempotency-Key": key})
    assert first.status_code == 201, first.text
    receipt = first.json()
    token = receipt["status_token"]

    # Beneath intake, as the superuser: nothing of the complainant in clear, anywhere in the row.
    row = await beneath(database_url, "SELECT c::text FROM intake.complaints c WHERE c.id = :id", id=receipt["id"])
    assert receipt["reference"] in row  # the right row
    for value in (name, email, narrative, marker):
        assert value not in row
    sealed_name = await beneath(
        database_url, "SELECT complainant_name FROM intake.complaints WHERE id = :id", id=receipt["id"]
    )
    assert Sealed.model_validate(sealed_name).subject == UUID(receipt["id"])

    # The receipt's status token is kept for retries only sealed (the complaint keeps only its digest).
    response = await beneath(database_url, "SELECT response::text FROM intake.idempotency_keys WHERE key = :k", k=key)
    assert receipt["reference"] in response and token not in response
    retried = await intake.http.post("/complaints", json=body, headers={"Idempotency-Key": key})
    assert retried.status_code == 201 and retried.headers["Idempotent-Replayed"] == "true"
    assert retried.json() == receipt and retried.json()["status_token"] == token
    status_page = await intake.http.get(f"/complaints/{receipt['reference']}/status", headers={"X-Status-Token": token})
    assert status_page.status_code == 200

    # The complaint.filed event in the outbox carries the complainant sealed, for the complaint's subject key.
    event = await beneath(
        database_url,
        "SELECT data::text FROM intake.outbox WHERE subject = :id AND type = 'docket.complaint.filed'",
        id=receipt["id"],
    )
    assert receipt["reference"] in event
    for value in (name, email, narrative, marker):
        assert value not in event
    data = await beneath(
        database_url,
        "SELECT data FROM intake.outbox WHERE subject = :id AND type = 'docket.complaint.filed'",
        id=receipt["id"],
    )
    sealed = [(f"complainant.{f}", Sealed.model_validate(data["complainant"][f])) for f in ("name", "email")]
    assert {s.subject for _, s in sealed} == {UUID(receipt["id"])}
    assert await personal.open_many(sealed) == [name, email]  # a service holding the key store reads them

    # Evidence: stored sealed, its size and checksum those of the file.
    upload = await intake.http.post(
        f"/complaints/{receipt['reference']}/evidence",
        params={"filename": "letter.pdf"},
        content=PDF,
        headers={"X-Status-Token": token, "Content-Type": "application/pdf"},
    )
    assert upload.status_code == 201, upload.text
    evidence = upload.json()
    content = await beneath(database_url, "SELECT content FROM intake.evidence WHERE id = :id", id=evidence["id"])
    assert PDF not in content and b"%PDF" not in content and len(content) > len(PDF)
    assert await beneath(database_url, "SELECT sealed FROM intake.evidence WHERE id = :id", id=evidence["id"])

    # Staff read them opened.
    stored = (await intake.http.get(f"/complaints/{receipt['id']}", headers=officer)).json()
    assert (stored["complainant_name"], stored["complainant_email"], stored["narrative"]) == (name, email, narrative)
    assert stored["personal_data_erased"] is False
    listed = (await intake.http.get("/complaints", params={"controller": controller}, headers=officer)).json()
    assert listed["items"] == [stored]
    download = await intake.http.get(f"/complaints/{receipt['id']}/evidence/{evidence['id']}", headers=officer)
    assert download.status_code == 200 and download.content == PDF


async def test_staff_routes_need_a_token_of_a_role_that_reads_submissions(intake, tokens):
    receipt = await file(intake)
    for path in ("/complaints", f"/complaints/{receipt['id']}", f"/complaints/{receipt['id']}/evidence"):
        anonymous = await intake.http.get(path)
        assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
        forged = await intake.http.get(path, headers={"Authorization": "Bearer not-a-token"})
        assert forged.status_code == 401
        assert (await intake.http.get(path, headers=tokens(SANCTIONS_COMMITTEE))).status_code == 403
        assert (await intake.http.get(path, headers=tokens(ADMINISTRATOR))).status_code == 403
        for reader in (INTAKE_OFFICER, INVESTIGATOR, AUDITOR):
            assert (await intake.http.get(path, headers=tokens(reader))).status_code == 200, (path, reader)


async def test_a_wrong_or_missing_token_or_reference_is_404_and_reveals_nothing(intake):
    receipt = await file(intake)
    other = await file(intake)
    for headers in ({}, {"X-Status-Token": "guess"}, {"X-Status-Token": other["status_token"]}):
        response = await intake.http.get(f"/complaints/{receipt['reference']}/status", headers=headers)
        assert response.status_code == 404
        assert receipt["reference"] in response.json()["detail"] and "token" in response.json()["detail"]
    missing = await intake.http.get(
        "/complaints/DKT-2020-ZZZZZZ/status", headers={"X-Status-Token": receipt["status_token"]}
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("change", "loc", "rule"),
    [
        ({"articles_alleged": [6, 100]}, ["body", "articles_alleged", 1], "less than or equal to 99"),
        ({"articles_alleged": [0]}, ["body", "articles_alleged", 0], "greater than or equal to 1"),
        ({"narrative": "   "}, ["body", "narrative"], "at least 1 character"),
        (
            {"complainant": {"name": "J", "email": "not-an-address", "country": "FR"}},
            ["body", "complainant", "email"],
            "pattern",
        ),
        (
            {"complainant": {"name": "J", "email": "j@example.org", "country": "France"}},
            ["body", "complainant", "country"],
            "pattern",
        ),
        ({"territory": []}, ["body", "territory"], "name at least one country"),
        ({"category": "rudeness"}, ["body", "category"], "access_request_ignored"),
        ({"kind": "rumour"}, ["body", "kind"], "art77_complaint"),
        ({"controller": {"name": "Acme", "website": "not a site"}}, ["body", "controller", "website"], "pattern"),
        ({"received_on": "2999-01-01"}, ["body", "received_on"], "2999-01-01 is after today ("),
        ({"kind": "art80_1_mandated"}, ["body", "mandate_reference"], "must give its mandate"),
        ({"mandate_reference": "m-1"}, ["body", "mandate_reference"], "only a body mandated"),
        ({"complainant_ssn": "x"}, ["body", "complainant_ssn"], "Extra inputs"),
    ],
)
async def test_invalid_fields_get_422_naming_the_field_and_the_rule_and_store_nothing(intake, change, loc, rule):
    before = await scalar(intake, "SELECT count(*) FROM complaints")
    response = await intake.http.post("/complaints", json=submission(**change))
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(error["loc"] == loc and rule in error["msg"] for error in errors), response.text
    assert all(set(error) == {"loc", "msg", "type"} for error in errors)  # the value sent is not repeated
    assert await scalar(intake, "SELECT count(*) FROM complaints") == before


async def test_a_mandated_body_and_an_alert_are_filed_as_their_kind(intake, officer):
    body = await file(
        intake,
        kind="art80_1_mandated",
        mandate_reference="noyb/2021/17",
        complainant={"name": "noyb", "email": "info@noyb.example", "country": "AT"},
        language="en",
    )
    alert = await file(
        intake, kind="alert", complainant={"name": "Privacy International", "email": "pi@example.org", "country": "GB"}
    )
    stored = [(await intake.http.get(f"/complaints/{r['id']}", headers=officer)).json() for r in (body, alert)]
    assert [s["kind"] for s in stored] == ["art80_1_mandated", "alert"]
    assert [s["complainant_name"] for s in stored] == ["noyb", "Privacy International"]
    assert [s["language"] for s in stored] == ["en", "fr"]  # as the body chose; the authority's default
    outbox = "SELECT data FROM outbox WHERE subject = :id AND type = 'docket.complaint.filed'"
    filed = [await scalar(intake, outbox, id=r["id"]) for r in (body, alert)]
    assert [f["body"] for f in filed] == [{"key": "noyb", "name": "noyb"}, None]  # a body is named in clear


async def test_a_retried_post_with_an_idempotency_key_files_once(intake):
    key = f"retry-{uuid4()}"
    body = submission(controller={"name": f"Idem {uuid4().hex[:6]}"})
    first, second = await asyncio.gather(
        *(intake.http.post("/complaints", json=body, headers={"Idempotency-Key": key}) for _ in range(2))
    )
    third = await intake.http.post("/complaints", json=body, headers={"Idempotency-Key": key})
    assert {first.status_code, second.status_code, third.status_code} == {201}
    assert first.json() == second.json() == third.json()
    assert third.headers["Idempotent-Replayed"] == "true"
    key_name = body["controller"]["name"]
    assert await scalar(intake, "SELECT count(*) FROM complaints WHERE controller_name = :n", n=key_name) == 1
    assert (
        await scalar(
            intake,
            "SELECT count(*) FROM outbox o JOIN complaints c ON o.subject = c.id::text "
            "WHERE c.controller_name = :n AND o.type = 'docket.complaint.filed'",
            n=key_name,
        )
        == 1
    )
    other = await intake.http.post("/complaints", json=submission(), headers={"Idempotency-Key": key})
    assert other.status_code == 409 and "different submission" in other.json()["detail"]


async def test_evidence_is_stored_with_its_checksum_listed_and_downloaded(intake, officer):
    receipt = await file(intake)
    token = {"X-Status-Token": receipt["status_token"]}
    upload = await intake.http.post(
        f"/complaints/{receipt['reference']}/evidence",
        params={"filename": "../letter.pdf"},
        content=PDF,
        headers=token | {"Content-Type": "application/pdf"},
    )
    assert upload.status_code == 201, upload.text
    evidence = upload.json()
    assert (evidence["filename"], evidence["size"], evidence["sha256"]) == (
        "letter.pdf",
        len(PDF),
        hashlib.sha256(PDF).hexdigest(),
    )
    listed = (await intake.http.get(f"/complaints/{receipt['id']}/evidence", headers=officer)).json()
    assert listed == [evidence]
    download = await intake.http.get(f"/complaints/{receipt['id']}/evidence/{evidence['id']}", headers=officer)
    assert download.content == PDF and download.headers["content-type"] == "application/pdf"
    assert download.headers["X-Content-SHA256"] == evidence["sha256"]
    assert (
        await intake.http.get(f"/complaints/{uuid4()}/evidence/{evidence['id']}", headers=officer)
    ).status_code == 404


async def test_an_evidence_file_name_is_stored_sealed_and_staff_read_it(intake, officer, database_url, caplog):
    receipt = await file(intake)
    marker = uuid4().hex
    name = f"Jeanne Martin access request {marker}.pdf"  # a file's name is often the complainant's own
    with caplog.at_level(logging.DEBUG):
        upload = await intake.http.post(
            f"/complaints/{receipt['reference']}/evidence",
            content=PDF,
            headers={"X-Filename": name, "X-Status-Token": receipt["status_token"], "Content-Type": "application/pdf"},
        )
    assert upload.status_code == 201, upload.text
    evidence = upload.json()
    assert evidence["filename"] == name
    assert marker not in caplog.text  # nothing logs it (and it is in no URL, so in no access log)

    stored = await beneath(database_url, "SELECT filename FROM intake.evidence WHERE id = :id", id=evidence["id"])
    assert Sealed.model_validate(stored).subject == UUID(receipt["id"])
    row = await beneath(database_url, "SELECT e::text FROM intake.evidence e WHERE e.id = :id", id=evidence["id"])
    assert marker not in row

    assert (await intake.http.get(f"/complaints/{receipt['id']}/evidence", headers=officer)).json() == [evidence]
    download = await intake.http.get(f"/complaints/{receipt['id']}/evidence/{evidence['id']}", headers=officer)
    assert download.content == PDF
    assert download.headers["content-disposition"] == f'attachment; filename="{name}"'


async def test_the_file_name_comes_from_x_filename_first_and_the_query_still_works(intake, officer):
    receipt = await file(intake)
    path = f"/complaints/{receipt['reference']}/evidence"
    headers = {"X-Status-Token": receipt["status_token"], "Content-Type": "application/pdf"}

    async def upload(**extra) -> httpx.Response:
        return await intake.http.post(path, content=PDF, **{"headers": headers} | extra)

    encoded = await upload(headers=headers | {"X-Filename": "C%3A%5Cscans%5Ccapture%20%C3%A9cran.pdf"})
    assert encoded.status_code == 201 and encoded.json()["filename"] == "capture _cran.pdf"
    both = await upload(headers=headers | {"X-Filename": "from-header.pdf"}, params={"filename": "from-query.pdf"})
    assert both.json()["filename"] == "from-header.pdf"
    query_only = await upload(params={"filename": "older-client.pdf"})  # kept for older clients
    assert query_only.status_code == 201 and query_only.json()["filename"] == "older-client.pdf"
    neither = await upload()
    assert neither.status_code == 422
    assert neither.json()["detail"] == [{"loc": ["header", "X-Filename"], "msg": "Field required", "type": "missing"}]
    listed = (await intake.http.get(f"/complaints/{receipt['id']}/evidence", headers=officer)).json()
    assert [e["filename"] for e in listed] == ["capture _cran.pdf", "from-header.pdf", "older-client.pdf"]

    operation = (await intake.http.get("/openapi.json")).json()["paths"]["/complaints/{reference}/evidence"]["post"]
    assert "X-Filename" in operation["description"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["X-Filename"]["in"] == "header" and parameters["filename"]["deprecated"] is True


async def test_an_erased_complainant_s_file_names_read_as_erased(intake, officer, tokens):
    receipt = await file(intake)
    upload = await intake.http.post(
        f"/complaints/{receipt['reference']}/evidence",
        content=PDF,
        headers={
            "X-Filename": "jeanne-martin-id-card.pdf",
            "X-Status-Token": receipt["status_token"],
            "Content-Type": "application/pdf",
        },
    )
    assert upload.status_code == 201, upload.text
    erased = await intake.http.post(f"/complaints/{receipt['id']}/erasure", headers=tokens(ADMINISTRATOR))
    assert erased.status_code == 200, erased.text
    [listed] = (await intake.http.get(f"/complaints/{receipt['id']}/evidence", headers=officer)).json()
    assert listed["filename"] == "[erased]" and listed["sha256"] == upload.json()["sha256"]
    download = await intake.http.get(f"/complaints/{receipt['id']}/evidence/{listed['id']}", headers=officer)
    assert download.status_code == 410 and "jeanne" not in str(download.headers).lower()
    export = (await intake.http.get(f"/complaints/{receipt['id']}/personal-data", headers=tokens(ADMINISTRATOR))).json()
    assert [(e["filename"], e["content_base64"]) for e in export["evidence"]] == [("[erased]", None)]


@pytest.mark.parametrize(
    ("content_type", "content", "expect", "message"),
    [
        ("application/zip", b"PK\x03\x04", 422, "not accepted"),
        ("application/pdf", b"MZ not a pdf", 422, "does not look like application/pdf"),
        ("application/pdf", b"%PDF-" + b"x" * 1100, 422, "larger than 1,024 bytes"),
        ("application/pdf", b"%PDF-" + b"x" * 3000, 413, "larger than 2048 bytes"),
    ],
)
async def test_disallowed_or_oversized_evidence_is_refused(intake, officer, content_type, content, expect, message):
    receipt = await file(intake)
    response = await intake.http.post(
        f"/complaints/{receipt['reference']}/evidence",
        params={"filename": "x"},
        content=content,
        headers={"X-Status-Token": receipt["status_token"], "Content-Type": content_type},
    )
    assert response.status_code == expect
    assert message in response.text
    assert (await intake.http.get(f"/complaints/{receipt['id']}/evidence", headers=officer)).json() == []


async def test_evidence_needs_the_complaints_own_token(intake):
    receipt = await file(intake)
    response = await intake.http.post(
        f"/complaints/{receipt['reference']}/evidence",
        params={"filename": "x.pdf"},
        content=PDF,
        headers={"Content-Type": "application/pdf"},
    )
    assert response.status_code == 404


async def test_withdrawal_emits_complaint_withdrawn_once(intake):
    receipt = await file(intake)
    token = {"X-Status-Token": receipt["status_token"]}
    withdrawn = await intake.http.post(f"/complaints/{receipt['reference']}/withdrawal", headers=token)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["progress"][-1]["text"] == "You withdrew your complaint."
    again = await intake.http.post(f"/complaints/{receipt['reference']}/withdrawal", headers=token)
    assert again.status_code == 409
    assert (
        await scalar(
            intake,
            "SELECT count(*) FROM outbox WHERE subject = :id AND type = 'docket.complaint.withdrawn'",
            id=receipt["id"],
        )
        == 1
    )
    assert (await intake.http.post(f"/complaints/{receipt['reference']}/withdrawal")).status_code == 404


async def test_case_events_read_back_show_progress_to_the_complainant_only(intake):
    receipt = await file(intake)
    bystander = await file(intake)
    case_id = uuid4()
    controller = Controller(key="clearview-ai", name="Clearview AI")
    opened = CaseOpened(
        case_id=case_id,
        controller=controller,
        complaint_id=UUID(receipt["id"]),
        complaint_kind="art77_complaint",
        opened_on=date(2020, 5, 25),
    )
    investigating = InvestigationOpened(case_id=case_id, opened_on=date(2020, 8, 1), scope="internal scope")
    for payload in (opened, investigating):
        event = new_event(payload, source="/docket/case", subject=str(case_id), time=datetime.now(UTC))
        async with intake.runtime.sessions() as session, session.begin():
            await EVENT_HANDLERS[event.type](session, event, payload)
    page = (
        await intake.http.get(
            f"/complaints/{receipt['reference']}/status", headers={"X-Status-Token": receipt["status_token"]}
        )
    ).json()
    assert page["status"] == "investigating"
    assert [line["text"] for line in page["progress"]] == [
        "We received your complaint.",
        "A case was opened on your complaint.",
        "The authority opened an investigation.",
    ]
    assert "internal scope" not in str(page)
    other = (
        await intake.http.get(
            f"/complaints/{bystander['reference']}/status", headers={"X-Status-Token": bystander["status_token"]}
        )
    ).json()
    assert len(other["progress"]) == 1 and other["status"] == "received"


async def test_staff_search_by_controller_kind_date_and_status_with_pages(intake, tokens):
    name = f"Searchco {uuid4().hex[:6]}"
    for received_on, kind in (
        ("2020-05-25", "art77_complaint"),
        ("2020-07-01", "alert"),
        ("2020-12-15", "art77_complaint"),
    ):
        await file_paper(intake, tokens(INTAKE_OFFICER), controller={"name": name}, received_on=received_on, kind=kind)
    investigator = tokens(INVESTIGATOR)

    async def search(**params) -> dict:
        response = await intake.http.get("/complaints", params={"controller": name, **params}, headers=investigator)
        assert response.status_code == 200, response.text
        return response.json()

    everything = await search()
    assert everything["total"] == 3
    assert [c["received_on"] for c in everything["items"]] == ["2020-12-15", "2020-07-01", "2020-05-25"]
    assert {c["complainant_name"] for c in everything["items"]} == {"Jeanne Martin"}
    assert (await search(kind="alert"))["total"] == 1
    assert (await search(received_from="2020-06-01", received_to="2020-12-01"))["total"] == 1
    assert (await search(status="received"))["total"] == 3
    assert [c["received_on"] for c in (await search(limit=1, offset=1))["items"]] == ["2020-07-01"]
    assert (await intake.http.get("/complaints", params={"kind": "rumour"}, headers=investigator)).status_code == 422


async def test_unknown_routes_and_complaints_are_404(intake, officer):
    assert (await intake.http.get("/nowhere")).status_code == 404
    assert (await intake.http.get(f"/complaints/{uuid4()}", headers=officer)).status_code == 404


async def test_health_is_alive_and_readiness_names_the_unreachable_broker(intake):
    assert (await intake.http.get("/healthz")).json() == {"status": "ok"}
    response = await intake.http.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["identity"] == "ok"
    assert response.json()["checks"]["kafka"].startswith("unreachable")


async def test_public_endpoints_are_rate_limited_per_client_with_retry_after(configure, closed_port_bootstrap, officer):
    app = create_app(settings(configure, closed_port_bootstrap, rate_limit_per_minute=2, rate_limit_burst=2))
    async with serve(app) as intake:
        answers = [await intake.http.get("/complaints/DKT-2020-AAAAAA/status") for _ in range(3)]
        assert [a.status_code for a in answers] == [404, 404, 429]
        assert int(answers[2].headers["Retry-After"]) >= 1
        staff_view = await intake.http.get("/complaints", params={"limit": 1}, headers=officer)
        assert staff_view.status_code == 200  # staff views are not rate limited


async def test_a_body_over_the_limit_is_413(intake):
    response = await intake.http.post("/complaints", json=submission(narrative="x" * 20_000))
    assert response.status_code == 413 and "larger than 16384 bytes" in response.json()["detail"]


@dataclass(frozen=True)
class At(SystemClock):
    """The regulator's clock stopped at `instant`."""

    instant: datetime = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)

    def now(self) -> datetime:
        return self.instant


async def test_a_complaint_filed_after_midnight_in_paris_is_received_that_day(configure, closed_port_bootstrap):
    """00:30 in Paris on 1 January is 23:30 UTC on 31 December: the receipt is dated in the regulator's day."""
    async with serve(create_app(settings(configure, closed_port_bootstrap), clock=At("Europe/Paris"))) as intake:
        receipt = await file(intake)
    assert receipt["received_on"] == "2027-01-01"
    async with serve(create_app(settings(configure, closed_port_bootstrap), clock=At("UTC"))) as intake:
        assert (await file(intake))["received_on"] == "2026-12-31"
