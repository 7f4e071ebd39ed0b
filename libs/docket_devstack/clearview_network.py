"""The Clearview network story, played by `make run ARGS=--network` after the CNIL's own (clearview.py): the Italian
Garante's Docket beside the CNIL's, and what each authority records of the same processing.

Clearview AI has no establishment in the Union: the GDPR applies to it because it monitors people's behaviour here
(Art 3(2)(b)), there is no lead authority and no one-stop shop (Art 56(1)), and each authority acts on its own
territory, sharing what it found (the CNIL said so when it announced its formal notice, on 16 December 2021).
Privacy International's alert of 27 May 2021 is on the CNIL's case already; the same day Hermes Center lodged its
complaint with the Garante. Each authority frames its case so; the CNIL asks the Garante for mutual assistance (Art
61) and the Garante answers within the month; each decides on its own: the Garante's ordinanza ingiunzione of 10
February 2022 (EUR 20,000,000, doc. web n. 9751362), the CNIL's SAN-2022-019, which the CNIL's story recorded.

Each authority's staff act through its own installation's routes (their realm's tokens). A step one authority takes
reaches the other as a signed message over HTTPS once the exchange carries steps: the story waits a while for it on
the other's record and, if it does not come, that authority's staff record it from the request or answer they
received, as they would from a letter. Every day the story records, and where it comes from, is in docs/guide.md
("The Clearview network, date by date"); a day the record read does not give is marked inferred there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from .clearview import Played, StoryFailed, close_open_cases, eventually, expect
from .keycloak import KeycloakServer
from .network import CNIL, GARANTE, Network
from .staff import AUDITOR, INTAKE_OFFICER, INVESTIGATOR, PRESIDENT, RAPPORTEUR, ROLES, SANCTIONS_COMMITTEE, Tokens
from .story import Console

# The Garante's demo staff (deploy/keycloak/network), by the part the CNIL's demo user of the same role plays.
GARANTE_STAFF = {
    INTAKE_OFFICER: "isabella.intake",
    PRESIDENT: "piero.president",
    RAPPORTEUR: "rita.rapporteur",
    INVESTIGATOR: "valeria.investigator",
    SANCTIONS_COMMITTEE: "carlo.collegio",
    AUDITOR: "aldo.auditor",
}
MESSAGE_WAIT_S = 10.0  # how long a step taken at one authority is waited for at the other, as a message

HERMES_CENTER: dict[str, Any] = {
    "kind": "alert",
    "category": "access_request_ignored",
    "territory": ["IT"],
    "complainant": {"name": "Hermes Center for Transparency and Digital Human Rights", "email": "hermes@example.org"}
    | {"country": "IT"},
    "controller": {"name": "Clearview AI"},
    "articles_alleged": [5, 6, 9, 27],
    "received_on": "2021-05-27",
    "narrative": "Clearview AI scrapes facial images of people in Italy from the web and turns them into biometric "
    "templates without a legal basis; it has no representative in the Union.",
    "language": "en",
}


def frame(own: str, other: str) -> dict[str, Any]:
    """A case of processing that affects people in several Member States by a controller with no establishment in
    the Union: not cross-border processing in the GDPR's sense, which needs establishments in the Union (Art 4(23)),
    so no lead; each authority concerned by its people and the complaint lodged with it (Art 4(22)(b), (c))."""
    return {
        "recorded_on": "2021-05-27",
        "cross_border": False,
        "establishment": "none_in_union",
        "role": "concerned",
        "concerned": [{"authority": own, "reasons": ["b", "c"]}, {"authority": other, "reasons": ["b", "c"]}],
    }


REQUEST: dict[str, Any] = {
    "step": "assistance_requested",
    "requested": GARANTE,
    "received_on": "2021-06-21",
    "asks": "information",
    "purpose": "what the Garante found of Clearview AI's processing of people in Italy, and of where it is established",
    "reasons": "the same processing of images of people in France; Clearview AI says it is not subject to the GDPR",
}
ANSWER: dict[str, Any] = {
    "step": "assistance_answered",
    "answered_on": "2021-07-16",
    "outcome": "provided",
    "summary": "the Garante's findings so far: images of people in Italy in Clearview AI's database, no establishment "
    "or representative in the Union",
}
# The Garante's own procedure, recorded through Docket's, which is the CNIL's: the inquiry it opened ex officio after
# press reports, on the case opened by the complaint; its relatore, Guido Scorza, named as the rapporteur; the
# notification of the violations (Codice art 166(5)); the hearing Docket's procedure requires before a decision; the
# ordinanza of its board. Three members adopted it, the relatore among them; Docket's rapporteur may not deliberate
# (loi 78-17 art 22), so the record names the two others (network.GARANTE_QUORUM).
INVESTIGATION: dict[str, Any] = {
    "opened_on": "2021-05-27",
    "decision_reference": "istruttoria d'ufficio",
    "scope": "Clearview AI's facial recognition products and the images of people in Italy they hold",
}
FINDINGS: tuple[dict[str, Any], ...] = (
    {"articles": [5, 6, 9], "facts": "biometric data of people in Italy processed without a legal basis"},
    {"articles": [12, 13, 14, 15], "facts": "people not informed, their access requests not answered"},
    {"articles": [27], "facts": "no representative in the Union"},
)
REFERRAL: dict[str, Any] = {
    "referred_on": "2021-11-15",
    "reference": "the Garante's procedure for an ordinanza ingiunzione (Codice art 166)",
    "rapporteur": {"name": "Guido Scorza", "kind": "commissioner"},
    "procedure": "ordinary",
}
NOTIFICATION: dict[str, Any] = {"notified_on": "2021-11-16", "documents": ["the notification of the violations"]}
SUMMONS: dict[str, Any] = {"summoned_on": "2022-01-10", "hearing_on": "2022-01-25"}
HEARING: dict[str, Any] = {"held_on": "2022-01-25", "public": False, "speakers": ["rapporteur", "controller"]}
ORDINANZA: dict[str, Any] = {
    "decided_on": "2022-02-10",
    "reference": "doc. web n. 9751362",
    "members": ["Pasquale Stanzione", "Ginevra Cerrina Feroni"],
    "turnover_eur": 100_000_000,
    "articles_infringed": [5, 6, 9, 12, 13, 14, 15, 27],
    "fine_eur": 20_000_000,
}


@dataclass(frozen=True)
class Side:
    """One authority as the story acts at it: its case service, its staff (by the CNIL demo user of the same role)."""

    authority: str
    intake: httpx.AsyncClient
    case: httpx.AsyncClient
    staff: Callable[[str], dict[str, str]]
    case_id: str = ""


@dataclass
class NetworkPlayed:
    cases: dict[str, str] = field(default_factory=dict)  # authority -> its case
    reference: str = ""  # the request for mutual assistance's
    transcribed: list[str] = field(default_factory=list)  # the steps staff recorded because no message came


@dataclass(frozen=True)
class Move:
    on: str
    authority: str
    title: str
    by: str
    act: Callable[[NetworkStory], Awaitable[str]]


class NetworkStory:
    def __init__(self, sides: dict[str, Side], console: Console, message_wait_s: float = MESSAGE_WAIT_S) -> None:
        self.sides, self.console, self.message_wait_s = sides, console, message_wait_s
        self.played = NetworkPlayed()

    async def play(self) -> NetworkPlayed:
        for number, move in enumerate(MOVES, start=1):
            self.console.line(
                f"[network {number:>2} of {len(MOVES)}] {move.on:<10}  {move.authority:<7}  {move.title}  ({move.by})",
                "bold blue",
            )
            outcome = await move.act(self)
            self.console.line(f"{'':>18}-> {outcome}", "red" if outcome.startswith(("409", "422")) else "green")
        return self.played

    # --- what the people do -----------------------------------------------------------------------------------

    async def file(self) -> str:
        """The Garante's intake officer records Hermes Center's complaint; it opens the Garante's case."""
        side = self.sides[GARANTE]
        closed = await close_open_cases(side.case, side.staff, date.today())
        for case in closed:
            self.console.line(f"{'':>18}   closed the Garante's case {case['id']}, left open by an earlier run")
        headers = side.staff(INTAKE_OFFICER)
        receipt = expect(
            await side.intake.post("/paper-complaints", json=HERMES_CENTER, headers=headers), 201, "filing"
        )

        async def case_of() -> dict[str, Any] | None:
            listed = await side.case.get(
                "/cases", params={"complaint_id": receipt["id"]}, headers=side.staff(INVESTIGATOR)
            )
            items: list[dict[str, Any]] = expect(listed, 200, "the Garante's cases")["items"]
            return items[0] if items else None

        case = await eventually(case_of, "Hermes Center's complaint to open a case at the Garante")
        self.played.cases[GARANTE] = case["case_id"]
        return f"receipt {receipt['reference']}; opened the Garante's case {case['case_id']}"

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

    async def history(self, authority: str) -> list[dict[str, Any]]:
        side, case_id = self.sides[authority], self.played.cases[authority]
        found = await side.case.get(f"/cases/{case_id}/history", headers=side.staff(AUDITOR), params={"limit": 500})
        events: list[dict[str, Any]] = expect(found, 200, f"{authority}'s history")
        return events

    async def arrives(self, authority: str, step: str, reported: dict[str, Any], by: str) -> str:
        """A step the other authority took reaches `authority`: its message, waited for a while on its record. The
        first step of a procedure opened elsewhere waits in GET /cooperation/waiting until staff attach it to
        their case (no case here holds its procedure yet): `by` does. If no message comes, its staff record the
        step from what they received (as `reported`, naming who took it)."""
        wanted = f"docket.cooperation.{step}"
        side = self.sides[authority]

        async def on_record() -> dict[str, Any] | None:
            waiting = await side.case.get("/cooperation/waiting", headers=side.staff(AUDITOR))
            if any(w["cooperation_reference"] == self.played.reference for w in expect(waiting, 200, "waiting")):
                await self.command(
                    authority, "/cooperation/attach", {"cooperation_reference": self.played.reference}, by
                )
            return next(
                (
                    event
                    for event in await self.history(authority)
                    if event["type"] == wanted and event["data"]["cooperation_reference"] == self.played.reference
                ),
                None,
            )

        with contextlib.suppress(StoryFailed):
            event = await eventually(on_record, f"{step} at {authority}", self.message_wait_s)
            return f"arrived by message: {wanted.removeprefix('docket.')} recorded by {event['actor']}"
        self.played.transcribed.append(f"{step} at {authority}")
        body = reported | {"cooperation_reference": self.played.reference}
        answer = await self.command(authority, "/cooperation/steps", body, by)
        who = GARANTE_STAFF[by] if authority == GARANTE else by
        return f"no message within {self.message_wait_s:.0f}s: {who} records it as received; {events_of(answer)}"


