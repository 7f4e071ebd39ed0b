"""Every command the docs show is run, as the page writes it, by a test named here, or says why no test runs it
(it needs Docker, Kubernetes or PyPI, or it is the slow suite itself). The commands are read from the pages
(tests/doc_commands.py); the examples of the staff command line are run, in order, by the test that reads them
from the guide."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.doc_commands import ROOT, shown, shown_on
from tests.e2e.test_readme_cli import examples

CLI_EXAMPLES = "tests/e2e/test_readme_cli.py::test_every_example_of_the_cli_section_runs_as_shown"
CI = ".ci/run"  # CI runs exactly `make test`, whose recipe runs `make lint` first
DEADLETTERS = "tests/e2e/test_deadletters.py::test_a_dead_letter_is_listed_then_requeued_after_the_fix_and_applied_once"
NO_STORY = "tests/e2e/test_run_command.py::test_no_story_brings_docket_up_and_the_readme_s_curl_examples_answer"
OUTBOX = "tests/service/test_case_service.py::test_the_outbox_commands_of_the_operations_page_run_as_written"
# bench.pipeline (its small run in `make faults`) starts two processes of each service on one port, so.
WORKERS = "tests/e2e/test_benchmarks.py::test_a_benchmark_runs_on_small_sizes_and_writes_its_figures"

# Each command as the docs show it (on one line), and the test that runs it. A test that starts the same program
# with values of its own for a page's `...` or `[optional]` parts, or through the Makefile's recipe rather than
# make, is named for it too.
RUN_BY = {
    "make run": "tests/e2e/test_run_command.py::test_up_plays_the_story_then_stays_up_until_ctrl_c",
    "make test": CI,
    "make run ARGS=--once": (
        "tests/e2e/test_run_command.py::test_once_plays_the_story_and_exits_and_plays_it_again_on_the_same_data"
    ),
    "make run ARGS=--no-story": NO_STORY,
    "make run ARGS=--network": (
        "tests/e2e/test_network.py::test_network_once_plays_both_authorities_and_leaves_nothing_behind"
    ),
    "TOKEN=$(curl -s http://127.0.0.1:8080/realms/docket/protocol/openid-connect/token -d grant_type=password"
    " -d client_id=docket-cli -d username=victor.investigator -d password=docket-demo"
    " | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')": NO_STORY,
    "curl -H \"Authorization: Bearer $TOKEN\" 'http://127.0.0.1:8002/cases?controller=clearview-ai'": NO_STORY,
    "make lint": CI,
    "make bench": "tests/e2e/test_benchmarks.py::test_a_benchmark_runs_on_small_sizes_and_writes_its_figures",
    "make docs": "tests/unit/test_doc_commands.py::test_make_docs_writes_the_generated_docs_into_a_copy_of_the_tree",
    "curl -s -XPOST localhost:8001/complaints -H 'content-type: application/json' -H 'Idempotency-Key: 5f0c-1'"
    ' -d \'{ "kind": "art77_complaint", "category": "access_request_ignored", "territory": ["FR"], "complainant":'
    ' {"name": "Jeanne Martin", "email": "jeanne.martin@example.org", "country": "FR"}, "controller": {"name":'
    ' "Clearview AI, Inc.", "country": "US", "website": "clearview.ai"}, "articles_alleged": [15, 17], "narrative":'
    ' "I asked for my data on 2 May 2020 and got no answer."}\'': NO_STORY,
    "python3 deploy/kafka/tls.py deploy/kafka/tls": (
        "tests/unit/test_compose.py::test_the_tls_step_writes_the_files_compose_mounts"
    ),
    "python3 deploy/k8s/overlays/trial/write_secrets.py": (
        "tests/unit/test_k8s_trial.py::test_the_secrets_step_writes_every_env_file_the_overlay_reads_and_git_ignores_them"
    ),
    "export HTTP_PORT=8001 HTTP_REUSE_PORT=true": WORKERS,
    "python -m services.intake serve &": WORKERS,
    "DATABASE_URL=... OIDC_ISSUER=... .venv/bin/python -m services.case outbox parked": OUTBOX,
    "DATABASE_URL=... OIDC_ISSUER=... .venv/bin/python -m services.case outbox resend ID ... | --all": OUTBOX,
    "export PYTHONPATH=$PWD:$PWD/libs": DEADLETTERS,
    ".venv/bin/python -m docket_operator.deadletters --bootstrap localhost:9092 list docket.dlq.docket-case"
    " [--json]": DEADLETTERS,
    ".venv/bin/python -m docket_operator.deadletters --bootstrap localhost:9092 requeue docket.dlq.docket-case"
    " --offset 0:12 1:3 [--dry-run]": DEADLETTERS,
    ".venv/bin/python -m docket_operator.deadletters --bootstrap localhost:9092 requeue docket.dlq.docket-case"
    " --all": DEADLETTERS,
}

LOCK = (
    "resolves against PyPI, which the suite does not reach (tests/unit/test_dependencies.py checks the lock and the"
    " files it writes instead)"
)
# Each command no test runs, and why.
NOT_RUN = {
    "export POSTGRES_PASSWORD=... DOCKET_MIGRATOR_DB_PASSWORD=... DOCKET_INTAKE_DB_PASSWORD=..."
    " DOCKET_CASE_DB_PASSWORD=... DOCKET_NOTIFIER_DB_PASSWORD=... DOCKET_KEYSTORE_DB_PASSWORD=..."
    " KEYCLOAK_DB_PASSWORD=... KEYCLOAK_ADMIN_PASSWORD=..."
    ' KEYSTORE_MASTER_KEYS="$(date +%Y-%m):$(head -c32 /dev/urandom | base64)"'
    ' CHECKPOINT_SIGNING_KEY="$(head -c32 /dev/urandom | base64)" KAFKA_ADMIN_PASSWORD=...'
    " DOCKET_INTAKE_CLIENT_SECRET=... DOCKET_CASE_CLIENT_SECRET=... DOCKET_NOTIFIER_CLIENT_SECRET=..."
    " DOCKET_OPERATOR_CLIENT_SECRET=...": (
        "the secrets `docker compose up` reads: needs Docker (tests/unit/test_compose.py checks the file instead)"
    ),
    "docker compose up --build": "needs Docker (tests/unit/test_compose.py checks the file instead)",
    "docker build -f deploy/Dockerfile -t docket:trial .": (
        "needs Docker (tests/unit/test_image.py checks what the image holds instead)"
    ),
    "kubectl apply -k deploy/k8s/overlays/trial": (
        "needs Kubernetes (tests/unit/test_k8s.py builds and validates the trial instead)"
    ),
    "kubectl -n docket-trial port-forward svc/keycloak 8080": "needs Kubernetes",
    "make faults": (
        "the slow suite itself, about half an hour: run on its own, never inside another run of the tests"
        " (test_make_faults_selects_the_fault_suite below checks what it selects)"
    ),
    'make lock ARGS="--upgrade-package fastapi"': LOCK,
    "make lock": LOCK,
}


def cli_examples() -> set[str]:
    return {" ".join(e.command.replace("\\\n", " ").split()) for e in examples((ROOT / "docs/guide.md").read_text())}


def test_every_command_the_docs_show_is_run_by_a_named_test_or_says_why_not():
    cli = cli_examples()
    unaccounted = [
        f"{command.where()}: {command.key}"
        for command in shown()
        if command.key not in RUN_BY and command.key not in NOT_RUN and command.key not in cli
    ]
    assert unaccounted == [], "name the test that runs each, or why none can:\n" + "\n".join(unaccounted)
    assert len(cli) >= 20


def test_every_command_named_here_is_still_shown():
    keys = {command.key for command in shown()}
    assert sorted(set(RUN_BY) - keys) == [] and sorted(set(NOT_RUN) - keys) == []
    assert set(RUN_BY).isdisjoint(NOT_RUN) and set(RUN_BY).isdisjoint(cli_examples())


def test_every_test_named_exists():
    for named in {*RUN_BY.values(), CLI_EXAMPLES} - {CI}:
        path, name = named.split("::")
        assert re.search(rf"^(async )?def {name}\(", (ROOT / path).read_text(), re.MULTILINE), named


def test_ci_runs_make_test_and_make_test_lints_first():
    assert (ROOT / CI).read_text().strip().splitlines()[-1] == "exec make test"
    assert re.search(r"^test: lint\b", (ROOT / "Makefile").read_text(), re.MULTILINE)


def make(directory: Path, command: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """`command` (a `make` line of the docs) run in `directory` with this Python, the venv taken as installed."""
    target = command.split()
    assert target[0] == "make", command
    venv = Path(sys.executable).parent.parent
    return subprocess.run(
        [*target[:1], "-o", f"{venv}/installed", f"VENV={venv}", f"PY={sys.executable}", *target[1:]],
        cwd=directory,
        env=os.environ | environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_make_docs_writes_the_generated_docs_into_a_copy_of_the_tree(tmp_path):
    """`make docs` in a copy of the tree: it leaves up-to-date docs as they are, and writes stale ones anew."""
    for part in ("services", "libs", "docgen", "docs"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "Makefile", tmp_path)
    command = shown_on(ROOT / "README.md", "make docs").text

    def docs() -> dict[str, str]:
        return {str(p.relative_to(tmp_path)): p.read_text() for p in (tmp_path / "docs").rglob("*") if p.is_file()}

    written = make(tmp_path, command)
    assert written.returncode == 0, written.stderr
    as_committed = docs()
    assert as_committed == {str(p.relative_to(ROOT)): p.read_text() for p in (ROOT / "docs").rglob("*") if p.is_file()}
    operations = tmp_path / "docs" / "operations.md"
    operations.write_text(operations.read_text().replace("| `LOG_LEVEL` | `INFO` |", "| `LOG_LEVEL` | `DEBUG` |"))
    (tmp_path / "docs" / "schemas" / "docket.case.opened.v3.json").unlink()
    assert docs() != as_committed
    written = make(tmp_path, command)
    assert written.returncode == 0, written.stderr
    assert docs() == as_committed


def test_make_faults_selects_the_fault_suite():
    """`make faults` runs for about half an hour, so here it only collects: every file it names is there, and it
    selects the fault tests, the long fuzzing run and the slow end-to-end tests."""
    command = shown_on(ROOT / "docs" / "operations.md", "make faults").text
    collected = make(ROOT, command, PYTEST_ADDOPTS="--collect-only -q -p no:cacheprovider")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    selected = set(re.findall(r"^(tests/[^:]+)::", collected.stdout, re.MULTILINE))
    assert {
        "tests/faults/test_faults.py",
        "tests/service/test_schemathesis.py",
        "tests/e2e/test_scale_out.py",
        "tests/e2e/test_run_command.py",
        "tests/e2e/test_benchmarks.py",
    } <= selected
