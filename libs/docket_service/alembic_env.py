"""The body of every service's Alembic env.py: one schema per service, its own version table,
an advisory lock so that two instances starting together migrate one after the other.
"""

from __future__ import annotations

import asyncio
import os
import zlib

import sqlalchemy as sa
from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel


def run(service: str, table_names: set[str]) -> None:
    """Migrate `service`'s schema. `table_names` limits autogenerate to the service's own tables."""
    config = context.config
    url = config.attributes.get("database_url") or os.environ["DATABASE_URL"]
    schema = config.attributes.get("schema") or os.environ.get("DATABASE_SCHEMA", service)

    def include_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
        return type_ != "table" or name in table_names

    def do_run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=SQLModel.metadata,
            version_table_schema=schema,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, connect_args={"server_settings": {"search_path": schema}})
        try:
            async with engine.connect() as connection:
                await connection.execute(sa.select(sa.func.pg_advisory_lock(zlib.crc32(f"migrate:{schema}".encode()))))
                # A service's role owns its schema, made for it by deploy/postgres/roles.sql, and may have no
                # right to create schemas; a superuser URL (a bare database) still gets the schema made here.
                exists = await connection.scalar(
                    sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}
                )
                if not exists:
                    await connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
                await connection.commit()
                await connection.run_sync(do_run)
                await connection.commit()
        finally:
            await engine.dispose()

    if context.is_offline_mode():
        raise SystemExit("offline migrations are not supported: run against a database")
    asyncio.run(main())
