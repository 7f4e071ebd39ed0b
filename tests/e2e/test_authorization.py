"""Who may call what, over every route of the three services, with real tokens from the real Keycloak.

The table below is the decision, written independently of the code: a route the services serve that is
not in it, or a route in it that they do not serve, fails the first test. Then every route is called with
no token, four kinds of bad token (another key, another issuer, expired, for another audience) and the
token of each identity: a protected route answers 401 to the first five, 403 to an identity without one
of its roles, and 2xx to each identity that has one, with a real request built on real data.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import rsa

from docket_contracts.checkpoints import new_signing_key
from docket_contracts.cooperation import AssistanceRequested, CooperationFrameRecorded
from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Injunction, Order, TimeLimit
from docket_contracts.registry import new_event
from docket_devstack.staff import (
    ADMINISTRATOR,
    AUDITOR,
    INTAKE_OFFICER,
    INVESTIGATOR,
    PRESIDENT,
    RAPPORTEUR,
    SANCTIONS_COMMITTEE,
    STAFF,
    Tokens,
)
from docket_exchange.keys import OwnKey, PeerKeys, jwks
from docket_exchange.messages import Exchange
from docket_identity.http import api_routes
from docket_identity.roles import Role
from services.case import application, handling
from services.case import readside as case_readside
from services.case import store as case_store
from services.case.config import CaseSettings
from services.case.domain import (
    AskController,
    CaseState,
    Cooperate,
    DecideAdmissibility,
    Deliberation,
    ImposeSanction,
    IssueFormalNotice,
    LodgeAppeal,
    NotifyReport,
    OpenInvestigation,
    OpenLiquidation,
    PublishDecision,
    RecordFinding,
    RecordHearing,
    RecordNoticeNotification,
    RecordObservations,
    RecordRapporteurAnswer,
    ReferToCommittee,
    SummonController,
)
from services.case.main import create_app as case_app
from services.intake.config import IntakeSettings
from services.intake.main import create_app as intake_app
from services.notifier import store as notifier_store
from services.notifier.config import NotifierSettings
from services.notifier.main import create_app as notifier_app
from tests.apps import Running, serve
from tests.factories import complaint_filed, submission

pytestmark = pytest.mark.e2e

INTEGRATOR = "integrator"  # the demo integrator client, as an identity of this table
IDENTITIES = (*STAFF, INTEGRATOR)
ROLE_OF = {
    INTAKE_OFFICER: Role.INTAKE_OFFICER,
    PRESIDENT: Role.PRESIDENT,
    RAPPORTEUR: Role.RAPPORTEUR,
    INVESTIGATOR: Role.INVESTIGATOR,
    SANCTIONS_COMMITTEE: Role.SANCTIONS_COMMITTEE,
    AUDITOR: Role.AUDITOR,
    ADMINISTRATOR: Role.ADMINISTRATOR,
    INTEGRATOR: Role.INTEGRATOR,
}
PUBLIC: frozenset[Role] = frozenset()
I, P, R, V, S, A, D, G = (  # noqa: E741 -- the roles by initial, so that the matrix reads as a table
    Role.INTAKE_OFFICER,
    Role.PRESIDENT,
    Role.RAPPORTEUR,
    Role.INVESTIGATOR,
    Role.SANCTIONS_COMMITTEE,
    Role.AUDITOR,
    Role.ADMINISTRATOR,
    Role.INTEGRATOR,
)

# service, method, path -> the roles that may call it (PUBLIC: anyone, no token needed).
EXPECTED: dict[tuple[str, str, str], frozenset[Role]] = {
    **{
        (service, "GET", path): PUBLIC
        for service in ("intake", "case", "notifier")
        for path in ("/healthz", "/readyz", "/metrics")
    },
    ("intake", "POST", "/complaints"): PUBLIC,
    ("intake", "POST", "/paper-complaints"): frozenset({I}),
    ("intake", "GET", "/complaints/{reference}/status"): PUBLIC,
    ("intake", "POST", "/complaints/{reference}/withdrawal"): PUBLIC,
    ("intake", "POST", "/complaints/{reference}/address-proof"): PUBLIC,
    ("intake", "POST", "/complaints/{reference}/evidence"): PUBLIC,
    ("intake", "GET", "/complaints"): frozenset({I, V, A}),
    ("intake", "GET", "/complaints/{complaint_id}"): frozenset({I, V, A}),
    ("intake", "GET", "/complaints/{complaint_id}/evidence"): frozenset({I, V, A}),
    ("intake", "GET", "/complaints/{complaint_id}/evidence/{evidence_id}"): frozenset({I, V, A}),
    ("intake", "POST", "/complaints/{complaint_id}/erasure"): frozenset({D}),
    ("intake", "GET", "/complaints/{complaint_id}/personal-data"): frozenset({D}),
    ("case", "GET", "/cases"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/art78-overdue"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/cases/{case_id}"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/cases/{case_id}/history"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/cases/{case_id}/timeline.svg"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/cases/{case_id}/complaints"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/cases/{case_id}/integrity"): frozenset({A, D}),
    ("case", "POST", "/cases/{case_id}/investigation"): frozenset({P}),
    ("case", "POST", "/cases/{case_id}/checks"): frozenset({V}),
    ("case", "POST", "/cases/{case_id}/findings"): frozenset({V}),
    ("case", "POST", "/cases/{case_id}/warnings"): frozenset({P}),
    ("case", "POST", "/cases/{case_id}/formal-notices"): frozenset({P}),
    ("case", "POST", "/cases/{case_id}/formal-notices/{notice_id}/extension"): frozenset({P}),
    ("case", "POST", "/cases/{case_id}/formal-notices/{notice_id}/compliance"): frozenset({V}),
    ("case", "POST", "/cases/{case_id}/formal-notices/{notice_id}/notification"): frozenset({P}),
    ("case", "POST", "/cases/{case_id}/referral"): frozenset({P}),
    ("case", "POST", "/cases/{case_id}/report"): frozenset({R}),
    ("case", "POST", "/cases/{case_id}/file-access"): frozenset({R}),
    ("case", "POST", "/cases/{case_id}/observations"): frozenset({R}),
    ("case", "POST", "/cases/{case_id}/observations/extension"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/rapporteur-answer"): frozenset({R}),
    ("case", "POST", "/cases/{case_id}/controller-reply"): frozenset({R}),
    ("case", "POST", "/cases/{case_id}/summons"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/hearing"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/simplified-interruption"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/notification"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/sanctions"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/reprimands"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/publications"): frozenset({P, S}),
    ("case", "POST", "/cases/{case_id}/publications/{publication_id}/withdrawal"): frozenset({P, S}),
    ("case", "POST", "/cases/{case_id}/appeals"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/appeals/{appeal_id}/ruling"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/compliance"): frozenset({V}),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/liquidations"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/liquidation/observations"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/liquidation/decision"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/injunction-end"): frozenset({S}),
    ("case", "POST", "/cases/{case_id}/closure"): frozenset({V, S}),
    ("case", "POST", "/fine-estimates"): frozenset({V, S}),
    ("case", "GET", "/complaints/{complaint_id}/handling"): frozenset({I, P, R, V, S, A}),
    ("case", "POST", "/complaints/{complaint_id}/assignment"): frozenset({I, V}),
    ("case", "POST", "/complaints/{complaint_id}/admissibility"): frozenset({I, V}),
    ("case", "POST", "/complaints/{complaint_id}/controller-letters"): frozenset({I, V}),
    ("case", "POST", "/complaints/{complaint_id}/investigation"): frozenset({V}),
    ("case", "POST", "/complaints/{complaint_id}/transfer"): frozenset({I, V}),
    ("case", "POST", "/complaints/{complaint_id}/closure"): frozenset({I, V}),
    ("case", "POST", "/cases/{case_id}/controller-letters/{letter_id}/answer"): frozenset({I, V}),
    ("case", "POST", "/cases/{case_id}/assignment"): frozenset({V}),
    ("case", "GET", "/queue/{view}"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/workload"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/campaigns/alike"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/stats"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/stats.csv"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/stats/{chart}.svg"): frozenset({I, P, R, V, S, A}),
    ("case", "POST", "/campaigns/assignment"): frozenset({I, V}),
    ("case", "POST", "/campaigns/admissibility"): frozenset({I, V}),
    ("case", "POST", "/campaigns/controller-letters"): frozenset({I, V}),
    ("case", "POST", "/campaigns/closure"): frozenset({I, V}),
    ("case", "GET", "/.well-known/jwks.json"): PUBLIC,
    ("case", "POST", "/cooperation/messages"): PUBLIC,  # authenticated by the message's signature
    ("case", "POST", "/cases/{case_id}/cooperation/frame"): frozenset({P, V}),
    ("case", "POST", "/cases/{case_id}/cooperation/steps"): frozenset({P, V}),
    ("case", "GET", "/cooperation/deadlines"): frozenset({I, P, R, V, S, A}),
    ("case", "GET", "/cooperation/waiting"): frozenset({I, P, R, V, S, A}),
    ("case", "POST", "/cases/{case_id}/cooperation/attach"): frozenset({P, V}),
    ("notifier", "POST", "/subscriptions"): frozenset({D, G}),
    ("notifier", "GET", "/subscriptions"): frozenset({D, A, G}),
    ("notifier", "GET", "/subscriptions/{subscription_id}"): frozenset({D, A, G}),
    ("notifier", "POST", "/subscriptions/{subscription_id}/rotate-secret"): frozenset({D, G}),
    ("notifier", "POST", "/subscriptions/{subscription_id}/pause"): frozenset({D, G}),
    ("notifier", "POST", "/subscriptions/{subscription_id}/resume"): frozenset({D, G}),
    ("notifier", "DELETE", "/subscriptions/{subscription_id}"): frozenset({D, G}),
    ("notifier", "GET", "/subscriptions/{subscription_id}/deliveries"): frozenset({D, A, G}),
    ("notifier", "GET", "/deliveries"): frozenset({D, A, G}),
    ("notifier", "GET", "/deliveries/{delivery_id}"): frozenset({D, A, G}),
    ("notifier", "POST", "/deliveries/{delivery_id}/redeliver"): frozenset({D, G}),
    ("notifier", "PUT", "/controllers/{controller_key}/contact"): frozenset({D}),
    ("notifier", "GET", "/controllers/{controller_key}/contact"): frozenset({D, A}),
    ("notifier", "GET", "/notifications"): frozenset({I, P, R, V, S, A, D}),
    ("notifier", "GET", "/notifications/{notification_id}"): frozenset({I, P, R, V, S, A, D}),
}

HOOK = "http://127.0.0.1:9/hook"  # allow-listed below; nothing is sent (deliveries do not run)
CONTROLLER = {"name": "Matrix Test Controller"}  # not Clearview AI, whose case the Clearview story opens
NOTICE = {
    "orders": [{"point": "f", "text": "stop the processing"}],
    "issued_on": "2021-11-26",
    "reference": "MED-2021-134",
    "time_limit": {"months": 2},
}


@dataclass
class Call:
    method: str
    path: str
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] | None = None


@dataclass
class World:
    apps: dict[str, Running]
    tokens: Tokens
    subscriptions: dict[str, str] = field(default_factory=dict)  # owner identity -> subscription id

    def headers(self, who: str) -> dict[str, str]:
        return self.tokens.integrator() if who == INTEGRATOR else self.tokens(who)

    def cooperation_message(self, event: CloudEvent | None = None) -> Call:
        """A message to the case service from the peer authority of its directory, signed with the peer's key."""
        cooperation = self.apps["case"].app.state.cooperation
        peer = Exchange(PEER, PEER_KEY, cooperation.directory, cooperation.exchange.peer_keys)
        event = event or CloudEvent(
            type="docket.case.mutual_assistance_requested",
            source=f"/docket/{PEER}/case",
            subject=str(uuid.uuid4()),
            dataschema="",
            data={"cooperation_reference": "IMI-2026-0001"},
        )
        token = peer.sign(event, cooperation.exchange.own_id)
        return Call(
            "POST", "/cooperation/messages", content=token.encode(), headers={"content-type": "application/jwt"}
        )

    def owner(self, who: str) -> str:
        """Whose subscription an identity works on: an integrator its own, staff the administrator's."""
        return INTEGRATOR if who == INTEGRATOR else ADMINISTRATOR

    # --- intake -------------------------------------------------------------------------------------------
    async def complaint(self) -> dict:
        # Received on paper in 2020, as the case's dates below assume.
        filed = await self.apps["intake"].http.post(
            "/paper-complaints",
            json=submission(received_on="2020-05-25", controller=CONTROLLER),
            headers=self.tokens(INTAKE_OFFICER),
        )
        assert filed.status_code == 201, filed.text
        return filed.json()

    async def evidence(self) -> tuple[dict, str]:
        receipt = await self.complaint()
        uploaded = await self.apps["intake"].http.post(
            f"/complaints/{receipt['reference']}/evidence",
            params={"filename": "letter.txt"},
            content=b"a letter",
            headers={"X-Status-Token": receipt["status_token"], "Content-Type": "text/plain"},
        )
        assert uploaded.status_code == 201, uploaded.text
        return receipt, uploaded.json()["id"]

    # --- case ---------------------------------------------------------------------------------------------
    async def case(self, *commands: Callable[[CaseState], Any]) -> tuple[uuid.UUID, CaseState]:
        """A fresh case (opened from a complaint) after `commands`, each built from the state it meets."""
        service = self.apps["case"].runtime
        complaint = complaint_filed(
            controller=complaint_filed().controller.model_copy(update={"key": f"controller-{uuid.uuid4().hex[:10]}"})
        )
        async with service.sessions() as session, session.begin():
            await application.route_complaint(case_store.PostgresCases(session), complaint)
            case_id = await case_store.case_of_complaint(session, complaint.complaint_id)
        assert case_id is not None
        state = None
        async with service.sessions() as session:
            state = await case_store.load(session, case_id)
        for command in commands:
            async with service.sessions() as session:
                state, _ = await application.execute(
                    case_store.PostgresCases(session),
                    case_id,
                    state.version,
                    command(state),
                    case_store.Actor("test-setup"),
                )
        return case_id, state

    async def handled(
        self, *steps: Callable[[uuid.UUID], Any], investigate: bool = False
    ) -> tuple[uuid.UUID, uuid.UUID]:
        """A fresh case's complaint after the handling `steps` (each built from the complaint's id), its case
        investigating if `investigate`; returns (case id, complaint id)."""
        service = self.apps["case"].runtime
        complaint = complaint_filed(
            controller=complaint_filed().controller.model_copy(update={"key": f"controller-{uuid.uuid4().hex[:10]}"})
        )
        async with service.sessions() as session, session.begin():
            await application.route_complaint(case_store.PostgresCases(session), complaint)
            case_id = await case_store.case_of_complaint(session, complaint.complaint_id)
        assert case_id is not None
        setup = case_store.Actor("test-setup")
        if investigate:
            async with service.sessions() as session:
                await application.execute(case_store.PostgresCases(session), case_id, 1, investigating(None), setup)
        for step in steps:
            async with service.sessions() as session:
                await handling.run(case_store.PostgresCases(session), case_id, step(complaint.complaint_id), setup)
        return case_id, complaint.complaint_id

    # --- notifier -----------------------------------------------------------------------------------------
    async def subscription(self, owner: str) -> str:
        created = await self.apps["notifier"].http.post(
            "/subscriptions", headers=self.headers(owner), json={"url": HOOK, "event_types": ["docket.case.opened"]}
        )
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    async def delivery(self, owner: str, status: str = "dead") -> str:
        delivery_id = uuid.uuid4()
        async with self.apps["notifier"].runtime.sessions() as session, session.begin():
            session.add(
                notifier_store.DeliveryRow(
                    id=delivery_id,
                    subscription_id=uuid.UUID(self.subscriptions[owner]),
                    event_id=str(uuid.uuid4()),
                    event_type="docket.case.opened",
                    ordering_key=str(uuid.uuid4()),
                    body={},
                    status=status,
                    attempts=8,
                    dead_reason="gave up",
                )
            )
        return str(delivery_id)

    async def notification(self) -> str:
        notification_id = uuid.uuid4()
        async with self.apps["notifier"].runtime.sessions() as session, session.begin():
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
        return str(notification_id)


