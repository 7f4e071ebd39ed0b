"""What the notifier does with the events it consumes: one handler per event type."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload
from docket_contracts.registry import BY_PAYLOAD
from docket_messaging.consumer import Handler

from . import store
from .domain import RULES, drafts_for


async def notify(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
    await store.record(session, event, drafts_for(payload))


HANDLERS: dict[str, Handler] = {BY_PAYLOAD[payload_type].type: notify for payload_type in RULES}