def events_of(answer: dict[str, Any]) -> str:
    events = ", ".join(event["type"].removeprefix("docket.") for event in answer.get("events", ()))
    return f"{events}; case version {answer['case']['version']}"


def _command(authority: str, path: str, body: dict[str, Any], by: str) -> Callable[[NetworkStory], Awaitable[str]]:
    async def act(story: NetworkStory) -> str:
        return events_of(await story.command(authority, path, body, by))

    return act


async def _request(story: NetworkStory) -> str:
    answer = await story.command(CNIL, "/cooperation/steps", REQUEST, INVESTIGATOR)
    story.played.reference = answer["events"][0]["data"]["cooperation_reference"]
    return f"procedure {story.played.reference}; {events_of(answer)}"


async def _answer(story: NetworkStory) -> str:
    body = ANSWER | {"cooperation_reference": story.played.reference}
    return events_of(await story.command(GARANTE, "/cooperation/steps", body, INVESTIGATOR))


async def _cnil_decision(story: NetworkStory) -> str:
    events = await story.history(CNIL)
    sanction = next((e["data"] for e in events if e["type"] == "docket.sanction.imposed"), None)
    if sanction is None:
        raise StoryFailed("the CNIL's case holds no sanction: its own story did not record SAN-2022-019")
    return f"on the CNIL's record: sanction.imposed of {sanction['decided_on']}, EUR {sanction['fine_eur']:,}"