COOPERATION_FRAME = {
    "recorded_on": "2027-05-10",
    "cross_border": True,
    "basis": "4(23)(a)",
    "establishment": "main_establishment",
    "establishment_state": "IE",
    "role": "concerned",
    "lead": "IE-DPC",
    "concerned": [{"authority": "FR-CNIL", "reasons": ["b", "c"]}],
}


def cooperation_framed(state):
    frame = CooperationFrameRecorded(case_id=state.case_id, authority="FR-CNIL", **COOPERATION_FRAME)
    return Cooperate(frame, "FR-CNIL", frozenset({"FR-CNIL", "IE-DPC"}))


def investigating(state):
    return OpenInvestigation(opened_on=date(2020, 8, 1), scope="scraping", reference="2020-116C")


def finding(state):
    return RecordFinding(finding_id=uuid.uuid4(), articles=(6, 15), facts="no legal basis")


def notice(state):
    return IssueFormalNotice(
        notice_id=uuid.uuid4(),
        orders=(Order(point="f", text="stop"),),
        issued_on=date(2021, 11, 26),
        time_limit=TimeLimit(months=2),
        reference="MED-2021-134",
    )


def notice_notified(state):
    return RecordNoticeNotification(notice_id=state.notices[0].notice_id, notified_on=date(2021, 11, 26))


