"""The notifier's app factory and its workers: webhooks, e-mail, Art 78(2) reminders."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from docket_contracts import topics
from docket_privacy.personal import PersonalData
from docket_service.clock import Clock, SystemClock
from docket_service.http import service_app
from docket_service.limits import limit_bodies
from docket_service.runtime import ServiceRuntime, Worker, every

from .api import install_error_handlers, routers
from .application.deliveries import deliver_due_webhooks
from .application.languages import Languages
from .application.letters import send_due_letters
from .application.reminders import send_due_reminders
from .config import NotifierSettings
from .handlers import handlers
from .outbound import GuardedSender, Mailer, Resolver, Sender, SmtpMailer, SystemResolver

ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


def workers(
    settings: NotifierSettings,
    personal: PersonalData,
    clock: Clock,
    resolver: Resolver,
    sender: Sender | None,
    mailer: Mailer | None,
) -> dict[str, Worker]:
    """The background loops of the notifier (none when `run_deliveries` is off; no mail without a server)."""
    s = settings
    schedule, batch, interval = s.retry_schedule, s.delivery_batch_size, s.delivery_interval_s

    async def webhooks(runtime: ServiceRuntime) -> None:
        own = GuardedSender(resolver, s.webhook_allow_list, s.webhook_timeout_s) if sender is None else None
        try:
            await every(
                interval,
                batch,
                lambda rt: deliver_due_webhooks(
                    rt.sessions,
                    personal,
                    own or sender,
                    schedule=schedule,
                    batch_size=batch,
                    timeout_s=s.webhook_timeout_s,
                    scopes_max_age_s=s.webhook_scopes_max_age_days * 86_400.0,
                ),
            )(runtime)
        finally:
            if own is not None:
                await own.close()

    async def mail(runtime: ServiceRuntime) -> int:
        assert mailer is not None
        return await send_due_letters(
            runtime.sessions,
            personal,
            mailer,
            sender=s.smtp_sender,
            schedule=schedule,
            batch_size=batch,
            lease_s=3 * s.smtp_timeout_s + 1,
            clock=clock,
            lead_days=s.art78_reminder_lead_days,
        )

    staff_words = Languages(s.authority_language).authority

    async def reminders(runtime: ServiceRuntime) -> int:
        return await send_due_reminders(
            runtime.sessions, clock, staff_address=s.staff_email, batch_size=batch, words=staff_words
        )

    if not s.run_deliveries:
        return {}
    loops: dict[str, Worker] = {"webhooks": webhooks, "reminders": every(interval, batch, reminders)}
    if mailer is not None:
        loops["mail"] = every(interval, batch, mail)
    return loops


def runtime(
    settings: NotifierSettings,
    clock: Clock | None = None,
    resolver: Resolver | None = None,
    sender: Sender | None = None,
    mailer: Mailer | None = None,
    personal: PersonalData | None = None,
) -> ServiceRuntime:
    s = settings
    personal = personal or s.personal_data()
    if mailer is None and s.smtp_host:
        mailer = SmtpMailer(
            s.smtp_host,
            s.smtp_port,
            s.smtp_timeout_s,
            s.smtp_starttls,
            s.smtp_username,
            s.smtp_password.get_secret_value() if s.smtp_password else None,
        )
    return ServiceRuntime(
        name="notifier",
        settings=s,
        alembic_ini=ALEMBIC_INI,
        produces=topics.NOTIFICATIONS,
        consumes=[topics.COMPLAINTS, topics.CASES],
        handlers=handlers(s, personal),
        workers=workers(
            s,
            personal,
            clock or SystemClock(s.regulator_timezone),
            resolver or SystemResolver(s.webhook_timeout_s),
            sender,
            mailer,
        ),
        migrations=s.keystore_migrations(),
        closers=[personal.keystore.close],
    )


def create_app(
    settings: NotifierSettings | None = None,
    clock: Clock | None = None,
    resolver: Resolver | None = None,
    sender: Sender | None = None,
    mailer: Mailer | None = None,
) -> FastAPI:
    settings = settings or NotifierSettings()
    resolver = resolver or SystemResolver(settings.webhook_timeout_s)
    personal = settings.personal_data()
    app = service_app("Docket notifier", runtime(settings, clock, resolver, sender, mailer, personal), *routers)
    app.state.settings = settings
    app.state.resolver = resolver
    app.state.personal = personal
    install_error_handlers(app)
    limit_bodies(app, settings.max_body_bytes)
    return app
