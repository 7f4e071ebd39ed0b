from docket_service import alembic_env
from services.notifier import store

alembic_env.run("notifier", store.TABLES)