def notice_published(state):
    return PublishDecision(
        publication_id=uuid.uuid4(),
        decision_id=state.notices[0].notice_id,
        published_on=date(2021, 12, 16),
        anonymised_on=date(2023, 12, 16),
        decided_by="bureau",
    )


def sanction_published(state):
    return PublishDecision(
        publication_id=uuid.uuid4(),
        decision_id=state.sanctions[0].sanction_id,
        published_on=date(2022, 10, 20),
        anonymised_on=date(2024, 10, 20),
        decided_by="restricted_committee",
    )


def sanction_appealed(state):
    return LodgeAppeal(appeal_id=uuid.uuid4(), decision_id=state.sanctions[0].sanction_id, lodged_on=date(2022, 12, 16))


def referral(state):
    return ReferToCommittee(
        proceedings_id=uuid.uuid4(),
        referred_on=date(2022, 6, 2),
        reference="decision of 2 June 2022",
        rapporteur="Claude Castelluccia",
        rapporteur_kind="commissioner",
    )


def simplified_referral(state):
    return ReferToCommittee(
        proceedings_id=uuid.uuid4(),
        referred_on=date(2022, 6, 2),
        reference="decision of 2 June 2022",
        rapporteur="Agnès Agent",
        rapporteur_kind="agent",
        procedure="simplified",
        deciding_member="Alexandre Linden",
    )


def report(state):
    return NotifyReport(notified_on=date(2022, 7, 14), documents=("the report",))


def observations(state):
    return RecordObservations(received_on=date(2022, 8, 10))


def answer(state):
    return RecordRapporteurAnswer(answered_on=date(2022, 9, 1))


def summons(state):
    return SummonController(summoned_on=date(2022, 9, 13), hearing_on=date(2022, 10, 13))


def hearing(state):
    return RecordHearing(held_on=date(2022, 10, 13), public=True, speakers=("rapporteur",))


HEARD = (referral, report, summons, hearing)


def liquidation_opened(state):
    return OpenLiquidation(
        liquidation_id=uuid.uuid4(),
        sanction_id=state.sanctions[0].sanction_id,
        opened_on=date(2023, 2, 9),
        period_start=date(2022, 12, 19),
        period_end=date(2023, 2, 9),
        convention="exclusive_end",
        envisaged_amount_eur=5_200_000,
        reasons="no proof of compliance",
    )


