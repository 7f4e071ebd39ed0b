"""`make run`'s main job: the Clearview story (docket_devstack.clearview) played live on the running system.

While the story plays, a tail prints every CloudEvent as it crosses Kafka, and each step prints where the story
is. A webhook subscription of the demo integrator, made first, sends the case's events to a small receiver
started here, which checks every signature. Then a summary: the case, its timeline, the fine, the penalty
payment with the days it counted and the convention, the letters the notifier wrote, the webhook deliveries.
The system then stays up, still tailing, for the user to explore, until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import sys
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any, ClassVar, TextIO

import httpx

from docket_contracts import registry, topics
from docket_messaging.access import KafkaAccess
from docket_operator.tail import Seen, Tail, euros, summary

from . import clearview
from .clearview import CONTROLLER_KEY, Step, Story, StoryFailed, checked, eventually, expect
from .keycloak import KeycloakServer
from .staff import AUDITOR, INVESTIGATOR, PASSWORD, ROLES, Tokens
from .webhook_receiver import WebhookReceiver

RECEIVER = "the story's receiver (make run)"  # the description of the subscription to it
SUBSCRIBED = tuple(spec.type for spec in registry.EVENTS if spec.topic == topics.CASES)
# The day an event of the case is dated by, the first of these its payload has.
DAY_FIELDS = (
    "opened_on",
    "received_on",
    "issued_on",
    "decided_on",
    "notified_on",
    "complied_on",
    "deadline",
    "closed_on",
    "carried_out_on",
    "referred_on",
    "summoned_on",
    "held_on",
    "deliberated_on",
    "published_on",
    "ended_on",
    "lodged_on",
    "withdrawn_on",
)


class Console:
    """Lines on a terminal: coloured when it is one (and NO_COLOR is not set), plain otherwise."""

    STYLES: ClassVar[dict[str, str]] = {
        "bold": "1",
        "dim": "2",
        "red": "31",
        "green": "32",
        "yellow": "33",
        "blue": "34",
        "cyan": "36",
    }

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.color = self.out.isatty() and "NO_COLOR" not in os.environ

    def line(self, text: str = "", style: str | None = None) -> None:
        if style and self.color:
            text = f"\033[{';'.join(self.STYLES[s] for s in style.split())}m{text}\033[0m"
        self.out.write(text + "\n")
        self.out.flush()

    def heading(self, text: str) -> None:
        self.line()
        self.line(f"== {text} ==", "bold")


class Progress:
    """Where the story is: a line when a step starts, one with what came of it."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def started(self, number: int, total: int, step: Step) -> None:
        self.console.line(f"[step {number:>2} of {total}] {step.on or '':<10}  {step.title}  ({step.by})", "bold blue")

    def done(self, number: int, total: int, step: Step, outcome: str) -> None:
        self.console.line(f"{'':>16}-> {outcome}", "red" if outcome.startswith(("409", "422")) else "green")


