"""`make bench` keeps working: each benchmark module runs on small sizes, as `python -m bench --small` runs it,
and writes its figures, each a number beside its reference. Small sizes measure nothing: no speed is checked.

The `eventsourcing` reference is a benchmark-only dependency (the lock's bench group, requirements/bench.txt,
which `make bench` installs); where it is not installed, as after `make test` alone, the small run
reports that reference as missing instead of failing.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys

import pytest

from bench.__main__ import MODULES
from tests.conftest import repo_root

pytestmark = pytest.mark.e2e

# How many figures each module of ours gives; a module not listed must give at least one.
FIGURES = {"bench.case": 6, "bench.relay": 1}


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


# The whole pipeline (three services on a real broker, about 90 s even small) runs in `make faults`; the
# default suite keeps the three others.
@pytest.mark.parametrize(
    "module", [pytest.param(m, marks=pytest.mark.faults) if m == "bench.pipeline" else m for m in MODULES]
)
def test_a_benchmark_runs_on_small_sizes_and_writes_its_figures(module, tmp_path):
    env = os.environ | {"PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}"}
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--small", "--only", module, "--out", str(tmp_path)],
        cwd=repo_root(),
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]

    lines = result.stdout.splitlines()
    assert lines[0].startswith("machine: ") and "date: " in lines[0]
    assert lines[2].startswith("| measure | figure | reference |")
    assert (tmp_path / "bench.md").read_text().strip() == result.stdout.strip()
    written = json.loads((tmp_path / "bench.json").read_text())
    assert {"machine", "cores", "python", "date"} <= set(written["machine"])
    figures = written["figures"]
    assert len(figures) == FIGURES.get(module, len(figures)) and figures
    for figure in figures:
        assert figure["extra"]["module"] == module
        assert figure["measure"] and figure["unit"] and _number(figure["value"]), figure
        assert figure["met"] is None or isinstance(figure["met"], bool), figure
        if figure["reference"] is None:
            continue
        missing = "not installed" in figure["reference"]
        if missing:  # only the benchmark-only reference may be absent, and only where it is not installed
            assert importlib.util.find_spec("eventsourcing") is None, figure
            assert figure["reference_value"] is None and figure["ratio"] is None and figure["met"] is None
        else:
            assert _number(figure["reference_value"]), figure
            assert figure["ratio"] == pytest.approx(figure["value"] / figure["reference_value"])
