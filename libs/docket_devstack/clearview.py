"""The CNIL v. Clearview AI story (decisions MED-2021-134, SAN-2022-019 and SAN-2023-005, see docs/design.md),
played through Docket's REST APIs as the people involved would: the one story `make run` shows and
tests/e2e/test_clearview.py checks, so that the two cannot tell it differently. Every day it records, and the
decision or announcement it comes from, is in docs/guide.md ("The Clearview story, date by date").

The complaints came in 2020 and 2021, long before today: the intake officer records them as paper complaints
with their true receipt dates (the public door takes a receipt date at most 30 days back). The President decides
the checks, an investigator carries them out and records the findings, and the President gives formal notice,
which the bureau makes public; the deadline expires by the case service's durable timer, which finds it long past
on its next look. The President refers the case to the restricted committee and names a rapporteur, whose report
reaches the controller; the committee summons it, hears the case and deliberates, once refused by the Art 83 cap.
The controller never shows it complied with the injunction: the committee liquidates the penalty payment for the
days of delay after its written procedure, makes its decisions public, and the case stays open under enforcement.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any, Protocol

import httpx

from .staff import INTAKE_OFFICER, INVESTIGATOR, PRESIDENT, RAPPORTEUR, SANCTIONS_COMMITTEE

CONTROLLER_KEY = "clearview-ai"
TIMER = "the deadline timer"  # who expires a formal notice: no person


@dataclass(frozen=True)
class Filing:
    """A complaint (or an alert) as it reached the CNIL: who, against the controller as they spelled it, when."""

    by: str
    kind: str
    controller: str
    received_on: str
    articles: tuple[int, ...]
    narrative: str

    @property
    def email(self) -> str:
        return f"{self.by.split()[0].lower()}@example.org"

    def body(self) -> dict[str, Any]:
        """The body of POST /paper-complaints."""
        return {
            "kind": self.kind,
            "category": "access_request_ignored",
            "territory": ["FR"],
            "complainant": {"name": self.by, "email": self.email, "country": "FR"},
            "controller": {"name": self.controller},
            "articles_alleged": list(self.articles),
            "received_on": self.received_on,
            "narrative": self.narrative,
            "language": "en",  # the story is told in English; without it, intake's DEFAULT_LANGUAGE (French)
        }


# Three people, each spelling the controller their own way, and Privacy International's alert (GDPR Art 80,
# lodged with other bodies before five authorities): one controller key, one case.
JEANNE = Filing(
    "Jeanne Martin",
    "art77_complaint",
    "Clearview AI",
    "2020-05-25",
    (15, 17),
    "Clearview AI collected my photographs and did not answer my requests.",
)
PAUL = Filing(
    "Paul Durand",
    "art77_complaint",
    "Clearview AI, Inc.",
    "2020-07-01",
    (15,),
    "Clearview AI collected my photographs and did not answer my requests.",
)
AMIRA = Filing(
    "Amira Haddad",
    "art77_complaint",
    "clearview.ai",
    "2020-12-15",
    (17,),
    "Clearview AI collected my photographs and did not answer my requests.",
)
PRIVACY_INTERNATIONAL = Filing(
    "Privacy International",
    "alert",
    "Clearview AI",
    "2021-05-27",
    (5, 6, 9),
    "Clearview AI scrapes billions of facial images from the web and turns them into "
    "biometric templates without a legal basis.",
)
COMPLAINANTS = (JEANNE, PAUL, AMIRA)  # kept informed under Art 78(2); an alert has no complainant

# The President's decision n° 2020-116C of 26 August 2020 to carry out checks, and the questionnaire of 27 October
# 2020 (both in the visas of MED-2021-134).
INVESTIGATION: dict[str, Any] = {
    "opened_on": "2020-08-26",
    "decision_reference": "2020-116C",
    "scope": "checks on the scraping of facial images and on the answers to access and erasure requests",
}
QUESTIONNAIRE: dict[str, Any] = {
    "kind": "questionnaire",
    "carried_out_on": "2020-10-27",
    "description": "questionnaire on the collection of facial images and the handling of people's requests",
}
FINDINGS: tuple[dict[str, Any], ...] = (
    {"articles": [6], "facts": "no legal basis for collecting and using biometric data"},
    {"articles": [12, 15, 17], "facts": "access and erasure requests not honoured"},
)
ORDERS: list[dict[str, str]] = [
    {"point": "f", "text": "stop collecting and processing data of people in France without a legal basis"},
    {"point": "g", "text": "delete the data of people in France already collected"},
    {"point": "c", "text": "honour the access and erasure requests of people in France"},
]
# The President's formal notice MED-2021-134 of 26 November 2021: two months to comply (MED-2021-134; the press).
FORMAL_NOTICE: dict[str, Any] = {
    "orders": ORDERS,
    "issued_on": "2021-11-26",
    "reference": "MED-2021-134",
    "time_limit": {"months": 2},
}
# The day it reached Clearview AI is not in the record: the story takes the day it was issued, so that its two months
# end on 26 January 2022.
NOTICE_NOTIFIED: dict[str, Any] = {"notified_on": "2021-11-26"}
NOTICE_DEADLINE = "2022-01-26"
# The bureau, at the President's request, made the formal notice public on 16 December 2021 (the CNIL's announcement
# that day, as the press reported it). The day the company's name was to be removed is not in the copy of the record
# read: the story takes two years, the period the CNIL set for its sanction of Google (SAN-2019-001, upheld by the
# Conseil d'État on 19 June 2020, n° 430810).
NOTICE_PUBLISHED: dict[str, Any] = {
    "published_on": "2021-12-16",
    "anonymised_on": "2023-12-16",
    "decided_by": "bureau",
}
# Before the restricted committee (SAN-2022-019, visas): the President's decision of 2 June 2022 named Claude
# Castelluccia, a commissioner who does not sit on the committee, rapporteur; his report was notified to Clearview AI on
# 14 July 2022; no written observations are in the visas; the hearing was on 13 October 2022.
REFERRAL: dict[str, Any] = {
    "referred_on": "2022-06-02",
    "reference": "decision of the President of 2 June 2022 designating a rapporteur",
    "rapporteur": {"name": "Claude Castelluccia", "kind": "commissioner"},
    "procedure": "ordinary",
}
REPORT: dict[str, Any] = {
    "notified_on": "2022-07-14",
    "documents": [
        "the rapporteur's report",
        "the complaints of May to December 2020 and Privacy International's alert",
        "the President's decision n° 2020-116C of 26 August 2020",
        "the questionnaire of 27 October 2020",
        "formal notice MED-2021-134 of 26 November 2021",
    ],
}
# The day the summons reached Clearview AI is not in the record: the story takes a month before the hearing, which
# meets the current fifteen days and the one month of the 2019 text.
SUMMONS: dict[str, Any] = {"summoned_on": "2022-09-13", "hearing_on": "2022-10-13"}
# Who attended the hearing, and whether it was public, are not in the copy of the record read: the rapporteur's
# oral observations are in its visas; the story records him alone, and a public hearing (the rule since 2022 unless
# the controller asks otherwise).
HEARING: dict[str, Any] = {"held_on": "2022-10-13", "public": True, "speakers": ["rapporteur"]}
# The five members who sat (SAN-2022-019, its header).
MEMBERS = [
    "Alexandre Linden",
    "Philippe-Pierre Cabourdin",
    "Anne Debet",
    "Bertrand du Marais",
    "Alain Dru",
]
# Clearview AI's turnover is not in the copy of the record read; the CNIL said EUR 20,000,000 was the most it could
# fine, so 4 % of the turnover was no more: the story takes EUR 100,000,000.
SANCTION: dict[str, Any] = {
    "decided_on": "2022-10-17",
    "reference": "SAN-2022-019",
    "members": MEMBERS,
    "turnover_eur": 100_000_000,
    "articles_infringed": [6, 12, 15, 17],
    "orders_not_complied": ["58(2)"],  # the formal notice's orders: Art 83(6)
    "injunction": {"orders": ORDERS, "months_after_notification": 2, "daily_penalty_eur": 100_000},
}
FINE_ABOVE_CAP_EUR = 30_000_000
FINE_EUR = 20_000_000
# Deciding before the hearing: the committee is refused, the 409 naming the missing step.
TOO_EARLY: dict[str, Any] = SANCTION | {"decided_on": "2022-09-01", "fine_eur": FINE_EUR}
# The penalty ran from 19 December 2022, "after two months" from the decision's notification: the story takes the
# 18th of October for the notification, which the record does not state.
SANCTION_NOTIFIED: dict[str, Any] = {"notified_on": "2022-10-18"}
# The committee made its decision public: the CNIL announced it on 20 October 2022 (its news of that day) and published
# it on Légifrance. The day the name is removed is not in the copy read: the story takes two years, as above.
SANCTION_PUBLISHED: dict[str, Any] = {
    "published_on": "2022-10-20",
    "anonymised_on": "2024-10-20",
    "decided_by": "restricted_committee",
}
# Clearview AI sent no proof of compliance (the CNIL, May 2023): nothing is recorded of it. On 9 February 2023 the
# CNIL notified the company of the liquidation it envisaged, EUR 5,200,000 (GDPRhub on SAN-2023-005), the written
# procedure of décret 2019-536 art 44; the period it counts ends that day: 19 December 2022 up to, not including,
# 9 February 2023, 52 days of EUR 100,000 (the announcement of 10 May 2023).
LIQUIDATION_OPENED: dict[str, Any] = {
    "opened_on": "2023-02-09",
    "period_start": "2022-12-19",
    "period_end": "2023-02-09",
    "convention": "exclusive_end",
    "envisaged_amount_eur": 5_200_000,
    "reasons": "no proof of compliance with the injunction was sent within its two months, nor since",
}
# No written observations from Clearview AI are known; the committee decided on 13 April 2023 (SAN-2023-005).
LIQUIDATION: dict[str, Any] = {
    "decided_on": "2023-04-13",
    "amount_eur": 5_200_000,
    "reference": "SAN-2023-005",
    "reasons": "Clearview AI sent no proof of compliance and no observations: the days of delay at the daily rate",
}
# The committee made the liquidation public on 10 May 2023 (the CNIL's announcement that day); the day the name is
# removed, as above, two years on.
LIQUIDATION_PUBLISHED: dict[str, Any] = {
    "published_on": "2023-05-10",
    "anonymised_on": "2025-05-10",
    "decided_by": "restricted_committee",
}
# The case cannot close as sanctioned: the injunction was never complied with, nor ended.
CLOSURE: dict[str, Any] = {
    "outcome": "sanctioned",
    "closed_on": "2023-05-10",
    "reasons": "fine of EUR 20,000,000; penalty payment liquidated at EUR 5,200,000",
}


class StoryFailed(RuntimeError):
    """A step did not come out as the story says; the text names the step and what happened instead."""


Staff = Callable[[str], dict[str, str]]  # a demo user's name -> the headers of a request made with their token


@dataclass
class Played:
    """What the story's steps answered, for whoever shows or checks it."""

    receipts: list[dict[str, Any]] = field(default_factory=list)  # of the filings, in the order filed
    case_id: str = ""
    answers: dict[str, Any] = field(default_factory=dict)  # a step's name -> the service's answer

    @property
    def notice_id(self) -> str:
        notice_id: str = self.answers["formal notice"]["events"][0]["data"]["notice_id"]
        return notice_id

    @property
    def sanction_id(self) -> str:
        events = self.answers["sanction"]["events"]
        sanction_id: str = next(e["data"]["sanction_id"] for e in events if e["type"] == "docket.sanction.imposed")
        return sanction_id

    @property
    def liquidation_id(self) -> str:
        liquidation_id: str = self.answers["liquidation opened"]["events"][0]["data"]["liquidation_id"]
        return liquidation_id


