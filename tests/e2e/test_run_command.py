"""The README's run command brings everything up on the embedded defaults, files a complaint
through the whole pipeline, and leaves no process behind when it stops.
"""

from __future__ import annotations

import os
import subprocess
import sys

import psutil
import pytest

from docket_devstack.ports import free_port
from tests.conftest import repo_root

pytestmark = pytest.mark.e2e


def test_up_runs_the_first_complaint_through_and_stops_everything(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}
    env |= {"DOCKET_HTTP_PORTS": ",".join(str(free_port()) for _ in range(3)),
            "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}"}
    result = subprocess.run([sys.executable, "-m", "docket_devstack", "up", "--once", "--data-dir", str(tmp_path)],
                            cwd=repo_root(), env=env, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "migrations   applied (schemas intake, case, notifier)" in output
    assert "filed against Clearview AI" in output
    assert "open (version 1, 1 complaint(s))" in output
    assert "notification letter to the complainant: A case on Clearview AI was opened on 2020-05-25" in output
    leftovers = [p.info for p in psutil.process_iter(["pid", "cmdline"])
                 if str(tmp_path) in " ".join(p.info["cmdline"] or ())]
    assert leftovers == []
