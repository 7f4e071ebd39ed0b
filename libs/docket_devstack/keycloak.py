"""A real Keycloak server, the identity provider that issues the tokens Docket's services check.

The server distribution comes from Maven Central through the pinned POM in
deploy/keycloak/pom.xml and is cached outside git, under $DOCKET_CACHE_DIR or
<repo>/.cache, where it is also built ("augmented") once for a dev-file database
with health checks, so that every later start can skip that step (`--optimized`).

Each server gets its own Keycloak home, `<data_dir>/home`: a copy of bin/kc.sh and
symlinks to the shared lib, conf, themes and providers. Keycloak puts everything it
writes under `<home>/data` (H2 database, tmp, transaction logs, the realm import dir),
so servers on different data dirs never share state and never write into the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import psutil

from . import maven
from .kept import kept
from .ports import free_port

REPO_ROOT = maven.REPO_ROOT
KEYCLOAK_DIR = REPO_ROOT / "deploy" / "keycloak"
POM = KEYCLOAK_DIR / "pom.xml"
# What production imports: the docket realm, its roles, client scopes and clients. A realm file
# that lists any client scope gets none of Keycloak's built-in ones (keycloak/keycloak#10021), so
# it also defines those Docket's clients use (basic: sub; profile; email; service_account: client_id)
# and those Keycloak gives new clients (roles, web-origins, acr).
REALM_DIR = KEYCLOAK_DIR / "realm"
# Demo staff users with password docket-demo: imported by `make run` and the tests, never by production.
DEMO_DIR = KEYCLOAK_DIR / "demo"

# Build-time options baked into the cached dist by `kc.sh build`; a start with `--optimized`
# trusts them, so changing them must rebuild the cache (they are part of its stamp).
BUILD_OPTIONS = ("--db=dev-file", "--health-enabled=true")
# Shared, read-only parts of the dist that each per-server home links to.
_SHARED = ("lib", "conf", "themes", "providers")
# Settings a caller's environment could slip into kc.sh or Keycloak; the server sets its own.
_ENV_PREFIXES = ("KC_", "KEYCLOAK_", "QUARKUS_", "JAVA_OPTS")
_ENV_NAMES = ("JAVA_ADD_OPENS", "JAVA_LOCALE", "DEBUG", "DEBUG_PORT", "DEBUG_SUSPEND", "PRINT_ENV")
# kc.sh's own default heap outside containers, stated so that it cannot grow past it next to Kafka.
HEAP = "-Xms64m -Xmx512m"
# C1 only: on two cores this takes about a quarter off a start; a dev server never needs C2's peak speed.
JIT = "-XX:TieredStopAtLevel=1"
ADMIN_USERNAME = "docket-admin"
# A realm file names the secret of each of Docket's own confidential clients (the services and the operator tools
# on Kafka) as a placeholder, which Keycloak fills from its environment when it imports the realm; deployments give
# it the secrets they give the clients. A server here makes each at random on its first start and keeps them.
CLIENT_SECRET_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*_CLIENT_SECRET)\}")


_log = logging.getLogger(__name__)


def keycloak_version() -> str:
    """The Keycloak release pinned in deploy/keycloak/pom.xml."""
    return maven.pom_property(POM, "keycloak.version")


def dist_dir() -> Path:
    """Directory the server distribution is unpacked to: <cache>/keycloak-<version>."""
    return maven.cache_root() / f"keycloak-{keycloak_version()}"


def _clean_env() -> dict[str, str]:
    """This process's environment without anything that would configure kc.sh or Keycloak."""
    return {
        key: value for key, value in os.environ.items() if not key.startswith(_ENV_PREFIXES) and key not in _ENV_NAMES
    }


def client_secret_variables(realm_dirs: Sequence[Path]) -> set[str]:
    """The environment variables the realm files name as client secrets (CLIENT_SECRET_PLACEHOLDER)."""
    return {
        name
        for directory in realm_dirs
        for path in Path(directory).glob("*.json")
        for name in CLIENT_SECRET_PLACEHOLDER.findall(path.read_text())
    }


