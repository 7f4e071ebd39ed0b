"""How a story between authorities is played by `make run ARGS=--network` (clearview_network.py, one_stop_shop.py):
each authority's staff act through their own installation's routes with their realm's tokens, and a step one
authority takes reaches the authority it is sent to as a signed message over HTTPS. The story waits a while for it
on that authority's record and, if it does not come, that authority's staff record it from what they received, as
they would from a letter."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from .clearview import StoryFailed, eventually, expect
from .staff import AUDITOR, INVESTIGATOR, Tokens
from .story import Console

MESSAGE_WAIT_S = 10.0  # how long a step taken at one authority is waited for, as a message, where it is sent
TIMER_WAIT_S = 60.0  # how long a timer is waited for to record what it finds


@dataclass(frozen=True)
class Side:
    """One authority as a story acts at it: its services, its staff's tokens by the part the CNIL's demo user of the
    same role plays, and who that is there."""

    authority: str
    intake: httpx.AsyncClient
    case: httpx.AsyncClient
    staff: Callable[[str], dict[str, str]]
    people: Mapping[str, str] = field(default_factory=dict)  # the CNIL's demo user -> this authority's
    notifier: httpx.AsyncClient | None = None

    def who(self, by: str) -> str:
        return self.people.get(by, by)


@dataclass(frozen=True)
class StaffOf:
    """Another authority's staff tokens, asked for by the CNIL's demo user of the same role."""

    tokens: Tokens
    people: Mapping[str, str]

    def __call__(self, user: str) -> dict[str, str]:
        return self.tokens(self.people[user])


@dataclass
class NetworkPlayed:
    cases: dict[str, str] = field(default_factory=dict)  # authority -> its case
    complaints: dict[str, str] = field(default_factory=dict)  # authority -> the complaint the story filed there
    references: dict[str, str] = field(default_factory=dict)  # a procedure's part in the story -> its reference
    transcribed: list[str] = field(default_factory=list)  # the steps staff recorded because no message came


@dataclass(frozen=True)
class Move:
    on: str
    authority: str
    title: str
    by: str
    act: Callable[[NetworkStory], Awaitable[str]]


class NetworkStory:
    def __init__(
        self,
        name: str,
        moves: Sequence[Move],
        sides: dict[str, Side],
        console: Console,
        message_wait_s: float = MESSAGE_WAIT_S,
    ) -> None:
        self.name, self.moves, self.sides, self.console = name, moves, sides, console
        self.message_wait_s = message_wait_s
        self.played = NetworkPlayed()

    async def play(self) -> NetworkPlayed:
        for number, move in enumerate(self.moves, start=1):
            self.console.line(
                f"[{self.name} {number:>2} of {len(self.moves)}] {move.on:<10}  {move.authority:<7}  {move.title}  "
                f"({self.sides[move.authority].who(move.by)})",
                "bold blue",
            )
            outcome = await move.act(self)
            self.console.line(f"{'':>18}-> {outcome}", "red" if outcome.startswith(("409", "422")) else "green")
        return self.played

    # --- what the people do -----------------------------------------------------------------------------------

    async def file(self, authority: str, path: str, body: dict[str, Any], by: str) -> str:
        """A complaint lodged with `authority` (`path`: /paper-complaints, recorded by its staff `by`); it opens a
        case there, which becomes the authority's case in the story."""
        side = self.sides[authority]
        receipt = expect(await side.intake.post(path, json=body, headers=side.staff(by)), 201, "filing")

        async def case_of() -> dict[str, Any] | None:
            listed = await side.case.get(
                "/cases", params={"complaint_id": receipt["id"]}, headers=side.staff(INVESTIGATOR)
            )
            items: list[dict[str, Any]] = expect(listed, 200, f"{authority}'s cases")["items"]
            return items[0] if items else None

        case = await eventually(case_of, f"the complaint to open a case at {authority}")
        self.played.cases[authority], self.played.complaints[authority] = case["case_id"], receipt["id"]
        return f"receipt {receipt['reference']}; opened {authority}'s case {case['case_id']}"

    async def command(self, authority: str, path: str, body: dict[str, Any], by: str) -> dict[str, Any]:
        """A staff command on the authority's case, with the version its giver just read (If-Match)."""
        side, case_id = self.sides[authority], self.played.cases[authority]
        current = await side.case.get(f"/cases/{case_id}", headers=side.staff(by))
        expect(current, 200, f"{authority}: reading the case before {path}")
        response = await side.case.post(
            f"/cases/{case_id}{path}", json=body, headers=side.staff(by) | {"If-Match": current.headers["ETag"]}
        )
        answer: dict[str, Any] = expect(response, 200, f"{authority}: {path}")
        return answer

    async def step(self, authority: str, body: dict[str, Any], by: str, reference: str | None = None) -> str:
        """A cooperation step taken at `authority`, in the procedure the story knows as `reference` if it names one
        (the reference is the one the step opening it was given)."""
        if reference is not None:
            body = body | {"cooperation_reference": self.played.references[reference]}
        return events_of(await self.command(authority, "/cooperation/steps", body, by))

    async def opens(self, authority: str, body: dict[str, Any], by: str, reference: str) -> str:
        """A cooperation step opening a procedure, whose reference the story keeps as `reference`."""
        answer = await self.command(authority, "/cooperation/steps", body, by)
        self.played.references[reference] = answer["events"][0]["data"]["cooperation_reference"]
        return f"procedure {self.played.references[reference]}; {events_of(answer)}"

    async def history(self, authority: str) -> list[dict[str, Any]]:
        side, case_id = self.sides[authority], self.played.cases[authority]
        found = await side.case.get(f"/cases/{case_id}/history", headers=side.staff(AUDITOR), params={"limit": 500})
        events: list[dict[str, Any]] = expect(found, 200, f"{authority}'s history")
        return events

    async def recorded(self, authority: str, step: str, reference: str, count: int = 1) -> dict[str, Any] | None:
        """The `count`th `step` of the procedure `reference` on the authority's record, if it is there yet."""
        wanted, cooperation_reference = f"docket.cooperation.{step}", self.played.references[reference]
        found = [
            event
            for event in await self.history(authority)
            if event["type"] == wanted and event["data"]["cooperation_reference"] == cooperation_reference
        ]
        return found[count - 1] if len(found) >= count else None

    async def timer_finds(self, authority: str, step: str, reference: str) -> str:
        """Nobody acts: the authority's timer records `step` in the procedure `reference` (it looks every
        TIMER_INTERVAL_S, 2 s under make run)."""
        event = await eventually(
            lambda: self.recorded(authority, step, reference), f"{authority}'s timer to record {step}", TIMER_WAIT_S
        )
        data = event["data"]
        return f"cooperation.{step} ({data['deadline']}, last day {data['last_day']}) by {event['actor']}"

    async def arrives(
        self, authority: str, step: str, reported: Sequence[dict[str, Any]], by: str, reference: str, count: int = 1
    ) -> str:
        """A step another authority took in the procedure `reference` reaches `authority` (its `count`th of that
        kind): its message, waited for a while on its record. The first steps of a procedure opened elsewhere wait
        in GET /cooperation/waiting until staff attach them to their case (no case here holds its procedure yet):
        `by` does. If no message comes, its staff record the steps from what they received (each of `reported`,
        naming who took it)."""
        wanted, cooperation_reference = f"docket.cooperation.{step}", self.played.references[reference]
        side = self.sides[authority]

        async def on_record() -> dict[str, Any] | None:
            waiting = await side.case.get("/cooperation/waiting", headers=side.staff(AUDITOR))
            if any(w["cooperation_reference"] == cooperation_reference for w in expect(waiting, 200, "waiting")):
                await self.command(
                    authority, "/cooperation/attach", {"cooperation_reference": cooperation_reference}, by
                )
            return await self.recorded(authority, step, reference, count)

        with contextlib.suppress(StoryFailed):
            event = await eventually(on_record, f"{step} at {authority}", self.message_wait_s)
            return f"arrived by message: {wanted.removeprefix('docket.')} recorded by {event['actor']}"
        self.played.transcribed.append(f"{step} at {authority}")
        answers = [
            await self.command(
                authority, "/cooperation/steps", body | {"cooperation_reference": cooperation_reference}, by
            )
            for body in reported
        ]
        return (
            f"no message within {self.message_wait_s:.0f}s: {side.who(by)} records it as received; "
            f"{events_of(answers[-1])}"
        )


