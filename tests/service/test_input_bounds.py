"""The bounds of what the three services take in, against the real PostgreSQL and real tokens.

Each input here used to get a 500 (a date at the calendar's end that a deadline or a reminder adds to, a
controller name whose key outgrows the contract, a NUL that PostgreSQL will not store, a URL that does not
parse, a version or an offset past the integers); each is now a 422 naming the field and the rule, or a 400
saying what a header must be. And the largest command the bounds allow still goes through, and its event fits
in a Kafka message (about 1 MB) with room to spare, even written in 4-byte characters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import pytest

from docket_contracts import topics
from docket_contracts.events import Controller
from docket_devstack.staff import ADMINISTRATOR, INVESTIGATOR, PRESIDENT, Tokens
from docket_messaging import codec
from docket_service.limits import DEFAULT_MAX_BODY_BYTES, LATEST_DAY
from services.case import application, eventstore, readside
from services.case.api.bounds import MAX_CONDUCTS, MAX_ORDER_CHARS, MAX_ORDERS, MAX_TEXT_CHARS
from services.case.config import CaseSettings
from services.case.domain.fines import ART_83_4, ART_83_5
from services.case.main import create_app as case_app
from services.case.store import PostgresCases
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import Running, serve
from tests.case_staff import giver
from tests.factories import complaint_filed, submission

pytestmark = pytest.mark.service

KAFKA_MESSAGE_BYTES = 1_000_000  # about what a broker takes by default (message.max.bytes is 1,048,588)
WIDE = "\U0001d507"  # MATHEMATICAL FRAKTUR CAPITAL D: 4 bytes of UTF-8
END_OF_CALENDAR = "9999-12-31"
HOOK = "http://127.0.0.1:9/hook"


def wide(count: int) -> str:
    return WIDE * count


@pytest.fixture(scope="module")
def bootstrap() -> str:
    """A bootstrap address where no broker listens: these tests never need Kafka."""
    from docket_devstack.ports import free_port

    return f"127.0.0.1:{free_port()}"


QUIET = {"run_relay": False, "run_consumer": False}


@pytest.fixture(scope="module")
async def intake(configure, bootstrap: str) -> AsyncIterator[Running]:
    settings = configure(
        IntakeSettings,
        kafka_bootstrap_servers=bootstrap,
        rate_limit_per_minute=60_000,
        rate_limit_burst=10_000,
        **QUIET,
    )
    async with serve(intake_app(settings)) as running:
        yield running


@pytest.fixture(scope="module")
async def cases(configure, bootstrap: str) -> AsyncIterator[Running]:
    """The case service with the default body limit."""
    settings = configure(CaseSettings, kafka_bootstrap_servers=bootstrap, run_timers=False, **QUIET)
    async with serve(case_app(settings)) as running:
        yield running


@pytest.fixture(scope="module")
async def roomy_cases(configure, bootstrap: str) -> AsyncIterator[Running]:
    """The case service with a body limit raised to 1 MiB: only the field bounds stand between a command and
    its event, which is what the largest-event tests measure."""
    settings = configure(
        CaseSettings, kafka_bootstrap_servers=bootstrap, run_timers=False, max_body_bytes=1024 * 1024, **QUIET
    )
    async with serve(case_app(settings)) as running:
        yield running


@pytest.fixture(scope="module")
async def notifier(configure, bootstrap: str) -> AsyncIterator[Running]:
    settings = configure(
        NotifierSettings,
        kafka_bootstrap_servers=bootstrap,
        run_deliveries=False,
        webhook_allow_list=["127.0.0.0/8"],
        max_body_bytes=4096,
        **QUIET,
    )
    async with serve(notifier_app(settings)) as running:
        yield running


def assert_names(response: Any, status: int, loc: list[Any], *words: str) -> None:
    """The answer is `status` with a detail item at `loc` whose message holds `words`, and no value sent."""
    assert response.status_code == status, response.text
    errors = response.json()["detail"]
    assert isinstance(errors, list), errors
    assert all(set(error) == {"loc", "msg", "type"} for error in errors), errors
    found = [error for error in errors if error["loc"] == loc]
    assert found, f"no error at {loc}: {errors}"
    assert any(all(word in error["msg"] for word in words) for error in found), found


# --- the case service: dates, versions, the read side -----------------------------------------------------


async def open_case(service: Running) -> UUID:
    key = f"bounds-{uuid4().hex[:10]}"
    complaint = complaint_filed(controller=Controller(key=key, name=key.title()))
    async with service.runtime.sessions() as session, session.begin():
        await application.route_complaint(PostgresCases(session), complaint)
        case_id = await readside.case_of_complaint(session, complaint.complaint_id)
    assert case_id is not None
    return case_id


async def command(
    service: Running, tokens: Tokens, case_id: UUID, tail: str, body: dict, version: int, expect: int = 200
) -> Any:
    who = giver(tail, body)
    response = await service.http.post(
        f"/cases/{case_id}{tail}", json=body, headers=tokens(who) | {"If-Match": f'"{version}"'}
    )
    assert response.status_code == expect, response.text[:2000]
    return response


async def investigating(service: Running, tokens: Tokens, findings: int = 1) -> tuple[UUID, int]:
    """A case with an open investigation and `findings` findings; returns it and its version."""
    case_id = await open_case(service)
    await command(
        service,
        tokens,
        case_id,
        "/investigation",
        {"opened_on": "2020-08-01", "scope": "scraping", "decision_reference": "2020-116C"},
        1,
    )
    for n in range(findings):
        await command(service, tokens, case_id, "/findings", {"articles": [6], "facts": f"finding {n}"}, 2 + n)
    return case_id, 2 + findings


async def heard(service: Running, tokens: Tokens, case_id: UUID, version: int) -> int:
    """The case referred, its report notified, the controller summoned and heard; returns the version after."""
    for tail, body in (
        (
            "/referral",
            {
                "referred_on": "2022-06-02",
                "reference": "decision of 2 June 2022",
                "rapporteur": {"name": "Claude Castelluccia", "kind": "commissioner"},
            },
        ),
        ("/report", {"notified_on": "2022-07-14", "documents": ["the report"]}),
        ("/summons", {"summoned_on": "2022-09-13", "hearing_on": "2022-10-13"}),
        ("/hearing", {"held_on": "2022-10-13", "public": True, "speakers": ["rapporteur"]}),
    ):
        await command(service, tokens, case_id, tail, body, version)
        version += 1
    return version


NOTICE = {
    "orders": [{"point": "f", "text": "stop"}],
    "issued_on": "2021-11-26",
    "reference": "MED-2021-134",
    "time_limit": {"months": 2},
}
SANCTION = {
    "decided_on": "2022-10-17",
    "fine_eur": 1_000,
    "articles_infringed": [6],
    "reference": "SAN-2022-019",
    "members": ["Alexandre Linden", "Anne Debet", "Alain Dru", "Bertrand du Marais"],
}
INJUNCTION = {"orders": [{"point": "f", "text": "stop"}], "deadline": "2022-12-18", "daily_penalty_eur": 100}


@pytest.mark.parametrize(
    ("tail", "body", "loc"),
    [
        (
            "/investigation",
            {"opened_on": END_OF_CALENDAR, "scope": "s", "decision_reference": "2020-116C"},
            ["body", "opened_on"],
        ),
        ("/formal-notices", NOTICE | {"issued_on": END_OF_CALENDAR}, ["body", "issued_on"]),
        (
            "/sanctions",
            SANCTION | {"injunction": INJUNCTION | {"deadline": END_OF_CALENDAR}},
            ["body", "injunction", "deadline"],
        ),
        ("/sanctions", SANCTION | {"decided_on": END_OF_CALENDAR}, ["body", "decided_on"]),
        ("/closure", {"outcome": "dismissed", "reasons": "r", "closed_on": END_OF_CALENDAR}, ["body", "closed_on"]),
    ],
)
async def test_a_date_at_the_end_of_the_calendar_is_422_not_a_500(cases, tokens, tail, body, loc):
    """9999-12-31 used to reach the deadline timer's next day, the penalty's first day or the Art 78(2)
    reminder's three months, and overflow there."""
    case_id = await open_case(cases)
    version = 1
    if tail != "/investigation" and tail != "/closure":
        case_id, version = await investigating(cases, tokens)
    refused = await command(cases, tokens, case_id, tail, body, version, expect=422)
    assert_names(refused, 422, loc, f"less than or equal to {LATEST_DAY}")
    after = await cases.http.get(f"/cases/{case_id}", headers=tokens(INVESTIGATOR))
    assert after.json()["version"] == version  # nothing appended


