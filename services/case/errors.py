"""The case service's refusals of a request; api.install_error_handlers answers each with its HTTP status.

A command that does not fit the case's state is the domain's own refusal (domain.Rejected, HTTP 409): it
carries the case's state and its allowed next steps, so it stays beside the rules that raise it.
"""

from __future__ import annotations

import uuid


class StaleVersion(Exception):
    """The client's expected version is not the case's current version (HTTP 409)."""

    def __init__(self, case_id: uuid.UUID, expected: int, current: int) -> None:
        super().__init__(f"case {case_id} is at version {current}, not {expected}: reload it and decide again")
        self.current_version = current


class StreamNotFound(LookupError):
    """No case has this id: its stream has no events (HTTP 404)."""
