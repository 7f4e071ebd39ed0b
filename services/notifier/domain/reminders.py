"""GDPR Art 78(2): staff are reminded before a complainant's three months without news end."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from docket_contracts.progress import due

from .letters import ENGLISH, Letter, Words, closing, opening, say, t


def reminder_due_on(last_news_on: date, lead_days: int) -> date:
    """Staff are reminded `lead_days` before the three months end."""
    return due(last_news_on) - timedelta(days=lead_days)


def reminder(
    complaint_id: UUID,
    reference: str,
    case_id: UUID | None,
    controller_name: str | None,
    last_news_on: date,
    staff_address: str | None,
    words: Words = ENGLISH,
) -> Letter:
    """A reminder to staff, in the authority's language: it names the complaint by its reference, never its
    complainant."""
    ends, last = due(last_news_on), last_news_on.isoformat()
    about = t("about {controller}", controller=controller_name) if controller_name else t("not yet joined to a case")
    return Letter(
        kind="art78_reminder",
        recipient_role="staff",
        recipient_name="colleague",
        address=staff_address,
        channel="email",
        case_id=case_id,
        complaint_id=complaint_id,
        subject=say(
            words, t("Art 78(2): complaint {reference} has had no news since {day}", reference=reference, day=last)
        ),
        summary=say(
            words,
            t(
                "Complaint {reference} has had no news since {day}; three months end on {ends}.",
                reference=reference,
                day=last,
                ends=ends.isoformat(),
            ),
        ),
        paragraphs=(
            say(
                words,
                t(
                    "complaint {reference} ({about}) was last told of its progress on {day}.",
                    reference=reference,
                    about=about,
                    day=last_news_on,
                ),
            ),
            say(
                words,
                t(
                    "Unless the complainant hears from us, three months without news end on {ends}, after which they "
                    "may seek a judicial remedy (GDPR Art 78(2)). Please send them an update.",
                    ends=ends,
                ),
            ),
        ),
        language=words.language,
        greeting=opening(words, t("colleague")),
        closing=closing(words),
    )