DELIBERATION = {"reference": "SAN-2022-019", "members": ["Alexandre Linden", "Anne Debet", "Alain Dru", "Anne X"]}


def sanction_with_penalty(state):
    return ImposeSanction(
        sanction_id=uuid.uuid4(),
        decided_on=date(2022, 10, 17),
        fine_eur=20_000_000,
        turnover_eur=None,
        articles=(6, 15),
        injunction=Injunction(
            orders=(Order(point="f", text="stop"),), deadline=date(2022, 12, 18), daily_penalty_eur=100_000
        ),
        deliberation=Deliberation("SAN-2022-019", ("Alexandre Linden", "Anne Debet", "Alain Dru", "Anne X"), 4),
    )


Builder = Callable[[World, str], Awaitable[Call]]


async def _version(world: World, case_id: uuid.UUID) -> int:
    async with world.apps["case"].runtime.sessions() as session:
        return (await case_store.load(session, case_id)).version


def _command(
    path: str, body: dict | Callable[[Any], dict], *commands: Any, sub: Callable[[Any], str] | None = None
) -> Builder:
    """A command on a fresh case after `commands`; its body, or the body built from the state the case is in."""

    async def build(world: World, who: str) -> Call:
        case_id, state = await world.case(*commands)
        target = path.format(case_id=case_id, sub=sub(state) if sub else "")
        fields = body(state) if callable(body) else body
        return Call("POST", target, json=fields | {"expected_version": state.version})

    return build


def _by_publisher(bureau: Builder, committee: Builder) -> Builder:
    """A publication's command as the caller's role gives it: the President for the bureau, else the committee."""

    async def build(world: World, who: str) -> Call:
        return await (bureau if ROLE_OF[who] == Role.PRESIDENT else committee)(world, who)

    return build


def admitted(complaint_id: uuid.UUID) -> DecideAdmissibility:
    return DecideAdmissibility((complaint_id,), "admissible", date(2020, 9, 1))


def put_to_the_controller(complaint_id: uuid.UUID) -> AskController:
    return AskController((complaint_id,), uuid.uuid4(), "Act.", date(2020, 9, 2), date(2020, 10, 2))


def _complaint_step(
    tail: str, body: dict, *steps: Callable[[uuid.UUID], Any], investigate: bool = False, method: str = "POST"
) -> Builder:
    """A route of a fresh complaint's handling, after `steps`."""

    async def build(world: World, who: str) -> Call:
        _, complaint_id = await world.handled(*steps, investigate=investigate)
        return Call(method, f"/complaints/{complaint_id}{tail}", json=body if method == "POST" else None)

    return build


async def _answer(world: World, who: str) -> Call:
    case_id, complaint_id = await world.handled(admitted, put_to_the_controller)
    async with world.apps["case"].runtime.sessions() as session:
        letter = (await case_readside.complaints.records(session, case_id, [complaint_id]))[complaint_id].letter_id
    return Call("POST", f"/cases/{case_id}/controller-letters/{letter}/answer", json={"summary": "done"})


def _campaign(tail: str, body: dict, *steps: Callable[[uuid.UUID], Any]) -> Builder:
    """A campaign's request on two fresh complaints of one controller, after `steps` on each."""

    async def build(world: World, who: str) -> Call:
        ids = [str((await world.handled(*steps))[1]) for _ in range(2)]
        headers = {"Idempotency-Key": f"matrix-{uuid.uuid4()}"}
        return Call("POST", f"/campaigns/{tail}", json={"complaint_ids": ids, **body}, headers=headers)

    return build


async def _case_assignment(world: World, who: str) -> Call:
    case_id, _ = await world.handled()
    return Call("POST", f"/cases/{case_id}/assignment", json={"me": True})


def _get(path: str) -> Builder:
    async def build(world: World, who: str) -> Call:
        return Call("GET", path)

    return build


async def _complaint_path(world: World, who: str, tail: str = "") -> Call:
    receipt = await world.complaint()
    return Call("GET", f"/complaints/{receipt['id']}{tail}")


async def _evidence_download(world: World, who: str) -> Call:
    receipt, evidence_id = await world.evidence()
    return Call("GET", f"/complaints/{receipt['id']}/evidence/{evidence_id}")


async def _subscription_call(world: World, who: str, method: str, tail: str = "", fresh: bool = False) -> Call:
    owner = world.owner(who)
    subscription_id = await world.subscription(owner) if fresh else world.subscriptions[owner]
    return Call(method, f"/subscriptions/{subscription_id}{tail}")


