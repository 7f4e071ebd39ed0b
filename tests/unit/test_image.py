"""deploy/Dockerfile cannot be built here, so its file list is built the way Docker would build it: the COPY
instructions, each source through .dockerignore, and checked (docs/operations.md, "docker compose" and
"Dependencies")."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from services.case.config import CaseSettings
from services.intake.config import IntakeSettings
from services.notifier.config import NotifierSettings
from tests.unit.test_dependencies import REQUIREMENTS, normalise, pinned

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def arguments(self, instruction: str) -> list[str]:
        return [arguments for name, arguments in self.instructions if name == instruction]


def stages(text: str) -> list[Stage]:
    """The Dockerfile's stages, each with its instructions (continuation lines joined, comments dropped)."""
    logical = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    found: list[Stage] = []
    for line in filter(None, map(str.strip, logical.splitlines())):
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            base, _, name = arguments.partition(" AS ")
            found.append(Stage(base.strip(), name.strip()))
        else:
            found[-1].instructions.append((instruction.upper(), arguments.strip()))
    return found


def ignore_pattern(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Docker matches it: `*` and `?` within one path segment, `**` across any."""
    regex, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif pattern[i] == "?":
            regex, i = regex + "[^/]", i + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return re.compile(regex)


IGNORE = [
    (line.startswith("!"), ignore_pattern(os.path.normpath(line.lstrip("!").strip("/"))))
    for line in map(str.strip, (ROOT / ".dockerignore").read_text().splitlines())
    if line and not line.startswith("#")
]


def in_context(path: str) -> bool:
    """Whether `path` (relative to the context) is sent to the build: the last pattern that matches it or one of
    its parent directories decides."""
    parents = [path] + ["/".join(path.split("/")[:i]) for i in range(1, path.count("/") + 1)]
    included = True
    for negated, pattern in IGNORE:
        if any(pattern.fullmatch(candidate) for candidate in parents):
            included = negated
    return included


def context_files() -> set[str]:
    """Every file of the working tree that Docker would send as the build context. Directories that no `!`
    pattern reaches into are not walked (the patterns re-include whole paths, not wildcards)."""
    reincluded = [
        line.strip().lstrip("!").strip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip().startswith("!")
    ]
    files = set()
    for directory, subdirectories, names in os.walk(ROOT):
        relative = os.path.relpath(directory, ROOT)
        prefix = "" if relative == "." else relative + "/"
        subdirectories[:] = [
            d
            for d in subdirectories
            if in_context(prefix + d) or any(path.startswith(prefix + d + "/") for path in reincluded)
        ]
        files |= {prefix + name for name in names if in_context(prefix + name)}
    return files


STAGES = stages(DOCKERFILE.read_text())
BUILD, FINAL = STAGES[0], STAGES[-1]
CONTEXT = context_files()


def copied(stage: Stage) -> dict[str, set[str]]:
    """Each COPY source of the build context in `stage`, with the files of the context it brings."""
    sources = {}
    for arguments in stage.arguments("COPY"):
        words = shlex.split(arguments)
        if any(word.startswith("--from=") for word in words):
            continue
        for source in words[:-1]:
            sources[source] = {path for path in CONTEXT if path == source or path.startswith(source + "/")}
    return sources


def image_files() -> set[str]:
    return set().union(*copied(FINAL).values())


def test_two_stages_on_one_base_and_only_the_venv_crosses_over():
    assert len(STAGES) == 2 and BUILD.name == "build"
    assert BUILD.base == FINAL.base  # the venv's interpreter is the same path in both
    assert FINAL.arguments("COPY")[0] == "--from=build /opt/docket /opt/docket"
    assert not any("--from" in arguments for arguments in FINAL.arguments("COPY")[1:])
    assert not any("pip install" in arguments for arguments in FINAL.arguments("RUN"))


def test_the_image_installs_the_runtime_set_of_the_lock_and_nothing_else():
    assert copied(BUILD) == {"requirements/runtime.txt": {"requirements/runtime.txt"}}
    [install] = [arguments for arguments in BUILD.arguments("RUN") if "pip install" in arguments]
    assert "--require-hashes -r /tmp/runtime.txt" in install
    assert "/tmp/runtime.txt" in BUILD.arguments("COPY")[0]


def test_compose_builds_every_docket_container_from_this_file_with_the_repository_as_context():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    built = {name: service["build"] for name, service in compose.items() if "build" in service}
    assert set(built) == {
        "intake",
        "case",
        "notifier",
        "migrate",
        "intake-seal-legacy",
        "notifier-seal-legacy",
        "kafka-acls",
    }
    assert all(build == {"context": ".", "dockerfile": "deploy/Dockerfile"} for build in built.values())


def test_every_copy_source_exists_and_reaches_the_build():
    for stage in STAGES:
        for source, files in copied(stage).items():
            assert (ROOT / source).exists(), source
            assert files, f"{source} is kept out of the context by .dockerignore"


def test_nothing_of_the_tests_benchmarks_or_dev_tools_goes_in():
    files = image_files()
    assert {path.split("/")[0] for path in files} == {"libs", "services"}
    assert {path.split("/")[1] for path in files if path.startswith("libs/")} == {
        "docket_contracts",
        "docket_exchange",
        "docket_identity",
        "docket_messaging",
        "docket_operator",
        "docket_privacy",
        "docket_service",
    }
    assert not [
        path
        for path in files
        if re.search(
            r"(^|/)(tests?|conftest)(/|\.py$)|(^|/)test_[^/]*\.py$|"
            r"__pycache__|\.pyc$|docket_devstack|export\.py$",
            path,
        )
    ]
    for service in ("intake", "case", "notifier"):
        assert {f"services/{service}/__main__.py", f"services/{service}/alembic.ini"} <= files
    assert "libs/docket_privacy/alembic.ini" in files  # the key store's history, migrated by intake and notifier


def imported_distributions(path: Path, provided_by: Mapping[str, list[str]]) -> set[str]:
    """The distributions that provide what `path` imports from outside the standard library and Docket."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    third_party = {
        name
        for name in imported
        if name not in sys.stdlib_module_names and name != "services" and not name.startswith("docket_")
    }
    return {normalise(provided_by[name][0]) for name in third_party}


