"""`docket case ...`: read cases, give the lifecycle's commands with the version check, and any command route
the case service declares (`docket case do`)."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Annotated, Any, get_args

import typer

from docket_contracts.events import CaseOutcome

from . import openapi, picture, render
from .client import Refused
from .problems import Problem, stale
from .terminal import Cli, Json, Quiet, cli_of

app = typer.Typer(
    no_args_is_help=True, help="Cases: list, show, history, the lifecycle's commands, integrity, timeline."
)

CaseId = Annotated[str, typer.Argument(help="the case's id")]
Version = Annotated[
    int | None,
    typer.Option("--version", help="the case version you decided on (If-Match); by default the case's current one"),
]
Day = Annotated[str, typer.Option(help="a day, YYYY-MM-DD")]
ETAG = re.compile(r'^(?:W/)?"?(\d+)"?$')


# --- reading ----------------------------------------------------------------------------------------------


@app.command("list")
def list_cases(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option(help="open, investigating, formal_notice, notice_complied, notice_expired, sanctioned or closed"),
    ] = None,
    controller: Annotated[str | None, typer.Option(help="controller key or part of its name")] = None,
    overdue: Annotated[
        bool | None,
        typer.Option("--overdue/--not-overdue", help="a formal notice's deadline passed without compliance"),
    ] = None,
    complaint: Annotated[str | None, typer.Option(help="the case a complaint joined")] = None,
    enforcement: Annotated[
        bool | None,
        typer.Option(
            "--under-enforcement/--not-under-enforcement",
            help="sanctioned, with an injunction neither complied with nor ended: the case stays open",
        ),
    ] = None,
    limit: int = 50,
    offset: int = 0,
    wait: Annotated[
        float,
        typer.Option(help="wait up to this many seconds for a match (a complaint reaches its case through Kafka)"),
    ] = 0,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """List cases, newest first."""
    cli = cli_of(ctx)
    params = {
        "status": status,
        "controller": controller,
        "overdue": overdue,
        "complaint_id": complaint,
        "under_enforcement": enforcement,
        "limit": limit,
        "offset": offset,
    }
    deadline = time.monotonic() + wait
    page = cli.docket.get("case", "/cases", **params)
    while not page["items"] and time.monotonic() < deadline:
        time.sleep(0.3)
        page = cli.docket.get("case", "/cases", **params)
    cli.show(page, render.cases, as_json, quiet, lambda p: [c["case_id"] for c in p["items"]])


def instant(text: str) -> str:
    """--as-of as the API takes it: an instant with its zone; a day alone is the end of that day in UTC."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return text
    return datetime.combine(day, clock_time.max, UTC).isoformat()


def history_of(cli: Cli, case_id: str, after: int = 0) -> list[dict[str, Any]]:
    """Every event of the case after version `after`, following the history's pages."""
    found: list[dict[str, Any]] = []
    while True:
        page = cli.docket.get("case", f"/cases/{case_id}/history", after=after)
        found.extend(page)
        if len(page) < 1000 or not page:
            return found
        after = page[-1]["version"]


@app.command()
def show(
    ctx: typer.Context,
    case_id: CaseId,
    as_of: Annotated[
        str | None,
        typer.Option(
            help="the case as it stood then, replayed from its events: an "
            "instant (2022-01-01T00:00:00Z) or a day (its end, UTC)"
        ),
    ] = None,
    history: Annotated[bool, typer.Option(help="with its events")] = True,
    as_json: Json = False,
) -> None:
    """A case: what it is about, where it stands, what may happen next, and its history."""
    cli = cli_of(ctx)
    moment = instant(as_of) if as_of else None
    document = cli.docket.get("case", f"/cases/{case_id}", as_of=moment)
    events = None
    if history:
        events = history_of(cli, case_id)
        events = [e for e in events if e["version"] <= document["version"]]  # as of then: what the replay saw
    if as_json:
        cli.show({"case": document, "history": events}, render.case, as_json=True)
    else:
        cli.out.print(render.case(document, events))


