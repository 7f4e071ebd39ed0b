"""`docket campaign ...`: find complaints alike, and give them one command in one request (assign, decide their
admissibility, write to their controller, close). The selection is a search (--controller, --category, --body,
--from, --to) or ids, one a line, read from a file (`-`: standard input). Each request carries an
Idempotency-Key: by default the digest of the request itself, so running the same command again after a lost
answer does nothing twice."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Annotated, Any, get_args

import typer

from docket_contracts.events import CAMPAIGN_MAX, ComplaintCategory, ComplaintClosure, InadmissibilityReason

from . import render_handling
from .problems import Problem
from .terminal import Cli, Json, Quiet, cli_of

app = typer.Typer(no_args_is_help=True, help="Campaigns: complaints alike, handled together in one request.")

Controller = Annotated[str | None, typer.Option(help="the controller's key")]
Category = Annotated[str | None, typer.Option(help=", ".join(get_args(ComplaintCategory)))]
BodyKey = Annotated[str | None, typer.Option("--body", help="the key of the Art 80 body that lodged them")]
Since = Annotated[str | None, typer.Option("--from", help="received on or after (YYYY-MM-DD)")]
Until = Annotated[str | None, typer.Option("--to", help="received on or before (YYYY-MM-DD)")]
Status = Annotated[str | None, typer.Option(help="only those of this status, e.g. received or admissible")]
Ids = Annotated[Path | None, typer.Option(help="the complaints' ids, one a line, from this file (-: stdin)")]
Key = Annotated[str | None, typer.Option(help="the request's Idempotency-Key; by default the request's digest")]
On = Annotated[str | None, typer.Option("--on", help="the day (YYYY-MM-DD); today by default")]


def search(cli: Cli, **wanted: Any) -> dict[str, Any]:
    found: dict[str, Any] = cli.docket.get("case", "/campaigns/alike", **wanted)
    return found


@app.command("alike")
def alike(
    ctx: typer.Context,
    controller: Controller = None,
    category: Category = None,
    body: BodyKey = None,
    received_from: Since = None,
    received_to: Until = None,
    status: Status = None,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Complaints alike, still open: of one controller (and category) over a period, or lodged by one body."""
    cli = cli_of(ctx)
    page = search(
        cli,
        controller=controller,
        category=category,
        body=body,
        received_from=received_from,
        received_to=received_to,
        status=status,
    )
    cli.show(page, render_handling.alike, as_json, quiet, lambda p: [c["complaint_id"] for c in p["items"]])


def selection(cli: Cli, ids: Path | None, **wanted: Any) -> list[str]:
    """The complaints a command is given to: read from `ids`, or found by the search."""
    if ids is not None:
        text = sys.stdin.read() if str(ids) == "-" else ids.read_text()
        found = [line.strip() for line in text.splitlines() if line.strip()]
    elif any(wanted.values()):
        page = search(cli, **wanted)
        if page["total"] > CAMPAIGN_MAX:
            cli.warn(f"{page['total']:,} complaints alike: this request takes the first {CAMPAIGN_MAX:,}")
        found = [item["complaint_id"] for item in page["items"]]
    else:
        raise Problem("name the complaints: --ids FILE, or a search (--controller, --body, ...)")
    if not found:
        raise Problem("no complaint to give the command to")
    return found


def give(cli: Cli, route: str, body: dict[str, Any], key: str | None, as_json: bool) -> None:
    given = {name: value for name, value in body.items() if value is not None}
    digest = hashlib.sha256(json.dumps([route, given], sort_keys=True).encode()).hexdigest()[:40]
    headers = {"Idempotency-Key": key or f"cli-{digest}"}
    response = cli.docket.call("case", "POST", f"/campaigns/{route}", json=given, headers=headers)
    if response.headers.get("idempotent-replayed") and not as_json:
        cli.warn("this request was made before: its first answer follows, nothing was done again")
    cli.show(response.json(), render_handling.campaign, as_json)


