"""Webhook subscriptions and deliveries: a pending delivery of an event for each subscription that asks for
it, and the subscriptions, deliveries and attempts as integrators and staff list them."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent

from ..domain.webhooks import matches, out_of_scope
from .tables import DeliveryAttemptRow, DeliveryRow, SubscriptionRow


async def enqueue_deliveries(
    session: AsyncSession, event: CloudEvent, controller_key: str | None, case_id: UUID | None
) -> int:
    """A pending delivery of `event` for every subscription (active or paused) that asks for it, and whose
    owner's scopes, if an integrator's, still cover it."""
    candidates = (
        await session.exec(
            select(SubscriptionRow).where(
                col(SubscriptionRow.status).in_(["active", "paused"]),
                sa.literal(event.type) == sa.func.any(col(SubscriptionRow.event_types)),
            )
        )
    ).all()
    wanted = [
        s
        for s in candidates
        if matches(s.filter, event.type, controller_key, case_id)
        and (s.scopes is None or not out_of_scope([event.type], s.scopes))
    ]
    if not wanted:
        return 0
    body = event.structured()
    await session.exec(
        insert(DeliveryRow)
        .values(
            [
                {
                    "id": uuid4(),
                    "subscription_id": s.id,
                    "event_id": event.id,
                    "event_type": event.type,
                    "ordering_key": event.subject,
                    "body": body,
                    "status": "pending",
                    "attempts": 0,
                }
                for s in wanted
            ]
        )
        .on_conflict_do_nothing()
    )
    return len(wanted)


async def subscriptions(
    session: AsyncSession, *, owner: str | None = None, limit: int = 100, offset: int = 0
) -> Sequence[SubscriptionRow]:
    """The subscriptions (only `owner`'s when given), oldest first."""
    query = select(SubscriptionRow)
    if owner is not None:
        query = query.where(col(SubscriptionRow.owner) == owner)
    query = query.order_by(col(SubscriptionRow.created_at), col(SubscriptionRow.id))
    return (await session.exec(query.limit(limit).offset(offset))).all()


async def deliveries(
    session: AsyncSession,
    *,
    subscription_id: UUID | None = None,
    event_id: str | None = None,
    status: str | None = None,
    owner: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[DeliveryRow]:
    query = select(DeliveryRow)
    if owner is not None:
        query = query.join(SubscriptionRow, col(SubscriptionRow.id) == col(DeliveryRow.subscription_id)).where(
            col(SubscriptionRow.owner) == owner
        )
    if subscription_id is not None:
        query = query.where(col(DeliveryRow.subscription_id) == subscription_id)
    if event_id is not None:
        query = query.where(col(DeliveryRow.event_id) == event_id)
    if status is not None:
        query = query.where(col(DeliveryRow.status) == status)
    return (await session.exec(query.order_by(col(DeliveryRow.seq)).limit(limit).offset(offset))).all()


async def attempts_of(session: AsyncSession, delivery_ids: Sequence[UUID]) -> dict[UUID, list[DeliveryAttemptRow]]:
    found: dict[UUID, list[DeliveryAttemptRow]] = {i: [] for i in delivery_ids}
    if delivery_ids:
        rows = (
            await session.exec(
                select(DeliveryAttemptRow)
                .where(col(DeliveryAttemptRow.delivery_id).in_(delivery_ids))
                .order_by(col(DeliveryAttemptRow.id))
            )
        ).all()
        for row in rows:
            found[row.delivery_id].append(row)
    return found
