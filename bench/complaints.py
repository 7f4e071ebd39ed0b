"""A regulator's year of complaints: the year's figures and the queues of 50 staff, each beside a plain SQL query
over the same rows, on the same server in the same run.

    python -m bench.complaints [--small]

Starts its own PostgreSQL (durable), migrates the case schema and connects with the case service's own role.
Generates a year: the CNIL's 17,772 complaints of 2024 in its mix (below, each share with its source), spread
over 2,500 controllers as complaints are (a few platforms draw most), and runs each through the case service's
use cases directly, not through Kafka or HTTP: routed into its controller's case as the consumer routes it
(application.route_complaint), then handled as staff handle it (handling.run: given to one of 50 staff in five
teams, found admissible or not, put to the controller and answered, transferred or closed), its complainant
told of each step two days later as the notifier's notification.sent tells the case service (readside.told).

- The year's figures: readside.stats.figures for 2024 (the queries behind GET /stats), the median of many runs,
  beside one hand-written SQL statement over complaint_records and complainant_clocks (asyncpg) that computes
  the same counts, percentiles and share; both are checked to agree.
- The queues: for each of the 50 staff, their own queue, their team's and the overdue queue (a first page of
  50 each, readside.queues.queue, the query behind GET /queue/{view}), beside plain SQL that selects the same
  open complaints of the same holder in the same order (without the cases and the Art 78(2) dating).
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from docket_contracts.events import Body, ComplaintFiled, Controller, Party, Sealed
from docket_devstack.database import Databases, provision
from docket_devstack.postgres import EmbeddedPostgres
from docket_messaging.postgres import asyncpg_dsn
from docket_privacy import cipher
from docket_service.database import make_engine, make_sessions, migrate
from services.case import application, domain, handling, readside, store
from services.case.main import ALEMBIC_INI
from services.case.readside.queues import Targets

from .report import Figure, module_main

# --- the year, as the CNIL counted it ---------------------------------------------------------------------------

RECEIVED = 17_772  # complaints received in 2024 (CNIL annual report 2024, as reported by vie-publique.fr)
HANDLED = 15_639  # complaints handled in 2024 ("plaintes traitées", as reported by illiade.digitaloi.fr)
INADMISSIBLE = 4_400 / 16_433  # complaints "non recevables" in 2023 of those received (strategies.fr), for 2024
# By the right or theme complained of, 2023 of 16,433 (francetvinfo.fr, acuite.fr): access > 2,600, erasure
# > 2,500, cookies ~ 1,400, video surveillance > 1,000; the rest of the mix is this benchmark's own guess.
CATEGORIES = {
    "access_request_ignored": 2_600,
    "erasure_refused": 2_500,
    "unlawful_processing": 1_400,  # cookies
    "video_surveillance": 1_000,
    "direct_marketing": 2_400,
    "objection_ignored": 1_200,
    "security_breach": 900,
    "rectification_refused": 600,
    "transfer_outside_eea": 300,
    "other": 3_533,
}
# Kinds: no published figure; a body's complaints and alerts are a small share (this benchmark's guess).
KINDS = {"art77_complaint": 0.94, "art80_1_mandated": 0.02, "art80_2_unmandated": 0.01, "alert": 0.03}
# How an admissible complaint that was handled ended (no published breakdown: this benchmark's guess).
ENDS = {"resolved": 0.50, "not_pursued": 0.20, "no_infringement": 0.12, "transferred": 0.10, "withdrawn": 0.08}
YEAR = 2024
AS_OF = date(YEAR + 1, 3, 31)  # the day the annual report is written
STAFF, TEAMS = 50, ("complaints-desk", "rights", "online", "workplace", "health")
CONTROLLERS = 2_500
WORKERS = 16  # cases handled at once, each by one worker
FIGURES_TARGET_S = 1.0  # "a year's figures answer in well under a second"
QUEUES_TARGET_MS = 50.0  # a staff member's three queues
THROWAWAY_KEY = cipher.new_key()


@dataclass(frozen=True)
class Sizes:
    received: int
    repeats: int


FULL = Sizes(received=RECEIVED, repeats=25)
SMALL = Sizes(received=300, repeats=3)


def sealed(subject: uuid.UUID, value: str) -> Sealed:
    return Sealed(
        subject=subject, ciphertext=cipher.b64(cipher.seal(THROWAWAY_KEY, subject, "unopened", value.encode()))
    )


@dataclass
class Plan:
    """One complaint's year: what it is, and what staff do with it, when."""

    filed: ComplaintFiled
    staff: int | None
    steps: list[tuple[date, str]]  # (day, step) in order: decided, inadmissible, asked, answered, an end


