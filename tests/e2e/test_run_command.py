"""The README's run command brings everything up on the embedded defaults, files a complaint
through the whole pipeline, stays up, and on Ctrl-C stops everything it started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import psutil
import pytest

from docket_devstack.ports import free_port
from tests.conftest import repo_root

pytestmark = pytest.mark.e2e


def test_up_runs_the_first_complaint_through_and_ctrl_c_stops_everything(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "OIDC_ISSUER", "KEYSTORE_MASTER_KEY")}
    env |= {"DOCKET_HTTP_PORTS": ",".join(str(free_port()) for _ in range(3)),
            "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}"}
    log = tmp_path / "up.log"
    started = datetime.now(UTC)
    with open(log, "w") as out:
        up = subprocess.Popen([sys.executable, "-m", "docket_devstack", "up", "--data-dir", str(tmp_path / "data")],
                              cwd=repo_root(), env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 360
        while "Ctrl-C stops everything" not in log.read_text():
            assert up.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        children = psutil.Process(up.pid).children(recursive=True)
        assert len(children) >= 3  # the three services
        up.send_signal(signal.SIGINT)
        assert up.wait(60) == 0
    finally:
        if up.poll() is None:
            up.kill()
    output = log.read_text()
    assert "migrations   applied (schemas intake, case, notifier, keystore)" in output
    assert "a role per service: docket_intake, docket_case, docket_notifier, docket_keystore" in output
    assert "/realms/docket (realm docket" in output
    assert "victor.investigator (investigator)" in output and "-d client_id=docket-cli" in output
    assert "filed against Clearview AI" in output
    assert "open (version 1, 1 complaint(s))" in output
    # The demo complaint is filed as the public files one: received today (intake's day, in UTC).
    days = {day.isoformat() for day in (started.date(), datetime.now(UTC).date())}
    assert any(f"notification letter to the complainant: A case on Clearview AI was opened on {day}" in output
               for day in days), output
    assert output.rstrip().endswith("stopping")
    leftovers = [p.info for p in psutil.process_iter(["pid", "cmdline"])
                 if str(tmp_path) in " ".join(p.info["cmdline"] or ())]
    assert leftovers == [] and not [child for child in children if alive(child)]


def alive(process: psutil.Process) -> bool:
    """Still running: an exited process that its new parent has not reaped yet (a zombie) is not."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