def test_what_the_image_s_code_imports_is_in_the_runtime_set():
    runtime, provided_by = set(pinned(REQUIREMENTS / "runtime.txt")), importlib.metadata.packages_distributions()
    for path in sorted(image_files()):
        if path.endswith(".py"):
            assert imported_distributions(ROOT / path, provided_by) <= runtime, path


def test_it_runs_as_an_unprivileged_user_of_its_own():
    [user] = FINAL.arguments("USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) >= 1000 and gid == uid  # numeric, so that Kubernetes can verify non-root
    assert any(f"useradd --system --uid {uid} --user-group" in arguments for arguments in FINAL.arguments("RUN"))
    assert [name for name, _ in FINAL.instructions].index("USER") > max(  # nothing is done as root after it
        i for i, (name, _) in enumerate(FINAL.instructions) if name in ("RUN", "COPY")
    )


def test_a_health_check_asks_the_service_s_own_port_whether_it_is_alive():
    [check] = FINAL.arguments("HEALTHCHECK")
    command = json.loads(check.split(" CMD ", 1)[1])
    assert command[:2] == ["python", "-c"]
    assert "os.environ['HTTP_PORT']" in command[2] and "/healthz'" in command[2]
    environment = " ".join(FINAL.arguments("ENV"))
    assert "HTTP_HOST=0.0.0.0" in environment  # reachable from outside the container
    assert "PATH=/opt/docket/bin:$PATH" in environment and "PYTHONPATH=/app:/app/libs" in environment
    ports = {
        settings.model_fields["http_port"].default for settings in (IntakeSettings, CaseSettings, NotifierSettings)
    }
    assert set(FINAL.arguments("EXPOSE")[0].split()) == set(map(str, ports))