def weights(n: int) -> list[float]:
    """A few controllers draw most complaints (a Zipf law of exponent 1.1)."""
    return [1 / (rank**1.1) for rank in range(1, n + 1)]


def plans(rng: random.Random, count: int) -> list[Plan]:
    """The year's complaints, with what becomes of each: handled in the share the CNIL handled, inadmissible in its
    2023 share, the rest put to the controller or ended as ENDS says."""
    controllers = [Controller(key=f"controller-{n}", name=f"Controller {n}") for n in range(CONTROLLERS)]
    chosen = rng.choices(controllers, weights(CONTROLLERS), k=count)
    categories = rng.choices(list(CATEGORIES), list(CATEGORIES.values()), k=count)
    kinds = rng.choices(list(KINDS), list(KINDS.values()), k=count)
    found = []
    for n in range(count):
        complaint_id = uuid.uuid4()
        received = date(YEAR, 1, 1) + timedelta(days=rng.randrange(366))
        kind = kinds[n]
        body = Body(key="noyb", name="noyb") if kind.startswith("art80") else None
        filed = ComplaintFiled(
            complaint_id=complaint_id,
            reference=f"DKT-{YEAR}-{uuid.uuid4().hex[:6].upper()}",
            kind=kind,
            mandate_reference="noyb/2024" if kind == "art80_1_mandated" else None,
            complainant=Party(
                name=sealed(complaint_id, "x"), email=sealed(complaint_id, "x@example.org"), country="FR"
            ),
            controller=chosen[n],
            category=categories[n],
            articles_alleged=(15,),
            territory=("FR",),
            received_on=received,
            body=body,
        )
        found.append(Plan(filed, rng.randrange(STAFF) if rng.random() < 0.95 else None, steps(rng, received)))
    return found


def steps(rng: random.Random, received: date) -> list[tuple[date, str]]:
    if rng.random() > HANDLED / RECEIVED:
        return (
            [] if rng.random() < 0.5 else [(received + timedelta(days=int(rng.expovariate(1 / 25)) + 1), "admissible")]
        )
    decided = received + timedelta(days=int(rng.expovariate(1 / 25)) + 1)
    if rng.random() < INADMISSIBLE * RECEIVED / HANDLED:
        return [(decided, "inadmissible")]
    end = rng.choices(list(ENDS), list(ENDS.values()))[0]
    later = decided + timedelta(days=int(rng.expovariate(1 / 20)) + 1)
    if end == "transferred":
        return [(decided, "admissible"), (later, "transferred")]
    if end == "resolved":
        answered = later + timedelta(days=int(rng.expovariate(1 / 25)) + 1)
        closed = answered + timedelta(days=int(rng.expovariate(1 / 10)) + 1)
        return [(decided, "admissible"), (later, "asked"), (answered, "answered"), (closed, "resolved")]
    return [(decided, "admissible"), (later, end)]


def command(plan: Plan, day: date, step: str, letter: uuid.UUID) -> domain.HandlingCommand:
    ids = (plan.filed.complaint_id,)
    match step:
        case "admissible":
            return domain.DecideAdmissibility(ids, "admissible", day)
        case "inadmissible":
            return domain.DecideAdmissibility(ids, "inadmissible", day, "not_personal_data", "not personal data")
        case "asked":
            return domain.AskController(ids, letter, "Act on the complaint.", day, day + timedelta(days=30))
        case "answered":
            return domain.RecordControllerAnswer(letter, day, "done")
        case "transferred":
            return domain.TransferComplaints(ids, "Data Protection Commission", "IE", "Art 56", day)
    return domain.CloseComplaints(ids, step, "reasons", day)  # type: ignore[arg-type]


