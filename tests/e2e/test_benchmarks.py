"""The benchmarks the README's table comes from still run (on small sizes: this checks they work, not speed)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import repo_root

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("command", [["bench.case_load", "--events", "60"],
                                     ["bench.pipeline", "--samples", "3", "--backlog", "50"]])
def test_a_benchmark_runs_and_prints_its_table(command):
    env = os.environ | {"PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}"}
    result = subprocess.run([sys.executable, "-m", *command], cwd=repo_root(), env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("machine: ")
    assert lines[1].startswith("| measure |") and len(lines) == 6  # header, rule, three measures