@app.command("assign")
def assign(
    ctx: typer.Context,
    me: Annotated[bool, typer.Option("--me", help="to yourself")] = False,
    staff: Annotated[str | None, typer.Option(help="to a staff member (token subject)")] = None,
    team: Annotated[str | None, typer.Option(help="to a team")] = None,
    controller: Controller = None,
    category: Category = None,
    body: BodyKey = None,
    received_from: Since = None,
    received_to: Until = None,
    status: Status = None,
    ids: Ids = None,
    on: On = None,
    idempotency_key: Key = None,
    as_json: Json = False,
) -> None:
    """Give the complaints to yourself, a staff member or a team."""
    cli = cli_of(ctx)
    found = selection(
        cli,
        ids,
        controller=controller,
        category=category,
        body=body,
        received_from=received_from,
        received_to=received_to,
        status=status,
    )
    request = {"complaint_ids": found, "me": me, "staff": staff, "team": team, "assigned_on": on}
    give(cli, "assignment", request, idempotency_key, as_json)


@app.command("admissibility")
def admissibility(
    ctx: typer.Context,
    decision: Annotated[str, typer.Argument(help="admissible or inadmissible")],
    reason: Annotated[str | None, typer.Option(help=", ".join(get_args(InadmissibilityReason)))] = None,
    reasons: Annotated[str | None, typer.Option(help="the reasons, in words")] = None,
    controller: Controller = None,
    category: Category = None,
    body: BodyKey = None,
    received_from: Since = None,
    received_to: Until = None,
    status: Status = None,
    ids: Ids = None,
    on: On = None,
    idempotency_key: Key = None,
    as_json: Json = False,
) -> None:
    """Decide the complaints' admissibility, each with its own decision and letter."""
    cli = cli_of(ctx)
    found = selection(
        cli,
        ids,
        controller=controller,
        category=category,
        body=body,
        received_from=received_from,
        received_to=received_to,
        status=status,
    )
    request = {"complaint_ids": found, "decision": decision, "reason": reason, "reasons": reasons, "decided_on": on}
    give(cli, "admissibility", request, idempotency_key, as_json)


@app.command("write")
def write(
    ctx: typer.Context,
    request: Annotated[str, typer.Option(help="what the controller is asked to do")],
    by: Annotated[str | None, typer.Option(help="the day to answer by (YYYY-MM-DD); in 30 days by default")] = None,
    controller: Controller = None,
    category: Category = None,
    body: BodyKey = None,
    received_from: Since = None,
    received_to: Until = None,
    status: Status = None,
    ids: Ids = None,
    on: On = None,
    idempotency_key: Key = None,
    as_json: Json = False,
) -> None:
    """Write once to each controller about its complaints, asking it to act by a day."""
    cli = cli_of(ctx)
    found = selection(
        cli,
        ids,
        controller=controller,
        category=category,
        body=body,
        received_from=received_from,
        received_to=received_to,
        status=status,
    )
    letter = {"complaint_ids": found, "request": request, "answer_due": by, "asked_on": on}
    give(cli, "controller-letters", letter, idempotency_key, as_json)


@app.command("close")
def close(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help=", ".join(get_args(ComplaintClosure)))],
    reasons: Annotated[str, typer.Option(help="the reasons, in words")],
    controller: Controller = None,
    category: Category = None,
    body: BodyKey = None,
    received_from: Since = None,
    received_to: Until = None,
    status: Status = None,
    ids: Ids = None,
    on: On = None,
    idempotency_key: Key = None,
    as_json: Json = False,
) -> None:
    """Close the complaints with the same reason and reasons, each with its own letter."""
    cli = cli_of(ctx)
    found = selection(
        cli,
        ids,
        controller=controller,
        category=category,
        body=body,
        received_from=received_from,
        received_to=received_to,
        status=status,
    )
    request = {"complaint_ids": found, "reason": reason, "reasons": reasons, "closed_on": on}
    give(cli, "closure", request, idempotency_key, as_json)
