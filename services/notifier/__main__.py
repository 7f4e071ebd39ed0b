from docket_messaging.cli import main

from .config import NotifierSettings
from .main import ALEMBIC_INI, create_app, runtime

main(NotifierSettings(), create_app, runtime, ALEMBIC_INI)
