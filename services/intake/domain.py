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


# Words that name a legal form, not the controller: "Clearview AI, Inc." is Clearview AI.
LEGAL_FORMS = frozenset({"inc", "incorporated", "corp", "corporation", "co", "company", "llc", "llp", "lp", "ltd",
                         "limited", "plc", "gmbh", "ag", "kg", "sa", "sas", "sasu", "sarl", "eurl", "se", "bv", "nv",
                         "spa", "srl", "oy", "ab", "as", "aps", "sl", "pty"})
# Top-level domains that say nothing about the name ("acme.com" is Acme); others, like .ai, are kept as a word.
PLAIN_TLDS = frozenset({"com", "net", "org", "info", "biz", "io", "co", "eu", "fr", "de", "uk", "us", "es", "it",
                        "nl", "be", "ie", "app", "dev"})


def controller_key(name: str) -> str:
    """One key for the spellings of a controller's name or website: lower-case ASCII words, legal forms and
    plain top-level domains dropped, joined by hyphens ("Clearview AI, Inc." and "clearview.ai" give
    "clearview-ai")."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().strip()
    if " " not in text and "." in text:  # a website
        host = re.sub(r"^[a-z]+://", "", text).split("/")[0].removeprefix("www.")
        labels = host.split(".")
        text = " ".join(labels[:-1] if len(labels) > 1 and labels[-1] in PLAIN_TLDS else labels)
    text = re.sub(r"\b([a-z])\.(?=[a-z]\b)", r"\1", text)  # "s.a." is "sa"
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w]
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    if not words:
        raise ValueError(f"controller name {name!r} has no letters or digits")
    return "-".join(words)


def file_complaint(command: FileComplaint) -> ComplaintFiled:
    return ComplaintFiled(
        complaint_id=command.complaint_id,
        kind=command.kind,
        controller=Controller(key=controller_key(command.controller_name), name=command.controller_name.strip()),
        articles_alleged=tuple(sorted(set(command.articles_alleged))),
        received_on=command.received_on,
    )
