"""The law's numbers, pure: GDPR Art 83 fine caps, the EDPB Guidelines 04/2022 calculation,
and the cap on periodic penalty payments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, cast

from docket_contracts.events import FineCap, FineParagraph, OrderNotComplied

# French law caps a periodic penalty payment at EUR 100,000 per day of delay.
MAX_DAILY_PENALTY_EUR = 100_000


# --- GDPR Art 83(4)-(6): what may be fined, and up to what ------------------------------------------------

@dataclass(frozen=True)
class Provision:
    """A provision whose infringement Art 83(4)-(6) makes subject to a fine, and the point of Art 83 naming it."""

    name: str
    point: str

    @property
    def paragraph(self) -> FineParagraph:
        return cast(FineParagraph, self.point[:5])


def _named(point: str, articles: Iterable[int], name: str = "Art {}") -> dict[int, Provision]:
    return {article: Provision(name.format(article), point) for article in articles}


# Art 83(4): (a) the controller's and the processor's obligations under Arts 8, 11, 25-39, 42 and 43; (b) the
# certification body's under Arts 42 and 43; (c) the monitoring body's under Art 41(4), the only part of Art 41
# that binds it. Art 83(5): (a) the principles and consent, Arts 5, 6, 7, 9; (b) the data subjects' rights, Arts
# 12-22; (c) transfers, Arts 44-49; (d) obligations under Member State law adopted under Chapter IX, Arts 85-91.
PROVISIONS: dict[int, Provision] = {
    **_named("83(4)(a)", (8, 11, *range(25, 40))),
    **_named("83(4)(a)-(b)", (42, 43)),
    **_named("83(4)(c)", (41,), "Art {}(4)"),
    **_named("83(5)(a)", (5, 6, 7, 9)),
    **_named("83(5)(b)", range(12, 23)),
    **_named("83(5)(c)", range(44, 50)),
    **_named("83(5)(d)", range(85, 92), "Member State law under Art {}"),
}
# Art 83(5)(e): failure to provide access in violation of Art 58(1), and non-compliance with an order under Art 58(2),
# which Art 83(6) names again on its own.
ORDERS: dict[OrderNotComplied, Provision] = {
    "58(1)": Provision("access ordered under Art 58(1)", "83(5)(e)"),
    "58(2)": Provision("an order under Art 58(2)", "83(6)"),
}
ART_83_4 = frozenset(a for a, p in PROVISIONS.items() if p.paragraph == "83(4)")
ART_83_5 = frozenset(a for a, p in PROVISIONS.items() if p.paragraph == "83(5)")
FINEABLE = ("Arts 8, 11, 25-39, 41(4), 42, 43 (Art 83(4)); Arts 5-7, 9, 12-22, 44-49 and Member State law under "
            "Arts 85-91 (Art 83(5)); orders under Art 58(1) and 58(2) not complied with (Art 83(5)(e), 83(6))")

# The fixed amount, and the share of the undertaking's total worldwide annual turnover of the preceding financial
# year: the higher of the two is the maximum.
TIERS: dict[FineParagraph, tuple[int, int]] = {"83(4)": (10_000_000, 2), "83(5)": (20_000_000, 4),
                                                "83(6)": (20_000_000, 4)}
# From the least grave to the gravest; 83(6) has 83(5)'s amounts and names the order not complied with.
GRAVITY: tuple[FineParagraph, ...] = ("83(4)", "83(5)", "83(6)")


class NotFineable(ValueError):
    """An article whose breach Art 83(4)-(6) does not make subject to a fine."""


def provisions(articles: Iterable[int], orders_not_complied: Iterable[OrderNotComplied] = ()) -> list[Provision]:
    """What a conduct infringed, article by article and order by order, each with the point of Art 83 naming it."""
    articles = set(articles)
    if 58 in articles:
        raise NotFineable("Art 58 is charged as an order not complied with, not as an article: name 58(1) (access "
                          "the authority ordered, Art 83(5)(e)) or 58(2) (a corrective order, Art 83(6)) in "
                          "orders_not_complied")
    unknown = sorted(articles - PROVISIONS.keys())
    if unknown:
        raise NotFineable(f"Art {', '.join(map(str, unknown))} is not among the provisions Art 83(4)-(6) make subject "
                          f"to a fine, which are {FINEABLE}")
    found = [PROVISIONS[a] for a in sorted(articles)] + [ORDERS[o] for o in sorted(set(orders_not_complied))]
    if not found:
        raise NotFineable("nothing is charged: name the articles infringed or the orders not complied with")
    return found


def describe(found: Sequence[Provision]) -> str:
    """"Art 6 [83(5)(a)], Art 12, 15 [83(5)(b)], an order under Art 58(2) [83(6)]": what a conduct infringed."""
    points: dict[str, list[str]] = {}
    for provision in found:
        points.setdefault(provision.point, []).append(provision.name)
    parts = []
    for point, names in points.items():
        articles = [n.removeprefix("Art ") for n in names if n.startswith("Art ")]
        named = [f"Art {', '.join(articles)}"] if len(articles) == len(names) else names
        parts.append(f"{', '.join(named)} [{point}]")
    return ", ".join(parts)


def gravest(found: Iterable[Provision]) -> FineParagraph:
    """The paragraph of the gravest infringement, whose maximum bounds the fine for one conduct (Art 83(3))."""
    return max((p.paragraph for p in found), key=GRAVITY.index)


def cap(articles: Iterable[int], turnover_eur: int | None,
        orders_not_complied: Iterable[OrderNotComplied] = ()) -> FineCap:
    """The highest fine the law allows for one conduct: the fixed amount or the share of turnover, whichever is
    higher, of the paragraph of its gravest infringement."""
    paragraph = gravest(provisions(articles, orders_not_complied))
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
             orders_not_complied: Sequence[OrderNotComplied] = ()) -> list[Step]:
    """Walk the EDPB method and return each step with the amount it leads to (whole euros)."""
    limit = cap(articles, turnover_eur, orders_not_complied)
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
