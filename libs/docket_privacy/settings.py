"""The settings of a service that may read personal data: where the key store is, and its master keys; and the
command that rotates them."""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

from docket_service.runtime import Migration

from . import masterkeys
from .keystore import PostgresKeyStore
from .masterkeys import MasterKeys
from .personal import PersonalData

log = logging.getLogger(__name__)

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
    keystore_master_keys: SecretStr | None = Field(
        default=None,
        description=(
            "the master keys, newest first, as `id:key` separated by commas, each key base64 of 32 random bytes "
            "(keep them out of the database and its backups): the newest wraps every data subject's key made from "
            "now on and every key `rotate-keys` re-wraps, each one opens the keys wrapped under it; this or "
            "KEYSTORE_MASTER_KEY is required to serve"
        ),
    )
    keystore_master_key: SecretStr | None = Field(
        default=None,
        description=(
            "one master key, base64 of 32 random bytes, as deployments set it before master keys had ids: read as "
            "the oldest of KEYSTORE_MASTER_KEYS, with the id `initial`"
        ),
    )

    def master_keys(self) -> MasterKeys:
        if self.keystore_master_keys is None and self.keystore_master_key is None:
            raise KeystoreNotConfigured("this service reads personal data: set KEYSTORE_MASTER_KEYS")
        return masterkeys.parse(
            self.keystore_master_keys.get_secret_value() if self.keystore_master_keys else None,
            self.keystore_master_key.get_secret_value() if self.keystore_master_key else None,
        )

    def keystore(self) -> PostgresKeyStore:
        if not self.keystore_database_url:
            raise KeystoreNotConfigured(
                "this service reads personal data: set KEYSTORE_DATABASE_URL and KEYSTORE_MASTER_KEYS"
            )
        return PostgresKeyStore(self.keystore_database_url, self.keystore_schema, self.master_keys())

    def personal_data(self) -> PersonalData:
        return PersonalData(self.keystore())

    def keystore_migrations(self) -> list[Migration]:
        """The key store's history, applied by the services that use it (whichever starts first)."""
        url = self.keystore_migration_database_url or self.keystore_database_url
        if not url:
            raise KeystoreNotConfigured("set KEYSTORE_DATABASE_URL to migrate the key store")
        return [Migration(KEYSTORE_ALEMBIC_INI, url, self.keystore_schema)]


async def rotate_keys_command(settings: KeystoreSettings) -> None:
    """`python -m services.<intake|notifier> rotate-keys`: re-wrap every live data subject's key under the newest
    of the service's master keys; once no key is left under an older one, that one can be retired."""
    keystore = settings.keystore()
    try:
        rotation = await keystore.rotate()
    finally:
        await keystore.close()
    newest = settings.master_keys().newest
    log.info("rotate-keys: re-wrapped %d key(s) under master key %s", rotation.rewrapped, newest)
    left = {key_id: count for key_id, count in rotation.wrapped_under.items() if key_id != newest}
    for key_id, count in sorted(left.items()):
        log.warning("rotate-keys: %d key(s) still wrapped under master key %s", count, key_id)
    if not left:
        log.info("rotate-keys: every live key is wrapped under %s: the other master keys can be retired", newest)
