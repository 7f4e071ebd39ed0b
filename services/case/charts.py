"""The annual report's charts, as SVG: bars of one or two series over named groups (complaints received and ended
each month; ended by outcome; received by category); pure. Every bar carries its group and value
(`data-group`, `data-value`), so what is drawn can be checked against the figures.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

WIDTH, LEFT, RIGHT, TOP, BOTTOM, HEIGHT = 1000, 70, 30, 70, 110, 460
COLOURS = ("#4e79a7", "#f28e2b")


def bars(title: str, groups: Sequence[str], series: Mapping[str, Mapping[str, int]], unit: str = "complaints") -> str:
    """A bar chart of `series` (name -> group -> value), its bars side by side within each group."""
    e = html.escape
    top = max((v for values in series.values() for v in values.values()), default=0) or 1
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / max(len(groups), 1)
    bar = slot * 0.8 / max(len(series), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="28" font-size="16" font-weight="bold">{e(title)}</text>',
    ]
    for index, name in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        parts.append(f'<rect x="{LEFT + 160 * index}" y="40" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{LEFT + 160 * index + 18}" y="50">{e(name)}</text>')
    for step in range(5):
        value = round(top * step / 4)
        y = round(TOP + plot_height * (1 - step / 4), 1)
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end">{value:,}</text>')
    for g, group in enumerate(groups):
        for s, (name, values) in enumerate(series.items()):
            value = values.get(group, 0)
            height = round(plot_height * value / top, 1)
            x = round(LEFT + slot * g + slot * 0.1 + bar * s, 1)
            parts.append(
                f'<rect class="bar" data-series="{e(name)}" data-group="{e(group)}" data-value="{value}" x="{x}" '
                f'y="{round(TOP + plot_height - height, 1)}" width="{round(bar, 1)}" height="{height}" '
                f'fill="{COLOURS[s % len(COLOURS)]}"><title>{e(group)}: {value:,} {e(unit)} {e(name)}</title></rect>'
            )
        label_x = round(LEFT + slot * (g + 0.5), 1)
        parts.append(
            f'<text x="{label_x}" y="{TOP + plot_height + 14}" text-anchor="end" '
            f'transform="rotate(-40 {label_x} {TOP + plot_height + 14})">{e(group.replace("_", " "))}</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_height}" stroke="#333"/>'
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
