"""Schemathesis against the three OpenAPI documents, in-process (ASGI), on the real PostgreSQL with real tokens.

Every operation of each service gets requests generated from its schema, some fitting it (positive) and some
not (negative), and most of them aimed at real data seeded first: complaints with their receipts and evidence,
cases in each state of the lifecycle (with the version a command must name), subscriptions, deliveries,
letters and contacts. One token opens every staff route: a Keycloak user made here with all five staff roles
(an administrator may also call the integrator's routes).

What must hold for every answer: no 5xx (but the documented 503 of /readyz, whose Kafka is down here), and
every 4xx is JSON naming the field and the rule (a 422's detail items carry loc, msg and type) or a JSON
detail sentence. Every failure is collected, with a curl command that reproduces it, and reported at once.

    SCHEMATHESIS_MAX_EXAMPLES   examples per operation, half positive and half negative; 25 by default.

The slow run (more than 1,000 requests per service) is `-m slow` with SCHEMATHESIS_MAX_EXAMPLES=200.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.python import asgi

from docket_contracts.events import Controller, Injunction, Order, TimeLimit
from docket_devstack.keycloak import KeycloakServer
from docket_devstack.staff import PASSWORD, Tokens
from docket_identity.roles import STAFF
from services.case import application
from services.case import store as case_store
from services.case.config import CaseSettings
from services.case.domain import (
    Deliberation,
    ImposeSanction,
    IssueFormalNotice,
    LodgeAppeal,
    NotifyReport,
    OpenInvestigation,
    PublishDecision,
    RecordFinding,
    RecordHearing,
    ReferToCommittee,
    SummonController,
)
from services.case.main import create_app as case_app
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier import store as notifier_store
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import serve
from tests.factories import complaint_filed, submission

pytestmark = [pytest.mark.service, pytest.mark.slow]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
PER_MODE = {GenerationMode.POSITIVE: MAX_EXAMPLES - MAX_EXAMPLES // 2, GenerationMode.NEGATIVE: MAX_EXAMPLES // 2}
EVERY_ROLE = "fuzz.every-role"  # a Keycloak user made by this module, holding every staff role
HOOK = "http://127.0.0.1:9/hook"  # allow-listed; nothing is ever sent (deliveries do not run)
SEEDS = 6  # of each kind of record


# --- one token for every staff route ----------------------------------------------------------------------


def create_user_with_every_staff_role(keycloak: KeycloakServer) -> None:
    """Through Keycloak's admin API, as tests/e2e/test_authorization.py makes its extra users and clients."""
    with httpx.Client(
        base_url=f"{keycloak.base_url}/admin/realms/docket",
        timeout=120,
        headers={"Authorization": f"Bearer {keycloak.admin_token()}"},
    ) as admin:
        created = admin.post(
            "/users",
            json={
                "username": EVERY_ROLE,
                "enabled": True,
                "emailVerified": True,
                "email": "every.role@docket.example",
                "firstName": "Every",
                "lastName": "Role",
                "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}],
            },
        )
        assert created.status_code in (201, 409), created.text
        [user] = admin.get("/users", params={"username": EVERY_ROLE, "exact": "true"}).json()
        roles = [admin.get(f"/roles/{role.value}").json() for role in sorted(STAFF)]
        mapped = admin.post(f"/users/{user['id']}/role-mappings/realm", json=roles)
        assert mapped.status_code == 204, mapped.text


@pytest.fixture(scope="module")
def auth(keycloak: KeycloakServer, tokens: Tokens) -> Callable[[], dict[str, str]]:
    """`Authorization` for the user with every staff role, fetched again before it expires."""
    create_user_with_every_staff_role(keycloak)
    return lambda: tokens(EVERY_ROLE)


# --- the services, as the fuzzer reaches them -------------------------------------------------------------


class OfflineResolver:
    """Resolves without asking DNS (the generated URLs name hosts anywhere): an address as itself, any name to
    one public address. It encodes the name first, as getaddrinfo does, so a name no resolver could look up
    fails here as it would there."""

    async def resolve(self, host: str) -> list[str]:
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        host.encode("idna")
        return ["192.0.43.10"]


