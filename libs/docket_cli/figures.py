"""`docket stats`: the annual report's figures, as a table, as JSON, as CSV, or one of the service's charts saved
as SVG (or PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import picture, render_handling
from .problems import Problem
from .terminal import Json, cli_of

CHARTS = ("months", "outcomes", "categories")


def stats(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option(help="a calendar year; this one by default")] = None,
    since: Annotated[str | None, typer.Option("--from", help="instead of a year: from (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, typer.Option("--to", help="instead of a year: to (YYYY-MM-DD)")] = None,
    as_of: Annotated[str | None, typer.Option(help="the day the figures are taken on; today by default")] = None,
    csv: Annotated[bool, typer.Option("--csv", help="print them as CSV (figure, key, value)")] = False,
    chart: Annotated[str | None, typer.Option(help=f"save a chart instead: {', '.join(CHARTS)}")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="where to save the chart's SVG")] = None,
    png: Annotated[Path | None, typer.Option(help="save the chart as PNG there instead")] = None,
    as_json: Json = False,
) -> None:
    """The annual report's figures: received, ended, days to decide and to end, the share told within three
    months, per team."""
    cli = cli_of(ctx)
    period = {"year": year, "from": since, "to": until, "as_of": as_of}
    if chart is not None:
        if chart not in CHARTS:
            raise Problem(f"the charts are {', '.join(CHARTS)}, not {chart!r}")
        svg = cli.docket.call("case", "GET", f"/stats/{chart}.svg", params=period).text
        if png is not None:
            drawn, warning = picture.png(svg)
            if warning:
                cli.warn(warning)
            png.write_bytes(drawn)
            cli.out.print(f"saved {png} (PNG, {len(drawn):,} bytes)")
            return
        target = output or Path(f"stats-{chart}.svg")
        target.write_text(svg, encoding="utf-8")
        cli.out.print(f"saved {target} (SVG, {len(svg.encode()):,} bytes)")
        return
    if csv:
        typer.echo(cli.docket.call("case", "GET", "/stats.csv", params=period).text, nl=False)
        return
    cli.show(cli.docket.get("case", "/stats", **period), render_handling.figures, as_json)
