"""The annual report's charts: every bar drawn is a figure, at its height."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from services.case.charts import bars

SVG = "{http://www.w3.org/2000/svg}"


def test_each_bar_carries_its_series_group_and_value_and_the_tallest_fills_the_plot():
    drawn = bars(
        "Complaints received and ended each month, 2024",
        ["2024-01", "2024-02"],
        {"received": {"2024-01": 1_500, "2024-02": 750}, "ended": {"2024-01": 300}},
    )
    root = ET.fromstring(drawn)
    found = {(r.get("data-series"), r.get("data-group")): r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"}
    assert {key: int(r.get("data-value")) for key, r in found.items()} == {
        ("received", "2024-01"): 1_500,
        ("received", "2024-02"): 750,
        ("ended", "2024-01"): 300,
        ("ended", "2024-02"): 0,
    }
    tallest, half = (float(found[("received", m)].get("height")) for m in ("2024-01", "2024-02"))
    assert half == tallest / 2
    assert "1,500" in drawn and re.search(r"<title>2024-01: 300 complaints ended</title>", drawn)


def test_a_chart_with_nothing_to_show_is_still_a_chart():
    root = ET.fromstring(bars("Nothing yet", [], {"received": {}}))
    assert root.tag == f"{SVG}svg" and not [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
