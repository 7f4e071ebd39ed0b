"""What the notifier does with the events it consumes: every event a subscriber may ask for goes
through `take_in` (letters, Art 78(2) clocks, webhook deliveries) in the inbox transaction.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from docket_contracts.envelope import CloudEvent
from docket_contracts.events import Payload
from docket_messaging.consumer import Handler
from docket_privacy.personal import PersonalData

from .application import take_in
from .config import NotifierSettings
from .webhooks import SUBSCRIBABLE


def handlers(settings: NotifierSettings, personal: PersonalData) -> dict[str, Handler]:
    async def on_event(session: AsyncSession, event: CloudEvent, payload: Payload) -> None:
        await take_in(session, personal, event, payload, lead_days=settings.art78_reminder_lead_days)

    return dict.fromkeys(SUBSCRIBABLE, on_event)