class EventPrinter:
    """Prints what the tail sees, one line per CloudEvent: type, subject, time, what it says."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.seen = 0
        self.last_printed = 0.0

    async def follow(self, tail: Tail) -> None:
        try:
            async for seen in tail:
                self.console.line(event_line(seen), "dim")
                self.seen += 1
                self.last_printed = asyncio.get_running_loop().time()
        except Exception as exc:  # the story goes on without its tail
            self.console.line(f"  kafka  the tail stopped: {exc!r}", "red")

    async def quiet(self, for_s: float = 1.0, at_most_s: float = 10.0) -> None:
        """Wait until no event was printed for `for_s` seconds (or `at_most_s` passed): the summary stays whole."""
        loop = asyncio.get_running_loop()
        until = loop.time() + at_most_s
        while loop.time() < until and loop.time() - self.last_printed < for_s:
            await asyncio.sleep(0.2)


def event_line(seen: Seen) -> str:
    if seen.event is None:
        return f"  kafka  {seen.topic}[{seen.partition}]@{seen.offset}: not a Docket event ({seen.problem})"
    event = seen.event
    return (
        f"  kafka  {event.time.astimezone():%H:%M:%S}  {event.type.removeprefix('docket.'):<31} "
        f"{event.subject[:8]}  {summary(event.type, event.data)}"
    )


async def play_live(
    urls: dict[str, str],
    kafka: KafkaAccess,
    keycloak: KeycloakServer,
    stay_up: Callable[[], None] | None,
    console: Console,
    picture: Path,
    verify: ssl.SSLContext | bool = True,
    then: Callable[[dict[str, httpx.AsyncClient], clearview.Played], Awaitable[None]] | None = None,
) -> int:
    """Play the story with the tail and the receiver and summarise it, the case's timeline drawn into `picture`,
    then play `then` (the network stories) with the services' clients and what the story played; then, given
    `stay_up`, call it and keep tailing until interrupted. Without: 0 when the stories played to their end, 1 when
    a step did not come out as the story says. The services' certificates are checked with `verify`."""
    staff = Tokens(keycloak)
    printer = EventPrinter(console)
    async with contextlib.AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30, verify=verify))
            for name, url in urls.items()
        }
        tail = await stack.enter_async_context(Tail(kafka, topics.ALL, client_id="docket-story-tail"))
        receiver = await stack.enter_async_context(WebhookReceiver())
        stack.push_async_callback(cancel, asyncio.create_task(printer.follow(tail)))
        console.line(f"Every CloudEvent on {', '.join(topics.ALL)} is printed as it crosses Kafka (kafka lines).")
        try:
            for case in await clearview.close_open_cases(clients["case"], staff, date.today()):
                console.line(f"closed case {case['id']}, left open by an earlier run, as {case['outcome']}")
            subscription = await subscribe(clients["notifier"], staff, receiver, console)
            console.heading(f"The CNIL v. Clearview AI, in {len(clearview.STEPS)} steps")
            played = await Story(clients["intake"], clients["case"], staff).play(Progress(console))
            await summarise(clients, staff, played, subscription, receiver, printer, console)
            await draw(clients["case"], staff, played.case_id, picture, console)
            if then is not None:
                await then(clients, played)
        except (StoryFailed, httpx.HTTPError) as exc:
            console.line(f"The story stopped: {exc}", "red")
            if stay_up is None:
                return 1
        if stay_up is not None:
            stay_up()
            await asyncio.Event().wait()  # until Ctrl-C
    return 0


async def cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def subscribe(
    notifier: httpx.AsyncClient, staff: Tokens, receiver: WebhookReceiver, console: Console
) -> dict[str, Any]:
    """The demo integrator subscribes the receiver to the case events about Clearview AI (after deleting the
    subscription an earlier run made, whose receiver is gone); the receiver learns the signing secret."""
    integrator = staff.integrator()
    earlier = expect(await notifier.get("/subscriptions", headers=integrator), 200, "listing subscriptions")
    for old in earlier:
        if old["description"] == RECEIVER:
            await notifier.delete(f"/subscriptions/{old['id']}", headers=integrator)
    created: dict[str, Any] = expect(
        await notifier.post(
            "/subscriptions",
            headers=integrator,
            json={
                "url": receiver.url,
                "event_types": list(SUBSCRIBED),
                "controller_key": CONTROLLER_KEY,
                "description": RECEIVER,
            },
        ),
        201,
        "subscribing the receiver",
    )
    receiver.secret = created["secret"]
    console.line(
        f"webhooks: the demo integrator subscribed {receiver.url} to {len(SUBSCRIBED)} case event types "
        f"about {CONTROLLER_KEY} (subscription {created['id']})"
    )
    return created