MOVES: tuple[Move, ...] = (
    Move(
        HERMES_CENTER["received_on"],
        GARANTE,
        "Hermes Center complains to the Garante about Clearview AI",
        GARANTE_STAFF[INTAKE_OFFICER],
        lambda story: story.file(),
    ),
    Move(
        "2021-05-27",
        CNIL,
        "The CNIL frames its case: no establishment in the Union, no lead authority (Arts 3(2)(b), 56(1))",
        INVESTIGATOR,
        _command(CNIL, "/cooperation/frame", frame(CNIL, GARANTE), INVESTIGATOR),
    ),
    Move(
        "2021-05-27",
        GARANTE,
        "The Garante frames its case the same way: each authority acts on its own territory",
        GARANTE_STAFF[INVESTIGATOR],
        _command(GARANTE, "/cooperation/frame", frame(GARANTE, CNIL), INVESTIGATOR),
    ),
    Move(
        REQUEST["received_on"],
        CNIL,
        "The CNIL asks the Garante for mutual assistance: a month to answer (Art 61(2))",
        INVESTIGATOR,
        _request,
    ),
    Move(
        REQUEST["received_on"],
        GARANTE,
        "The CNIL's request reaches the Garante",
        GARANTE_STAFF[INVESTIGATOR],
        lambda story: story.arrives(GARANTE, "assistance_requested", REQUEST | {"authority": CNIL}, INVESTIGATOR),
    ),
    Move(
        ANSWER["answered_on"],
        GARANTE,
        "The Garante answers within the month, with what it found (Art 61(5))",
        GARANTE_STAFF[INVESTIGATOR],
        _answer,
    ),
    Move(
        ANSWER["answered_on"],
        CNIL,
        "The Garante's answer reaches the CNIL",
        INVESTIGATOR,
        lambda story: story.arrives(CNIL, "assistance_answered", ANSWER | {"authority": GARANTE}, INVESTIGATOR),
    ),
    Move(
        INVESTIGATION["opened_on"],
        GARANTE,
        "The Garante's inquiry, opened ex officio after press reports, on the case",
        GARANTE_STAFF[PRESIDENT],
        _command(GARANTE, "/investigation", INVESTIGATION, PRESIDENT),
    ),
    *(
        Move(
            "",
            GARANTE,
            f"The Garante finds a breach of Art{'s' if len(f['articles']) > 1 else ''} "
            f"{', '.join(map(str, f['articles']))}: {f['facts']}",
            GARANTE_STAFF[INVESTIGATOR],
            _command(GARANTE, "/findings", f, INVESTIGATOR),
        )
        for f in FINDINGS
    ),
    Move(
        REFERRAL["referred_on"],
        GARANTE,
        "The Garante opens its procedure for an ordinanza ingiunzione; Guido Scorza reports",
        GARANTE_STAFF[PRESIDENT],
        _command(GARANTE, "/referral", REFERRAL, PRESIDENT),
    ),
    Move(
        NOTIFICATION["notified_on"],
        GARANTE,
        "The violations are notified to Clearview AI (Codice art 166(5))",
        GARANTE_STAFF[RAPPORTEUR],
        _command(GARANTE, "/report", NOTIFICATION, RAPPORTEUR),
    ),
    Move(
        SUMMONS["summoned_on"],
        GARANTE,
        "Clearview AI is called to be heard",
        GARANTE_STAFF[SANCTIONS_COMMITTEE],
        _command(GARANTE, "/summons", SUMMONS, SANCTIONS_COMMITTEE),
    ),
    Move(
        HEARING["held_on"],
        GARANTE,
        "Clearview AI is heard",
        GARANTE_STAFF[SANCTIONS_COMMITTEE],
        _command(GARANTE, "/hearing", HEARING, SANCTIONS_COMMITTEE),
    ),
    Move(
        ORDINANZA["decided_on"],
        GARANTE,
        f"The Garante's board fines Clearview AI EUR {ORDINANZA['fine_eur']:,} ({ORDINANZA['reference']})",
        GARANTE_STAFF[SANCTIONS_COMMITTEE],
        _command(GARANTE, "/sanctions", ORDINANZA, SANCTIONS_COMMITTEE),
    ),
    Move(
        "2022-10-17",
        CNIL,
        "The CNIL's own decision, SAN-2022-019, recorded by its story",
        AUDITOR,
        _cnil_decision,
    ),
)


