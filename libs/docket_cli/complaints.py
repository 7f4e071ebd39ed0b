"""`docket complaint ...`: file a submission at the public door or a paper one as an intake officer; search
and read submissions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, get_args

import typer

from docket_contracts.events import ComplaintCategory, ComplaintKind

from . import render
from .problems import Problem
from .terminal import Json, Quiet, cli_of

app = typer.Typer(
    no_args_is_help=True, help="Submissions: file one, search them, read one; and each one's handling, step by step."
)


def body_from(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise Problem(f"--from-file {path}: {exc}") from None
    if not isinstance(found, dict):
        raise Problem(f"--from-file {path}: not a JSON object")
    return found


@app.command("file")
def file_(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option(help=", ".join(get_args(ComplaintKind)))] = None,
    category: Annotated[str | None, typer.Option(help=", ".join(get_args(ComplaintCategory)))] = None,
    name: Annotated[str | None, typer.Option(help="the complainant, or the body lodging it")] = None,
    email: Annotated[str | None, typer.Option(help="their e-mail address")] = None,
    country: Annotated[str | None, typer.Option(help="their country, ISO 3166 alpha-2")] = None,
    controller: Annotated[str | None, typer.Option(help="the controller complained about")] = None,
    controller_country: str | None = None,
    website: Annotated[str | None, typer.Option(help="the controller's website")] = None,
    article: Annotated[list[int] | None, typer.Option("--article", help="a GDPR article alleged; one each")] = None,
    territory: Annotated[list[str] | None, typer.Option(help="a country concerned; one each")] = None,
    narrative: str | None = None,
    mandate_reference: Annotated[str | None, typer.Option(help="the mandate (art80_1_mandated)")] = None,
    constitution_proof: Annotated[
        str | None,
        typer.Option(
            help="a body's proof that it is properly constituted: the register and number, or the document's "
            "reference (Regulation 2025/2518 art 4(1)(b)); on paper, a cross-border complaint without it is recorded "
            "as missing it, to declare inadmissible within two weeks (art 4(2))"
        ),
    ] = None,
    received_on: Annotated[str | None, typer.Option(help="the day it was received (YYYY-MM-DD)")] = None,
    paper: Annotated[
        bool,
        typer.Option(
            help="a complaint received on paper, recorded by an intake officer "
            "with its true receipt date (--received-on required)"
        ),
    ] = False,
    idempotency_key: Annotated[
        str | None, typer.Option(help="retry safely: the same key and body give the first receipt again")
    ] = None,
    from_file: Annotated[
        Path | None, typer.Option(help="the submission as JSON (POST /complaints' body); options given beside it win")
    ] = None,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """File a submission: at the public door (no token), or with --paper as an intake officer."""
    cli = cli_of(ctx)
    submission = body_from(from_file)
    party = {k: v for k, v in {"name": name, "email": email, "country": country}.items() if v is not None}
    if party:
        submission["complainant"] = {**submission.get("complainant", {}), **party}
    about = {
        k: v
        for k, v in {"name": controller, "country": controller_country, "website": website}.items()
        if v is not None
    }
    if about:
        submission["controller"] = {**submission.get("controller", {}), **about}
    submission |= {
        k: v
        for k, v in {
            "kind": kind,
            "category": category,
            "articles_alleged": article,
            "territory": territory,
            "narrative": narrative,
            "mandate_reference": mandate_reference,
            "constitution_proof": constitution_proof,
            "received_on": received_on,
        }.items()
        if v is not None
    }
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    path = "/paper-complaints" if paper else "/complaints"
    answer = cli.docket.call("intake", "POST", path, json=submission, headers=headers, staff=paper).json()
    cli.show(answer, render.receipt, as_json, quiet, lambda a: [a["id"]])


@app.command("list")
def list_complaints(
    ctx: typer.Context,
    controller: Annotated[str | None, typer.Option(help="key or part of the name")] = None,
    kind: str | None = None,
    status: str | None = None,
    received_from: Annotated[str | None, typer.Option(help="received on or after (YYYY-MM-DD)")] = None,
    received_to: Annotated[str | None, typer.Option(help="received on or before")] = None,
    limit: int = 50,
    offset: int = 0,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Search submissions, newest received first (intake officers, investigators, auditors)."""
    cli = cli_of(ctx)
    page = cli.docket.get(
        "intake",
        "/complaints",
        controller=controller,
        kind=kind,
        status=status,
        received_from=received_from,
        received_to=received_to,
        limit=limit,
        offset=offset,
    )
    cli.show(page, render.complaints, as_json, quiet, lambda p: [c["id"] for c in p["items"]])


@app.command()
def show(
    ctx: typer.Context, complaint_id: Annotated[str, typer.Argument(help="the complaint's id")], as_json: Json = False
) -> None:
    """One submission, with the complainant's details opened (or shown as erased)."""
    cli = cli_of(ctx)
    cli.show(cli.docket.get("intake", f"/complaints/{complaint_id}"), render.complaint, as_json)
