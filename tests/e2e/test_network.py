"""`make run ARGS=--network` brings up the Italian Garante's and the Irish DPC's Dockets beside the CNIL's (each its
own PostgreSQL, realm, Kafka and services, each case service on HTTPS) and, after the CNIL's story, plays the
Clearview network (each authority's case framed with no establishment in the Union, the CNIL's request for mutual
assistance and the Garante's answer on both records, each authority's own decision) and the one-stop shop (the
CNIL's complaint transmitted to the DPC, its draft, the CNIL's objection, the revised draft, the agreement, the
decision and the CNIL's letter to its complainant); then stops everything it started."""

from __future__ import annotations

import os
import re

import pytest

from docket_devstack.kafka import REPO_ROOT
from docket_devstack.ports import free_port
from tests.e2e.test_run_command import leftovers, played_the_story, up

pytestmark = [pytest.mark.e2e, pytest.mark.faults]  # two Dockets from cold, more than two minutes: `make faults`


def test_network_once_plays_both_authorities_and_leaves_nothing_behind(tmp_path, monkeypatch):
    for variable in ("DOCKET_GARANTE_HTTP_PORTS", "DOCKET_DPC_HTTP_PORTS"):
        monkeypatch.setenv(variable, ",".join(str(free_port()) for _ in range(3)))
    log = tmp_path / "network.log"
    running = up(tmp_path / "data", log, "--network", "--once")
    try:
        assert running.wait(600) == 0, log.read_text()
    finally:
        if running.poll() is None:
            running.kill()
    output = log.read_text()
    played_the_story(output)  # the CNIL's own story, as without --network
    for authority, realm in (("IT-GPDP", "garante"), ("IE-DPC", "dpc")):
        assert re.search(rf"{authority} +PostgreSQL \S+ \(its own roles\), Kafka \S+ \(realm {realm}'s", output)
    assert re.search(r"services     intake http://\S+, case https://127\.0\.0\.1:\d+, notifier http://", output)
    assert "[network 19 of 19]" in output and "[one-stop shop 20 of 20]" in output
    # Every step reaches the other authority as a signed message, not as staff's transcription: the request and the
    # answer; the transmission, the confirmation, both drafts, the objection, the agreement and the decision.
    assert output.count("arrived by message: cooperation.assistance_") == 2 and "no message within" not in output
    assert output.count("arrived by message: cooperation.") == 2 + 7
    summary = output[output.index("== The Clearview network ==") : output.index("== The one-stop shop ==")]
    cnil, garante = summary.split("IT-GPDP  case ")
    assert re.search(r"FR-CNIL  case \S+  4 complaint\(s\), sanctioned", cnil)
    assert garante.startswith(garante.split()[0] + "  1 complaint(s), sanctioned")
    for record in (cnil, garante):
        assert re.search(r"2021-05-27  frame_recorded +by (FR-CNIL|IT-GPDP)", record)
        assert re.search(r"2021-06-21  assistance_requested +by FR-CNIL ", record)
        assert re.search(r"2021-07-16  assistance_answered +by IT-GPDP ", record)
        # played today, the month ran out long ago: each authority's timer marks it, before the answer is recorded
        assert re.search(r"2021-07-21  deadline_passed +by IT-GPDP +recorded by system:deadline-timer", record)
        assert re.search(r"keys        \d+ published at https://127\.0\.0\.1:\d+/\.well-known/jwks\.json", record)
    assert "decision    2022-10-17: fine of EUR 20,000,000" in cnil
    assert "decision    2022-02-10: fine of EUR 20,000,000" in garante
    shop = output[output.index("== The one-stop shop ==") :]
    cnil, dpc = shop.split("IE-DPC   case ")
    one_stop_shop = [
        ("complaint_registered", "FR-CNIL"),
        ("complaint_transmitted", "FR-CNIL"),
        ("competence_confirmed", "IE-DPC"),
        ("draft_decision_submitted", "IE-DPC"),
        ("objection_raised", "FR-CNIL"),
        ("draft_decision_submitted", "IE-DPC"),
        ("draft_agreed", "FR-CNIL"),
        ("decision_adopted", "IE-DPC"),
    ]
    for record in (cnil, dpc):  # both records hold the same procedure, step by step
        steps = re.findall(r"^  \S+ +([a-z_]+) +by (\S+) +recorded by", record, re.M)
        assert [step for step in steps if step[0] != "frame_recorded"] == one_stop_shop
    assert "letter to the complainant: 'Les autorités ont statué" in output
    # Each story's picture, as the case service draws it; the Clearview network's is the guide's.
    data = tmp_path / "data"
    assert (data / "one-stop-shop-timeline.svg").read_text().startswith("<svg")
    picture = (data / "clearview-network-timeline.svg").read_text()
    guide_picture = REPO_ROOT / "docs" / "clearview-network-timeline.svg"
    if os.environ.get("DOCKET_REDRAW_PICTURES"):
        guide_picture.write_text(picture)
    assert picture == guide_picture.read_text(), "the guide's picture is stale: DOCKET_REDRAW_PICTURES=1"
    assert "Ctrl-C stops everything" not in output and leftovers(tmp_path) == []
