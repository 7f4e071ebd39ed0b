"""`make run ARGS=--network` brings up the Italian Garante's Docket beside the CNIL's (its own PostgreSQL, realm,
Kafka and services, each case service on HTTPS) and, after the CNIL's story, plays the Clearview network: each
authority's case framed with no establishment in the Union, the CNIL's request for mutual assistance and the
Garante's answer on both records, each authority's own decision; then stops everything it started."""

from __future__ import annotations

import re

import pytest

from docket_devstack.ports import free_port
from tests.e2e.test_run_command import leftovers, played_the_story, up

pytestmark = [pytest.mark.e2e, pytest.mark.faults]  # two Dockets from cold, more than two minutes: `make faults`


def test_network_once_plays_both_authorities_and_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKET_GARANTE_HTTP_PORTS", ",".join(str(free_port()) for _ in range(3)))
    log = tmp_path / "network.log"
    running = up(tmp_path / "data", log, "--network", "--once")
    try:
        assert running.wait(600) == 0, log.read_text()
    finally:
        if running.poll() is None:
            running.kill()
    output = log.read_text()
    played_the_story(output)  # the CNIL's own story, as without --network
    assert re.search(r"Garante      IT-GPDP: PostgreSQL \S+ \(its own roles\), Kafka \S+ \(realm garante's", output)
    assert re.search(r"services     intake http://\S+, case https://127\.0\.0\.1:\d+, notifier http://", output)
    assert "[network 17 of 17]" in output
    # The request reaches the Garante and the answer the CNIL as signed messages, not as staff's transcriptions.
    assert output.count("arrived by message: cooperation.assistance_") == 2 and "no message within" not in output
    summary = output[output.index("== The Clearview network ==") :]
    cnil, garante = summary.split("IT-GPDP  case ")
    assert re.search(r"FR-CNIL  case \S+  4 complaint\(s\), sanctioned", cnil)
    assert garante.startswith(garante.split()[0] + "  1 complaint(s), sanctioned")
    for record in (cnil, garante):
        assert re.search(r"2021-05-27  frame_recorded +by (FR-CNIL|IT-GPDP)", record)
        assert re.search(r"2021-06-21  assistance_requested +by FR-CNIL ", record)
        assert re.search(r"2021-07-16  assistance_answered +by IT-GPDP ", record)
        assert re.search(r"keys        \d+ published at https://127\.0\.0\.1:\d+/\.well-known/jwks\.json", record)
    assert "decision    2022-10-17: fine of EUR 20,000,000" in cnil
    assert "decision    2022-02-10: fine of EUR 20,000,000" in garante
    assert "Ctrl-C stops everything" not in output and leftovers(tmp_path) == []
