"""How a complaint's handling, the queues, the workload, a campaign's results and the annual figures read on a
terminal; pure (each function returns what to print)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from .problems import event_type
from .render import table, words


def held_by(item: Mapping[str, Any], me: str | None = None) -> str:
    """Who holds an item: a staff member (`you` for the caller), a team, both, or nobody (`-`)."""
    staff, team = item.get("staff"), item.get("team")
    staff = "you" if staff is not None and staff == me else staff
    if staff and team:
        return f"{staff} ({team})"
    return staff or (f"team {team}" if team else "-")


def queue(page: Mapping[str, Any], me: str | None = None) -> RenderableType:
    """A queue, an item a row: a complaint's next step (a case: its status), who holds it, when it is due (the
    earlier of its step's target and Art 78(2)'s) and when its complainant's three months without news end."""
    shown = table("id", "step", "held by", "due", "Art 78(2)")
    for item in page["items"]:
        due = item.get("due_on") or "-"
        if item.get("overdue"):
            due += " (overdue)"
        step = words(item.get("step") or item["status"])
        shown.add_row(
            item["id"],
            step if item["item"] == "complaint" else f"case: {step}",
            held_by(item, me),
            due,
            item.get("art78_due_on") or "-",
        )
    total, offset = page["total"], page["offset"]
    note = f"{page['view']}: {total:,} item(s)" + (f", from {offset + 1:,}" if offset else "")
    return Group(shown, Text(note, style="dim"))


def workload(answer: Mapping[str, Any], me: str | None = None) -> RenderableType:
    shown = table("held by", "open", "oldest since", "overdue")
    for kind, rows in (("", answer["staff"]), ("team ", answer["teams"])):
        for load in rows:
            holder = "you" if not kind and load["holder"] == me else kind + load["holder"]
            shown.add_row(holder, f"{load['open']:,}", load["oldest_since"] or "-", f"{load['overdue']:,}")
    nobody = answer["unassigned"]
    shown.add_row("nobody", f"{nobody['open']:,}", nobody["oldest_since"] or "-", f"{nobody['overdue']:,}")
    return Group(shown, Text(f"as of {answer['as_of']}", style="dim"))


def handling(record: Mapping[str, Any], me: str | None = None) -> RenderableType:
    shown = table("", "", keep_first=False)
    shown.show_header = False
    for name in (
        "complaint_id",
        "case_id",
        "controller_key",
        "kind",
        "category",
        "received_on",
        "status",
        "step",
        "step_since",
        "decided_on",
        "inadmissible_reason",
        "letter_id",
        "asked_on",
        "answer_due",
        "reminded_on",
        "answered_on",
        "joined_on",
        "transferred_to",
        "ended_on",
        "outcome",
    ):
        if record.get(name) is not None:
            shown.add_row(
                words(name), words(str(record[name])) if name in ("status", "step", "outcome") else str(record[name])
            )
    shown.add_row("held by", held_by(record, me))
    allowed = "; ".join(record.get("allowed_next_steps") or ()) or "none"
    return Group(shown, Text(f"next: {allowed}"))


def handled(answer: Mapping[str, Any], me: str | None = None) -> RenderableType:
    record = answer["complaint"]
    what = ", ".join(event_type(event["type"]) for event in answer["events"]) or "nothing"
    return Group(Text(f"recorded: {what}"), handling(record, me))


def campaign(answer: Mapping[str, Any]) -> RenderableType:
    refused = [r for r in answer["results"] if r["result"] == "refused"]
    lines: list[RenderableType] = [Text(f"{answer['done']:,} done, {answer['refused']:,} refused")]
    if refused:
        shown = table("complaint", "status", "why")
        for result in refused:
            shown.add_row(result["complaint_id"], str(result["status"]), result.get("detail") or "")
        lines.append(shown)
    return Group(*lines)


def alike(page: Mapping[str, Any]) -> RenderableType:
    shown = table("complaint", "controller", "category", "body", "received", "status")
    for item in page["items"]:
        shown.add_row(
            item["complaint_id"],
            item["controller_key"],
            words(item.get("category") or "-"),
            item.get("body_key") or "-",
            item["received_on"],
            words(item["status"]),
        )
    return Group(shown, Text(f"{page['total']:,} alike; {len(page['items']):,} shown", style="dim"))


def counts(title: str, found: Mapping[str, int]) -> RenderableType:
    shown = table(title, "complaints")
    for key, value in found.items():
        shown.add_row(words(key), f"{value:,}")
    return shown


def spread(name: str, found: Mapping[str, Any]) -> str:
    if not found["count"]:
        return f"{name}: none yet"
    return f"{name}: median {found['median']:g}, 90th percentile {found['p90']:g} ({found['count']:,} complaints)"


def figures(found: Mapping[str, Any]) -> RenderableType:
    period = found["period"]
    told = found["told_within_three_months"]
    share = "-" if told["share"] is None else f"{told['share']:.1%}"
    teams = table("team", "received", "ended", "median days to end", "told within 3 months")
    for team in found["teams"]:
        median = team["days_to_end_median"]
        told_share = team["told_within_three_months"]
        teams.add_row(
            team["team"],
            f"{team['received']:,}",
            f"{team['ended']:,}",
            "-" if median is None else f"{median:g}",
            "-" if told_share is None else f"{told_share:.1%}",
        )
    return Group(
        Text(f"{period['from']} to {period['to']}, as of {found['as_of']}", style="bold"),
        Text(f"received {found['received']['total']:,}; ended {found['ended']['total']:,}"),
        counts("received by kind", found["received"]["by_kind"]),
        counts("received by category", found["received"]["by_category"]),
        counts("received by month", found["received"]["by_month"]),
        counts("ended by outcome", found["ended"]["by_outcome"]),
        counts("inadmissible by reason", found["ended"]["inadmissible_by_reason"]),
        Text(spread("days to the admissibility decision", found["days_to_admissibility"])),
        Text(spread("days to the end", found["days_to_end"])),
        Text(f"complainants told within three months: {told['told']:,} of {told['complainants']:,} ({share})"),
        teams,
    )
