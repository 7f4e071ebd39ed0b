"""The case service over HTTP against the real PostgreSQL (Kafka is not needed for staff commands)."""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.events import ComplaintWithdrawn, Controller, NotificationSent
from docket_contracts.registry import new_event
from docket_devstack.staff import AUDITOR, INVESTIGATOR, PRESIDENT, SANCTIONS_COMMITTEE, Tokens
from docket_service.database import make_engine, make_sessions
from services.case import application, eventstore, readside, store
from services.case.config import CaseSettings
from services.case.domain import LinkComplaint, decide
from services.case.handlers import on_complaint_withdrawn, on_notification_sent
from services.case.integrity import event_hash
from services.case.main import create_app
from services.case.snapshots import FOLD, SnapshotRow
from tests.apps import Running, serve
from tests.case_staff import giver
from tests.conftest import repo_root
from tests.doc_commands import shown_on
from tests.factories import complaint_filed

pytestmark = pytest.mark.service

TOKENS: Tokens


def staff_for(path: str, body: dict | None = None) -> dict[str, str]:
    """The token of the role that gives a command (tests/case_staff.py)."""
    return TOKENS(giver(path, body))


@dataclass
class FixedClock:
    day: date

    def now(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 9, tzinfo=UTC)

    def today(self) -> date:
        return self.day


@pytest.fixture
async def case_service(configure, closed_port_bootstrap: str, tokens: Tokens) -> AsyncIterator[Running]:
    global TOKENS
    TOKENS = tokens
    settings = configure(
        CaseSettings,
        kafka_bootstrap_servers=closed_port_bootstrap,
        run_relay=False,
        run_consumer=False,
        run_timers=False,
    )
    async with serve(create_app(settings, clock=FixedClock(date(2026, 11, 22)))) as running:
        running.http.headers.update(tokens(AUDITOR))  # reads as an auditor; commands carry their own token
        yield running


async def open_case(
    service: Running,
    controller: str | None = None,
    kind: str = "art77_complaint",
    received_on: date = date(2020, 5, 25),
) -> tuple[UUID, UUID]:
    """A case opened the way the consumer opens one; returns (case id, complaint id)."""
    key = controller or f"controller-{uuid4().hex[:8]}"
    complaint = complaint_filed(kind=kind, controller=Controller(key=key, name=key.title()), received_on=received_on)
    async with service.runtime.sessions() as session, session.begin():
        await application.route_complaint(store.PostgresCases(session), complaint)
        case_id = await readside.case_of_complaint(session, complaint.complaint_id)
    assert case_id is not None
    return case_id, complaint.complaint_id


async def command(service: Running, path: str, body: dict, version: int | None, expect: int = 200) -> dict:
    headers = staff_for(path, body) | ({"If-Match": f'"{version}"'} if version is not None else {})
    response = await service.http.post(path, json=body, headers=headers)
    assert response.status_code == expect, response.text
    return response.json()


async def investigate(service: Running, case_id: UUID) -> int:
    """Open an investigation and record the Clearview findings; returns the new version."""
    await command(
        service,
        f"/cases/{case_id}/investigation",
        {"opened_on": "2020-08-01", "scope": "scraping", "decision_reference": "2020-116C"},
        1,
    )
    done = await command(
        service,
        f"/cases/{case_id}/findings",
        {"articles": [6, 12, 15, 17], "facts": "no legal basis, rights ignored"},
        2,
    )
    return done["case"]["version"]


# The restricted committee's procedure up to the hearing, as in the Clearview case, and who deliberated.
REFERRAL = {
    "referred_on": "2022-06-02",
    "reference": "decision of 2 June 2022 designating a rapporteur",
    "rapporteur": {"name": "Claude Castelluccia", "kind": "commissioner"},
}
DELIBERATION = {
    "reference": "SAN-2022-019",
    "members": ["Alexandre Linden", "Philippe-Pierre Cabourdin", "Anne Debet", "Bertrand du Marais", "Alain Dru"],
}


async def hear(service: Running, case_id: UUID, version: int, referral: dict = REFERRAL) -> int:
    """Refer the case, notify the report, summon the controller and hear it; returns the case's version after."""
    for path, body in (
        ("/referral", referral),
        ("/report", {"notified_on": "2022-07-14", "documents": ["the rapporteur's report"]}),
        ("/summons", {"summoned_on": "2022-09-13", "hearing_on": "2022-10-13"}),
        ("/hearing", {"held_on": "2022-10-13", "public": True, "speakers": ["rapporteur", "controller"]}),
    ):
        if path == "/summons" and referral.get("procedure") == "simplified":
            break
        done = await command(service, f"/cases/{case_id}{path}", body, version)
        version = done["case"]["version"]
    return version


NOTICE = {
    "orders": [{"point": "f", "text": "stop the processing"}, {"point": "g", "text": "delete the data"}],
    "issued_on": "2021-11-26",
    "reference": "MED-2021-134",
    "time_limit": {"months": 2},
}


async def give_notice(service: Running, case_id: UUID, version: int) -> tuple[str, int]:
    """The President's formal notice, notified the day it was issued, so that it is due on 26 January 2022: its id,
    and the case's version after."""
    issued = await command(service, f"/cases/{case_id}/formal-notices", NOTICE, version)
    notice_id = issued["case"]["formal_notices"][0]["notice_id"]
    notified = await command(
        service, f"/cases/{case_id}/formal-notices/{notice_id}/notification", {"notified_on": "2021-11-26"}, version + 1
    )
    assert notified["case"]["formal_notices"][0]["deadline"] == "2022-01-26"
    return notice_id, version + 2


async def fire_due_timers(sessions: async_sessionmaker[AsyncSession], clock: FixedClock) -> int:
    """One round of an instance's deadline timers, on a session of its own as the service's worker runs it."""
    async with sessions() as session:
        return await application.fire_due_timers(store.PostgresCases(session), clock)