async def summarise(story: NetworkStory, peers: Network) -> list[tuple[str, str | None]]:
    """Each authority's case, the cooperation steps its record shows and who recorded each, its decision; and the
    keys each case service publishes for its messages, fetched as the other fetches them."""
    lines: list[tuple[str, str | None]] = [("", None), ("== The Clearview network ==", "bold")]
    for authority in (CNIL, GARANTE):
        side, case_id = story.sides[authority], story.played.cases[authority]
        case = expect(await side.case.get(f"/cases/{case_id}", headers=side.staff(AUDITOR)), 200, "the case")
        events = await story.history(authority)
        lines.append(
            (f"{authority:<8} case {case_id}  {case['complaint_count']} complaint(s), {case['status']}", "bold")
        )
        for event in events:
            if event["type"].startswith("docket.cooperation."):
                data = event["data"]
                day = next((data[k] for k in data if k.endswith(("_on", "last_day")) and data[k]), "")
                who = event["actor_name"] or event["actor"]
                what = event["type"].removeprefix("docket.cooperation.")
                taker = data.get("authority", "")
                lines.append((f"  {day:<10}  {what:<22} by {taker:<8} recorded by {who}", None))
        for event in events:
            if event["type"] == "docket.sanction.imposed":
                data = event["data"]
                lines.append((f"  decision    {data['decided_on']}: fine of EUR {data['fine_eur']:,}", "bold"))
        jwks = await side.case.get("/.well-known/jwks.json")
        keys = len(expect(jwks, 200, f"{authority}'s keys")["keys"])
        lines.append((f"  keys        {keys} published at {side.case.base_url}/.well-known/jwks.json (HTTPS)", None))
    if story.played.transcribed:
        lines.append(
            (
                f"messages    none arrived within {story.message_wait_s:.0f}s for: "
                f"{'; '.join(story.played.transcribed)}; recorded by staff from what they received",
                None,
            )
        )
    lines.append(
        (f"directories {peers.ca_file.parent} (each naming the other authority; the CA is {peers.ca_file})", None)
    )
    return lines


