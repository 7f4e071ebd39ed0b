from docket_service import alembic_env
from services.intake import store

alembic_env.run("intake", store.TABLES)