async def test_a_command_needs_the_version_the_client_saw(case_service):
    case_id, _ = await open_case(case_service)
    refused = await command(
        case_service,
        f"/cases/{case_id}/investigation",
        {"opened_on": "2020-08-01", "scope": "s", "decision_reference": "2020-116C"},
        None,
        expect=428,
    )
    assert "If-Match or expected_version" in refused["detail"]
    stale = await case_service.http.post(
        f"/cases/{case_id}/investigation",
        headers=staff_for("/investigation") | {"If-Match": '"0"'},
        json={"opened_on": "2020-08-01", "scope": "s", "decision_reference": "2020-116C"},
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 1 and stale.headers["ETag"] == '"1"'
    done = await command(
        case_service,
        f"/cases/{case_id}/investigation",
        {"opened_on": "2020-08-01", "scope": "s", "decision_reference": "2020-116C", "expected_version": 1},
        None,
    )
    assert done["case"]["status"] == "investigating" and done["case"]["version"] == 2
    assert [e["type"] for e in done["events"]] == ["docket.investigation.opened"]


async def test_concurrent_commands_on_one_version_lose_no_update(case_service):
    case_id, _ = await open_case(case_service)
    await investigate(case_service, case_id)

    async def finding(n: int):
        return await case_service.http.post(
            f"/cases/{case_id}/findings",
            headers=staff_for("/findings") | {"If-Match": '"3"'},
            json={"articles": [15], "facts": f"finding {n}"},
        )

    responses = await asyncio.gather(*(finding(n) for n in range(5)))
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409]
    assert all(r.json()["current_version"] == 4 for r in responses if r.status_code == 409)
    history = (await case_service.http.get(f"/cases/{case_id}/history")).json()
    assert [e["version"] for e in history] == [1, 2, 3, 4]


async def test_wrong_state_is_409_naming_state_and_next_steps_and_unknown_case_is_404(case_service):
    case_id, _ = await open_case(case_service)
    refused = await command(case_service, f"/cases/{case_id}/formal-notices", NOTICE, 1, expect=409)
    assert refused["status"] == "open"
    assert refused["detail"].startswith(
        "cannot issue a formal notice: the case is open; allowed next steps: open an investigation"
    )
    assert "open an investigation" in refused["allowed_next_steps"]
    assert (await case_service.http.get(f"/cases/{uuid4()}")).status_code == 404
    missing = await command(
        case_service,
        f"/cases/{uuid4()}/closure",
        {"outcome": "dismissed", "reasons": "r", "closed_on": "2021-01-01"},
        1,
        expect=404,
    )
    assert "no case" in missing["detail"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"fine_eur": 30_000_000, "turnover_eur": 100_000_000}, "fine_eur", "exceeds the cap of Art 83(5)"),
        ({"fine_eur": -1}, "fine_eur", "greater than or equal to 0"),
        ({"articles_infringed": [6, 140]}, "articles_infringed", "less than or equal to 99"),
        ({"articles_infringed": [1, 6]}, "articles_infringed", "Art 1 is not among"),
        (
            {"injunction": {"orders": [{"point": "z", "text": "t"}], "deadline": "2022-12-18", "daily_penalty_eur": 1}},
            "injunction",
            "'a', 'b'",
        ),
        (
            {
                "injunction": {
                    "orders": [{"point": "f", "text": "stop"}],
                    "deadline": "2022-12-18",
                    "daily_penalty_eur": 150_000,
                }
            },
            "daily_penalty_eur",
            "EUR 100,000 a day",
        ),
        ({"orders_not_complied": ["58(2)"]}, "orders_not_complied", "no order under Art 58(2) stands unheeded"),
        ({"orders_not_complied": ["58(3)"]}, "orders_not_complied", "'58(1)' or '58(2)'"),
        (
            {
                "articles_infringed": None,
                "conducts": [
                    {"articles_infringed": [32], "fine_eur": 10_000_001},
                    {"articles_infringed": [6], "fine_eur": 9_999_999},
                ],
            },
            "conducts",
            "EUR 10,000,001 exceeds the cap of Art 83(4)",
        ),
        ({"conducts": [{"articles_infringed": [6], "fine_eur": 20_000_000}]}, "conducts", "not both"),
    ],
)
async def test_invalid_sanctions_get_422_naming_the_field(case_service, body, field, message):
    case_id, _ = await open_case(case_service)
    version = await hear(case_service, case_id, await investigate(case_service, case_id))
    sanction = {"decided_on": "2022-10-17", "fine_eur": 20_000_000, "articles_infringed": [6, 12, 15, 17]}
    sanction |= DELIBERATION | body
    refused = await command(case_service, f"/cases/{case_id}/sanctions", sanction, version, expect=422)
    assert any(field in error["loc"] and message in error["msg"] for error in refused["detail"]), refused
    assert (await case_service.http.get(f"/cases/{case_id}")).json()["version"] == version  # nothing appended


async def test_the_deadline_timer_fires_once_with_two_schedulers_and_survives_a_restart(case_service, database_url):
    case_id, _ = await open_case(case_service)
    version = await investigate(case_service, case_id)
    notice_id, _ = await give_notice(case_service, case_id, version)

    engines = [make_engine(database_url, "case") for _ in range(2)]  # two instances, fresh after a "restart"
    try:
        sessions = [make_sessions(engine) for engine in engines]
        assert await fire_due_timers(sessions[0], FixedClock(date(2022, 1, 26))) == 0  # not yet due
        fired = await asyncio.gather(
            *(fire_due_timers(s, FixedClock(date(2022, 1, 27))) for s in sessions for _ in range(3))
        )
        assert await fire_due_timers(sessions[1], FixedClock(date(2022, 3, 1))) == 0
    finally:
        for engine in engines:
            await engine.dispose()
    history = (await case_service.http.get(f"/cases/{case_id}/history")).json()
    expired = [e for e in history if e["type"] == "docket.formal_notice.deadline_expired"]
    assert len(expired) == 1 and sum(fired) >= 1
    assert expired[0]["actor"] == application.TIMER_ACTOR.id and expired[0]["actor_role"] is None
    assert expired[0]["data"]["notice_id"] == notice_id and expired[0]["data"]["deadline"] == "2022-01-26"
    case = (await case_service.http.get(f"/cases/{case_id}")).json()
    assert case["status"] == "notice_expired"


