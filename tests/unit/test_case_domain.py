"""Given events, when a command, then events (or a refusal) — the case aggregate without I/O."""

from datetime import date
from uuid import UUID, uuid4

import pytest

from docket_contracts.events import CaseClosed, CaseOpened, ComplaintFiled, ComplaintLinked, Controller
from services.case.domain import CaseState, LinkComplaint, OpenCase, Rejected, decide, replay

CLEARVIEW = Controller(key="clearview-ai", name="Clearview AI")
CASE = UUID("00000000-0000-0000-0000-0000000000c1")


def complaint(kind: str = "art77_complaint") -> ComplaintFiled:
    return ComplaintFiled(complaint_id=uuid4(), kind=kind, controller=CLEARVIEW, articles_alleged=(15, 17),
                          received_on=date(2020, 5, 25))


def opened(first: ComplaintFiled) -> CaseOpened:
    return CaseOpened(case_id=CASE, controller=CLEARVIEW, complaint_id=first.complaint_id,
                      complaint_kind=first.kind, opened_on=first.received_on)


def test_a_first_complaint_opens_a_case_on_its_controller_on_the_day_it_was_received():
    first = complaint()
    assert decide(CaseState(), OpenCase(CASE, first)) == [opened(first)]


def test_a_further_complaint_is_linked_to_the_open_case():
    first, second = complaint(), complaint("alert")
    state = replay([opened(first)])
    assert decide(state, LinkComplaint(second)) == [
        ComplaintLinked(case_id=CASE, complaint_id=second.complaint_id, complaint_kind="alert")]


def test_linking_the_same_complaint_again_changes_nothing():
    first = complaint()
    state = replay([opened(first)])
    assert decide(state, LinkComplaint(first)) == []


def test_an_open_case_cannot_be_opened_again_and_the_refusal_names_state_and_next_steps():
    state = replay([opened(complaint())])
    with pytest.raises(Rejected, match=r"cannot open a case: the case is open; allowed next steps: link a further"):
        decide(state, OpenCase(CASE, complaint()))


def test_a_complaint_cannot_be_linked_to_a_case_that_does_not_exist_or_is_closed():
    with pytest.raises(Rejected, match="the case is none; allowed next steps: open the case"):
        decide(CaseState(), LinkComplaint(complaint()))
    closed = replay([opened(complaint()), CaseClosed(case_id=CASE, outcome="dismissed", reasons="out of scope",
                                                     closed_on=date(2021, 1, 1))])
    with pytest.raises(Rejected, match="the case is closed; allowed next steps: none"):
        decide(closed, LinkComplaint(complaint()))


def test_replay_counts_versions_and_collects_complaints():
    first, second = complaint(), complaint()
    state = replay([opened(first), ComplaintLinked(case_id=CASE, complaint_id=second.complaint_id,
                                                   complaint_kind="art77_complaint")])
    assert (state.case_id, state.version, state.status) == (CASE, 2, "open")
    assert state.complaints == (first.complaint_id, second.complaint_id)
