"""The notifier's REST routes: webhook subscriptions and their delivery log, controller contacts, and
the letters it has recorded.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from docket_contracts.events import Email
from docket_messaging.http import SessionDep

from . import application, store
from .config import NotifierSettings
from .domain import Channel, Role
from .outbound import Resolver
from .webhooks import SUBSCRIBABLE, RefusedUrl

subscriptions = APIRouter(tags=["webhook subscriptions"])
deliveries = APIRouter(tags=["webhook deliveries"])
contacts = APIRouter(tags=["controller contacts"])
notifications = APIRouter(tags=["letters"])
routers = (subscriptions, deliveries, contacts, notifications)

EventType = Literal[SUBSCRIBABLE]  # type: ignore[valid-type]
KEY_PATTERN = r"^[a-z0-9][a-z0-9.-]*$"  # a controller's key, as in the events
ControllerKey = Annotated[str, Field(min_length=1, max_length=200, pattern=KEY_PATTERN)]
ControllerKeyPath = Annotated[str, Path(min_length=1, max_length=200, pattern=KEY_PATTERN)]
DeliveryStatus = Literal["pending", "delivered", "dead"]


def get_settings(request: Request) -> NotifierSettings:
    return request.app.state.settings


def get_resolver(request: Request) -> Resolver:
    return request.app.state.resolver


SettingsDep = Annotated[NotifierSettings, Depends(get_settings)]
ResolverDep = Annotated[Resolver, Depends(get_resolver)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]


def install_error_handlers(app: FastAPI) -> None:
    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_404_NOT_FOUND)

    async def conflict(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=status.HTTP_409_CONFLICT)

    async def refused(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": [{"loc": ["body", "url"], "msg": str(exc), "type": "value_error"}]},
                            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    app.add_exception_handler(application.NotFound, not_found)
    app.add_exception_handler(application.Conflict, conflict)
    app.add_exception_handler(RefusedUrl, refused)


# --- subscriptions ----------------------------------------------------------------------------------------

class SubscriptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=2000, description="https URL that receives the POSTs")]
    event_types: Annotated[list[EventType], Field(min_length=1, description="the event types to deliver")]
    controller_key: ControllerKey | None = Field(default=None, description="only events about this controller")
    case_id: uuid.UUID | None = Field(default=None, description="only events of this case")
    description: Annotated[str, Field(max_length=500)] | None = None


class SubscriptionOut(BaseModel):
    id: uuid.UUID
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


@subscriptions.post("/subscriptions", status_code=status.HTTP_201_CREATED, response_model=SubscriptionCreated)
async def create_subscription(body: SubscriptionIn, session: SessionDep, settings: SettingsDep,
                              resolver: ResolverDep) -> store.SubscriptionRow:
    return await application.create_subscription(
        session, resolver, settings.webhook_allow_list, url=body.url, event_types=list(body.event_types),
        controller_key=body.controller_key, case_id=body.case_id, description=body.description)


@subscriptions.get("/subscriptions", response_model=list[SubscriptionOut])
async def list_subscriptions(session: SessionDep, limit: Limit = 100,
                             offset: Offset = 0) -> list[store.SubscriptionRow]:
    query = select(store.SubscriptionRow).order_by(col(store.SubscriptionRow.created_at)).limit(limit).offset(offset)
    return list((await session.exec(query)).all())


@subscriptions.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
async def get_subscription(subscription_id: uuid.UUID, session: SessionDep) -> store.SubscriptionRow:
    return await application.subscription(session, subscription_id)


@subscriptions.post("/subscriptions/{subscription_id}/rotate-secret", response_model=SecretOut)
async def rotate_secret(subscription_id: uuid.UUID, session: SessionDep, settings: SettingsDep) -> SecretOut:
    row = await application.rotate_secret(session, subscription_id, settings.webhook_secret_grace_s)
    return SecretOut(id=row.id, secret=row.secret, previous_secret_valid_until=row.previous_secret_until)


@subscriptions.post("/subscriptions/{subscription_id}/pause", response_model=SubscriptionOut)
async def pause(subscription_id: uuid.UUID, session: SessionDep) -> store.SubscriptionRow:
    return await application.set_status(session, subscription_id, "paused")


@subscriptions.post("/subscriptions/{subscription_id}/resume", response_model=SubscriptionOut,
                    description="Resume a paused subscription, or re-enable one disabled by 410 Gone.")
async def resume(subscription_id: uuid.UUID, session: SessionDep) -> store.SubscriptionRow:
    return await application.set_status(session, subscription_id, "active")


@subscriptions.delete("/subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_subscription(subscription_id: uuid.UUID, session: SessionDep) -> Response:
    await application.delete_subscription(session, subscription_id)
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
    return [DeliveryOut.model_validate({
        **row.model_dump(exclude={"body", "lease", "seq"}),
        "next_attempt_at": row.next_attempt_at if row.status == "pending" else None,
        "log": [attempt.model_dump() for attempt in logs[row.id]]}) for row in rows]


@subscriptions.get("/subscriptions/{subscription_id}/deliveries", response_model=list[DeliveryOut])
async def deliveries_of_subscription(subscription_id: uuid.UUID, session: SessionDep,
                                     status: DeliveryStatus | None = None, limit: Limit = 100,
                                     offset: Offset = 0) -> list[DeliveryOut]:
    await application.subscription(session, subscription_id)
    rows = await store.deliveries(session, subscription_id=subscription_id, status=status, limit=limit, offset=offset)
    return await with_log(session, list(rows))


@deliveries.get("/deliveries", response_model=list[DeliveryOut])
async def list_deliveries(session: SessionDep, event_id: str | None = None, status: DeliveryStatus | None = None,
                          limit: Limit = 100, offset: Offset = 0) -> list[DeliveryOut]:
    return await with_log(session, list(await store.deliveries(session, event_id=event_id, status=status,
                                                               limit=limit, offset=offset)))


@deliveries.get("/deliveries/{delivery_id}", response_model=DeliveryOut)
async def get_delivery(delivery_id: uuid.UUID, session: SessionDep) -> DeliveryOut:
    row = await session.get(store.DeliveryRow, delivery_id)
    if row is None:
        raise application.NotFound(f"no delivery {delivery_id}")
    [out] = await with_log(session, [row])
    return out


@deliveries.post("/deliveries/{delivery_id}/redeliver", status_code=status.HTTP_202_ACCEPTED,
                 response_model=DeliveryOut,
                 description="Send a dead-lettered (or delivered) delivery again, with the same webhook-id.")
async def redeliver(delivery_id: uuid.UUID, session: SessionDep) -> DeliveryOut:
    row = await application.redeliver(session, delivery_id)
    [out] = await with_log(session, [row])
    return out


# --- controller contacts ----------------------------------------------------------------------------------

class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email


class ContactOut(BaseModel):
    controller_key: str
    email: str
    updated_at: datetime


@contacts.put("/controllers/{controller_key}/contact", response_model=ContactOut,
              description="Where letters to the controller go; letters waiting for an address are sent there.")
async def put_contact(controller_key: ControllerKeyPath, body: ContactIn,
                      session: SessionDep) -> store.ControllerContactRow:
    async with session.begin():
        await store.set_controller_contact(session, controller_key, body.email)
    return await get_contact(controller_key, session)


@contacts.get("/controllers/{controller_key}/contact", response_model=ContactOut)
async def get_contact(controller_key: str, session: SessionDep) -> store.ControllerContactRow:
    row = await session.get(store.ControllerContactRow, controller_key, populate_existing=True)
    if row is None:
        raise application.NotFound(f"no contact for controller {controller_key}")
    return row


# --- letters ----------------------------------------------------------------------------------------------

class NotificationOut(BaseModel):
    id: uuid.UUID
    source_event_id: str
    source_event_type: str
    channel: Channel
    recipient_role: Role
    case_id: uuid.UUID | None
    complaint_id: uuid.UUID | None
    body: str = Field(description="one-line summary")
    created_at: datetime
    kind: str
    subject: str
    recipient_name: str
    recipient_address: str | None
    text: str
    html: str
    email_status: Literal["pending", "sent", "failed", "no_address"]
    attempts: int
    sent_at: datetime | None
    last_error: str | None


@notifications.get("/notifications", response_model=list[NotificationOut])
async def list_notifications(session: SessionDep, case_id: uuid.UUID | None = None,
                             complaint_id: uuid.UUID | None = None, limit: Limit = 100,
                             offset: Offset = 0) -> list[store.NotificationRow]:
    return list(await store.find(session, case_id, complaint_id, limit, offset))


@notifications.get("/notifications/{notification_id}", response_model=NotificationOut)
async def get_notification(notification_id: uuid.UUID, session: SessionDep) -> store.NotificationRow:
    row = await session.get(store.NotificationRow, notification_id)
    if row is None:
        raise application.NotFound(f"no notification {notification_id}")
    return row