@dataclass(frozen=True)
class Step:
    name: str
    on: str  # the story's day
    title: str
    by: str
    act: Callable[[Story], Awaitable[str]]  # does it; returns what came of it, in a line


class Progress(Protocol):
    def started(self, number: int, total: int, step: Step) -> None: ...

    def done(self, number: int, total: int, step: Step, outcome: str) -> None: ...


class Story:
    """Plays the story against intake and the case service, as the demo staff of `staff`."""

    def __init__(
        self,
        intake: httpx.AsyncClient,
        case: httpx.AsyncClient,
        staff: Staff,
        timeout_s: float = 60.0,
        timer_timeout_s: float = 120.0,
    ) -> None:
        self.intake, self.case, self.staff = intake, case, staff
        self.timeout_s, self.timer_timeout_s = timeout_s, timer_timeout_s
        self.played = Played()

    async def play(self, progress: Progress | None = None) -> Played:
        for number, step in enumerate(STEPS, start=1):
            if progress:
                progress.started(number, len(STEPS), step)
            outcome = await step.act(self)
            if progress:
                progress.done(number, len(STEPS), step, outcome)
        return self.played

    # --- what the people do ---------------------------------------------------------------------------------

    async def file(self, filing: Filing) -> str:
        """The intake officer records a paper complaint; the case service routes it to the story's case."""
        response = await self.intake.post("/paper-complaints", json=filing.body(), headers=self.staff(INTAKE_OFFICER))
        receipt = expect(response, 201, f"recording {filing.by}'s {filing.kind}")
        self.played.receipts.append(receipt)
        count = len(self.played.receipts)
        case = await self.until(partial(self.case_of, receipt["id"]), f"{filing.by}'s {filing.kind} to join a case")
        if count == 1:
            if case["complaints"] != 1 or case["opened_on"] != filing.received_on:
                raise StoryFailed(
                    f"{filing.by}'s complaint joined case {case['case_id']}, opened on "
                    f"{case['opened_on']} and still open, instead of opening one: close it first"
                )
            self.played.case_id = case["case_id"]
        elif (case["case_id"], case["complaints"]) != (self.played.case_id, count):
            raise StoryFailed(
                f"{filing.by}'s {filing.kind} joined case {case['case_id']} as its complaint number "
                f"{case['complaints']}, not the story's case {self.played.case_id} as number {count}"
            )
        joined = "opened case" if count == 1 else "joined case"
        return f"receipt {receipt['reference']}; {joined} {self.played.case_id} ({count} complaint(s))"

    async def command(self, name: str, path: str, body: dict[str, Any], by: str, status: int = 200) -> dict[str, Any]:
        """A staff command on the story's case, with the version its giver just read (If-Match)."""
        current = await self.case.get(f"/cases/{self.played.case_id}", headers=self.staff(by))
        expect(current, 200, f"reading the case before the {name}")
        response = await self.case.post(
            f"/cases/{self.played.case_id}{path}",
            json=body,
            headers=self.staff(by) | {"If-Match": current.headers["ETag"]},
        )
        answer: dict[str, Any] = expect(response, status, f"the {name}")
        self.played.answers[name] = answer
        return answer

    async def deadline_expires(self) -> str:
        """Nobody acts: the case service's timer finds the deadline passed (it looks every TIMER_INTERVAL_S)."""
        case = await self.until(
            self.notice_expired, "the deadline timer to expire the formal notice", self.timer_timeout_s
        )
        return f"formal_notice.deadline_expired by the timer; case status {case['status']}, version {case['version']}"

    # --- reading --------------------------------------------------------------------------------------------

    async def case_of(self, complaint_id: str) -> dict[str, Any] | None:
        found = await self.case.get("/cases", params={"complaint_id": complaint_id}, headers=self.staff(INVESTIGATOR))
        items = expect(found, 200, "listing the cases")["items"]
        return items[0] if items else None

    async def notice_expired(self) -> dict[str, Any] | None:
        case = await self.detail()
        return case if case["status"] == "notice_expired" else None

    async def detail(self) -> dict[str, Any]:
        response = await self.case.get(f"/cases/{self.played.case_id}", headers=self.staff(INVESTIGATOR))
        case: dict[str, Any] = expect(response, 200, "reading the case")
        return case

    async def until(self, probe: Callable[[], Awaitable[Any]], what: str, timeout_s: float | None = None) -> Any:
        return await eventually(probe, what, timeout_s or self.timeout_s)