@pytest.fixture(scope="module")
def settings(configure) -> dict[str, Any]:
    from docket_devstack.ports import free_port

    quiet = {"kafka_bootstrap_servers": f"127.0.0.1:{free_port()}", "run_relay": False, "run_consumer": False}
    return {
        # The public door's rate limit raised so far that the fuzzer meets the routes, not 429.
        "intake": configure(IntakeSettings, rate_limit_per_minute=10_000_000, rate_limit_burst=1_000_000, **quiet),
        "case": configure(CaseSettings, run_timers=False, **quiet),
        "notifier": configure(NotifierSettings, run_deliveries=False, webhook_allow_list=["127.0.0.0/8"], **quiet),
    }


def build(service: str, settings: dict[str, Any]) -> Any:
    if service == "intake":
        return intake_app(settings["intake"])
    if service == "case":
        return case_app(settings["case"])
    return notifier_app(settings["notifier"], resolver=OfflineResolver())


# --- real data to aim at ----------------------------------------------------------------------------------


@dataclass
class Seeds:
    """Records to aim generated requests at, and the case versions commands must name (kept current)."""

    receipts: list[dict[str, Any]] = field(default_factory=list)  # id, reference, status_token
    evidence: list[tuple[str, str]] = field(default_factory=list)  # complaint id, evidence id
    cases: list[str] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)  # case id, notice id
    sanctions: list[tuple[str, str]] = field(default_factory=list)  # case id, sanction id
    publications: list[tuple[str, str]] = field(default_factory=list)  # case id, publication id
    appeals: list[tuple[str, str]] = field(default_factory=list)  # case id, appeal id
    versions: dict[str, int] = field(default_factory=dict)
    subscriptions: list[str] = field(default_factory=list)
    doomed: list[str] = field(default_factory=list)  # subscriptions for DELETE to take, sparing the others
    deliveries: list[str] = field(default_factory=list)
    notifications: list[str] = field(default_factory=list)
    controllers: list[str] = field(default_factory=list)


def lifecycle(depth: int) -> list[Callable[[Any], Any]]:
    """The commands that bring a fresh case `depth` steps along: investigating with a finding (2), a formal
    notice (3), or, instead of the notice, before the restricted committee with its report notified (6), heard
    and sanctioned with a periodic penalty (4), the sanction made public and appealed (5)."""
    investigating: list[Callable[[Any], Any]] = [
        lambda s: OpenInvestigation(opened_on=date(2020, 8, 1), scope="scraping", reference="2020-116C"),
        lambda s: RecordFinding(finding_id=uuid.uuid4(), articles=(6, 15), facts="no legal basis"),
    ]
    notice: list[Callable[[Any], Any]] = [
        lambda s: IssueFormalNotice(
            notice_id=uuid.uuid4(),
            orders=(Order(point="f", text="stop"),),
            issued_on=date(2021, 11, 26),
            time_limit=TimeLimit(months=2),
            reference="MED-2021-134",
        )
    ]
    before_committee: list[Callable[[Any], Any]] = [
        lambda s: ReferToCommittee(
            proceedings_id=uuid.uuid4(),
            referred_on=date(2022, 6, 2),
            reference="decision of 2 June 2022",
            rapporteur="Claude Castelluccia",
            rapporteur_kind="commissioner",
        ),
        lambda s: NotifyReport(notified_on=date(2022, 7, 14), documents=("the report",)),
    ]
    sanctioned: list[Callable[[Any], Any]] = [
        *before_committee,
        lambda s: SummonController(summoned_on=date(2022, 9, 13), hearing_on=date(2022, 10, 13)),
        lambda s: RecordHearing(held_on=date(2022, 10, 13), public=True, speakers=("rapporteur",)),
        lambda s: ImposeSanction(
            sanction_id=uuid.uuid4(),
            decided_on=date(2022, 10, 17),
            fine_eur=20_000_000,
            turnover_eur=None,
            articles=(6, 15),
            injunction=Injunction(
                orders=(Order(point="f", text="stop"),), deadline=date(2022, 12, 18), daily_penalty_eur=100_000
            ),
            deliberation=Deliberation("SAN-2022-019", ("Alexandre Linden", "Anne Debet", "Alain Dru", "A. B."), 4),
        ),
    ]
    appealed: list[Callable[[Any], Any]] = [
        lambda s: PublishDecision(
            publication_id=uuid.uuid4(),
            decision_id=s.sanctions[0].sanction_id,
            published_on=date(2022, 10, 17),
            anonymised_on=date(2024, 10, 17),
            decided_by="restricted_committee",
        ),
        lambda s: LodgeAppeal(
            appeal_id=uuid.uuid4(), decision_id=s.sanctions[0].sanction_id, lodged_on=date(2022, 12, 16)
        ),
    ]
    return {
        0: [],
        2: investigating,
        3: investigating + notice,
        4: investigating + sanctioned,
        5: investigating + sanctioned + appealed,
        6: investigating + before_committee,
    }[depth]