async def test_dates_of_compliance_and_liquidation_are_bounded_too(cases, tokens):
    case_id = await open_case(cases)
    for tail, body, loc in [
        (
            "/formal-notices/00000000-0000-0000-0000-000000000000/compliance",
            {"complied_on": "0001-01-01"},
            ["body", "complied_on"],
        ),
        (
            "/sanctions/00000000-0000-0000-0000-000000000000/liquidations",
            {
                "opened_on": "2023-04-13",
                "period_start": "2022-12-19",
                "period_end": END_OF_CALENDAR,
                "convention": "inclusive",
                "envisaged_amount_eur": 1,
                "reasons": "r",
            },
            ["body", "period_end"],
        ),
    ]:
        refused = await command(cases, tokens, case_id, tail, body, 1, expect=422)
        rule = "greater than or equal to 1900-01-01" if "0001" in str(body) else "less than or equal to 2199-12-31"
        assert_names(refused, 422, loc, rule)


@pytest.mark.parametrize("if_match", ['"²"'.encode("latin-1"), b'"' + b"9" * 5000 + b'"', b'"-1"'])
async def test_an_if_match_that_is_no_version_is_400_not_a_500(cases, tokens, if_match):
    """ "²" passed str.isdigit and then failed int(); 5,000 digits failed int() too."""
    case_id = await open_case(cases)
    response = await cases.http.post(
        f"/cases/{case_id}/investigation",
        json={"opened_on": "2020-08-01", "scope": "s", "decision_reference": "2020-116C"},
        headers=tokens(PRESIDENT) | {"If-Match": if_match},
    )
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == 'If-Match must be a case version such as "3"'


