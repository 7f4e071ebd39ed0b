"""What the background parts of a service say about themselves, for /readyz.

The database, Kafka and identity checks only say whether a dependency answers a probe; they cannot see a
consumer that restarts in a loop or a relay that cannot get a message out. The supervised tasks, the
consumer loop and the relay report here (ok, or degraded with a reason and since when), and readiness
fails for a part that has been degraded longer than a short grace period, so that a blip (one retried
deadlock, one reconnect) does not take the service out of rotation while a lasting fault does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

DEFAULT_GRACE_S = 5.0


@dataclass(frozen=True, slots=True)
class PartHealth:
    """One part's last report. `since` is when it entered this state (wall clock, for people); `since_s`
    the same moment on the monotonic clock (for the grace period)."""

    ok: bool
    reason: str
    since: datetime
    since_s: float

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "degraded",
            "reason": self.reason or None,
            "since": self.since.isoformat(),
        }


class Health:
    """A registry of parts' states: written by the background tasks of one event loop, read by /readyz."""

    def __init__(
        self,
        grace_s: float = DEFAULT_GRACE_S,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.grace_s = grace_s
        self._monotonic = monotonic
        self._wall = wall
        self._parts: dict[str, PartHealth] = {}

    def ok(self, part: str) -> None:
        """`part` works (again)."""
        current = self._parts.get(part)
        if current is None or not current.ok:
            self._parts[part] = PartHealth(True, "", self._wall(), self._monotonic())

    def degraded(self, part: str, reason: str, *, for_s: float = 0.0) -> None:
        """`part` cannot do its work; `reason` says why in words fit for a log (no personal values). While it
        stays degraded it keeps the moment it first was, so that a part retrying keeps counting; `for_s`
        says it has already been failing that long when it reports (a step that only reports once it is
        late)."""
        current = self._parts.get(part)
        if current is not None and not current.ok:
            self._parts[part] = PartHealth(False, reason, current.since, current.since_s)
            return
        now_s, now = self._monotonic(), self._wall()
        self._parts[part] = PartHealth(
            False, reason, datetime.fromtimestamp(now.timestamp() - for_s, UTC), now_s - for_s
        )

    def forget(self, part: str) -> None:
        self._parts.pop(part, None)

    def parts(self) -> dict[str, PartHealth]:
        return dict(self._parts)

    def failing(self) -> dict[str, str]:
        """The parts degraded for longer than the grace period, each with its reason and since when."""
        now_s = self._monotonic()
        return {
            part: f"degraded since {state.since.isoformat()}: {state.reason}"
            for part, state in self._parts.items()
            if not state.ok and now_s - state.since_s > self.grace_s
        }

    def report(self) -> dict[str, dict[str, object]]:
        """Every part's state, for the body of /readyz."""
        return {part: state.as_json() for part, state in sorted(self._parts.items())}