async def summarise(
    clients: dict[str, httpx.AsyncClient],
    staff: Tokens,
    played: clearview.Played,
    subscription: dict[str, Any],
    receiver: WebhookReceiver,
    printer: EventPrinter,
    console: Console,
) -> None:
    """The case as the auditor reads it once the notifier and the receiver have caught up with its last event (the
    case stays open under enforcement: its last event is the liquidation made public)."""
    auditor, case_id = staff(AUDITOR), played.case_id
    history = expect(await clients["case"].get(f"/cases/{case_id}/history", headers=auditor), 200, "history")
    last = history[-1]

    async def letters() -> list[dict[str, Any]] | None:
        asked = await clients["notifier"].get(
            "/notifications", headers=auditor, params={"case_id": case_id, "limit": 500}
        )
        found = expect(asked, 200, "the letters")
        return found if any(letter["source_event_id"] == last["event_id"] for letter in found) else None

    async def delivered() -> bool:
        return any(event.get("id") == last["event_id"] for event in receiver.events_in_order())

    what = last["type"].removeprefix("docket.")
    written = await eventually(letters, f"the notifier's letters on the case's last event ({what})")
    await eventually(delivered, f"the webhook delivery of the case's last event ({what})")
    await printer.quiet()
    case = expect(await clients["case"].get(f"/cases/{case_id}", headers=auditor), 200, "the case")
    logged = await clients["notifier"].get(
        f"/subscriptions/{subscription['id']}/deliveries", headers=staff.integrator(), params={"limit": 500}
    )
    deliveries = expect(logged, 200, "the delivery log")
    for text, style in summary_lines(case, history, written, deliveries, receiver):
        console.line(text, style)


async def draw(
    case: httpx.AsyncClient, staff: Callable[[str], dict[str, str]], case_id: str, picture: Path, console: Console
) -> None:
    """The case on a time axis, as the case service draws it, saved where a browser opens it without a token."""
    drawn = await case.get(f"/cases/{case_id}/timeline.svg", headers=staff(AUDITOR))
    picture.write_text(checked(drawn, 200, "the case's timeline").text)
    console.line(f"picture     {picture} (GET /cases/{case_id}/timeline.svg)", "bold")


def summary_lines(
    case: dict[str, Any],
    history: list[dict[str, Any]],
    letters: list[dict[str, Any]],
    deliveries: list[dict[str, Any]],
    receiver: WebhookReceiver,
) -> list[tuple[str, str | None]]:
    lines: list[tuple[str, str | None]] = [("", None), ("== Summary ==", "bold")]

    def add(text: str = "", style: str | None = None) -> None:
        lines.append((text, style))

    add(f"case        {case['id']}  {case['controller']['name']} ({case['controller']['key']})")
    where = (
        f"closed {case['closed_on']}: {case['outcome']}"
        if case.get("closed_on")
        else f"still {case['status'].replace('_', ' ')}"
        + (", under enforcement" if case.get("under_enforcement") else "")
    )
    add(
        f"            opened {case['opened_on']}, {case['complaint_count']} complaints and alerts, {where} "
        f"(version {case['version']})",
        "bold",
    )
    add("timeline", "bold")
    for event in history:
        data = event["data"]
        day = next((data[name] for name in DAY_FIELDS if data.get(name)), "")
        who = event["actor_name"] or event["actor"]
        add(f"  {day:<10}  {event['type'].removeprefix('docket.'):<31} {who:<24} {summary(event['type'], data)}")
    by_type = {event["type"]: event["data"] for event in history}
    if sanction := by_type.get("docket.sanction.imposed"):
        cap = sanction["cap"]
        turnover = f" of {euros(cap['turnover_eur'])}" if cap["turnover_eur"] is not None else ""
        add(
            f"fine        {euros(sanction['fine_eur'])}, decided {sanction['decided_on']}, within the cap of "
            f"{euros(cap['cap_eur'])} (Art {cap['paragraph']}: the higher of {euros(cap['fixed_eur'])} and "
            f"{cap['turnover_percent']} % of the turnover{turnover})",
            "bold",
        )
    lines += penalty_lines(by_type)
    add(f"letters     {len(letters)} written by the notifier (GET /notifications?case_id={case['id']})", "bold")
    for letter in letters:
        add(
            f"  {letter['recipient_role']:<12} {letter['recipient_name'][:24]:<24} {letter['subject']}  "
            f"[e-mail: {letter['email_status']}]"
        )
    if not any(letter["email_status"] == "sent" for letter in letters):
        add("            (recorded, not e-mailed: no SMTP_HOST is set; see GET /notifications/{id} for each text)")
    verified = sum(request.verified for request in receiver.requests)
    add(
        f"webhooks    {len(deliveries)} deliveries to {receiver.url}, "
        f"{sum(d['status'] == 'delivered' for d in deliveries)} delivered; the receiver verified "
        f"{verified} of {len(receiver.requests)} signatures (Standard Webhooks, HMAC-SHA256)",
        "bold",
    )
    for delivery in deliveries:
        add(
            f"  {delivery['event_type'].removeprefix('docket.'):<31} {delivery['status']:<9} "
            f"{delivery['attempts']} attempt(s), last answer {delivery['last_status_code']}"
        )
    return lines


