"""Printing benchmark results as the Markdown tables the README carries."""

from __future__ import annotations

import os
import platform
from datetime import date


def machine_line() -> str:
    return (f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"date: {date.today().isoformat()}")


def table(header: list[str], rows: list[tuple[str, str]]) -> str:
    lines = [f"| {' | '.join(header)} |", f"|{'---|' * len(header)}"]
    lines += [f"| {name} | {values} |" for name, values in rows]
    return "\n".join(lines)
