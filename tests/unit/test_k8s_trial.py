"""The trial on one node runs as the "Kubernetes" section of docs/operations.md writes it. In a clone of the
committed tree (as a new user starts), its secrets step runs as the page's command line says, then kustomize
(pinned; `make test` installs it into .venv/bin) builds the base and every overlay as `kubectl apply -k` does,
and every resource it builds is validated against Kubernetes' schemas. No cluster runs here: the image the page
builds and the service it forwards a port to are checked against what the build holds.

tests/unit/test_k8s.py checks the manifests against the code on its own assembly of the kustomizations; the
last test here checks that kustomize builds the same.
"""

from __future__ import annotations

import base64
import os
import re
import resource
import shlex
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.unit.test_k8s import build, containers, the

ROOT = Path(__file__).resolve().parents[2]
KUSTOMIZE = Path(sys.executable).parent / "kustomize"  # make .venv/bin/kustomize
OVERLAYS = sorted(f"deploy/k8s/overlays/{path.name}" for path in (ROOT / "deploy" / "k8s" / "overlays").iterdir())
BUILDS = ["deploy/k8s/base", *OVERLAYS]
# A new user's environment: the Makefile puts the repository on PYTHONPATH, a user's shell does not.
USER_ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
Resource = dict[str, Any]


def readme_steps(readme: str) -> list[list[str]]:
    """The command lines of the trial's code block, split as the shell splits them, comments left out."""
    section = readme.split("\n## Kubernetes\n", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def cloned(directory: Path) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(directory)], check=True, timeout=120)
    return directory


def run(clone: Path, command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=clone, env=USER_ENVIRONMENT, capture_output=True, text=True, timeout=120, **options
    )


def untracked(clone: Path) -> str:
    """Whatever the clone holds beyond its commit, ignored files included."""
    return run(clone, ["git", "status", "--porcelain", "--ignored"]).stdout


def written(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(directory.iterdir())}


class Steps:
    """The trial's steps on the operations page of `clone`, by what each does."""

    def __init__(self, clone: Path) -> None:
        steps = readme_steps((clone / "docs" / "operations.md").read_text())
        # Each step is one of these; a new kind of step needs its check here.
        [self.image] = [step for step in steps if step[:2] == ["docker", "build"]]
        [self.secrets] = [step for step in steps if step[0].startswith("python")]
        [self.apply] = [step for step in steps if step[:3] == ["kubectl", "apply", "-k"]]
        [self.forward] = [step for step in steps if step[0] == "kubectl" and "port-forward" in step]
        assert len(steps) == 4
        self.overlay = clone / self.apply[3]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return cloned(tmp_path_factory.mktemp("trial") / "docket")


@pytest.fixture(scope="module")
def steps(clone: Path) -> Steps:
    return Steps(clone)


@pytest.fixture(scope="module")
def first_run(clone: Path, steps: Steps) -> subprocess.CompletedProcess[str]:
    return run(clone, steps.secrets)


@pytest.fixture(scope="module")
def built(clone: Path, first_run: subprocess.CompletedProcess[str]) -> dict[str, list[Resource]]:
    """Each kustomization's resources as kustomize builds them, once the secrets step has run."""
    assert KUSTOMIZE.exists(), f"{KUSTOMIZE} is missing: make .venv/bin/kustomize"
    resources = {}
    for directory in BUILDS:
        done = run(clone, [str(KUSTOMIZE), "build", directory])
        assert done.returncode == 0, done.stderr
        resources[directory] = [document for document in yaml.safe_load_all(done.stdout) if document]
    return resources


def test_the_secrets_step_writes_every_env_file_the_overlay_reads_and_git_ignores_them(clone, steps, first_run):
    assert first_run.returncode == 0, first_run.stderr
    kustomization = yaml.safe_load((steps.overlay / "kustomization.yaml").read_text())
    generators = kustomization["secretGenerator"] + kustomization["configMapGenerator"]
    read = {path for generator in generators for path in generator.get("envs", []) + generator.get("files", [])}
    secrets = steps.overlay / "secrets"
    assert {f"secrets/{name}" for name in written(secrets)} == read
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in secrets.iterdir())
    assert untracked(clone) == f"!! {secrets.relative_to(clone)}/\n"  # nothing else, and ignored


def test_a_second_secrets_step_refuses_and_keeps_the_first_passwords(clone, steps, first_run):
    before = written(steps.overlay / "secrets")
    again = run(clone, steps.secrets)
    assert again.returncode == 1 and "exists" in again.stderr
    assert written(steps.overlay / "secrets") == before


def test_a_failed_secrets_step_leaves_nothing_behind_and_the_next_one_runs(tmp_path):
    clone = cloned(tmp_path / "docket")
    secrets = Steps(clone).secrets

    def full_disk() -> None:  # every write fails (EFBIG) as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    failed = run(clone, secrets, preexec_fn=full_disk)
    assert failed.returncode != 0 and "File too large" in failed.stderr
    assert untracked(clone) == ""
    assert run(clone, secrets).returncode == 0


@pytest.mark.parametrize("directory", BUILDS)
def test_kustomize_builds_resources_kubernetes_accepts(built, directory):
    assert built[directory]
    for version in ("1.31.0", kubernetes_validate.utils.latest_version()):
        for document in built[directory]:
            kubernetes_validate.validate(document, version, strict=True)


def test_the_image_the_readme_builds_and_the_port_it_forwards_are_the_trial_s(clone, steps, built):
    assert steps.apply[3] in built
    trial = built[steps.apply[3]]
    image = steps.image
    assert (clone / image[image.index("-f") + 1]).is_file() and image[-1] == "."
    assert image[image.index("-t") + 1] in {container["image"] for r in trial for container in containers(r)}
    forward = steps.forward
    namespace, (kind, name) = forward[forward.index("-n") + 1], forward[forward.index("port-forward") + 1].split("/")
    assert kind == "svc" and the(trial, "Namespace", namespace)
    service = the(trial, "Service", name)
    assert service["metadata"]["namespace"] == namespace
    assert int(forward[-1]) in {port["port"] for port in service["spec"]["ports"]}


def as_test_k8s_builds(document: Resource) -> Resource:
    """kustomize writes a generated Secret's values in base64 (`data`) and names its type; test_k8s.py keeps
    them as written (`stringData`)."""
    if document["kind"] != "Secret":
        return document
    secret = {key: value for key, value in document.items() if key not in {"data", "type"}}
    assert document["type"] == "Opaque"
    return secret | {"stringData": {key: base64.b64decode(value).decode() for key, value in document["data"].items()}}


@pytest.mark.parametrize("directory", BUILDS)
def test_kustomize_builds_what_test_k8s_checks(clone, built, directory):
    def key(document: Resource) -> tuple[str, str]:
        return document["kind"], document["metadata"]["name"]

    assembled = sorted(build(clone / directory), key=key)
    assert sorted(map(as_test_k8s_builds, built[directory]), key=key) == assembled