async def eventually(probe: Callable[[], Awaitable[Any]], what: str, timeout_s: float = 60.0) -> Any:
    """What `probe()` returns once it is something, polled; StoryFailed naming `what` after `timeout_s`."""
    try:
        async with asyncio.timeout(timeout_s):
            while not (found := await probe()):
                await asyncio.sleep(0.2)
            return found
    except TimeoutError:
        raise StoryFailed(f"waited {timeout_s:.0f}s for {what}") from None


def checked(response: httpx.Response, status: int, what: str) -> httpx.Response:
    """The answer if it has `status`; else StoryFailed with what was asked and what came back."""
    if response.status_code != status:
        raise StoryFailed(f"{what}: expected {status}, got {response.status_code} {response.text}")
    return response


def expect(response: httpx.Response, status: int, what: str) -> Any:
    """The answer's JSON if it has `status`; else StoryFailed with what was asked and what came back."""
    return checked(response, status, what).json()


# --- the steps, in the story's order ------------------------------------------------------------------------


def articles(numbers: list[int]) -> str:
    return f"Art{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


def _filed(number: int, filing: Filing) -> Step:
    verb = "alerts the CNIL to" if filing.kind == "alert" else "complains to the CNIL about"
    return Step(
        f"filing {number}",
        filing.received_on,
        f"{filing.by} {verb} {filing.controller}",
        INTAKE_OFFICER,
        lambda story: story.file(filing),
    )