def player(
    peers: Network, urls: dict[str, str], keycloak: KeycloakServer, console: Console
) -> Callable[[dict[str, httpx.AsyncClient], Played], Awaitable[None]]:
    """The network story, played after the CNIL's story on its case (`played`), with the CNIL's clients."""

    async def play(cnil: dict[str, httpx.AsyncClient], played: Played) -> None:
        cnil_staff, garante_tokens = Tokens(keycloak), Tokens(keycloak, peers.garante.realm)

        def garante_staff(user: str) -> dict[str, str]:
            return garante_tokens(GARANTE_STAFF[user])

        verify = peers.verify()
        async with contextlib.AsyncExitStack() as stack:
            garante = {
                name: await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30, verify=verify))
                for name, url in urls.items()
            }
            sides = {
                CNIL: Side(CNIL, cnil["intake"], cnil["case"], cnil_staff),
                GARANTE: Side(GARANTE, garante["intake"], garante["case"], garante_staff),
            }
            story = NetworkStory(sides, console)
            story.played.cases[CNIL] = played.case_id
            console.heading(f"The Clearview network: the CNIL and the Garante, in {len(MOVES)} steps")
            await story.play()
            for text, style in await summarise(story, peers):
                console.line(text, style)

    return play


def explore(peers: Network, urls: dict[str, str], console: Console) -> None:
    """Where the Garante's Docket answers, and who its staff are."""
    console.line()
    for name, base in urls.items():
        console.line(f"{name:<9} {base}  (the Garante's, {peers.garante.authority}; API docs: {base}/docs)")
    staff = ", ".join(f"{user} ({ROLES[cnil_user]})" for cnil_user, user in GARANTE_STAFF.items())
    console.line(f"staff     {staff}: realm {peers.garante.realm}, password docket-demo")
    console.line(f"          its case service's certificate is signed by {peers.ca_file} (curl --cacert)")
