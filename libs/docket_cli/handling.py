"""A complaint's own handling from a terminal: `docket queue`, `docket workload`, and the steps of a complaint
(`docket complaint handling|assign|admissibility|ask-controller|answer|join|transfer|close`), each over the case
service's routes. A day left out is today, as the service counts it."""

from __future__ import annotations

from typing import Annotated, Any, get_args

import typer

from docket_contracts.events import ComplaintClosure, InadmissibilityReason

from . import identity, render_handling
from .complaints import app as complaints
from .problems import Problem
from .terminal import Cli, Json, Quiet, cli_of

ComplaintId = Annotated[str, typer.Argument(help="the complaint's id")]
On = Annotated[str | None, typer.Option("--on", help="the day (YYYY-MM-DD); today by default")]
VIEWS = ("unassigned", "mine", "team", "due-soon", "overdue")


def caller(cli: Cli) -> str | None:
    """The subject of the caller's token, to show what they hold as theirs (None when it is no JWT)."""
    subject = identity.claims(cli.docket.bearer()).get("sub")
    return subject if isinstance(subject, str) else None


def queue(
    ctx: typer.Context,
    view: Annotated[str, typer.Argument(help=", ".join(VIEWS))] = "mine",
    as_of: Annotated[str | None, typer.Option(help="the day to look from (YYYY-MM-DD)")] = None,
    limit: int = 50,
    offset: int = 0,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """A queue of open complaints and cases, the earliest due first: unassigned, mine, team (my teams'), due-soon or
    overdue."""
    if view not in VIEWS:
        raise Problem(f"the queues are {', '.join(VIEWS)}, not {view!r}")
    cli = cli_of(ctx)
    page = cli.docket.get("case", f"/queue/{view}", as_of=as_of, limit=limit, offset=offset)
    me = caller(cli)
    cli.show(
        page, lambda p: render_handling.queue(p, me), as_json, quiet, lambda p: [item["id"] for item in p["items"]]
    )


def workload(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option(help="the day to look from (YYYY-MM-DD)")] = None,
    as_json: Json = False,
) -> None:
    """Who holds how much: open items per staff member and team, the oldest, how many overdue."""
    cli = cli_of(ctx)
    me = caller(cli)
    cli.show(cli.docket.get("case", "/workload", as_of=as_of), lambda a: render_handling.workload(a, me), as_json)


def step(cli: Cli, complaint_id: str, route: str, body: dict[str, Any], as_json: bool) -> None:
    """Take one step of the complaint's handling and show where it stands after."""
    given = {name: value for name, value in body.items() if value is not None}
    answer = cli.docket.call("case", "POST", f"/complaints/{complaint_id}/{route}", json=given).json()
    me = caller(cli)
    cli.show(answer, lambda a: render_handling.handled(a, me), as_json)


@complaints.command("handling")
def show_handling(ctx: typer.Context, complaint_id: ComplaintId, as_json: Json = False) -> None:
    """Where a complaint's handling stands, its next step and what it allows next."""
    cli = cli_of(ctx)
    record, me = cli.docket.get("case", f"/complaints/{complaint_id}/handling"), caller(cli)
    cli.show(record, lambda r: render_handling.handling(r, me), as_json)


@complaints.command("assign")
def assign(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    me: Annotated[bool, typer.Option("--me", help="to yourself")] = False,
    staff: Annotated[str | None, typer.Option(help="to a staff member, by the subject of their tokens")] = None,
    team: Annotated[str | None, typer.Option(help="to a team")] = None,
    on: On = None,
    as_json: Json = False,
) -> None:
    """Give the complaint to yourself, a staff member, a team, or (with none) to nobody."""
    body = {"me": me, "staff": staff, "team": team, "assigned_on": on}
    step(cli_of(ctx), complaint_id, "assignment", body, as_json)


@complaints.command("admissibility")
def admissibility(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    decision: Annotated[str, typer.Argument(help="admissible or inadmissible")],
    reason: Annotated[str | None, typer.Option(help=", ".join(get_args(InadmissibilityReason)))] = None,
    reasons: Annotated[str | None, typer.Option(help="the reasons, in words (required when inadmissible)")] = None,
    duplicate_of: Annotated[str | None, typer.Option(help="with duplicate: the complaint it repeats")] = None,
    on: On = None,
    as_json: Json = False,
) -> None:
    """Find the complaint admissible, or inadmissible with a reason and reasons (intake officers, investigators)."""
    body = {"decision": decision, "reason": reason, "reasons": reasons, "duplicate_of": duplicate_of, "decided_on": on}
    step(cli_of(ctx), complaint_id, "admissibility", body, as_json)


@complaints.command("ask-controller")
def ask_controller(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    request: Annotated[str, typer.Option(help="what the controller is asked to do")],
    by: Annotated[str | None, typer.Option(help="the day to answer by (YYYY-MM-DD); in 30 days by default")] = None,
    on: On = None,
    as_json: Json = False,
) -> None:
    """Write to the controller about the complaint, asking it to act and to answer by a day."""
    body = {"request": request, "answer_due": by, "asked_on": on}
    step(cli_of(ctx), complaint_id, "controller-letters", body, as_json)


@complaints.command("answer")
def answer(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    summary: Annotated[str, typer.Option(help="what the controller says it did")],
    on: On = None,
    as_json: Json = False,
) -> None:
    """Record the controller's answer to the last letter about the complaint (for every complaint of that letter)."""
    cli = cli_of(ctx)
    record = cli.docket.get("case", f"/complaints/{complaint_id}/handling")
    if not record.get("letter_id"):
        raise Problem(f"no letter to the controller is on record for complaint {complaint_id}")
    path = f"/cases/{record['case_id']}/controller-letters/{record['letter_id']}/answer"
    body = {name: value for name, value in {"summary": summary, "answered_on": on}.items() if value is not None}
    done = cli.docket.call("case", "POST", path, json=body).json()
    if as_json:
        cli.show(done, render_handling.handling, as_json)
        return
    cli.out.print(f"the answer was recorded for {len(done['answered']):,} complaint(s) of letter {record['letter_id']}")


@complaints.command("join")
def join(ctx: typer.Context, complaint_id: ComplaintId, on: On = None, as_json: Json = False) -> None:
    """Join the complaint to its case's investigation (investigators)."""
    step(cli_of(ctx), complaint_id, "investigation", {"joined_on": on}, as_json)


@complaints.command("transfer")
def transfer(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    authority: Annotated[str, typer.Option(help="the authority competent for it")],
    country: Annotated[str, typer.Option(help="its country, ISO 3166 alpha-2")],
    reasons: Annotated[str, typer.Option(help="why that authority is competent")],
    on: On = None,
    as_json: Json = False,
) -> None:
    """Send the complaint to the authority competent for it; it ends here."""
    body = {"authority": authority, "authority_country": country, "reasons": reasons, "transferred_on": on}
    step(cli_of(ctx), complaint_id, "transfer", body, as_json)


@complaints.command("close")
def close(
    ctx: typer.Context,
    complaint_id: ComplaintId,
    reason: Annotated[str, typer.Option(help=", ".join(get_args(ComplaintClosure)))],
    reasons: Annotated[str, typer.Option(help="the reasons, in words")],
    on: On = None,
    as_json: Json = False,
) -> None:
    """Close the complaint with its reason; its case may go on."""
    step(cli_of(ctx), complaint_id, "closure", {"reason": reason, "reasons": reasons, "closed_on": on}, as_json)
