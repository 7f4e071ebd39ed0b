"""The staff CLI's commands of a complaint's handling, campaigns and figures, against a case service faked at the
HTTP transport: what each sends, and how its answer reads (the real services: tests/e2e/test_readme_cli.py)."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from rich.console import Console

from docket_cli import campaigns, figures, handling
from docket_cli.client import Docket, Endpoints
from docket_cli.problems import Problem
from docket_cli.terminal import Cli

CASE = "5b7f3c1e-8a52-4c8e-9f0e-2d1c0e6a9b11"
LETTER = "0f6c2d4b-1e3a-4b5c-8d7e-9a0b1c2d3e4f"
IDS = ["00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"]


class FakeCase:
    """The case service's answers to the routes the commands call, and the requests it got."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.replayed = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/queue/overdue":
            return httpx.Response(200, json={"view": "overdue", "total": 1, "limit": 50, "offset": 0, "items": [ITEM]})
        if path == "/campaigns/alike":
            items = [
                {
                    "complaint_id": c,
                    "controller_key": "acme",
                    "category": None,
                    "body_key": "noyb",
                    "received_on": "2026-09-01",
                    "status": "received",
                    "case_id": CASE,
                    "kind": "art77_complaint",
                }
                for c in IDS
            ]
            return httpx.Response(200, json={"total": 2, "items": items})
        if path == "/campaigns/closure":
            results = [
                {"complaint_id": IDS[0], "result": "done", "status": 200},
                {"complaint_id": IDS[1], "result": "refused", "status": 409, "detail": "it is closed"},
            ]
            headers = {"Idempotent-Replayed": "true"} if self.replayed else {}
            self.replayed = True
            return httpx.Response(200, json={"done": 1, "refused": 1, "results": results}, headers=headers)
        if path == f"/complaints/{IDS[0]}/handling":
            return httpx.Response(200, json={"complaint_id": IDS[0], "case_id": CASE, "letter_id": LETTER})
        if path == f"/cases/{CASE}/controller-letters/{LETTER}/answer":
            return httpx.Response(200, json={"answered": IDS, "version": 9})
        if path == "/stats.csv":
            return httpx.Response(200, text="figure,key,value\nreceived,total,2\n")
        if path == "/stats/months.svg":
            return httpx.Response(200, text="<svg/>")
        return httpx.Response(404, json={"detail": f"no route {path}"})


ITEM = {
    "item": "complaint",
    "id": IDS[0],
    "case_id": CASE,
    "controller_key": "acme",
    "status": "received",
    "step": "admissibility",
    "staff": None,
    "team": "complaints-desk",
    "since": "2026-09-01",
    "due_on": "2026-10-01",
    "art78_due_on": "2026-12-01",
    "overdue": True,
}


@pytest.fixture
def service() -> FakeCase:
    return FakeCase()


def context(service: FakeCase) -> tuple[Any, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    docket = Docket(Endpoints(case="http://case.test"), token="t", transport=httpx.MockTransport(service))
    cli = Cli(docket, out=Console(file=out, width=200), err=Console(file=err, width=200))
    return SimpleNamespace(obj=cli), out, err


def test_a_queue_reads_as_a_table_with_what_is_overdue(service):
    ctx, out, _ = context(service)
    handling.queue(ctx, "overdue")
    text = out.getvalue()
    assert IDS[0] in text and "2026-10-01 (overdue)" in text and "team complaints-desk" in text
    with pytest.raises(Problem, match="the queues are unassigned, mine, team, due-soon, overdue"):
        handling.queue(ctx, "later")


def test_a_campaign_gives_the_search_s_complaints_one_command_and_a_retry_the_same_key(service, capsys):
    ctx, out, err = context(service)
    for _ in range(2):
        campaigns.close(ctx, reason="not_pursued", reasons="the banner changed", controller="acme")
    posted = [r for r in service.requests if r.url.path == "/campaigns/closure"]
    assert json.loads(posted[0].content) == {
        "complaint_ids": IDS,
        "reason": "not_pursued",
        "reasons": "the banner changed",
    }
    assert posted[0].headers["Idempotency-Key"] == posted[1].headers["Idempotency-Key"]
    assert posted[0].headers["Idempotency-Key"].startswith("cli-")
    assert "1 done, 1 refused" in out.getvalue() and "it is closed" in out.getvalue()
    assert "this request was made before" in err.getvalue()
    with pytest.raises(Problem, match="name the complaints"):
        campaigns.close(ctx, reason="not_pursued", reasons="r")


def test_the_answer_is_recorded_on_the_last_letter_about_the_complaint(service):
    ctx, out, _ = context(service)
    handling.answer(ctx, IDS[0], summary="access given")
    [posted] = [r for r in service.requests if r.method == "POST"]
    assert posted.url.path == f"/cases/{CASE}/controller-letters/{LETTER}/answer"
    assert json.loads(posted.content) == {"summary": "access given"}
    assert "for 2 complaint(s)" in out.getvalue()


def test_the_figures_print_as_csv_and_a_chart_is_saved(service, tmp_path, capsys):
    ctx, out, _ = context(service)
    figures.stats(ctx, year=2024, csv=True)
    assert capsys.readouterr().out == "figure,key,value\nreceived,total,2\n"
    target = tmp_path / "months.svg"
    figures.stats(ctx, year=2024, chart="months", output=target)
    assert target.read_text() == "<svg/>" and "saved" in out.getvalue()
    assert dict(service.requests[-1].url.params) == {"year": "2024"}
