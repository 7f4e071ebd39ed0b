from docket_messaging import alembic_env
from docket_privacy import keystore

alembic_env.run("keystore", keystore.TABLES)
