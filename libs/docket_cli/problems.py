"""A refusal in the words a person reads: the services' error answers turned into one sentence each; pure.

A body is never dumped: what is shown is the service's own sentence (`detail`), the field and rule of a 422,
or, for a stale version, what happened to the case since the version the caller saw.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

WHERE = {"query": "query parameter ", "path": "path parameter ", "header": "header "}


class Problem(Exception):
    """What went wrong, explained; the command line prints it after `error: ` and exits 1."""


def field_of(loc: Sequence[Any]) -> str:
    """A 422's `loc` as the field a person typed: `orders.0.point`, `query parameter limit`."""
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        return ".".join(parts[1:]) or "the body"
    if parts and parts[0] in WHERE:
        return WHERE[parts[0]] + ".".join(parts[1:])
    return ".".join(parts)


def invalid(detail: Any) -> list[str]:
    """One line per refused field: `closed_on: 2019-01-01 is before the case opened (2020-05-25)`."""
    if isinstance(detail, str):
        return [detail]
    if not isinstance(detail, list):
        return ["the request was refused as invalid"]
    lines = []
    for error in detail:
        if isinstance(error, Mapping) and "msg" in error:
            field = field_of(error.get("loc", ()))
            lines.append(f"{field}: {error['msg']}" if field else str(error["msg"]))
    return lines or ["the request was refused as invalid"]


def event_type(type_: str) -> str:
    """`docket.formal_notice.issued` as staff say it: `formal_notice.issued`."""
    return type_.removeprefix("docket.")


def moment(text: str) -> str:
    """An instant as `2026-11-22 10:15:03 UTC`."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def actor_of(event: Mapping[str, Any]) -> str:
    """Who caused an event of the history: the person's user name, else the token's subject or system part."""
    return str(event.get("actor_name") or event.get("actor") or "someone")


def stale(case_id: str, yours: int, current: int, since: Sequence[Mapping[str, Any]]) -> str:
    """A 409 for a version that is no longer the case's, with what changed since (`since`: the history's
    events after `yours`, oldest first)."""
    what = ""
    if since:
        last = since[-1]
        told = f"{event_type(str(last.get('type', '')))} by {actor_of(last)} at {moment(str(last.get('recorded_at')))}"
        what = f" ({told})" if len(since) == 1 else f" ({len(since)} events since yours, the last {told})"
    return (
        f"case is now at version {current}{what}; yours was {yours}: look at it again with `docket case show {case_id}`"
    )


def www_authenticate_error(header: str | None) -> str | None:
    """The `error_description` (else `error`) of a `WWW-Authenticate: Bearer ...` header."""
    if not header:
        return None
    found = dict(re.findall(r'(\w+)="([^"]*)"', header))
    return found.get("error_description") or found.get("error")


def explain(status: int, body: Any, headers: Mapping[str, str], service: str) -> str:
    """Any error answer of a Docket service as what to read (and, where there is one, what to do)."""
    detail = body.get("detail") if isinstance(body, Mapping) else None
    sentence = detail if isinstance(detail, str) else None
    if status == 401:
        why = www_authenticate_error(headers.get("www-authenticate"))
        return f"not signed in, or the token was refused{f' ({why})' if why else ''}: run `docket login`"
    if status == 422:
        return "\n".join(invalid(detail))
    if status == 429:
        return f"too many requests to the {service} service: try again in {headers.get('retry-after', 'a few')} s"
    if status == 503 and sentence:
        return f"the {service} service cannot answer now: {sentence}"
    if status >= 500:
        return f"the {service} service failed (HTTP {status}); its log says why"
    return sentence or f"the {service} service answered HTTP {status}"