@pytest.mark.parametrize(
    ("path", "params", "loc", "words"),
    [
        ("/cases", {"offset": 10**20}, ["query", "offset"], ["less than or equal to"]),
        ("/cases", {"controller": "a\x00b"}, ["query", "controller"], ["control characters"]),
        ("/art78-overdue", {"as_of": END_OF_CALENDAR}, ["query", "as_of"], ["less than or equal to 2199-12-31"]),
        (
            "/cases/{case_id}",
            {"as_of": "9999-12-31T23:00:00-05:00"},
            ["query", "as_of"],
            ["from 1900-01-01 to 9999-01-01"],
        ),
        ("/cases/{case_id}", {"as_of": "2020-01-01T00:00:00"}, ["query", "as_of"], ["timezone"]),
    ],
)
async def test_read_parameters_out_of_bounds_are_422(cases, tokens, path, params, loc, words):
    case_id = await open_case(cases)
    response = await cases.http.get(path.format(case_id=case_id), params=params, headers=tokens(INVESTIGATOR))
    assert_names(response, 422, loc, *words)


async def test_a_replay_as_of_a_far_future_instant_still_reads_everything(cases, tokens):
    case_id = await open_case(cases)
    response = await cases.http.get(
        f"/cases/{case_id}", params={"as_of": "2999-01-01T00:00:00Z"}, headers=tokens(INVESTIGATOR)
    )
    assert response.status_code == 200 and response.json()["version"] == 1


# --- the case service: sizes ------------------------------------------------------------------------------


async def event_bytes(service: Running, tokens: Tokens, case_id: UUID, event_id: str) -> int:
    """The size of the Kafka message value the event of `event_id` is published as, read back from the
    case's history and encoded as the relay encodes it."""
    history = (await service.http.get(f"/cases/{case_id}/history", headers=tokens(INVESTIGATOR))).json()
    [row] = [e for e in history if e["event_id"] == event_id]
    event = eventstore.stored_event(
        SimpleNamespace(
            type=row["type"],
            stream_id=case_id,
            event_id=row["event_id"],
            schema_version=row["schema_version"],
            data=row["data"],
            occurred_at=datetime.fromisoformat(row["occurred_at"]),
            version=row["version"],
        )
    )
    return len(codec.encode(event, topics.CASES).value)


