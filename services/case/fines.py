"""The law's numbers, pure: GDPR Art 83 fine caps, the EDPB Guidelines 04/2022 calculation,
and the cap on periodic penalty payments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from docket_contracts.events import FineCap

# Art 83(4): EUR 10 million or 2 % of total worldwide annual turnover, whichever is higher.
ART_83_4 = frozenset({8, 11, *range(25, 40), 42, 43})
# Art 83(5): EUR 20 million or 4 %.
ART_83_5 = frozenset({5, 6, 7, 9, *range(12, 23), *range(44, 50)})
TIERS = {"83(4)": (10_000_000, 2), "83(5)": (20_000_000, 4), "83(6)": (20_000_000, 4)}

# French law caps a periodic penalty payment at EUR 100,000 per day of delay.
MAX_DAILY_PENALTY_EUR = 100_000


class NotFineable(ValueError):
    """An article whose breach Art 83(4)-(6) does not make subject to a fine."""


def paragraph_for(articles: Iterable[int], order_not_complied: bool = False) -> Literal["83(4)", "83(5)", "83(6)"]:
    """The paragraph whose cap applies: the gravest infringement sets it (Art 83(3))."""
    articles = set(articles)
    unknown = sorted(a for a in articles if a not in ART_83_4 | ART_83_5)
    if unknown:
        raise NotFineable(f"Art {', '.join(map(str, unknown))} is not among the provisions Art 83(4)-(5) make "
                          f"subject to a fine")
    if order_not_complied:
        return "83(6)"
    return "83(5)" if articles & ART_83_5 else "83(4)"


def cap(articles: Iterable[int], turnover_eur: int | None, order_not_complied: bool = False) -> FineCap:
    """The highest fine the law allows: the fixed amount or the share of turnover, whichever is higher."""
    paragraph = paragraph_for(articles, order_not_complied)
    fixed, percent = TIERS[paragraph]
    share = turnover_eur * percent // 100 if turnover_eur is not None else 0
    return FineCap(paragraph=paragraph, fixed_eur=fixed, turnover_percent=percent, turnover_eur=turnover_eur,
                   cap_eur=max(fixed, share))


def explain_cap(limit: FineCap) -> str:
    fixed = f"EUR {limit.fixed_eur:,}"
    if limit.turnover_eur is None:
        return f"Art {limit.paragraph}: {fixed} (no turnover given, so the fixed amount applies)"
    share = limit.turnover_eur * limit.turnover_percent // 100
    return (f"Art {limit.paragraph}: the higher of {fixed} and {limit.turnover_percent} % of the preceding year's "
            f"worldwide turnover of EUR {limit.turnover_eur:,} (EUR {share:,}) = EUR {limit.cap_eur:,}")


# --- EDPB Guidelines 04/2022 on the calculation of administrative fines ---------------------------------

Seriousness = Literal["low", "medium", "high"]

# Step 2: starting amount as a share of the static legal maximum, by seriousness (Guidelines, para 61).
SERIOUSNESS_RANGE: dict[Seriousness, tuple[Decimal, Decimal]] = {
    "low": (Decimal("0"), Decimal("0.10")),
    "medium": (Decimal("0.10"), Decimal("0.20")),
    "high": (Decimal("0.20"), Decimal("1.00")),
}

# Step 2, size of the undertaking (para 65): the starting amount may be brought down to at most this share.
# Upper bound of each band, turnover in EUR.
TURNOVER_BANDS: tuple[tuple[int, Decimal], ...] = (
    (2_000_000, Decimal("0.002")),
    (10_000_000, Decimal("0.004")),
    (50_000_000, Decimal("0.02")),
    (100_000_000, Decimal("0.10")),
    (250_000_000, Decimal("0.20")),
    (500_000_000, Decimal("0.50")),
)


@dataclass(frozen=True)
class Factor:
    """An aggravating or mitigating circumstance of Art 83(2) with its weight in percent of the amount."""

    name: str
    percent: int


@dataclass(frozen=True)
class Step:
    step: str
    explanation: str
    amount_eur: int


def _euros(amount: Decimal) -> int:
    return int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def turnover_share(turnover_eur: int) -> Decimal:
    for ceiling, share in TURNOVER_BANDS:
        if turnover_eur <= ceiling:
            return share
    return Decimal("1")


def estimate(articles: Sequence[int], seriousness: Seriousness, turnover_eur: int, position: Decimal,
             aggravating: Sequence[Factor] = (), mitigating: Sequence[Factor] = (),
             order_not_complied: bool = False) -> list[Step]:
    """Walk the EDPB method and return each step with the amount it leads to (whole euros)."""
    limit = cap(articles, turnover_eur, order_not_complied)
    steps = [Step("1. classification",
                  f"infringements of Art {', '.join(map(str, sorted(set(articles))))} fall under Art {limit.paragraph}; "
                  f"static maximum EUR {limit.fixed_eur:,}", limit.fixed_eur)]
    low, high = SERIOUSNESS_RANGE[seriousness]
    share = low + (high - low) * position
    amount = Decimal(limit.fixed_eur) * share
    steps.append(Step("2. seriousness",
                      f"{seriousness} seriousness: {low:.0%} to {high:.0%} of the static maximum; at position "
                      f"{position} of that range the starting amount is {share:.1%}", _euros(amount)))
    size = turnover_share(turnover_eur)
    amount *= size
    steps.append(Step("3. turnover",
                      f"worldwide annual turnover EUR {turnover_eur:,}: the starting amount is taken at up to "
                      f"{size:.1%} of itself", _euros(amount)))
    adjustment = sum(f.percent for f in aggravating) - sum(f.percent for f in mitigating)
    amount *= 1 + Decimal(adjustment) / 100
    named = [f"+{f.percent} % {f.name}" for f in aggravating] + [f"-{f.percent} % {f.name}" for f in mitigating]
    steps.append(Step("4. aggravating and mitigating circumstances",
                      f"{'; '.join(named) if named else 'none'}: {adjustment:+d} %", _euros(max(amount, Decimal(0)))))
    final = min(_euros(max(amount, Decimal(0))), limit.cap_eur)
    steps.append(Step("5. legal maximum", f"{explain_cap(limit)}; the fine may not exceed it", final))
    return steps
