from typing import Annotated, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from docket_contracts.events import Language
from docket_messaging.backoff import RetrySchedule
from docket_privacy.settings import KeystoreSettings
from docket_service.limits import DEFAULT_MAX_BODY_BYTES
from docket_service.settings import ServiceSettings


class NotifierSettings(ServiceSettings, KeystoreSettings):
    database_schema: str = "notifier"
    http_port: int = 8003
    run_deliveries: bool = Field(default=True, description="run the webhook, mail and reminder workers")
    delivery_interval_s: float = Field(default=1.0, gt=0, description="how often the workers look for due work")
    delivery_batch_size: int = Field(default=50, ge=1, description="due deliveries a worker claims at a time")
    retry_max_attempts: int = Field(
        default=8, ge=1, description="attempts of a webhook or e-mail before it is dead-lettered"
    )
    retry_base_delay_s: float = Field(default=10.0, gt=0, description="delay before the second attempt; doubles")
    retry_max_delay_s: float = Field(default=3600.0, gt=0, description="the longest delay between two attempts")
    webhook_timeout_s: float = Field(default=10.0, gt=0, description="per attempt: DNS, connect, send, answer")
    webhook_allow_list: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="comma-separated CIDRs or host names that webhooks may reach although "
        "they are private, loopback or link-local (or plain http)",
    )
    webhook_scopes_max_age_days: int = Field(
        default=7,
        ge=1,
        description="how long an integrator's scopes, as their last token showed them, hold: past it, their "
        "deliveries wait until they call the notifier again with a token (any call, e.g. GET /subscriptions)",
    )
    webhook_secret_grace_s: float = Field(
        default=86_400.0, ge=0, description="how long a rotated-out secret still signs"
    )
    smtp_host: str | None = Field(
        default=None, description="the mail server; unset: letters are recorded, not e-mailed"
    )
    smtp_port: int = Field(default=25, description="the mail server's port")
    smtp_sender: str = Field(default="Docket <noreply@docket.invalid>", description="the From of every e-mail")
    smtp_username: str | None = Field(
        default=None, description="the login at the mail server, if it asks one; sent only with SMTP_STARTTLS"
    )
    smtp_password: SecretStr | None = Field(default=None, description="the password of SMTP_USERNAME")
    smtp_starttls: bool = Field(
        default=False,
        description="upgrade the connection with STARTTLS, the server's certificate verified against SMTP_HOST "
        "(the system's CAs; SSL_CERT_FILE names another bundle)",
    )
    smtp_timeout_s: float = Field(default=10.0, gt=0, description="per e-mail: connect, send, answer")
    staff_email: str | None = Field(default=None, description="where Art 78(2) reminders go")
    art78_reminder_lead_days: int = Field(
        default=14, ge=0, description="remind staff this many days before three months without news end"
    )
    authority_language: Language = Field(
        default="en",
        description="the language of letters to controllers and staff, and to complainants whose language is not "
        "known (fr or en)",
    )
    max_body_bytes: int = Field(default=DEFAULT_MAX_BODY_BYTES, gt=0, description="largest request body (413 above)")

    @field_validator("webhook_allow_list", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value

    @field_validator("smtp_host", "smtp_username", "smtp_password", "staff_email", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _login_only_over_tls(self) -> Self:
        if self.smtp_username and not self.smtp_starttls:
            raise ValueError("SMTP_USERNAME needs SMTP_STARTTLS: the password is never sent in clear")
        return self

    @property
    def retry_schedule(self) -> RetrySchedule:
        return RetrySchedule(self.retry_max_attempts, self.retry_base_delay_s, self.retry_max_delay_s)
