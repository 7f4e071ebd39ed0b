"""What the case keeps of the authorities working together: the frame (who leads, who is concerned), each procedure
they run as its own record, and the deadlines each leaves open, as the fold (cooperation_folds.py) builds them.

A deadline is open until the step it waits for is taken; the timer finds it passed once: `passed` keeps the keys
of the deadlines found passed (or near, for a warning), and the step they wait for is then owed late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

Kind = Literal["local_case", "one_stop_shop", "assistance", "joint_operation", "dispute", "urgency", "complaint"]


@dataclass(frozen=True)
class Concerned:
    authority: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Frame:
    """The frame of the case (GDPR Art 4(16), 4(22), 4(23), 55(2), 56), as this authority recorded it last."""

    recorded_on: date
    authority: str  # this authority
    cross_border: bool
    basis: str | None
    establishment: str
    establishment_state: str | None
    public_interest: bool
    role: str
    lead: str | None
    concerned: tuple[Concerned, ...]

    @property
    def one_stop_shop(self) -> bool:
        """A lead authority acts for the cross-border processing (Art 56(1)): not where the controller has no
        establishment in the Union (Art 3(2)), nor for processing in the public interest (Art 55(2))."""
        return (
            self.cross_border
            and self.establishment != "none_in_union"
            and not self.public_interest
            and self.lead is not None
        )

    def is_concerned(self, authority: str) -> bool:
        return any(c.authority == authority for c in self.concerned)

    def received_complaint(self, authority: str) -> bool:
        """Whether a complaint was lodged with `authority` (Art 4(22)(c))."""
        return any(c.authority == authority and "c" in c.reasons for c in self.concerned)


@dataclass(frozen=True)
class Deadline:
    """A deadline a procedure keeps open: the last day of its time, the day the timer looks (the day after, or a
    week before for a warning), the authority that owes the step, and the key it is found under, once."""

    key: str
    reference: str
    kind: str
    authority: str
    last_day: date
    fires_on: date
    warning: bool = False
    passed: bool = False  # the timer found it: the step is still owed, late (or, for a warning, near)


@dataclass(frozen=True)
class Procedure:
    """What every procedure keeps: its reference, who opened it and when, and how it ended."""

    reference: str
    opened_by: str
    opened_on: date
    ended_on: date | None = None
    ending: str | None = None  # decided, answered, withdrawn, lapsed into the next procedure...
    passed: tuple[str, ...] = ()

    @property
    def open(self) -> bool:
        return self.ended_on is None


@dataclass(frozen=True)
class LocalCase(Procedure):
    """Art 56(3)-(5): the case notified to the lead authority, which decides within three weeks."""

    kind: Literal["local_case"] = "local_case"
    lead: str = ""
    handling: str | None = None


@dataclass(frozen=True)
class Draft:
    """A draft decision (Art 60(3)), or a revised one (Art 60(5)), and the answers of the authorities consulted."""

    number: int
    submitted_on: date
    consulted: tuple[tuple[str, date], ...]  # (authority, consulted on)
    agreed: tuple[str, ...] = ()
    deemed: tuple[str, ...] = ()
    objections: tuple[tuple[str, date], ...] = ()  # (authority, raised on)

    @property
    def objected(self) -> bool:
        return bool(self.objections)

    def answered(self, authority: str) -> bool:
        return authority in self.agreed or authority in self.deemed or any(a == authority for a, _ in self.objections)

    @property
    def settled(self) -> bool:
        """Every authority consulted agreed, or is deemed to, and none objected (Art 60(6))."""
        return not self.objected and all(a in self.agreed or a in self.deemed for a, _ in self.consulted)


@dataclass(frozen=True)
class Findings:
    """Preliminary findings sent to a party, with its time to answer, and its views once received."""

    party: str
    sent_on: date
    answer_due: date
    by: str
    views_on: date | None = None


@dataclass(frozen=True)
class OneStopShop(Procedure):
    """Art 60: the lead authority's draft decisions, the answers of the authorities concerned, the Board's decision
    when a dispute went to it, and the final decisions; with Regulation 2025/2518's time limit for the
    investigation, from the lead authority's confirmation of competence."""

    kind: Literal["one_stop_shop"] = "one_stop_shop"
    confirmed_on: date | None = None
    simple: bool = False
    began_on: date | None = None  # the complaint lodged, or the investigation opened ex officio
    extension_months: int = 0
    drafts: tuple[Draft, ...] = ()
    board_notified_on: date | None = None
    decisions: tuple[tuple[str, str, bool], ...] = ()  # (decision, authority, split)
    findings: tuple[Findings, ...] = ()
    file_access: tuple[tuple[str, date], ...] = ()  # (party, given on)
    key_issues_on: date | None = None  # the lead's summary of key issues shared (Regulation 2025/2518 art 10)
    key_issues_comments: tuple[tuple[str, date], ...] = ()  # (authority, commented on)

    @property
    def draft(self) -> Draft | None:
        return self.drafts[-1] if self.drafts else None


@dataclass(frozen=True)
class Assistance(Procedure):
    """Art 61: a request for mutual assistance, answered within one month of its receipt."""

    kind: Literal["assistance"] = "assistance"
    requested: str = ""
    received_on: date | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class JointOperation(Procedure):
    """Art 62: an invitation to a joint operation, or a request to take part in one."""

    kind: Literal["joint_operation"] = "joint_operation"
    request: str = "invitation"
    addressed_to: str = ""
    received_on: date | None = None
    accepted: bool | None = None


@dataclass(frozen=True)
class Dispute(Procedure):
    """Art 65: a dispute before the Board, until its binding decision."""

    kind: Literal["dispute"] = "dispute"
    ground: str = "65(1)(a)"
    concerning: str | None = None
    extended_on: date | None = None
    decided_on: date | None = None


@dataclass(frozen=True)
class Urgency(Procedure):
    """Art 66: a provisional measure for three months at most, and the urgent opinion or decision asked of the
    Board."""

    kind: Literal["urgency"] = "urgency"
    basis: str = "66(1)"
    concerning: str | None = None
    expires_on: date | None = None
    requested_on: date | None = None
    asks: str | None = None
    board_decided_on: date | None = None


@dataclass(frozen=True)
class CrossBorderComplaint(Procedure):
    """A cross-border complaint lodged here: assessed and transmitted to the presumed lead authority within six
    weeks of receipt (Regulation 2025/2518 art 4, as reported), or resolved early (art 5, as reported)."""

    kind: Literal["complaint"] = "complaint"
    complaint_id: UUID | None = None
    received_on: date | None = None
    presumed_lead: str = ""
    lead: str | None = None


AnyProcedure = LocalCase | OneStopShop | Assistance | JointOperation | Dispute | Urgency | CrossBorderComplaint


@dataclass(frozen=True)
class Cooperation:
    """The frame of the case and its procedures, in the order they were opened."""

    frame: Frame | None = None
    procedures: tuple[AnyProcedure, ...] = ()

    def procedure(self, reference: str) -> AnyProcedure | None:
        return next((p for p in self.procedures if p.reference == reference), None)

    def running_disputes(self) -> tuple[Dispute, ...]:
        return tuple(p for p in self.procedures if isinstance(p, Dispute) and p.open)
