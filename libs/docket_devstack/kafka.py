"""A real single-node Apache Kafka broker (KRaft, broker and controller in one JVM).

The jars come from Maven Central through the pinned POM in deploy/kafka/pom.xml
and are cached outside git, under $DOCKET_CACHE_DIR or <repo>/.cache.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import shutil
import signal
import socket
import struct
import subprocess
import time
import uuid
from pathlib import Path
from types import TracebackType

from . import maven
from .ports import free_port

REPO_ROOT = maven.REPO_ROOT
KAFKA_DIR = REPO_ROOT / "deploy" / "kafka"
POM = KAFKA_DIR / "pom.xml"
LOG4J2_CONFIG = KAFKA_DIR / "log4j2.yaml"

_METADATA = 3
_OFFSET_FETCH = 9
_FIND_COORDINATOR = 10
_CLIENT_ID = b"docket-devstack"
_PROBE_GROUP = b"docket-devstack-probe"

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


def _request(host: str, port: int, api_key: int, version: int, body: bytes) -> bytes | None:
    """Send one request (non-flexible version) and return the response body, or None on any failure."""
    header = struct.pack(">hhi", api_key, version, 1) + _string(_CLIENT_ID)
    try:
        with socket.create_connection((host, port), timeout=2.0) as sock:
            sock.sendall(struct.pack(">i", len(header) + len(body)) + header + body)
            (size,) = struct.unpack(">i", _recv_exact(sock, 4))
            response = _recv_exact(sock, size)
    except OSError:
        return None
    return response[4:] if response[:4] == struct.pack(">i", 1) else None


def _serves_requests(host: str, port: int) -> bool:
    """True once Metadata lists a broker and the group coordinator has loaded the committed offsets.

    FindCoordinator also creates __consumer_offsets; with its single partition, one
    group's OffsetFetch succeeding means every group's offsets are readable.
    """
    try:
        metadata = _request(host, port, _METADATA, 4, struct.pack(">i?", -1, False))
        if metadata is None or struct.unpack_from(">i", metadata, 4)[0] == 0:
            return False
        coordinator = _request(host, port, _FIND_COORDINATOR, 1, _string(_PROBE_GROUP) + b"\x00")
        if coordinator is None or struct.unpack_from(">h", coordinator, 4)[0] != 0:
            return False
        offsets = _request(host, port, _OFFSET_FETCH, 3, _string(_PROBE_GROUP) + struct.pack(">i", -1))
        return offsets is not None and struct.unpack_from(">ih", offsets, 4) == (0, 0)
    except struct.error:
        return False


class KafkaBroker:
    """One Kafka node acting as broker and KRaft controller, with its state in `data_dir`."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        controller_port: int | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port or free_port(host)
        self.controller_port = controller_port or free_port(host)
        while self.controller_port == self.port:
            self.controller_port = free_port(host)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        """The broker's PLAINTEXT address, "host:port"."""
        return f"{self.host}:{self.port}"

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
        self._write_config()
        if not (self.log_dir / "meta.properties").exists():
            self._format_storage(classpath)
        with open(self.broker_log, "ab") as log:
            self._process = subprocess.Popen(
                [
                    _java(),
                    "-Xmx512m",
                    "-Djava.awt.headless=true",
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
        while not _serves_requests(self.host, self.port):
            if self._process.poll() is not None:
                code = self._process.returncode
                self.stop()
                raise RuntimeError(f"Kafka broker exited with code {code}:\n{self._log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Kafka broker not ready after {timeout:.0f}s:\n{self._log_tail()}")
            time.sleep(0.2)
        _log.info("Kafka broker on %s ready in %.1fs", self.bootstrap_servers, time.monotonic() - started)

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

    def _write_config(self) -> None:
        host, port, cport = self.host, self.port, self.controller_port
        settings = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@{host}:{cport}",
            "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{cport}",
            "advertised.listeners": f"PLAINTEXT://{host}:{port}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(self.log_dir),
            "num.partitions": "3",
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
        }
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
