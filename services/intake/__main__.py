from docket_messaging.cli import main

from .config import IntakeSettings
from .main import ALEMBIC_INI, create_app, runtime

main(IntakeSettings(), create_app, runtime, ALEMBIC_INI)
