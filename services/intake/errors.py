"""Intake's refusals of a request; api.install_error_handlers answers each with its HTTP status."""

from __future__ import annotations


class UnknownComplaint(Exception):
    """No such complaint, or not for this token (404: nothing is revealed)."""


class UnknownEvidence(Exception):
    """No such evidence file on the complaint (404)."""


class AlreadyWithdrawn(Exception):
    """The complaint was withdrawn already (409)."""


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was used for a different submission (409)."""


class AddressCodeSpent(Exception):
    """The code that proves the address was entered wrong too many times: it no longer proves it (409)."""
