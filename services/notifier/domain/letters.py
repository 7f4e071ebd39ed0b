"""What a letter is, whom it goes to, and how it reads: the case file it is written from, the letter with its
paragraphs, addressed to the complainants of a case or to its controller, rendered to text and HTML."""

from __future__ import annotations

import calendar
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from uuid import UUID

from docket_contracts.events import ComplaintKind, Controller, Order

Channel = Literal["letter", "email", "webhook"]
Role = Literal["complainant", "controller", "staff", "integrator"]


@dataclass(frozen=True)
class Complainant:
    """Who lodged a complaint, and where letters to them go (personal data)."""

    complaint_id: UUID
    reference: str
    kind: ComplaintKind
    name: str
    email: str
    # Whether the complainant proved the address (the code sent to it, entered on the status page). A filing
    # at the public door gives an address anyone could have typed: until it is proven, the letter asking for
    # the proof is the only one sent there.
    address_proven: bool = True

    @property
    def kept_informed(self) -> bool:
        """GDPR Art 78(2) applies to complaints; an alert has no complainant to inform."""
        return self.kind != "alert"


@dataclass(frozen=True)
class CaseFile:
    """What the notifier knows of a case when an event about it arrives."""

    case_id: UUID | None = None
    controller: Controller | None = None
    controller_email: str | None = None
    complainants: tuple[Complainant, ...] = ()


@dataclass(frozen=True)
class Letter:
    """A letter to send: plain paragraphs, rendered to text and HTML by `render_text` / `render_html`."""

    kind: str
    recipient_role: Role
    recipient_name: str
    address: str | None
    subject: str
    summary: str
    paragraphs: tuple[str, ...]
    case_id: UUID | None = None
    complaint_id: UUID | None = None
    controller_key: str | None = None
    channel: Channel = "letter"
    items: tuple[str, ...] = field(default=())  # a bulleted list after the first paragraph
    # Held until its complainant proves the address (recorded, not e-mailed: email_status "unproven").
    waits_for_proof: bool = False
    # The letter that asks for the proof: sent although the address is not proven, and its text (the code) is
    # never copied out of the notifier (not in notification.recorded, so not in an access request's answer).
    asks_for_proof: bool = False
    salutation: str | None = None  # "Dear ...": the recipient's name unless the letter says otherwise

    @property
    def text(self) -> str:
        return render_text(self)

    @property
    def html(self) -> str:
        return render_html(self)


def euros(amount: int) -> str:
    return f"EUR {amount:,}"


def long_date(day: date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def order_line(order: Order) -> str:
    return f"Art 58(2)({order.point}) GDPR: {order.text}"


def render_text(letter: Letter) -> str:
    lines = [f"Dear {letter.salutation or letter.recipient_name},", ""]
    for index, paragraph in enumerate(letter.paragraphs):
        lines += [paragraph, ""]
        if index == 0 and letter.items:
            lines += [*(f"  - {item}" for item in letter.items), ""]
    return "\n".join([*lines, "Yours faithfully,", "The data protection authority", ""])


def render_html(letter: Letter) -> str:
    e = html.escape
    parts = [f"<p>Dear {e(letter.salutation or letter.recipient_name)},</p>"]
    for index, paragraph in enumerate(letter.paragraphs):
        parts.append(f"<p>{e(paragraph)}</p>")
        if index == 0 and letter.items:
            parts.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in letter.items) + "</ul>")
    parts.append("<p>Yours faithfully,<br>The data protection authority</p>")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(letter.subject)}</title>'
        f"</head>\n<body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def for_complainants(
    case: CaseFile, kind: str, subject: str, summary: str, paragraphs: Sequence[str], only: UUID | None = None
) -> list[Letter]:
    return [
        Letter(
            kind=kind,
            recipient_role="complainant",
            recipient_name=c.name,
            address=c.email,
            subject=f"{subject} ({c.reference})",
            summary=summary,
            paragraphs=(f"Your complaint {c.reference}: {paragraphs[0]}", *paragraphs[1:]),
            case_id=case.case_id,
            complaint_id=c.complaint_id,
            waits_for_proof=not c.address_proven,
        )
        for c in case.complainants
        if c.kept_informed and (only is None or c.complaint_id == only)
    ]


def for_controller(
    case: CaseFile, kind: str, subject: str, summary: str, paragraphs: Sequence[str], items: Sequence[str] = ()
) -> list[Letter]:
    if case.controller is None:
        return []
    return [
        Letter(
            kind=kind,
            recipient_role="controller",
            recipient_name=case.controller.name,
            address=case.controller_email,
            subject=subject,
            summary=summary,
            paragraphs=tuple(paragraphs),
            items=tuple(items),
            case_id=case.case_id,
            controller_key=case.controller.key,
        )
    ]


def controller_name(case: CaseFile) -> str:
    return case.controller.name if case.controller else "the controller"