def _command(
    name: str,
    path: str | Callable[[Played], str],
    body: dict[str, Any] | Callable[[Played], dict[str, Any]],
    by: str,
    status: int = 200,
    says: Callable[[dict[str, Any]], str] = lambda answer: "",
) -> Callable[[Story], Awaitable[str]]:
    async def act(story: Story) -> str:
        where = path(story.played) if callable(path) else path
        fields = body(story.played) if callable(body) else body
        answer = await story.command(name, where, fields, by, status)
        if said := says(answer):
            return said
        events = ", ".join(event["type"].removeprefix("docket.") for event in answer.get("events", ()))
        return f"{events}; case status {answer['case']['status']}, version {answer['case']['version']}"

    return act


def _conflict(answer: dict[str, Any]) -> str:
    return f"409 {answer['detail']}"


def _refusal(answer: dict[str, Any]) -> str:
    [error] = answer["detail"]
    return f"422 {'.'.join(map(str, error['loc'][1:]))}: {error['msg']}"


def _liquidated(answer: dict[str, Any]) -> str:
    data = answer["events"][0]["data"]
    return (
        f"{data['days_counted']} days of delay from {data['period_start']} to {data['period_end']} "
        f"({data['convention']}) at EUR {SANCTION['injunction']['daily_penalty_eur']:,} a day: at most "
        f"EUR {data['maximum_eur']:,}; liquidated at EUR {data['amount_eur']:,} ({data['reference']})"
    )


