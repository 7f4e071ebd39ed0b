"""Writes the trial's Secrets, once, into secrets/ beside this file (ignored by git): fresh random passwords for
PostgreSQL's roles, Keycloak's admin and the Kafka broker's super user, the services' database URLs made of them,
a key store master key with its id, the case service's checkpoint signing key, the secrets of the realm's clients
on Kafka (each service's, and the operator tools'), which Keycloak is given too, and the broker's TLS certificate
with the authority that signed it (deploy/kafka/tls.py).

    python3 deploy/k8s/overlays/trial/write_secrets.py

It never overwrites them: PostgreSQL keeps the passwords it was first given with its data, and Keycloak the
client secrets of its first import, so a second run refuses. The files are written into a temporary folder
beside secrets/ that becomes secrets/ only once all of them are written: a run that fails leaves nothing behind,
and the next one starts afresh.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import secrets
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROLES = ("migrator", "intake", "case", "notifier", "keystore")
SERVICES = ("intake", "case", "notifier")
# The realm's clients on Kafka (deploy/keycloak/realm/docket-realm.json names their secrets as placeholders).
KAFKA_CLIENTS = (*SERVICES, "operator")


def kafka_tls() -> ModuleType:
    """deploy/kafka/tls.py, which makes the broker's certificate."""
    spec = importlib.util.spec_from_file_location("kafka_tls", HERE.parents[2] / "kafka" / "tls.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def client_secret_variable(client: str) -> str:
    """The placeholder of client docket-<client>'s secret in the realm file, which Keycloak reads."""
    return f"DOCKET_{client.upper()}_CLIENT_SECRET"


def generate() -> dict[str, dict[str, str]]:
    """Each Secret's name and its keys: the roles of deploy/postgres/roles.sql, each service with its own."""
    password = {name: secrets.token_urlsafe(24) for name in (*ROLES, "postgres", "keycloak", "keycloak_admin")}

    def url(role: str) -> str:
        return f"postgresql+asyncpg://docket_{role}:{password[role]}@postgres:5432/docket"

    # One master key for intake and the notifier, which open each other's subjects' keys; its id says when it was
    # made (docs/operations.md, "Master keys").
    master_keys = f"{date.today():%Y-%m}:{base64.b64encode(secrets.token_bytes(32)).decode()}"
    client_secret = {client: secrets.token_urlsafe(24) for client in KAFKA_CLIENTS}
    kafka = {client: {"KAFKA_OAUTH_CLIENT_SECRET": client_secret[client]} for client in KAFKA_CLIENTS}
    keystore = {"KEYSTORE_DATABASE_URL": url("keystore"), "KEYSTORE_MASTER_KEYS": master_keys}
    return {
        "postgres": {"POSTGRES_PASSWORD": password["postgres"], "KEYCLOAK_DB_PASSWORD": password["keycloak"]}
        | {f"DOCKET_{role.upper()}_DB_PASSWORD": password[role] for role in ROLES},
        "keycloak": {"KC_DB_PASSWORD": password["keycloak"], "KC_BOOTSTRAP_ADMIN_PASSWORD": password["keycloak_admin"]}
        | {client_secret_variable(client): client_secret[client] for client in KAFKA_CLIENTS},
        "kafka-admin": {"KAFKA_ADMIN_USERNAME": "broker", "KAFKA_ADMIN_PASSWORD": secrets.token_urlsafe(24)},
        "migrator": {"DATABASE_URL": url("migrator"), "KEYSTORE_DATABASE_URL": url("migrator")},
        "intake": {"DATABASE_URL": url("intake")} | keystore | kafka["intake"],
        "case": {
            "DATABASE_URL": url("case"),
            "CHECKPOINT_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "COOPERATION_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        | kafka["case"],
        "notifier": {"DATABASE_URL": url("notifier")} | keystore | {"SMTP_PASSWORD": ""} | kafka["notifier"],
        "operator": kafka["operator"],
    }


def env_file(values: dict[str, str]) -> str:
    return "".join(f"{key}={value}\n" for key, value in values.items())


def main() -> int:
    directory = HERE / "secrets"
    if directory.exists():
        sys.stderr.write(f"{directory} exists; remove it (and the trial's PostgreSQL data) to start afresh\n")
        return 1
    generated = generate()
    tls = kafka_tls()
    partial = Path(tempfile.mkdtemp(prefix=".secrets-", dir=HERE))  # readable by its owner only (0700)
    try:
        for name, values in generated.items():
            path = partial / f"{name}.env"
            path.touch(mode=0o600)
            path.write_text(env_file(values))
        certificates = tls.certificates()
        tls.write(partial, certificates, mode=0o600)
        os.rename(partial, directory)
    except BaseException:
        shutil.rmtree(partial)
        raise
    print(f"wrote {', '.join([*(f'{name}.env' for name in generated), *certificates])} into {directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
