"""What every command shares: the services (`Docket`), the terminal it prints to, and the output options."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from rich.console import Console, RenderableType

from .client import Docket

Json = Annotated[bool, typer.Option("--json", help="print the service's answer as JSON")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="print only the id(s), one a line (for scripts)")]


@dataclass
class Cli:
    docket: Docket
    out: Console = field(default_factory=lambda: Console(highlight=False, soft_wrap=True))
    err: Console = field(default_factory=lambda: Console(stderr=True, highlight=False))

    def show(
        self,
        answer: Any,
        render: Callable[[Any], RenderableType],
        as_json: bool = False,
        quiet: bool = False,
        ids: Callable[[Any], Iterable[str]] | None = None,
    ) -> None:
        """Print an answer: as JSON, as its ids alone, or rendered for people."""
        if as_json:
            typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        elif quiet and ids is not None:
            for found in ids(answer):
                typer.echo(found)
        else:
            self.out.print(render(answer))

    def warn(self, text: str) -> None:
        self.err.print(f"warning: {text}", highlight=False)


def cli_of(ctx: typer.Context) -> Cli:
    found: Cli = ctx.obj  # set by the root command
    return found
