"""The `docket` command: its root options (where Docket is, whose token), `login`, the fine estimate, the event
tail, the queues, the workload and the figures, the check of the case record against its witness (witness.py), and
the groups for cases, complaints, campaigns and webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from docket_contracts import topics

from . import campaigns, cases, complaints, figures, handling, identity, kafka_access, render, webhooks, witness
from .client import CLIENT_ID, DEFAULT_ISSUER, DEFAULT_KAFKA, DEFAULT_URLS, KAFKA_CLIENT_ID, Docket, Endpoints
from .problems import Problem
from .terminal import Cli, Json, cli_of

if TYPE_CHECKING:
    from docket_messaging.access import KafkaAccess

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help=(
        "Docket's staff command line: cases, submissions and their handling, queues, campaigns, figures, fines, "
        "events and webhooks, over the services' APIs. "
        "Sign in first with `docket login`."
    ),
)
app.add_typer(cases.app, name="case")
app.add_typer(complaints.app, name="complaint")
app.add_typer(webhooks.app, name="webhook")
app.add_typer(campaigns.app, name="campaign")
app.command("queue")(handling.queue)
app.command("workload")(handling.workload)
app.command("stats")(figures.stats)
events = typer.Typer(no_args_is_help=True, help="Docket's events, read from Kafka.")
fine = typer.Typer(no_args_is_help=True, help="Fines: the EDPB Guidelines 04/2022, step by step.")
app.add_typer(events, name="events")
app.add_typer(fine, name="fine")
app.command("verify-integrity")(witness.verify_integrity)


def url_option(service: str) -> Any:
    return typer.Option(
        f"--{service}-url", envvar=f"DOCKET_{service.upper()}_URL", help=f"the {service} service", show_default=True
    )


@app.callback()
def root(
    ctx: typer.Context,
    intake_url: Annotated[str, url_option("intake")] = DEFAULT_URLS["intake"],
    case_url: Annotated[str, url_option("case")] = DEFAULT_URLS["case"],
    notifier_url: Annotated[str, url_option("notifier")] = DEFAULT_URLS["notifier"],
    kafka: Annotated[
        str,
        typer.Option(envvar="DOCKET_KAFKA", help="Kafka's bootstrap servers, for `events tail` and `verify-integrity`"),
    ] = DEFAULT_KAFKA,
    issuer: Annotated[
        str, typer.Option(envvar="DOCKET_ISSUER", help="the OpenID Connect issuer `login` signs in at")
    ] = DEFAULT_ISSUER,
    client_id: Annotated[
        str, typer.Option(envvar="DOCKET_CLIENT_ID", help="the issuer's client for this command line")
    ] = CLIENT_ID,
    token: Annotated[
        str | None, typer.Option(envvar="DOCKET_TOKEN", help="a bearer token to use instead of the one `login` kept")
    ] = None,
) -> None:
    endpoints = Endpoints(
        intake=intake_url, case=case_url, notifier=notifier_url, kafka=kafka, issuer=issuer, client_id=client_id
    )
    ctx.obj = Cli(Docket(endpoints, token=token))
    ctx.call_on_close(ctx.obj.docket.close)


# --- signing in -------------------------------------------------------------------------------------------


def token_path() -> Path:
    return identity.config_dir() / identity.TOKEN_FILE


@app.command()
def login(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Argument(help="your user name (password grant); leave out with --device")] = None,
    password: Annotated[
        str | None, typer.Option(envvar="DOCKET_PASSWORD", help="asked for when not given", show_default=False)
    ] = None,
    device: Annotated[
        bool, typer.Option(help="sign in in a browser, on this or another device (OAuth device flow)")
    ] = False,
) -> None:
    """Sign in at the identity provider and keep the token (readable by you only) for the next commands."""
    cli = cli_of(ctx)
    endpoints = cli.docket.endpoints
    if device:

        def show(started: Mapping[str, Any]) -> None:
            where = started.get("verification_uri_complete") or started.get("verification_uri")
            cli.err.print(f"open {where} and enter the code {started.get('user_code')}; waiting...")

        answer = identity.device_login(cli.docket.http, endpoints.issuer, endpoints.client_id, show)
    else:
        if user is None:
            raise Problem("give your user name (`docket login NAME`), or sign in with --device")
        if password is None:
            password = typer.prompt("password", hide_input=True)
        answer = identity.password_login(cli.docket.http, endpoints.issuer, endpoints.client_id, user, password)
    kept = identity.kept_from(answer, endpoints.issuer, endpoints.client_id, time.time())
    identity.save(token_path(), kept)
    cli.out.print(f"signed in as {kept.described} at {endpoints.issuer}; token kept in {token_path()}")


@app.command()
def logout(ctx: typer.Context) -> None:
    """Forget the kept token."""
    with contextlib.suppress(FileNotFoundError):
        token_path().unlink()
    cli_of(ctx).out.print("signed out")


@app.command()
def whoami(ctx: typer.Context) -> None:
    """Who the kept token is for, in which roles, and until when."""
    cli = cli_of(ctx)
    kept = identity.fresh(cli.docket.http, token_path(), time.time())
    left = int(kept.expires_at - time.time())
    cli.out.print(f"{kept.described} at {kept.issuer}; the access token has {left} s left")


# --- fines ------------------------------------------------------------------------------------------------


def factors(given: list[str] | None, option: str) -> list[dict[str, Any]]:
    """`--aggravating "intentional=20"` as the API's `{"name": ..., "percent": 20}`."""
    found = []
    for text in given or ():
        name, equals, percent = text.rpartition("=")
        if not equals or not name.strip() or not percent.strip().lstrip("-").isdigit():
            raise Problem(f"{option} takes NAME=PERCENT, not {text!r}")
        found.append({"name": name.strip(), "percent": int(percent)})
    return found


