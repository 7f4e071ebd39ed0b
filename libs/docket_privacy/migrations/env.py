from docket_privacy import keystore
from docket_service import alembic_env

alembic_env.run("keystore", keystore.TABLES)
