"""The README's run command brings everything up on the embedded defaults and plays the Clearview story
through the whole pipeline: `--once` plays it and stops; without it the system stays up after the story until
Ctrl-C, which stops everything it started. A second run on the same data directory plays the story again, in
a case of its own.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from docket_devstack.ports import free_port
from tests.conftest import repo_root
from tests.doc_commands import shown_on

pytestmark = pytest.mark.e2e
CASE_LINE = re.compile(r"^case +(?P<id>[0-9a-f-]{36})  Clearview AI \(clearview-ai\)$", re.MULTILINE)


def up(data_dir: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "OIDC_ISSUER", "KEYSTORE_MASTER_KEYS", "KEYSTORE_MASTER_KEY")
    }
    env |= {
        "DOCKET_HTTP_PORTS": ",".join(str(free_port()) for _ in range(3)),
        "PYTHONPATH": f"{repo_root()}{os.pathsep}{repo_root() / 'libs'}",
    }
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "docket_devstack", "up", "--data-dir", str(data_dir), *args],
            cwd=repo_root(),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def played_the_story(output: str) -> str:
    """The id of the case the story played, once every figure of the story is found in the output."""
    assert (
        "[step 25 of 25] 2023-05-10  The case cannot close: the injunction was never complied with; it stays open "
        "under enforcement" in output
    )
    assert (
        "-> 422 fine_eur: EUR 30,000,000 exceeds the cap of Art 83(6): the higher of EUR 20,000,000 and 4 %" in output
    )
    assert "-> 409 cannot close the case as sanctioned: the case is sanctioned (the injunction" in output
    assert re.search(r"^  kafka  \S+  formal_notice\.deadline_expired ", output, re.MULTILINE)  # the timer's, on Kafka
    summary = output[output.index("== Summary ==") :]
    assert "4 complaints and alerts, still sanctioned, under enforcement" in summary
    assert "system:deadline-timer" in summary
    assert "fine        EUR 20,000,000, decided 2022-10-17, within the cap of EUR 20,000,000" in summary
    assert "no compliance recorded: the penalty runs on, the case stays open" in summary
    assert (
        "liquidated on 2023-04-13 (SAN-2023-005): 52 days x EUR 100,000 = at most EUR 5,200,000; fixed at "
        "EUR 5,200,000" in summary
    )
    assert "counted 2022-12-19 to 2023-02-09 under exclusive_end" in summary
    letters = int(re.search(r"^letters +(\d+) written by the notifier", summary, re.MULTILINE)[1])
    made_public = [
        line for line in summary.splitlines() if "complainant" in line and "A decision was made public" in line
    ]
    assert len(made_public) == 3 * 3 and letters > 3 * 5  # each complainant is told of every step that concerns them
    found = re.search(
        r"(\d+) deliveries to \S+, (\d+) delivered; the receiver verified (\d+) of (\d+) signatures", summary
    )
    deliveries, delivered, verified, signed = map(int, found.groups())
    # every event of the story's case (24), and of an earlier run's case wound up just before, if the notifier read
    # them after the subscription was made
    assert deliveries >= 24 and delivered == deliveries and verified == signed
    case_id = CASE_LINE.search(summary)["id"]
    assert f"clearview-timeline.svg (GET /cases/{case_id}/timeline.svg)" in summary
    return case_id


def test_up_plays_the_story_then_stays_up_until_ctrl_c(tmp_path):
    data, log = tmp_path / "data", tmp_path / "up.log"
    running = up(data, log)
    try:
        deadline = time.monotonic() + 480
        while "Ctrl-C stops everything" not in log.read_text():
            assert running.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        children = psutil.Process(running.pid).children(recursive=True)
        assert len(children) >= 3  # the three services
        running.send_signal(signal.SIGINT)
        time.sleep(1)
        running.send_signal(signal.SIGINT)  # pressed twice: the second must not cut the stop short
        assert running.wait(60) == 0
    finally:
        if running.poll() is None:
            running.kill()
    output = log.read_text()
    assert "migrations   applied (schemas intake, case, notifier, keystore)" in output
    assert "a role per service: docket_intake, docket_case, docket_notifier, docket_keystore" in output
    assert "/realms/docket (realm docket" in output
    played_the_story(output)
    picture = (data / "clearview-timeline.svg").read_text()
    assert picture.startswith("<svg") and "liquidation made public" in picture
    assert "victor.investigator (investigator)" in output and "-d client_id=docket-cli" in output
    assert "(API docs: http://127.0.0.1:" in output
    assert "already stopping everything this started" in output and output.rstrip().endswith("stopping")
    assert leftovers(tmp_path) == [] and not [child for child in children if alive(child)]


@pytest.mark.faults  # two more plays of the story: `make faults`
def test_once_plays_the_story_and_exits_and_plays_it_again_on_the_same_data(tmp_path):
    data, cases = tmp_path / "data", []
    for n in (1, 2):
        log = tmp_path / f"once-{n}.log"
        once = up(data, log, "--once")
        try:
            assert once.wait(480) == 0, log.read_text()
        finally:
            if once.poll() is None:
                once.kill()
        output = log.read_text()
        cases.append(played_the_story(output))
        assert "Ctrl-C stops everything" not in output and leftovers(tmp_path) == []
    assert cases[0] != cases[1]


@pytest.mark.faults  # one more Docket of its own: `make faults`
def test_no_story_brings_docket_up_and_the_readme_s_curl_examples_answer(tmp_path):
    """`make run ARGS=--no-story` as the README writes it (its data under tmp_path, the Makefile's launcher in a
    venv of its own), then the README's token and case-list curls and the guide's filing curl, each as the page
    writes it but for the ports this run got."""
    readme, guide = repo_root() / "README.md", repo_root() / "docs" / "guide.md"
    make, target, args = shlex.split(shown_on(readme, "make run ARGS=--no-story").text)
    assert (make, target) == ("make", "run") and args.startswith("ARGS=")
    venv, log = tmp_path / "venv", tmp_path / "up.log"
    (venv / "bin").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "OIDC_ISSUER")}
    env["DOCKET_HTTP_PORTS"] = ",".join(str(free_port()) for _ in range(3))
    command = [make, "--silent", "-o", f"{venv}/installed", f"VENV={venv}", f"PY={sys.executable}", target]
    with open(log, "w") as out:
        running = subprocess.Popen(
            [*command, f"{args} --data-dir {tmp_path / 'data'}"],
            cwd=repo_root(),
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 480
        while "Ctrl-C stops everything" not in log.read_text():
            assert running.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        output = log.read_text()
        assert "[step" not in output  # no story
        urls = dict(re.findall(r"\b(intake|case|notifier) (http://127\.0\.0\.1:\d+)", output))
        [keycloak] = set(re.findall(r"(http://127\.0\.0\.1:\d+)/realms/docket/protocol/openid-connect/token", output))

        def as_written(text: str, address: str, here: str) -> str:
            assert address in text, text
            return text.replace(address, here)

        token = as_written(shown_on(readme, "TOKEN=$(curl").text, "http://127.0.0.1:8080", keycloak)
        cases = as_written(shown_on(readme, "curl -H").text, "http://127.0.0.1:8002", urls["case"])
        filing = as_written(shown_on(guide, "curl -s -XPOST").text, "localhost:8001", urls["intake"])

        def bash(script: str) -> dict:
            done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout)

        assert bash(f"{token}\n{cases}")["total"] == 0  # a fresh data directory, and no story
        receipt = bash(filing)
        assert receipt["reference"].startswith("DKT-") and receipt["status_token"]
        deadline = time.monotonic() + 60
        while (listed := bash(f"{token}\n{cases}"))["total"] == 0:  # the complaint opens a case through Kafka
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(1)
        assert [case["controller_key"] for case in listed["items"]] == ["clearview-ai"]
        [up] = [p for p in psutil.Process(running.pid).children(recursive=True) if "docket_devstack" in p.cmdline()]
        up.send_signal(signal.SIGINT)
        assert running.wait(60) == 0
    finally:
        if running.poll() is None:
            running.kill()
    assert log.read_text().rstrip().endswith("stopping")
    assert leftovers(tmp_path) == []


def leftovers(tmp_path: Path) -> list[dict]:
    return [
        p.info for p in psutil.process_iter(["pid", "cmdline"]) if str(tmp_path) in " ".join(p.info["cmdline"] or ())
    ]


def alive(process: psutil.Process) -> bool:
    """Still running: an exited process that its new parent has not reaped yet (a zombie) is not."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
