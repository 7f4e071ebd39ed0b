"""The staff CLI's pure parts: refusals explained, commands built from the case service's OpenAPI document,
output formatting, the kept token, the PNG; and the version check against a case service faked at the HTTP
transport (the real services: tests/e2e/test_readme_cli.py)."""

from __future__ import annotations

import io
import json
import stat
import time
from typing import Any

import httpx
import pytest
from rich.console import Console

from docket_cli import identity, openapi, picture, render
from docket_cli.cases import instant, perform
from docket_cli.client import Docket, Endpoints
from docket_cli.problems import Problem, explain, field_of, invalid, stale
from docket_cli.terminal import Cli
from services.case.config import CaseSettings
from services.case.main import create_app

CASE = "5b7f3c1e-8a52-4c8e-9f0e-2d1c0e6a9b11"
NOTICE = "0f6c2d4b-1e3a-4b5c-8d7e-9a0b1c2d3e4f"


@pytest.fixture(scope="module")
def case_openapi() -> dict[str, Any]:
    """The case service's OpenAPI document as it serves it at /openapi.json (no I/O to build it)."""
    settings = CaseSettings(database_url="postgresql+asyncpg://nobody@localhost/none", oidc_issuer="http://id/realms/x")
    return create_app(settings).openapi()


def text_of(renderable: Any, width: int = 160) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


# --- refusals ---------------------------------------------------------------------------------------------

HISTORY_AFTER_6 = [
    {
        "version": 7,
        "type": "docket.formal_notice.issued",
        "actor": "0c1d-sub",
        "actor_name": "victor.investigator",
        "actor_role": "investigator",
        "recorded_at": "2026-11-22T10:15:03.123456+00:00",
        "data": {},
    }
]


def test_a_stale_version_is_one_sentence_with_what_changed_and_what_to_do():
    assert stale(CASE, 6, 7, HISTORY_AFTER_6) == (
        f"case is now at version 7 (formal_notice.issued by victor.investigator at 2026-11-22 10:15:03 UTC); "
        f"yours was 6: look at it again with `docket case show {CASE}`"
    )


def test_a_version_several_events_behind_counts_them_and_names_the_last():
    since = [
        {
            "version": 5,
            "type": "docket.finding.recorded",
            "actor": "someone-else",
            "recorded_at": "2026-11-22T09:00:00Z",
        },
        *HISTORY_AFTER_6,
    ]
    sentence = stale(CASE, 4, 7, since)
    assert (
        "(2 events since yours, the last formal_notice.issued by victor.investigator at 2026-11-22 10:15:03 UTC)"
        in sentence
        and "yours was 4" in sentence
    )


def test_an_event_without_a_person_names_its_system_actor():
    since = [
        {
            "version": 8,
            "type": "docket.formal_notice.deadline_expired",
            "actor": "system:deadline-timer",
            "actor_name": None,
            "recorded_at": "2022-01-27T00:00:30+01:00",
        }
    ]
    assert "(formal_notice.deadline_expired by system:deadline-timer at 2022-01-26 23:00:30 UTC)" in stale(
        CASE, 7, 8, since
    )


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (["body", "closed_on"], "closed_on"),
        (["body", "orders", 0, "point"], "orders.0.point"),
        (["query", "limit"], "query parameter limit"),
        (["path", "case_id"], "path parameter case_id"),
        (["body"], "the body"),
    ],
)
def test_a_422_names_the_field_as_it_was_given(loc, field):
    assert field_of(loc) == field


def test_a_422_is_a_line_per_field_with_its_rule_and_no_body():
    detail = [
        {
            "loc": ["body", "closed_on"],
            "msg": "2019-01-01 is before the case opened (2020-05-25)",
            "type": "value_error",
            "input": "2019-01-01",
            "ctx": {"secret": "not shown"},
        },
        {"loc": ["body", "reasons"], "msg": "Field required", "type": "missing"},
    ]
    message = explain(422, {"detail": detail}, {}, "case")
    assert message.splitlines() == [
        "closed_on: 2019-01-01 is before the case opened (2020-05-25)",
        "reasons: Field required",
    ]
    assert "not shown" not in message and "value_error" not in message


def test_a_refusal_of_the_state_is_the_service_s_own_sentence():
    sentence = (
        "cannot issue a formal notice: the case is open; allowed next steps: open an investigation; link "
        "a complaint; close as dismissed or no infringement"
    )
    body = {"detail": sentence, "status": "open", "current_version": 1, "allowed_next_steps": ["..."]}
    assert explain(409, body, {}, "case") == sentence


