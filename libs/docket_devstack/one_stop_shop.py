"""The one-stop-shop story, played by `make run ARGS=--network` after the Clearview network: a complaint lodged with the
CNIL against a controller whose main establishment is in Ireland, decided by the Irish Data Protection Commission as
lead authority (GDPR Arts 56(1), 60), with the CNIL concerned (Art 4(22)(b), (c)).

Lumen Social Ltd and its complainants are made up; the procedure is the law's. The CNIL registers the complaint as
cross-border and transmits it to the DPC with its assessment within six weeks (Regulation 2025/2518 art 4, as
reported); the DPC, which already has a complaint of its own against Lumen Social, attaches the transmitted one to
its case, confirms its competence, and submits a draft decision (Art 60(3)); the CNIL raises a relevant and
reasoned objection within its four weeks (Art 60(4)); the DPC follows it with a revised draft (Art 60(5)), which the
CNIL agrees to; the DPC adopts the final decision and notifies it (Art 60(7)); the CNIL tells its complainant, in
French, with the remedies of its own courts (Art 60(8), 2025/2518).

Its days are counted back from today, so that every time limit still runs while it is played: the durable timers
find no silence to turn into agreement, and the CNIL agrees to the revised draft in words. A complaint lodged by 2
April 2027 is outside Regulation 2025/2518 (art 36, as reported): played before that day, the six weeks are kept as
practice and no timer runs; from that day on, the transmission's timer runs too. tests/e2e/test_one_stop_shop.py
plays the same procedure on a clock of 2027, where the timers run, silence included, and docs/guide.md has its
picture.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from docket_service.clock import SystemClock

from .clearview import StoryFailed, close_open_cases, eventually, expect
from .network import CNIL, DPC
from .network_story import Move, NetworkStory, command, cooperation_lines, transcribed_line
from .staff import AUDITOR, INTAKE_OFFICER, INVESTIGATOR, PRESIDENT, RAPPORTEUR, SANCTIONS_COMMITTEE

# The DPC's demo staff (deploy/keycloak/network), by the part the CNIL's demo user of the same role plays.
DPC_STAFF = {
    INTAKE_OFFICER: "niamh.intake",
    PRESIDENT: "des.commissioner",
    RAPPORTEUR: "ronan.rapporteur",
    INVESTIGATOR: "orla.investigator",
    SANCTIONS_COMMITTEE: "cathal.commission",
    AUDITOR: "aine.auditor",
}
CONTROLLER_KEY = "lumen-social"  # the key intake gives "Lumen Social Ltd"
COMPLAINT = "the CNIL's complaint"  # the procedures' parts in the story (NetworkPlayed.references)
ONE_STOP_SHOP = "the one-stop shop"
# Days before today each step is dated (see the module's docstring): within six weeks of receipt, the transmission;
# within four weeks of the draft, the objection; within two of the revised draft, the agreement.
DAYS = {
    "dpc_complaint": 60,
    "received": 40,
    "transmitted": 33,
    "dpc_frame": 31,
    "confirmed": 28,
    "draft": 25,
    "objection": 8,
    "revised": 4,
    "agreed": 1,
    "adopted": 0,
}


def lumen(complainant: dict[str, str], received_on: date, narrative: str, language: str) -> dict[str, Any]:
    return {
        "kind": "art77_complaint",
        "complainant": complainant,
        "controller": {"name": "Lumen Social Ltd", "country": "IE", "website": "lumen.example"},
        "category": "unlawful_processing",
        "articles_alleged": [6, 7],
        "territory": ["FR", "IE"] if complainant["country"] == "FR" else ["IE"],
        "received_on": received_on.isoformat(),
        "narrative": narrative,
        "language": language,
    }


class Days:
    """The story's days, counted back from `today`."""

    def __init__(self, today: date) -> None:
        self.today = today

    def __getitem__(self, name: str) -> date:
        return self.today - timedelta(days=DAYS[name])

    def iso(self, name: str) -> str:
        return self[name].isoformat()