def penalty_lines(by_type: dict[str, dict[str, Any]]) -> list[tuple[str, str | None]]:
    """The penalty payment: its rate and first day, compliance, and each day the liquidation counted, with the
    convention that counted them and what the other one would have counted."""
    imposed = by_type.get("docket.penalty_payment.imposed")
    liquidated = by_type.get("docket.penalty_payment.liquidated")
    if imposed is None:
        return []
    lines: list[tuple[str, str | None]] = [
        (f"penalty     {euros(imposed['daily_rate_eur'])} a day of delay from {imposed['accrues_from']}", "bold")
    ]
    if complied := by_type.get("docket.injunction.complied"):
        lines.append((f"            the injunction was complied with on {complied['complied_on']}", None))
    elif ended := by_type.get("docket.injunction.ended"):
        lines.append((f"            the committee ended the injunction on {ended['ended_on']}", None))
    else:
        lines.append(("            no compliance recorded: the penalty runs on, the case stays open", None))
    if liquidated:
        start, end = date.fromisoformat(liquidated["period_start"]), date.fromisoformat(liquidated["period_end"])
        convention, _, meaning = liquidated["convention"].partition(": ")
        calendar_days = (end - start).days + 1
        at_most = liquidated.get("maximum_eur") or liquidated["days_counted"] * imposed["daily_rate_eur"]
        reference = f" ({liquidated['reference']})" if liquidated.get("reference") else ""
        lines += [
            (
                f"            liquidated on {liquidated['decided_on']}{reference}: {liquidated['days_counted']} days x "
                f"{euros(imposed['daily_rate_eur'])} = at most {euros(at_most)}; fixed at "
                f"{euros(liquidated['amount_eur'])}",
                "bold",
            ),
            (f"            counted {start} to {end} under {convention}: {meaning}", None),
            (
                f"            (the period spans {calendar_days} calendar days counting both ends, as `inclusive` "
                f"would count them)",
                None,
            ),
        ]
    return lines


def explore(urls: dict[str, str], keycloak: KeycloakServer | None, console: Console) -> None:
    """How to look around: each service's API docs, the demo staff, and how to act as one of them."""
    say = console.line
    say()
    for name, base in urls.items():
        say(f"{name:<9} {base}  (API docs: {base}/docs)")
    if keycloak is None:  # a provider of your own: its tokens, its users
        return
    say(f"staff     {', '.join(f'{user} ({role})' for user, role in ROLES.items())}, password {PASSWORD}")
    say(
        f"a token   TOKEN=$(curl -s {keycloak.token_endpoint()} -d grant_type=password -d client_id=docket-cli "
        f"-d username={INVESTIGATOR} -d password={PASSWORD} | python3 -c 'import json,sys; "
        f'print(json.load(sys.stdin)["access_token"])\')'
    )
    say(f"          curl -H \"Authorization: Bearer $TOKEN\" '{urls['case']}/cases?controller={CONTROLLER_KEY}'")
