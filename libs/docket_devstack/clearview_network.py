"""The Clearview network story, played by `make run ARGS=--network` after the CNIL's own (clearview.py): the Italian
Garante's Docket beside the CNIL's, and what each authority records of the same processing.

Clearview AI has no establishment in the Union: the GDPR applies to it because it monitors people's behaviour here
(Art 3(2)(b)), there is no lead authority and no one-stop shop (Art 56(1)), and each authority acts on its own
territory, sharing what it found (the CNIL said so when it announced its formal notice, on 16 December 2021).
Privacy International's alert of 27 May 2021 is on the CNIL's case already; the same day Hermes Center lodged its
complaint with the Garante. Each authority frames its case so; the CNIL asks the Garante for mutual assistance (Art
61) and the Garante answers within the month; each decides on its own: the Garante's ordinanza ingiunzione of 10
February 2022 (EUR 20,000,000, doc. web n. 9751362), the CNIL's SAN-2022-019, which the CNIL's story recorded.

It is played as network_story.py plays a story between authorities. Every day it records, and where it comes from,
is in docs/guide.md ("The Clearview network, date by date"); a day the record read does not give is marked inferred
there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from .clearview import StoryFailed, articles, close_open_cases
from .network import CNIL, GARANTE
from .network_story import Move, NetworkStory, command, cooperation_lines, transcribed_line
from .staff import AUDITOR, INTAKE_OFFICER, INVESTIGATOR, PRESIDENT, RAPPORTEUR, SANCTIONS_COMMITTEE

# The Garante's demo staff (deploy/keycloak/network), by the part the CNIL's demo user of the same role plays.
GARANTE_STAFF = {
    INTAKE_OFFICER: "isabella.intake",
    PRESIDENT: "piero.president",
    RAPPORTEUR: "rita.rapporteur",
    INVESTIGATOR: "valeria.investigator",
    SANCTIONS_COMMITTEE: "carlo.collegio",
    AUDITOR: "aldo.auditor",
}
ASSISTANCE = "the request for mutual assistance"  # the procedure's part in the story (NetworkPlayed.references)

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
MONTH_ENDS = "2021-07-21"  # a month from the request's receipt (Art 61(2)): the last day the timers count
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


async def _file(story: NetworkStory) -> str:
    """The Garante's intake officer records Hermes Center's complaint; it opens the Garante's case (one left open by
    an earlier run is closed first, or the complaint would join it)."""
    side = story.sides[GARANTE]
    for case in await close_open_cases(side.case, side.staff, date.today()):
        story.console.line(f"{'':>18}   closed the Garante's case {case['id']}, left open by an earlier run")
    return await story.file(GARANTE, "/paper-complaints", HERMES_CENTER, INTAKE_OFFICER)


def _month_passed(authority: str) -> Callable[[NetworkStory], Awaitable[str]]:
    async def act(story: NetworkStory) -> str:
        return await story.timer_finds(authority, "deadline_passed", ASSISTANCE)

    return act


def _arrives(authority: str, step: str, reported: dict[str, Any]) -> Callable[[NetworkStory], Awaitable[str]]:
    async def act(story: NetworkStory) -> str:
        return await story.arrives(authority, step, [reported], INVESTIGATOR, ASSISTANCE)

    return act


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
        _file,
    ),
    Move(
        "2021-05-27",
        CNIL,
        "The CNIL frames its case: no establishment in the Union, no lead authority (Arts 3(2)(b), 56(1))",
        INVESTIGATOR,
        command(CNIL, "/cooperation/frame", frame(CNIL, GARANTE), INVESTIGATOR),
    ),
    Move(
        "2021-05-27",
        GARANTE,
        "The Garante frames its case the same way: each authority acts on its own territory",
        GARANTE_STAFF[INVESTIGATOR],
        command(GARANTE, "/cooperation/frame", frame(GARANTE, CNIL), INVESTIGATOR),
    ),
    Move(
        REQUEST["received_on"],
        CNIL,
        "The CNIL asks the Garante for mutual assistance: a month to answer (Art 61(2))",
        INVESTIGATOR,
        lambda story: story.opens(CNIL, REQUEST, INVESTIGATOR, ASSISTANCE),
    ),
    Move(
        REQUEST["received_on"],
        GARANTE,
        "The CNIL's request reaches the Garante",
        GARANTE_STAFF[INVESTIGATOR],
        _arrives(GARANTE, "assistance_requested", REQUEST | {"authority": CNIL}),
    ),
    # Played today, the month of Art 61(2) ran out long ago, before the answer is recorded: each authority's timer
    # finds it passed, as the CNIL's story waits for the formal notice's deadline. The story waits for both, so that
    # each record holds the same steps at every run.
    *(
        Move(
            MONTH_ENDS,
            authority,
            f"Played today, the month ran out long ago: {who} timer marks it passed (Art 61(2), 61(8))",
            "the deadline timer",
            _month_passed(authority),
        )
        for authority, who in ((GARANTE, "the Garante's"), (CNIL, "the CNIL's"))
    ),
    Move(
        ANSWER["answered_on"],
        GARANTE,
        "The Garante answers within the month, with what it found (Art 61(5))",
        GARANTE_STAFF[INVESTIGATOR],
        lambda story: story.step(GARANTE, ANSWER, INVESTIGATOR, ASSISTANCE),
    ),
    Move(
        ANSWER["answered_on"],
        CNIL,
        "The Garante's answer reaches the CNIL",
        INVESTIGATOR,
        _arrives(CNIL, "assistance_answered", ANSWER | {"authority": GARANTE}),
    ),
    Move(
        INVESTIGATION["opened_on"],
        GARANTE,
        "The Garante's inquiry, opened ex officio after press reports, on the case",
        GARANTE_STAFF[PRESIDENT],
        command(GARANTE, "/investigation", INVESTIGATION, PRESIDENT),
    ),
    *(
        Move(
            "",
            GARANTE,
            f"The Garante finds a breach of {articles(f['articles'])}: {f['facts']}",
            GARANTE_STAFF[INVESTIGATOR],
            command(GARANTE, "/findings", f, INVESTIGATOR),
        )
        for f in FINDINGS
    ),
    Move(
        REFERRAL["referred_on"],
        GARANTE,
        "The Garante opens its procedure for an ordinanza ingiunzione; Guido Scorza reports",
        GARANTE_STAFF[PRESIDENT],
        command(GARANTE, "/referral", REFERRAL, PRESIDENT),
    ),
    Move(
        NOTIFICATION["notified_on"],
        GARANTE,
        "The violations are notified to Clearview AI (Codice art 166(5))",
        GARANTE_STAFF[RAPPORTEUR],
        command(GARANTE, "/report", NOTIFICATION, RAPPORTEUR),
    ),
    Move(
        SUMMONS["summoned_on"],
        GARANTE,
        "Clearview AI is called to be heard",
        GARANTE_STAFF[SANCTIONS_COMMITTEE],
        command(GARANTE, "/summons", SUMMONS, SANCTIONS_COMMITTEE),
    ),
    Move(
        HEARING["held_on"],
        GARANTE,
        "Clearview AI is heard",
        GARANTE_STAFF[SANCTIONS_COMMITTEE],
        command(GARANTE, "/hearing", HEARING, SANCTIONS_COMMITTEE),
    ),
    Move(
        ORDINANZA["decided_on"],
        GARANTE,
        f"The Garante's board fines Clearview AI EUR {ORDINANZA['fine_eur']:,} ({ORDINANZA['reference']})",
        GARANTE_STAFF[SANCTIONS_COMMITTEE],
        command(GARANTE, "/sanctions", ORDINANZA, SANCTIONS_COMMITTEE),
    ),
    Move(
        "2022-10-17",
        CNIL,
        "The CNIL's own decision, SAN-2022-019, recorded by its story",
        AUDITOR,
        _cnil_decision,
    ),
)


async def summarise(story: NetworkStory) -> list[tuple[str, str | None]]:
    """Each authority's case, the cooperation steps its record shows and who recorded each, its decision; and the
    keys each case service publishes for its messages, fetched as the other fetches them."""
    lines: list[tuple[str, str | None]] = [("", None), ("== The Clearview network ==", "bold")]
    for authority in (CNIL, GARANTE):
        *steps, keys = await cooperation_lines(story, authority)
        decisions: list[tuple[str, str | None]] = [
            (f"  decision    {event['data']['decided_on']}: fine of EUR {event['data']['fine_eur']:,}", "bold")
            for event in await story.history(authority)
            if event["type"] == "docket.sanction.imposed"
        ]
        lines += [*steps, *decisions, keys]
    return lines + transcribed_line(story)
