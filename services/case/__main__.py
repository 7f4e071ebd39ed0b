from docket_messaging.cli import main

from .config import CaseSettings
from .main import ALEMBIC_INI, create_app, runtime

main(CaseSettings(), create_app, runtime, ALEMBIC_INI)
