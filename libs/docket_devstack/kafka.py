"""A real single-node Apache Kafka broker (KRaft, broker and controller in one JVM), that lets in only the
clients of Docket's identity provider and lets them do only what Docket's ACLs say.

Three listeners, all on loopback:
- CLIENTS (`bootstrap_servers`): SASL/OAUTHBEARER. A client presents an access token, which the broker checks
  with Kafka's own OIDC support (KIP-768): signed by a key of the issuer's JWKS, issued by the issuer, for the
  audience `docket-kafka`; the principal is User:<azp>, the OAuth client the token was issued to. The
  StandardAuthorizer then applies the ACLs (docket_operator.acls), and refuses whatever none allows.
- INTERNAL (`admin`): SASL/PLAIN for the broker's own super user, whose password is made on the first start and
  kept in the data dir; the broker speaks to itself there, and the devstack sets up topics and ACLs with it.
- CONTROLLER: KRaft's, with the same super user.

The jars come from Maven Central through the pinned POM in deploy/kafka/pom.xml
and are cached outside git, under $DOCKET_CACHE_DIR or <repo>/.cache.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import hashlib
import logging
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Protocol

import httpx

from docket_messaging.access import KafkaAccess, oauth
from docket_operator.acls import apply, realm_integrators
from docket_operator.deadletters import OPERATOR_CLIENT

from . import maven
from .kept import kept
from .keycloak import REALM_DIR
from .ports import free_port

REPO_ROOT = maven.REPO_ROOT
KAFKA_DIR = REPO_ROOT / "deploy" / "kafka"
POM = KAFKA_DIR / "pom.xml"
LOG4J2_CONFIG = KAFKA_DIR / "log4j2.yaml"

_METADATA = 3
_OFFSET_FETCH = 9
_FIND_COORDINATOR = 10
_SASL_HANDSHAKE = 17
_SASL_AUTHENTICATE = 36
_CLIENT_ID = b"docket-devstack"
_PROBE_GROUP = b"docket-devstack-probe"

# The audience a token must name for Kafka: the realm's docket-kafka client scope puts it in its clients' tokens.
AUDIENCE = "docket-kafka"
# The claim whose value is the principal: the OAuth client the token was issued to.
PRINCIPAL_CLAIM = "azp"
SUPER_USER = "broker"
TOPIC_PARTITIONS = 3

_log = logging.getLogger(__name__)


def kafka_version() -> str:
    """The Kafka release pinned in deploy/kafka/pom.xml."""
    return maven.pom_property(POM, "kafka.version")


def jar_cache_dir() -> Path:
    """Directory the broker's jars are copied to: <cache>/kafka-<version>/libs."""
    return maven.cache_root() / f"kafka-{kafka_version()}" / "libs"


def fetch_jars() -> Path:
    """Fetch the broker's jars with Maven unless the cache matches the POM; return the libs dir."""
    libs = jar_cache_dir()
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()
    with maven.once(libs.parent / ".lock", libs.parent / "pom.sha256", digest) as stale:
        if stale or not any(libs.glob("*.jar")):
            shutil.rmtree(libs, ignore_errors=True)
            _log.info("fetching Kafka %s jars into %s", kafka_version(), libs)
            maven.run(POM, "dependency:copy-dependencies", f"-DoutputDirectory={libs}", what="the Kafka jars")
            if not any(libs.glob("*.jar")):
                raise RuntimeError(f"Maven fetched no Kafka jar into {libs}")
    return libs


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java:
        raise RuntimeError("java is not on PATH (nor in $JAVA_HOME); the Kafka broker needs a JRE 17+")
    return java