async def seed_cases(settings: CaseSettings, seeds: Seeds) -> None:
    async with serve(case_app(settings)) as running:
        for depth in (0, 2, 3, 4, 5, 6):
            for _ in range(SEEDS):
                complaint = complaint_filed(controller=Controller(key=f"fuzz-{uuid.uuid4().hex[:10]}", name="Fuzz"))
                async with running.runtime.sessions() as session, session.begin():
                    await application.route_complaint(case_store.PostgresCases(session), complaint)
                    case_id = await case_store.case_of_complaint(session, complaint.complaint_id)
                assert case_id is not None
                async with running.runtime.sessions() as session:
                    state = await case_store.load(session, case_id)
                for step in lifecycle(depth):
                    async with running.runtime.sessions() as session:
                        state, _ = await application.execute(
                            case_store.PostgresCases(session),
                            case_id,
                            state.version,
                            step(state),
                            case_store.Actor("test-setup"),
                        )
                seeds.cases.append(str(case_id))
                seeds.versions[str(case_id)] = state.version
                seeds.notices += [(str(case_id), str(n.notice_id)) for n in state.notices]
                seeds.sanctions += [(str(case_id), str(s.sanction_id)) for s in state.sanctions]
                seeds.publications += [(str(case_id), str(p.publication_id)) for p in state.publications]
                seeds.appeals += [(str(case_id), str(a.appeal_id)) for a in state.appeals]


async def seed_intake(settings: IntakeSettings, seeds: Seeds) -> None:
    async with serve(intake_app(settings)) as running:
        for _ in range(SEEDS):
            receipt = await running.http.post("/complaints", json=submission())
            assert receipt.status_code == 201, receipt.text
            filed = receipt.json()
            seeds.receipts.append(filed)
            uploaded = await running.http.post(
                f"/complaints/{filed['reference']}/evidence",
                content=b"a letter",
                headers={
                    "X-Status-Token": filed["status_token"],
                    "Content-Type": "text/plain",
                    "X-Filename": "letter.txt",
                },
            )
            assert uploaded.status_code == 201, uploaded.text
            seeds.evidence.append((filed["id"], uploaded.json()["id"]))


async def seed_notifier(settings: NotifierSettings, seeds: Seeds, auth: dict[str, str]) -> None:
    async with serve(notifier_app(settings, resolver=OfflineResolver())) as running:
        for n in range(2 * SEEDS):
            created = await running.http.post(
                "/subscriptions", headers=auth, json={"url": HOOK, "event_types": ["docket.case.opened"]}
            )
            assert created.status_code == 201, created.text
            (seeds.subscriptions if n < SEEDS else seeds.doomed).append(created.json()["id"])
            key = f"fuzz-controller-{n}"
            put = await running.http.put(f"/controllers/{key}/contact", headers=auth, json={"email": "dpo@x.example"})
            assert put.status_code == 200, put.text
            seeds.controllers.append(key)
        async with running.runtime.sessions() as session, session.begin():
            for n in range(SEEDS):
                delivery_id, notification_id = uuid.uuid4(), uuid.uuid4()
                session.add(
                    notifier_store.DeliveryRow(
                        id=delivery_id,
                        subscription_id=uuid.UUID(seeds.subscriptions[n]),
                        event_id=str(uuid.uuid4()),
                        event_type="docket.case.opened",
                        ordering_key=str(uuid.uuid4()),
                        body={},
                        status="dead" if n % 2 else "delivered",
                        attempts=8,
                        dead_reason="gave up" if n % 2 else None,
                    )
                )
                session.add(
                    notifier_store.NotificationRow(
                        id=notification_id,
                        source_event_id=str(uuid.uuid4()),
                        source_event_type="docket.case.opened",
                        channel="letter",
                        recipient_role="controller",
                        body="a letter to the controller",
                        created_at=datetime.now(UTC),
                    )
                )
                seeds.deliveries.append(str(delivery_id))
                seeds.notifications.append(str(notification_id))


