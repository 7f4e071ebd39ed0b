"""What the observing middlewares share: run the app on one HTTP request and learn how it went."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


async def answering(
    app: Any, scope: dict[str, Any], receive: Any, send: Any, answered: Callable[[int, str], None]
) -> None:
    """Run `app`, then call `answered` with the response's status (500 if none started) and the route template
    the request matched (`unmatched` if none), also when the app raised."""
    status = 500

    async def sending(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        await send(message)

    try:
        await app(scope, receive, sending)
    finally:
        answered(status, getattr(scope.get("route"), "path", "unmatched"))
