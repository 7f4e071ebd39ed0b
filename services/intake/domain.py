"""Intake's pure rules: what a valid submission is, which event filing it produces, and what an evidence
file may be. What a complainant reads of their complaint's progress is docket_contracts.progress.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
import unicodedata
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from docket_contracts.cooperation import EEA_STATES
from docket_contracts.errors import Invalid
from docket_contracts.events import (
    Body,
    ComplaintCategory,
    ComplaintFiled,
    ComplaintKind,
    Controller,
    Language,
    MissingContent,
    Party,
    Payload,
)

from .errors import AddressCodeSpent

# Words that name a legal form, not the controller: "Clearview AI, Inc." is Clearview AI.
LEGAL_FORMS = frozenset(
    {
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "sa",
        "sas",
        "sasu",
        "sarl",
        "eurl",
        "se",
        "bv",
        "nv",
        "spa",
        "srl",
        "oy",
        "ab",
        "as",
        "aps",
        "sl",
        "pty",
    }
)
# Top-level domains that say nothing about the name ("acme.com" is Acme); others, like .ai, are kept as a word.
PLAIN_TLDS = frozenset(
    {
        "com",
        "net",
        "org",
        "info",
        "biz",
        "io",
        "co",
        "eu",
        "fr",
        "de",
        "uk",
        "us",
        "es",
        "it",
        "nl",
        "be",
        "ie",
        "app",
        "dev",
    }
)


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


# --- filing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileComplaint:
    complaint_id: UUID
    reference: str
    kind: ComplaintKind
    mandate_reference: str | None
    complainant: Party
    controller_name: str
    controller_country: str | None
    controller_website: str | None
    category: ComplaintCategory | None
    articles_alleged: tuple[int, ...]
    territory: tuple[str, ...]
    received_on: date
    language: Language = "en"
    body_name: str | None = None  # a body lodging under Art 80: its name, in clear (it is no data subject)
    constitution_proof: str | None = None  # a body's: the register and number it is constituted under, or a document


def presumed_cross_border(controller_country: str | None, own_state: str | None) -> bool:
    """Whether a complaint is presumed to concern cross-border processing (GDPR Art 4(23)): its controller is
    established in another State where the GDPR applies. The authority decides later, when it frames the case (a
    controller established here may process across borders too; one with no establishment in the Union has no lead
    authority, Art 3(2)); the presumption only keeps the door from asking more than Regulation 2025/2518 allows."""
    return own_state is not None and controller_country in EEA_STATES and controller_country != own_state


# The kinds of complaint a body lodges (GDPR Art 80(1) with a mandate, Art 80(2) without).
BODY_KINDS = frozenset({"art80_1_mandated", "art80_2_unmandated"})
MAX_BODY_KEY = 200  # as the contract's Body.key


def body_of(command: FileComplaint) -> Body | None:
    """The body lodging the complaint, by key and name (what gathers a campaign), or None for a data subject's
    own complaint or an alert."""
    if command.kind not in BODY_KINDS or not command.body_name:
        return None
    try:
        key = controller_key(command.body_name)
    except ValueError:
        raise Invalid("complainant.name", "a body's name needs a letter or digit") from None
    if len(key) > MAX_BODY_KEY:
        raise Invalid("complainant.name", f"a body's name gives a key longer than {MAX_BODY_KEY} characters")
    return Body(key=key, name=command.body_name.strip())


def file_complaint(
    command: FileComplaint,
    today: date,
    earliest: date | None = None,
    own_state: str | None = None,
    *,
    from_paper: bool = False,
) -> ComplaintFiled:
    """The complaint as filed. Its receipt date may not be after `today`, nor before `earliest` where the door
    it came through sets one (the public door: a few weeks back; staff recording a paper complaint: none).

    A complaint presumed to concern cross-border processing (`presumed_cross_border`, this authority being of
    `own_state`) is admissible with the content Regulation 2025/2518 art 4(1) lists (as reported; the Official
    Journal text was not read): who lodges it and how to reach them, for a body proof that it is properly constituted
    (`constitution_proof`) and its mandate, the controller, and a description, and "no information additional" to it
    may be required. Its category, articles and territory are
    then the complainant's to give or not: without them it is filed as "other", alleging no article yet, on the
    complainant's own territory, for staff to qualify.

    The public door refuses such a complaint without a body's proof of constitution on the spot, which tells the
    complainant why at once. A letter staff record `from_paper` is a complaint received all the same: it is filed
    naming what is missing (`missing_content`), and the authority has two weeks from its receipt to declare it
    inadmissible and tell the complainant why (art 4(2), as reported)."""
    if command.received_on > today:
        raise Invalid("received_on", f"{command.received_on} is after today ({today})")
    if earliest is not None and command.received_on < earliest:
        raise Invalid(
            "received_on",
            f"{command.received_on} is before the earliest receipt date this door accepts "
            f"({earliest}); staff record the true receipt date of an older complaint",
        )
    cross_border = presumed_cross_border(command.controller_country, own_state)
    if not cross_border:
        _what_this_door_asks(command)
    if command.kind == "art80_1_mandated" and not command.mandate_reference:
        raise Invalid("mandate_reference", "a body mandated under Art 80(1) must give its mandate's reference")
    if command.kind != "art80_1_mandated" and command.mandate_reference:
        raise Invalid("mandate_reference", "only a body mandated under Art 80(1) has a mandate")
    missing = _constitution(command, cross_border, from_paper)
    return ComplaintFiled(
        complaint_id=command.complaint_id,
        reference=command.reference,
        kind=command.kind,
        mandate_reference=command.mandate_reference,
        complainant=command.complainant,
        controller=Controller(
            key=controller_key(command.controller_name),
            name=command.controller_name.strip(),
            country=command.controller_country,
            website=command.controller_website,
        ),
        category=command.category or "other",
        articles_alleged=tuple(sorted(set(command.articles_alleged))),
        territory=tuple(sorted(set(command.territory or (command.complainant.country,)))),
        received_on=command.received_on,
        language=command.language,
        body=body_of(command),
        constitution_proof=command.constitution_proof,
        missing_content=missing,
    )


# "proof that that body, organisation or association has been properly constituted in accordance with the law of a
# Member State" (Regulation 2025/2518 art 4(1)(b), as reported: quoted by secondary sources, the Official Journal
# text was not read); GDPR Art 80(1) names such bodies. A complaint that does not concern cross-border processing
# follows national procedure, which this door does not ask it of.
CONSTITUTION_RULE = "Regulation 2025/2518 art 4(1)(b), as reported"


def _constitution(command: FileComplaint, cross_border: bool, from_paper: bool) -> tuple[MissingContent, ...]:
    """What of art 4(1)(b) the complaint is missing: refused at the public door, recorded from paper."""
    if command.constitution_proof and command.kind not in BODY_KINDS:
        raise Invalid("constitution_proof", "only a body lodging under GDPR Art 80 proves how it is constituted")
    if not cross_border or command.kind not in BODY_KINDS or command.constitution_proof:
        return ()
    if from_paper:
        return ("constitution_proof",)
    raise Invalid(
        "constitution_proof",
        "a body lodging a complaint about cross-border processing gives proof that it is properly constituted "
        f"in accordance with the law of a Member State ({CONSTITUTION_RULE}): the register and number it is "
        "constituted under, or the reference of the document that proves it",
    )


# What the form asks beyond Regulation 2025/2518 art 4(1)'s list, and may require of a complaint that does not
# concern cross-border processing (national procedure, art 4(1) last subparagraph as reported).
BEYOND_ART_4_1 = (
    "Regulation 2025/2518 art 4(1) lets a complaint against a controller established in another EEA State omit it"
)


def _what_this_door_asks(command: FileComplaint) -> None:
    if command.category is None:
        raise Invalid("category", f"say what the complaint is about (one of the categories); {BEYOND_ART_4_1}")
    if not command.articles_alleged:
        raise Invalid("articles_alleged", f"name at least one article of the GDPR; {BEYOND_ART_4_1}")
    if not command.territory:
        raise Invalid("territory", f"name at least one country where people are affected; {BEYOND_ART_4_1}")


REFERENCE_ALPHABET = string.ascii_uppercase + string.digits


def new_reference(year: int) -> str:
    """A receipt reference, e.g. DKT-2020-7K3Q9Z: short enough to read out, too many to guess."""
    return f"DKT-{year:04d}-{''.join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))}"


def new_status_token() -> str:
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    """What is stored of a status token: its SHA-256, so a database leak does not leak the tokens."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, digest: str) -> bool:
    return token is not None and secrets.compare_digest(token_digest(token), digest)


