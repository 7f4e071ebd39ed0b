"""Which notifications an event calls for, pure: one rule per event type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from docket_contracts.events import CaseOpened, ComplaintFiled, ComplaintLinked, Payload

Channel = Literal["letter", "email", "webhook"]
Role = Literal["complainant", "controller", "staff", "integrator"]


@dataclass(frozen=True)
class Draft:
    channel: Channel
    recipient_role: Role
    body: str
    case_id: UUID | None = None
    complaint_id: UUID | None = None


def _complaint_filed(event: ComplaintFiled) -> list[Draft]:
    if event.kind == "alert":
        return []
    return [Draft("letter", "complainant", complaint_id=event.complaint_id,
                  body=f"We received your complaint about {event.controller.name} on "
                       f"{event.received_on.isoformat()}. We will tell you how it progresses.")]


def _case_opened(event: CaseOpened) -> list[Draft]:
    return [Draft("letter", "complainant", case_id=event.case_id, complaint_id=event.complaint_id,
                  body=f"A case on {event.controller.name} was opened on {event.opened_on.isoformat()} "
                       f"from your complaint.")]


def _complaint_linked(event: ComplaintLinked) -> list[Draft]:
    return [Draft("letter", "complainant", case_id=event.case_id, complaint_id=event.complaint_id,
                  body="Your complaint was joined to a case already open on the same controller.")]


RULES: dict[type[Payload], Callable[..., list[Draft]]] = {
    ComplaintFiled: _complaint_filed,
    CaseOpened: _case_opened,
    ComplaintLinked: _complaint_linked,
}


def drafts_for(event: Payload) -> list[Draft]:
    rule = RULES.get(type(event))
    return rule(event) if rule else []
