"""`docket webhook ...`: webhook subscriptions at the notifier, and their delivery log."""

from __future__ import annotations

from typing import Annotated

import typer

from . import render
from .terminal import Json, Quiet, cli_of

app = typer.Typer(
    no_args_is_help=True,
    help="Webhook subscriptions and their delivery log (administrators; integrators their own; auditors read).",
)

SubscriptionId = Annotated[str, typer.Argument(help="the subscription's id")]


@app.command()
def create(
    ctx: typer.Context,
    url: Annotated[str, typer.Option(help="the https URL that receives the POSTs")],
    event_type: Annotated[
        list[str], typer.Option(help="an event type to deliver, e.g. docket.formal_notice.issued; one each")
    ],
    controller: Annotated[str | None, typer.Option(help="only events about this controller (its key)")] = None,
    case: Annotated[str | None, typer.Option(help="only events of this case")] = None,
    description: str | None = None,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Subscribe a URL to event types; the signing secret is shown once."""
    cli = cli_of(ctx)
    body = {
        "url": url,
        "event_types": event_type,
        "controller_key": controller,
        "case_id": case,
        "description": description,
    }
    answer = cli.docket.call(
        "notifier", "POST", "/subscriptions", json={k: v for k, v in body.items() if v is not None}
    ).json()
    cli.show(answer, render.created_subscription, as_json, quiet, lambda a: [a["id"]])


@app.command("list")
def list_subscriptions(
    ctx: typer.Context, limit: int = 100, offset: int = 0, as_json: Json = False, quiet: Quiet = False
) -> None:
    """The subscriptions (an integrator sees its own)."""
    cli = cli_of(ctx)
    found = cli.docket.get("notifier", "/subscriptions", limit=limit, offset=offset)
    cli.show(found, render.subscriptions, as_json, quiet, lambda f: [s["id"] for s in f])


@app.command()
def show(ctx: typer.Context, subscription_id: SubscriptionId, as_json: Json = False) -> None:
    """One subscription."""
    cli = cli_of(ctx)
    cli.show([cli.docket.get("notifier", f"/subscriptions/{subscription_id}")], render.subscriptions, as_json)


def change(ctx: typer.Context, subscription_id: str, action: str, as_json: bool) -> None:
    cli = cli_of(ctx)
    answer = cli.docket.call("notifier", "POST", f"/subscriptions/{subscription_id}/{action}").json()
    cli.show([answer], render.subscriptions, as_json)


@app.command()
def pause(ctx: typer.Context, subscription_id: SubscriptionId, as_json: Json = False) -> None:
    """Stop delivering until resumed (deliveries wait)."""
    change(ctx, subscription_id, "pause", as_json)


@app.command()
def resume(ctx: typer.Context, subscription_id: SubscriptionId, as_json: Json = False) -> None:
    """Deliver again; also re-enables a subscription disabled by 410 Gone."""
    change(ctx, subscription_id, "resume", as_json)


@app.command()
def rotate(ctx: typer.Context, subscription_id: SubscriptionId, as_json: Json = False) -> None:
    """A new signing secret, shown once; the old one keeps signing beside it for a grace period."""
    cli = cli_of(ctx)
    answer = cli.docket.call("notifier", "POST", f"/subscriptions/{subscription_id}/rotate-secret").json()
    cli.show(answer, render.rotated, as_json)


@app.command()
def delete(ctx: typer.Context, subscription_id: SubscriptionId) -> None:
    """Delete a subscription (its secret's key is destroyed)."""
    cli = cli_of(ctx)
    cli.docket.call("notifier", "DELETE", f"/subscriptions/{subscription_id}")
    cli.out.print(f"subscription {subscription_id} deleted")


@app.command()
def deliveries(
    ctx: typer.Context,
    subscription_id: Annotated[str | None, typer.Argument(help="only this subscription's")] = None,
    event: Annotated[str | None, typer.Option(help="only the deliveries of this event id")] = None,
    status: Annotated[str | None, typer.Option(help="pending, delivered or dead")] = None,
    limit: int = 100,
    offset: int = 0,
    as_json: Json = False,
    quiet: Quiet = False,
) -> None:
    """The delivery log: status, attempts, the last answer, the next attempt."""
    cli = cli_of(ctx)
    path = f"/subscriptions/{subscription_id}/deliveries" if subscription_id else "/deliveries"
    params = {"status": status, "limit": limit, "offset": offset} | ({} if subscription_id else {"event_id": event})
    found = cli.docket.get("notifier", path, **params)
    cli.show(found, render.deliveries, as_json, quiet, lambda f: [d["id"] for d in f])


@app.command()
def delivery(
    ctx: typer.Context, delivery_id: Annotated[str, typer.Argument(help="the delivery's id")], as_json: Json = False
) -> None:
    """One delivery with each attempt: when, how long, the answer."""
    cli = cli_of(ctx)
    cli.show(cli.docket.get("notifier", f"/deliveries/{delivery_id}"), render.delivery, as_json)


@app.command()
def redeliver(
    ctx: typer.Context, delivery_id: Annotated[str, typer.Argument(help="the delivery's id")], as_json: Json = False
) -> None:
    """Send a dead-lettered (or delivered) delivery again, with the same webhook-id."""
    cli = cli_of(ctx)
    cli.show(
        cli.docket.call("notifier", "POST", f"/deliveries/{delivery_id}/redeliver").json(), render.delivery, as_json
    )