# --- the complainant's address ----------------------------------------------------------------------------

# A code is read off an e-mail and typed: no 0/O or 1/I to mistake. Eight of 32 characters are 40 bits, and
# whoever holds the status token (the one who filed, not necessarily the one the address belongs to) has
# ADDRESS_CODE_TRIES to guess it: one chance in 2^37 or so.
ADDRESS_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ADDRESS_CODE_TRIES = 5


def new_address_code() -> str:
    """A code that proves an address, e.g. 7K3Q-9ZXM."""
    code = "".join(secrets.choice(ADDRESS_CODE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


def address_code_digest(code: str) -> str:
    """What is stored of a code: the SHA-256 of its characters, upper case, without spaces or dashes."""
    return token_digest(re.sub(r"[\s-]+", "", code).upper())


def check_address_code(code: str, digest: str, tries: int) -> None:
    """Refuse a wrong code (Invalid, naming the tries left) or one entered wrong ADDRESS_CODE_TRIES times."""
    if tries >= ADDRESS_CODE_TRIES:
        raise AddressCodeSpent(
            f"the code was entered wrong {ADDRESS_CODE_TRIES} times and no longer proves the address; letters "
            "about the complaint are not e-mailed, and its status page still shows how it progresses"
        )
    if not secrets.compare_digest(address_code_digest(code), digest):
        left = ADDRESS_CODE_TRIES - tries - 1
        raise Invalid("code", f"is not the code sent to the address; {left} tries left")


def case_of(event: Payload) -> UUID | None:
    return getattr(event, "case_id", None)


# --- evidence ---------------------------------------------------------------------------------------------

SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


def check_declared_evidence(content_type: str, size: int | None, allowed: frozenset[str], max_bytes: int) -> None:
    """Refuse a file by what its request declares, before its body is read: a type that is not allowed, or a
    size (Content-Length, when given) over the limit."""
    if content_type not in allowed:
        raise Invalid(
            "file", f"type {content_type or 'unknown'} is not accepted; accepted: {', '.join(sorted(allowed))}"
        )
    if size is not None and size > max_bytes:
        raise Invalid("file", f"is larger than {max_bytes:,} bytes")


@dataclass(frozen=True)
class EvidenceQuota:
    """How much evidence one complaint may have: files, and bytes in all."""

    max_files: int
    max_total_bytes: int


def check_quota(files: int, total_bytes: int, size: int, quota: EvidenceQuota) -> None:
    """Refuse one more file of `size` bytes for a complaint that has `files` files of `total_bytes` already."""
    if files >= quota.max_files:
        raise Invalid("file", f"would be more than {quota.max_files} files for this complaint")
    if total_bytes + size > quota.max_total_bytes:
        raise Invalid("file", f"would take this complaint's evidence past {quota.max_total_bytes:,} bytes in all")


def check_evidence(content_type: str, content: bytes, allowed: frozenset[str], max_bytes: int) -> None:
    """Refuse a file whose declared type is not allowed, whose bytes are not of that type, or that is too big."""
    check_declared_evidence(content_type, len(content), allowed, max_bytes)
    if not content:
        raise Invalid("file", "is empty")
    if content_type in SIGNATURES and not content.startswith(SIGNATURES[content_type]):
        raise Invalid("file", f"does not look like {content_type}")
    if content_type == "text/plain":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("file", "is not UTF-8 text") from None


SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_filename(name: str) -> str:
    """A display name without path parts or control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = SAFE_FILENAME.sub("_", base).strip(" .")[:200]
    return cleaned or "evidence"
