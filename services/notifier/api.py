"""The notifier's REST routes: webhook subscriptions and their delivery log, controller contacts, and
the letters it has recorded.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from docket_identity.roles import Caller, Role
from docket_privacy.personal import ERASED, ErasedSubject, PersonalData
from docket_service.limits import MAX_OFFSET, EmailAddress, query_text, text

from . import store
from .application import deliveries, letters, subscriptions
from .deps import (
    Administrator,
    ContactReader,
    LetterReader,
    PersonalDep,
    ResolverDep,
    SessionDep,
    SettingsDep,
    SubscriptionManager,
    SubscriptionReader,
)
from .domain import Channel
from .domain import Role as RecipientRole
from .domain.webhooks import SUBSCRIBABLE, RefusedUrl, event_scopes, out_of_scope
from .errors import Conflict, NotFound, OutOfScope

subscription_routes = APIRouter(tags=["webhook subscriptions"])
delivery_routes = APIRouter(tags=["webhook deliveries"])
contact_routes = APIRouter(tags=["controller contacts"])
letter_routes = APIRouter(tags=["letters"])
routers = (subscription_routes, delivery_routes, contact_routes, letter_routes)

# The event types a subscriber may ask for, spelled out for the type checker and the OpenAPI document; a unit
# test keeps them equal to webhooks.SUBSCRIBABLE, which is read from the contract.
EventType = Literal[
    "docket.complaint.filed",
    "docket.complaint.address_code_issued",
    "docket.complaint.address_proven",
    "docket.complaint.withdrawn",
    "docket.complaint.personal_data_erased",
    "docket.case.opened",
    "docket.complaint.linked",
    "docket.investigation.opened",
    "docket.check.recorded",
    "docket.finding.recorded",
    "docket.warning.issued",
    "docket.formal_notice.issued",
    "docket.formal_notice.extended",
    "docket.formal_notice.complied",
    "docket.formal_notice.deadline_expired",
    "docket.formal_notice.expiry_superseded",
    "docket.proceedings.referred",
    "docket.proceedings.report_notified",
    "docket.proceedings.file_consulted",
    "docket.proceedings.observations_extended",
    "docket.proceedings.observations_received",
    "docket.proceedings.rapporteur_answered",
    "docket.proceedings.controller_replied",
    "docket.proceedings.controller_summoned",
    "docket.proceedings.hearing_held",
    "docket.proceedings.deliberated",
    "docket.proceedings.simplified_interrupted",
    "docket.sanction.imposed",
    "docket.reprimand.issued",
    "docket.publication.made",
    "docket.publication.withdrawn",
    "docket.appeal.lodged",
    "docket.appeal.decided",
    "docket.penalty_payment.imposed",
    "docket.formal_notice.notified",
    "docket.sanction.notified",
    "docket.injunction.complied",
    "docket.injunction.ended",
    "docket.liquidation.opened",
    "docket.liquidation.observations_received",
    "docket.penalty_payment.liquidated",
    "docket.case.closed",
    "docket.case.assigned",
    "docket.case.complaint_assigned",
    "docket.case.complaint_admissibility_decided",
    "docket.case.controller_asked_to_act",
    "docket.case.complaint_controller_asked",
    "docket.case.controller_answer_overdue",
    "docket.case.complaint_controller_answered",
    "docket.case.complaint_joined_investigation",
    "docket.case.complaint_transferred",
    "docket.case.complaint_closed",
    "docket.cooperation.frame_recorded",
    "docket.cooperation.local_case_notified",
    "docket.cooperation.local_case_decided",
    "docket.cooperation.competence_confirmed",
    "docket.cooperation.investigation_extended",
    "docket.cooperation.draft_decision_submitted",
    "docket.cooperation.draft_agreed",
    "docket.cooperation.objection_raised",
    "docket.cooperation.draft_deemed_agreed",
    "docket.cooperation.decision_adopted",
    "docket.cooperation.assistance_requested",
    "docket.cooperation.assistance_answered",
    "docket.cooperation.joint_operation_requested",
    "docket.cooperation.joint_operation_answered",
    "docket.cooperation.dispute_referred",
    "docket.cooperation.board_period_extended",
    "docket.cooperation.board_decision_received",
    "docket.cooperation.provisional_measure_adopted",
    "docket.cooperation.urgent_request_made",
    "docket.cooperation.procedure_withdrawn",
    "docket.cooperation.deadline_passed",
    "docket.cooperation.deadline_near",
    "docket.cooperation.complaint_registered",
    "docket.cooperation.complaint_transmitted",
    "docket.cooperation.complaint_resolved_early",
    "docket.cooperation.preliminary_findings_sent",
    "docket.cooperation.party_views_received",
    "docket.cooperation.file_access_given",
    "docket.cooperation.key_issues_summarised",
    "docket.cooperation.key_issues_commented",
]
KEY_PATTERN = r"^[a-z0-9][a-z0-9.-]*$"  # a controller's key, as in the events
ControllerKey = Annotated[str, Field(min_length=1, max_length=200, pattern=KEY_PATTERN)]
ControllerKeyPath = Annotated[str, Path(min_length=1, max_length=200, pattern=KEY_PATTERN)]
DeliveryStatus = Literal["pending", "delivered", "dead"]


Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


def owner_filter(caller: Caller) -> str | None:
    """Whose subscriptions the caller may reach: an integrator its own; staff roles everyone's (None)."""
    return caller.subject if caller.acting_as == Role.INTEGRATOR else None


