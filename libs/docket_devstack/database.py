"""Docket's database on the embedded PostgreSQL: one database, the migrator that owns its schemas, a role
per service and one for the key store (deploy/postgres/roles.sql, the same script docker compose runs),
and the URL of each.
"""

from __future__ import annotations

from dataclasses import dataclass

from .kafka import REPO_ROOT
from .postgres import EmbeddedPostgres

ROLES_SQL = REPO_ROOT / "deploy" / "postgres" / "roles.sql"
PARTS = ("intake", "case", "notifier", "keystore")


@dataclass(frozen=True)
class Databases:
    """Where each part connects, with its own role; `migrator` owns the schemas and runs the migrations;
    `admin` is the superuser, for setup and inspection."""

    intake: str
    case: str
    notifier: str
    keystore: str
    migrator: str
    admin: str

    def of(self, part: str) -> str:
        url: str = getattr(self, part)
        return url


def provision(server: EmbeddedPostgres, database: str = "docket") -> Databases:
    """Create the database and its roles (idempotent). The embedded server trusts local connections, so the
    roles' passwords are placeholders; privileges, not passwords, keep each part in its own schema."""
    server.create_database(database)
    server.psql(
        database,
        ROLES_SQL.read_text(),
        database=database,
        **{f"{part}_password": f"docket-{part}" for part in (*PARTS, "migrator")},
    )
    scheme, _, rest = server.url(database).partition("://")
    host = rest.split("@", 1)[1]
    urls = {part: f"{scheme}://docket_{part}@{host}" for part in (*PARTS, "migrator")}
    return Databases(**urls, admin=server.url(database))