def fetch_dist() -> Path:
    """Fetch and build the distribution unless the cache matches the POM and build options; return its dir.

    `kc.sh build` rewrites lib/quarkus inside the dist, so it runs here, once, under the
    lock; servers only ever start it with `--optimized`, which reads lib/quarkus and
    writes nothing there, so any number of them can run from one dist at once.
    """
    dist = dist_dir()
    digest = hashlib.sha256(POM.read_bytes() + "\n".join(BUILD_OPTIONS).encode()).hexdigest()
    with maven.once(dist.parent / f"{dist.name}.lock", dist / "docket-build.sha256", digest) as stale:
        if not stale:
            return dist
        shutil.rmtree(dist, ignore_errors=True)
        unpack = dist.parent / f".{dist.name}.unpack"
        shutil.rmtree(unpack, ignore_errors=True)
        _log.info("fetching Keycloak %s into %s", keycloak_version(), dist)
        maven.run(POM, "dependency:unpack", f"-Dkeycloak.unpack.dir={unpack}", what="Keycloak")
        if not (unpack / dist.name / "bin" / "kc.sh").is_file():
            raise RuntimeError(f"Maven unpacked no Keycloak into {unpack}")
        (unpack / dist.name).rename(dist)
        shutil.rmtree(unpack, ignore_errors=True)
        _log.info("building Keycloak %s (%s)", keycloak_version(), " ".join(BUILD_OPTIONS))
        build = [str(dist / "bin" / "kc.sh"), "build", *BUILD_OPTIONS]
        env = _clean_env() | {"JAVA_OPTS_KC_HEAP": HEAP}
        result = subprocess.run(build, capture_output=True, text=True, check=False, cwd=dist, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"kc.sh build failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return dist


class KeycloakServer:
    """One Keycloak server with its own home, H2 database and log under `data_dir`.

    On every start the JSON files in `realm_dirs` are copied to the import dir and
    imported with `--import-realm`; Keycloak skips a realm that already exists, so a
    restart on the same data dir keeps what the first start (and anyone since) made.
    Keycloak fills the files' client secret placeholders from its environment: the
    server gives it `client_secrets`.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        host: str = "127.0.0.1",
        realm_dirs: Sequence[Path] = (REALM_DIR, DEMO_DIR),
        management_port: int | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port or free_port(host)
        self.management_port = management_port or free_port(host)
        while self.management_port == self.port:
            self.management_port = free_port(host)
        self.realm_dirs = tuple(Path(directory) for directory in realm_dirs)
        self._process: subprocess.Popen[bytes] | None = None
        self._admin_password: str | None = None

    @property
    def base_url(self) -> str:
        """The server's root URL, e.g. http://127.0.0.1:8080."""
        return f"http://{self.host}:{self.port}"

    @property
    def management_url(self) -> str:
        """The management interface (/health, /health/ready), on its own port."""
        return f"http://{self.host}:{self.management_port}"

    def issuer(self, realm: str = "docket") -> str:
        """The `iss` of the realm's tokens: the server's fixed hostname URL plus /realms/<realm>."""
        return f"{self.base_url}/realms/{realm}"

    def token_endpoint(self, realm: str = "docket") -> str:
        """The realm's OAuth 2.0 token endpoint."""
        return f"{self.issuer(realm)}/protocol/openid-connect/token"

    @property
    def home(self) -> Path:
        """This server's Keycloak home (kc.home.dir); its data/ subdir holds all server state."""
        return self.data_dir / "home"

    @property
    def log_file(self) -> Path:
        """The server's stdout and stderr."""
        return self.data_dir / "keycloak.log"

    @property
    def admin_username(self) -> str:
        """The bootstrap admin of the master realm."""
        return ADMIN_USERNAME

    @property
    def admin_password(self) -> str:
        """The bootstrap admin's password: random, made on the first start and kept in the data dir."""
        if self._admin_password is None:
            self._admin_password = kept(self.data_dir / "admin-password", lambda: secrets.token_urlsafe(24))
        return self._admin_password

    @property
    def client_secrets(self) -> dict[str, str]:
        """The secrets the realm files' placeholders name, by variable: made at random when first needed and kept
        in the data dir, so that a restart (which imports nothing new) keeps the ones the realm was given."""
        path = self.data_dir / "client-secrets.json"
        kept: dict[str, str] = json.loads(path.read_text()) if path.is_file() else {}
        wanted = client_secret_variables(self.realm_dirs)
        if not wanted <= set(kept):
            kept |= {name: secrets.token_urlsafe(24) for name in wanted - set(kept)}
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n")
        return {name: kept[name] for name in wanted}

    def start(self, timeout: float = 180.0) -> None:
        """Start the server (creating its home and importing the realms on first use) and wait until it is ready."""
        if self.is_running():
            return
        started = time.monotonic()
        dist = fetch_dist()
        self._prepare_home(dist)
        env = (
            _clean_env()
            | {
                "JAVA_OPTS_KC_HEAP": HEAP,
                "JAVA_OPTS_APPEND": JIT,
                "KC_BOOTSTRAP_ADMIN_USERNAME": self.admin_username,
                "KC_BOOTSTRAP_ADMIN_PASSWORD": self.admin_password,
            }
            | self.client_secrets
        )
        with open(self.log_file, "ab") as log:
            self._process = subprocess.Popen(
                [str(self.home / "bin" / "kc.sh"), *self.command_args()],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                env=env,
                start_new_session=True,
            )
        try:
            self._wait_ready(self._process, timeout)
        except BaseException:  # also Ctrl-C while waiting: a half-started server must not outlive the caller
            self.stop()
            raise
        _log.info("Keycloak on %s ready in %.1fs", self.base_url, time.monotonic() - started)

    def command_args(self) -> list[str]:
        """The arguments given to kc.sh: a production start of the prebuilt server, on loopback only."""
        return [
            "start",
            "--optimized",
            "--http-enabled=true",
            f"--http-host={self.host}",
            f"--http-port={self.port}",
            f"--http-management-port={self.management_port}",
            f"--hostname={self.base_url}",
            "--cache=local",
            "--import-realm",
        ]

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server: SIGTERM to its process group (kc.sh and its JVM), then SIGKILL after `timeout` seconds."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            members = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            members = []
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        if not _wait_gone(process, members, timeout):
            _log.warning("Keycloak on %s ignored SIGTERM; killing it", self.base_url)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            for member in members:
                with contextlib.suppress(psutil.NoSuchProcess):
                    member.kill()
            _wait_gone(process, members, timeout)

    def is_running(self) -> bool:
        """True while the server process started by `start` is alive."""
        return self._process is not None and self._process.poll() is None

    def admin_token(self) -> str:
        """An access token of the bootstrap admin, for the Admin REST API under {base_url}/admin/realms."""
        response = httpx.post(
            self.token_endpoint("master"),
            data={
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": self.admin_username,
                "password": self.admin_password,
            },
            timeout=10.0,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def client_secret(self, client_id: str, realm: str = "docket") -> str:
        """The secret Keycloak generated for confidential client `client_id`, read with the Admin REST API."""
        headers = {"Authorization": f"Bearer {self.admin_token()}"}
        with httpx.Client(base_url=f"{self.base_url}/admin/realms/{realm}", headers=headers, timeout=10.0) as admin:
            clients = admin.get("/clients", params={"clientId": client_id})
            clients.raise_for_status()
            found = [client for client in clients.json() if client.get("clientId") == client_id]
            if not found:
                raise LookupError(
                    f"realm {realm} has no client {client_id}: a server keeps the realm it first imported; "
                    f"remove {self.data_dir} to import the realm files as they are now"
                )
            secret = admin.get(f"/clients/{found[0]['id']}/client-secret")
            secret.raise_for_status()
            return str(secret.json()["value"])

    def password_token(
        self, username: str, password: str, client_id: str = "docket-cli", realm: str = "docket"
    ) -> dict[str, Any]:
        """The token endpoint's response to a password grant (resource owner credentials) for a public client."""
        return self._token(
            realm, {"grant_type": "password", "client_id": client_id, "username": username, "password": password}
        )

    def client_credentials_token(
        self, client_id: str, secret: str, realm: str = "docket", scope: str | None = None
    ) -> dict[str, Any]:
        """The token endpoint's response to a client-credentials grant; `scope` asks for optional client scopes too."""
        form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
        if scope:
            form["scope"] = scope
        return self._token(realm, form)

    def __enter__(self) -> KeycloakServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _token(self, realm: str, form: dict[str, str]) -> dict[str, Any]:
        response = httpx.post(self.token_endpoint(realm), data=form, timeout=10.0)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def _prepare_home(self, dist: Path) -> None:
        """Make <data_dir>/home a Keycloak home over `dist` and put the realm files in its import dir.

        kc.sh takes kc.home.dir from its own resolved path, so it is copied, not linked.
        """
        bin_dir = self.home / "bin"
        bin_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(dist / "bin" / "kc.sh", bin_dir / "kc.sh")
        for name in _SHARED:
            link = self.home / name
            if link.is_symlink() and link.resolve() == (dist / name).resolve():
                continue
            link.unlink(missing_ok=True)
            link.symlink_to(dist / name, target_is_directory=True)
        imports = self.home / "data" / "import"
        shutil.rmtree(imports, ignore_errors=True)
        imports.mkdir(parents=True)
        for directory in self.realm_dirs:
            for source in sorted(directory.glob("*.json")):
                json.loads(source.read_text())  # fail here, not deep in Keycloak's startup, on a broken file
                shutil.copyfile(source, imports / source.name)
        self.log_file.touch()

    def _wait_ready(self, process: subprocess.Popen[bytes], timeout: float) -> None:
        """Wait until the server is ready; raise with the log's tail if it exits or `timeout` passes first."""
        deadline = time.monotonic() + timeout
        while not self._ready():
            if process.poll() is not None:
                raise RuntimeError(f"Keycloak exited with code {process.returncode}:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Keycloak not ready after {timeout:.0f}s:\n{self._log_tail()}")
            time.sleep(0.5)

    def _ready(self) -> bool:
        """True once the docket realm's discovery document is served."""
        try:
            response = httpx.get(f"{self.issuer()}/.well-known/openid-configuration", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def _log_tail(self, lines: int = 40) -> str:
        """The last lines of keycloak.log, leaving out Java stack frames."""
        try:
            text = self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return "(no keycloak.log)"
        kept = [line for line in text.splitlines() if not line.lstrip().startswith("at ")]
        return "\n".join(kept[-lines:])


def _wait_gone(process: subprocess.Popen[bytes], members: list[psutil.Process], timeout: float) -> bool:
    """Reap kc.sh and wait until every process of its group has exited (zombies count as gone)."""
    deadline = time.monotonic() + timeout
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        return False
    while time.monotonic() < deadline:
        if all(_gone(member) for member in members):
            return True
        time.sleep(0.1)
    return all(_gone(member) for member in members)


def _gone(process: psutil.Process) -> bool:
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
