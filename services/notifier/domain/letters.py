"""What a letter is, whom it goes to, and how it reads: the case file it is written from, the letter with its
paragraphs, addressed to the complainants of a case or to its controller, rendered to text and HTML.

A letter is written in its reader's language: each complainant's own, the authority's for the controller and
staff. The rules say what a letter says as `Text`: an English message with named placeholders (`t("We received
it on {day}.", day=...)`, or `tn` when it depends on a number), which `Words` of one language translate and fill,
writing dates, amounts and numbers as that language does. English is the source language: `ENGLISH` writes
the messages as they are. The application gives the other languages' words from their gettext catalogs.
"""

from __future__ import annotations

import calendar
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol
from uuid import UUID

from docket_contracts.events import ComplaintKind, Controller, Order, TimeLimit

Channel = Literal["letter", "email", "webhook"]
Role = Literal["complainant", "controller", "staff", "integrator"]


class Words(Protocol):
    """A language's words: its translation of each message, and how it writes a date, an amount and a number."""

    @property
    def language(self) -> str: ...
    def gettext(self, message: str) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int) -> str: ...
    def date(self, day: date) -> str: ...
    def euros(self, amount: int) -> str: ...
    def number(self, n: int) -> str: ...


def long_date(day: date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


class English:
    """The source language: the messages as written, "26 November 2021", "EUR 20,000,000"."""

    language = "en"

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    def date(self, day: date) -> str:
        return long_date(day)

    def euros(self, amount: int) -> str:
        return f"EUR {amount:,}"

    def number(self, n: int) -> str:
        return f"{n:,}"


ENGLISH: Words = English()


@dataclass(frozen=True)
class Euros:
    """An amount in euros, written as the reader's language writes it."""

    amount: int


@dataclass(frozen=True)
class Text:
    """A message in the source language and the values of its placeholders, written out by `say`: a date as
    the language writes it, `Euros` as an amount, an int as a number, a `Text` in the same language."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)
    plural: str | None = None
    n: int = 1


def t(message: str, **values: object) -> Text:
    """A message to translate (extracted into the catalogs: `make messages`)."""
    return Text(message, values)


def tn(singular: str, plural: str, n: int, **values: object) -> Text:
    """A message whose form depends on `n` (one complaint, 500 complaints)."""
    return Text(singular, values, plural, n)


Say = Text | str


def say(words: Words, value: object) -> str:
    """`value` written in `words`' language."""
    if isinstance(value, Text):
        message = (
            words.gettext(value.message)
            if value.plural is None
            else words.ngettext(value.message, value.plural, value.n)
        )
        return message.format_map({name: say(words, item) for name, item in value.values.items()})
    if isinstance(value, date):
        return words.date(value)
    if isinstance(value, Euros):
        return words.euros(value.amount)
    if isinstance(value, int) and not isinstance(value, bool):
        return words.number(value)
    return str(value)


def joined(parts: Sequence[Say]) -> Say:
    """ "A and B and C" in the reader's language."""
    if not parts:
        return ""
    text: Say = parts[0]
    for part in parts[1:]:
        text = t("{first} and {second}", first=text, second=part)
    return text


# How a letter names a decision of the authority.
DECISIONS = {
    "formal_notice": t("formal notice"),
    "sanction": t("sanction"),
    "reprimand": t("reprimand"),
    "liquidation": t("liquidation of the penalty payment"),
}


NUMBER_WORDS = {1: t("one"), 2: t("two"), 3: t("three"), 4: t("four"), 6: t("six")}


def span(limit: TimeLimit) -> Text:
    """ "two months", "10 days": a time limit as a letter says it."""
    if limit.days is not None:
        count = limit.days
        return tn("{count} day", "{count} days", count, count=NUMBER_WORDS.get(count, str(count)))
    assert limit.months is not None
    count = limit.months
    return tn("{count} month", "{count} months", count, count=NUMBER_WORDS.get(count, str(count)))


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
    words: Words = field(default=ENGLISH, compare=False)  # the language the complainant chose at filing

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
    words: Words = field(default=ENGLISH, compare=False)  # the authority's language, the controller's letters'


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
    language: str = "en"
    # The letter's first and last lines in its language: "Dear {name},"; "Yours faithfully," and the signature.
    greeting: str | None = None
    closing: tuple[str, str] = ("Yours faithfully,", "The data protection authority")

    @property
    def text(self) -> str:
        return render_text(self)

    @property
    def html(self) -> str:
        return render_html(self)


def reasons(text: str | None) -> Text:
    """The free text staff gave for a decision, as written (it is not translated)."""
    return t("Reasons: {reasons}", reasons=text)


def euros(amount: int) -> Euros:
    return Euros(amount)


def order_line(order: Order) -> Text:
    return t("Art 58(2)({point}) GDPR: {order}", point=order.point, order=order.text)


def greeting(letter: Letter) -> str:
    return letter.greeting or f"Dear {letter.salutation or letter.recipient_name},"


def render_text(letter: Letter) -> str:
    lines = [greeting(letter), ""]
    for index, paragraph in enumerate(letter.paragraphs):
        lines += [paragraph, ""]
        if index == 0 and letter.items:
            lines += [*(f"  - {item}" for item in letter.items), ""]
    return "\n".join([*lines, *letter.closing, ""])


def render_html(letter: Letter) -> str:
    e = html.escape
    parts = [f"<p>{e(greeting(letter))}</p>"]
    for index, paragraph in enumerate(letter.paragraphs):
        parts.append(f"<p>{e(paragraph)}</p>")
        if index == 0 and letter.items:
            parts.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in letter.items) + "</ul>")
    parts.append(f"<p>{e(letter.closing[0])}<br>{e(letter.closing[1])}</p>")
    return (
        f'<!DOCTYPE html>\n<html lang="{e(letter.language)}"><head><meta charset="utf-8">'
        f"<title>{e(letter.subject)}</title></head>\n<body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


def opening(words: Words, name: Say) -> str:
    return say(words, t("Dear {name},", name=name))


def closing(words: Words) -> tuple[str, str]:
    return say(words, t("Yours faithfully,")), say(words, t("The data protection authority"))


def for_complainants(
    case: CaseFile, kind: str, subject: Say, summary: Say, paragraphs: Sequence[Say], only: UUID | None = None
) -> list[Letter]:
    """One letter to each complainant of `case` kept informed (or to `only`'s), each in its complainant's language."""
    return [
        Letter(
            kind=kind,
            recipient_role="complainant",
            recipient_name=c.name,
            address=c.email,
            subject=say(c.words, t("{subject} ({reference})", subject=subject, reference=c.reference)),
            summary=say(c.words, summary),
            paragraphs=(
                say(
                    c.words,
                    t("Your complaint {reference}: {paragraph}", reference=c.reference, paragraph=paragraphs[0]),
                ),
                *(say(c.words, paragraph) for paragraph in paragraphs[1:]),
            ),
            case_id=case.case_id,
            complaint_id=c.complaint_id,
            waits_for_proof=not c.address_proven,
            language=c.words.language,
            greeting=opening(c.words, c.name),
            closing=closing(c.words),
        )
        for c in case.complainants
        if c.kept_informed and (only is None or c.complaint_id == only)
    ]


def for_controller(
    case: CaseFile, kind: str, subject: Say, summary: Say, paragraphs: Sequence[Say], items: Sequence[Say] = ()
) -> list[Letter]:
    """The letter to `case`'s controller, in the authority's language."""
    if case.controller is None:
        return []
    words = case.words
    return [
        Letter(
            kind=kind,
            recipient_role="controller",
            recipient_name=case.controller.name,
            address=case.controller_email,
            subject=say(words, subject),
            summary=say(words, summary),
            paragraphs=tuple(say(words, paragraph) for paragraph in paragraphs),
            items=tuple(say(words, item) for item in items),
            case_id=case.case_id,
            controller_key=case.controller.key,
            language=words.language,
            greeting=opening(words, case.controller.name),
            closing=closing(words),
        )
    ]


def controller_name(case: CaseFile) -> Say:
    return case.controller.name if case.controller else t("the controller")
