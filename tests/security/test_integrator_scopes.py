"""An integrator's scopes are checked for as long as they receive events, not only when they subscribe.

Before, the scopes of the token that created a subscription were checked once: an integrator whose scope,
or whose whole client, was taken away at the identity provider went on receiving the events. Now each call
an integrator makes keeps what its token covers on its subscriptions; an event is queued only for what they
cover, what was pending of a scope taken away is dropped, and an integrator that has shown no token for a
while has its deliveries wait until it does.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import pytest
import sqlalchemy as sa

from docket_contracts.events import InvestigationOpened, Payload
from docket_contracts.registry import new_event
from docket_devstack.staff import ADMINISTRATOR, Tokens, claims
from docket_messaging.backoff import RetrySchedule
from services.notifier.application import deliveries, subscriptions
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app
from services.notifier.outbound import Answer
from tests.apps import Running, serve

pytestmark = pytest.mark.service

CASES = "docket.events.cases"


@pytest.fixture
async def notifier(configure, closed_port_bootstrap: str) -> AsyncIterator[Running]:
    settings = configure(
        NotifierSettings,
        kafka_bootstrap_servers=closed_port_bootstrap,
        run_relay=False,
        run_consumer=False,
        run_deliveries=False,
        webhook_allow_list=["127.0.0.0/8"],
    )
    async with serve(create_app(settings)) as running:
        yield running


class Receiver:
    def __init__(self) -> None:
        self.posts: list[str] = []

    async def post(self, url: str, headers: dict[str, str], body: bytes) -> Answer:
        self.posts.append(url)
        return Answer(200, None, 1)


async def feed(running: Running, payload: Payload, subject: uuid.UUID) -> None:
    event = new_event(payload, source="/docket/case", subject=str(subject), sequence=1)
    async with running.runtime.sessions() as session, session.begin():
        await running.runtime.handlers[event.type](session, event, payload)


async def deliver(running: Running, receiver: Receiver, **options) -> int:
    """Deliver until nothing is due: the database is shared with other tests, whose deliveries may fill a batch."""
    total = 0
    for _ in range(100):
        sent = await deliveries.deliver_due_webhooks(
            running.runtime.sessions,
            running.app.state.personal,
            receiver,
            schedule=RetrySchedule(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02),
            batch_size=50,
            timeout_s=1.0,
            **options,
        )
        if not sent:
            return total
        total += sent
    raise AssertionError("deliveries still due after 100 rounds")


async def execute(running: Running, sql: str, **params) -> object:
    async with running.runtime.engine.begin() as connection:
        result = await connection.execute(sa.text(sql), params)
        return result.scalar() if result.returns_rows else None


def opened(case_id: uuid.UUID) -> InvestigationOpened:
    return InvestigationOpened(case_id=case_id, opened_on=date(2020, 8, 1), scope="scraping")


async def test_each_call_of_an_integrator_keeps_the_scopes_of_its_token(notifier, tokens: Tokens):
    integrator = tokens.integrator()
    url = f"http://127.0.0.1:9/hook/{uuid.uuid4().hex}"
    created = await notifier.http.post(
        "/subscriptions", json={"url": url, "event_types": ["docket.investigation.opened"]}, headers=integrator
    )
    assert created.status_code == 201, created.text
    await execute(
        notifier,
        "UPDATE subscriptions SET scopes_seen_at = now() - interval '30 days', scopes = '{}' WHERE id = :id",
        id=created.json()["id"],
    )
    listed = await notifier.http.get("/subscriptions", headers=integrator)
    assert listed.status_code == 200
    subject = claims(integrator["Authorization"].removeprefix("Bearer "))["sub"]
    kept = await execute(
        notifier,
        "SELECT json_build_array(scopes, scopes_seen_at > now() - interval '1 minute') FROM subscriptions "
        "WHERE owner = :owner AND id = :id",
        owner=subject,
        id=created.json()["id"],
    )
    assert kept == [[CASES], True]
    # A subscription an administrator made is not an integrator's: no scopes are kept for it.
    staff = await notifier.http.post(
        "/subscriptions",
        json={"url": url, "event_types": ["docket.investigation.opened"]},
        headers=tokens(ADMINISTRATOR),
    )
    assert await execute(notifier, "SELECT scopes FROM subscriptions WHERE id = :id", id=staff.json()["id"]) is None
    for made in (created, staff):  # so that the other tests' events go to nobody else
        await notifier.http.delete(f"/subscriptions/{made.json()['id']}", headers=tokens(ADMINISTRATOR))


async def test_a_scope_taken_away_stops_new_events_and_drops_what_was_pending(notifier, tokens: Tokens):
    owner, url = f"integrator-{uuid.uuid4()}", f"http://127.0.0.1:9/hook/{uuid.uuid4().hex}"
    async with notifier.runtime.sessions() as session:
        row, _ = await subscriptions.create_subscription(
            session,
            notifier.app.state.personal,
            notifier.app.state.resolver,
            ["127.0.0.0/8"],
            owner=owner,
            scopes=[CASES],
            url=url,
            event_types=["docket.investigation.opened"],
            controller_key=None,
            case_id=None,
            description=None,
        )
    pending_case, later_case = uuid.uuid4(), uuid.uuid4()
    await feed(notifier, opened(pending_case), pending_case)  # queued while the scope held

    async with notifier.runtime.sessions() as session:
        await subscriptions.note_scopes(session, owner, [])  # the owner's next token: the scope is gone
    await feed(notifier, opened(later_case), later_case)
    receiver = Receiver()
    await deliver(notifier, receiver)
    assert url not in receiver.posts
    dead = await execute(
        notifier, "SELECT dead_reason FROM deliveries WHERE subscription_id = :id AND status = 'dead'", id=row.id
    )
    assert dead == f"the owner's token no longer has the scope {CASES}"
    queued = await execute(notifier, "SELECT count(*) FROM deliveries WHERE subscription_id = :id", id=row.id)
    assert queued == 1  # the event after the scope went was never queued
    await notifier.http.delete(f"/subscriptions/{row.id}", headers=tokens(ADMINISTRATOR))


async def test_an_integrator_that_shows_no_token_for_too_long_has_its_deliveries_wait(notifier, tokens: Tokens):
    owner, url = f"integrator-{uuid.uuid4()}", f"http://127.0.0.1:9/hook/{uuid.uuid4().hex}"
    async with notifier.runtime.sessions() as session:
        row, _ = await subscriptions.create_subscription(
            session,
            notifier.app.state.personal,
            notifier.app.state.resolver,
            ["127.0.0.0/8"],
            owner=owner,
            scopes=[CASES],
            url=url,
            event_types=["docket.investigation.opened"],
            controller_key=None,
            case_id=None,
            description=None,
        )
    await execute(
        notifier, "UPDATE subscriptions SET scopes_seen_at = now() - interval '8 days' WHERE id = :id", id=row.id
    )
    case = uuid.uuid4()
    await feed(notifier, opened(case), case)
    receiver = Receiver()
    await deliver(notifier, receiver, scopes_max_age_s=7 * 86_400)
    assert url not in receiver.posts
    async with notifier.runtime.sessions() as session:
        await subscriptions.note_scopes(session, owner, [CASES])  # it calls again: its scope still holds
    await deliver(notifier, receiver, scopes_max_age_s=7 * 86_400)
    assert receiver.posts.count(url) == 1
    await notifier.http.delete(f"/subscriptions/{row.id}", headers=tokens(ADMINISTRATOR))
