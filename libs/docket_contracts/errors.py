"""The error a rule raises on a value that breaks it; every service answers it with a 422 naming the field.

Part of the contract: the domains raise it and the services agree on its answer, so a domain imports it from
here and depends on nothing but the standard library and this package.
"""

from __future__ import annotations


class Invalid(ValueError):
    """A value that breaks a rule (HTTP 422): `field` names it (dotted within the body), `message` says why."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message
