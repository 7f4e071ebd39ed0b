"""The picture of a case: every event a mark, on its day, in its lane."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from uuid import uuid4

from docket_contracts.events import CaseClosed, ComplaintLinked, InjunctionComplied
from services.case.timeline import CROWD, draw, marks
from tests.unit.case_history import (
    APPEALED,
    AT_SANCTION,
    CASE,
    CLEARVIEW,
    LIQUIDATED,
    NOTICE_PUBLISHED,
    SANCTION,
    WITHDRAWN,
    ruled,
)

SVG = "{http://www.w3.org/2000/svg}"
CLOSED = CaseClosed(case_id=CASE, outcome="sanctioned", reasons="liquidated", closed_on=date(2023, 4, 20))
COMPLIED = InjunctionComplied(case_id=CASE, sanction_id=SANCTION, complied_on=date(2023, 2, 9))
STORY = list(enumerate((*AT_SANCTION, COMPLIED, LIQUIDATED, CLOSED), start=1))


def drawn(history) -> ET.Element:
    return ET.fromstring(draw("CNIL v. Clearview AI", history))


def versions_in(svg: ET.Element) -> list[int]:
    return [int(v) for g in svg.iter(f"{SVG}g") for v in g.get("data-versions", "").split()]


def test_every_event_of_the_case_is_drawn_once():
    assert sorted(versions_in(drawn(STORY))) == [version for version, _ in STORY]


def test_the_story_reads_in_its_lanes_with_its_dates_and_amounts():
    svg = draw("CNIL v. Clearview AI", STORY)
    for words in [
        "complaints",
        "investigation",
        "formal notice",
        "sanction",
        "penalty payment",
        "closure",
        "finding: Art 6, 12, 15, 17",
        "formal notice MED-2021-134, two months to comply",
        "notice notified, comply by 2022-01-26",
        "deadline passed",
        "fine EUR 20,000,000 (cap Art 83(6))",
        "EUR 100,000 a day from 2022-12-19",
        "liquidated 2023-04-13: 52 days, EUR 5,200,000",
        "closed: sanctioned",
    ]:
        assert words in svg, words
    assert "other" not in re.findall(r'font-weight="bold" fill="[^"]+">([^<]+)<', svg)


def test_marks_sit_on_their_days_and_periods_span_them():
    by_version = {m.versions[0]: m for m in marks(STORY)}
    notice, notified, liquidation = by_version[4], by_version[5], by_version[15]
    assert (notice.on, notice.until) == (date(2021, 11, 26), None)  # no deadline runs until it is notified
    assert (notified.on, notified.until) == (date(2021, 11, 26), date(2022, 1, 26))
    report, summons, deliberation = by_version[8], by_version[9], by_version[11]
    assert (report.lane, report.on, report.until) == ("committee", date(2022, 7, 14), date(2022, 8, 14))
    assert (summons.on, summons.until) == (date(2022, 9, 13), date(2022, 10, 13))
    assert (deliberation.on, deliberation.label) == (date(2022, 10, 17), "SAN-2022-019: 5 members")
    assert (liquidation.on, liquidation.until) == (date(2022, 12, 19), date(2023, 2, 9))
    assert by_version[3].on == date(2020, 8, 1)  # the finding, undated, where the record stood
    svg = drawn(STORY)
    xs = {int(g.get("data-versions")): float(g.find(f"{SVG}circle").get("cx")) for g in svg.iter(f"{SVG}g")}
    assert xs[1] < xs[2] < xs[4] == xs[5] < xs[6] < xs[7] < xs[8] < xs[9] < xs[10] < xs[11] == xs[12]  # in time
    assert xs[12] < xs[13] == xs[15] < xs[14] < xs[16]  # order, left to right


def test_a_crowded_case_draws_one_mark_per_day_of_complaints_and_loses_none():
    joined = [
        (
            version,
            ComplaintLinked(
                case_id=CASE,
                complaint_id=uuid4(),
                complaint_kind="art77_complaint",
                received_on=date(2020, 6, 1 + version % 3),
            ),
        )
        for version in range(2, CROWD + 12)
    ]
    history = [STORY[0], *joined]
    svg = drawn(history)
    assert sorted(versions_in(svg)) == [version for version, _ in history]
    assert len(list(svg.iter(f"{SVG}g"))) == 1 + 3  # the opening, and one mark per day of joined complaints


def test_what_came_from_outside_is_escaped():
    assert "<script>" not in draw("<script>x</script>", STORY)
    assert CLEARVIEW.name not in draw("case", STORY)  # the picture names what the caller titles it with, only


def test_a_publication_an_appeal_and_its_ruling_are_drawn_in_lanes_of_their_own():
    history = list(
        enumerate((*AT_SANCTION, NOTICE_PUBLISHED, APPEALED, ruled("fine_reduced", 10_000_000), WITHDRAWN), start=1)
    )
    svg = draw("case", history)
    lanes = re.findall(r'font-weight="bold" fill="[^"]+">([^<]+)<', svg)
    assert lanes[-2:] == ["publication", "appeal"]
    for words in [
        "formal notice made public",
        "publication withdrawn",
        "sanction appealed",
        "fine reduced to EUR 10,000,000",
    ]:
        assert words in svg, words
    assert sorted(versions_in(drawn(history))) == [version for version, _ in history]
