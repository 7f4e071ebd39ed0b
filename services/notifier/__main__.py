from docket_contracts import topics
from docket_privacy.settings import rotate_keys_command
from docket_service.cli import main

from .config import NotifierSettings
from .legacy import in_clear, seal_legacy_command
from .main import ALEMBIC_INI, create_app

main(
    NotifierSettings,
    create_app,
    ALEMBIC_INI,
    name="notifier",
    produces=topics.NOTIFICATIONS,
    migrations=NotifierSettings.keystore_migrations,
    tasks={"seal-legacy": seal_legacy_command, "rotate-keys": rotate_keys_command},
    awaited={"seal-legacy": in_clear},
)