async def test_an_extended_notice_expires_at_its_new_deadline_only(case_service):
    case_id, _ = await open_case(case_service)
    version = await investigate(case_service, case_id)
    notice_id, version = await give_notice(case_service, case_id, version)
    extended = await command(
        case_service,
        f"/cases/{case_id}/formal-notices/{notice_id}/extension",
        {"decided_on": "2022-01-20", "extension": {"days": 20}, "reasons": "the controller's systems are complex"},
        version,
    )
    assert extended["case"]["formal_notices"][0]["deadline"] == "2022-02-15"
    # The timer written at notification (due 27 January) was replaced by the extension's, in the same row.
    assert await fire_due_timers(case_service.runtime.sessions, FixedClock(date(2022, 2, 1))) == 0
    assert await fire_due_timers(case_service.runtime.sessions, FixedClock(date(2022, 2, 16))) == 1
    expired = [
        e["data"]["deadline"]
        for e in (await case_service.http.get(f"/cases/{case_id}/history")).json()
        if e["type"] == "docket.formal_notice.deadline_expired"
    ]
    assert expired == ["2022-02-15"]


async def test_a_complied_notice_never_expires(case_service, database_url):
    case_id, _ = await open_case(case_service)
    version = await investigate(case_service, case_id)
    notice_id, version = await give_notice(case_service, case_id, version)
    await command(
        case_service,
        f"/cases/{case_id}/formal-notices/{notice_id}/compliance",
        {"complied_on": "2022-01-20"},
        version,
    )
    await fire_due_timers(case_service.runtime.sessions, FixedClock(date(2022, 2, 1)))
    types = [e["type"] for e in (await case_service.http.get(f"/cases/{case_id}/history")).json()]
    assert types[-1] == "docket.formal_notice.complied"


async def test_compliance_by_the_deadline_recorded_after_the_timer_and_an_injunction_complied_with_on_time(
    case_service,
):
    case_id, _ = await open_case(case_service)
    version = await investigate(case_service, case_id)
    notice_id, version = await give_notice(case_service, case_id, version)
    assert await fire_due_timers(case_service.runtime.sessions, FixedClock(date(2022, 2, 1))) >= 1
    late = await command(
        case_service,
        f"/cases/{case_id}/formal-notices/{notice_id}/compliance",
        {"complied_on": "2022-01-27"},
        version + 1,
        expect=422,
    )
    assert "2022-01-27" in late["detail"][0]["msg"] and "2022-01-26" in late["detail"][0]["msg"]
    done = await command(
        case_service,
        f"/cases/{case_id}/formal-notices/{notice_id}/compliance",
        {"complied_on": "2022-01-25"},
        version + 1,
    )
    assert done["case"]["status"] == "notice_complied"
    assert done["case"]["formal_notices"][0]["expiry_superseded"] is True
    types = [e["type"] for e in (await case_service.http.get(f"/cases/{case_id}/history")).json()]
    assert types[-3:] == [
        "docket.formal_notice.deadline_expired",
        "docket.formal_notice.expiry_superseded",
        "docket.formal_notice.complied",
    ]  # the expiry stays in the record

    other, _ = await open_case(case_service)
    version = await hear(case_service, other, await investigate(case_service, other))
    sanction = DELIBERATION | {
        "decided_on": "2022-10-17",
        "fine_eur": 1000,
        "articles_infringed": [6],
        "injunction": {
            "orders": [{"point": "f", "text": "stop"}],
            "deadline": "2022-12-18",
            "daily_penalty_eur": 100_000,
        },
    }
    imposed = await command(case_service, f"/cases/{other}/sanctions", sanction, version)
    assert [e["type"] for e in imposed["events"]] == [
        "docket.proceedings.deliberated",
        "docket.sanction.imposed",
        "docket.penalty_payment.imposed",
    ]
    sanction_id = imposed["case"]["sanctions"][0]["sanction_id"]
    await command(
        case_service, f"/cases/{other}/sanctions/{sanction_id}/compliance", {"complied_on": "2022-12-18"}, version + 3
    )
    closed = await command(
        case_service,
        f"/cases/{other}/closure",
        {"outcome": "sanctioned", "reasons": "complied on time", "closed_on": "2023-01-05"},
        version + 4,
    )
    assert closed["case"]["status"] == "closed"
    assert closed["case"]["sanctions"][0]["injunction_complied_on"] == "2022-12-18"