BUILDERS: dict[tuple[str, str, str], Builder] = {
    **{
        (service, "GET", path): _get(path)
        for service in ("intake", "case", "notifier")
        for path in ("/healthz", "/readyz", "/metrics")
    },
    ("intake", "POST", "/complaints"): lambda w, who: _ready(
        Call("POST", "/complaints", json=submission(controller=CONTROLLER))
    ),
    ("intake", "POST", "/paper-complaints"): lambda w, who: _ready(
        Call("POST", "/paper-complaints", json=submission(controller=CONTROLLER, received_on="2020-05-25"))
    ),
    ("intake", "GET", "/complaints/{reference}/status"): lambda w, who: _receipt_call(w, "GET", "/status"),
    ("intake", "POST", "/complaints/{reference}/withdrawal"): lambda w, who: _receipt_call(w, "POST", "/withdrawal"),
    # A paper complaint's address is proven already: proving it again is answered as the first time.
    ("intake", "POST", "/complaints/{reference}/address-proof"): lambda w, who: _receipt_call(
        w, "POST", "/address-proof", json={"code": "7K3Q-9ZXM"}
    ),
    ("intake", "POST", "/complaints/{reference}/evidence"): lambda w, who: _receipt_call(
        w,
        "POST",
        "/evidence",
        content=b"a letter",
        params={"filename": "a.txt"},
        headers={"Content-Type": "text/plain"},
    ),
    ("intake", "GET", "/complaints"): _get("/complaints"),
    ("intake", "GET", "/complaints/{complaint_id}"): lambda w, who: _complaint_path(w, who),
    ("intake", "GET", "/complaints/{complaint_id}/evidence"): lambda w, who: _complaint_path(w, who, "/evidence"),
    ("intake", "GET", "/complaints/{complaint_id}/evidence/{evidence_id}"): _evidence_download,
    ("intake", "POST", "/complaints/{complaint_id}/erasure"): lambda w, who: _post_complaint(w, "/erasure"),
    ("intake", "GET", "/complaints/{complaint_id}/personal-data"): lambda w, who: _complaint_path(
        w, who, "/personal-data"
    ),
    ("case", "GET", "/cases"): _get("/cases"),
    ("case", "GET", "/.well-known/jwks.json"): _get("/.well-known/jwks.json"),
    ("case", "POST", "/cooperation/messages"): lambda w, who: _ready(w.cooperation_message()),
    ("case", "GET", "/art78-overdue"): _get("/art78-overdue"),
    ("case", "GET", "/cases/{case_id}"): lambda w, who: _case_get(w, ""),
    ("case", "GET", "/cases/{case_id}/history"): lambda w, who: _case_get(w, "/history"),
    ("case", "GET", "/cases/{case_id}/timeline.svg"): lambda w, who: _case_get(w, "/timeline.svg"),
    ("case", "GET", "/cases/{case_id}/complaints"): lambda w, who: _case_get(w, "/complaints"),
    ("case", "GET", "/cases/{case_id}/integrity"): lambda w, who: _case_get(w, "/integrity"),
    ("case", "POST", "/cases/{case_id}/cooperation/frame"): _command(
        "/cases/{case_id}/cooperation/frame", COOPERATION_FRAME
    ),
    ("case", "POST", "/cases/{case_id}/cooperation/steps"): _command(
        "/cases/{case_id}/cooperation/steps",
        {
            "step": "assistance_requested",
            "requested": "IE-DPC",
            "received_on": "2027-06-01",
            "asks": "information",
            "purpose": "p",
            "reasons": "r",
        },
        cooperation_framed,
    ),
    ("case", "GET", "/cooperation/deadlines"): _get("/cooperation/deadlines"),
    ("case", "GET", "/cooperation/waiting"): _get("/cooperation/waiting"),
    ("case", "POST", "/cases/{case_id}/cooperation/attach"): lambda w, who: _attach(w, who),
    ("case", "POST", "/cases/{case_id}/investigation"): _command(
        "/cases/{case_id}/investigation", {"opened_on": "2020-08-01", "scope": "s", "decision_reference": "2020-116C"}
    ),
    ("case", "POST", "/cases/{case_id}/checks"): _command(
        "/cases/{case_id}/checks",
        {"kind": "questionnaire", "carried_out_on": "2020-10-27", "description": "q"},
        investigating,
    ),
    ("case", "POST", "/cases/{case_id}/findings"): _command(
        "/cases/{case_id}/findings", {"articles": [6], "facts": "f"}, investigating
    ),
    ("case", "POST", "/cases/{case_id}/warnings"): _command(
        "/cases/{case_id}/warnings",
        {"decided_on": "2021-11-26", "reference": "AVT-1", "articles": [6], "intended_processing": "p"},
        investigating,
    ),
    ("case", "POST", "/cases/{case_id}/formal-notices"): _command(
        "/cases/{case_id}/formal-notices", NOTICE, investigating, finding
    ),
    ("case", "POST", "/cases/{case_id}/formal-notices/{notice_id}/extension"): _command(
        "/cases/{case_id}/formal-notices/{sub}/extension",
        {"decided_on": "2022-01-20", "extension": {"months": 1}, "reasons": "complex"},
        investigating,
        finding,
        notice,
        notice_notified,
        sub=lambda state: str(state.notices[0].notice_id),
    ),
    ("case", "POST", "/cases/{case_id}/formal-notices/{notice_id}/compliance"): _command(
        "/cases/{case_id}/formal-notices/{sub}/compliance",
        {"complied_on": "2022-01-20"},
        investigating,
        finding,
        notice,
        sub=lambda state: str(state.notices[0].notice_id),
    ),
    ("case", "POST", "/cases/{case_id}/formal-notices/{notice_id}/notification"): _command(
        "/cases/{case_id}/formal-notices/{sub}/notification",
        {"notified_on": "2021-12-01"},
        investigating,
        finding,
        notice,
        sub=lambda state: str(state.notices[0].notice_id),
    ),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/notification"): _command(
        "/cases/{case_id}/sanctions/{sub}/notification",
        {"notified_on": "2022-10-20"},
        investigating,
        finding,
        *HEARD,
        sanction_with_penalty,
        sub=lambda state: str(state.sanctions[0].sanction_id),
    ),
    ("case", "POST", "/cases/{case_id}/referral"): _command(
        "/cases/{case_id}/referral",
        {
            "referred_on": "2022-06-02",
            "reference": "decision of 2 June 2022",
            "rapporteur": {"name": "Claude Castelluccia", "kind": "commissioner"},
        },
        investigating,
        finding,
    ),
    ("case", "POST", "/cases/{case_id}/report"): _command(
        "/cases/{case_id}/report",
        {"notified_on": "2022-07-14", "documents": ["the report"]},
        investigating,
        finding,
        referral,
    ),
    ("case", "POST", "/cases/{case_id}/file-access"): _command(
        "/cases/{case_id}/file-access",
        {"consulted_on": "2022-07-20", "documents": ["the report"]},
        investigating,
        finding,
        referral,
        report,
    ),
    ("case", "POST", "/cases/{case_id}/observations"): _command(
        "/cases/{case_id}/observations", {"received_on": "2022-08-10"}, investigating, finding, referral, report
    ),
    ("case", "POST", "/cases/{case_id}/observations/extension"): _command(
        "/cases/{case_id}/observations/extension",
        {"decided_on": "2022-08-01", "until": "2022-09-14", "reasons": "a long file"},
        investigating,
        finding,
        referral,
        report,
    ),
    ("case", "POST", "/cases/{case_id}/rapporteur-answer"): _command(
        "/cases/{case_id}/rapporteur-answer",
        {"answered_on": "2022-09-01"},
        investigating,
        finding,
        referral,
        report,
        observations,
    ),
    ("case", "POST", "/cases/{case_id}/controller-reply"): _command(
        "/cases/{case_id}/controller-reply",
        {"replied_on": "2022-09-05"},
        investigating,
        finding,
        referral,
        report,
        observations,
        answer,
    ),
    ("case", "POST", "/cases/{case_id}/summons"): _command(
        "/cases/{case_id}/summons",
        {"summoned_on": "2022-09-13", "hearing_on": "2022-10-13"},
        investigating,
        finding,
        referral,
        report,
    ),
    ("case", "POST", "/cases/{case_id}/hearing"): _command(
        "/cases/{case_id}/hearing",
        {"held_on": "2022-10-13", "public": True, "speakers": ["rapporteur", "controller"]},
        investigating,
        finding,
        referral,
        report,
        summons,
    ),
    ("case", "POST", "/cases/{case_id}/simplified-interruption"): _command(
        "/cases/{case_id}/simplified-interruption",
        {"interrupted_on": "2022-07-01", "reasons": "not simple"},
        investigating,
        finding,
        simplified_referral,
    ),
    ("case", "POST", "/cases/{case_id}/sanctions"): _command(
        "/cases/{case_id}/sanctions",
        {"decided_on": "2022-10-17", "fine_eur": 1000, "articles_infringed": [6]} | DELIBERATION,
        investigating,
        finding,
        *HEARD,
    ),
    ("case", "POST", "/cases/{case_id}/reprimands"): _command(
        "/cases/{case_id}/reprimands",
        {"decided_on": "2022-10-17", "articles_infringed": [15], "reasons": "late"} | DELIBERATION,
        investigating,
        finding,
        *HEARD,
    ),
    # the President asks the bureau to make the notice public; a committee member, the committee's sanction
    ("case", "POST", "/cases/{case_id}/publications"): _by_publisher(
        _command(
            "/cases/{case_id}/publications",
            lambda state: {
                "decision_id": str(state.notices[0].notice_id),
                "published_on": "2021-12-16",
                "anonymised_on": "2023-12-16",
                "decided_by": "bureau",
            },
            investigating,
            finding,
            notice,
        ),
        _command(
            "/cases/{case_id}/publications",
            lambda state: {
                "decision_id": str(state.sanctions[0].sanction_id),
                "published_on": "2022-10-20",
                "anonymised_on": "2024-10-20",
                "decided_by": "restricted_committee",
            },
            investigating,
            finding,
            *HEARD,
            sanction_with_penalty,
        ),
    ),
    ("case", "POST", "/cases/{case_id}/publications/{publication_id}/withdrawal"): _by_publisher(
        _command(
            "/cases/{case_id}/publications/{sub}/withdrawal",
            {"withdrawn_on": "2023-12-16", "reasons": "two years", "decided_by": "bureau"},
            investigating,
            finding,
            notice,
            notice_published,
            sub=lambda state: str(state.publications[0].publication_id),
        ),
        _command(
            "/cases/{case_id}/publications/{sub}/withdrawal",
            {"withdrawn_on": "2023-12-16", "reasons": "taken down", "decided_by": "restricted_committee"},
            investigating,
            finding,
            *HEARD,
            sanction_with_penalty,
            sanction_published,
            sub=lambda state: str(state.publications[0].publication_id),
        ),
    ),
    ("case", "POST", "/cases/{case_id}/appeals"): _command(
        "/cases/{case_id}/appeals",
        lambda state: {"decision_id": str(state.sanctions[0].sanction_id), "lodged_on": "2022-12-16"},
        investigating,
        finding,
        *HEARD,
        sanction_with_penalty,
    ),
    ("case", "POST", "/cases/{case_id}/appeals/{appeal_id}/ruling"): _command(
        "/cases/{case_id}/appeals/{sub}/ruling",
        {"decided_on": "2023-06-01", "outcome": "dismissed"},
        investigating,
        finding,
        *HEARD,
        sanction_with_penalty,
        sanction_appealed,
        sub=lambda state: str(state.appeals[0].appeal_id),
    ),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/compliance"): _command(
        "/cases/{case_id}/sanctions/{sub}/compliance",
        {"complied_on": "2022-12-10"},
        investigating,
        finding,
        *HEARD,
        sanction_with_penalty,
        sub=lambda state: str(state.sanctions[0].sanction_id),
    ),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/liquidations"): _command(
        "/cases/{case_id}/sanctions/{sub}/liquidations",
        {
            "opened_on": "2023-02-09",
            "period_start": "2022-12-19",
            "period_end": "2023-02-09",
            "convention": "exclusive_end",
            "envisaged_amount_eur": 5_200_000,
            "reasons": "no proof of compliance",
        },
        investigating,
        finding,
        *HEARD,
        sanction_with_penalty,
        sub=lambda state: str(state.sanctions[0].sanction_id),
    ),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/liquidation/observations"): _command(
        "/cases/{case_id}/sanctions/{sub}/liquidation/observations",
        {"received_on": "2023-02-20"},
        investigating,
        finding,
        *HEARD,
        sanction_with_penalty,
        liquidation_opened,
        sub=lambda state: str(state.sanctions[0].sanction_id),
    ),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/liquidation/decision"): _command(
        "/cases/{case_id}/sanctions/{sub}/liquidation/decision",
        {"decided_on": "2023-04-13", "amount_eur": 5_200_000, "reasons": "no proof", "reference": "SAN-2023-005"},
        investigating,
        finding,
        *HEARD,
        sanction_with_penalty,
        liquidation_opened,
        sub=lambda state: str(state.sanctions[0].sanction_id),
    ),
    ("case", "POST", "/cases/{case_id}/sanctions/{sanction_id}/injunction-end"): _command(
        "/cases/{case_id}/sanctions/{sub}/injunction-end",
        {"ended_on": "2023-06-01", "reasons": "the data was deleted"},
        investigating,
        finding,
        *HEARD,
        sanction_with_penalty,
        sub=lambda state: str(state.sanctions[0].sanction_id),
    ),
    ("case", "POST", "/cases/{case_id}/closure"): _command(
        "/cases/{case_id}/closure", {"outcome": "dismissed", "reasons": "outside our remit", "closed_on": "2020-06-01"}
    ),
    ("case", "POST", "/fine-estimates"): lambda w, who: _ready(
        Call(
            "POST", "/fine-estimates", json={"articles_infringed": [6], "seriousness": "low", "turnover_eur": 1_000_000}
        )
    ),
    ("case", "GET", "/complaints/{complaint_id}/handling"): _complaint_step("/handling", {}, method="GET"),
    ("case", "POST", "/complaints/{complaint_id}/assignment"): _complaint_step("/assignment", {"me": True}),
    ("case", "POST", "/complaints/{complaint_id}/admissibility"): _complaint_step(
        "/admissibility", {"decision": "admissible"}
    ),
    ("case", "POST", "/complaints/{complaint_id}/controller-letters"): _complaint_step(
        "/controller-letters", {"request": "Act on the complaint."}, admitted
    ),
    ("case", "POST", "/complaints/{complaint_id}/investigation"): _complaint_step(
        "/investigation", {}, admitted, investigate=True
    ),
    ("case", "POST", "/complaints/{complaint_id}/transfer"): _complaint_step(
        "/transfer", {"authority": "Data Protection Commission", "authority_country": "IE", "reasons": "Art 56"}
    ),
    ("case", "POST", "/complaints/{complaint_id}/closure"): _complaint_step(
        "/closure", {"reason": "withdrawn", "reasons": "withdrawn by letter"}
    ),
    ("case", "POST", "/cases/{case_id}/controller-letters/{letter_id}/answer"): _answer,
    ("case", "POST", "/cases/{case_id}/assignment"): _case_assignment,
    ("case", "GET", "/queue/{view}"): _get("/queue/mine"),
    ("case", "GET", "/workload"): _get("/workload"),
    ("case", "GET", "/campaigns/alike"): lambda w, who: _ready(
        Call("GET", "/campaigns/alike", params={"controller": "clearview-ai"})
    ),
    ("case", "GET", "/stats"): _get("/stats"),
    ("case", "GET", "/stats.csv"): _get("/stats.csv"),
    ("case", "GET", "/stats/{chart}.svg"): _get("/stats/months.svg"),
    ("case", "POST", "/campaigns/assignment"): _campaign("assignment", {"team": "complaints-desk"}),
    ("case", "POST", "/campaigns/admissibility"): _campaign("admissibility", {"decision": "admissible"}),
    ("case", "POST", "/campaigns/controller-letters"): _campaign("controller-letters", {"request": "Act."}, admitted),
    ("case", "POST", "/campaigns/closure"): _campaign("closure", {"reason": "withdrawn", "reasons": "by letter"}),
    ("notifier", "POST", "/subscriptions"): lambda w, who: _ready(
        Call("POST", "/subscriptions", json={"url": HOOK, "event_types": ["docket.case.opened"]})
    ),
    ("notifier", "GET", "/subscriptions"): _get("/subscriptions"),
    ("notifier", "GET", "/subscriptions/{subscription_id}"): lambda w, who: _subscription_call(w, who, "GET"),
    ("notifier", "POST", "/subscriptions/{subscription_id}/rotate-secret"): lambda w, who: _subscription_call(
        w, who, "POST", "/rotate-secret"
    ),
    ("notifier", "POST", "/subscriptions/{subscription_id}/pause"): lambda w, who: _subscription_call(
        w, who, "POST", "/pause"
    ),
    ("notifier", "POST", "/subscriptions/{subscription_id}/resume"): lambda w, who: _subscription_call(
        w, who, "POST", "/resume"
    ),
    ("notifier", "DELETE", "/subscriptions/{subscription_id}"): lambda w, who: _subscription_call(
        w, who, "DELETE", fresh=True
    ),
    ("notifier", "GET", "/subscriptions/{subscription_id}/deliveries"): lambda w, who: _subscription_call(
        w, who, "GET", "/deliveries"
    ),
    ("notifier", "GET", "/deliveries"): _get("/deliveries"),
    ("notifier", "GET", "/deliveries/{delivery_id}"): lambda w, who: _delivery_call(w, who, "GET", ""),
    ("notifier", "POST", "/deliveries/{delivery_id}/redeliver"): lambda w, who: _delivery_call(
        w, who, "POST", "/redeliver"
    ),
    ("notifier", "PUT", "/controllers/{controller_key}/contact"): lambda w, who: _ready(
        Call("PUT", "/controllers/clearview-ai/contact", json={"email": "dpo@clearview.example"})
    ),
    ("notifier", "GET", "/controllers/{controller_key}/contact"): lambda w, who: _contact(w),
    ("notifier", "GET", "/notifications"): _get("/notifications"),
    ("notifier", "GET", "/notifications/{notification_id}"): lambda w, who: _notification(w),
}


