"""Time as the services see it: a Protocol so tests can fix it, the wall clock, and calendar months."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


@dataclass(frozen=True)
class SystemClock:
    """Wall-clock time; calendar dates in the regulator's time zone."""

    timezone: str = "Europe/Paris"

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().astimezone(ZoneInfo(self.timezone)).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter (30 Nov + 3 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