ACTOR = application.Actor("user:bench", role="intake_officer", name="bench")
TELLS = {
    "admissible",
    "inadmissible",
    "asked",
    "transferred",
    "resolved",
    "not_pursued",
    "no_infringement",
    "withdrawn",
}


async def run_year(sessions: Any, year: list[Plan]) -> float:
    """Each complaint routed, then handled step by step, the cases spread over WORKERS (each case handled by one
    of them, as its appends are one after another anyway); returns the seconds taken."""
    by_worker: dict[int, list[Plan]] = {}
    for plan in year:
        by_worker.setdefault(hash(plan.filed.controller.key) % WORKERS, []).append(plan)

    async def worker(mine: list[Plan]) -> None:
        for plan in mine:
            async with sessions() as session, session.begin():
                await application.route_complaint(store.PostgresCases(session), plan.filed)
        for plan in mine:
            await handle(sessions, plan)

    started = time.perf_counter()
    await asyncio.gather(*(worker(mine) for mine in by_worker.values()))
    return time.perf_counter() - started


async def handle(sessions: Any, plan: Plan) -> None:
    """The complaint given to its staff member, then each step (a command each, as staff give them); the letters
    telling its complainant of them are sent two days later, recorded in one transaction."""
    complaint_id, letter = plan.filed.complaint_id, uuid.uuid4()
    if not plan.steps:
        return
    async with sessions() as session:
        case_id = await readside.case_of_complaint(session, complaint_id)
    assert case_id is not None
    commands: list[domain.HandlingCommand] = []
    if plan.staff is not None:
        team = TEAMS[plan.staff % len(TEAMS)]
        commands.append(domain.AssignComplaints((complaint_id,), f"staff-{plan.staff}", team, plan.steps[0][0]))
    commands += [command(plan, day, step, letter) for day, step in plan.steps]
    for given in commands:
        async with sessions() as session:
            outcome = await handling.run(store.PostgresCases(session), case_id, given, ACTOR)
        assert not outcome.handled.refused, outcome.handled.refused
    if plan.filed.kind != "alert":
        async with sessions() as session, session.begin():
            for day, step in plan.steps:
                if step in TELLS:
                    await readside.told(session, complaint_id, day + timedelta(days=2))


# --- what is measured ---------------------------------------------------------------------------------------------

PLAIN_FIGURES = """
WITH r AS (SELECT * FROM complaint_records WHERE received_on BETWEEN $1 AND $2),
     e AS (SELECT * FROM complaint_records WHERE ended_on BETWEEN $1 AND $2)
SELECT (SELECT jsonb_object_agg(kind, n) FROM (SELECT kind, count(*) n FROM r GROUP BY kind) k),
       (SELECT jsonb_object_agg(coalesce(category, 'unknown'), n)
          FROM (SELECT category, count(*) n FROM r GROUP BY category) c),
       (SELECT jsonb_object_agg(m, n) FROM (SELECT to_char(received_on, 'YYYY-MM') m, count(*) n FROM r GROUP BY 1) m),
       (SELECT jsonb_object_agg(outcome, n) FROM (SELECT outcome, count(*) n FROM e GROUP BY outcome) o),
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY decided_on - received_on) FROM complaint_records
         WHERE decided_on BETWEEN $1 AND $2),
       (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY ended_on - received_on) FROM e),
       (SELECT count(*) FILTER (WHERE c.first_told_on <= r.received_on + interval '3 months')
          FROM r JOIN complainant_clocks c USING (complaint_id)
         WHERE r.received_on + interval '3 months' <= $3 OR c.first_told_on <= r.received_on + interval '3 months')
"""
PLAIN_QUEUE = """
SELECT complaint_id, step, staff, team, step_since FROM complaint_records
 WHERE ended_on IS NULL AND {wanted} ORDER BY step_since, complaint_id LIMIT 50
"""
# Each staff member's own, their team's, and the overdue (a step begun more than 30 days before).
PLAIN_VIEWS = ("staff = $1", "team = $1", "step_since + 30 < $1::date")


def median_seconds(laps: list[float]) -> float:
    return statistics.median(laps)


