"""The settings of a service that may read personal data: where the key store is, and its master key."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

from docket_service.runtime import Migration

from . import cipher
from .keystore import PostgresKeyStore
from .personal import PersonalData

KEYSTORE_ALEMBIC_INI = Path(__file__).parent / "alembic.ini"


class KeystoreNotConfigured(ValueError):
    """A service that reads personal data was started without its key store."""


class KeystoreSettings(BaseSettings):
    """Needed by `serve` (and `migrate`) of a service that reads personal data; not by its relay alone, which
    publishes sealed rows as they are and so never holds the master key."""

    keystore_database_url: str | None = Field(
        default=None,
        description=(
            "the key store's database, reached with its own role, e.g. "
            "postgresql+asyncpg://docket_keystore:...@host/docket; required to serve"
        ),
    )
    keystore_schema: str = Field(default="keystore", description="the schema of the key store")
    keystore_migration_database_url: str | None = Field(
        default=None,
        description=(
            "the role that owns the key store's schema and runs its migrations; by default KEYSTORE_DATABASE_URL"
        ),
    )
    keystore_master_key: SecretStr | None = Field(
        default=None,
        description=(
            "base64 of 32 random bytes; wraps every data subject's key (keep it out of the database and its "
            "backups); required to serve"
        ),
    )

    def personal_data(self) -> PersonalData:
        if not self.keystore_database_url or self.keystore_master_key is None:
            raise KeystoreNotConfigured(
                "this service reads personal data: set KEYSTORE_DATABASE_URL and KEYSTORE_MASTER_KEY"
            )
        return PersonalData(
            PostgresKeyStore(
                self.keystore_database_url,
                self.keystore_schema,
                cipher.master_key(self.keystore_master_key.get_secret_value()),
            )
        )

    def keystore_migrations(self) -> list[Migration]:
        """The key store's history, applied by the services that use it (whichever starts first)."""
        url = self.keystore_migration_database_url or self.keystore_database_url
        if not url:
            raise KeystoreNotConfigured("set KEYSTORE_DATABASE_URL to migrate the key store")
        return [Migration(KEYSTORE_ALEMBIC_INI, url, self.keystore_schema)]