def frame(days: Days, role: str) -> dict[str, Any]:
    """Cross-border processing by a controller established in the Union (Art 4(23)(a)), its main establishment in
    Ireland, so the DPC leads (Art 56(1)); the CNIL is concerned, its people affected and the complaint lodged with
    it (Art 4(22)(b), (c))."""
    return {
        "recorded_on": days.iso("received" if role == "concerned" else "dpc_frame"),
        "cross_border": True,
        "basis": "4(23)(a)",
        "establishment": "main_establishment",
        "establishment_state": "IE",
        "role": role,
        "lead": DPC,
        "concerned": [{"authority": CNIL, "reasons": ["b", "c"]}],
    }


def steps(days: Days) -> dict[str, dict[str, Any]]:
    """Each cooperation step of the story, as the authority that takes it posts it (the procedure's reference and,
    for a complaint, its id are added when it is taken)."""
    draft = {
        "step": "draft_decision_submitted",
        "draft": 1,
        "submitted_on": days.iso("draft"),
        "consulted": [{"authority": CNIL, "consulted_on": days.iso("draft")}],
        "summary": "a reprimand, and an order to stop sharing location data without consent",
    }
    return {
        "registered": {"step": "complaint_registered", "received_on": days.iso("received"), "presumed_lead": DPC},
        "transmitted": {
            "step": "complaint_transmitted",
            "transmitted_on": days.iso("transmitted"),
            "lead": DPC,
            "assessment": "cross-border processing by a controller whose main establishment is in Ireland",
        },
        "confirmed": {
            "step": "competence_confirmed",
            "confirmed_on": days.iso("confirmed"),
            "procedure": "standard",
            "began": "complaint",
            "began_on": days.iso("received"),
        },
        "draft": draft,
        "objection": {
            "step": "objection_raised",
            "draft": 1,
            "raised_on": days.iso("objection"),
            "concerns": "envisaged_action",
            "subject": "a reprimand does not end the sharing",
            "relevant": True,
            "reasoned": True,
            "risks": "people in France keep being located for advertisers",
        },
        "revised": draft
        | {
            "draft": 2,
            "submitted_on": days.iso("revised"),
            "consulted": [{"authority": CNIL, "consulted_on": days.iso("revised")}],
            "summary": "an order to stop sharing location data without consent within three months, and a fine",
        },
        "agreed": {"step": "draft_agreed", "draft": 2, "agreed_on": days.iso("agreed")},
        "adopted": {
            "step": "decision_adopted",
            "adopted_on": days.iso("adopted"),
            "notified_on": days.iso("adopted"),
            "decision": "action",
            "summary": "Lumen Social is ordered to stop sharing location data without consent, and fined",
        },
    }


