"""Intake's pure rules: what a valid submission is and which event filing it produces."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from docket_contracts.events import ComplaintFiled, ComplaintKind, Controller


@dataclass(frozen=True)
class FileComplaint:
    complaint_id: UUID
    kind: ComplaintKind
    controller_name: str
    articles_alleged: tuple[int, ...]
    narrative: str
    received_on: date


def controller_key(name: str) -> str:
    """A stable key for a controller's name: lower case, ASCII, words joined by hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9.]+", "-", ascii_name.lower()).strip("-.")
    if not key:
        raise ValueError(f"controller name {name!r} has no letters or digits")
    return key


def file_complaint(command: FileComplaint) -> ComplaintFiled:
    return ComplaintFiled(
        complaint_id=command.complaint_id,
        kind=command.kind,
        controller=Controller(key=controller_key(command.controller_name), name=command.controller_name.strip()),
        articles_alleged=tuple(sorted(set(command.articles_alleged))),
        received_on=command.received_on,
    )
