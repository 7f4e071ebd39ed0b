from docket_messaging import alembic_env
from services.notifier import store

alembic_env.run("notifier", store.TABLES)
