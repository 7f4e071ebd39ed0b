"""Every example of the guide's "The staff command line" (docs/guide.md) runs, in order, against the real services.

The ```console blocks of that section are read as a shell session: `$ ` starts a command (a line ending in `\\`
goes on), the lines after it are what it prints. The commands run one after another in one bash, as a person
would type them, with `docket` as `make` installs it (the Makefile's own launcher, written here) and pointed at
a whole Docket of its own: PostgreSQL, Kafka and the three services as processes, with the session's Keycloak.
Each output is compared as doctest does with ELLIPSIS (`...` stands for what differs from run to run: ids,
times) and NORMALIZE_WHITESPACE, the rules of a table counting as one; a command must exit 0 unless what it
prints is an `error: ` line.
"""

from __future__ import annotations

import doctest
import os
import queue
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import repo_root
from tests.faults.stack import running

pytestmark = pytest.mark.e2e

SECTION = "## The staff command line"
DONE = "__docket_example_done__"
RULES = re.compile(r"[─━═]+")
CHECKER, FLAGS = doctest.OutputChecker(), doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@dataclass(frozen=True)
class Example:
    command: str
    expected: str
    line: int  # in docs/guide.md


def examples(readme: str) -> list[Example]:
    """The console examples of the guide's CLI section, in order."""
    start = readme.index(SECTION)
    end = readme.find("\n## ", start + len(SECTION))
    section_offset = readme[:start].count("\n")
    found: list[Example] = []
    lines = readme[start : end if end > 0 else None].splitlines()
    in_block, command, expected, at = False, None, [], 0

    def close() -> None:
        if command is not None:
            found.append(Example(command, "\n".join(expected), at))

    for number, line in enumerate(lines, start=section_offset + 1):
        if line.strip() == "```console":
            in_block, command, expected = True, None, []
        elif in_block and line.strip() == "```":
            close()
            in_block, command = False, None
        elif in_block and line.startswith("$ "):
            close()
            command, expected, at = line[2:], [], number
        elif in_block and command is not None and command.endswith("\\") and not expected:
            command += "\n" + line
        elif in_block and command is not None:
            expected.append(line)
    return found


def normalised(text: str) -> str:
    return RULES.sub("─", text)


class Shell:
    """One bash, fed a command at a time; each command's output (stdout and stderr) and exit status."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def run(self, command: str, timeout: float = 120.0) -> tuple[str, int]:
        assert self.process.stdin is not None
        # In braces, not a subshell: variables set by one example are there for the next. No stdin: nothing waits.
        self.process.stdin.write(f"{{\n{command}\n}} </dev/null 2>&1\nstatus=$?; echo; echo {DONE} $status\n")
        self.process.stdin.flush()
        output: list[str] = []
        while True:
            line = self.lines.get(timeout=timeout)
            if line.startswith(DONE):
                return "".join(output)[:-1], int(line.split()[1])
            output.append(line)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(30)


def launcher(root: Path) -> Path:
    """`.venv/bin/docket` as the Makefile writes it, for a venv at `root` whose Python is this one."""
    venv = root / "venv"
    (venv / "bin").mkdir(parents=True)
    subprocess.run(
        [
            "make",
            "--silent",
            "-C",
            str(repo_root()),
            "-o",
            f"{venv}/installed",
            f"VENV={venv}",
            f"PY={sys.executable}",
            f"{venv}/bin/docket",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return venv / "bin"


def test_the_readme_examples_parse_into_commands_and_outputs():
    found = examples((repo_root() / "docs" / "guide.md").read_text())
    assert len(found) >= 20 and all("docket" in example.command or "=" in example.command for example in found)
    assert any(example.command.startswith("docket login") for example in found)


async def test_every_example_of_the_cli_section_runs_as_shown(tmp_path_factory, keycloak):
    import asyncio

    root = tmp_path_factory.mktemp("readme-cli")
    # The timer looks for expired deadlines every second here (30 s by default).
    async with running(root / "stack", keycloak, extra_env={"TIMER_INTERVAL_S": "1"}) as stack:
        home = root / "home"
        home.mkdir()
        env = {
            "PATH": f"{launcher(root)}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "COLUMNS": "120",
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            "DOCKET_INTAKE_URL": stack.url("intake"),
            "DOCKET_CASE_URL": stack.url("case"),
            "DOCKET_NOTIFIER_URL": stack.url("notifier"),
            "DOCKET_KAFKA": stack.kafka.bootstrap_servers,
            "DOCKET_KAFKA_CLIENT_SECRET": keycloak.client_secret("docket-operator"),
            "DOCKET_ISSUER": keycloak.issuer(),
        }
        shell = Shell(home, env)
        differing = []  # every example that does not run as shown, so that one run tells them all
        try:
            for example in examples((repo_root() / "docs" / "guide.md").read_text()):
                output, status = await asyncio.to_thread(shell.run, example.command)
                failing = any(line.startswith("error: ") for line in example.expected.splitlines())
                if (
                    not CHECKER.check_output(normalised(example.expected), normalised(output), FLAGS)
                    or (status != 0) != failing
                ):
                    differing.append(
                        f"docs/guide.md line {example.line}: $ {example.command}\nexpected:\n"
                        f"{example.expected}\ngot (exit {status}):\n{output}"
                    )
        finally:
            shell.close()
        assert not differing, "\n\n".join(differing) + "\n\n" + stack.logs()[-3000:]
        png = home / "nimbus.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        token = home / ".config" / "docket" / "token.json"
        assert token.stat().st_mode & 0o777 == 0o600