def largest_orders() -> list[dict[str, str]]:
    return [{"point": "abcdefghij"[n % 10], "text": wide(MAX_ORDER_CHARS)} for n in range(MAX_ORDERS)]


async def test_the_largest_formal_notice_is_accepted_and_its_event_fits_in_a_kafka_message(roomy_cases, tokens):
    case_id, version = await investigating(roomy_cases, tokens)
    body = {
        "orders": largest_orders(),
        "issued_on": "2021-11-26",
        "reference": "MED-2021-134",
        "time_limit": {"months": 2},
    }
    done = (await command(roomy_cases, tokens, case_id, "/formal-notices", body, version)).json()
    [event] = done["events"]
    assert event["type"] == "docket.formal_notice.issued"
    size = await event_bytes(roomy_cases, tokens, case_id, event["event_id"])
    assert 4 * MAX_ORDERS * MAX_ORDER_CHARS < size < KAFKA_MESSAGE_BYTES // 4, size


async def test_the_largest_injunction_is_accepted_and_its_event_fits_in_a_kafka_message(roomy_cases, tokens):
    case_id, version = await investigating(roomy_cases, tokens)
    version = await heard(roomy_cases, tokens, case_id, version)
    articles = sorted(ART_83_4 | ART_83_5)
    body = SANCTION | {
        "decided_on": "2022-10-17",
        "fine_eur": 20_000_000,
        "turnover_eur": 10**15,
        "articles_infringed": articles,
        "injunction": {"orders": largest_orders(), "deadline": "2199-12-30", "daily_penalty_eur": 100_000},
    }
    done = (await command(roomy_cases, tokens, case_id, "/sanctions", body, version)).json()
    assert [e["type"] for e in done["events"]] == [
        "docket.proceedings.deliberated",
        "docket.sanction.imposed",
        "docket.penalty_payment.imposed",
    ]
    size = await event_bytes(roomy_cases, tokens, case_id, done["events"][1]["event_id"])
    assert 4 * MAX_ORDERS * MAX_ORDER_CHARS < size < KAFKA_MESSAGE_BYTES // 4, size


