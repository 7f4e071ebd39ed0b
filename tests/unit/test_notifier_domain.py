from datetime import date
from uuid import uuid4

from docket_contracts.events import CaseOpened, ComplaintFiled, ComplaintLinked, Controller, InvestigationOpened
from services.notifier.domain import drafts_for

CLEARVIEW = Controller(key="clearview-ai", name="Clearview AI")


def filed(kind: str) -> ComplaintFiled:
    return ComplaintFiled(complaint_id=uuid4(), kind=kind, controller=CLEARVIEW, articles_alleged=(15,),
                          received_on=date(2020, 5, 25))


def test_a_complainant_gets_an_acknowledgement_but_an_alert_does_not():
    complaint = filed("art77_complaint")
    [draft] = drafts_for(complaint)
    assert (draft.channel, draft.recipient_role, draft.complaint_id) == ("letter", "complainant",
                                                                         complaint.complaint_id)
    assert "Clearview AI" in draft.body and "2020-05-25" in draft.body
    assert drafts_for(filed("alert")) == []


def test_opening_and_linking_tell_the_complainant_which_case():
    case_id, complaint_id = uuid4(), uuid4()
    [opened] = drafts_for(CaseOpened(case_id=case_id, controller=CLEARVIEW, complaint_id=complaint_id,
                                     complaint_kind="art77_complaint", opened_on=date(2020, 5, 25)))
    [linked] = drafts_for(ComplaintLinked(case_id=case_id, complaint_id=complaint_id, complaint_kind="alert",
                                         received_on=date(2021, 5, 27)))
    assert opened.case_id == linked.case_id == case_id
    assert opened.complaint_id == linked.complaint_id == complaint_id


def test_events_without_a_rule_call_for_nothing():
    assert drafts_for(InvestigationOpened(case_id=uuid4(), opened_on=date(2020, 8, 1), scope="checks")) == []