@pytest.fixture(scope="module")
async def seeds(settings: dict[str, Any], auth: Callable[[], dict[str, str]]) -> Seeds:
    found = Seeds()
    await seed_intake(settings["intake"], found)
    await seed_cases(settings["case"], found)
    await seed_notifier(settings["notifier"], found, await asyncio.to_thread(auth))
    return found


@dataclass(frozen=True)
class Target:
    """What a seeded request sets: path parameters and headers (the rest is generated)."""

    path: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)


def targets(seeds: Seeds, method: str, path: str) -> list[Callable[[], Target]]:
    """The seeded targets of an operation, each a function so that a case's version is read when drawn."""

    def case_target(case_id: str, **more: str) -> Callable[[], Target]:
        return lambda: Target({"case_id": case_id, **more}, {"If-Match": f'"{seeds.versions[case_id]}"'})

    if path.startswith("/cases/{case_id}/formal-notices/{notice_id}/"):
        return [case_target(c, notice_id=n) for c, n in seeds.notices]
    if path.startswith("/cases/{case_id}/sanctions/{sanction_id}/"):
        return [case_target(c, sanction_id=s) for c, s in seeds.sanctions]
    if path.startswith("/cases/{case_id}/publications/{publication_id}/"):
        return [case_target(c, publication_id=p) for c, p in seeds.publications]
    if path.startswith("/cases/{case_id}/appeals/{appeal_id}/"):
        return [case_target(c, appeal_id=a) for c, a in seeds.appeals]
    if "{case_id}" in path:
        return [case_target(c) for c in seeds.cases]
    if "{reference}" in path:
        return [
            lambda r=r: Target({"reference": r["reference"]}, {"X-Status-Token": r["status_token"]})
            for r in seeds.receipts
        ]
    if "{evidence_id}" in path:
        return [lambda c=c, e=e: Target({"complaint_id": c, "evidence_id": e}) for c, e in seeds.evidence]
    subscriptions = seeds.doomed if method.upper() == "DELETE" else seeds.subscriptions
    simple = {
        "{complaint_id}": ("complaint_id", [r["id"] for r in seeds.receipts]),
        "{subscription_id}": ("subscription_id", subscriptions),
        "{delivery_id}": ("delivery_id", seeds.deliveries),
        "{notification_id}": ("notification_id", seeds.notifications),
        "{controller_key}": ("controller_key", seeds.controllers),
    }
    for marker, (name, values) in simple.items():
        if marker in path:
            return [lambda v=v, name=name: Target({name: v}) for v in values]
    return []


def strategy(operation: Any, mode: GenerationMode, seeds: Seeds) -> st.SearchStrategy[Any]:
    """Cases of `operation`, three in four aimed at seeded records when it has path parameters."""
    generated = operation.as_strategy(generation_mode=mode)
    aimed = targets(seeds, operation.method, operation.path)
    if not aimed:
        return generated
    seeded = st.sampled_from(aimed).flatmap(
        lambda target: (
            lambda t: operation.as_strategy(generation_mode=mode, path_parameters=t.path, headers=t.headers)
        )(target())
    )
    return st.one_of(seeded, seeded, seeded, generated)


# --- what every answer must be ----------------------------------------------------------------------------


def problem(status: int, path: str, body: bytes) -> str | None:
    """Why the answer breaks the rules, or None."""
    if status >= 500:
        return None if (path == "/readyz" and status == 503) else "a server error"
    if status < 400:
        return None
    try:
        detail = json.loads(body)["detail"]
    except (ValueError, KeyError, TypeError):
        return "a 4xx without a JSON detail"
    if isinstance(detail, str) and detail.strip():
        return None if status != 422 else "a 422 whose detail names no field"
    if (
        isinstance(detail, list)
        and detail
        and all(
            isinstance(item, dict)
            and {"loc", "msg", "type"} <= item.keys()
            and isinstance(item["loc"], list)
            and item["loc"]
            and isinstance(item["msg"], str)
            and item["msg"]
            for item in detail
        )
    ):
        return None
    return "a 4xx detail that names no field and rule"


