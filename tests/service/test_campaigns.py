"""A campaign of 500 complaints against one controller, through the case service with real tokens and into the
notifier as its consumer would take the events: admitted, written about once to the controller and closed in
three requests, each complaint with its own events and its own letter, once, in its complainant's language (the
campaign's complainants write in French and in English); a retried request does nothing twice; a key sent with
another request is refused."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from docket_contracts.events import Body, Controller
from docket_contracts.registry import new_event
from docket_devstack.staff import INTAKE_OFFICER, INVESTIGATOR, Tokens
from services.case import handlers as case_handlers
from services.case.config import CaseSettings
from services.case.main import create_app as case_app
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import Running, serve
from tests.factories import openable_complaint_filed
from tests.service.test_art78_agreement import CASE_QUIET, consume, notifier_takes, published
from tests.service.test_case_service import FixedClock

pytestmark = pytest.mark.service

CAMPAIGN = 500
QUIET = {"run_relay": False, "run_consumer": False}
LANGUAGES = ("fr", "en")  # the campaign's complainants in turn
# A phrase found only in each language's version of a letter of the campaign.
SAYS = {
    "docket.case.complaint_admissibility_decided": {
        "fr": "déclarée recevable le 22 novembre 2026",
        "en": "found it admissible on 22 November 2026",
    },
    "docket.case.complaint_controller_asked": {"fr": "au plus tard le 22 décembre 2026", "en": "by 22 December 2026"},
    "docket.case.complaint_closed": {"fr": "de ne pas y donner suite", "en": "we decided not to pursue it"},
    "docket.case.controller_asked_to_act": {"fr": "personnel, 500 plaintes.", "en": "received 500 complaints"},
}


def written_in(letter: dict) -> str:
    """The language whose phrase the letter says, its html in that language too ("both" or "neither" else)."""
    says = SAYS[letter["source_event_type"]]
    found = [
        language
        for language in LANGUAGES
        if says[language] in letter["text"] and f'lang="{language}"' in letter["html"]
    ]
    return found[0] if len(found) == 1 else "both" if found else "neither"


@pytest.fixture
async def services(configure, closed_port_bootstrap: str) -> AsyncIterator[tuple[Running, Running]]:
    common = dict(kafka_bootstrap_servers=closed_port_bootstrap, **QUIET)
    async with (
        serve(case_app(configure(CaseSettings, **CASE_QUIET, **common), clock=FixedClock(date(2026, 11, 22)))) as case,
        serve(
            notifier_app(configure(NotifierSettings, run_deliveries=False, migrate_on_start=False, **common))
        ) as notifier,
    ):
        yield case, notifier


async def filed_by_a_body(personal, count: int, controller: Controller) -> list:
    noyb = Body(key="noyb", name="noyb")
    return await asyncio.gather(
        *(
            openable_complaint_filed(
                personal,
                name=f"Complainant {n}",
                email=f"complainant{n}@example.org",
                kind="art80_1_mandated",
                mandate_reference=f"noyb/2026/{n}",
                controller=controller,
                category="unlawful_processing",
                received_on=date(2026, 9, 1),
                body=noyb,
                language=LANGUAGES[n % len(LANGUAGES)],
            )
            for n in range(count)
        )
    )


async def test_a_campaign_of_500_is_admitted_written_about_once_and_closed_each_with_its_own_letter(
    services, personal, tokens: Tokens
):
    case, notifier = services
    controller = Controller(key=f"cookies-{uuid4().hex[:8]}", name="Cookie Banners Inc")
    filed = await filed_by_a_body(personal, CAMPAIGN, controller)
    history = [(new_event(f, source="/docket/intake", subject=str(f.complaint_id)), f) for f in filed]
    await consume(case, case_handlers.EVENT_HANDLERS, history)
    await notifier_takes(notifier, history)
    await notifier_takes(notifier, await published(case))  # the case opened, the others joined: their letters

    found = (
        await case.http.get(
            "/campaigns/alike",
            headers=tokens(INTAKE_OFFICER),
            params={"controller": controller.key, "category": "unlawful_processing", "received_from": "2026-09-01"},
        )
    ).json()
    assert found["total"] == CAMPAIGN
    ids = [item["complaint_id"] for item in found["items"]]
    by_body = (
        await case.http.get(
            "/campaigns/alike", headers=tokens(INTAKE_OFFICER), params={"body": "noyb", "received_from": "2026-09-01"}
        )
    ).json()
    assert by_body["total"] >= CAMPAIGN and all(item["body_key"] == "noyb" for item in by_body["items"])
    unnamed = await case.http.get("/campaigns/alike", headers=tokens(INTAKE_OFFICER), params={"category": "other"})
    assert unnamed.status_code == 422
    assert [e["loc"] for e in unnamed.json()["detail"]] == [["query", "controller"], ["query", "body"]]

    async def campaign(path: str, body: dict, key: str, who: str = INTAKE_OFFICER, expect: int = 200) -> dict:
        response = await case.http.post(
            path, json={"complaint_ids": ids, **body}, headers=tokens(who) | {"Idempotency-Key": key}
        )
        assert response.status_code == expect, response.text[:500]
        return response.json()

    admitted = await campaign("/campaigns/admissibility", {"decision": "admissible"}, "admit-1")
    written = await campaign(
        "/campaigns/controller-letters",
        {"request": "Make refusing cookies as easy as accepting them.", "answer_due": "2026-12-22"},
        "write-1",
    )
    closed = await campaign(
        "/campaigns/closure",
        {"reason": "not_pursued", "reasons": "The banner was changed on 20 November; nothing more to pursue."},
        "close-1",
        INVESTIGATOR,
    )
    assert [(a["done"], a["refused"]) for a in (admitted, written, closed)] == [(CAMPAIGN, 0)] * 3
    assert [r["complaint_id"] for r in closed["results"]] == ids  # in the order named

    # A retry answers as the first request did and does nothing again; the key with another request is refused.
    again = await case.http.post(
        "/campaigns/closure",
        json={
            "complaint_ids": ids,
            "reason": "not_pursued",
            "reasons": "The banner was changed on 20 November; nothing more to pursue.",
        },
        headers=tokens(INVESTIGATOR) | {"Idempotency-Key": "close-1"},
    )
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true" and again.json() == closed
    await campaign("/campaigns/closure", {"reason": "withdrawn", "reasons": "other"}, "close-1", expect=409)
    keyless = await case.http.post(
        "/campaigns/closure",
        json={"complaint_ids": ids, "reason": "withdrawn", "reasons": "no key"},
        headers=tokens(INTAKE_OFFICER),
    )
    assert keyless.status_code == 428

    events = await published(case)
    kinds = Counter(e.type.removeprefix("docket.case.") for e, _ in events)
    assert kinds == {
        "complaint_admissibility_decided": CAMPAIGN,
        "controller_asked_to_act": 1,
        "complaint_controller_asked": CAMPAIGN,
        "complaint_closed": CAMPAIGN,
    }
    await notifier_takes(notifier, events)
    async with notifier.runtime.sessions() as session:
        letters = (
            await (await session.connection()).execute(
                sa.text(
                    "SELECT recipient_role, source_event_type, complaint_id, count(*) AS n FROM notifications "
                    "WHERE source_event_id = ANY(:ids) GROUP BY 1, 2, 3"
                ),
                {"ids": [e.id for e, _ in events]},
            )
        ).all()
    to_complainants = Counter(row.source_event_type for row in letters if row.recipient_role == "complainant")
    assert to_complainants == {
        "docket.case.complaint_admissibility_decided": CAMPAIGN,
        "docket.case.complaint_controller_asked": CAMPAIGN,
        "docket.case.complaint_closed": CAMPAIGN,
    }
    assert [row for row in letters if row.n != 1] == []  # each letter once
    assert {row.complaint_id for row in letters if row.recipient_role == "complainant"} == {UUID(i) for i in ids}
    to_controller = [row for row in letters if row.recipient_role == "controller"]
    assert [(row.source_event_type, row.n) for row in to_controller] == [("docket.case.controller_asked_to_act", 1)]

    # Each complainant's letters in their own language, the controller's in the authority's (English here).
    [case_id] = {p.case_id for _, p in events}
    language_of = {str(f.complaint_id): f.language for f in filed}
    assert Counter(language_of.values()) == {"fr": CAMPAIGN // 2, "en": CAMPAIGN // 2}
    read: list[dict] = []
    while page := (
        await notifier.http.get(
            "/notifications",
            params={"case_id": str(case_id), "limit": 500, "offset": len(read)},
            headers=tokens(INVESTIGATOR),
        )
    ).json():
        read += page
    sources = {str(e.id) for e, _ in events}
    languages = Counter(
        (letter["recipient_role"], language_of.get(letter["complaint_id"]), written_in(letter))
        for letter in read
        if letter["source_event_id"] in sources
    )
    assert languages == {
        ("complainant", "fr", "fr"): 3 * CAMPAIGN // 2,
        ("complainant", "en", "en"): 3 * CAMPAIGN // 2,
        ("controller", None, "en"): 1,
    }


async def test_a_bodys_campaign_against_several_controllers_writes_once_to_each(services, personal, tokens: Tokens):
    case, _ = services
    filed = []
    for name in ("Shop One", "Shop Two"):
        controller = Controller(key=f"shop-{uuid4().hex[:8]}", name=name)
        filed += await filed_by_a_body(personal, 3, controller)
    history = [(new_event(f, source="/docket/intake", subject=str(f.complaint_id)), f) for f in filed]
    await consume(case, case_handlers.EVENT_HANDLERS, history)
    await published(case)
    ids = [str(f.complaint_id) for f in filed]
    stranger = str(uuid4())
    headers = tokens(INVESTIGATOR)
    admitted = await case.http.post(
        "/campaigns/admissibility",
        json={"complaint_ids": ids, "decision": "admissible"},
        headers=headers | {"Idempotency-Key": f"admit-{uuid4()}"},
    )
    assert admitted.json()["done"] == 6
    written = await case.http.post(
        "/campaigns/controller-letters",
        json={"complaint_ids": [*ids, stranger], "request": "Stop the tracking pixels."},
        headers=headers | {"Idempotency-Key": f"write-{uuid4()}"},
    )
    assert (written.json()["done"], written.json()["refused"]) == (6, 1)
    assert written.json()["results"][-1] == {
        "complaint_id": stranger,
        "result": "refused",
        "status": 404,
        "detail": f"no case holds complaint {stranger}",
    }
    letters = [p for _, p in await published(case) if type(p).__name__ == "ControllerAskedToAct"]
    assert sorted(len(letter.complaint_ids) for letter in letters) == [3, 3]  # one letter to each controller