async def test_an_injunction_due_two_months_after_notification_gets_its_deadline_and_penalty_when_notified(
    case_service,
):
    case_id, _ = await open_case(case_service)
    version = await hear(case_service, case_id, await investigate(case_service, case_id))
    both = {
        "orders": [{"point": "f", "text": "stop"}],
        "deadline": "2022-12-18",
        "days_after_notification": 60,
        "daily_penalty_eur": 100_000,
    }
    refused = await command(
        case_service,
        f"/cases/{case_id}/sanctions",
        DELIBERATION | {"decided_on": "2022-10-17", "fine_eur": 1000, "articles_infringed": [6], "injunction": both},
        version,
        expect=422,
    )
    assert refused["detail"][0]["loc"][:2] == ["body", "injunction"]
    assert "either deadline, days_after_notification or months_after_notification" in refused["detail"][0]["msg"]
    period = {key: value for key, value in both.items() if key != "deadline"}
    imposed = await command(
        case_service,
        f"/cases/{case_id}/sanctions",
        DELIBERATION | {"decided_on": "2022-10-17", "fine_eur": 1000, "articles_infringed": [6], "injunction": period},
        version,
    )
    assert [e["type"] for e in imposed["events"]] == [  # no deadline yet, no penalty
        "docket.proceedings.deliberated",
        "docket.sanction.imposed",
    ]
    sanction_id = imposed["case"]["sanctions"][0]["sanction_id"]
    early = await command(
        case_service,
        f"/cases/{case_id}/sanctions/{sanction_id}/notification",
        {"notified_on": "2022-10-16"},
        version + 2,
        expect=422,
    )
    assert early["detail"][0]["msg"] == "2022-10-16 is before the sanction was decided (2022-10-17)"
    notified = await command(
        case_service,
        f"/cases/{case_id}/sanctions/{sanction_id}/notification",
        {"notified_on": "2022-10-20"},
        version + 2,
    )
    assert [e["type"] for e in notified["events"]] == ["docket.sanction.notified", "docket.penalty_payment.imposed"]
    assert notified["events"][0]["data"]["injunction_deadline"] == "2022-12-19"
    assert notified["events"][1]["data"]["accrues_from"] == "2022-12-20"
    [sanction] = notified["case"]["sanctions"]
    assert (sanction["notified_on"], sanction["injunction"]["deadline"]) == ("2022-10-20", "2022-12-19")


async def test_a_notice_made_public_a_simplified_sanction_appealed_and_annulled_then_a_reprimand(case_service):
    """The procedures besides the fine, each through its route, with the answers a client gets."""
    case_id, _ = await open_case(case_service)
    version = await investigate(case_service, case_id)
    notice = await command(case_service, f"/cases/{case_id}/formal-notices", NOTICE, version)
    notice_id = notice["case"]["formal_notices"][0]["notice_id"]
    publication = {
        "decision_id": notice_id,
        "published_on": "2021-12-16",
        "anonymised_on": "2023-12-16",
        "decided_by": "bureau",
    }
    for who in (INVESTIGATOR, SANCTIONS_COMMITTEE):  # the bureau's publication is the President's to ask for
        forbidden = await case_service.http.post(
            f"/cases/{case_id}/publications",
            json=publication,
            headers=TOKENS(who) | {"If-Match": f'"{version + 1}"'},
        )
        assert forbidden.status_code == 403, forbidden.text
    assert "a publication by the bureau needs the role president" in forbidden.json()["detail"]
    by_committee = publication | {"decided_by": "restricted_committee"}
    wrong = await command(case_service, f"/cases/{case_id}/publications", by_committee, version + 1, expect=422)
    assert wrong["detail"][0]["loc"] == ["body", "decided_by"]
    published = await command(case_service, f"/cases/{case_id}/publications", publication, version + 1)
    assert [e["type"] for e in published["events"]] == ["docket.publication.made"]
    made = published["case"]["publications"][0]
    assert (made["published_on"], made["anonymised_on"], made["decided_by"]) == ("2021-12-16", "2023-12-16", "bureau")
    assert "withdraw a publication" in published["case"]["allowed_next_steps"]

    other, _ = await open_case(case_service)
    version = await investigate(case_service, other)
    small = {"decided_on": "2022-10-17", "fine_eur": 20_001, "articles_infringed": [15]}
    alone = {"reference": "SAN-2022-101", "members": ["Alexandre Linden"]}
    unheard = await command(case_service, f"/cases/{other}/sanctions", small | alone, version, expect=409)
    assert (
        "(the case was not referred to the restricted committee: the President refers it and names a "
        in (unheard["detail"])
    )
    assert "refer the case to the restricted committee" in unheard["allowed_next_steps"]
    simplified = {
        "referred_on": "2022-06-02",
        "reference": "decision of 2 June 2022",
        "rapporteur": {"name": "Agnès Agent", "kind": "agent"},
        "procedure": "simplified",
        "deciding_member": "Alexandre Linden",
    }
    version = await hear(case_service, other, version, simplified)  # the referral and the report: no hearing
    refused = await command(case_service, f"/cases/{other}/sanctions", small | alone, version, expect=422)
    assert refused["detail"][0]["loc"] == ["body", "fine_eur"]
    assert "exceeds the cap of EUR 20,000 of the simplified procedure" in refused["detail"][0]["msg"]
    committee = await command(case_service, f"/cases/{other}/sanctions", small | DELIBERATION, version, expect=422)
    assert committee["detail"][0]["loc"] == ["body", "members"]
    assert (
        "Alexandre Linden, the member designated, decides alone (loi 78-17 art 22-1)" in committee["detail"][0]["msg"]
    )
    imposed = await command(case_service, f"/cases/{other}/sanctions", small | alone | {"fine_eur": 20_000}, version)
    [sanction] = imposed["case"]["sanctions"]
    assert (sanction["procedure"], imposed["events"][1]["data"]["procedure"]) == ("simplified", "simplified")
    version += 2
    private = await command(
        case_service,
        f"/cases/{other}/publications",
        {
            "decision_id": sanction["sanction_id"],
            "published_on": "2022-10-17",
            "anonymised_on": "2024-10-17",
            "decided_by": "restricted_committee",
        },
        version,
        expect=409,
    )
    assert "simplified procedure, whose decisions Docket does not make public" in private["detail"]
    assert "make a decision public" not in private["allowed_next_steps"]
    appealed = await command(
        case_service,
        f"/cases/{other}/appeals",
        {"decision_id": sanction["sanction_id"], "lodged_on": "2022-12-16"},
        version,
    )
    appeal_id = appealed["case"]["appeals"][0]["appeal_id"]
    waiting = await command(
        case_service,
        f"/cases/{other}/closure",
        {"outcome": "sanctioned", "reasons": "fine paid", "closed_on": "2023-01-05"},
        version + 1,
        expect=409,
    )
    assert "awaits the court's ruling" in waiting["detail"]
    assert "record the court's ruling" in waiting["allowed_next_steps"]
    no_fine = await command(
        case_service,
        f"/cases/{other}/appeals/{appeal_id}/ruling",
        {"decided_on": "2023-06-01", "outcome": "fine_reduced"},
        version + 1,
        expect=422,
    )
    assert no_fine["detail"][0]["loc"] == ["body", "fine_eur"]
    annulled = await command(
        case_service,
        f"/cases/{other}/appeals/{appeal_id}/ruling",
        {"decided_on": "2023-06-01", "outcome": "annulled"},
        version + 1,
    )
    assert annulled["case"]["status"] == "investigating"
    assert annulled["case"]["sanctions"][0]["annulled_on"] == "2023-06-01"
    again = REFERRAL | {"referred_on": "2023-06-01"}
    version = annulled["case"]["version"]
    for path, body in (
        ("/referral", again),
        ("/report", {"notified_on": "2023-06-05", "documents": ["the second report"]}),
        ("/summons", {"summoned_on": "2023-07-10", "hearing_on": "2023-07-31"}),
        ("/hearing", {"held_on": "2023-07-31", "public": False, "speakers": ["rapporteur", "counsel"]}),
    ):
        version = (await command(case_service, f"/cases/{other}{path}", body, version))["case"]["version"]
    reprimand = {"decided_on": "2023-08-01", "articles_infringed": [15], "reasons": "answered late; no fine"}
    reprimanded = await command(case_service, f"/cases/{other}/reprimands", reprimand | DELIBERATION, version)
    assert reprimanded["case"]["status"] == "reprimanded"
    assert [p["procedure"] for p in reprimanded["case"]["proceedings"]] == ["simplified", "ordinary"]
    closed = await command(
        case_service,
        f"/cases/{other}/closure",
        {"outcome": "reprimanded", "reasons": "reprimand issued", "closed_on": "2023-08-02"},
        version + 2,
    )
    assert (closed["case"]["status"], closed["case"]["outcome"]) == ("closed", "reprimanded")