def test_a_refused_token_says_why_and_what_to_do():
    headers = {"www-authenticate": 'Bearer error="invalid_token", error_description="the token has expired"'}
    assert explain(401, {"detail": "Not authenticated"}, headers, "case") == (
        "not signed in, or the token was refused (the token has expired): run `docket login`"
    )


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (500, {"detail": {"trace": "internal"}}, "the case service failed (HTTP 500); its log says why"),
        (
            503,
            {"detail": "the identity provider's keys cannot be fetched"},
            "the case service cannot answer now: the identity provider's keys cannot be fetched",
        ),
        (418, {"weird": ["body"]}, "the case service answered HTTP 418"),
        (404, {"detail": f"no case {CASE}"}, f"no case {CASE}"),
    ],
)
def test_other_answers_are_explained_without_dumping_the_body(status, body, expected):
    assert explain(status, body, {}, "case") == expected


def test_invalid_tolerates_what_is_not_a_validation_list():
    assert invalid("If-Match and expected_version disagree") == ["If-Match and expected_version disagree"]
    assert invalid({"odd": 1}) == ["the request was refused as invalid"]


# --- the OpenAPI-driven command ---------------------------------------------------------------------------


def test_every_lifecycle_route_of_the_case_service_is_a_command(case_openapi):
    names = {route.name for route in openapi.command_routes(case_openapi)}
    assert {
        "investigation",
        "findings",
        "formal-notices",
        "formal-notices/{notice_id}/compliance",
        "formal-notices/{notice_id}/notification",
        "sanctions",
        "sanctions/{sanction_id}/notification",
        "sanctions/{sanction_id}/compliance",
        "sanctions/{sanction_id}/liquidations",
        "closure",
    } <= names
    assert all(route.versioned for route in openapi.command_routes(case_openapi))


def test_a_route_written_with_its_ids_is_found_and_its_fields_listed(case_openapi):
    route = openapi.match(openapi.command_routes(case_openapi), f"formal-notices/{NOTICE}/compliance")
    assert route.template == "/cases/{case_id}/formal-notices/{notice_id}/compliance"
    assert (
        route.path(CASE, f"/formal-notices/{NOTICE}/compliance/") == f"/cases/{CASE}/formal-notices/{NOTICE}/compliance"
    )
    assert [(f.name, f.type, f.required) for f in route.fields()] == [("complied_on", "date", True)]
    assert route.roles == "investigator"


def test_an_unknown_route_is_refused_with_the_routes_there_are(case_openapi):
    with pytest.raises(Problem, match=r"no command 'remedies'; it has: .*closure.*findings"):
        openapi.match(openapi.command_routes(case_openapi), "remedies")


def test_fields_are_typed_by_the_schema(case_openapi):
    routes = openapi.command_routes(case_openapi)
    sanction = openapi.match(routes, "sanctions")
    body = openapi.body(
        sanction,
        [
            "decided_on=2022-10-17",
            "fine_eur=20_000_000",
            "articles_infringed=6,12",
            "articles_infringed=15",
            "injunction.orders.0.point=f",
            "injunction.orders.0.text=delete the data",
            "injunction.days_after_notification=61",
            "injunction.daily_penalty_eur=100000",
            "turnover_eur=null",
        ],
    )
    assert body == {
        "decided_on": "2022-10-17",
        "fine_eur": 20_000_000,
        "articles_infringed": [6, 12, 15],
        "injunction": {
            "orders": [{"point": "f", "text": "delete the data"}],
            "days_after_notification": 61,
            "daily_penalty_eur": 100_000,
        },
        "turnover_eur": None,
    }