async def timed(repeats: int, work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    laps, answer = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        answer = await work()
        laps.append(time.perf_counter() - started)
    return median_seconds(laps), answer


async def measure(databases: Databases, sizes: Sizes, year: list[Plan], generation_s: float) -> list[Figure]:
    engine = make_engine(databases.case, "case")
    sessions = make_sessions(engine)
    start, end = date(YEAR, 1, 1), date(YEAR, 12, 31)
    targets = Targets(30, 30, 30, 7)
    plain = await asyncpg.connect(asyncpg_dsn(databases.case), server_settings={"search_path": "case"})
    try:

        async def figures() -> Any:
            async with sessions() as session:
                return await readside.stats.figures(session, start, end, AS_OF)

        async def plain_figures() -> Any:
            return await plain.fetchrow(PLAIN_FIGURES, start, end, AS_OF)

        figures_s, found = await timed(sizes.repeats, figures)
        plain_s, row = await timed(sizes.repeats, plain_figures)
        assert found.received_total == len(year), (found.received_total, len(year))
        assert found.ended["by_outcome"] == dict(sorted(json.loads(row[3]).items())), "the figures differ"
        assert found.told_within_three_months.told == row[6], "the share told differs"

        async def queues() -> int:
            seen = 0
            async with sessions() as session:
                for staff in range(STAFF):
                    for view in ("mine", "team", "overdue"):
                        total, _ = await readside.queues.queue(
                            session,
                            view,
                            today=AS_OF,
                            subject=f"staff-{staff}",
                            groups=[TEAMS[staff % len(TEAMS)]],
                            targets=targets,
                            limit=50,
                            offset=0,
                        )
                        seen += total
            return seen

        async def plain_queues() -> int:
            seen = 0
            for staff in range(STAFF):
                values = (f"staff-{staff}", TEAMS[staff % len(TEAMS)], AS_OF)
                for wanted, value in zip(PLAIN_VIEWS, values, strict=True):
                    seen += len(await plain.fetch(PLAIN_QUEUE.format(wanted=wanted), value))
            return seen

        queues_s, _ = await timed(sizes.repeats, queues)
        plain_queues_s, _ = await timed(sizes.repeats, plain_queues)
    finally:
        await plain.close()
        await engine.dispose()
    per_staff_ms = queues_s / STAFF * 1000
    return [
        Figure(
            measure=f"the year's figures (readside.stats.figures, the queries of GET /stats) over {len(year):,} "
            f"complaints of {YEAR} in the CNIL's mix, generated through the case service's use cases in "
            f"{generation_s:,.0f} s",
            value=figures_s * 1000,
            unit="ms",
            reference="one hand-written SQL statement of the same figures (asyncpg)",
            reference_value=plain_s * 1000,
            target=f"< {FIGURES_TARGET_S * 1000:,.0f} ms",
            met=figures_s < FIGURES_TARGET_S,
            higher_is_better=False,
            extra={"received": found.received_total, "ended": found.ended_total},
        ),
        Figure(
            measure=f"the queues of {STAFF} staff in {len(TEAMS)} teams (mine, team, overdue; a page of 50 each, "
            "readside.queues.queue), per staff member",
            value=per_staff_ms,
            unit="ms",
            reference="plain SQL selecting the same holders' open complaints (no cases, no Art 78(2) dating)",
            reference_value=plain_queues_s / STAFF * 1000,
            target=f"< {QUEUES_TARGET_MS:,.0f} ms",
            met=per_staff_ms < QUEUES_TARGET_MS,
            higher_is_better=False,
        ),
    ]


async def run(databases: Databases, sizes: Sizes) -> list[Figure]:
    year = plans(random.Random(YEAR), sizes.received)
    engine = make_engine(databases.case, "case")
    try:
        generation_s = await run_year(make_sessions(engine), year)
    finally:
        await engine.dispose()
    return await measure(databases, sizes, year, generation_s)


def figures(small: bool = False) -> list[Figure]:
    sizes = SMALL if small else FULL
    with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp, EmbeddedPostgres(Path(tmp) / "pg") as pg:
        databases = provision(pg, "bench")
        migrate(ALEMBIC_INI, databases.migrator, "case")
        return asyncio.run(run(databases, sizes))


if __name__ == "__main__":
    module_main(figures, __doc__)
