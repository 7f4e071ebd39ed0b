"""GDPR Art 83 on a sanction (given events, when a command, then events or a refusal) and the EDPB Guidelines
04/2022 estimate, step by step, with the properties that hold whatever the conducts, turnover and choices.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given as for_all
from hypothesis import settings
from hypothesis import strategies as st

from docket_contracts.events import ConductFined, FineCap, SanctionImposed
from services.case.domain import Conduct, Invalid, decide, fines
from services.case.domain.fines import Adjustment, Assessment, Factor, estimate
from tests.unit.case_history import AT_HEARING, HEARD_DIRECTLY, given, sanction

# Heard by the restricted committee, after the investigation (no formal notice) or after an expired notice.
INVESTIGATED, AT_EXPIRY = HEARD_DIRECTLY, AT_HEARING
ARTICLE_82 = ("loi-78-17-art-82",)

# The articles GDPR Art 83(4) and 83(5) name, written out here as the Regulation lists them.
IN_83_4 = {8, 11, *range(25, 40), 41, 42, 43}  # 41: Art 41(4), the monitoring body's obligations, 83(4)(c)
IN_83_5 = {5, 6, 7, 9, *range(12, 23), *range(44, 50), *range(85, 92)}  # 85-91: Member State law, 83(5)(d)


def cap_of(paragraph: str, turnover: int | None = 100_000_000) -> FineCap:
    fixed, percent = (10_000_000, 2) if paragraph == "83(4)" else (20_000_000, 4)
    share = turnover * percent // 100 if turnover is not None else 0
    return FineCap(
        paragraph=paragraph, fixed_eur=fixed, turnover_percent=percent, turnover_eur=turnover, cap_eur=max(fixed, share)
    )


def imposed(history, command):
    """The sanction.imposed a command leads to (the penalty payment, if any, is another test's business)."""
    return next(e for e in decide(given(*history), command) if isinstance(e, SanctionImposed))


# --- every article Art 83(4)-(6) names can be named; no other ---------------------------------------------


@pytest.mark.parametrize("article", range(1, 100))
def test_every_article_art_83_names_is_fined_under_its_paragraph_and_no_other_is(article):
    command = sanction(fine=1, articles=(article,), injunction=None)
    if article in IN_83_4 | IN_83_5:
        fined = imposed(INVESTIGATED, command)
        paragraph = "83(4)" if article in IN_83_4 else "83(5)"
        assert fined.cap == cap_of(paragraph) and fined.articles_infringed == (article,)
        return
    with pytest.raises(Invalid) as refused:
        decide(given(*INVESTIGATED), command)
    assert refused.value.field == "articles_infringed"
    expected = (
        "Art 58 is charged as an order not complied with"
        if article == 58
        else f"Art {article} is not among the provisions Art 83(4)-(6) make subject to a fine, which are Arts 8, "
        f"11, 25-39, 41(4)"
    )
    assert refused.value.message.startswith(expected)


def test_an_expired_notice_alone_does_not_make_the_fine_an_83_6_one():
    """The notice expired, but the sanction charges no non-compliance: Art 32 keeps the 83(4) cap of EUR 10M."""
    with pytest.raises(Invalid) as refused:
        decide(given(*AT_EXPIRY), sanction(fine=12_000_000, articles=(32,), injunction=None))
    assert (refused.value.field, refused.value.message) == (
        "fine_eur",
        "EUR 12,000,000 exceeds the cap of Art 83(4): the higher of EUR 10,000,000 and 2 % of the "
        "preceding year's worldwide turnover of EUR 100,000,000 (EUR 2,000,000) = EUR 10,000,000",
    )
    assert imposed(AT_EXPIRY, sanction(articles=(6, 12), injunction=None)).cap.paragraph == "83(5)"


def test_charging_non_compliance_with_the_expired_notice_puts_the_conduct_under_83_6():
    fined = imposed(AT_EXPIRY, sanction(fine=12_000_000, articles=(32,), orders=("58(2)",), injunction=None))
    assert fined.cap == cap_of("83(6)") and fined.articles_infringed == (32, 58)
    assert fined.conducts == (
        ConductFined(
            articles_infringed=(32,), orders_not_complied=("58(2)",), fine_eur=12_000_000, cap=cap_of("83(6)")
        ),
    )


def test_non_compliance_with_an_art_58_2_order_is_refused_where_no_notice_has_expired():
    with pytest.raises(Invalid) as refused:
        decide(given(*INVESTIGATED), sanction(fine=1, orders=("58(2)",), injunction=None))
    assert (refused.value.field, refused.value.message) == (
        "orders_not_complied",
        "no order under Art 58(2) stands unheeded: the case has no formal notice whose "
        "deadline passed without compliance",
    )


def test_access_refused_under_art_58_1_is_fined_under_83_5_e_in_the_investigation():
    fined = imposed(INVESTIGATED, sanction(fine=20_000_000, articles=(31,), orders=("58(1)",), injunction=None))
    assert fined.cap == cap_of("83(5)") and fined.articles_infringed == (31, 58)
    assert fined.conducts[0].orders_not_complied == ("58(1)",)


# --- one conduct capped by its gravest infringement; separate conducts each by their own ----------------------


def test_one_conduct_infringing_several_provisions_is_capped_once_by_the_gravest():
    assert imposed(INVESTIGATED, sanction(articles=(6, 32), injunction=None)).cap == cap_of("83(5)")
    with pytest.raises(Invalid, match="EUR 20,000,001 exceeds the cap of Art 83\\(5\\)"):
        decide(given(*INVESTIGATED), sanction(fine=20_000_001, articles=(6, 32), injunction=None))


def test_separate_conducts_are_each_capped_and_the_fine_is_their_sum():
    conducts = (Conduct(articles=(32,), fine_eur=10_000_000), Conduct(articles=(6, 12), fine_eur=20_000_000))
    fined = imposed(INVESTIGATED, sanction(fine=30_000_000, articles=(), conducts=conducts, injunction=None))
    assert fined.fine_eur == 30_000_000 and fined.articles_infringed == (6, 12, 32)
    assert fined.conducts == (
        ConductFined(articles_infringed=(32,), fine_eur=10_000_000, cap=cap_of("83(4)")),
        ConductFined(articles_infringed=(6, 12), fine_eur=20_000_000, cap=cap_of("83(5)")),
    )
    assert fined.cap == cap_of("83(5)")  # the gravest conduct's


def test_a_conduct_may_be_non_compliance_with_the_order_alone():
    conducts = (
        Conduct(articles=(), fine_eur=5_000_000, orders_not_complied=("58(2)",)),
        Conduct(articles=(6,), fine_eur=1_000_000),
    )
    fined = imposed(AT_EXPIRY, sanction(fine=6_000_000, articles=(), conducts=conducts, injunction=None))
    assert fined.articles_infringed == (6, 58) and fined.cap == cap_of("83(6)")
    assert [c.cap.paragraph for c in fined.conducts] == ["83(6)", "83(5)"]


# --- provisions of French law: loi 78-17 art 82, capped by loi 78-17 art 20 III 7° ----------------------------

CAP_LOI_20 = FineCap(
    paragraph="loi-78-17-art-20-III-7",
    fixed_eur=10_000_000,
    turnover_percent=2,
    turnover_eur=100_000_000,
    cap_eur=10_000_000,
)


def test_cookies_and_trackers_under_loi_78_17_art_82_are_fined_within_the_cap_of_its_art_20_iii_7():
    fined = imposed(INVESTIGATED, replace(sanction(fine=10_000_000, articles=(), injunction=None), national=ARTICLE_82))
    assert (fined.articles_infringed, fined.national_provisions, fined.cap) == ((), ARTICLE_82, CAP_LOI_20)
    assert fined.conducts == (ConductFined(national_provisions=ARTICLE_82, fine_eur=10_000_000, cap=CAP_LOI_20),)
    with pytest.raises(Invalid) as refused:
        decide(
            given(*INVESTIGATED), replace(sanction(fine=10_000_001, articles=(), injunction=None), national=ARTICLE_82)
        )
    assert (refused.value.field, refused.value.message) == (
        "fine_eur",
        "EUR 10,000,001 exceeds the cap of loi 78-17 art 20 III 7°: the higher of EUR 10,000,000 and 2 % of the "
        "preceding year's worldwide turnover of EUR 100,000,000 (EUR 2,000,000) = EUR 10,000,000",
    )


def test_a_large_undertaking_s_cookie_fine_is_capped_at_2_percent_of_its_turnover():
    fined = imposed(
        INVESTIGATED,
        replace(sanction(fine=60_000_000, turnover=5_000_000_000, articles=(), injunction=None), national=ARTICLE_82),
    )
    assert (fined.cap.paragraph, fined.cap.cap_eur) == ("loi-78-17-art-20-III-7", 100_000_000)


def test_a_conduct_infringing_art_82_and_a_gdpr_article_is_capped_by_the_gravest_of_the_two():
    both = replace(sanction(fine=20_000_000, articles=(6,), injunction=None), national=ARTICLE_82)
    fined = imposed(INVESTIGATED, both)
    assert fined.cap == cap_of("83(5)") and fined.national_provisions == ARTICLE_82
    with_32 = replace(sanction(fine=1, articles=(32,), injunction=None), national=ARTICLE_82)
    assert imposed(INVESTIGATED, with_32).cap.paragraph == "loi-78-17-art-20-III-7"  # as grave as 83(4), and named


def test_separate_conducts_may_fine_art_82_beside_gdpr_articles():
    conducts = (
        Conduct(articles=(), fine_eur=10_000_000, national=ARTICLE_82),
        Conduct(articles=(6,), fine_eur=20_000_000),
    )
    fined = imposed(INVESTIGATED, sanction(fine=30_000_000, articles=(), conducts=conducts, injunction=None))
    assert [c.cap.paragraph for c in fined.conducts] == ["loi-78-17-art-20-III-7", "83(5)"]
    assert (fined.articles_infringed, fined.national_provisions) == ((6,), ARTICLE_82)
    with pytest.raises(Invalid, match="not both"):
        decide(given(*INVESTIGATED), replace(sanction(conducts=conducts, articles=()), national=ARTICLE_82))


def test_the_estimate_walks_a_cookie_conduct_from_the_maximum_of_loi_78_17_art_20_iii_7():
    found = estimate([Assessment((), "high", national=ARTICLE_82)], 5_000_000_000)
    assert found.conducts[0].cap.cap_eur == 100_000_000 and found.conducts[0].national == ARTICLE_82
    assert "loi 78-17 art 82 (cookies and trackers) [art 20 III 7°]" in found.steps[0].explanation
    assert found.steps[1].explanation.startswith("loi 78-17 art 20 III 7°, legal maximum EUR 100,000,000")
    assert found.steps[3].explanation.startswith("loi 78-17 art 20 III 7°: the higher of EUR 10,000,000 and 2 %")


@pytest.mark.parametrize(
    ("history", "command", "field", "message"),
    [
        (
            INVESTIGATED,
            sanction(
                fine=10_000_001, articles=(), injunction=None, conducts=(Conduct(articles=(32,), fine_eur=10_000_001),)
            ),
            "conducts.0.fine_eur",
            "EUR 10,000,001 exceeds the cap of Art 83(4)",
        ),
        (
            INVESTIGATED,
            sanction(
                fine=3,
                articles=(),
                injunction=None,
                conducts=(Conduct(articles=(32,), fine_eur=1), Conduct(articles=(6,), fine_eur=1)),
            ),
            "fine_eur",
            "EUR 3 is not the sum of the conducts' fines (EUR 2)",
        ),
        (
            INVESTIGATED,
            sanction(fine=1, articles=(6,), injunction=None, conducts=(Conduct(articles=(6,), fine_eur=1),)),
            "conducts",
            "name what each conduct infringed in conducts, or what the one conduct infringed in "
            "articles_infringed, orders_not_complied and national_provisions, not both",
        ),
        (
            AT_EXPIRY,
            sanction(
                fine=2,
                articles=(),
                injunction=None,
                conducts=(
                    Conduct(articles=(6,), fine_eur=1, orders_not_complied=("58(2)",)),
                    Conduct(articles=(), fine_eur=1, orders_not_complied=("58(2)",)),
                ),
            ),
            "conducts.1.orders_not_complied",
            "non-compliance with the order under Art 58(2) is already charged with another conduct",
        ),
        (
            INVESTIGATED,
            sanction(
                fine=2,
                articles=(),
                injunction=None,
                conducts=(Conduct(articles=(6,), fine_eur=1), Conduct(articles=(), fine_eur=1)),
            ),
            "conducts.1.articles_infringed",
            "nothing is charged: name the articles infringed, the orders not complied with or the national provisions",
        ),
        (
            INVESTIGATED,
            sanction(fine=1, articles=(), injunction=None, conducts=(Conduct(articles=(6, 140), fine_eur=1),)),
            "conducts.0.articles_infringed",
            "Art 140 is not among the provisions",
        ),
        (
            INVESTIGATED,
            sanction(
                fine=1,
                articles=(),
                injunction=None,
                conducts=(Conduct(articles=(), fine_eur=1, orders_not_complied=("58(2)",)),),
            ),
            "conducts.0.orders_not_complied",
            "no order under Art 58(2) stands unheeded",
        ),
    ],
)
def test_conducts_that_break_a_rule_are_refused_naming_the_field(history, command, field, message):
    with pytest.raises(Invalid) as refused:
        decide(given(*history), command)
    assert refused.value.field == field and refused.value.message.startswith(message)


ARTICLES = st.lists(st.sampled_from(sorted(IN_83_4 | IN_83_5)), max_size=4, unique=True)
ORDERS = st.lists(st.sampled_from(["58(1)", "58(2)"]), max_size=2, unique=True)


@st.composite
def charged_conducts(draw):
    """Separate conducts after an expired notice, each fined near its own cap, the order charged at most once."""
    conducts, charged = [], set()
    for _ in range(draw(st.integers(1, 4))):
        orders = [o for o in draw(ORDERS) if o not in charged]
        articles = draw(ARTICLES if orders else ARTICLES.filter(bool))
        charged |= set(orders)
        paragraph = fines.gravest(fines.provisions(articles, orders))
        limit = max(fines.TIERS[paragraph][0], 300_000_000 * fines.TIERS[paragraph][1] // 100)
        conducts.append(Conduct(tuple(articles), draw(st.integers(limit - 2, limit + 1)), tuple(orders)))
    return conducts


@settings(max_examples=200, deadline=None)
@for_all(charged_conducts())
def test_a_sanction_stands_exactly_when_every_conduct_is_within_its_own_cap(conducts):
    command = sanction(
        fine=sum(c.fine_eur for c in conducts),
        turnover=300_000_000,
        articles=(),
        conducts=tuple(conducts),
        injunction=None,
    )
    caps = [fines.cap(c.articles, 300_000_000, c.orders_not_complied).cap_eur for c in conducts]
    over = [n for n, (c, limit) in enumerate(zip(conducts, caps, strict=True)) if c.fine_eur > limit]
    if over:
        with pytest.raises(Invalid) as refused:
            decide(given(*AT_EXPIRY), command)
        assert refused.value.field == f"conducts.{over[0]}.fine_eur"
        return
    fined = imposed(AT_EXPIRY, command)
    assert [c.cap.cap_eur for c in fined.conducts] == caps
    assert fined.fine_eur == sum(c.fine_eur for c in fined.conducts) <= sum(caps)
    assert (58 in fined.articles_infringed) == any(c.orders_not_complied for c in conducts)


# --- the EDPB Guidelines 04/2022 estimate -----------------------------------------------------------------

CLEARVIEW_LIKE = Assessment(
    articles=(6, 12, 15, 17),
    seriousness="high",
    position=Decimal("0.5"),
    aggravating=(Factor("duration", 10),),
    mitigating=(Factor("cooperation", 5),),
)


def test_the_estimate_walks_the_five_steps():
    found = estimate([CLEARVIEW_LIKE], 1_000_000_000)
    assert [s.step for s in found.steps] == [
        "1. conducts and concurrence (Art 83(3))",
        "2. starting point: classification, seriousness, turnover",
        "3. aggravating and mitigating circumstances (Art 83(2))",
        "4. legal maximum",
        "5. effectiveness, proportionality and dissuasiveness",
    ]
    # 4 % of EUR 1bn is the maximum (the dynamic one); high seriousness at 0.5 of 20-100 % is 60 % of it; no band
    # applies above EUR 500M; +10 -5 = +5 %.
    assert [s.amount_eur for s in found.steps] == [40_000_000, 24_000_000, 25_200_000, 25_200_000, 25_200_000]
    assert found.fine_eur == 25_200_000 and found.steps[1].range_eur == (8_000_000, 40_000_000)
    assert "legal maximum EUR 40,000,000 (the dynamic maximum)" in found.steps[1].explanation
    assert "above EUR 500,000,000" in found.steps[1].explanation


def test_the_starting_amount_of_a_smaller_undertaking_comes_from_the_fixed_maximum():
    found = estimate([CLEARVIEW_LIKE], 400_000_000)  # 4 % is EUR 16M, below EUR 20M
    assert "legal maximum EUR 20,000,000 (the fixed maximum)" in found.steps[1].explanation
    assert found.conducts[0].cap.cap_eur == 20_000_000


@pytest.mark.parametrize(
    ("turnover", "share", "band"),
    [
        (1_000_000, "0.3 %", "up to EUR 2,000,000, where the starting amount is taken at 0.2 % to 0.4 %"),
        (2_000_000, "0.4 %", "up to EUR 2,000,000, where the starting amount is taken at 0.2 % to 0.4 %"),
        (
            6_000_000,
            "1.15 %",
            "above EUR 2,000,000 up to EUR 10,000,000, where the starting amount is taken at 0.3 % to 2 %",
        ),
        (
            30_000_000,
            "5.75 %",
            "above EUR 10,000,000 up to EUR 50,000,000, where the starting amount is taken at 1.5 % to 10 %",
        ),
        (
            75_000_000,
            "14 %",
            "above EUR 50,000,000 up to EUR 100,000,000, where the starting amount is taken at 8 % to 20 %",
        ),
        (
            175_000_000,
            "32.5 %",
            "above EUR 100,000,000 up to EUR 250,000,000, where the starting amount is taken at 15 % to 50 %",
        ),
        (
            375_000_000,
            "75 %",
            "above EUR 250,000,000 up to EUR 500,000,000, where the starting amount is taken at 50 % to 100 %",
        ),
    ],
)
def test_each_turnover_band_is_a_range_and_the_point_chosen_is_where_the_turnover_lies_in_the_band(
    turnover, share, band
):
    found = estimate([Assessment(articles=(6,), seriousness="high", position=Decimal("0.5"))], turnover)
    starting = found.steps[1]
    assert band in starting.explanation and f"the same point of the range: {share}" in starting.explanation
    assert f"{share} of that for the undertaking's size" in starting.explanation
    low, high = (Decimal(s.split(" %")[0]) / 100 for s in band.split("taken at ")[1].split(" to "))
    assert starting.range_eur == (int(20_000_000 * Decimal("0.2") * low), int(20_000_000 * high))
    assert starting.amount_eur == int(20_000_000 * Decimal("0.6") * Decimal(share.split(" ")[0]) / 100)


def test_the_authority_may_choose_another_point_of_the_band_and_the_estimate_says_so():
    found = estimate(
        [Assessment(articles=(6,), seriousness="medium", position=Decimal("0"))], 30_000_000, size_position=Decimal("1")
    )
    assert "the authority takes it at 1 of that range: 10 %" in found.steps[1].explanation
    assert found.steps[1].amount_eur == 200_000  # 10 % of EUR 20M, then 10 % of that


def test_a_conduct_weighed_above_its_maximum_is_brought_back_to_it():
    heavy = Assessment(articles=(32,), seriousness="high", position=Decimal("1"), aggravating=(Factor("intent", 50),))
    found = estimate([heavy], 600_000_000)  # 2 % of EUR 600M: EUR 12M
    assert [s.amount_eur for s in found.steps[1:4]] == [12_000_000, 18_000_000, 12_000_000]
    assert found.fine_eur == 12_000_000


def test_several_conducts_are_each_estimated_within_their_own_maximum():
    found = estimate(
        [
            CLEARVIEW_LIKE,
            Assessment(articles=(32,), seriousness="low", position=Decimal("1")),
            Assessment(articles=(), seriousness="medium", orders_not_complied=("58(2)",)),
        ],
        1_000_000_000,
    )
    assert [c.cap.paragraph for c in found.conducts] == ["83(5)", "83(4)", "83(6)"]
    assert found.steps[0].amount_eur == 40_000_000 + 20_000_000 + 40_000_000
    assert found.steps[0].explanation.startswith("3 separate conducts, each fined on its own")
    assert [c.fine_eur for c in found.conducts] == [25_200_000, 2_000_000, 6_000_000]
    assert found.fine_eur == 33_200_000 and found.steps[1].explanation.startswith("conduct 1: Art 83(5)")


def test_step_five_adjusts_within_each_maximum_and_an_inability_to_pay_brings_the_fine_down():
    conducts = [CLEARVIEW_LIKE, Assessment(articles=(32,), seriousness="high", position=Decimal("1"))]
    raised = estimate(conducts, 1_000_000_000, adjustment=Adjustment(percent=50, reason="to deter"))
    assert [c.fine_eur for c in raised.conducts] == [37_800_000, 20_000_000]  # the second stays at its maximum
    assert "+50 % (to deter), within each legal maximum" in raised.steps[4].explanation
    unable = estimate(conducts, 1_000_000_000, adjustment=Adjustment(payable_eur=9_000_001, evidence="audited"))
    assert unable.fine_eur == 9_000_001 and [c.fine_eur for c in unable.conducts] == [5_017_700, 3_982_301]
    assert "inability to pay (audited): brought down to the EUR 9,000,001" in unable.steps[4].explanation
    able = estimate(conducts, 1_000_000_000, adjustment=Adjustment(payable_eur=10**12, evidence="audited"))
    assert able.fine_eur == 45_200_000 and "no reduction for inability to pay" in able.steps[4].explanation


ASSESSMENTS = st.builds(
    Assessment,
    articles=ARTICLES.map(tuple),
    seriousness=st.sampled_from(["low", "medium", "high"]),
    position=st.decimals(0, 1, places=3),
    orders_not_complied=ORDERS.map(tuple),
    aggravating=st.lists(st.builds(Factor, st.just("a"), st.integers(0, 100)), max_size=3).map(tuple),
    mitigating=st.lists(st.builds(Factor, st.just("m"), st.integers(0, 100)), max_size=3).map(tuple),
).filter(lambda a: a.articles or a.orders_not_complied)
TURNOVERS = st.integers(0, 10**13)
ADJUSTMENTS = st.builds(
    Adjustment,
    percent=st.integers(-100, 100),
    reason=st.just("r"),
    payable_eur=st.none() | st.integers(0, 10**9),
    evidence=st.just("e"),
)


@settings(max_examples=300, deadline=None)
@for_all(st.lists(ASSESSMENTS, min_size=1, max_size=4), TURNOVERS, st.none() | st.decimals(0, 1, places=2), ADJUSTMENTS)
def test_no_conduct_is_fined_above_the_maximum_of_its_gravest_infringement(conducts, turnover, size, adjustment):
    found = estimate(conducts, turnover, size, adjustment)
    for conduct, fined in zip(conducts, found.conducts, strict=True):
        paragraph = fines.gravest(fines.provisions(conduct.articles, conduct.orders_not_complied))
        fixed, percent = fines.TIERS[paragraph]
        assert 0 <= fined.fine_eur <= max(fixed, turnover * percent // 100)
    assert found.fine_eur == found.steps[-1].amount_eur <= sum(c.cap.cap_eur for c in found.conducts)
    if adjustment.payable_eur is not None:
        assert found.fine_eur <= adjustment.payable_eur


@settings(max_examples=300, deadline=None)
@for_all(ASSESSMENTS, st.decimals(0, 1, places=3), st.decimals(0, 1, places=3), TURNOVERS, ADJUSTMENTS)
def test_the_fine_never_falls_as_the_seriousness_position_rises(conduct, one, other, turnover, adjustment):
    lower, higher = sorted((one, other))
    at = [
        estimate([Assessment(**{**vars(conduct), "position": p})], turnover, adjustment=adjustment).fine_eur
        for p in (lower, higher)
    ]
    assert at[0] <= at[1]
