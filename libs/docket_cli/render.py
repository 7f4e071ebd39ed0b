"""How the services' answers read on a terminal: rich tables and one-line event summaries; pure (each function
returns what to print)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from .problems import actor_of, event_type, moment

SUMMARY_TEXT = 40  # characters of a text field shown in a one-line summary
SUMMARY_FIELDS = 6


def words(name: str) -> str:
    """A state's name as it reads: `notice_expired` as `notice expired`."""
    return str(name).replace("_", " ")


def euros(amount: Any) -> str:
    return f"EUR {amount:,}" if isinstance(amount, int) else "-"


def value_text(name: str, value: Any) -> str | None:
    """One field of an event's payload as a summary shows it, or None when it is left out: ids (the subject
    says whose event it is), sealed values and other objects but for their name, empty values."""
    if value is None or value == [] or name.endswith("_id") or name in ("id", "case_id"):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}" if name.endswith("_eur") else str(value)
    if isinstance(value, str):
        return value if len(value) <= SUMMARY_TEXT else value[: SUMMARY_TEXT - 1] + "…"
    if isinstance(value, list):
        if all(isinstance(item, (int, str)) for item in value):
            return ",".join(str(item) for item in value)
        return str(len(value))
    if isinstance(value, Mapping) and isinstance(named := value.get("name"), str):
        return named
    if isinstance(value, Mapping) and (value.get("months") or value.get("days")):  # a time limit
        return f"{value['months']} months" if value.get("months") else f"{value['days']} days"
    return None


def summary(data: Mapping[str, Any]) -> str:
    """An event's payload in one line: `opened_on=2020-08-10 scope=Clearview AI's processing of images…`."""
    shown = [f"{name}={text}" for name, value in data.items() if (text := value_text(name, value)) is not None]
    return " ".join(shown[:SUMMARY_FIELDS])


def event_line(time: str, type_: str, subject: str, sequence: int | None, words: str) -> str:
    """One event as `docket events tail` prints it: when, what, whose (and its version there), in a few words."""
    version = f" v{sequence}" if sequence is not None else ""
    return f"{moment(time)}  {event_type(type_)}  {subject}{version}  {words}".rstrip()


def table(*columns: str, title: str | None = None, keep_first: bool = True) -> Table:
    """A table whose first column (an id, mostly) is never wrapped unless told; the others wrap, nothing is cut."""
    found = Table(
        box=box.SIMPLE_HEAD, title=title, title_justify="left", pad_edge=False, show_edge=False, collapse_padding=True
    )
    for number, column in enumerate(columns):
        found.add_column(column, no_wrap=keep_first and number == 0, overflow="fold")
    return found


def cases(page: Mapping[str, Any]) -> RenderableType:
    shown = table("case", "controller", "status", "opened", "complaints", "deadline", "version")
    for case in page["items"]:
        deadline = case.get("next_deadline") or "-"
        if case.get("deadline_overdue"):
            deadline += " (overdue)"
        shown.add_row(
            case["case_id"],
            case["controller_name"],
            "under enforcement" if case.get("under_enforcement") else words(case["status"]),
            case["opened_on"],
            str(case["complaints"]),
            deadline,
            str(case["version"]),
        )
    return Group(shown, Text(showing(page)))


def showing(page: Mapping[str, Any]) -> str:
    count, offset, total = len(page["items"]), page.get("offset", 0), page.get("total", len(page["items"]))
    return f"{count} of {total}" + (f" from {offset + 1}" if offset else "")


def complaints(page: Mapping[str, Any]) -> RenderableType:
    shown = table("complaint", "reference", "kind", "received", "controller", "status")
    for item in page["items"]:
        shown.add_row(
            item["id"],
            item["reference"],
            item["kind"],
            item["received_on"],
            item["controller_name"],
            words(item["status"]),
        )
    return Group(shown, Text(showing(page)))