async def _ready(call: Call) -> Call:
    return call


async def _attach(world: World, who: str) -> Call:
    """A request for assistance the peer addressed here, waiting, attached to a framed case."""
    case_id, state = await world.case(cooperation_framed)
    reference = f"{PEER}/{uuid.uuid4().hex[:8]}"
    asked = AssistanceRequested(
        case_id=uuid.uuid4(),
        cooperation_reference=reference,
        authority=PEER,
        requested="FR-CNIL",
        received_on=date(2027, 6, 1),
        asks="information",
        purpose="p",
        reasons="r",
    )
    message = world.cooperation_message(new_event(asked, source=f"/docket/{PEER}/case", subject=str(uuid.uuid4())))
    received = await world.apps["case"].http.post(message.path, content=message.content, headers=message.headers)
    assert received.status_code == 200, received.text
    body = {"cooperation_reference": reference, "expected_version": state.version}
    return Call("POST", f"/cases/{case_id}/cooperation/attach", json=body)


async def _receipt_call(world: World, method: str, tail: str, **extra: Any) -> Call:
    receipt = await world.complaint()
    call = Call(method, f"/complaints/{receipt['reference']}{tail}", **extra)
    call.headers["X-Status-Token"] = receipt["status_token"]
    return call


async def _post_complaint(world: World, tail: str) -> Call:
    receipt = await world.complaint()
    return Call("POST", f"/complaints/{receipt['id']}{tail}")