def events_of(answer: dict[str, Any]) -> str:
    events = ", ".join(event["type"].removeprefix("docket.") for event in answer.get("events", ()))
    return f"{events}; case version {answer['case']['version']}"


def command(authority: str, path: str, body: dict[str, Any], by: str) -> Callable[[NetworkStory], Awaitable[str]]:
    """A move that is one staff command on the authority's case."""

    async def act(story: NetworkStory) -> str:
        return events_of(await story.command(authority, path, body, by))

    return act


async def cooperation_lines(story: NetworkStory, authority: str) -> list[tuple[str, str | None]]:
    """The authority's case in a summary: its complaints and status, each cooperation step its record shows with
    the day it was taken, who took it and who recorded it, and the keys its case service publishes."""
    side, case_id = story.sides[authority], story.played.cases[authority]
    case = expect(await side.case.get(f"/cases/{case_id}", headers=side.staff(AUDITOR)), 200, "the case")
    lines: list[tuple[str, str | None]] = [
        (f"{authority:<8} case {case_id}  {case['complaint_count']} complaint(s), {case['status']}", "bold")
    ]
    for event in await story.history(authority):
        if event["type"].startswith("docket.cooperation."):
            data = event["data"]
            day = next((data[k] for k in data if k.endswith(("_on", "last_day")) and data[k]), "")
            who = event["actor_name"] or event["actor"]
            what = event["type"].removeprefix("docket.cooperation.")
            taker = data.get("authority", "")
            lines.append((f"  {day:<10}  {what:<24} by {taker:<8} recorded by {who}", None))
    jwks = await side.case.get("/.well-known/jwks.json")
    keys = len(expect(jwks, 200, f"{authority}'s keys")["keys"])
    lines.append((f"  keys        {keys} published at {side.case.base_url}/.well-known/jwks.json (HTTPS)", None))
    return lines


def transcribed_line(story: NetworkStory) -> list[tuple[str, str | None]]:
    if not story.played.transcribed:
        return []
    return [
        (
            f"messages    none arrived within {story.message_wait_s:.0f}s for: "
            f"{'; '.join(story.played.transcribed)}; recorded by staff from what they received",
            None,
        )
    ]