async def test_the_largest_finding_scope_and_closure_are_accepted_and_fit(roomy_cases, tokens):
    case_id = await open_case(roomy_cases)
    sizes = []
    for version, (tail, body) in enumerate(
        [
            ("/investigation", {"opened_on": "2020-08-01", "scope": wide(MAX_TEXT_CHARS), "decision_reference": "C"}),
            ("/findings", {"articles": list(range(1, 100)), "facts": wide(MAX_TEXT_CHARS)}),
            ("/closure", {"outcome": "no_infringement", "reasons": wide(MAX_TEXT_CHARS), "closed_on": "2199-12-31"}),
        ],
        start=1,
    ):
        [event] = (await command(roomy_cases, tokens, case_id, tail, body, version)).json()["events"]
        sizes.append(await event_bytes(roomy_cases, tokens, case_id, event["event_id"]))
    assert all(4 * MAX_TEXT_CHARS < size < KAFKA_MESSAGE_BYTES // 10 for size in sizes), sizes


@pytest.mark.parametrize(
    ("tail", "change", "loc", "words"),
    [
        (
            "/formal-notices",
            {"orders": [{"point": "f", "text": "stop"}] * (MAX_ORDERS + 1)},
            ["body", "orders"],
            [f"at most {MAX_ORDERS} items"],
        ),
        (
            "/formal-notices",
            {"orders": [{"point": "f", "text": "x" * (MAX_ORDER_CHARS + 1)}]},
            ["body", "orders", 0, "text"],
            [f"at most {MAX_ORDER_CHARS} characters"],
        ),
        (
            "/formal-notices",
            {"orders": [{"point": "f", "text": "stop\x00"}]},
            ["body", "orders", 0, "text"],
            ["control characters"],
        ),
        (
            "/sanctions",
            {"injunction": INJUNCTION | {"orders": [{"point": "f", "text": "stop"}] * (MAX_ORDERS + 1)}},
            ["body", "injunction", "orders"],
            [f"at most {MAX_ORDERS} items"],
        ),
        ("/sanctions", {"fine_eur": 10**16}, ["body", "fine_eur"], ["less than or equal to"]),
        (
            "/sanctions",
            {"articles_infringed": None, "conducts": [{"articles_infringed": [6], "fine_eur": 1}] * (MAX_CONDUCTS + 1)},
            ["body", "conducts"],
            [f"at most {MAX_CONDUCTS} items"],
        ),
        (
            "/findings",
            {"facts": "y" * (MAX_TEXT_CHARS + 1)},
            ["body", "facts"],
            [f"at most {MAX_TEXT_CHARS} characters"],
        ),
    ],
)
async def test_a_command_over_its_bounds_is_422_naming_the_field(roomy_cases, tokens, tail, change, loc, words):
    case_id, version = await investigating(roomy_cases, tokens)
    base = {"/formal-notices": NOTICE, "/sanctions": SANCTION, "/findings": {"articles": [6], "facts": "f"}}[tail]
    refused = await command(roomy_cases, tokens, case_id, tail, base | change, version, expect=422)
    assert_names(refused, 422, loc, *words)


async def test_the_largest_formal_notice_in_plain_ascii_fits_the_default_body_limit(cases, tokens):
    case_id, version = await investigating(cases, tokens)
    orders = [{"point": "f", "text": "x" * MAX_ORDER_CHARS} for _ in range(MAX_ORDERS)]
    body = {"orders": orders, "issued_on": "2021-11-26", "reference": "MED-2021-134", "time_limit": {"months": 2}}
    await command(cases, tokens, case_id, "/formal-notices", body, version)


async def test_the_case_service_refuses_a_body_over_its_limit_with_413(cases, tokens):
    case_id, version = await investigating(cases, tokens)
    body = {
        "orders": largest_orders(),
        "issued_on": "2021-11-26",
        "reference": "MED-2021-134",
        "time_limit": {"months": 2},
    }
    refused = await command(cases, tokens, case_id, "/formal-notices", body, version, expect=413)
    assert refused.json() == {"detail": f"request body larger than {DEFAULT_MAX_BODY_BYTES} bytes"}


async def test_fine_estimate_factors_are_bounded(cases, tokens):
    body = {
        "articles_infringed": [6],
        "seriousness": "low",
        "turnover_eur": 1_000_000,
        "aggravating": [{"name": "n", "percent": 1}] * 21,
    }
    response = await cases.http.post("/fine-estimates", json=body, headers=tokens(INVESTIGATOR))
    assert_names(response, 422, ["body", "aggravating"], "at most 20 items")


# --- intake -----------------------------------------------------------------------------------------------


async def test_a_controller_name_whose_key_outgrows_the_contract_is_422_not_a_500(intake):
    name = " ".join(["Longname"] * 33)  # 296 characters; its key, the words joined by hyphens, 296 too
    response = await intake.http.post("/complaints", json=submission(controller={"name": name}))
    assert_names(response, 422, ["body", "controller", "name"], "controller key of 296 characters", "200")


async def test_a_short_name_can_give_a_long_key_and_is_refused_the_same_way(intake):
    """Why the rule is on the key and not on the name's length: "㎉" is "kcal" once normalised."""
    name = "A " + "\u3389" * 60
    response = await intake.http.post("/complaints", json=submission(controller={"name": name}))
    assert_names(response, 422, ["body", "controller", "name"], "controller key of 242 characters")


async def test_a_name_whose_key_just_fits_is_filed_with_that_key(intake, tokens):
    name = "Acme " + "x" * 195 + " Inc."  # key "acme-xxx…": 200 characters, the legal form dropped
    receipt = await intake.http.post("/complaints", json=submission(controller={"name": name}))
    assert receipt.status_code == 201, receipt.text
    stored = await intake.http.get(f"/complaints/{receipt.json()['id']}", headers=tokens(INVESTIGATOR))
    assert len(stored.json()["controller_key"]) == 200


@pytest.mark.parametrize(
    ("change", "loc", "words"),
    [
        ({"received_on": "1899-12-31"}, ["body", "received_on"], ["greater than or equal to 1900-01-01"]),
        ({"received_on": END_OF_CALENDAR}, ["body", "received_on"], [f"{END_OF_CALENDAR} is after today ("]),
        ({"controller": {"name": "Acme\x00"}}, ["body", "controller", "name"], ["control characters"]),
        (
            {"controller": {"name": "Acme", "website": "acme.com/\x00"}},
            ["body", "controller", "website"],
            ["control characters"],
        ),
        ({"narrative": "a\x00b"}, ["body", "narrative"], ["control characters"]),
        (
            {"complainant": {"name": "J", "email": "j\x00@example.org", "country": "FR"}},
            ["body", "complainant", "email"],
            ["control characters"],
        ),
    ],
)
async def test_intake_inputs_that_reached_the_database_unchecked_are_422(intake, change, loc, words):
    response = await intake.http.post("/complaints", json=submission(**change))
    assert_names(response, 422, loc, *words)


async def test_intake_header_path_and_query_bounds(intake, tokens):
    filed = await intake.http.post("/complaints", json=submission(), headers={"Idempotency-Key": "two words"})
    assert_names(filed, 422, ["header", "Idempotency-Key"], "pattern")
    status = await intake.http.get("/complaints/DKT-2020-ABC%00EF/status")
    assert_names(status, 422, ["path", "reference"], "pattern")
    search = await intake.http.get("/complaints", params={"controller": "a\x00"}, headers=tokens(INVESTIGATOR))
    assert_names(search, 422, ["query", "controller"], "control characters")
    dated = await intake.http.get("/complaints", params={"received_to": END_OF_CALENDAR}, headers=tokens(INVESTIGATOR))
    assert_names(dated, 422, ["query", "received_to"], "less than or equal to 2199-12-31")


# --- the notifier -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({"url": "http://[::1/hook"}, ["body", "url"], ["is not a well-formed URL"]),
        ({"url": "http://a..b/hook"}, ["body", "url"], ["not a valid DNS name"]),
        ({"url": "http://" + "a" * 64 + ".example/hook"}, ["body", "url"], ["not a valid DNS name"]),
        ({"url": "http://127.0.0.1:99999/hook"}, ["body", "url"], ["invalid port"]),
        ({"url": HOOK, "description": "a\x00"}, ["body", "description"], ["control characters"]),
        ({"url": HOOK + "\x00"}, ["body", "url"], ["control characters"]),
    ],
)
async def test_subscription_inputs_that_crashed_the_url_check_or_the_database_are_422(
    notifier, tokens, body, loc, words
):
    response = await notifier.http.post(
        "/subscriptions", json={"event_types": ["docket.case.opened"]} | body, headers=tokens(ADMINISTRATOR)
    )
    assert_names(response, 422, loc, *words)