async def _case_get(world: World, tail: str) -> Call:
    case_id, _ = await world.case(investigating)
    return Call("GET", f"/cases/{case_id}{tail}")


async def _delivery_call(world: World, who: str, method: str, tail: str) -> Call:
    return Call(method, f"/deliveries/{await world.delivery(world.owner(who))}{tail}")


async def _contact(world: World) -> Call:
    put = await world.apps["notifier"].http.put(
        "/controllers/clearview-ai/contact",
        headers=world.headers(ADMINISTRATOR),
        json={"email": "dpo@clearview.example"},
    )
    assert put.status_code == 200, put.text
    return Call("GET", "/controllers/clearview-ai/contact")


async def _notification(world: World) -> Call:
    return Call("GET", f"/notifications/{await world.notification()}")


# --- the tokens that must not get in ----------------------------------------------------------------------


def _admin(keycloak) -> httpx.Client:
    return httpx.Client(
        base_url=f"{keycloak.base_url}/admin/realms",
        timeout=120,
        headers={"Authorization": f"Bearer {keycloak.admin_token()}"},
    )


def _public_client(admin: httpx.Client, realm: str, client_id: str, **attributes: Any) -> None:
    response = admin.post(
        f"/{realm}/clients",
        json={
            "clientId": client_id,
            "publicClient": True,
            "directAccessGrantsEnabled": True,
            "standardFlowEnabled": False,
            **attributes,
        },
    )
    assert response.status_code in (201, 409), response.text


