"""Webhook subscriptions, as integrators and staff manage them: create one (its URL checked and its signing
secret sealed), look one up, rotate its secret, pause or resume it, delete it with its key.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_privacy.personal import PersonalData

from ..domain.webhooks import check_url, host_of, new_secret, out_of_scope
from ..errors import NotFound
from ..outbound import Resolver
from ..store import SECRET, DeliveryRow, SubscriptionRow


async def check_reachable(url: str, resolver: Resolver, allow_list: list[str]) -> None:
    """Raise RefusedUrl unless `url` is one Docket may call (see webhooks.check_url)."""
    check_url(url, await resolver.resolve(host_of(url)), allow_list)


async def create_subscription(
    session: AsyncSession,
    personal: PersonalData,
    resolver: Resolver,
    allow_list: list[str],
    *,
    owner: str,
    scopes: list[str] | None,
    url: str,
    event_types: list[str],
    controller_key: str | None,
    case_id: UUID | None,
    description: str | None,
) -> tuple[SubscriptionRow, str]:
    """The subscription and its signing secret, which is stored only sealed (with a key of the
    subscription's own, destroyed when it is deleted) and shown to the caller only now. `scopes` are an
    integrator's (event_scopes of their token), None for staff."""
    await check_reachable(url, resolver, allow_list)
    subscription_id, secret = uuid4(), new_secret()
    row = SubscriptionRow(
        id=subscription_id,
        owner=owner,
        url=url,
        event_types=sorted(set(event_types)),
        controller_key=controller_key,
        case_id=case_id,
        description=description,
        secret=(await personal.seal(subscription_id, SECRET, secret)).model_dump(mode="json"),
        scopes=scopes,
        scopes_seen_at=None if scopes is None else datetime.now(UTC),
    )
    async with session.begin():
        session.add(row)
    return row, secret


async def note_scopes(session: AsyncSession, owner: str, scopes: list[str]) -> None:
    """What an integrator's token covers now (event_scopes), kept on each of their subscriptions with the time
    it was seen. The deliveries still pending of event types it no longer covers are dropped (dead): an
    integrator whose scope was taken away receives nothing more of those events, not even what was due."""
    async with session.begin():
        touched = (
            await session.exec(
                sa.update(SubscriptionRow)
                .where(col(SubscriptionRow.owner) == owner)
                .values(scopes=scopes, scopes_seen_at=sa.func.now())
                .returning(col(SubscriptionRow.id), col(SubscriptionRow.event_types))
            )
        ).all()
        for subscription_id, event_types in touched:
            refused = out_of_scope(event_types, scopes)
            if refused:
                needs = ", ".join(sorted(set(refused.values())))
                await session.exec(
                    sa.update(DeliveryRow)
                    .where(
                        col(DeliveryRow.subscription_id) == subscription_id,
                        col(DeliveryRow.status) == "pending",
                        col(DeliveryRow.event_type).in_(refused),
                    )
                    .values(status="dead", lease=None, dead_reason=f"the owner's token no longer has the scope {needs}")
                )


async def subscription(
    session: AsyncSession, subscription_id: UUID, *, owner: str | None = None, for_update: bool = False
) -> SubscriptionRow:
    """The subscription, if it exists and (when `owner` is given) belongs to `owner`: another integrator's
    subscription is as unknown as one that does not exist."""
    query = select(SubscriptionRow).where(col(SubscriptionRow.id) == subscription_id)
    if owner is not None:
        query = query.where(col(SubscriptionRow.owner) == owner)
    row = (await session.exec(query.with_for_update() if for_update else query)).first()
    if row is None:
        raise NotFound(f"no subscription {subscription_id}")
    return row


async def rotate_secret(
    session: AsyncSession, personal: PersonalData, subscription_id: UUID, grace_s: float, *, owner: str | None = None
) -> tuple[SubscriptionRow, str]:
    """A new secret signs from now on; the old one also signs for `grace_s` seconds, so that receivers
    can switch without rejecting a delivery. Returns the subscription and the new secret (shown once)."""
    secret = new_secret()
    async with session.begin():
        # Found (and the caller's) before anything is sealed: a key is made only for a real subscription.
        row = await subscription(session, subscription_id, owner=owner, for_update=True)
        sealed = (await personal.seal(row.id, SECRET, secret)).model_dump(mode="json")
        row.previous_secret, row.secret = row.secret, sealed
        row.previous_secret_until = datetime.now(UTC) + timedelta(seconds=grace_s)
        row.updated_at = datetime.now(UTC)
        session.add(row)
    return row, secret


async def set_status(
    session: AsyncSession, subscription_id: UUID, status: Literal["active", "paused"], *, owner: str | None = None
) -> SubscriptionRow:
    """Pause or resume (resuming also re-enables a subscription disabled by 410 Gone)."""
    async with session.begin():
        row = await subscription(session, subscription_id, owner=owner, for_update=True)
        row.status, row.disabled_reason, row.updated_at = status, None, datetime.now(UTC)
        session.add(row)
    return row


async def delete_subscription(
    session: AsyncSession, personal: PersonalData, subscription_id: UUID, *, by: str, owner: str | None = None
) -> None:
    """Deletes the subscription with its deliveries and their log, and destroys the key of its secrets."""
    async with session.begin():
        row = await subscription(session, subscription_id, owner=owner, for_update=True)
        await session.delete(row)
    await personal.keystore.erase(subscription_id, by=by)
    personal.forget(subscription_id)