def _published(answer: dict[str, Any]) -> str:
    data = answer["events"][0]["data"]
    return (
        f"publication.made: the {data['decision'].replace('_', ' ')} of {data['decision_dated']}, by the "
        f"{data['decided_by'].replace('_', ' ')}, the name removed on {data['anonymised_on']}"
    )


def _publication(decision: Callable[[Played], str], fields: dict[str, Any]) -> Callable[[Played], dict[str, Any]]:
    return lambda played: {"decision_id": decision(played)} | fields


def _sanctions(then: str = "") -> Callable[[Played], str]:
    return lambda played: f"/sanctions/{played.sanction_id}{then}"


def _notice(then: str = "") -> Callable[[Played], str]:
    return lambda played: f"/formal-notices/{played.notice_id}{then}"


STEPS: tuple[Step, ...] = (
    _filed(1, JEANNE),
    _filed(2, PAUL),
    Step(
        "investigation",
        INVESTIGATION["opened_on"],
        f"The President decides to carry out checks (decision n° {INVESTIGATION['decision_reference']})",
        PRESIDENT,
        _command("investigation", "/investigation", INVESTIGATION, PRESIDENT),
    ),
    Step(
        "questionnaire",
        QUESTIONNAIRE["carried_out_on"],
        "An investigator sends Clearview AI a questionnaire",
        INVESTIGATOR,
        _command("questionnaire", "/checks", QUESTIONNAIRE, INVESTIGATOR),
    ),
    _filed(3, AMIRA),
    _filed(4, PRIVACY_INTERNATIONAL),
    *(
        Step(
            f"finding {number}",
            "",
            f"The investigator finds a breach of {articles(finding['articles'])}: {finding['facts']}",
            INVESTIGATOR,
            _command(f"finding {number}", "/findings", finding, INVESTIGATOR),
        )
        for number, finding in enumerate(FINDINGS, start=1)
    ),
    Step(
        "formal notice",
        FORMAL_NOTICE["issued_on"],
        f"The President gives formal notice ({FORMAL_NOTICE['reference']}): comply within two months",
        PRESIDENT,
        _command("formal notice", "/formal-notices", FORMAL_NOTICE, PRESIDENT),
    ),
    Step(
        "notice notified",
        NOTICE_NOTIFIED["notified_on"],
        "The formal notice reaches Clearview AI: its two months run from that day",
        PRESIDENT,
        _command("notice notified", _notice("/notification"), NOTICE_NOTIFIED, PRESIDENT),
    ),
    Step(
        "expiry",
        NOTICE_DEADLINE,
        "The deadline passes without compliance",
        TIMER,
        lambda story: story.deadline_expires(),
    ),
    # The timer expires the notice on its first look once its deadline is known and past, that is once it is notified:
    # the publication of 16 December 2021 is recorded once the timer has acted, so that the record's order does not
    # depend on which comes first. Its day is the day it was made public.
    Step(
        "notice made public",
        NOTICE_PUBLISHED["published_on"],
        "At the President's request, the bureau made the formal notice public (recorded after the timer's expiry)",
        PRESIDENT,
        _command(
            "notice made public",
            "/publications",
            _publication(lambda played: played.notice_id, NOTICE_PUBLISHED),
            PRESIDENT,
            says=_published,
        ),
    ),
    Step(
        "referral",
        REFERRAL["referred_on"],
        "The President refers the case to the restricted committee and names Claude Castelluccia rapporteur",
        PRESIDENT,
        _command("referral", "/referral", REFERRAL, PRESIDENT),
    ),
    Step(
        "report",
        REPORT["notified_on"],
        "The rapporteur's report reaches Clearview AI, with the file; a month for written observations",
        RAPPORTEUR,
        _command("report", "/report", REPORT, RAPPORTEUR),
    ),
    Step(
        "decision before the hearing",
        TOO_EARLY["decided_on"],
        "The committee may not decide before it has heard Clearview AI",
        SANCTIONS_COMMITTEE,
        _command(
            "decision before the hearing", "/sanctions", TOO_EARLY, SANCTIONS_COMMITTEE, status=409, says=_conflict
        ),
    ),
    Step(
        "summons",
        SUMMONS["summoned_on"],
        "Clearview AI is summoned to the hearing of 13 October 2022",
        SANCTIONS_COMMITTEE,
        _command("summons", "/summons", SUMMONS, SANCTIONS_COMMITTEE),
    ),
    Step(
        "hearing",
        HEARING["held_on"],
        "The restricted committee hears the case",
        SANCTIONS_COMMITTEE,
        _command("hearing", "/hearing", HEARING, SANCTIONS_COMMITTEE),
    ),
    Step(
        "fine above the cap",
        SANCTION["decided_on"],
        f"The committee weighs a fine of EUR {FINE_ABOVE_CAP_EUR:,}",
        SANCTIONS_COMMITTEE,
        _command(
            "fine above the cap",
            "/sanctions",
            SANCTION | {"fine_eur": FINE_ABOVE_CAP_EUR},
            SANCTIONS_COMMITTEE,
            status=422,
            says=_refusal,
        ),
    ),
    Step(
        "sanction",
        SANCTION["decided_on"],
        f"The restricted committee deliberates ({SANCTION['reference']}, {len(MEMBERS)} members): it fines "
        f"Clearview AI EUR {FINE_EUR:,} and enjoins it, on pain of EUR 100,000 a day, to comply within two months",
        SANCTIONS_COMMITTEE,
        _command("sanction", "/sanctions", SANCTION | {"fine_eur": FINE_EUR}, SANCTIONS_COMMITTEE),
    ),
    Step(
        "notification",
        SANCTION_NOTIFIED["notified_on"],
        "The decision reaches Clearview AI",
        SANCTIONS_COMMITTEE,
        _command("notification", _sanctions("/notification"), SANCTION_NOTIFIED, SANCTIONS_COMMITTEE),
    ),
    Step(
        "sanction made public",
        SANCTION_PUBLISHED["published_on"],
        "The committee makes its decision public",
        SANCTIONS_COMMITTEE,
        _command(
            "sanction made public",
            "/publications",
            _publication(lambda played: played.sanction_id, SANCTION_PUBLISHED),
            SANCTIONS_COMMITTEE,
            says=_published,
        ),
    ),
    Step(
        "liquidation opened",
        LIQUIDATION_OPENED["opened_on"],
        "No proof of compliance: the committee tells Clearview AI the liquidation it envisages, fifteen days to answer",
        SANCTIONS_COMMITTEE,
        _command("liquidation opened", _sanctions("/liquidations"), LIQUIDATION_OPENED, SANCTIONS_COMMITTEE),
    ),
    Step(
        "liquidation",
        LIQUIDATION["decided_on"],
        "The committee liquidates the penalty payment (SAN-2023-005)",
        SANCTIONS_COMMITTEE,
        _command(
            "liquidation", _sanctions("/liquidation/decision"), LIQUIDATION, SANCTIONS_COMMITTEE, says=_liquidated
        ),
    ),
    Step(
        "liquidation made public",
        LIQUIDATION_PUBLISHED["published_on"],
        "The committee makes the liquidation public",
        SANCTIONS_COMMITTEE,
        _command(
            "liquidation made public",
            "/publications",
            _publication(lambda played: played.liquidation_id, LIQUIDATION_PUBLISHED),
            SANCTIONS_COMMITTEE,
            says=_published,
        ),
    ),
    Step(
        "no closure",
        CLOSURE["closed_on"],
        "The case cannot close: the injunction was never complied with; it stays open under enforcement",
        SANCTIONS_COMMITTEE,
        _command("no closure", "/closure", CLOSURE, SANCTIONS_COMMITTEE, status=409, says=_conflict),
    ),
)


