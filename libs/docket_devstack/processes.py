"""The three services as operating-system processes, configured as `make run` configures them: each with
its own database role, the key store only where personal data is read, the issuer to trust."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from docket_contracts.checkpoints import new_signing_key

from .database import Databases
from .kafka import REPO_ROOT

SERVICES = ("intake", "case", "notifier")
READS_PERSONAL_DATA = ("intake", "notifier")  # the services given the key store; the case service is not


def service_env(
    name: str,
    databases: Databases,
    kafka: Mapping[str, str],
    issuer: str | None,
    master_keys: str,
    port: int,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment `python -m services.<name> serve` runs with: logs as text lines for a person reading them
    (unless LOG_FORMAT says otherwise); `kafka` holds its KAFKA_* settings (the broker, its principal there). The
    case service signs its checkpoints with CHECKPOINT_SIGNING_KEY from `extra` or the environment, else with a
    key of its own, made here."""
    env = (
        {"LOG_FORMAT": "text"}
        | os.environ
        | {
            "DATABASE_URL": databases.of(name),
            "HTTP_PORT": str(port),
            "DATABASE_SCHEMA": name,
            "MIGRATE_ON_START": "false",
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "libs")]),
        }
    )
    env |= kafka
    if issuer:
        env["OIDC_ISSUER"] = issuer
    if name in READS_PERSONAL_DATA:
        env |= {"KEYSTORE_DATABASE_URL": databases.keystore, "KEYSTORE_MASTER_KEYS": master_keys}
    env.pop("KEYSTORE_MASTER_KEY", None)  # a single key of the environment is among `master_keys` already
    if name == "case" and "CHECKPOINT_SIGNING_KEY" not in env:
        env["CHECKPOINT_SIGNING_KEY"] = new_signing_key()
    return env | dict(extra or {})


@dataclass
class ServiceProcess:
    """One service's process, in its own process group, its output appended to `log`."""

    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        """Its address: https when it is given a certificate (HTTP_TLS_CERTFILE), as a case service that exchanges
        cooperation messages is."""
        scheme = "https" if self.env.get("HTTP_TLS_CERTFILE") else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"services.{self.name}", "serve"],
                env=self.env,
                cwd=REPO_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, timeout: float = 45.0) -> int | None:
        """SIGTERM, then SIGKILL after `timeout` seconds; returns the exit status (negative: the signal that
        ended it)."""
        if self.process is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        return self.process.returncode