class OneStopShop:
    """What the story needs beyond NetworkStory's moves: the CNIL's complaint, and the closing of what an earlier run
    left open."""

    def __init__(self, days: Days) -> None:
        self.days, self.steps = days, steps(days)
        self.complaint_id = ""

    async def dpc_files(self, story: NetworkStory) -> str:
        """The DPC's own complaint against Lumen Social opens its case (one left open by an earlier run at either
        authority is closed first, or the complaints would join it)."""
        for authority in (DPC, CNIL):
            side = story.sides[authority]
            for case in await close_open_cases(side.case, side.staff, self.days.today, CONTROLLER_KEY):
                story.console.line(f"{'':>18}   closed {authority}'s case {case['id']}, left open by an earlier run")
        complainant = {"name": "Aoife Byrne", "email": "aoife.byrne@example.org", "country": "IE"}
        narrative = "Lumen Social sells my location history to advertisers; I was never asked."
        body = lumen(complainant, self.days["dpc_complaint"], narrative, "en")
        return await story.file(DPC, "/paper-complaints", body, INTAKE_OFFICER)

    async def cnil_files(self, story: NetworkStory) -> str:
        complainant = {"name": "Camille Durand", "email": "camille.durand@example.org", "country": "FR"}
        narrative = "Lumen Social partage mon historique de localisation avec des annonceurs sans mon accord."
        body = lumen(complainant, self.days["received"], narrative, "fr")
        outcome = await story.file(CNIL, "/paper-complaints", body, INTAKE_OFFICER)
        self.complaint_id = story.played.complaints[CNIL]
        return outcome

    def of_complaint(self, name: str) -> dict[str, Any]:
        return self.steps[name] | {"complaint_id": self.complaint_id}

    async def register(self, story: NetworkStory) -> str:
        return await story.opens(CNIL, self.of_complaint("registered"), INVESTIGATOR, COMPLAINT)

    async def transmit(self, story: NetworkStory) -> str:
        return await story.step(CNIL, self.of_complaint("transmitted"), INVESTIGATOR, COMPLAINT)

    async def transmission_arrives(self, story: NetworkStory) -> str:
        reported = [self.of_complaint(name) | {"authority": CNIL} for name in ("registered", "transmitted")]
        return await story.arrives(DPC, "complaint_transmitted", reported, INVESTIGATOR, COMPLAINT)

    async def confirm(self, story: NetworkStory) -> str:
        body = self.steps["confirmed"] | {"complaint_reference": story.played.references[COMPLAINT]}
        return await story.opens(DPC, body, INVESTIGATOR, ONE_STOP_SHOP)

    def taken(self, authority: str, name: str, by: str) -> Callable[[NetworkStory], Awaitable[str]]:
        async def act(story: NetworkStory) -> str:
            return await story.step(authority, self.steps[name], by, ONE_STOP_SHOP)

        return act

    def arrives(self, authority: str, name: str, count: int = 1) -> Callable[[NetworkStory], Awaitable[str]]:
        """A step of the one-stop shop taken at the other authority reaches `authority`."""
        taker = DPC if authority == CNIL else CNIL
        body = self.steps[name] | {"authority": taker}
        by = INVESTIGATOR if name == "confirmed" else PRESIDENT

        async def act(story: NetworkStory) -> str:
            return await story.arrives(authority, body["step"], [body], by, ONE_STOP_SHOP, count)

        return act

    async def letter(self, story: NetworkStory) -> str:
        """The CNIL's letter to its complainant, from the DPC's decision as reported (the notifier writes it)."""
        notifier = story.sides[CNIL].notifier
        if notifier is None:
            raise StoryFailed("the CNIL's notifier is not known to the story")

        async def decision_letter() -> dict[str, Any] | None:
            found = await notifier.get(
                "/notifications",
                params={"complaint_id": self.complaint_id},
                headers=story.sides[CNIL].staff(INTAKE_OFFICER),
            )
            letters = [
                n
                for n in expect(found, 200, "the CNIL's letters")
                if n["source_event_type"] == "docket.cooperation.decision_adopted"
            ]
            return letters[0] if letters else None

        letter = await eventually(decision_letter, "the CNIL's letter to its complainant")
        return f"letter to the {letter['recipient_role']}: {letter['subject']!r}"