@app.command()
def history(ctx: typer.Context, case_id: CaseId, after: int = 0, as_json: Json = False) -> None:
    """The case's events in order: who, when, what."""
    cli = cli_of(ctx)
    cli.show(history_of(cli, case_id, after), render.events, as_json)


@app.command()
def complaints(
    ctx: typer.Context, case_id: CaseId, limit: int = 100, offset: int = 0, as_json: Json = False, quiet: Quiet = False
) -> None:
    """The complaints of a case, in the order they were linked."""
    cli = cli_of(ctx)
    page = cli.docket.get("case", f"/cases/{case_id}/complaints", limit=limit, offset=offset)
    cli.show(page, render.case_complaints, as_json, quiet, lambda p: [c["complaint_id"] for c in p["items"]])


@app.command()
def integrity(ctx: typer.Context, case_id: CaseId, as_json: Json = False) -> None:
    """Check the case's hash chain (auditors, administrators); exits 1 when a link does not hold."""
    cli = cli_of(ctx)
    answer = cli.docket.get("case", f"/cases/{case_id}/integrity")
    cli.show(answer, render.integrity, as_json)
    if not answer["intact"]:
        raise typer.Exit(1)


@app.command()
def timeline(
    ctx: typer.Context,
    case_id: CaseId,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="where to save the SVG (default: case-ID.svg)")
    ] = None,
    png: Annotated[Path | None, typer.Option(help="save a PNG there instead")] = None,
) -> None:
    """Save the case drawn on a time axis, as SVG or, with --png, as PNG."""
    cli = cli_of(ctx)
    svg = cli.docket.call("case", "GET", f"/cases/{case_id}/timeline.svg").text
    if png is not None:
        drawn, warning = picture.png(svg)
        if warning:
            cli.warn(warning)
        png.write_bytes(drawn)
        cli.out.print(f"saved {png} (PNG, {len(drawn):,} bytes)")
        return
    target = output or Path(f"case-{case_id}.svg")
    target.write_text(svg, encoding="utf-8")
    cli.out.print(f"saved {target} (SVG, {len(svg.encode()):,} bytes)")


# --- commands ---------------------------------------------------------------------------------------------


def current(cli: Cli, case_id: str) -> tuple[dict[str, Any], str]:
    """The case and its ETag, the version a command is decided on."""
    response = cli.docket.call("case", "GET", f"/cases/{case_id}")
    return response.json(), response.headers.get("etag", "")


def perform(
    cli: Cli,
    case_id: str,
    method: str,
    path: str,
    body: dict[str, Any],
    version: int | None,
    versioned: bool = True,
    etag: str | None = None,
    as_json: bool = False,
) -> None:
    """Send one command with the version check: If-Match from --version, else from the case's current ETag.
    A 409 for a stale version says what changed since; any other refusal is explained as it comes."""
    headers = {}
    if versioned:
        if version is not None:
            etag = f'"{version}"'
        elif etag is None:
            etag = current(cli, case_id)[1]
        headers["If-Match"] = etag
    try:
        answer = cli.docket.call("case", method, path, json=body, headers=headers).json()
    except Refused as refused:
        if (
            refused.status == 409
            and isinstance(refused.body, dict)
            and "current_version" in refused.body
            and "allowed_next_steps" not in refused.body
            and (seen := ETAG.match(etag or ""))
        ):
            yours = int(seen.group(1))
            since = cli.docket.get("case", f"/cases/{case_id}/history", after=yours, limit=1000)
            raise Problem(stale(case_id, yours, int(refused.body["current_version"]), since)) from None
        raise
    cli.show(answer, render.command_done, as_json)


def latest(cli: Cli, case_id: str, collection: str, key: str, given: str | None) -> tuple[str, str | None]:
    """The id given, else that of the case's latest formal notice or sanction (and the ETag then read)."""
    if given:
        return given, None
    document, etag = current(cli, case_id)
    if not document.get(collection):
        raise Problem(f"case {case_id} has no {collection.replace('_', ' ').rstrip('s')} yet")
    return str(document[collection][-1][key]), etag


