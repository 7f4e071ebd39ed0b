"""GDPR Art 78(2): staff are reminded before a complainant's three months without news end."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from docket_contracts.progress import due

from .letters import Letter, long_date


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
) -> Letter:
    """A reminder to staff: it names the complaint by its reference, never its complainant."""
    ends = due(last_news_on)
    about = f"about {controller_name}" if controller_name else "not yet joined to a case"
    return Letter(
        kind="art78_reminder",
        recipient_role="staff",
        recipient_name="colleague",
        address=staff_address,
        channel="email",
        case_id=case_id,
        complaint_id=complaint_id,
        subject=f"Art 78(2): complaint {reference} has had no news since {last_news_on.isoformat()}",
        summary=f"Complaint {reference} has had no news since {last_news_on.isoformat()}; "
        f"three months end on {ends.isoformat()}.",
        paragraphs=(
            f"complaint {reference} ({about}) was last told of its progress on {long_date(last_news_on)}.",
            f"Unless the complainant hears from us, three months without news end on {long_date(ends)}, "
            f"after which they may seek a judicial remedy (GDPR Art 78(2)). Please send them an update.",
        ),
    )