@fine.command()
def estimate(
    ctx: typer.Context,
    turnover: Annotated[
        int, typer.Option(help="the undertaking's worldwide annual turnover of the preceding financial year, euros")
    ],
    seriousness: Annotated[str | None, typer.Option(help="low, medium or high")] = None,
    article: Annotated[list[int] | None, typer.Option("--article", help="a GDPR article infringed; one each")] = None,
    order_not_complied: Annotated[list[str] | None, typer.Option(help="58(1) or 58(2)")] = None,
    position: Annotated[float | None, typer.Option(help="where in the seriousness range, 0 to 1")] = None,
    aggravating: Annotated[list[str] | None, typer.Option(help='"NAME=PERCENT"; one each')] = None,
    mitigating: Annotated[list[str] | None, typer.Option(help='"NAME=PERCENT"; one each')] = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            help="the whole estimate as JSON (POST /fine-estimates' body, e.g. with conducts); options beside it win"
        ),
    ] = None,
    as_json: Json = False,
) -> None:
    """Estimate a fine, step by step (investigators, sanctions committee)."""
    cli = cli_of(ctx)
    body = complaints.body_from(from_file)
    body |= {
        name: value
        for name, value in {
            "turnover_eur": turnover,
            "seriousness": seriousness,
            "articles_infringed": article,
            "orders_not_complied": order_not_complied,
            "position": position,
            "aggravating": factors(aggravating, "--aggravating"),
            "mitigating": factors(mitigating, "--mitigating"),
        }.items()
        if value not in (None, [])
    }
    answer = cli.docket.call("case", "POST", "/fine-estimates", json=body).json()
    cli.show(answer, render.estimate, as_json)


# --- events -----------------------------------------------------------------------------------------------

TOPICS = {
    "complaints": topics.COMPLAINTS,
    "cases": topics.CASES,
    "notifications": topics.NOTIFICATIONS,
    "checkpoints": topics.CHECKPOINTS,
}


async def next_within(messages: AsyncIterator[Any], idle: float | None) -> Any:
    """The next message, or None when none came for `idle` seconds."""
    try:
        return await asyncio.wait_for(anext(messages), idle) if idle else await anext(messages)
    except TimeoutError:
        return None


async def print_events(
    cli: Cli,
    access: KafkaAccess,
    chosen: list[str],
    from_beginning: bool,
    subject: str | None,
    count: int | None,
    idle: float | None,
    as_json: bool,
) -> int:
    from docket_operator.tail import Tail, summary

    printed = 0
    async with Tail(access, chosen, from_beginning=from_beginning) as tail:
        messages = aiter(tail)
        while (count is None or printed < count) and (seen := await next_within(messages, idle)) is not None:
            event = seen.event
            if event is None:
                cli.warn(f"{seen.topic} {seen.partition}:{seen.offset} is no Docket event: {seen.problem}")
                continue
            if subject and event.subject != subject:
                continue
            if as_json:
                typer.echo(
                    json.dumps(
                        {
                            "topic": seen.topic,
                            "id": event.id,
                            "type": event.type,
                            "subject": event.subject,
                            "time": event.time.isoformat(),
                            "sequence": event.sequence,
                            "data": event.data,
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                typer.echo(
                    render.event_line(
                        event.time.isoformat(),
                        event.type,
                        event.subject,
                        event.sequence,
                        summary(event.type, event.data) or render.summary(event.data),
                    )
                )
            sys.stdout.flush()
            printed += 1
    return printed


@events.command()
def tail(
    ctx: typer.Context,
    topic: Annotated[
        list[str] | None,
        typer.Option(help="complaints, cases, notifications or checkpoints; one each (default: all four)"),
    ] = None,
    from_beginning: Annotated[bool, typer.Option(help="from the first event kept, not from now")] = False,
    subject: Annotated[str | None, typer.Option(help="only the events of this case or complaint")] = None,
    count: Annotated[int | None, typer.Option(help="stop after this many events")] = None,
    idle: Annotated[float | None, typer.Option(help="stop when nothing came for this many seconds")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one CloudEvent as JSON a line")] = False,
    kafka_client_id: kafka_access.ClientId = KAFKA_CLIENT_ID,
    kafka_client_secret: kafka_access.ClientSecret = None,
    kafka_security_protocol: kafka_access.SecurityProtocol = kafka_access.DEFAULT_PROTOCOL,
) -> None:
    """Print Docket's events as they cross Kafka, one line each (Ctrl-C stops). Kafka lets in only the clients
    its ACLs name: this signs in as the operator tools' client, with a token from the issuer (--issuer)."""
    cli = cli_of(ctx)
    unknown = [name for name in topic or () if name not in TOPICS]
    if unknown:
        raise Problem(f"--topic {unknown[0]}: the topics are {', '.join(TOPICS)}")
    chosen = [TOPICS[name] for name in topic] if topic else list(TOPICS.values())
    access = kafka_access.signed_in(cli, kafka_client_id, kafka_client_secret, kafka_security_protocol)
    try:
        asyncio.run(print_events(cli, access, chosen, from_beginning, subject, count, idle, as_json))
    except KeyboardInterrupt:
        pass
    except (ConnectionError, LookupError) as exc:
        raise Problem(
            f"cannot read Kafka at {cli.docket.endpoints.kafka} ({exc}): is Docket up (make run)? Its "
            f"address: --kafka or DOCKET_KAFKA"
        ) from None


def main() -> None:
    """Run the command; a Problem is printed as one `error: ...` line (a 422 one per field) and exits 1."""
    try:
        app(prog_name="docket")
    except Problem as problem:
        for line in str(problem).splitlines():
            typer.echo(f"error: {line}", err=True)
        raise SystemExit(1) from None