# --- an earlier run's case --------------------------------------------------------------------------------

# The outcome a case still open in each state can be closed with, without a fact the record does not hold.
CLOSING_OUTCOMES = {
    "open": "dismissed",
    "investigating": "dismissed",
    "warned": "warned",
    "formal_notice": "dismissed",
    "notice_expired": "dismissed",
    "before_committee": "dismissed",
    "notice_complied": "complied",
    "sanctioned": "sanctioned",
    "reprimanded": "reprimanded",
}


async def close_open_cases(
    case: httpx.AsyncClient, staff: Staff, today: date, controller: str = CONTROLLER_KEY
) -> list[dict[str, Any]]:
    """Close every case of the story's controller (`controller`, Clearview AI's by default) still open, so that the
    story's first complaint opens a case of its own (the case service joins a complaint to its controller's open
    case): one left by an earlier run (the Clearview story leaves its case open under enforcement, as the record
    does; a network story leaves its cases open), or opened by hand. Returns the cases as closed.

    A case is closed with the outcome its state allows without inventing a fact: dismissed before any decision,
    complied after compliance with a formal notice, sanctioned after a sanction. A sanction's injunction that still
    runs is not complied with: the committee ends it (`wind_up`), the days of delay it accrued are liquidated, at
    nothing, after their written procedure, each act saying it winds up an earlier run. A case that still refuses
    to close raises StoryFailed with the 409: finish it through the API, or play on a fresh data directory.
    """
    closed = []
    for status in CLOSING_OUTCOMES:
        found = await case.get(
            "/cases", params={"controller": controller, "status": status, "limit": 500}, headers=staff(INVESTIGATOR)
        )
        for summary in expect(found, 200, "listing the open cases")["items"]:
            closed.append(await _close(case, staff, summary["case_id"], today))
    return closed


