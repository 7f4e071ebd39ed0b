"""The one table `make bench` prints and writes (Markdown and JSON): each figure beside its reference,
taken in the same run on the same machine, and the ratio between them."""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    """One measured figure. `higher_is_better` says which way the ratio should go; `target` is the
    figure's goal in words (e.g. "ratio >= 0.6") and `met` whether this run reached it (None: no goal)."""

    measure: str
    value: float
    unit: str
    reference: str | None = None
    reference_value: float | None = None
    target: str = ""
    met: bool | None = None
    higher_is_better: bool = True
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.reference_value in (None, 0):
            return None
        return self.value / self.reference_value  # type: ignore[operator]


def machine() -> dict[str, Any]:
    return {
        "machine": platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.system(),
        "date": date.today().isoformat(),
    }


def machine_line() -> str:
    m = machine()
    return f"machine: {m['machine']}, {m['cores']} cores, Python {m['python']}; date: {m['date']}"


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3f}"
    return f"{text} {unit}".strip()


def markdown(figures: list[Figure]) -> str:
    lines = [
        machine_line(),
        "",
        "| measure | figure | reference | reference figure | ratio | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "**no**")
        ratio = "" if f.ratio is None else f"{f.ratio:.2f}"
        lines.append(
            f"| {f.measure} | {_number(f.value, f.unit)} | {f.reference or ''} | "
            f"{_number(f.reference_value, f.unit)} | {ratio} | {f.target} | {met} |"
        )
    return "\n".join(lines)


def write(figures: list[Figure], directory: Path) -> tuple[Path, Path]:
    """Write `bench.md` and `bench.json` into `directory`; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    md, js = directory / "bench.md", directory / "bench.json"
    md.write_text(markdown(figures) + "\n")
    js.write_text(
        json.dumps({"machine": machine(), "figures": [asdict(f) | {"ratio": f.ratio} for f in figures]}, indent=2)
        + "\n"
    )
    return md, js


def table(header: list[str], rows: list[tuple[str, str]]) -> str:
    lines = [f"| {' | '.join(header)} |", f"|{'---|' * len(header)}"]
    lines += [f"| {name} | {values} |" for name, values in rows]
    return "\n".join(lines)


def module_main(figures: Callable[[bool], list[Figure]], doc: str | None) -> None:
    """`python -m bench.<module> [--small]`: run one module's figures and print its table."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes: checks that it runs, measures nothing")
    print(markdown(figures(parser.parse_args().small)))
