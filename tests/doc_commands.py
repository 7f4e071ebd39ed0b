"""The shell commands the docs show (README.md and docs/*.md), as a reader would copy them.

A command is a line of a ```sh, ```bash or ```shell block (a `$ ` before it dropped), a line starting with `$ `
in a ```console block or outside any block, or a `make` command alone in the first cell of a table row. It goes
on past a line ending in `\\` and past a line break inside quotes; a `#` comment, and a line that is only one,
is not part of it. What a console block prints after a command is not a command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
SHELL = {"sh", "bash", "shell"}
TABLE_MAKE = re.compile(r"^\| `(make [^`]+)` \|")


@dataclass(frozen=True)
class Command:
    text: str  # as the page writes it, over as many lines as it takes, without its comment
    page: Path
    line: int

    @property
    def key(self) -> str:
        """The command on one line: continuations joined, runs of white space made one space."""
        return " ".join(self.text.replace("\\\n", " ").split())

    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def without_comment(text: str) -> tuple[str, bool]:
    """`text` up to a `#` comment outside quotes, and whether it ends inside a quoted string."""
    quote = None
    for i, char in enumerate(text):
        if quote is not None:
            if char == quote:
                quote = None
            elif char == "\\" and quote == '"':
                continue
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or text[i - 1].isspace()):
            return text[:i].rstrip(), False
    return text.rstrip(), quote is not None


def commands(page: Path) -> list[Command]:
    found: list[Command] = []
    fence: str | None = None
    pending: list[str] = []
    start = 0

    def take(text: str, number: int) -> None:
        nonlocal pending, start
        if not pending:
            start = number
        pending.append(text)
        command, open_quote = without_comment("\n".join(pending))
        if not open_quote and not command.endswith("\\"):
            if command:
                found.append(Command(command, page, start))
            pending = []

    for number, line in enumerate(page.read_text().splitlines(), start=1):
        if line.startswith("```"):
            fence = line[3:].strip() if fence is None else None
            pending = []
        elif pending:
            take(line, number)
        elif fence is None:
            if line.startswith("$ "):
                take(line[2:], number)
            elif match := TABLE_MAKE.match(line):
                found.append(Command(match[1], page, number))
        elif fence == "console" and line.startswith("$ "):
            take(line[2:], number)
        elif fence in SHELL and line.strip() and not line.lstrip().startswith("#"):
            take(line[2:] if line.startswith("$ ") else line, number)
    return found


def shown() -> list[Command]:
    """Every command of every page, in page order."""
    return [command for page in PAGES for command in commands(page)]


def shown_on(page: Path, starting: str) -> Command:
    """The one command of `page` that starts with `starting`."""
    [command] = [c for c in commands(page) if c.key.startswith(starting)]
    return command
