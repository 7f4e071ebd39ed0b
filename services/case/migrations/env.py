from docket_service import alembic_env
from services.case import store

alembic_env.run("case", store.TABLES)