def _cluster_id() -> str:
    """A random Kafka cluster id (base64url UUID) that cannot be mistaken for a CLI option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("connection closed")
        data += chunk
    return data


def _string(value: bytes) -> bytes:
    return struct.pack(">h", len(value)) + value


class _Session:
    """One connection to the broker, signed in with SASL/PLAIN, for requests of non-flexible versions."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._correlation = 0

    def request(self, api_key: int, version: int, body: bytes) -> bytes:
        self._correlation += 1
        header = struct.pack(">hhi", api_key, version, self._correlation) + _string(_CLIENT_ID)
        self._sock.sendall(struct.pack(">i", len(header) + len(body)) + header + body)
        (size,) = struct.unpack(">i", _recv_exact(self._sock, 4))
        response = _recv_exact(self._sock, size)
        if response[:4] != struct.pack(">i", self._correlation):
            raise ConnectionError("an answer to another request")
        return response[4:]

    def sign_in(self, username: str, password: str) -> None:
        handshake = self.request(_SASL_HANDSHAKE, 1, _string(b"PLAIN"))
        if struct.unpack_from(">h", handshake)[0] != 0:
            raise ConnectionError("the broker does not take SASL/PLAIN here")
        credentials = b"\0" + username.encode() + b"\0" + password.encode()
        answer = self.request(_SASL_AUTHENTICATE, 1, struct.pack(">i", len(credentials)) + credentials)
        if struct.unpack_from(">h", answer)[0] != 0:
            raise ConnectionError("the broker refused the super user's password")


@contextmanager
def _session(host: str, port: int, username: str, password: str) -> Iterator[_Session]:
    with socket.create_connection((host, port), timeout=2.0) as sock:
        session = _Session(sock)
        session.sign_in(username, password)
        yield session


def _serves_requests(host: str, port: int, username: str, password: str) -> bool:
    """True once Metadata lists a broker and the group coordinator has loaded the committed offsets.

    FindCoordinator also creates __consumer_offsets; with its single partition, one
    group's OffsetFetch succeeding means every group's offsets are readable.
    """
    try:
        with _session(host, port, username, password) as session:
            metadata = session.request(_METADATA, 4, struct.pack(">i?", -1, False))
            if struct.unpack_from(">i", metadata, 4)[0] == 0:
                return False
            coordinator = session.request(_FIND_COORDINATOR, 1, _string(_PROBE_GROUP) + b"\x00")
            if struct.unpack_from(">h", coordinator, 4)[0] != 0:
                return False
            offsets = session.request(_OFFSET_FETCH, 3, _string(_PROBE_GROUP) + struct.pack(">i", -1))
            return struct.unpack_from(">ih", offsets, 4) == (0, 0)
    except (OSError, struct.error):
        return False


class Identity(Protocol):
    """The OpenID provider whose tokens the broker takes, and that knows its clients' secrets (KeycloakServer)."""

    def issuer(self, realm: str = ...) -> str: ...

    def token_endpoint(self, realm: str = ...) -> str: ...

    def client_secret(self, client_id: str, realm: str = ...) -> str: ...


def jwks_url_of(issuer: str) -> str:
    """The JWKS URL that the issuer's discovery document names."""
    response = httpx.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=10.0)
    response.raise_for_status()
    return str(response.json()["jwks_uri"])


