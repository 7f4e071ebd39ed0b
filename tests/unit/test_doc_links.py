"""The docs hold together: every relative link of README.md and docs/*.md reaches a file that exists, every
`#anchor` a heading of its page (as GitHub makes a heading's anchor), and the README stays a front page."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.doc_commands import PAGES, ROOT

FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", re.MULTILINE)


def prose(text: str) -> str:
    """`text` without its code blocks and code spans, where a `[x](y)` is no link and a `#` no heading."""
    return CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor of `page`; a heading seen before gets -1, -2... as on GitHub."""
    seen: Counter[str] = Counter()
    found = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text())):
        anchor = slug(heading.replace("`", ""))
        found.add(f"{anchor}-{seen[anchor]}" if seen[anchor] else anchor)
        seen[anchor] += 1
    return found


def links(page: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(prose(page.read_text()))
        if not re.match(r"[a-z][a-z+.-]*:", target)  # http:, https:, mailto:
    ]


def test_github_s_anchors():
    assert slug("Reliability: what no message and no outage can do") == (
        "reliability-what-no-message-and-no-outage-can-do"
    )
    assert "what-make-run-shows" in anchors(ROOT / "README.md")
    assert slug("A complaint's own path") == "a-complaints-own-path"
    assert slug("The case lifecycle (the state machine the case service enforces)") == (
        "the-case-lifecycle-the-state-machine-the-case-service-enforces"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_reaches_a_file_and_every_anchor_a_heading(page):
    found = links(page)
    assert found, f"{page.name} links nowhere"
    for target in found:
        path, _, anchor = target.partition("#")
        reached = (page.parent / path).resolve() if path else page
        assert reached.exists(), f"{page.name}: {target}"
        if anchor:
            assert reached.suffix == ".md", f"{page.name}: {target}"
            assert anchor in anchors(reached), f"{page.name}: {target}: no such heading in {reached.name}"


def test_every_page_of_docs_is_reached_from_the_readme():
    readme = ROOT / "README.md"
    reached = {(readme.parent / target.partition("#")[0]).resolve() for target in links(readme)}
    assert {page.resolve() for page in PAGES if page != readme} <= reached


def test_the_readme_is_a_front_page():
    assert len((ROOT / "README.md").read_text().splitlines()) < 150