async def test_notifier_contact_and_query_bounds(notifier, tokens):
    admin = tokens(ADMINISTRATOR)
    put = await notifier.http.put("/controllers/acme/contact", json={"email": "dpo\x00@acme.example"}, headers=admin)
    assert_names(put, 422, ["body", "email"], "control characters")
    got = await notifier.http.get("/controllers/ac%00me/contact", headers=admin)
    assert_names(got, 422, ["path", "controller_key"], "pattern")
    listed = await notifier.http.get("/deliveries", params={"event_id": "e\x00"}, headers=admin)
    assert_names(listed, 422, ["query", "event_id"], "control characters")
    paged = await notifier.http.get("/subscriptions", params={"offset": 10**20}, headers=admin)
    assert_names(paged, 422, ["query", "offset"], "less than or equal to")


async def test_the_notifier_refuses_a_body_over_its_limit_with_413(notifier, tokens):
    response = await notifier.http.post(
        "/subscriptions",
        headers=tokens(ADMINISTRATOR),
        json={"url": HOOK, "event_types": ["docket.case.opened"], "description": "d" * 5000},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "request body larger than 4096 bytes"}


async def test_streamed_bodies_past_the_limit_are_413_too(notifier, tokens):
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    response = await notifier.http.post(
        "/subscriptions", content=chunks(), headers=tokens(ADMINISTRATOR) | {"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "larger than 4096 bytes" in response.json()["detail"]
