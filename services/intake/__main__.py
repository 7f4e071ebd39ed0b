from docket_contracts import topics
from docket_privacy.settings import rotate_keys_command
from docket_service.cli import main

from .config import IntakeSettings
from .legacy import in_clear, seal_legacy_command
from .main import ALEMBIC_INI, create_app

main(
    IntakeSettings,
    create_app,
    ALEMBIC_INI,
    name="intake",
    produces=topics.COMPLAINTS,
    migrations=IntakeSettings.keystore_migrations,
    tasks={"seal-legacy": seal_legacy_command, "rotate-keys": rotate_keys_command},
    awaited={"seal-legacy": in_clear},
)