async def test_case_list_filters_and_pages(case_service):
    controller = f"listco-{uuid4().hex[:8]}"
    first, _ = await open_case(case_service, controller)
    await command(
        case_service,
        f"/cases/{first}/closure",
        {"outcome": "dismissed", "reasons": "outside our competence", "closed_on": "2020-06-01"},
        1,
    )
    second, _ = await open_case(case_service, controller, received_on=date(2020, 6, 5))
    version = await investigate(case_service, second)
    await give_notice(case_service, second, version)

    async def listing(**params) -> dict:
        response = await case_service.http.get("/cases", params={"controller": controller, **params})
        assert response.status_code == 200, response.text
        return response.json()

    everything = await listing()
    assert everything["total"] == 2
    assert [c["case_id"] for c in everything["items"]] == [str(second), str(first)]  # newest first
    assert [c["case_id"] for c in (await listing(status="closed"))["items"]] == [str(first)]
    [late] = (await listing(overdue="true"))["items"]
    assert late["case_id"] == str(second) and late["deadline_overdue"] and late["next_deadline"] == "2022-01-26"
    assert (await listing(overdue="false"))["total"] == 1
    page = await listing(limit=1, offset=1)
    assert page["total"] == 2 and [c["case_id"] for c in page["items"]] == [str(first)]
    assert (await case_service.http.get("/cases", params={"status": "dormant"})).status_code == 422


async def test_as_of_replays_the_case_as_it_stood(case_service):
    case_id, _ = await open_case(case_service)
    await command(
        case_service,
        f"/cases/{case_id}/investigation",
        {"opened_on": "2020-08-01", "scope": "s", "decision_reference": "2020-116C"},
        1,
    )
    history = (await case_service.http.get(f"/cases/{case_id}/history")).json()
    between = history[0]["recorded_at"]
    then = (await case_service.http.get(f"/cases/{case_id}", params={"as_of": between})).json()
    now = await case_service.http.get(f"/cases/{case_id}")
    assert (then["version"], then["status"]) == (1, "open")
    assert (now.json()["version"], now.json()["status"], now.headers["ETag"]) == (2, "investigating", '"2"')
    assert (
        await case_service.http.get(f"/cases/{case_id}", params={"as_of": "2020-01-01T00:00:00Z"})
    ).status_code == 404


async def test_a_stored_version_1_event_is_upcast_on_read(case_service):
    case_id, _ = await open_case(case_service)
    version = await investigate(case_service, case_id)
    notice_id = uuid4()
    v1 = {
        "case_id": str(case_id),
        "notice_id": str(notice_id),
        "orders": ["stop the processing"],
        "issued_on": "2021-11-26",
        "compliance_deadline": "2022-01-26",
    }
    async with case_service.runtime.sessions() as session, session.begin():
        legacy = eventstore.EventRow(
            stream_id=case_id,
            version=version + 1,
            event_id=str(uuid4()),
            type="docket.formal_notice.issued",
            schema_version=1,
            data=v1,
            actor="legacy",
            occurred_at=datetime.now(UTC),
            previous_hash=await eventstore.head_hash(session, case_id, version),
        )
        legacy.hash = event_hash(legacy)
        session.add(legacy)  # the database moves the stream's head
    async with case_service.runtime.sessions() as session:
        state = await eventstore.load(session, case_id)
    assert state.status == "formal_notice"
    assert state.notices[0].orders[0].point == "d" and state.notices[0].orders[0].text == "stop the processing"
    [stored] = [
        e
        for e in (await case_service.http.get(f"/cases/{case_id}/history")).json()
        if e["type"] == "docket.formal_notice.issued"
    ]
    assert stored["schema_version"] == 1 and stored["data"] == v1  # stored as it was, never rewritten