def _in_a_thread(work: Callable[[], object]) -> None:
    """Run `work` (which runs an event loop) in a thread of its own: a caller may be inside an event loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(work).result()


class KafkaBroker:
    """One Kafka node acting as broker and KRaft controller, with its state in `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        identity: Identity,
        port: int | None = None,
        controller_port: int | None = None,
        host: str = "127.0.0.1",
        integrators: Mapping[str, Sequence[str]] | None = None,
        realm: str = "docket",
    ) -> None:
        self.data_dir = Path(data_dir)
        self.identity = identity
        self.realm = realm  # the realm of `identity` whose tokens the broker takes, and its clients sign in with
        self.host = host
        self.port = port or free_port(host)
        self.controller_port = controller_port or free_port(host)
        self.internal_port = free_port(host)
        while len({self.port, self.controller_port, self.internal_port}) < 3:
            self.controller_port, self.internal_port = free_port(host), free_port(host)
        # The integrators whose ACLs are set up (client id: the topics their scopes name); the realm's by default.
        if integrators is None:
            integrators = realm_integrators(sorted(REALM_DIR.glob("*.json")))
        self.integrators = dict(integrators)
        self._secrets: dict[str, str] = {}
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        """The clients' listener (SASL/OAUTHBEARER), "host:port"."""
        return f"{self.host}:{self.port}"

    @property
    def admin(self) -> KafkaAccess:
        """The broker's super user on its internal listener: for setting up topics and ACLs, and for tests of
        the messaging runtime on topics of their own."""
        return KafkaAccess(
            f"{self.host}:{self.internal_port}", "SASL_PLAINTEXT", plain=(SUPER_USER, self.admin_password)
        )

    def access(self, client_id: str) -> KafkaAccess:
        """Signing in on the clients' listener as OAuth client `client_id` of the identity provider."""
        if client_id not in self._secrets:
            self._secrets[client_id] = self.identity.client_secret(client_id, self.realm)
        return oauth(
            self.bootstrap_servers,
            client_id,
            self._secrets[client_id],
            token_url=self.identity.token_endpoint(self.realm),
        )

    @property
    def operator(self) -> KafkaAccess:
        """Signed in as the operator tools (docket-operator), which may read every Docket topic."""
        return self.access(OPERATOR_CLIENT)

    def service(self, service: str) -> KafkaAccess:
        """Signed in as service `service` (intake, case, notifier), which may write only its own topics."""
        return self.access(f"docket-{service}")

    def service_env(self, service: str) -> dict[str, str]:
        """The Kafka settings of service `service` (intake, case, notifier): this broker, signed in as its client."""
        client_id = f"docket-{service}"
        access = self.access(client_id)
        return {
            "KAFKA_BOOTSTRAP_SERVERS": access.bootstrap_servers,
            "KAFKA_SECURITY_PROTOCOL": access.security_protocol,
            "KAFKA_OAUTH_CLIENT_ID": client_id,
            "KAFKA_OAUTH_CLIENT_SECRET": self._secrets[client_id],
            "KAFKA_OAUTH_TOKEN_URL": self.identity.token_endpoint(self.realm),
        }

    @property
    def admin_password(self) -> str:
        """The super user's password: random, made on the first start and kept in the data dir."""
        return kept(self.data_dir / "admin-password", lambda: secrets.token_urlsafe(24))

    @property
    def config_file(self) -> Path:
        """server.properties, rewritten on every start."""
        return self.data_dir / "server.properties"

    @property
    def log_dir(self) -> Path:
        """Kafka's log.dirs: the topic data and the KRaft metadata log."""
        return self.data_dir / "kraft-data"

    @property
    def broker_log(self) -> Path:
        """The broker's stdout and stderr."""
        return self.data_dir / "broker.log"

    def start(self, timeout: float = 60.0) -> None:
        """Start the broker (formatting its storage on first use) and wait until it serves requests."""
        if self.is_running():
            return
        started = time.monotonic()
        classpath = f"{fetch_jars()}/*"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        jwks_url = jwks_url_of(self.identity.issuer(self.realm))
        self._write_config(jwks_url)
        if not (self.log_dir / "meta.properties").exists():
            self._format_storage(classpath)
        with open(self.broker_log, "ab") as log:
            self._process = subprocess.Popen(
                [
                    _java(),
                    "-Xmx512m",
                    "-Djava.awt.headless=true",
                    # Kafka fetches keys only from the URLs allowed here (none by default).
                    f"-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls={jwks_url}",
                    f"-Dlog4j2.configurationFile={LOG4J2_CONFIG}",
                    "-cp",
                    classpath,
                    "kafka.Kafka",
                    str(self.config_file),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not _serves_requests(self.host, self.internal_port, SUPER_USER, self.admin_password):
            if self._process.poll() is not None:
                code = self._process.returncode
                self.stop()
                raise RuntimeError(f"Kafka broker exited with code {code}:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Kafka broker not ready after {timeout:.0f}s:\n{self._log_tail()}")
            time.sleep(0.2)
        try:  # at every start: a data dir kept from an earlier start gets the topics and ACLs added since
            self.set_up()
        except BaseException:
            self.stop()
            raise
        _log.info("Kafka broker on %s ready in %.1fs", self.bootstrap_servers, time.monotonic() - started)

    def set_up(self) -> None:
        """Create Docket's missing topics and the ACLs of its principals and integrators (docket_operator.acls):
        what exists already stays as it is."""
        admin, integrators = self.admin, self.integrators
        _in_a_thread(lambda: asyncio.run(apply(admin, TOPIC_PARTITIONS, integrators)))

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the broker: SIGTERM to its process group, then SIGKILL after `timeout` seconds."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            _log.warning("Kafka broker on %s ignored SIGTERM; killing it", self.bootstrap_servers)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def is_running(self) -> bool:
        """True while the broker process started by `start` is alive."""
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> KafkaBroker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _write_config(self, jwks_url: str) -> None:
        host, port, cport, iport = self.host, self.port, self.controller_port, self.internal_port
        password = self.admin_password
        plain = (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="{SUPER_USER}" password="{password}" user_{SUPER_USER}="{password}";'
        )
        oauthbearer = "listener.name.clients.oauthbearer."
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{host}:{cport}",
            "listeners": f"CLIENTS://{host}:{port},INTERNAL://{host}:{iport},CONTROLLER://{host}:{cport}",
            "advertised.listeners": f"CLIENTS://{host}:{port},INTERNAL://{host}:{iport}",
            "listener.security.protocol.map": ",".join(
                f"{name}:SASL_PLAINTEXT" for name in ("CLIENTS", "INTERNAL", "CONTROLLER")
            ),
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "INTERNAL",
            "sasl.mechanism.inter.broker.protocol": "PLAIN",
            "sasl.mechanism.controller.protocol": "PLAIN",
            "listener.name.internal.sasl.enabled.mechanisms": "PLAIN",
            "listener.name.internal.plain.sasl.jaas.config": plain,
            "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
            "listener.name.controller.plain.sasl.jaas.config": plain,
            "listener.name.clients.sasl.enabled.mechanisms": "OAUTHBEARER",
            f"{oauthbearer}sasl.jaas.config": (
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required ;"
            ),
            f"{oauthbearer}sasl.server.callback.handler.class": (
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler"
            ),
            "sasl.oauthbearer.jwks.endpoint.url": jwks_url,
            "sasl.oauthbearer.expected.issuer": self.identity.issuer(self.realm),
            "sasl.oauthbearer.expected.audience": AUDIENCE,
            "sasl.oauthbearer.sub.claim.name": PRINCIPAL_CLAIM,
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found": "false",
            "super.users": f"User:{SUPER_USER}",
            "log.dirs": str(self.log_dir),
            "num.partitions": str(TOPIC_PARTITIONS),
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
        }
        self.config_file.touch(mode=0o600)
        self.config_file.write_text("".join(f"{key}={value}\n" for key, value in settings.items()))

    def _format_storage(self, classpath: str) -> None:
        result = subprocess.run(
            [
                _java(),
                f"-Dlog4j2.configurationFile={LOG4J2_CONFIG}",
                "-cp",
                classpath,
                "kafka.tools.StorageTool",
                "format",
                "--config",
                str(self.config_file),
                "--cluster-id",
                _cluster_id(),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"formatting Kafka storage in {self.log_dir} failed:\n{result.stdout}{result.stderr}")

    def _log_tail(self, lines: int = 30) -> str:
        """The last lines of broker.log, leaving out Java stack frames."""
        try:
            text = self.broker_log.read_text(errors="replace")
        except FileNotFoundError:
            return "(no broker.log)"
        kept = [line for line in text.splitlines() if not line.lstrip().startswith("at ")]
        return "\n".join(kept[-lines:])
