"""The version of the case a command is made against, as the client states it: If-Match ("3", 3 or W/"3") or
the body's expected_version. A command without either is refused (HTTP 428), so that no one decides on a case
they have not seen.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header, HTTPException, status

from docket_service.limits import MAX_VERSION

from .models import CommandIn

# A case version as If-Match carries it: "3", 3 or W/"3" (ASCII digits only: str.isdigit also takes "²").
IF_MATCH = re.compile(rf'^(?:W/)?(?P<quote>"?)(?P<version>[0-9]{{1,{len(str(MAX_VERSION))}}})(?P=quote)$')


def expected(body: CommandIn, if_match: str | None) -> int:
    """The version the client saw, from If-Match ("3" or 3) or the body; both must agree."""
    from_header = None
    if if_match is not None:
        found = IF_MATCH.match(if_match)
        if found is None:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, 'If-Match must be a case version such as "3"')
        from_header = int(found["version"])
    if from_header is not None and body.expected_version is not None and from_header != body.expected_version:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "If-Match and expected_version disagree")
    version = from_header if from_header is not None else body.expected_version
    if version is None:
        raise HTTPException(
            status.HTTP_428_PRECONDITION_REQUIRED, "send the case version you saw, as If-Match or expected_version"
        )
    return version


IfMatch = Annotated[str | None, Header(alias="If-Match")]