Act = Callable[[NetworkStory], Awaitable[str]]
# Each move: the day it is dated (DAYS), the authority that acts, what happens, who acts (the CNIL's demo user of the
# same role), and the act, of the story's OneStopShop.
PLAYED: tuple[tuple[str, str, str, str, Callable[[OneStopShop], Act]], ...] = (
    (
        "dpc_complaint",
        DPC,
        "Aoife Byrne complains to the DPC about Lumen Social",
        INTAKE_OFFICER,
        lambda s: s.dpc_files,
    ),
    (
        "received",
        CNIL,
        "Camille Durand complains to the CNIL about Lumen Social, established in Ireland",
        INTAKE_OFFICER,
        lambda s: s.cnil_files,
    ),
    (
        "received",
        CNIL,
        "The CNIL frames its case: cross-border, the DPC leads, the CNIL is concerned (Arts 4(22)-(23), 56(1))",
        INVESTIGATOR,
        lambda s: command(CNIL, "/cooperation/frame", frame(s.days, "concerned"), INVESTIGATOR),
    ),
    (
        "received",
        CNIL,
        "The CNIL registers the complaint as cross-border, the DPC its presumed lead",
        INVESTIGATOR,
        lambda s: s.register,
    ),
    (
        "transmitted",
        CNIL,
        "The CNIL transmits it with its assessment, within six weeks (2025/2518 art 4)",
        INVESTIGATOR,
        lambda s: s.transmit,
    ),
    (
        "dpc_frame",
        DPC,
        "The DPC frames its case as lead authority, the CNIL concerned (Art 56(1))",
        INVESTIGATOR,
        lambda s: command(DPC, "/cooperation/frame", frame(s.days, "lead"), INVESTIGATOR),
    ),
    (
        "dpc_frame",
        DPC,
        "The CNIL's complaint reaches the DPC, which joins it to its case",
        INVESTIGATOR,
        lambda s: s.transmission_arrives,
    ),
    (
        "confirmed",
        DPC,
        "The DPC confirms its competence for the complaint (2025/2518 art 4(6))",
        INVESTIGATOR,
        lambda s: s.confirm,
    ),
    (
        "confirmed",
        CNIL,
        "The DPC's confirmation reaches the CNIL",
        INVESTIGATOR,
        lambda s: s.arrives(CNIL, "confirmed"),
    ),
    (
        "draft",
        DPC,
        "The DPC submits its draft decision to the CNIL (Art 60(3))",
        PRESIDENT,
        lambda s: s.taken(DPC, "draft", PRESIDENT),
    ),
    (
        "draft",
        CNIL,
        "The draft reaches the CNIL: four weeks to object (Art 60(4))",
        PRESIDENT,
        lambda s: s.arrives(CNIL, "draft"),
    ),
    (
        "objection",
        CNIL,
        "The CNIL raises a relevant and reasoned objection: a reprimand does not end the sharing",
        PRESIDENT,
        lambda s: s.taken(CNIL, "objection", PRESIDENT),
    ),
    ("objection", DPC, "The objection reaches the DPC", PRESIDENT, lambda s: s.arrives(DPC, "objection")),
    (
        "revised",
        DPC,
        "The DPC follows it with a revised draft: two weeks to object (Art 60(5))",
        PRESIDENT,
        lambda s: s.taken(DPC, "revised", PRESIDENT),
    ),
    ("revised", CNIL, "The revised draft reaches the CNIL", PRESIDENT, lambda s: s.arrives(CNIL, "revised", 2)),
    (
        "agreed",
        CNIL,
        "The CNIL agrees to the revised draft, and is bound by it (Art 60(6))",
        PRESIDENT,
        lambda s: s.taken(CNIL, "agreed", PRESIDENT),
    ),
    ("agreed", DPC, "The agreement reaches the DPC", PRESIDENT, lambda s: s.arrives(DPC, "agreed")),
    (
        "adopted",
        DPC,
        "The DPC adopts the final decision and notifies it to Lumen Social (Art 60(7))",
        PRESIDENT,
        lambda s: s.taken(DPC, "adopted", PRESIDENT),
    ),
    ("adopted", CNIL, "The decision reaches the CNIL", PRESIDENT, lambda s: s.arrives(CNIL, "adopted")),
    (
        "adopted",
        CNIL,
        "The CNIL tells its complainant, in French, with the remedies of its courts (Art 60(8))",
        INTAKE_OFFICER,
        lambda s: s.letter,
    ),
)


def moves(today: date | None = None) -> tuple[Move, ...]:
    """The story's moves, dated back from `today` (the regulator's, by default)."""
    story = OneStopShop(Days(today or SystemClock().today()))
    return tuple(Move(story.days.iso(day), who, title, by, act(story)) for day, who, title, by, act in PLAYED)


async def summarise(story: NetworkStory) -> list[tuple[str, str | None]]:
    """Each authority's case and the steps of the one-stop shop its record shows, who took and who recorded each."""
    lines: list[tuple[str, str | None]] = [("", None), ("== The one-stop shop ==", "bold")]
    for authority in (CNIL, DPC):
        lines += await cooperation_lines(story, authority)
    return lines + transcribed_line(story)
