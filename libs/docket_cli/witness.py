"""`docket verify-integrity`: the case record, as the case service serves it, checked against its witness
outside the database: the case events on docket.cases and the signed checkpoints on docket.checkpoints, read
from Kafka, the checkpoints checked with the keys the case service publishes (docket_operator.witness).

For each case: its hash chain as the service walks it (`/cases/{id}/integrity`), and its history beside what
was published and checkpointed of it. Auditors (the integrity route is theirs and the administrators'). One
line per case that does not hold, then the totals; exits 1 if a case does not hold or the witness is at fault.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from docket_contracts import checkpoints

from . import kafka_access
from .cases import history_of
from .client import KAFKA_CLIENT_ID, Refused
from .problems import Problem
from .terminal import Cli, cli_of

if TYPE_CHECKING:  # imported when used: the other commands start without Kafka's client
    from docket_operator.witness import Stored, Witness

PAGE = 500


def case_ids(cli: Cli) -> list[str]:
    """Every case the case service lists."""
    found: list[str] = []
    while page := cli.docket.get("case", "/cases", limit=PAGE, offset=len(found))["items"]:
        found += [case["case_id"] for case in page]
    return found


def stored_of(history: list[dict[str, Any]]) -> list[Stored]:
    from docket_operator.witness import Stored

    return [
        Stored(
            e["version"],
            e["event_id"],
            e["type"],
            e["schema_version"],
            e["data"],
            datetime.fromisoformat(e["occurred_at"]),
            e["hash"],
        )
        for e in history
    ]


def check_case(cli: Cli, case_id: str, seen: Witness) -> tuple[list[str], int]:
    """What does not hold of one case, a line each, and how many of its events nothing witnesses yet."""
    from docket_operator.witness import compare

    try:
        chain = cli.docket.get("case", f"/cases/{case_id}/integrity")
        history = history_of(cli, case_id)
    except Refused as refused:
        if refused.status != 404:
            raise
        chain, history = None, []
    lines = []
    if chain is not None and not chain["intact"]:
        broken = chain["first_broken_link"]
        lines.append(f"case {case_id}: broken at version {broken['version']}: {broken['reason']}")
    report = compare(case_id, stored_of(history), seen)
    lines += [f"case {case_id}: the witness disagrees at version {f.version}: {f.reason}" for f in report.findings]
    return lines, report.unwitnessed


def verify_integrity(
    ctx: typer.Context,
    case: Annotated[list[str] | None, typer.Option("--case", help="only this case; one each (default: all)")] = None,
    kafka_client_id: kafka_access.ClientId = KAFKA_CLIENT_ID,
    kafka_client_secret: kafka_access.ClientSecret = None,
    kafka_security_protocol: kafka_access.SecurityProtocol = kafka_access.DEFAULT_PROTOCOL,
) -> None:
    """Check every case's record against the events and checkpoints published on Kafka (auditors); exits 1 when
    one does not hold. Kafka is read as `events tail` reads it, signed in as the operator tools' client."""
    from docket_operator.witness import read

    cli = cli_of(ctx)
    access = kafka_access.signed_in(cli, kafka_client_id, kafka_client_secret, kafka_security_protocol)
    keys = checkpoints.keys_of(cli.docket.call("case", "GET", "/.well-known/jwks.json", staff=False).json())
    try:
        seen = asyncio.run(read(access, keys))
    except (ConnectionError, LookupError) as exc:
        raise Problem(
            f"cannot read the witness on Kafka at {cli.docket.endpoints.kafka} ({exc}): its address: --kafka or "
            "DOCKET_KAFKA"
        ) from None
    chosen = case or sorted(set(case_ids(cli)) | seen.cases())
    broken = unwitnessed = 0
    for case_id in chosen:
        lines, left = check_case(cli, case_id, seen)
        for line in lines:
            typer.echo(line)
        broken, unwitnessed = broken + bool(lines), unwitnessed + left
    for problem in seen.problems:
        typer.echo(f"witness: {problem}")
    typer.echo(seen.summary())
    typer.echo(
        f"{len(chosen)} case stream(s) checked, {broken} broken; "
        f"{unwitnessed} event(s) after the last checkpoint not yet witnessed"
    )
    if broken or seen.problems:
        raise typer.Exit(1)
