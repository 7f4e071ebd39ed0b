"""Which of the demo staff gives each case command in the tests: a user of the role the route admits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from docket_devstack.staff import INVESTIGATOR, PRESIDENT, RAPPORTEUR, SANCTIONS_COMMITTEE

# The tail of a command's path, and who gives it; the restricted committee gives the rest.
GIVERS: tuple[tuple[str, str], ...] = (
    (r"/(formal-notices|sanctions)/[^/]+/compliance$", INVESTIGATOR),
    (r"/(investigation|warnings|referral|formal-notices(/[^/]+/(notification|extension))?)$", PRESIDENT),
    (r"/(checks|findings|closure|fine-estimates)$", INVESTIGATOR),
    (r"/(report|file-access|observations|rapporteur-answer|controller-reply)$", RAPPORTEUR),
)


def giver(path: str, body: Mapping[str, Any] | None = None) -> str:
    """The demo user who gives the case command at `path` (a path or its tail under /cases/{id}) with `body`: a
    publication the bureau decides is the President's to ask for."""
    if body is not None and body.get("decided_by") == "bureau":
        return PRESIDENT
    return next((who for pattern, who in GIVERS if re.search(pattern, path)), SANCTIONS_COMMITTEE)