async def test_projections_rebuild_from_the_event_store_to_the_same_rows(case_service):
    case_id, _ = await open_case(case_service)
    await investigate(case_service, case_id)

    async def snapshot():
        async with case_service.runtime.sessions() as session:
            summary = await session.get(readside.CaseSummaryRow, case_id)
            detail = await session.get(readside.CaseDetailRow, case_id)
            return summary.model_dump(), detail.document

    before = await snapshot()
    async with case_service.runtime.sessions() as session, session.begin():
        await session.exec(
            sa.update(readside.CaseSummaryRow)
            .where(readside.CaseSummaryRow.case_id == case_id)
            .values(status="garbled")
        )
        replayed = await readside.rebuild_projections(session)
    assert replayed >= 3
    assert await snapshot() == before


async def link(service: Running, controller: str, count: int) -> list[UUID]:
    """`count` further complaints on the controller's open case, routed as the consumer routes them."""
    complaints = [
        complaint_filed(controller=Controller(key=controller, name=controller.title()), received_on=date(2020, 6, 1))
        for _ in range(count)
    ]
    async with service.runtime.sessions() as session, session.begin():
        for complaint in complaints:
            await application.route_complaint(store.PostgresCases(session), complaint)
    return [c.complaint_id for c in complaints]


async def test_a_case_loads_from_its_snapshot_to_the_case_replayed_from_its_first_event(case_service):
    controller = f"controller-{uuid4().hex[:8]}"
    case_id, first = await open_case(case_service, controller)
    await link(case_service, controller, 12)
    await command(
        case_service,
        f"/cases/{case_id}/investigation",
        {"opened_on": "2020-08-01", "scope": "s", "decision_reference": "2020-116C"},
        13,
    )
    await command(case_service, f"/cases/{case_id}/findings", {"articles": [15], "facts": "requests ignored"}, 14)
    await command(case_service, f"/cases/{case_id}/formal-notices", NOTICE, 15)

    async with case_service.runtime.sessions() as session:
        snapshot = await session.get(SnapshotRow, case_id)
        loaded, replayed = await eventstore.load(session, case_id), await eventstore.replayed(session, case_id)
    assert snapshot.version == replayed.version == 16 and loaded == replayed
    assert replayed.complaint_count == 13 and loaded.status == "formal_notice"

    # a snapshot made by another fold is passed over, and the next append makes a current one
    async with case_service.runtime.sessions() as session, session.begin():
        await session.exec(
            sa.update(SnapshotRow)
            .where(SnapshotRow.stream_id == case_id)
            .values(fold=FOLD - 1, state={"status": "closed"})
        )
    async with case_service.runtime.sessions() as session:
        assert await eventstore.load(session, case_id) == replayed
    await link(case_service, controller, 1)
    async with case_service.runtime.sessions() as session:
        snapshot = await session.get(SnapshotRow, case_id)
        assert (snapshot.fold, snapshot.version) == (FOLD, 17)
        assert await eventstore.load(session, case_id) == await eventstore.replayed(session, case_id)

    # a complaint delivered again is not linked twice
    async with case_service.runtime.sessions() as session, session.begin():
        await application.route_complaint(
            store.PostgresCases(session),
            complaint_filed(complaint_id=first, controller=Controller(key=controller, name="x")),
        )
    assert (await case_service.http.get(f"/cases/{case_id}")).json()["complaint_count"] == 14


async def test_appends_to_different_cases_never_wait_for_each_other(case_service):
    first, _ = await open_case(case_service)
    second, _ = await open_case(case_service)
    async with case_service.runtime.sessions() as holding:
        await holding.begin()
        state = await eventstore.load(holding, first)
        await store.append(
            holding, state, first, decide(state, LinkComplaint(complaint_filed())), eventstore.Actor("system:test")
        )
        # `holding` keeps its transaction open, with every row an append of its case touches locked
        async with case_service.runtime.sessions() as other, other.begin():
            await other.exec(sa.text("SET LOCAL lock_timeout = '3s'"))  # waiting would fail, not hang
            state = await eventstore.load(other, second)
            await store.append(
                other, state, second, decide(state, LinkComplaint(complaint_filed())), eventstore.Actor("system:test")
            )
        await holding.commit()
    async with case_service.runtime.sessions() as session:
        assert [(await eventstore.load(session, case)).version for case in (first, second)] == [2, 2]


async def test_the_complaints_and_the_history_of_a_case_are_read_a_page_at_a_time(case_service):
    controller = f"controller-{uuid4().hex[:8]}"
    case_id, first = await open_case(case_service, controller)
    linked = await link(case_service, controller, 24)

    listed, offset = [], 0
    while True:
        page = (
            await case_service.http.get(f"/cases/{case_id}/complaints", params={"limit": 10, "offset": offset})
        ).json()
        assert page["total"] == 25 and len(page["items"]) <= 10
        if not page["items"]:
            break
        listed += page["items"]
        offset += 10
    assert [c["complaint_id"] for c in listed] == [str(c) for c in [first, *linked]]
    assert [c["linked_at_version"] for c in listed] == list(range(1, 26))
    assert {(c["kind"], c["received_on"]) for c in listed[1:]} == {("art77_complaint", "2020-06-01")}

    versions, url = [], f"/cases/{case_id}/history?limit=7"
    while url:
        response = await case_service.http.get(url)
        versions += [e["version"] for e in response.json()]
        url = response.links.get("next", {}).get("url")
    assert versions == list(range(1, 26))
    assert (await case_service.http.get(f"/cases/{case_id}/history", params={"after": 25})).json() == []
    assert (await case_service.http.get(f"/cases/{uuid4()}/history")).status_code == 404
    assert (await case_service.http.get(f"/cases/{uuid4()}/complaints")).status_code == 404
    assert (await case_service.http.get(f"/cases/{case_id}/complaints", params={"limit": 501})).status_code == 422