EARLIER_RUN = "left open by an earlier run of the story; wound up before the story is played again"


async def wind_up(case: httpx.AsyncClient, staff: Staff, current: dict[str, Any], today: date) -> dict[str, Any]:
    """End what keeps a sanctioned case open: the committee decides a liquidation waiting for its decision, ends an
    injunction still running sixteen days ago, and liquidates the days of delay left (their written procedure opened
    that day, decided today), at nothing. Returns the case after."""
    ended_on = today - timedelta(days=16)
    for sanction in current["sanctions"]:
        if sanction["annulled_on"] is not None:
            continue
        path = f"/sanctions/{sanction['sanction_id']}"
        pending = [liq for liq in sanction["liquidations"] if liq["decided_on"] is None]
        if pending:
            due = date.fromisoformat(pending[0]["observations_due"]) + timedelta(days=1)
            decision = {"decided_on": max(today, due).isoformat(), "amount_eur": 0, "reasons": EARLIER_RUN}
            current = await _act(case, staff, current, f"{path}/liquidation/decision", decision)
        stopped = sanction["injunction_complied_on"] or sanction["injunction_ended_on"]
        if sanction["injunction"] is not None and stopped is None:
            ending = {"ended_on": ended_on.isoformat(), "reasons": EARLIER_RUN}
            current = await _act(case, staff, current, f"{path}/injunction-end", ending)
            stopped = ended_on.isoformat()
        first = _first_unliquidated(sanction)
        if first is not None and stopped is not None and first < date.fromisoformat(stopped):
            procedure = {
                "opened_on": stopped,
                "period_start": first.isoformat(),
                "period_end": stopped,
                "convention": "exclusive_end",
                "envisaged_amount_eur": 0,
                "reasons": EARLIER_RUN,
            }
            current = await _act(case, staff, current, f"{path}/liquidations", procedure)
            decision = {"decided_on": today.isoformat(), "amount_eur": 0, "reasons": EARLIER_RUN}
            current = await _act(case, staff, current, f"{path}/liquidation/decision", decision)
    return current


