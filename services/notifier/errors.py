"""The notifier's refusals of a request; api.install_error_handlers answers each with its HTTP status."""

from __future__ import annotations


class NotFound(LookupError):
    """No such subscription, delivery, controller contact or letter."""


class Conflict(Exception):
    """The request does not fit the current state; the text says why."""


class OutOfScope(Exception):
    """An integrator asked for event types its token's scope does not cover."""

    def __init__(self, refused: dict[str, str]) -> None:
        needs = "; ".join(f"{event_type} needs the scope {scope}" for event_type, scope in sorted(refused.items()))
        super().__init__(f"the token's scope does not cover these event types: {needs}")
        self.refused = refused