def orders(given: list[str] | None, option: str) -> list[dict[str, str]]:
    """`--order "f: stop the processing"` as the API's `{"point": "f", "text": ...}`."""
    found = []
    for text in given or ():
        point, colon, what = text.partition(":")
        if not colon or not what.strip():
            raise Problem(f"{option} takes POINT: TEXT (the point of GDPR Art 58(2), a to j), not {text!r}")
        found.append({"point": point.strip(), "text": what.strip()})
    return found


def given(**fields: Any) -> dict[str, Any]:
    """A body of the fields given (None left out, so the service's own default or rule applies)."""
    return {name: value for name, value in fields.items() if value is not None and value != []}


@app.command()
def investigate(
    ctx: typer.Context,
    case_id: CaseId,
    opened_on: Day,
    scope: Annotated[str, typer.Option(help="what the investigation covers")],
    decision_reference: Annotated[str, typer.Option(help="the President's decision to carry out checks")],
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Decide to carry out checks: the investigation opens (president)."""
    perform(
        cli_of(ctx),
        case_id,
        "POST",
        f"/cases/{case_id}/investigation",
        given(opened_on=opened_on, scope=scope, decision_reference=decision_reference),
        version,
        as_json=as_json,
    )


Articles = Annotated[list[int] | None, typer.Option("--article", help="a GDPR article; give one --article each")]


@app.command()
def finding(
    ctx: typer.Context,
    case_id: CaseId,
    facts: Annotated[str, typer.Option(help="what was found, about the controller's processing")],
    article: Articles = None,
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Record a finding (investigator): the articles and the facts about the controller's processing."""
    perform(
        cli_of(ctx),
        case_id,
        "POST",
        f"/cases/{case_id}/findings",
        given(articles=article, facts=facts),
        version,
        as_json=as_json,
    )


@app.command("formal-notice")
def formal_notice(
    ctx: typer.Context,
    case_id: CaseId,
    issued_on: Day,
    reference: Annotated[str, typer.Option(help="the President's decision, e.g. MED-2021-134")],
    months: Annotated[int | None, typer.Option(help="the time limit in months, from the controller's receipt")] = None,
    days: Annotated[int | None, typer.Option(help="or in days (at least ten, unless --urgency)")] = None,
    urgency: Annotated[bool, typer.Option(help="urgency invoked: the time limit may be under ten days")] = False,
    order: Annotated[
        list[str] | None, typer.Option(help='an order, "POINT: TEXT" (GDPR Art 58(2) point a to j); one --order each')
    ] = None,
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Give formal notice (president): its orders, and its time limit from the day the controller receives it; the
    deadline is fixed by recording the notification (`docket case notice-notified`)."""
    perform(
        cli_of(ctx),
        case_id,
        "POST",
        f"/cases/{case_id}/formal-notices",
        given(
            orders=orders(order, "--order"),
            issued_on=issued_on,
            reference=reference,
            time_limit=given(months=months, days=days),
            urgency=urgency or None,
        ),
        version,
        as_json=as_json,
    )


Notice = Annotated[str | None, typer.Option(help="the formal notice; by default the case's latest")]
Sanction = Annotated[str | None, typer.Option(help="the sanction; by default the case's latest")]


@app.command("notice-compliance")
def notice_compliance(
    ctx: typer.Context,
    case_id: CaseId,
    complied_on: Day,
    notice: Notice = None,
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Record compliance with a formal notice (investigator)."""
    cli = cli_of(ctx)
    notice_id, etag = latest(cli, case_id, "formal_notices", "notice_id", notice)
    perform(
        cli,
        case_id,
        "POST",
        f"/cases/{case_id}/formal-notices/{notice_id}/compliance",
        given(complied_on=complied_on),
        version,
        etag=etag,
        as_json=as_json,
    )


@app.command("notice-notified")
def notice_notified(
    ctx: typer.Context,
    case_id: CaseId,
    notified_on: Day,
    notice: Notice = None,
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Record the day a formal notice reached the controller, which fixes its deadline (president)."""
    cli = cli_of(ctx)
    notice_id, etag = latest(cli, case_id, "formal_notices", "notice_id", notice)
    perform(
        cli,
        case_id,
        "POST",
        f"/cases/{case_id}/formal-notices/{notice_id}/notification",
        given(notified_on=notified_on),
        version,
        etag=etag,
        as_json=as_json,
    )


@app.command()
def sanction(
    ctx: typer.Context,
    case_id: CaseId,
    decided_on: Day,
    fine: Annotated[int, typer.Option(help="the fine in whole euros")],
    reference: Annotated[str, typer.Option(help="the deliberation's reference, e.g. SAN-2022-019")],
    member: Annotated[list[str], typer.Option(help="a member of the restricted committee who sat; one --member each")],
    turnover: Annotated[
        int | None, typer.Option(help="worldwide annual turnover of the preceding financial year, euros")
    ] = None,
    article: Articles = None,
    order_not_complied: Annotated[
        list[str] | None, typer.Option(help="58(1) or 58(2): an order of the authority not complied with")
    ] = None,
    injunction_order: Annotated[
        list[str] | None, typer.Option(help='an injunction\'s order, "POINT: TEXT"; one each')
    ] = None,
    injunction_deadline: Annotated[str | None, typer.Option(help="the injunction's deadline, a day")] = None,
    injunction_days: Annotated[
        int | None, typer.Option(help="or its deadline as days after the decision's notification")
    ] = None,
    injunction_months: Annotated[int | None, typer.Option(help="or as months after the notification")] = None,
    daily_penalty: Annotated[int | None, typer.Option(help="the penalty a day of delay, euros")] = None,
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Impose a sanction by the restricted committee's deliberation (sanctions committee), once the case went
    through its procedure: a fine within its cap, and an optional injunction with its daily penalty. Several
    conducts: `docket case do ID sanctions --set-json conducts='[...]'`."""
    injunction = None
    if injunction_order:
        injunction = given(
            orders=orders(injunction_order, "--injunction-order"),
            deadline=injunction_deadline,
            days_after_notification=injunction_days,
            months_after_notification=injunction_months,
            daily_penalty_eur=daily_penalty,
        )
    perform(
        cli_of(ctx),
        case_id,
        "POST",
        f"/cases/{case_id}/sanctions",
        given(
            decided_on=decided_on,
            reference=reference,
            members=member,
            fine_eur=fine,
            turnover_eur=turnover,
            articles_infringed=article,
            orders_not_complied=order_not_complied,
            injunction=injunction,
        ),
        version,
        as_json=as_json,
    )


@app.command("sanction-notified")
def sanction_notified(
    ctx: typer.Context,
    case_id: CaseId,
    notified_on: Day,
    sanction: Sanction = None,
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Record the day the sanction decision reached the controller (sanctions committee)."""
    cli = cli_of(ctx)
    sanction_id, etag = latest(cli, case_id, "sanctions", "sanction_id", sanction)
    perform(
        cli,
        case_id,
        "POST",
        f"/cases/{case_id}/sanctions/{sanction_id}/notification",
        given(notified_on=notified_on),
        version,
        etag=etag,
        as_json=as_json,
    )


@app.command("injunction-compliance")
def injunction_compliance(
    ctx: typer.Context,
    case_id: CaseId,
    complied_on: Day,
    sanction: Sanction = None,
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Record compliance with a sanction's injunction: its penalty stops accruing (investigator)."""
    cli = cli_of(ctx)
    sanction_id, etag = latest(cli, case_id, "sanctions", "sanction_id", sanction)
    perform(
        cli,
        case_id,
        "POST",
        f"/cases/{case_id}/sanctions/{sanction_id}/compliance",
        given(complied_on=complied_on),
        version,
        etag=etag,
        as_json=as_json,
    )


@app.command("open-liquidation")
def open_liquidation(
    ctx: typer.Context,
    case_id: CaseId,
    opened_on: Annotated[str, typer.Option(help="the day the reasons and envisaged amount reached the controller")],
    period_start: Annotated[str, typer.Option("--from", help="the first day of delay counted")],
    period_end: Annotated[str, typer.Option("--to", help="the end of the period (see --convention)")],
    amount: Annotated[int, typer.Option(help="the amount envisaged, at most days x rate")],
    reasons: Annotated[str, typer.Option(help="why the committee envisages it")],
    convention: Annotated[
        str, typer.Option(help="exclusive_end (up to, not including, --to) or inclusive (both ends)")
    ] = "exclusive_end",
    sanction: Sanction = None,
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Open a liquidation (sanctions committee): its reasons and envisaged amount, notified to the controller, who
    has fifteen days to answer in writing (décret 2019-536 art 44)."""
    cli = cli_of(ctx)
    sanction_id, etag = latest(cli, case_id, "sanctions", "sanction_id", sanction)
    perform(
        cli,
        case_id,
        "POST",
        f"/cases/{case_id}/sanctions/{sanction_id}/liquidations",
        given(
            opened_on=opened_on,
            period_start=period_start,
            period_end=period_end,
            convention=convention,
            envisaged_amount_eur=amount,
            reasons=reasons,
        ),
        version,
        etag=etag,
        as_json=as_json,
    )


@app.command()
def liquidate(
    ctx: typer.Context,
    case_id: CaseId,
    decided_on: Day,
    amount: Annotated[int, typer.Option(help="the amount fixed, up to days x rate and the amount notified")],
    reasons: Annotated[str, typer.Option(help="the controller's conduct, its difficulties, what it sent")],
    reference: Annotated[str | None, typer.Option(help="the decision's reference, e.g. SAN-2023-005")] = None,
    sanction: Sanction = None,
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Decide the liquidation opened (sanctions committee), once the controller's fifteen days are over."""
    cli = cli_of(ctx)
    sanction_id, etag = latest(cli, case_id, "sanctions", "sanction_id", sanction)
    perform(
        cli,
        case_id,
        "POST",
        f"/cases/{case_id}/sanctions/{sanction_id}/liquidation/decision",
        given(decided_on=decided_on, amount_eur=amount, reasons=reasons, reference=reference),
        version,
        etag=etag,
        as_json=as_json,
    )


@app.command()
def close(
    ctx: typer.Context,
    case_id: CaseId,
    outcome: Annotated[str, typer.Option(help=", ".join(get_args(CaseOutcome)))],
    reasons: Annotated[str, typer.Option(help="why the case is closed")],
    closed_on: Day,
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Close the case (investigator, sanctions committee)."""
    perform(
        cli_of(ctx),
        case_id,
        "POST",
        f"/cases/{case_id}/closure",
        given(outcome=outcome, reasons=reasons, closed_on=closed_on),
        version,
        as_json=as_json,
    )


# --- any command the case service declares ----------------------------------------------------------------


def command_routes(cli: Cli) -> list[openapi.Route]:
    document = cli.docket.call("case", "GET", "/openapi.json", staff=False).json()
    return openapi.command_routes(document)


@app.command()
def routes(ctx: typer.Context) -> None:
    """The case commands the case service offers now (from its OpenAPI document), with their fields."""
    cli = cli_of(ctx)
    cli.out.print(render.routes(command_routes(cli)))


@app.command("do")
def do(
    ctx: typer.Context,
    case_id: CaseId,
    route: Annotated[
        str,
        typer.Argument(
            help="the route under /cases/ID/, ids filled in, e.g. findings or "
            "formal-notices/NOTICE_ID/compliance (`docket case routes`)"
        ),
    ],
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="field=value, typed by the route's schema; "
            "a dotted field reaches inside "
            "(injunction.daily_penalty_eur=100000); a "
            "list takes a,b,c",
        ),
    ] = None,
    set_json: Annotated[list[str] | None, typer.Option("--set-json", help="field=JSON, taken as it is")] = None,
    version: Version = None,
    as_json: Json = False,
) -> None:
    """Give any case command the case service declares, with the version check: new routes need no new CLI."""
    cli = cli_of(ctx)
    found = openapi.match(command_routes(cli), route)
    perform(
        cli,
        case_id,
        found.method.upper(),
        found.path(case_id, route),
        openapi.body(found, set_ or (), set_json or ()),
        version,
        versioned=found.versioned,
        as_json=as_json,
    )
