"""What the notifier's routes may ask for, typed, in one place: the database session, the settings, the key
store and the DNS resolver that `main.create_app` hands the app, and who may call what."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from docket_identity.http import allow
from docket_identity.roles import Caller, Role
from docket_privacy.personal import PersonalData
from docket_service.http import SessionDep

from .application import subscriptions
from .config import NotifierSettings
from .domain.webhooks import event_scopes
from .outbound import Resolver

__all__ = [
    "Administrator",
    "ContactReader",
    "LetterReader",
    "PersonalDep",
    "ResolverDep",
    "SessionDep",
    "SettingsDep",
    "SubscriptionManager",
    "SubscriptionReader",
]


async def get_settings(request: Request) -> NotifierSettings:
    settings: NotifierSettings = request.app.state.settings
    return settings


async def get_resolver(request: Request) -> Resolver:
    resolver: Resolver = request.app.state.resolver
    return resolver


async def get_personal(request: Request) -> PersonalData:
    personal: PersonalData = request.app.state.personal
    return personal


SettingsDep = Annotated[NotifierSettings, Depends(get_settings)]
PersonalDep = Annotated[PersonalData, Depends(get_personal)]
ResolverDep = Annotated[Resolver, Depends(get_resolver)]


async def integrator_seen(caller: Caller, session: AsyncSession) -> Caller:
    """An integrator's token says what they may receive now: kept on their subscriptions at each call."""
    if caller.acting_as == Role.INTEGRATOR:
        await subscriptions.note_scopes(session, caller.subject, event_scopes(caller.scopes))
    return caller


async def subscription_manager(
    caller: Annotated[Caller, Depends(allow(Role.ADMINISTRATOR, Role.INTEGRATOR))], session: SessionDep
) -> Caller:
    return await integrator_seen(caller, session)


async def subscription_reader(
    caller: Annotated[Caller, Depends(allow(Role.ADMINISTRATOR, Role.AUDITOR, Role.INTEGRATOR))], session: SessionDep
) -> Caller:
    return await integrator_seen(caller, session)


# Who may call what (see docket_identity). Integrators reach only their own subscriptions and deliveries, and
# each of their calls keeps what their token covers on their subscriptions (subscriptions.note_scopes).
SubscriptionManager = Annotated[Caller, Depends(subscription_manager)]
SubscriptionReader = Annotated[Caller, Depends(subscription_reader)]
Administrator = Annotated[Caller, Depends(allow(Role.ADMINISTRATOR))]
ContactReader = Annotated[Caller, Depends(allow(Role.ADMINISTRATOR, Role.AUDITOR))]
LetterReader = Annotated[
    Caller,
    Depends(
        allow(
            Role.INTAKE_OFFICER,
            Role.PRESIDENT,
            Role.RAPPORTEUR,
            Role.INVESTIGATOR,
            Role.SANCTIONS_COMMITTEE,
            Role.AUDITOR,
            Role.ADMINISTRATOR,
        )
    ),
]