@dataclass
class Tally:
    service: str
    requests: int = 0
    statuses: dict[GenerationMode, Counter[int]] = field(
        default_factory=lambda: {mode: Counter() for mode in GenerationMode}
    )
    failures: list[str] = field(default_factory=list)

    def summary(self, seconds: float) -> str:
        counts = "; ".join(
            f"{mode.value} " + ", ".join(f"{code}: {n}" for code, n in sorted(found.items()))
            for mode, found in self.statuses.items()
        )
        return (
            f"schemathesis {self.service}: {self.requests} requests in {seconds:.0f} s "
            f"(up to {MAX_EXAMPLES} examples per operation); {counts}"
        )


def curl(case: Any) -> str:
    """The request as a curl command, the token left out."""
    return case.as_curl_command(headers={"Authorization": "Bearer ..."})


def send_one(
    case: Any, operation: Any, mode: GenerationMode, seeds: Seeds, tally: Tally, auth: Callable[[], dict[str, str]]
) -> None:
    """One generated request: sent, counted, and its answer judged."""
    case_id = (case.path_parameters or {}).get("case_id")
    if case_id in seeds.versions and isinstance(case.body, dict) and "expected_version" in case.body:
        case.body["expected_version"] = seeds.versions[case_id]  # agreeing with If-Match
    tally.requests += 1
    try:
        response = case.call(headers=auth())
    except Exception as exc:  # in-process, the app's exception reaches the caller; a server sends 500
        tally.statuses[mode][500] += 1
        tally.failures.append(
            f"an unhandled {type(exc).__name__} (500): {operation.method.upper()} "
            f"{operation.path}: {str(exc)[:300]}\n  {curl(case)}"
        )
        return
    tally.statuses[mode][response.status_code] += 1
    if case_id in seeds.versions and (etag := response.headers.get("etag")):
        seeds.versions[case_id] = int(etag[0].strip('"'))
    why = problem(response.status_code, operation.path, response.content)
    if why is not None:
        tally.failures.append(
            f"{why}: {operation.method.upper()} {operation.path} -> "
            f"{response.status_code} {response.content[:300]!r}\n  {curl(case)}"
        )


def fuzz(service: str, app: Any, seeds: Seeds, auth: Callable[[], dict[str, str]]) -> Tally:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tally = Tally(service)
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases = strategy(operation, mode, seeds)

            if not PER_MODE[mode]:
                continue

            @hypothesis.settings(
                max_examples=PER_MODE[mode],
                deadline=None,
                database=None,
                phases=[hypothesis.Phase.generate],
                suppress_health_check=list(hypothesis.HealthCheck),
            )
            @hypothesis.given(case=cases)
            def send(case: Any) -> None:
                send_one(case, operation, mode, seeds, tally, auth)  # noqa: B023 - run within this iteration

            try:
                send()
            except hypothesis.errors.Unsatisfiable:
                # Nothing of the operation can be made invalid (no parameters, no body): positive only.
                assert mode is GenerationMode.NEGATIVE, operation.path
    return tally


@pytest.fixture(scope="module")
def apps(settings: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The three services as the fuzzer runs them: each started on first use in Schemathesis's own event loop
    thread, and stopped here."""
    yield {service: build(service, settings) for service in ("intake", "case", "notifier")}
    asgi.shutdown_lifespans()


@pytest.mark.parametrize("service", ["intake", "case", "notifier"])
def test_no_generated_request_gets_a_5xx_and_every_4xx_names_its_field_and_rule(service, apps, seeds, auth, capsys):
    started = time.monotonic()
    tally = fuzz(service, apps[service], seeds, auth)
    with capsys.disabled():
        print(f"\n{tally.summary(time.monotonic() - started)}")
    # Each service has more than a dozen operations, a few of which run out of distinct cases early: five
    # operations' worth is a floor that holds (so 1,000 requests for the slow run's 200 examples).
    assert tally.requests >= 5 * MAX_EXAMPLES, tally.summary(0)
    assert not tally.failures, f"{len(tally.failures)} bad answers:\n" + "\n".join(tally.failures[:40])