def _first_unliquidated(sanction: dict[str, Any]) -> date | None:
    if not sanction["daily_penalty_eur"] or sanction["accrues_from"] is None:
        return None
    counted = [
        date.fromisoformat(liq["period_start"]) + timedelta(days=liq["days_counted"])
        for liq in sanction["liquidations"]
    ]
    return max([date.fromisoformat(sanction["accrues_from"]), *counted])


async def _read(case: httpx.AsyncClient, staff: Staff, case_id: str) -> dict[str, Any]:
    found: dict[str, Any] = expect(await case.get(f"/cases/{case_id}", headers=staff(INVESTIGATOR)), 200, "a case")
    return found


async def _act(
    case: httpx.AsyncClient, staff: Staff, current: dict[str, Any], path: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await case.post(
        f"/cases/{current['id']}{path}",
        headers=staff(SANCTIONS_COMMITTEE),
        json=body | {"expected_version": current["version"]},
    )
    answer: dict[str, Any] = expect(response, 200, f"winding up case {current['id']}: {path}")
    case_now: dict[str, Any] = answer["case"]
    return case_now


async def _close(case: httpx.AsyncClient, staff: Staff, case_id: str, today: date, attempts: int = 3) -> dict[str, Any]:
    """Close one case with the outcome its state allows, reading it again if the timer moved it meanwhile."""
    for _ in range(attempts):
        current = await _read(case, staff, case_id)
        if current["status"] == "closed":
            return current
        if current["status"] == "sanctioned":
            current = await wind_up(case, staff, current, today)
        outcome = CLOSING_OUTCOMES[current["status"]]
        by = SANCTIONS_COMMITTEE if outcome in ("sanctioned", "reprimanded") else INVESTIGATOR
        response = await case.post(
            f"/cases/{case_id}/closure",
            headers=staff(by),
            json={
                "outcome": outcome,
                "closed_on": today.isoformat(),
                "expected_version": current["version"],
                "reasons": EARLIER_RUN,
            },
        )
        if response.status_code == 200:
            closed: dict[str, Any] = response.json()["case"]
            return closed
        if response.status_code != 409 or "allowed_next_steps" in response.json():  # refused, not just stale
            break
    raise StoryFailed(
        f"case {case_id} of {current['controller']['key']} is still {current['status']} and could not be closed as "
        f"{outcome}: {response.status_code} {response.text}"
    )
