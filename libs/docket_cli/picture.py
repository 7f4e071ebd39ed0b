"""A case's timeline as PNG: the case service's SVG rasterised by resvg (a wheel with no system library).

resvg draws text only in a font it finds on the machine and maps the SVG's `sans-serif` to Arial, which
Linux machines rarely have; so the first common sans-serif family that really draws is taken. A machine
with no font at all (python:3.11-slim has none) gets a picture without its labels, and is told so.
"""

from __future__ import annotations

from functools import cache

import resvg_py

SANS_SERIF = (
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans",
    "Arial",
    "Helvetica",
    "FreeSans",
    "Open Sans",
    "Roboto",
    "Cantarell",
    "Ubuntu",
)
PROBE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">{}</svg>',
    '<text x="2" y="15" font-family="sans-serif" font-size="12">Ag</text>',
)
NO_FONT = (
    "no sans-serif font on this machine: the PNG has no labels (install one, e.g. `apt-get install "
    "fonts-dejavu-core`, or keep the SVG)"
)


@cache
def sans_serif() -> str | None:
    """The first family of SANS_SERIF that draws text here (a blank picture and one with text differ)."""
    frame, text = PROBE
    blank = resvg_py.svg_to_bytes(svg_string=frame.format(""))
    for family in SANS_SERIF:
        if resvg_py.svg_to_bytes(svg_string=frame.format(text), sans_serif_family=family) != blank:
            return family
    return None


def png(svg: str) -> tuple[bytes, str | None]:
    """The picture as PNG on a white ground, and a warning when its text could not be drawn."""
    family = sans_serif()
    if family:
        drawn = resvg_py.svg_to_bytes(svg_string=svg, background="white", sans_serif_family=family)
    else:
        drawn = resvg_py.svg_to_bytes(svg_string=svg, background="white")
    return bytes(drawn), None if family else NO_FONT