def test_a_json_field_is_taken_as_given_and_numbers_keep_their_kind(case_openapi):
    routes = openapi.command_routes(case_openapi)
    body = openapi.body(
        openapi.match(routes, "sanctions"),
        ["decided_on=2022-10-17"],
        ['conducts=[{"articles_infringed": [6], "fine_eur": 1000}]'],
    )
    assert body["conducts"] == [{"articles_infringed": [6], "fine_eur": 1000}]
    estimate = {
        "paths": {
            "/cases/{case_id}/estimates": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "properties": {
                                        "position": {"anyOf": [{"type": "number"}, {"type": "string"}]},
                                        "urgent": {"type": "boolean"},
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    [route] = openapi.command_routes(estimate)
    assert openapi.body(route, ["position=0.75", "urgent=yes"]) == {"position": 0.75, "urgent": True}
    assert not route.versioned


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("fine=1", r"fine: no such field; the fields here are decided_on, reference, members, fine_eur, turnover_eur"),
        ("expected_version=3", r"expected_version: no such field"),
        ("fine_eur=twenty", r"fine_eur: 'twenty' is not integer"),
        ("articles_infringed=6,x", r"articles_infringed: 'x' is not integer"),
        ("injunction=daily", r"injunction: 'daily' is not object \(orders, .*\); give an object with --set-json"),
        ("decided_on", r"--set takes field=value, not 'decided_on'"),
    ],
)
def test_a_field_that_does_not_fit_is_refused_before_anything_is_sent(case_openapi, assignment, message):
    sanction = openapi.match(openapi.command_routes(case_openapi), "sanctions")
    with pytest.raises(Problem, match=message):
        openapi.body(sanction, [assignment])


def test_a_route_the_service_gains_later_is_a_command_at_once():
    """Another engineer's new route, e.g. a reprimand: found, typed and checked from the document alone."""
    document = {
        "paths": {
            "/cases/{case_id}/reprimands": {
                "post": {
                    "summary": "Issue a reprimand (Art 58(2)(b))",
                    "description": "**Roles:** sanctions committee.",
                    "parameters": [{"name": "If-Match", "in": "header"}],
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReprimandIn"}}}
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "ReprimandIn": {
                    "required": ["decided_on", "articles"],
                    "properties": {
                        "decided_on": {"type": "string", "format": "date"},
                        "articles": {"type": "array", "items": {"type": "integer"}},
                        "expected_version": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                    },
                }
            }
        },
    }
    [route] = openapi.command_routes(document)
    assert (route.name, route.summary, route.roles, route.versioned) == (
        "reprimands",
        "Issue a reprimand (Art 58(2)(b))",
        "sanctions committee",
        True,
    )
    assert [(f.name, f.type, f.required) for f in route.fields()] == [
        ("decided_on", "date", True),
        ("articles", "list of integer", True),
    ]
    assert openapi.body(route, ["decided_on=2023-01-05", "articles=5,6"]) == {
        "decided_on": "2023-01-05",
        "articles": [5, 6],
    }


# --- the version check ------------------------------------------------------------------------------------


class FakeCaseService:
    """The case service's answers for one case at version 7, whose client saw version 6."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if request.method == "GET" and request.url.path == f"/cases/{CASE}":
            return httpx.Response(200, json={"id": CASE, "version": 7}, headers={"ETag": '"7"'})
        if request.url.path == f"/cases/{CASE}/history":
            assert request.url.params["after"] == "6"
            return httpx.Response(200, json=HISTORY_AFTER_6)
        if request.headers.get("If-Match") == '"6"':
            return httpx.Response(
                409,
                json={
                    "detail": f"case {CASE} is at version 7, not 6: reload it and decide again",
                    "current_version": 7,
                },
                headers={"ETag": '"7"'},
            )
        return httpx.Response(
            200,
            json={
                "case": {
                    "id": CASE,
                    "version": 8,
                    "status": "investigating",
                    "allowed_next_steps": ["record a finding"],
                },
                "events": [
                    {
                        "type": "docket.finding.recorded",
                        "version": 8,
                        "data": {"articles": [6], "facts": "no legal basis"},
                    }
                ],
            },
        )


def cli_over(service: FakeCaseService) -> Cli:
    console = Console(width=160, record=True, file=io.StringIO())
    return Cli(
        Docket(Endpoints(case="http://case.test"), token="t", transport=httpx.MockTransport(service)), out=console
    )


def test_a_command_carries_the_case_s_current_etag_when_no_version_is_given():
    service = FakeCaseService()
    cli = cli_over(service)
    perform(cli, CASE, "POST", f"/cases/{CASE}/findings", {"articles": [6], "facts": "no legal basis"}, None)
    get, post = service.sent
    assert (get.method, post.method, post.headers["If-Match"], post.headers["Authorization"]) == (
        "GET",
        "POST",
        '"7"',
        "Bearer t",
    )
    assert json.loads(post.content) == {"articles": [6], "facts": "no legal basis"}
    assert "finding.recorded (version 8) articles=6 facts=no legal basis" in cli.out.export_text()


def test_a_stale_version_given_is_explained_with_what_changed():
    service = FakeCaseService()
    with pytest.raises(Problem) as refused:
        perform(cli_over(service), CASE, "POST", f"/cases/{CASE}/findings", {"articles": [6], "facts": "x"}, 6)
    assert str(refused.value) == stale(CASE, 6, 7, HISTORY_AFTER_6)
    assert [r.method for r in service.sent] == ["POST", "GET"]  # no read before: the version was given


def test_a_day_as_of_is_its_last_instant_in_utc():
    assert instant("2022-01-01") == "2022-01-01T23:59:59.999999+00:00"
    assert instant("2022-01-01T10:00:00Z") == "2022-01-01T10:00:00Z"


# --- output -----------------------------------------------------------------------------------------------


def test_a_summary_leaves_out_ids_and_sealed_values_and_shortens_text():
    data = {
        "case_id": CASE,
        "complaint_id": CASE,
        "complainant": {"name": {"subject": CASE, "ciphertext": "x"}},
        "controller": {"key": "clearview-ai", "name": "Clearview AI"},
        "articles_alleged": [6, 12],
        "fine_eur": 20_000_000,
        "facts": "Clearview AI collected images of faces without any legal basis",
        "orders": [{"point": "f", "text": "stop"}],
        "mandate_reference": None,
    }
    assert render.summary(data) == (
        "controller=Clearview AI articles_alleged=6,12 fine_eur=20,000,000 "
        "facts=Clearview AI collected images of faces … orders=1"
    )


def test_a_receipt_for_a_complaint_recorded_without_art_4_1_content_names_it_and_its_two_weeks():
    answer = {"id": CASE, "received_on": "2027-05-03", "reference": "DKT-2027-ABC123", "status_token": "t"}
    answer |= {"status_url": "https://docket.example/status", "missing_content": ["constitution_proof"]}
    shown = text_of(render.receipt(answer))
    assert "missing: constitution_proof" in shown and "within two weeks" in shown and "art 4(2)" in shown
    assert "missing" not in text_of(render.receipt(answer | {"missing_content": []}))


def test_an_event_line_is_time_type_subject_version_and_words():
    assert render.event_line(
        "2022-11-26T09:00:00+01:00",
        "docket.formal_notice.issued",
        CASE,
        5,
        "issued 2021-11-26, 2 order(s), comply by 2022-01-26",
    ) == (
        f"2022-11-26 08:00:00 UTC  formal_notice.issued  {CASE} v5  issued 2021-11-26, 2 order(s), comply by 2022-01-26"
    )
    assert (
        render.event_line("2022-11-26T08:00:00Z", "docket.complaint.filed", CASE, None, "")
        == f"2022-11-26 08:00:00 UTC  complaint.filed  {CASE}"
    )


def test_a_fine_estimate_is_a_table_of_its_steps_and_its_conducts():
    answer = {
        "method": "EDPB Guidelines 04/2022",
        "fine_eur": 20_000_000,
        "steps": [
            {
                "step": "1. classification",
                "explanation": "Art 6: Art 83(5)",
                "amount_eur": 20_000_000,
                "range_eur": None,
            },
            {
                "step": "2. seriousness",
                "explanation": "high",
                "amount_eur": 12_000_000,
                "range_eur": [4_000_000, 20_000_000],
            },
        ],
        "conducts": [
            {
                "articles_infringed": [6, 12],
                "orders_not_complied": [],
                "starting_amount_eur": 12_000_000,
                "fine_eur": 20_000_000,
                "cap": {"paragraph": "83(5)", "cap_eur": 20_000_000},
            }
        ],
    }
    shown = text_of(render.estimate(answer))
    assert "2. seriousness" in shown and "EUR 4,000,000 to EUR 20,000,000" in shown
    assert "Art 83(5): EUR 20,000,000" in shown and shown.rstrip().endswith("fine: EUR 20,000,000")


def test_a_case_shows_its_next_steps_with_the_command_for_each():
    document = {
        "id": CASE,
        "version": 2,
        "status": "investigating",
        "controller": {"name": "Clearview AI", "key": "clearview-ai"},
        "opened_on": "2020-05-25",
        "complaint_count": 3,
        "investigation_opened_on": "2020-08-10",
        "allowed_next_steps": ["record a finding", "link a complaint", "appeal"],
    }
    shown = text_of(render.case(document))
    assert f"case {CASE}: Clearview AI (clearview-ai), investigating, version 2" in shown
    assert any(
        line.split() == ["record", "a", "finding", "docket", "case", "finding", CASE] for line in shown.splitlines()
    )
    assert f"docket case do {CASE} ROUTE (see docket case routes)" in shown  # a step with no command of its own


def test_a_case_shows_its_liquidations_by_id_decided_or_waiting_for_the_controller():
    liquidation = {"period_start": "2022-12-19", "period_end": "2023-02-09", "days_counted": 52}
    document = {
        "id": CASE,
        "version": 21,
        "status": "sanctioned",
        "controller": {"name": "Acme", "key": "acme"},
        "sanctions": [
            {
                "sanction_id": "s1",
                "decided_on": "2022-10-17",
                "fine_eur": 20_000_000,
                "liquidations": [
                    liquidation | {"liquidation_id": "l1", "decided_on": "2023-04-13", "amount_eur": 5_200_000},
                    liquidation
                    | {
                        "liquidation_id": "l2",
                        "decided_on": None,
                        "amount_eur": None,
                        "opened_on": "2023-04-14",
                        "envisaged_amount_eur": 6_300_000,
                    },
                ],
            }
        ],
    }
    shown = text_of(render.case(document))
    assert "liquidation l1: liquidated 2022-12-19 to 2023-02-09: 52 days, EUR 5,200,000" in shown
    assert "liquidation l2: opened 2023-04-14 for 2022-12-19 to 2023-02-09, EUR 6,300,000 envisaged" in shown


def test_a_case_shows_its_reprimand_publication_and_appeal():
    document = {
        "id": CASE,
        "version": 9,
        "status": "reprimanded",
        "controller": {"name": "Acme", "key": "acme"},
        "reprimands": [{"reprimand_id": "r1", "decided_on": "2023-01-05", "articles": [5, 6]}],
        "publications": [
            {
                "publication_id": "p1",
                "decision": "reprimand",
                "published_on": "2023-01-10",
                "withdrawn_on": "2024-01-10",
                "decided_by": "restricted_committee",
                "anonymised_on": "2025-01-10",
            }
        ],
        "appeals": [{"appeal_id": "a1", "decision": "reprimand", "lodged_on": "2023-03-01"}],
        "allowed_next_steps": ["record the court's ruling"],
    }
    shown = text_of(render.case(document))
    assert "reprimand r1: decided 2023-01-05, Art 5,6" in shown
    assert (
        "publication p1: the reprimand made public 2023-01-10 by the restricted committee, name removed 2025-01-10, "
        "withdrawn 2024-01-10" in shown
    )
    assert "appeal a1: the reprimand appealed 2023-03-01, awaiting the court's ruling" in shown
    assert f"docket case do {CASE} appeals/APPEAL_ID/ruling" in shown


# --- the kept token ---------------------------------------------------------------------------------------


def jwt(claims: dict[str, Any]) -> str:
    import base64

    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"e30.{payload}.sig"


def test_the_token_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "docket" / identity.TOKEN_FILE
    path.parent.mkdir()
    path.write_text("{}")
    path.chmod(0o644)  # there before, too open
    kept = identity.Kept(
        "http://id/realms/docket",
        "docket-cli",
        jwt({"preferred_username": "alice.auditor", "roles": ["auditor"]}),
        time.time() + 300,
    )
    identity.save(path, kept)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert identity.load(path) == kept and (kept.user, kept.roles) == ("alice.auditor", ["auditor"])


class FakeIssuer:
    """An OpenID provider's discovery, token and device endpoints at the HTTP transport."""

    def __init__(self, *device_errors: str) -> None:
        self.device_errors, self.forms = list(device_errors), []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        base = "http://id/realms/docket"
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(
                200, json={"token_endpoint": f"{base}/token", "device_authorization_endpoint": f"{base}/device"}
            )
        form = dict(httpx.QueryParams(request.content.decode()))
        self.forms.append(form)
        if request.url.path.endswith("/device"):
            return httpx.Response(
                200,
                json={
                    "device_code": "dc",
                    "user_code": "ABCD-EFGH",
                    "interval": 5,
                    "verification_uri": f"{base}/device",
                    "expires_in": 600,
                },
            )
        if form.get("grant_type") == identity.DEVICE_GRANT and self.device_errors:
            return httpx.Response(400, json={"error": self.device_errors.pop(0)})
        if form.get("password") == "wrong":
            return httpx.Response(401, json={"error": "invalid_grant", "error_description": "Invalid user credentials"})
        return httpx.Response(
            200,
            json={
                "access_token": jwt({"preferred_username": "victor.investigator"}),
                "expires_in": 300,
                "refresh_token": "r2",
                "refresh_expires_in": 1800,
            },
        )


def test_an_expired_access_token_is_refreshed_and_kept_again(tmp_path):
    path, issuer = tmp_path / identity.TOKEN_FILE, FakeIssuer()
    identity.save(
        path, identity.Kept("http://id/realms/docket", "docket-cli", "old", time.time() - 1, "r1", time.time() + 600)
    )
    renewed = identity.fresh(httpx.Client(transport=httpx.MockTransport(issuer)), path, time.time())
    assert issuer.forms == [{"grant_type": "refresh_token", "client_id": "docket-cli", "refresh_token": "r1"}]
    assert renewed.user == "victor.investigator" and identity.load(path) == renewed


def test_an_ended_session_or_none_asks_to_log_in(tmp_path):
    path = tmp_path / identity.TOKEN_FILE
    with pytest.raises(Problem, match="not signed in: run `docket login`"):
        identity.fresh(httpx.Client(), path, time.time())
    identity.save(path, identity.Kept("http://id", "docket-cli", jwt({"sub": "u"}), 0, "r", 1))
    with pytest.raises(Problem, match="the session of u has ended: run `docket login` again"):
        identity.fresh(httpx.Client(), path, time.time())


def test_a_refused_password_says_the_provider_s_reason():
    http = httpx.Client(transport=httpx.MockTransport(FakeIssuer()))
    with pytest.raises(Problem, match="the identity provider refused: Invalid user credentials"):
        identity.password_login(http, "http://id/realms/docket", "docket-cli", "victor.investigator", "wrong")


def test_the_device_flow_shows_the_code_and_polls_slower_when_told():
    issuer, shown, waits = FakeIssuer("authorization_pending", "slow_down"), [], []
    http = httpx.Client(transport=httpx.MockTransport(issuer))
    answer = identity.device_login(http, "http://id/realms/docket", "docket-cli", shown.append, waits.append)
    assert shown[0]["user_code"] == "ABCD-EFGH" and answer["refresh_token"] == "r2"
    assert waits == [5, 5, 10]  # pending; slow down (+5 s); then the token


# --- the picture ------------------------------------------------------------------------------------------

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="60" font-family="sans-serif">'
    '<rect x="10" y="10" width="50" height="20" fill="#e15759"/><text x="70" y="25">sanction</text></svg>'
)


def test_the_picture_is_a_png_of_the_svg_s_size():
    drawn, warning = picture.png(SVG)
    assert drawn[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(drawn[16:20], "big"), int.from_bytes(drawn[20:24], "big")) == (300, 60)
    if picture.sans_serif() is not None:
        assert warning is None
        assert drawn != picture.png(SVG.replace("sanction", ""))[0]  # the label is drawn


def test_without_a_font_the_picture_comes_with_a_warning(monkeypatch):
    picture.sans_serif.cache_clear()
    monkeypatch.setattr(picture, "SANS_SERIF", ("No Such Family",))
    try:
        drawn, warning = picture.png(SVG)
        assert drawn[:8] == b"\x89PNG\r\n\x1a\n" and warning == picture.NO_FONT
    finally:
        picture.sans_serif.cache_clear()


def test_a_delivery_shows_each_attempt_with_its_answer():
    delivery = {
        "id": "d1",
        "event_type": "docket.sanction.imposed",
        "event_id": "e1",
        "subscription_id": "s1",
        "status": "dead",
        "attempts": 2,
        "dead_reason": "gave up after 2 attempts",
        "log": [
            {
                "number": 1,
                "started_at": "2026-11-22T10:00:00Z",
                "latency_ms": 12,
                "status_code": 500,
                "error": None,
                "verdict": "retry",
            },
            {
                "number": 2,
                "started_at": "2026-11-22T10:00:10Z",
                "latency_ms": 5003,
                "status_code": None,
                "error": "ReadTimeout",
                "verdict": "retry",
            },
        ],
    }
    shown = text_of(render.delivery(delivery))
    assert "delivery d1 of sanction.imposed (event e1) to subscription s1: dead, 2 attempt(s), dead: gave up" in shown
    rows = [line.split() for line in shown.splitlines() if line.strip()[:1] in ("1", "2")]
    assert rows == [
        ["1", "2026-11-22", "10:00:00", "UTC", "12", "ms", "HTTP", "500", "retry"],
        ["2", "2026-11-22", "10:00:10", "UTC", "5003", "ms", "ReadTimeout", "retry"],
    ]