def bad_tokens(keycloak, tokens: Tokens) -> dict[str, str]:
    """Four tokens Docket must refuse, three of them issued by the real Keycloak."""
    real = tokens(INVESTIGATOR)["Authorization"].removeprefix("Bearer ")
    header, claims = jwt.get_unverified_header(real), jwt.decode(real, options={"verify_signature": False})
    another_key = jwt.encode(
        claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256", headers={"kid": header["kid"]}
    )
    with _admin(keycloak) as admin:
        realm = admin.post("", json={"realm": "elsewhere", "enabled": True})
        assert realm.status_code in (201, 409), realm.text
        _public_client(admin, "elsewhere", "docket-cli")
        user = admin.post(
            "/elsewhere/users",
            json={
                "username": INVESTIGATOR,
                "enabled": True,
                "emailVerified": True,
                "email": "v@elsewhere.example",
                "firstName": "Victor",
                "lastName": "Elsewhere",
                "credentials": [{"type": "password", "value": "docket-demo", "temporary": False}],
            },
        )
        assert user.status_code in (201, 409), user.text
        # Tokens of the docket realm that live one second, and tokens that are not for Docket's audience.
        _public_client(
            admin,
            "docket",
            "docket-test-short-lived",
            defaultClientScopes=["docket", "profile"],
            attributes={"access.token.lifespan": "1"},
        )
        _public_client(admin, "docket", "docket-test-other-audience", defaultClientScopes=["profile", "roles"])
    other_issuer = keycloak.password_token(INVESTIGATOR, "docket-demo", realm="elsewhere")["access_token"]
    expired = keycloak.password_token(INVESTIGATOR, "docket-demo", client_id="docket-test-short-lived")["access_token"]
    other_audience = keycloak.password_token(INVESTIGATOR, "docket-demo", client_id="docket-test-other-audience")[
        "access_token"
    ]
    time.sleep(2.5)  # past the one-second lifespan and the one-second leeway of these services
    return {
        "another key": another_key,
        "another issuer": other_issuer,
        "expired": expired,
        "another audience": other_audience,
    }


# The authority of the case service's cooperation directory that sends it messages. The world's services are
# served in-process, at no address a peer's keys could be fetched from: the case service is handed the peer's
# published keys instead (PeerKeys over a function that answers its JWKS).
PEER = "IT-GPDP"
PEER_KEY = OwnKey(new_signing_key())


def cooperation(directory: Path) -> dict[str, str]:
    """The case service's cooperation settings, as FR-CNIL, with PEER in its directory."""
    directory.write_text(
        json.dumps(
            {
                "authorities": [
                    {
                        "id": PEER,
                        "name": "Garante per la protezione dei dati personali",
                        "member_state": "IT",
                        "inbox_url": "https://docket.gpdp.invalid/cooperation/messages",
                        "jwks_url": "https://docket.gpdp.invalid/.well-known/jwks.json",
                    }
                ]
            }
        )
    )
    return {
        "authority_id": "FR-CNIL",
        "cooperation_directory": str(directory),
        "cooperation_signing_key": new_signing_key(),
    }


async def peer_jwks(url: str) -> dict[str, Any]:
    return jwks(PEER_KEY)


@pytest.fixture(scope="module")
async def world(configure, closed_port_bootstrap, tokens, tmp_path_factory) -> AsyncIterator[World]:
    quiet = {
        "kafka_bootstrap_servers": closed_port_bootstrap,
        "run_relay": False,
        "run_consumer": False,
        "oidc_leeway_s": 1.0,
    }
    directory = tmp_path_factory.mktemp("cooperation") / "directory.json"
    async with AsyncExitStack() as stack:
        apps = {
            "intake": await stack.enter_async_context(
                serve(
                    intake_app(
                        configure(IntakeSettings, rate_limit_per_minute=100_000, rate_limit_burst=100_000, **quiet)
                    )
                )
            ),
            "case": await stack.enter_async_context(
                serve(case_app(configure(CaseSettings, run_timers=False, **cooperation(directory), **quiet)))
            ),
            "notifier": await stack.enter_async_context(
                serve(
                    notifier_app(
                        configure(NotifierSettings, run_deliveries=False, webhook_allow_list=["127.0.0.1/32"], **quiet)
                    )
                )
            ),
        }
        apps["case"].app.state.cooperation.exchange.peer_keys = PeerKeys(peer_jwks)
        found = World(apps, tokens)
        for owner in (ADMINISTRATOR, INTEGRATOR):
            found.subscriptions[owner] = await found.subscription(owner)
        yield found
        async with apps["notifier"].runtime.sessions() as session, session.begin():  # later tests deliver
            await session.exec(
                sa.update(notifier_store.SubscriptionRow)
                .where(notifier_store.SubscriptionRow.url == HOOK)
                .values(status="paused")
            )


@pytest.fixture(scope="module")
def closed_port_bootstrap() -> str:
    from docket_devstack.ports import free_port

    return f"127.0.0.1:{free_port()}"


def test_the_table_names_every_route_the_services_serve_and_no_other(world):
    served = {
        (service, method, path)
        for service, running in world.apps.items()
        for method, path, _ in api_routes(running.app)
    }
    assert served - EXPECTED.keys() == set(), "routes with no decision on who may call them"
    assert EXPECTED.keys() - served == set(), "decisions about routes the services do not serve"


async def test_every_route_answers_each_caller_as_the_table_says(world, keycloak, tokens):
    refused = await asyncio.to_thread(bad_tokens, keycloak, tokens)
    outcomes: list[str] = []
    for (service, method, path), roles in EXPECTED.items():
        http = world.apps[service].http
        build = BUILDERS[(service, method, path)]

        async def send(call: Call, headers: dict[str, str]) -> httpx.Response:
            return await http.request(  # noqa: B023 - run within this iteration
                call.method,
                call.path,
                json=call.json,
                content=call.content,
                params=call.params,
                headers=call.headers | headers,
            )

        if not roles:
            response = await send(await build(world, ADMINISTRATOR), {})
            ok = response.status_code < 400 or (path == "/readyz" and response.status_code == 503)
            outcomes.append(f"{service} {method} {path} public: {response.status_code}" + ("" if ok else " WRONG"))
            continue
        sample = await build(world, next(who for who in IDENTITIES if ROLE_OF[who] in roles))
        missing = await send(sample, {})
        bad = {kind: await send(sample, {"Authorization": f"Bearer {token}"}) for kind, token in refused.items()}
        row = [f"no token {missing.status_code}"] + [f"{kind} {r.status_code}" for kind, r in bad.items()]
        wrong = missing.status_code != 401 or missing.headers.get("www-authenticate", "") != 'Bearer realm="docket"'
        wrong |= any(
            r.status_code != 401 or "invalid_token" not in r.headers.get("www-authenticate", "") for r in bad.values()
        )
        for who in IDENTITIES:
            allowed = ROLE_OF[who] in roles
            call = await build(world, who) if allowed else sample
            response = await send(call, world.headers(who))
            row.append(f"{who} {response.status_code}")
            wrong |= not (200 <= response.status_code < 300) if allowed else response.status_code != 403
            if allowed and not 200 <= response.status_code < 300:
                row.append(json.dumps(response.json())[:200])
        outcomes.append(f"{service} {method} {path}: " + ", ".join(row) + (" WRONG" if wrong else ""))
    assert not [line for line in outcomes if "WRONG" in line], "\n".join(outcomes)