async def test_one_command_rebuilds_the_projections(case_service, databases, keycloak):
    case_id, _ = await open_case(case_service)
    env = os.environ | {
        "DATABASE_URL": databases.case,
        "OIDC_ISSUER": keycloak.issuer(),
        "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}",
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.case", "rebuild-projections"],
        cwd=repo_root(),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "projections rebuilt from" in result.stderr
    assert (await case_service.http.get(f"/cases/{case_id}")).json()["version"] == 1


async def test_the_outbox_commands_of_the_operations_page_run_as_written(case_service, databases, keycloak):
    """`outbox parked` and both forms of `outbox resend ID ... | --all` as docs/operations.md writes them, with the
    case service's database and issuer for its `...` and this Python for `.venv/bin/python`."""
    page = repo_root() / "docs" / "operations.md"
    filled = {
        "DATABASE_URL=...": f"DATABASE_URL={shlex.quote(databases.case)}",
        "OIDC_ISSUER=...": f"OIDC_ISSUER={shlex.quote(keycloak.issuer())}",
        ".venv/bin/python": shlex.quote(sys.executable),
    }

    def as_written(text: str) -> str:
        for shown, value in filled.items():
            assert shown in text, text
            text = text.replace(shown, value)
        return text

    parked = as_written(
        shown_on(page, "DATABASE_URL=... OIDC_ISSUER=... .venv/bin/python -m services.case outbox parked").text
    )
    ids, every = as_written(
        shown_on(page, "DATABASE_URL=... OIDC_ISSUER=... .venv/bin/python -m services.case outbox resend").text
    ).split(" | ")
    by_ids = ids.replace(" ID ...", " 999999998 999999999")
    by_all = ids[: ids.index(" ID ...")] + " " + every
    env = os.environ | {"PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}"}

    async def bash(script: str) -> subprocess.CompletedProcess[str]:
        return await asyncio.to_thread(
            subprocess.run,
            ["bash", "-c", script],
            cwd=repo_root(),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    listed, unknown, everything = await bash(parked), await bash(by_ids), await bash(by_all)
    assert (listed.returncode, listed.stdout) == (0, "no parked outbox rows\n"), listed.stderr
    assert unknown.returncode == 1, unknown.stderr
    assert "not parked (already published, or no such row): 999999998, 999999999" in unknown.stdout
    assert (everything.returncode, everything.stdout) == (0, "nothing to resend\n"), everything.stderr


async def told(service: Running, complaint_id: UUID, about: str, sent_on: date) -> None:
    """The notifier's notification.sent of a letter to the complainant about an event of type `about`."""
    sent = NotificationSent(
        notification_id=uuid4(),
        source_event_type=about,
        recipient_role="complainant",
        complaint_id=complaint_id,
        sent_at=datetime(sent_on.year, sent_on.month, sent_on.day, tzinfo=UTC),
        sent_on=sent_on,
    )
    async with service.runtime.sessions() as session, session.begin():
        await on_notification_sent(session, new_event(sent, source="/docket/notifier", subject=str(uuid4())), sent)


async def test_complainants_without_news_for_three_months_are_listed(case_service):
    case_id, complaint_id = await open_case(case_service, received_on=date(2026, 1, 10))
    alert_case, _ = await open_case(case_service, kind="alert", received_on=date(2026, 1, 10))

    async def overdue(as_of: str) -> list[dict]:
        found = (await case_service.http.get("/art78-overdue", params={"as_of": as_of, "limit": 500})).json()
        return [o for o in found if o["case_id"] in (str(case_id), str(alert_case))]

    async def rebuild() -> None:
        async with case_service.runtime.sessions() as session, session.begin():
            await readside.rebuild_projections(session)

    assert await overdue("2026-04-10") == []
    assert await overdue("2026-04-11") == [
        {
            "case_id": str(case_id),
            "complaint_id": str(complaint_id),
            "last_progress_on": "2026-01-10",
            "progress_due_on": "2026-04-10",
        }
    ]
    await command(
        case_service,
        f"/cases/{case_id}/investigation",
        {"opened_on": "2026-03-01", "scope": "s", "decision_reference": "2026-001C"},
        1,
    )
    assert len(await overdue("2026-04-11")) == 1  # decided, not yet told: only a letter sent tells
    await told(case_service, complaint_id, "docket.complaint.filed", date(2026, 3, 2))  # an acknowledgement
    assert len(await overdue("2026-04-11")) == 1
    await told(case_service, complaint_id, "docket.investigation.opened", date(2026, 3, 3))
    assert await overdue("2026-04-11") == []
    await rebuild()  # the letter sent is not in the case's events, and is not forgotten
    assert [o["progress_due_on"] for o in await overdue("2026-06-04")] == ["2026-06-03"]
    withdrawn = ComplaintWithdrawn(complaint_id=complaint_id, withdrawn_on=date(2026, 6, 2))
    async with case_service.runtime.sessions() as session, session.begin():
        await on_complaint_withdrawn(
            session, new_event(withdrawn, source="/docket/intake", subject=str(complaint_id)), withdrawn
        )
    assert await overdue("2026-06-04") == []
    await told(case_service, complaint_id, "docket.investigation.opened", date(2026, 6, 5))  # sent before it knew
    await rebuild()
    assert await overdue("2026-12-31") == []  # a withdrawal stays


async def test_separate_conducts_are_fined_each_within_its_cap_and_recorded_with_the_sanction(case_service):
    case_id, _ = await open_case(case_service)
    version = await hear(case_service, case_id, await investigate(case_service, case_id))
    imposed = await command(
        case_service,
        f"/cases/{case_id}/sanctions",
        DELIBERATION
        | {
            "decided_on": "2022-10-17",
            "fine_eur": 30_000_000,
            "turnover_eur": 100_000_000,
            "conducts": [
                {"articles_infringed": [32], "fine_eur": 10_000_000},
                {"articles_infringed": [31], "orders_not_complied": ["58(1)"], "fine_eur": 20_000_000},
            ],
        },
        version,
    )
    [deliberated, event] = imposed["events"]
    assert deliberated["data"]["members"] == DELIBERATION["members"]
    assert (event["data"]["fine_eur"], event["data"]["articles_infringed"]) == (30_000_000, [31, 32, 58])
    assert [(c["cap"]["paragraph"], c["fine_eur"]) for c in event["data"]["conducts"]] == [
        ("83(4)", 10_000_000),
        ("83(5)", 20_000_000),
    ]


async def test_the_fine_estimate_walks_the_five_edpb_steps(case_service):
    response = await case_service.http.post(
        "/fine-estimates",
        headers=staff_for("/fine-estimates"),
        json={
            "articles_infringed": [6, 12, 15, 17],
            "seriousness": "high",
            "position": "0.5",
            "turnover_eur": 1_000_000_000,
            "aggravating": [{"name": "duration", "percent": 10}],
            "mitigating": [{"name": "cooperation", "percent": 5}],
        },
    )
    assert response.status_code == 200, response.text
    estimate = response.json()
    assert [s["step"] for s in estimate["steps"]] == [
        "1. conducts and concurrence (Art 83(3))",
        "2. starting point: classification, seriousness, turnover",
        "3. aggravating and mitigating circumstances (Art 83(2))",
        "4. legal maximum",
        "5. effectiveness, proportionality and dissuasiveness",
    ]
    # From the dynamic maximum, 4 % of EUR 1bn: 60 % of EUR 40M, then +5 %.
    assert [s["amount_eur"] for s in estimate["steps"]] == [40_000_000, 24_000_000, 25_200_000, 25_200_000, 25_200_000]
    assert estimate["steps"][1]["range_eur"] == [8_000_000, 40_000_000] and estimate["fine_eur"] == 25_200_000

    several = await case_service.http.post(
        "/fine-estimates",
        headers=staff_for("/fine-estimates"),
        json={
            "turnover_eur": 30_000_000,
            "inability_to_pay": {"payable_eur": 500_000, "evidence": "audited accounts"},
            "conducts": [
                {"articles_infringed": [6], "orders_not_complied": ["58(2)"], "seriousness": "high"},
                {"articles_infringed": [32], "seriousness": "medium", "position": "1"},
            ],
        },
    )
    assert several.status_code == 200, several.text
    found = several.json()
    assert [c["cap"]["paragraph"] for c in found["conducts"]] == ["83(6)", "83(4)"]
    assert [c["starting_amount_eur"] for c in found["conducts"]] == [690_000, 115_000]  # 5.75 % for EUR 30M
    assert found["fine_eur"] == 500_000 and "inability to pay (audited accounts)" in found["steps"][4]["explanation"]


@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        (
            {"articles_infringed": [3], "seriousness": "low", "turnover_eur": 1},
            ["body", "articles_infringed"],
            "Art 3 is not among",
        ),
        (
            {"articles_infringed": [58], "seriousness": "low", "turnover_eur": 1},
            ["body", "articles_infringed"],
            "Art 58 is charged as an order not complied with",
        ),
        ({"articles_infringed": [6], "turnover_eur": 1}, ["body", "seriousness"], "give the seriousness"),
        (
            {"turnover_eur": 1, "conducts": [{"seriousness": "low"}]},
            ["body", "conducts", "0", "articles_infringed"],
            "nothing is charged",
        ),
        (
            {"turnover_eur": 1, "seriousness": "low", "conducts": [{"articles_infringed": [6], "seriousness": "low"}]},
            ["body", "seriousness"],
            "within each of conducts",
        ),
        (
            {"articles_infringed": [6], "seriousness": "low", "turnover_eur": 1, "size_position": "1.5"},
            ["body", "size_position"],
            "less than or equal to 1",
        ),
        (
            {
                "articles_infringed": [6],
                "seriousness": "low",
                "turnover_eur": 1,
                "effectiveness": {"percent": 101, "reason": "r"},
            },
            ["body", "effectiveness", "percent"],
            "less than or equal",
        ),
        (
            {
                "articles_infringed": [6],
                "seriousness": "low",
                "turnover_eur": 1,
                "inability_to_pay": {"payable_eur": 1},
            },
            ["body", "inability_to_pay", "evidence"],
            "Field required",
        ),
    ],
)
async def test_a_bad_fine_estimate_gets_422_naming_the_field(case_service, body, loc, message):
    refused = await case_service.http.post("/fine-estimates", headers=staff_for("/fine-estimates"), json=body)
    assert refused.status_code == 422, refused.text
    [error] = refused.json()["detail"]
    assert error["loc"] == loc and message in error["msg"]


async def test_the_record_keeps_who_gave_each_command_from_their_token_and_no_header_can_say_otherwise(
    case_service, tokens
):
    case_id, _ = await open_case(case_service)
    forged_actor = {"X-Actor": "system:deadline-timer"}
    refused = await case_service.http.post(
        f"/cases/{case_id}/investigation",
        json={"opened_on": "2020-08-01", "scope": "s", "decision_reference": "2020-116C"},
        headers=tokens(AUDITOR) | forged_actor | {"If-Match": '"1"'},
    )
    assert refused.status_code == 403 and "needs the role president" in refused.json()["detail"]
    await case_service.http.post(
        f"/cases/{case_id}/investigation",
        json={"opened_on": "2020-08-01", "scope": "s", "decision_reference": "2020-116C"},
        headers=tokens(PRESIDENT) | forged_actor | {"If-Match": '"1"'},
    )
    opened, investigation = (await case_service.http.get(f"/cases/{case_id}/history")).json()
    assert (opened["actor"], opened["actor_role"]) == ("system:complaint-routing", None)
    assert investigation["actor"] == tokens.subject(PRESIDENT)
    assert (investigation["actor_role"], investigation["actor_name"]) == ("president", PRESIDENT)
