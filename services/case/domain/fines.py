"""The law's numbers, pure: GDPR Art 83 fine caps and the cap of loi 78-17 art 20 III 7° for provisions of French
law, the EDPB Guidelines 04/2022 calculation, and the caps on periodic penalty payments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from docket_contracts.events import FineCap, FineParagraph, NationalProvision, OrderNotComplied

# French law caps a periodic penalty payment at EUR 100,000 per day of delay (loi 78-17 art 20 III 2°, as the CNIL
# states it on "Les pouvoirs de la formation restreinte"; the statute's wording of III was not read).
MAX_DAILY_PENALTY_EUR = 100_000
# The simplified procedure (loi Informatique et Libertés art 22-1) caps a fine at EUR 20,000 and a periodic penalty
# payment at EUR 100 per day of delay.
SIMPLIFIED_MAX_FINE_EUR = 20_000
SIMPLIFIED_MAX_DAILY_PENALTY_EUR = 100


# --- what may be fined, and up to what: GDPR Art 83(4)-(6), loi 78-17 art 20 III 7° ---------------------------


@dataclass(frozen=True)
class Provision:
    """A provision whose infringement the law makes subject to a fine, the point of the law naming it, and the
    paragraph whose cap applies."""

    name: str
    point: str
    paragraph: FineParagraph


def _named(point: str, articles: Iterable[int], name: str = "Art {}") -> dict[int, Provision]:
    paragraph: FineParagraph = "83(4)" if point.startswith("83(4)") else "83(5)"
    return {article: Provision(name.format(article), point, paragraph) for article in articles}


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
    "58(1)": Provision("access ordered under Art 58(1)", "83(5)(e)", "83(5)"),
    "58(2)": Provision("an order under Art 58(2)", "83(6)", "83(6)"),
}
# Provisions of French law the restricted committee fines under loi 78-17 art 20 III 7°: up to EUR 10 million or 2 %
# of worldwide turnover, raised to EUR 20 million or 4 % only in the cases of GDPR Art 83(5) and (6). That reading
# of III 7° is the research's, not the statute's words (its text could not be retrieved): art 82, which transposes
# the ePrivacy directive, is not among the cases of Art 83(5)-(6), so its cap is the lower one. No decision stating
# it was found either; if the text says otherwise, correct this entry (its paragraph) and nothing else.
NATIONAL: dict[NationalProvision, Provision] = {
    "loi-78-17-art-82": Provision("loi 78-17 art 82 (cookies and trackers)", "art 20 III 7°", "loi-78-17-art-20-III-7"),
}
ART_83_4 = frozenset(a for a, p in PROVISIONS.items() if p.paragraph == "83(4)")
ART_83_5 = frozenset(a for a, p in PROVISIONS.items() if p.paragraph == "83(5)")
FINEABLE = (
    "Arts 8, 11, 25-39, 41(4), 42, 43 (Art 83(4)); Arts 5-7, 9, 12-22, 44-49 and Member State law under "
    "Arts 85-91 (Art 83(5)); orders under Art 58(1) and 58(2) not complied with (Art 83(5)(e), 83(6)); and, as "
    "national_provisions, loi 78-17 art 82 (loi 78-17 art 20 III 7°)"
)

# The fixed amount, and the share of the undertaking's total worldwide annual turnover of the preceding financial
# year: the higher of the two is the maximum.
TIERS: dict[FineParagraph, tuple[int, int]] = {
    "83(4)": (10_000_000, 2),
    "83(5)": (20_000_000, 4),
    "83(6)": (20_000_000, 4),
    "loi-78-17-art-20-III-7": (10_000_000, 2),
}
# How a refusal or a letter names each paragraph.
PARAGRAPH_NAMES: dict[FineParagraph, str] = {
    "83(4)": "Art 83(4)",
    "83(5)": "Art 83(5)",
    "83(6)": "Art 83(6)",
    "loi-78-17-art-20-III-7": "loi 78-17 art 20 III 7°",
}
# From the least grave to the gravest; 83(6) has 83(5)'s amounts and names the order not complied with.
GRAVITY: tuple[FineParagraph, ...] = ("83(4)", "loi-78-17-art-20-III-7", "83(5)", "83(6)")


class NotFineable(ValueError):
    """An article whose breach the law does not make subject to a fine."""


def provisions(
    articles: Iterable[int],
    orders_not_complied: Iterable[OrderNotComplied] = (),
    national: Iterable[NationalProvision] = (),
) -> list[Provision]:
    """What a conduct infringed, article by article, order by order and provision by provision, each with the point
    of the law naming it."""
    articles = set(articles)
    if 58 in articles:
        raise NotFineable(
            "Art 58 is charged as an order not complied with, not as an article: name 58(1) (access "
            "the authority ordered, Art 83(5)(e)) or 58(2) (a corrective order, Art 83(6)) in "
            "orders_not_complied"
        )
    unknown = sorted(articles - PROVISIONS.keys())
    if unknown:
        raise NotFineable(
            f"Art {', '.join(map(str, unknown))} is not among the provisions Art 83(4)-(6) make subject "
            f"to a fine, which are {FINEABLE}"
        )
    found = (
        [PROVISIONS[a] for a in sorted(articles)]
        + [ORDERS[o] for o in sorted(set(orders_not_complied))]
        + [NATIONAL[n] for n in sorted(set(national))]
    )
    if not found:
        raise NotFineable(
            "nothing is charged: name the articles infringed, the orders not complied with or the national provisions"
        )
    return found


def describe(found: Sequence[Provision]) -> str:
    """ "Art 6 [83(5)(a)], Art 12, 15 [83(5)(b)], an order under Art 58(2) [83(6)]": what a conduct infringed."""
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


def cap(
    articles: Iterable[int],
    turnover_eur: int | None,
    orders_not_complied: Iterable[OrderNotComplied] = (),
    national: Iterable[NationalProvision] = (),
) -> FineCap:
    """The highest fine the law allows for one conduct: the fixed amount or the share of turnover, whichever is
    higher, of the paragraph of its gravest infringement."""
    paragraph = gravest(provisions(articles, orders_not_complied, national))
    fixed, percent = TIERS[paragraph]
    share = turnover_eur * percent // 100 if turnover_eur is not None else 0
    return FineCap(
        paragraph=paragraph,
        fixed_eur=fixed,
        turnover_percent=percent,
        turnover_eur=turnover_eur,
        cap_eur=max(fixed, share),
    )


def explain_cap(limit: FineCap) -> str:
    fixed, named = f"EUR {limit.fixed_eur:,}", PARAGRAPH_NAMES[limit.paragraph]
    if limit.turnover_eur is None:
        return f"{named}: {fixed} (no turnover given, so the fixed amount applies)"
    share = limit.turnover_eur * limit.turnover_percent // 100
    return (
        f"{named}: the higher of {fixed} and {limit.turnover_percent} % of the preceding year's "
        f"worldwide turnover of EUR {limit.turnover_eur:,} (EUR {share:,}) = EUR {limit.cap_eur:,}"
    )


# --- EDPB Guidelines 04/2022 on the calculation of administrative fines (version 2.1, 24 May 2023) -------------
#
# Five steps: (1) the processing operations, the conducts and their concurrence under Art 83(3) (chapter 3);
# (2) the starting point: classification under Art 83(4)-(6), seriousness, turnover of the undertaking (chapter 4);
# (3) aggravating and mitigating circumstances of Art 83(2) (chapter 5); (4) the legal maximum (chapter 6);
# (5) effectiveness, proportionality and dissuasiveness, including an inability to pay (chapter 7, para 137 ff.).
# Each conduct goes through steps 2 to 4 on its own; step 5 looks at the fine as a whole.

Seriousness = Literal["low", "medium", "high"]

# Step 2, seriousness (paras 60-61): the starting amount is a share of the legal maximum that applies to the
# undertaking, which is the dynamic maximum (2 % or 4 % of its turnover) whenever that is the higher one.
SERIOUSNESS_RANGE: dict[Seriousness, tuple[Decimal, Decimal]] = {
    "low": (Decimal("0"), Decimal("0.10")),
    "medium": (Decimal("0.10"), Decimal("0.20")),
    "high": (Decimal("0.20"), Decimal("1.00")),
}


@dataclass(frozen=True)
class Band:
    """A band of turnover (above `floor`, up to `ceiling`) and the share of itself the starting amount is taken at."""

    floor: int
    ceiling: int
    low: Decimal
    high: Decimal

    def position_of(self, turnover_eur: int) -> Decimal:
        return Decimal(turnover_eur - self.floor) / (self.ceiling - self.floor)


# Step 2, size of the undertaking (para 65). Above EUR 500 million of turnover the dynamic maximum exceeds the fixed
# one and already reflects the undertaking's size: no band applies.
TURNOVER_BANDS: tuple[Band, ...] = (
    Band(0, 2_000_000, Decimal("0.002"), Decimal("0.004")),
    Band(2_000_000, 10_000_000, Decimal("0.003"), Decimal("0.02")),
    Band(10_000_000, 50_000_000, Decimal("0.015"), Decimal("0.10")),
    Band(50_000_000, 100_000_000, Decimal("0.08"), Decimal("0.20")),
    Band(100_000_000, 250_000_000, Decimal("0.15"), Decimal("0.50")),
    Band(250_000_000, 500_000_000, Decimal("0.50"), Decimal("1.00")),
)


def band_for(turnover_eur: int) -> Band | None:
    return next((band for band in TURNOVER_BANDS if turnover_eur <= band.ceiling), None)


@dataclass(frozen=True)
class Factor:
    """An aggravating or mitigating circumstance of Art 83(2) with its weight in percent of the amount."""

    name: str
    percent: int


@dataclass(frozen=True)
class Assessment:
    """One sanctionable conduct as the authority assesses it: what it infringed, how serious it is (and where in
    that level's range, 0 to 1), and the circumstances that make it weigh more or less."""

    articles: tuple[int, ...]
    seriousness: Seriousness
    position: Decimal = Decimal("0.5")
    orders_not_complied: tuple[OrderNotComplied, ...] = ()
    national: tuple[NationalProvision, ...] = ()
    aggravating: tuple[Factor, ...] = ()
    mitigating: tuple[Factor, ...] = ()


@dataclass(frozen=True)
class Adjustment:
    """Step 5: a change in percent for the fine to be effective, proportionate and dissuasive, with its reason; and
    an inability to pay: the most the undertaking can pay without its economic viability being irretrievably
    jeopardised, shown by objective evidence."""

    percent: int = 0
    reason: str = ""
    payable_eur: int | None = None
    evidence: str = ""


@dataclass(frozen=True)
class Step:
    step: str
    explanation: str
    amount_eur: int
    range_eur: tuple[int, int] | None = None  # where the step could have landed; amount_eur is the point chosen


@dataclass(frozen=True)
class ConductFine:
    articles: tuple[int, ...]
    orders_not_complied: tuple[OrderNotComplied, ...]
    national: tuple[NationalProvision, ...]
    cap: FineCap
    starting_amount_eur: int
    fine_eur: int


@dataclass(frozen=True)
class Estimate:
    steps: tuple[Step, ...]
    conducts: tuple[ConductFine, ...]

    @property
    def fine_eur(self) -> int:
        return sum(c.fine_eur for c in self.conducts)


def _euros(amount: Decimal) -> int:
    return int(amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _percent(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('0.01')).normalize():f} %"


def _eur(amount: int) -> str:
    return f"EUR {amount:,}"


def _size(turnover_eur: int, size_position: Decimal | None) -> tuple[Decimal, Decimal, Decimal, str]:
    """The share of itself the starting amount is taken at for the undertaking's size: (low, high, chosen, why)."""
    band = band_for(turnover_eur)
    if band is None:
        return (
            Decimal(1),
            Decimal(1),
            Decimal(1),
            f"turnover {_eur(turnover_eur)} is above EUR 500,000,000: the legal maximum is the dynamic one and "
            f"reflects the undertaking's size, so no band applies",
        )
    within = (
        f"in the band above {_eur(band.floor)} up to {_eur(band.ceiling)}"
        if band.floor
        else f"in the band up to {_eur(band.ceiling)}"
    )
    if size_position is None:
        size_position = band.position_of(turnover_eur)
        how = f"it lies at {size_position:.2f} of the band, so the same point of the range"
    else:
        how = f"the authority takes it at {size_position} of that range"
    chosen = band.low + (band.high - band.low) * size_position
    return (
        band.low,
        band.high,
        chosen,
        f"turnover {_eur(turnover_eur)} is {within}, where the starting amount is taken at {_percent(band.low)} "
        f"to {_percent(band.high)} of itself (para 65); {how}: {_percent(chosen)}",
    )


def _starting_point(
    conduct: Assessment, limit: FineCap, size: tuple[Decimal, Decimal, Decimal, str]
) -> tuple[Decimal, tuple[int, int], str]:
    low, high = SERIOUSNESS_RANGE[conduct.seriousness]
    share = low + (high - low) * conduct.position
    size_low, size_high, size_chosen, _ = size
    maximum = Decimal(limit.cap_eur)
    which = "the dynamic maximum" if limit.cap_eur > limit.fixed_eur else "the fixed maximum"
    amount = maximum * share * size_chosen
    return (
        amount,
        (_euros(maximum * low * size_low), _euros(maximum * high * size_high)),
        f"{PARAGRAPH_NAMES[limit.paragraph]}, legal maximum {_eur(limit.cap_eur)} ({which}); {conduct.seriousness} "
        f"seriousness: {_percent(low)} to {_percent(high)} of it, taken at {conduct.position} of that range: "
        f"{_percent(share)}; {_percent(size_chosen)} of that for the undertaking's size: starting amount "
        f"{_eur(_euros(amount))}",
    )


def _circumstances(conduct: Assessment, amount: Decimal) -> tuple[Decimal, str]:
    adjustment = sum(f.percent for f in conduct.aggravating) - sum(f.percent for f in conduct.mitigating)
    named = [f"+{f.percent} % {f.name}" for f in conduct.aggravating] + [
        f"-{f.percent} % {f.name}" for f in conduct.mitigating
    ]
    amount = max(amount * (1 + Decimal(adjustment) / 100), Decimal(0))
    return amount, f"{'; '.join(named) if named else 'none'}: {adjustment:+d} %, {_eur(_euros(amount))}"


def _shared(amounts: Sequence[int], total: int) -> list[int]:
    """`amounts` brought down in proportion so that they add up to `total` (largest remainders get the euros left)."""
    whole = sum(amounts)
    if whole <= total:
        return list(amounts)
    parts = [divmod(amount * total, whole) for amount in amounts]
    left = total - sum(q for q, _ in parts)
    favoured = set(sorted(range(len(parts)), key=lambda i: (-parts[i][1], i))[:left])
    return [q + (i in favoured) for i, (q, _) in enumerate(parts)]


def _labelled(texts: Sequence[str]) -> str:
    if len(texts) == 1:
        return texts[0]
    return "; ".join(f"conduct {n}: {text}" for n, text in enumerate(texts, start=1))


def estimate(
    conducts: Sequence[Assessment],
    turnover_eur: int,
    size_position: Decimal | None = None,
    adjustment: Adjustment = Adjustment(),
) -> Estimate:
    """Walk the EDPB method for the conducts of one undertaking and return each step with the amount it leads to
    (whole euros), the range it could have reached, and the fine of each conduct."""
    charged = [provisions(c.articles, c.orders_not_complied, c.national) for c in conducts]
    limits = [cap(c.articles, turnover_eur, c.orders_not_complied, c.national) for c in conducts]
    caps = sum(limit.cap_eur for limit in limits)
    if len(conducts) == 1:
        found = charged[0]
        concurrence = f"one conduct infringing {describe(found)}" + (
            f": by Art 83(3) the fine for it may not exceed the maximum for the gravest infringement, "
            f"{PARAGRAPH_NAMES[limits[0].paragraph]}"
            if len(found) > 1
            else ""
        )
    else:
        concurrence = (
            f"{len(conducts)} separate conducts, each fined on its own within the maximum of its gravest "
            f"infringement (Art 83(3)), the total within the sum of those maxima: "
            + _labelled(
                [
                    f"{describe(found)} (gravest: {PARAGRAPH_NAMES[limit.paragraph]})"
                    for found, limit in zip(charged, limits, strict=True)
                ]
            )
        )
    steps = [Step("1. conducts and concurrence (Art 83(3))", concurrence, caps)]

    size = _size(turnover_eur, size_position)
    started = [_starting_point(c, limit, size) for c, limit in zip(conducts, limits, strict=True)]
    steps.append(
        Step(
            "2. starting point: classification, seriousness, turnover",
            f"{_labelled([why for _, _, why in started])}; {size[3]}",
            sum(_euros(a) for a, _, _ in started),
            (sum(r[0] for _, r, _ in started), sum(r[1] for _, r, _ in started)),
        )
    )

    weighed = [_circumstances(c, amount) for c, (amount, _, _) in zip(conducts, started, strict=True)]
    steps.append(
        Step(
            "3. aggravating and mitigating circumstances (Art 83(2))",
            _labelled([why for _, why in weighed]),
            sum(_euros(a) for a, _ in weighed),
        )
    )

    capped = [min(_euros(amount), limit.cap_eur) for (amount, _), limit in zip(weighed, limits, strict=True)]
    steps.append(
        Step(
            "4. legal maximum",
            _labelled([f"{explain_cap(limit)}; the fine may not exceed it" for limit in limits]),
            sum(capped),
            (0, caps),
        )
    )

    adjusted, why = _effective(capped, limits, adjustment)
    final = adjusted if adjustment.payable_eur is None else _shared(adjusted, adjustment.payable_eur)
    steps.append(Step("5. effectiveness, proportionality and dissuasiveness", why, sum(final)))
    return Estimate(
        tuple(steps),
        tuple(
            ConductFine(
                tuple(sorted(set(c.articles))),
                tuple(sorted(set(c.orders_not_complied))),
                tuple(sorted(set(c.national))),
                limit,
                _euros(a),
                f,
            )
            for c, limit, (a, _, _), f in zip(conducts, limits, started, final, strict=True)
        ),
    )


def _effective(amounts: Sequence[int], limits: Sequence[FineCap], adjustment: Adjustment) -> tuple[list[int], str]:
    """Step 5: the change the authority makes for the fine to be effective, proportionate and dissuasive, never above
    a conduct's maximum; and what an inability to pay justifies (the reduction itself: `_shared`)."""
    factor = 1 + Decimal(adjustment.percent) / 100
    adjusted = [
        min(max(_euros(amount * factor), 0), limit.cap_eur) for amount, limit in zip(amounts, limits, strict=True)
    ]
    why = [
        f"{adjustment.percent:+d} % ({adjustment.reason}), within each legal maximum: {_eur(sum(adjusted))}"
        if adjustment.percent
        else f"effective, proportionate and dissuasive as it stands: {_eur(sum(adjusted))}"
    ]
    if adjustment.payable_eur is not None:
        if sum(adjusted) > adjustment.payable_eur:
            why.append(
                f"inability to pay ({adjustment.evidence}): brought down to the {_eur(adjustment.payable_eur)} "
                f"the undertaking can pay without its economic viability being irretrievably jeopardised"
            )
        else:
            why.append(f"the undertaking can pay {_eur(adjustment.payable_eur)}: no reduction for inability to pay")
    return adjusted, "; ".join(why)