def install_error_handlers(app: FastAPI) -> None:
    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_404_NOT_FOUND)

    async def conflict(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_409_CONFLICT)

    async def refused(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            {"detail": [{"loc": ["body", "url"], "msg": str(exc), "type": "value_error"}]},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    async def forbidden(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_403_FORBIDDEN)

    async def erased(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_410_GONE)

    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(ErasedSubject, erased)
    app.add_exception_handler(OutOfScope, forbidden)
    app.add_exception_handler(Conflict, conflict)
    app.add_exception_handler(RefusedUrl, refused)


# --- subscriptions ----------------------------------------------------------------------------------------


def well_formed_url(url: str) -> str:
    """Refuse what no URL check can even read: a URL that does not parse (an unclosed IPv6 bracket, a port that
    is no number) or whose host is no DNS name (an empty or over-long label). Whether Docket may call it is
    decided after, on the addresses the host resolves to (webhooks.check_url)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValueError("is not a well-formed URL") from None
    try:
        parts.port  # noqa: B018 - parsed on access
    except ValueError:
        raise ValueError("has an invalid port: not a number from 0 to 65535") from None
    if parts.hostname:
        try:
            parts.hostname.rstrip(".").encode("idna")
        except UnicodeError:
            raise ValueError("names a host that is not a valid DNS name") from None
    return url


class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[text(2000, "https URL that receives the POSTs", strip=False), AfterValidator(well_formed_url)]
    event_types: Annotated[
        list[EventType],
        Field(
            min_length=1,
            max_length=len(SUBSCRIBABLE),
            description=f"the event types to deliver, 1 to {len(SUBSCRIBABLE)} of them",
        ),
    ]
    controller_key: ControllerKey | None = Field(default=None, description="only events about this controller")
    case_id: uuid.UUID | None = Field(default=None, description="only events of this case")
    description: text(500, "for people", min_chars=0, strip=False) | None = None


class SubscriptionOut(BaseModel):
    id: uuid.UUID
    owner: str = Field(description="the subject of the token that created it")
    url: str
    event_types: list[str]
    controller_key: str | None
    case_id: uuid.UUID | None
    description: str | None
    status: Literal["active", "paused", "disabled"]
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="the signing secret (Standard Webhooks, whsec_...); shown only now")


class SecretOut(BaseModel):
    id: uuid.UUID
    secret: str = Field(description="the new signing secret; shown only now")
    previous_secret_valid_until: datetime | None = Field(description="the old secret also signs until then")


@subscription_routes.post("/subscriptions", status_code=status.HTTP_201_CREATED, response_model=SubscriptionCreated)
async def create_subscription(
    body: SubscriptionIn,
    session: SessionDep,
    settings: SettingsDep,
    resolver: ResolverDep,
    personal: PersonalDep,
    caller: SubscriptionManager,
) -> SubscriptionCreated:
    if caller.acting_as == Role.INTEGRATOR and (refused := out_of_scope(body.event_types, caller.scopes)):
        raise OutOfScope(refused)
    row, secret = await subscriptions.create_subscription(
        session,
        personal,
        resolver,
        settings.webhook_allow_list,
        owner=caller.subject,
        scopes=event_scopes(caller.scopes) if caller.acting_as == Role.INTEGRATOR else None,
        url=body.url,
        event_types=list(body.event_types),
        controller_key=body.controller_key,
        case_id=body.case_id,
        description=body.description,
    )
    return SubscriptionCreated(**row.model_dump(exclude={"secret"}), secret=secret)


@subscription_routes.get(
    "/subscriptions",
    response_model=list[SubscriptionOut],
    description="Every subscription for staff; an integrator's own for an integrator.",
)
async def list_subscriptions(
    session: SessionDep, caller: SubscriptionReader, limit: Limit = 100, offset: Offset = 0
) -> list[store.SubscriptionRow]:
    return list(await store.subscriptions(session, owner=owner_filter(caller), limit=limit, offset=offset))


@subscription_routes.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
async def get_subscription(
    subscription_id: uuid.UUID, session: SessionDep, caller: SubscriptionReader
) -> store.SubscriptionRow:
    return await subscriptions.subscription(session, subscription_id, owner=owner_filter(caller))


@subscription_routes.post("/subscriptions/{subscription_id}/rotate-secret", response_model=SecretOut)
async def rotate_secret(
    subscription_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    personal: PersonalDep,
    caller: SubscriptionManager,
) -> SecretOut:
    row, secret = await subscriptions.rotate_secret(
        session, personal, subscription_id, settings.webhook_secret_grace_s, owner=owner_filter(caller)
    )
    return SecretOut(id=row.id, secret=secret, previous_secret_valid_until=row.previous_secret_until)


@subscription_routes.post("/subscriptions/{subscription_id}/pause", response_model=SubscriptionOut)
async def pause(subscription_id: uuid.UUID, session: SessionDep, caller: SubscriptionManager) -> store.SubscriptionRow:
    return await subscriptions.set_status(session, subscription_id, "paused", owner=owner_filter(caller))


@subscription_routes.post(
    "/subscriptions/{subscription_id}/resume",
    response_model=SubscriptionOut,
    description="Resume a paused subscription, or re-enable one disabled by 410 Gone.",
)
async def resume(subscription_id: uuid.UUID, session: SessionDep, caller: SubscriptionManager) -> store.SubscriptionRow:
    return await subscriptions.set_status(session, subscription_id, "active", owner=owner_filter(caller))


@subscription_routes.delete("/subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_subscription(
    subscription_id: uuid.UUID, session: SessionDep, personal: PersonalDep, caller: SubscriptionManager
) -> Response:
    await subscriptions.delete_subscription(
        session, personal, subscription_id, by=caller.subject, owner=owner_filter(caller)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- the delivery log -------------------------------------------------------------------------------------


class AttemptOut(BaseModel):
    number: int
    started_at: datetime
    latency_ms: int
    status_code: int | None
    error: str | None
    verdict: Literal["delivered", "retry", "gone"]


class DeliveryOut(BaseModel):
    id: uuid.UUID = Field(description="the webhook-id header, the same on every attempt")
    subscription_id: uuid.UUID
    event_id: str
    event_type: str
    ordering_key: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="when a pending delivery is tried next")
    last_status_code: int | None
    last_error: str | None
    dead_reason: str | None
    delivered_at: datetime | None
    created_at: datetime
    log: list[AttemptOut]


async def with_log(session: SessionDep, rows: list[store.DeliveryRow]) -> list[DeliveryOut]:
    logs = await store.attempts_of(session, [row.id for row in rows])
    return [
        DeliveryOut.model_validate(
            {
                **row.model_dump(exclude={"body", "lease", "seq"}),
                "next_attempt_at": row.next_attempt_at if row.status == "pending" else None,
                "log": [attempt.model_dump() for attempt in logs[row.id]],
            }
        )
        for row in rows
    ]


@subscription_routes.get("/subscriptions/{subscription_id}/deliveries", response_model=list[DeliveryOut])
async def deliveries_of_subscription(
    subscription_id: uuid.UUID,
    session: SessionDep,
    caller: SubscriptionReader,
    status: DeliveryStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[DeliveryOut]:
    await subscriptions.subscription(session, subscription_id, owner=owner_filter(caller))
    rows = await store.deliveries(session, subscription_id=subscription_id, status=status, limit=limit, offset=offset)
    return await with_log(session, list(rows))


@delivery_routes.get("/deliveries", response_model=list[DeliveryOut])
async def list_deliveries(
    session: SessionDep,
    caller: SubscriptionReader,
    event_id: query_text(200, "only the deliveries of this event") = None,
    status: DeliveryStatus | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[DeliveryOut]:
    return await with_log(
        session,
        list(
            await store.deliveries(
                session, event_id=event_id, status=status, owner=owner_filter(caller), limit=limit, offset=offset
            )
        ),
    )


@delivery_routes.get("/deliveries/{delivery_id}", response_model=DeliveryOut)
async def get_delivery(delivery_id: uuid.UUID, session: SessionDep, caller: SubscriptionReader) -> DeliveryOut:
    row = await deliveries.delivery(session, delivery_id, owner=owner_filter(caller))
    [out] = await with_log(session, [row])
    return out


@delivery_routes.post(
    "/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    description="Send a dead-lettered (or delivered) delivery again, with the same webhook-id.",
)
async def redeliver(delivery_id: uuid.UUID, session: SessionDep, caller: SubscriptionManager) -> DeliveryOut:
    row = await deliveries.redeliver(session, delivery_id, owner=owner_filter(caller))
    [out] = await with_log(session, [row])
    return out


# --- controller contacts ----------------------------------------------------------------------------------


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailAddress


class ContactOut(BaseModel):
    controller_key: str
    email: str
    updated_at: datetime
    updated_by: str | None = Field(description="the subject of the token that set the address")


@contact_routes.put(
    "/controllers/{controller_key}/contact",
    response_model=ContactOut,
    description="Where letters to the controller go; letters waiting for an address are sent there.",
)
async def put_contact(
    controller_key: ControllerKeyPath, body: ContactIn, session: SessionDep, caller: Administrator
) -> store.ControllerContactRow:
    await letters.set_controller_contact(session, controller_key, body.email, by=caller.subject)
    return await contact(controller_key, session)


@contact_routes.get("/controllers/{controller_key}/contact", response_model=ContactOut)
async def get_contact(
    controller_key: ControllerKeyPath, session: SessionDep, caller: ContactReader
) -> store.ControllerContactRow:
    return await contact(controller_key, session)


async def contact(controller_key: str, session: SessionDep) -> store.ControllerContactRow:
    row = await session.get(store.ControllerContactRow, controller_key, populate_existing=True)
    if row is None:
        raise NotFound(f"no contact for controller {controller_key}")
    return row


# --- letters ----------------------------------------------------------------------------------------------


class NotificationOut(BaseModel):
    id: uuid.UUID
    source_event_id: str
    source_event_type: str
    channel: Channel
    recipient_role: RecipientRole
    case_id: uuid.UUID | None
    complaint_id: uuid.UUID | None
    body: str = Field(description="one-line summary")
    created_at: datetime
    kind: str
    subject: str
    recipient_name: str = Field(description=f"{ERASED!r} once the complainant's personal data was erased")
    recipient_address: str | None
    text: str
    html: str
    email_status: Literal["pending", "sent", "failed", "no_address", "erased", "unproven"] = Field(
        description="unproven: held until the complainant proves the address the filing gave"
    )
    attempts: int
    sent_at: datetime | None
    last_error: str | None


async def letters_out(personal: PersonalData, rows: list[store.NotificationRow]) -> list[NotificationOut]:
    """The letters as staff read them: a complainant's opened, or shown as erased."""
    contents = await letters.opened(personal, rows)
    return [
        NotificationOut(
            **row.model_dump(exclude={"personal", *store.PERSONAL_LETTER_FIELDS}),
            recipient_name=letter["recipient_name"] or ERASED,
            recipient_address=letter["recipient_address"],
            text=letter["text"] or ERASED,
            html=letter["html"] or ERASED,
        )
        for row, letter in zip(rows, contents, strict=True)
    ]


@letter_routes.get("/notifications", response_model=list[NotificationOut])
async def list_notifications(
    session: SessionDep,
    caller: LetterReader,
    personal: PersonalDep,
    case_id: uuid.UUID | None = None,
    complaint_id: uuid.UUID | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[NotificationOut]:
    return await letters_out(personal, list(await store.find(session, case_id, complaint_id, limit, offset)))


@letter_routes.get("/notifications/{notification_id}", response_model=NotificationOut)
async def get_notification(
    notification_id: uuid.UUID, session: SessionDep, caller: LetterReader, personal: PersonalDep
) -> NotificationOut:
    row = await session.get(store.NotificationRow, notification_id)
    if row is None:
        raise NotFound(f"no notification {notification_id}")
    [out] = await letters_out(personal, [row])
    return out