def complaint(item: Mapping[str, Any]) -> RenderableType:
    shown = table("field", "value")
    for name in (
        "id",
        "reference",
        "kind",
        "mandate_reference",
        "constitution_proof",
        "status",
        "received_on",
        "complainant_name",
        "complainant_email",
        "complainant_country",
        "controller_name",
        "controller_key",
        "category",
        "articles_alleged",
        "territory",
        "narrative",
    ):
        value = item.get(name)
        if value is not None:
            shown.add_row(name, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    return shown


def receipt(answer: Mapping[str, Any]) -> RenderableType:
    lines = [
        f"complaint {answer['id']} received on {answer['received_on']}, reference {answer['reference']}",
        f"status token (shown once; give it to the complainant): {answer['status_token']}",
        f"status page: {answer['status_url']}",
    ]
    if answer.get("missing_content"):
        lines.append(
            f"missing: {', '.join(answer['missing_content'])}; declare it inadmissible within two weeks of its "
            "receipt (Regulation 2025/2518 art 4(2))"
        )
    return Text("\n".join(lines))


# The allowed next steps the case service names, and how each is taken; any other: `docket case do`.
STEP_COMMANDS = {
    "open an investigation": "docket case investigate {id}",
    "record a check": "docket case do {id} checks",
    "record a finding": "docket case finding {id}",
    "issue a formal notice": "docket case formal-notice {id}",
    "issue a warning": "docket case do {id} warnings",
    "impose a sanction": "docket case sanction {id}",
    "refer the case to the restricted committee": "docket case do {id} referral",
    "notify the rapporteur's report": "docket case do {id} report",
    "record the controller's access to the file": "docket case do {id} file-access",
    "record the controller's observations": "docket case do {id} observations",
    "extend the time limit for observations": "docket case do {id} observations/extension",
    "record the rapporteur's answer": "docket case do {id} rapporteur-answer",
    "record the controller's reply": "docket case do {id} controller-reply",
    "summon the controller to a hearing": "docket case do {id} summons",
    "record the hearing": "docket case do {id} hearing",
    "interrupt the simplified procedure": "docket case do {id} simplified-interruption",
    "record compliance with the formal notice": "docket case notice-compliance {id}",
    "record compliance dated by the deadline": "docket case notice-compliance {id}",
    "record the notice's notification": "docket case notice-notified {id}",
    "extend the notice's time limit": "docket case do {id} formal-notices/NOTICE_ID/extension",
    "record the decision's notification": "docket case sanction-notified {id}",
    "record compliance with the injunction": "docket case injunction-compliance {id}",
    "open a liquidation of the penalty payment": "docket case open-liquidation {id}",
    "record the observations on the liquidation": "docket case do {id} sanctions/SANCTION_ID/liquidation/observations",
    "decide the liquidation": "docket case liquidate {id}",
    "end the injunction": "docket case do {id} sanctions/SANCTION_ID/injunction-end",
    "close as dismissed or no infringement": "docket case close {id}",
    "close as complied": "docket case close {id}",
    "close as sanctioned": "docket case close {id}",
    "close as reprimanded": "docket case close {id}",
    "close as warned": "docket case close {id}",
    "issue a reprimand": "docket case do {id} reprimands",
    "make a decision public": "docket case do {id} publications",
    "withdraw a publication": "docket case do {id} publications/PUBLICATION_ID/withdrawal",
    "record an appeal": "docket case do {id} appeals",
    "record the court's ruling": "docket case do {id} appeals/APPEAL_ID/ruling",
    "link a complaint": "(a complaint filed against the same controller joins the case)",
}
OTHER_STEP = "docket case do {id} ROUTE (see docket case routes)"


def case(document: Mapping[str, Any], history: Sequence[Mapping[str, Any]] | None = None) -> RenderableType:
    """A case: what it is about, where it stands, its decisions, what may happen next, and its history."""
    controller = document.get("controller") or {}
    lines = [
        f"case {document['id']}: {controller.get('name')} ({controller.get('key')}), "
        f"{words(document['status'])}, version {document['version']}",
        f"opened {document.get('opened_on')}, {document.get('complaint_count', 0)} complaint(s)"
        + (
            f", investigation opened {document['investigation_opened_on']}"
            if document.get("investigation_opened_on")
            else ""
        ),
    ]
    for finding in document.get("findings", ()):
        lines.append(
            f"finding: Art {','.join(str(a) for a in finding.get('articles', ()))}: "
            f"{value_text('facts', finding.get('facts'))}"
        )
    for notice in document.get("formal_notices", ()):
        lines.append(
            f"formal notice {notice['notice_id']}: issued {notice['issued_on']}, comply by "
            f"{notice['deadline']}, {notice['status']}"
            + (f" on {notice['complied_on']}" if notice.get("complied_on") else "")
        )
    for sanction in document.get("sanctions", ()):
        lines += _sanction_lines(sanction)
    for reprimand in document.get("reprimands", ()):
        lines.append(
            f"reprimand {reprimand['reprimand_id']}: decided {reprimand['decided_on']}, Art "
            f"{','.join(str(a) for a in reprimand.get('articles', ()))}"
            + (f", annulled {reprimand['annulled_on']}" if reprimand.get("annulled_on") else "")
        )
    for publication in document.get("publications", ()):
        lines.append(
            f"publication {publication['publication_id']}: the {words(publication['decision'])} made public "
            + ("again " if publication.get("republishes") else "")
            + f"{publication['published_on']} by the {words(publication.get('decided_by', 'restricted_committee'))}"
            + (f", name removed {publication['anonymised_on']}" if publication.get("anonymised_on") else "")
            + (f", withdrawn {publication['withdrawn_on']}" if publication.get("withdrawn_on") else "")
        )
    for appeal in document.get("appeals", ()):
        lines.append(
            f"appeal {appeal['appeal_id']}: the {words(appeal['decision'])} appealed {appeal['lodged_on']}"
            + (
                f", ruled {appeal['decided_on']}: {words(appeal['outcome'])}"
                if appeal.get("outcome")
                else ", awaiting the court's ruling"
            )
        )
    if document.get("closed_on"):
        lines.append(f"closed {document['closed_on']}: {document.get('outcome')}")
    parts: list[RenderableType] = [Text("\n".join(lines))]
    steps = document.get("allowed_next_steps") or []
    if steps:
        allowed = table("allowed next step", "command")
        for step in steps:
            allowed.add_row(step, STEP_COMMANDS.get(step, OTHER_STEP).format(id=document["id"]))
        parts.append(allowed)
    if history is not None:
        parts.append(events(history))
    return Group(*parts)


def _sanction_lines(sanction: Mapping[str, Any]) -> list[str]:
    """A sanction, and its liquidations by id: decided, or waiting for the controller's observations."""
    lines = [
        f"sanction {sanction['sanction_id']}: decided {sanction['decided_on']}, fine "
        f"{euros(sanction.get('fine_eur'))}"
        + (
            f", penalty {euros(sanction['daily_penalty_eur'])} a day from {sanction['accrues_from']}"
            if sanction.get("accrues_from")
            else ""
        )
    ]
    for liquidation in sanction.get("liquidations", ()):
        named = f"  liquidation {liquidation['liquidation_id']}: " if liquidation.get("liquidation_id") else "  "
        if liquidation.get("decided_on") is None:
            lines.append(
                f"{named}opened {liquidation.get('opened_on')} for {liquidation['period_start']} to "
                f"{liquidation['period_end']}, {euros(liquidation.get('envisaged_amount_eur'))} envisaged"
            )
        else:
            lines.append(
                f"{named}liquidated {liquidation['period_start']} to {liquidation['period_end']}: "
                f"{liquidation['days_counted']} days, {euros(liquidation['amount_eur'])}"
            )
    return lines


def events(history: Iterable[Mapping[str, Any]]) -> RenderableType:
    shown = table("v", "recorded", "event", "by", "what")
    for event in history:
        who = actor_of(event) + (f" ({words(event['actor_role'])})" if event.get("actor_role") else "")
        shown.add_row(
            str(event["version"]),
            moment(str(event["recorded_at"])),
            event_type(str(event["type"])),
            who,
            summary(event.get("data") or {}),
        )
    return shown


def case_complaints(page: Mapping[str, Any]) -> RenderableType:
    shown = table("complaint", "kind", "received", "linked at version")
    for item in page["items"]:
        shown.add_row(
            item["complaint_id"],
            str(item.get("kind")),
            str(item.get("received_on")),
            str(item.get("linked_at_version")),
        )
    return Group(shown, Text(showing(page)))


def command_done(answer: Mapping[str, Any]) -> RenderableType:
    """What a case command recorded, and where the case now stands."""
    document = answer["case"]
    lines = [
        f"{event_type(e['type'])} (version {e['version']}) {summary(e.get('data') or {})}".rstrip()
        for e in answer.get("events", ())
    ]
    lines.append(
        f"case {document['id']} is {words(document['status'])} at version "
        f"{document['version']}; next: {'; '.join(document.get('allowed_next_steps') or ['nothing'])}"
    )
    return Text("\n".join(lines))


def routes(found: Iterable[Any]) -> RenderableType:
    """Each command route: its method and name, who may give it, what it does, its fields (* required)."""
    lines = []
    for route in found:
        lines.append(
            f"{route.method.upper()} {route.name}  ({words(route.roles) or 'roles not stated'}): {route.summary}"
        )
        lines.extend(f"    {f.name}{'*' if f.required else ''}: {f.type}" for f in route.fields())
    return Text("\n".join(lines))


def estimate(answer: Mapping[str, Any]) -> RenderableType:
    """A fine estimate step by step, then its conducts."""
    steps = table(
        "step", "explanation", "amount", "range", title=f"Fine estimate ({answer.get('method')})", keep_first=False
    )
    for step in answer["steps"]:
        low_high = step.get("range_eur")
        steps.add_row(
            step["step"],
            step["explanation"],
            euros(step["amount_eur"]),
            f"{euros(low_high[0])} to {euros(low_high[1])}" if low_high else "",
        )
    conducts = table("conduct", "articles", "orders not complied", "cap", "starting amount", "fine")
    for number, conduct in enumerate(answer.get("conducts", ()), start=1):
        cap = conduct["cap"]
        conducts.add_row(
            str(number),
            ",".join(str(a) for a in conduct["articles_infringed"]) or "-",
            ",".join(conduct.get("orders_not_complied") or ()) or "-",
            f"Art {cap['paragraph']}: {euros(cap['cap_eur'])}",
            euros(conduct["starting_amount_eur"]),
            euros(conduct["fine_eur"]),
        )
    return Group(steps, conducts, Text(f"fine: {euros(answer['fine_eur'])}"))


def integrity(answer: Mapping[str, Any]) -> RenderableType:
    if answer["intact"]:
        return Text(
            f"case {answer['case_id']} is intact: {answer['events']} events, each linked to the one before, "
            f"up to the head at version {answer['head_version']}"
        )
    broken = answer.get("first_broken_link") or {}
    return Text(
        f"case {answer['case_id']} is NOT intact: the link at version {broken.get('version')} does not hold "
        f"({broken.get('reason')}); {answer['events']} events read"
    )


def subscriptions(found: Iterable[Mapping[str, Any]]) -> RenderableType:
    shown = table("subscription", "url", "events", "controller", "case", "status")
    for item in found:
        status = item["status"] + (f" ({item['disabled_reason']})" if item.get("disabled_reason") else "")
        shown.add_row(
            item["id"],
            item["url"],
            "\n".join(event_type(t) for t in item["event_types"]),
            item.get("controller_key") or "-",
            item.get("case_id") or "-",
            status,
        )
    return shown


def created_subscription(answer: Mapping[str, Any]) -> RenderableType:
    return Group(
        subscriptions([answer]),
        Text(f"signing secret (shown once; verify each delivery's webhook-signature with it): {answer['secret']}"),
    )


def rotated(answer: Mapping[str, Any]) -> RenderableType:
    until = answer.get("previous_secret_valid_until")
    return Text(
        f"new signing secret (shown once): {answer['secret']}\n"
        f"the previous one also signs until {moment(until) if until else 'now'}"
    )


def deliveries(found: Iterable[Mapping[str, Any]]) -> RenderableType:
    shown = table("delivery", "event", "status", "attempts", "last answer", "next attempt")
    for item in found:
        last = (f"HTTP {item['last_status_code']}" if item.get("last_status_code") else item.get("last_error")) or "-"
        shown.add_row(
            item["id"],
            event_type(item["event_type"]),
            item["status"],
            str(item["attempts"]),
            last,
            moment(item["next_attempt_at"]) if item.get("next_attempt_at") else "-",
        )
    return shown


def delivery(item: Mapping[str, Any]) -> RenderableType:
    head = Text(
        f"delivery {item['id']} of {event_type(item['event_type'])} (event {item['event_id']}) to "
        f"subscription {item['subscription_id']}: {item['status']}, {item['attempts']} attempt(s)"
        + (f", dead: {item['dead_reason']}" if item.get("dead_reason") else "")
    )
    log = table("attempt", "started", "latency", "answer", "verdict")
    for attempt in item.get("log", ()):
        log.add_row(
            str(attempt["number"]),
            moment(attempt["started_at"]),
            f"{attempt['latency_ms']} ms",
            f"HTTP {attempt['status_code']}" if attempt.get("status_code") else str(attempt.get("error")),
            attempt["verdict"],
        )
    return Group(head, log)
